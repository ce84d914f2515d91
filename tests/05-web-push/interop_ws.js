// interop_ws.js: pushd against a second, strict WebSocket client, the `ws` package
// for Node.js, which checks every frame the server sends (unmasked, RSV bits clear,
// valid UTF-8 in TEXT, a valid close code) and fails the connection otherwise.
//
//   node interop_ws.js HTTP_PORT CHAT_PORT
//
// A raw chat client (Node's net module) sits in the same room. Prints one line per
// check and "interop: N checks passed"; exits 1 at the first failure, saying what
// was expected and what came. test_interop.c runs it where node and ws are installed.
'use strict';
const net = require('net');
const WebSocket = require('ws');

const [httpPort, chatPort] = process.argv.slice(2).map(Number);
const url = `ws://127.0.0.1:${httpPort}/ws`;
const WAIT_MS = 5000 * (Number(process.env.CK_TIMEOUT_MULTIPLIER) || 1);
let checks = 0;

function fail(message) {
    console.log(`interop: FAILED: ${message}`);
    process.exit(1);
}

function pass(what) {
    checks++;
    console.log(`ok ${checks}: ${what}`);
}

// Wait for fn's promise, or fail after WAIT_MS saying what was awaited.
function within(what, promise) {
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no ${what} within ${WAIT_MS} ms`)),
                           WAIT_MS);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// A queue of what a connection received, to await one item at a time.
function inbox() {
    const items = [], waiters = [];
    return {
        put(item) { waiters.length ? waiters.shift()(item) : items.push(item); },
        next() { return items.length ? Promise.resolve(items.shift())
                                     : new Promise((resolve) => waiters.push(resolve)); },
    };
}

// A WebSocket member: its messages and its closing, each awaited in order.
function openWs(options) {
    const ws = new WebSocket(url, options);
    const messages = inbox();
    ws.on('message', (data, isBinary) => messages.put(isBinary ? data : data.toString()));
    ws.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
    ws.opened = new Promise((resolve, reject) => {
        ws.on('open', resolve);
        ws.on('unexpected-response', (req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
        ws.on('error', reject);
    });
    ws.next = () => messages.next();
    return ws;
}

// A raw chat member on the chat port: lines without their LF.
function openRaw() {
    const socket = net.connect(chatPort, '127.0.0.1');
    const lines = inbox();
    let pending = '';
    socket.setEncoding('utf8');
    socket.on('data', (text) => {
        pending += text;
        let lf;
        while ((lf = pending.indexOf('\n')) >= 0) {
            lines.put(pending.slice(0, lf));
            pending = pending.slice(lf + 1);
        }
    });
    socket.next = () => lines.next();
    return socket;
}

async function expect(what, promise, want) {
    const got = await within(what, promise);
    if (got !== want)
        fail(`${what}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
    pass(`${what}: ${JSON.stringify(want).slice(0, 60)}`);
}

// The nick in a welcome line.
function nickOf(welcome) {
    const match = /you are (\S+);/.exec(welcome);
    if (!match)
        fail(`not a welcome: ${JSON.stringify(welcome)}`);
    return match[1];
}

async function main() {
    const ws = openWs();
    await within('WebSocket handshake', ws.opened);
    pass('handshake accepted (ws checked Sec-WebSocket-Accept)');
    const wsNick = nickOf(await within('welcome', ws.next()));
    pass(`welcome frame, as ${wsNick}`);

    const raw = openRaw();
    const rawNick = nickOf(await within('raw welcome', raw.next()));
    await expect('join seen over WebSocket', ws.next(), `* ${rawNick} joined`);

    ws.send('hello from ws');
    await expect('a message reaches the raw client', raw.next(), `${wsNick}: hello from ws`);
    raw.write('hello from raw\n');
    await expect('a raw line reaches ws', ws.next(), `${rawNick}: hello from raw`);

    ws.send('frag', { fin: false });
    ws.send('mented', { fin: true });
    await expect('a message in two fragments', raw.next(), `${wsNick}: fragmented`);

    // 'é' is C3 A9: its two bytes in two fragments are one character.
    ws.send(Buffer.from([0xc3]), { binary: false, fin: false });
    ws.send(Buffer.from([0xa9]), { binary: false, fin: true });
    await expect('a character split across fragments', raw.next(), `${wsNick}: \u00e9`);

    const pong = new Promise((resolve) => ws.once('pong', (data) => resolve(data.toString())));
    ws.ping('abc');
    await expect('PING gets a PONG with its payload', pong, 'abc');

    ws.close(1000);
    await expect('the close handshake', ws.closed, 1000);
    await expect('the room sees ws leave', raw.next(), `* ${wsNick} left`);

    await failsWith('a 65,537-byte message', (w) => w.send('x'.repeat(65537)), 1009);
    await failsWith('invalid UTF-8', (w) => w.send(Buffer.from([0xff]), { binary: false }),
                    1007);
    await failsWith('a BINARY message', (w) => w.send(Buffer.from('hi'), { binary: true }),
                    1003);

    const same = openWs({ origin: `http://127.0.0.1:${httpPort}` });
    await within('same-site handshake', same.opened);
    pass('an Origin of the same host and port is accepted');
    same.close(1000);
    await within('close', same.closed);

    const evil = openWs({ origin: 'http://evil.example' });
    const refused = await within('cross-site refusal', evil.opened.then(() => 'accepted',
                                                                      (e) => e.message));
    if (refused !== 'HTTP 403')
        fail(`a cross-site Origin: expected HTTP 403, got ${refused}`);
    pass('a cross-site Origin gets 403');

    raw.end('/quit\n');
    console.log(`interop: ${checks} checks passed`);
    process.exit(0);
}

// A fresh member does something the server must refuse: CLOSE with this code.
async function failsWith(what, act, code) {
    const w = openWs();
    await within('handshake', w.opened);
    await within('welcome', w.next());
    act(w);
    await expect(`${what} gets CLOSE`, w.closed, code);
}

main().catch((e) => fail(e.message));
