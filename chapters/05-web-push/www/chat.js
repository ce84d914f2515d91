/* chat.js: the browser's way into pushd's room, over one of HTTP's three ways to push.
 *
 * The page cannot open a TCP connection to the chat port, so it joins over HTTP,
 * with the transport named in the address (?t=ws, the default, ?t=sse or ?t=poll):
 *
 *   ws    one WebSocket to /ws carries both directions: each room line arrives as
 *         one TEXT message, and each message we send is one line of input
 *   sse   POST /join for a session token; the lines arrive on an EventSource
 *         (GET /events?session=S, a response that never ends); we send with
 *         POST /send?session=S
 *   poll  POST /join likewise; then GET /poll?session=S&since=N in a loop, each
 *         answer a batch of lines and the number to ask from next time; POST /send
 *
 * Whatever the transport, the rest of the page is the same: show() a line, send()
 * what the user typed, end() when the server ends the conversation. Plain
 * JavaScript, no framework, no build step: what you read is what the browser runs.
 */
"use strict";

(function () {
    const TRANSPORTS = {
        ws: { name: "WebSocket", start: joinWebSocket },
        sse: { name: "server-sent events", start: joinWithEvents },
        poll: { name: "long polling", start: joinWithPolling },
    };

    const page = {
        transport: document.getElementById("transport"),
        nick: document.getElementById("nick"),
        status: document.getElementById("status"),
        lines: document.getElementById("lines"),
        form: document.getElementById("say"),
        input: document.getElementById("text"),
    };

    let nick = null; /* ours, from the welcome line, /join, or a /nick */
    let ended = false;

    /* ---- What every transport shares ------------------------------------------ */

    function setStatus(text) {
        page.status.textContent = text;
    }

    function setNick(name) {
        nick = name;
        page.nick.textContent = name;
    }

    /* Add a line to the list, keeping the newest in view if the reader was there. */
    function addLine(text, kind) {
        const list = page.lines.parentElement;
        const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 8;
        const item = document.createElement("li");
        item.textContent = text; /* text, never HTML: a line may hold "<script>" */
        if (kind) item.className = kind;
        page.lines.appendChild(item);
        if (atBottom) list.scrollTop = list.scrollHeight;
    }

    /* A line from the room. The server's notices start with "* ", errors with "! ";
     * two of the notices tell us our own name. */
    function show(line) {
        const welcome = /^\* welcome to pushd, you are (\S+);/.exec(line);
        const renamed = /^\* (\S+) is now known as (\S+)$/.exec(line);
        if (welcome) setNick(welcome[1]);
        else if (renamed && renamed[1] === nick) setNick(renamed[2]);
        const kind = line.startsWith("* ") ? "notice" : line.startsWith("! ") ? "error" : "";
        addLine(line, kind);
    }

    /* What the page itself has to say: it is not a line of the room. */
    function note(text) {
        addLine(text, "local");
    }

    /* The server ended the conversation (a /quit, a shutdown, a dropped session).
     * Say so once, and stop sending. */
    function end(why) {
        if (ended) return;
        ended = true;
        setStatus("disconnected");
        page.status.classList.add("ended");
        page.input.disabled = true;
        note(`(${why}; reload the page to join again)`);
    }

    /* ---- WebSocket: one connection, both ways --------------------------------- */

    function joinWebSocket() {
        const scheme = location.protocol === "https:" ? "wss:" : "ws:";
        const socket = new WebSocket(`${scheme}//${location.host}/ws`);
        socket.onopen = () => setStatus("connected");
        socket.onmessage = (event) => show(event.data);
        socket.onclose = (event) => end(`connection closed, code ${event.code}`);
        return (text) => {
            if (socket.readyState !== WebSocket.OPEN) return note("(not connected)");
            socket.send(text); /* the end of a message ends its line: no LF needed */
        };
    }

    /* ---- Sessions: the two plain-HTTP transports ------------------------------- */

    /* POST /join: a room member with a token that later requests name. */
    async function join() {
        const response = await fetch("/join", { method: "POST" });
        if (!response.ok) throw new Error(`POST /join got ${response.status}`);
        const session = await response.json(); /* {"session":"…","nick":"guest3"} */
        setNick(session.nick);
        return session.session;
    }

    /* A sender for a session: POST /send with the line as the body. Each POST may go
     * out on a connection of its own, and two in flight could arrive in either order,
     * so each waits for the one before it. */
    function sessionSender(token) {
        let previous = Promise.resolve();
        const post = async (text) => {
            const response = await fetch(`/send?session=${encodeURIComponent(token)}`, {
                method: "POST",
                headers: { "Content-Type": "text/plain; charset=utf-8" },
                body: `${text}\n`,
            });
            if (response.status === 404) end("the session has ended");
            else if (!response.ok) note(`(POST /send got ${response.status})`);
        };
        return (text) => {
            previous = previous.then(() => post(text)).catch(() => end("the server went away"));
        };
    }

    /* Run a session transport: join, start receiving, hand back the sender. Until
     * the join has answered, what the user types waits for it. */
    function joinSession(receive) {
        const token = join();
        token.then(receive).catch((error) => end(error.message));
        const sender = token.then(sessionSender);
        return (text) => {
            sender.then((send) => send(text)).catch(() => {});
        };
    }

    /* Server-sent events: the browser's EventSource reads the stream, and on its own
     * reconnects with Last-Event-ID when it drops, so no line is lost in between. */
    function joinWithEvents() {
        return joinSession((token) => {
            const source = new EventSource(`/events?session=${encodeURIComponent(token)}`);
            source.onopen = () => setStatus("connected");
            source.onmessage = (event) => show(event.data);
            source.addEventListener("gap", () => note("(some lines were missed)"));
            source.onerror = () => {
                /* CLOSED: the server refused the stream (the session is gone);
                 * otherwise EventSource is already trying again. */
                if (source.readyState === EventSource.CLOSED) end("the session has ended");
                else setStatus("reconnecting");
            };
        });
    }

    /* Long polling: ask for the lines after `since`; the server answers when it has
     * some (or after a while, with none); ask again at once from the new `next`. */
    function joinWithPolling() {
        return joinSession(async (token) => {
            setStatus("connected");
            let since = 0;
            while (!ended) {
                let response;
                try {
                    response = await fetch(
                        `/poll?session=${encodeURIComponent(token)}&since=${since}`
                    );
                } catch (error) {
                    return end("the server went away");
                }
                if (response.status === 404) return end("the session has ended");
                if (!response.ok) return end(`GET /poll got ${response.status}`);
                const answer = await response.json(); /* {"next":M,"lines":[…],"gap":…} */
                if (answer.gap) note("(some lines were missed)");
                answer.lines.forEach(show);
                since = answer.next;
            }
        });
    }

    /* ---- The page ----------------------------------------------------------------- */

    const wanted = new URLSearchParams(location.search).get("t") || "ws";
    const transport = TRANSPORTS[wanted];
    if (!transport) {
        page.transport.textContent = wanted;
        end(`unknown transport "${wanted}": use ?t=ws, ?t=sse or ?t=poll`);
        return;
    }
    page.transport.textContent = transport.name;
    page.transport.dataset.transport = wanted;
    const send = transport.start();

    /* The room does not echo our lines back to us, so the page shows them itself. */
    page.form.addEventListener("submit", (event) => {
        event.preventDefault();
        const text = page.input.value;
        if (text === "" || ended) return;
        addLine(text.startsWith("/") || nick === null ? text : `${nick}: ${text}`, "mine");
        send(text);
        page.input.value = "";
    });
})();
