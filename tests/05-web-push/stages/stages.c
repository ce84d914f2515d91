/* stages.c: chapter 5's stages, the tester for the learner's own WebSocket chat
 * server.
 *
 * Each stage starts the program in STAGE_PROGRAM as `pushd -p 0 -P 0`, reads both
 * ports from its start line, and talks to it over loopback the way a browser and nc
 * would: raw chat lines on the chat port, an HTTP upgrade and then WebSocket frames
 * on the HTTP port (sent by ../wsclient.c, written from RFC 6455, not from the
 * server's code). It says in plain words what it sent, what it expected, what came
 * back and which section of book/05-web-push.md to read. Nothing sleeps to
 * synchronise: a stage waits (bounded) for what it expects, and proves that something
 * did NOT come by seeing a later thing arrive first.
 */
#include "stage.h"
#include "stage_chat.h"

#include "../wsclient.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BOOK       "book/05-web-push.md"
#define RFC_KEY    "dGhlIHNhbXBsZSBub25jZQ=="
#define RFC_ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

#define OP_CONT   0x0
#define OP_TEXT   0x1
#define OP_BINARY 0x2
#define OP_CLOSE  0x8
#define OP_PING   0x9
#define OP_PONG   0xa

static struct server_proc server;

static void start(void)
{
    const char *args[] = {"-P", "0", NULL};
    stage_start(&server, args);
    ck_assert_msg(server.port2 > 0,
                  "started `pushd -p 0 -P 0`: its start line named \"%s\", expected two "
                  "URLs: \"pushd: listening on http://127.0.0.1:PORT/ and "
                  "chat://127.0.0.1:PORT/\"",
                  server.url);
}

/* ---- Raw chat clients on the chat port (chapter 3's protocol) --------------------- */

static struct chat_peer peers[3];

static struct chat_peer *connect_peer(int i, const char *name)
{
    return chat_connect(&peers[i], server.port2, name);
}

/* Fail unless p's next line is want. Other members come and go around what a stage
 * tests, on both ports, so every check passes over the notices it is not about. */
static void expect_line(struct chat_peer *p, const char *want, const char *after,
                        const char *hint)
{
    chat_expect(p, want, 1, after, hint);
}

/* ---- WebSocket clients on the HTTP port ------------------------------------------- */

static struct wsclient *sockets[16];
static struct wsc_message message; /* 128 KiB: not on the stack */

static void stop(void)
{
    chat_close_all(peers, sizeof peers / sizeof peers[0]);
    for (size_t i = 0; i < sizeof sockets / sizeof sockets[0]; i++) {
        wsc_close(sockets[i]);
        sockets[i] = NULL;
    }
    stage_stop(&server);
}

static struct wsclient *keep(struct wsclient *c)
{
    for (size_t i = 0; i < sizeof sockets / sizeof sockets[0]; i++)
        if (sockets[i] == NULL) {
            sockets[i] = c;
            return c;
        }
    ck_abort_msg("stages.c: too many WebSocket clients in one stage");
    return NULL;
}

/* A good handshake for GET /ws with RFC 6455's key, plus extra header lines. */
static void upgrade_request(char *out, size_t size, const char *extra)
{
    snprintf(out, size,
             "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
             "Connection: Upgrade\r\nSec-WebSocket-Key: " RFC_KEY "\r\n"
             "Sec-WebSocket-Version: 13\r\n%s\r\n",
             server.port, extra != NULL ? extra : "");
}

/* Send request on c and read the answer's head (up to its empty line) into head;
 * what follows stays in c's buffer (the first frames). Returns the status. */
static int send_head(struct wsclient *c, const char *request, char *head, size_t size,
                     const char *what)
{
    ck_assert_msg(wsc_send_bytes(c, request, strlen(request)) == 0,
                  "%s: could not send the request: the server closed the connection",
                  what);
    long long deadline = stage_now_ms() + stage_wait_ms();
    for (;;) {
        for (size_t i = 3; i < c->have; i++) {
            if (memcmp(c->buffer + i - 3, "\r\n\r\n", 4) != 0)
                continue;
            size_t length = i + 1 < size ? i + 1 : size - 1;
            memcpy(head, c->buffer, length);
            head[length] = '\0';
            memmove(c->buffer, c->buffer + i + 1, c->have - i - 1);
            c->have -= i + 1;
            return response_status(head);
        }
        struct pollfd ready = {.fd = c->fd, .events = POLLIN};
        long long left = deadline - stage_now_ms();
        int got = left > 0 ? poll(&ready, 1, (int)left) : 0;
        if (got < 0 && errno == EINTR)
            continue;
        ck_assert_msg(got > 0,
                      "%s: no answer (no complete response head) in 5 s: does "
                      "check_handshake() get called, and the answer flushed?",
                      what);
        ssize_t n = read(c->fd, c->buffer + c->have, sizeof c->buffer - c->have);
        ck_assert_msg(n > 0,
                      "%s: the server closed the connection %s a complete response "
                      "head (got %zu bytes: \"%.*s\")",
                      what, c->have > 0 ? "before" : "without", c->have,
                      (int)(c->have < 300 ? c->have : 300), (const char *)c->buffer);
        c->have += (size_t)n;
    }
}

static struct wsclient *connect_http(const char *what)
{
    struct wsclient *c = wsc_connect(server.port);
    ck_assert_msg(c != NULL,
                  "%s: could not connect to the HTTP port %d: is it listening?", what,
                  server.port);
    return keep(c);
}

/* Describe a frame for a message: "a TEXT frame \"...\"", "a CLOSE frame, code 1000". */
static const char *describe(const struct wsc_message *m, char *out, size_t size)
{
    static const char *names[16] = {
        "CONTINUATION", "TEXT",      "BINARY",    "opcode-3", "opcode-4", "opcode-5",
        "opcode-6",     "opcode-7",  "CLOSE",     "PING",     "PONG",     "opcode-11",
        "opcode-12",    "opcode-13", "opcode-14", "opcode-15"};
    const char *flags = m->masked ? " (masked: a server must not mask)"
                        : !m->fin ? " (without FIN)"
                        : m->rsv  ? " (with an RSV bit set)"
                                  : "";
    if (m->opcode == OP_CLOSE && m->length >= 2)
        snprintf(out, size, "a CLOSE frame with code %d%s", wsc_close_code(m), flags);
    else
        snprintf(out, size, "a %s frame \"%.200s\" (%zu bytes)%s", names[m->opcode & 15],
                 (const char *)m->payload, m->length, flags);
    return out;
}

/* Read the next frame, or fail saying what came instead. */
static void next_frame(struct wsclient *c, const char *who, const char *want,
                       const char *after, const char *hint)
{
    int got = wsc_read(c, &message, stage_wait_ms());
    ck_assert_msg(got == 1, "%s: %s, expected %s, got %s. %s", who, after, want,
                  got == 0 ? "nothing in 5 s" : "the end of the connection", hint);
}

/* Fail unless c's next frame is opcode with exactly this payload, FIN set, unmasked. */
static void expect_frame(struct wsclient *c, const char *who, int opcode,
                         const char *payload, const char *after, const char *hint)
{
    char want[2048], got[512];
    snprintf(want, sizeof want, "a %s frame \"%.300s\"",
             opcode == OP_TEXT   ? "TEXT"
             : opcode == OP_PONG ? "PONG"
                                 : "CLOSE",
             payload);
    next_frame(c, who, want, after, hint);
    ck_assert_msg(message.opcode == opcode && message.fin && !message.masked &&
                      message.rsv == 0 && message.length == strlen(payload) &&
                      memcmp(message.payload, payload, message.length) == 0,
                  "%s: %s, expected %s (FIN set, unmasked), got %s. %s", who, after, want,
                  describe(&message, got, sizeof got), hint);
}

static void expect_text(struct wsclient *c, const char *who, const char *payload,
                        const char *after, const char *hint)
{
    expect_frame(c, who, OP_TEXT, payload, after, hint);
}

/* Fail unless c's next frame is CLOSE with this code, and the server then closes. */
static void expect_close(struct wsclient *c, const char *who, int code, const char *after,
                         const char *hint)
{
    char want[64], got[512];
    snprintf(want, sizeof want, "a CLOSE frame with code %d", code);
    next_frame(c, who, want, after, hint);
    ck_assert_msg(message.opcode == OP_CLOSE && wsc_close_code(&message) == code &&
                      !message.masked,
                  "%s: %s, expected %s, got %s. %s", who, after, want,
                  describe(&message, got, sizeof got), hint);
    ck_assert_msg(wsc_wait_closed(c, stage_wait_ms()),
                  "%s: %s, got the CLOSE frame with code %d, then expected the server "
                  "to close the connection; it is still open after 5 s. %s",
                  who, after, code, hint);
}

#define S1_HINT "Read " BOOK ", \"The WebSocket upgrade\" (exercises 5.1 to 5.3)"

/* Upgrade a new connection (extra header lines, or NULL) and expect 101. */
static struct wsclient *upgrade(const char *what, const char *extra)
{
    char request[1024], head[4096];
    struct wsclient *c = connect_http(what);
    upgrade_request(request, sizeof request, extra);
    send_head(c, request, head, sizeof head, what);
    stage_expect_status(what, head, 101, S1_HINT);
    return c;
}

#define S3_HINT "Read " BOOK ", \"Frames and masking\": each room line is one TEXT frame"

/* A WebSocket member: upgraded, its welcome read. */
static struct wsclient *join_ws(const char *who, const char *welcome)
{
    struct wsclient *c = upgrade(who, NULL);
    expect_text(c, who, welcome, "got 101 Switching Protocols",
                "The new WebSocket is a member of the room, welcomed like a raw "
                "client. " S3_HINT);
    return c;
}

static void send_frame(struct wsclient *c, const char *who, int fin, int opcode,
                       const void *payload, size_t length)
{
    struct wsc_frame f = {
        .fin = fin, .opcode = opcode, .masked = 1, .payload = payload, .length = length};
    ck_assert_msg(wsc_send(c, &f) == 0,
                  "%s: could not send a frame: the server closed the connection", who);
}

static void send_text_frame(struct wsclient *c, const char *who, const char *text)
{
    send_frame(c, who, 1, OP_TEXT, text, strlen(text));
}

#define WELCOME(n) "* welcome to pushd, you are guest" #n "; /help for commands"

/* ---- 5.s1: the upgrade ------------------------------------------------------------- */

#define LOOP_HINT "Read " BOOK ", \"One loop for everything\""

START_TEST(answers_the_upgrade)
{
    start();
    struct chat_peer *raw = connect_peer(0, "guest1 (chat port)");
    expect_line(raw, WELCOME(1), "connected to the chat port", LOOP_HINT);

    const char *what = "GET /ws with RFC 6455's handshake (key " RFC_KEY ")";
    char request[1024], head[4096];
    struct wsclient *c = connect_http(what);
    upgrade_request(request, sizeof request, NULL);
    send_head(c, request, head, sizeof head, what);
    stage_expect_status(what, head, 101, S1_HINT);
    stage_expect_header(what, head, "Upgrade", "websocket", ". " S1_HINT);
    stage_expect_header(what, head, "Connection", "Upgrade", ". " S1_HINT);
    stage_expect_header(what, head, "Sec-WebSocket-Accept", RFC_ACCEPT,
                        ". It is base64(SHA-1(key + "
                        "\"258EAFA5-E914-47DA-95CA-C5AB0DC85B11\")). " S1_HINT);

    what = "GET /ws with \"upgrade: WebSocket\", \"connection: keep-alive, Upgrade\" "
           "and the key x3JJHMbDL1EzLkh9GBhXDw==";
    c = connect_http(what);
    snprintf(request, sizeof request,
             "GET /ws HTTP/1.1\r\nhost: 127.0.0.1:%d\r\nupgrade: WebSocket\r\n"
             "connection: keep-alive, Upgrade\r\nsec-websocket-key: "
             "x3JJHMbDL1EzLkh9GBhXDw==\r\nsec-websocket-version: 13\r\n\r\n",
             server.port);
    send_head(c, request, head, sizeof head, what);
    stage_expect_status(what, head, 101,
                        "Header names, and the tokens in Upgrade and Connection, compare "
                        "without regard to case, and Connection is a list. " S1_HINT);
    stage_expect_header(what, head, "Sec-WebSocket-Accept",
                        "HSmrc0sMlYUkAGmm5OPpG2HaGWk=", ". " S1_HINT);

    /* The chat port is served by the same loop, beside the two WebSockets. */
    struct chat_peer *other = connect_peer(1, "a second client (chat port)");
    chat_expect_start(other, "* welcome to pushd, you are guest", 1,
                      "two WebSockets upgraded, then it connected to the chat port",
                      LOOP_HINT);
    chat_say(raw, "still here\n");
    expect_line(other, "guest1: still here",
                "two WebSockets upgraded and a second client joined on the chat port, "
                "then guest1 sent \"still here\\n\"",
                LOOP_HINT);
    stop();
}
END_TEST

/* ---- 5.s2: bad handshakes ---------------------------------------------------------- */

#define S2_HINT "Read " BOOK ", \"The WebSocket upgrade\": what makes a handshake valid"

static void expect_refusal(const char *what, const char *request, int status)
{
    char head[4096];
    struct wsclient *c = connect_http(what);
    send_head(c, request, head, sizeof head, what);
    stage_expect_status(what, head, status, S2_HINT);
}

START_TEST(refuses_bad_handshakes)
{
    start();
    char request[1024];
    snprintf(request, sizeof request, "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n",
             server.port);
    expect_refusal("GET /ws without Upgrade, Connection or a key", request, 400);

    upgrade_request(request, sizeof request, NULL);
    memcpy(request, "PUT", 3); /* PUT /ws: the same headers */
    expect_refusal("PUT /ws with the upgrade headers", request, 400);

    upgrade_request(request, sizeof request, NULL);
    memcpy(strstr(request, "HTTP/1.1"), "HTTP/1.0", 8);
    expect_refusal("GET /ws HTTP/1.0 with the upgrade headers", request, 400);

    snprintf(request, sizeof request,
             "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
             "Connection: Upgrade\r\nSec-WebSocket-Key: " RFC_KEY "\r\n\r\n",
             server.port);
    expect_refusal("GET /ws with no Sec-WebSocket-Version", request, 400);

    snprintf(request, sizeof request,
             "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
             "Connection: Upgrade\r\nSec-WebSocket-Key: c2hvcnQ=\r\n"
             "Sec-WebSocket-Version: 13\r\n\r\n",
             server.port);
    expect_refusal("GET /ws with Sec-WebSocket-Key: c2hvcnQ= (base64 of 5 bytes, not 16)",
                   request, 400);

    const char *what = "GET /ws with Sec-WebSocket-Version: 8";
    snprintf(request, sizeof request,
             "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
             "Connection: Upgrade\r\nSec-WebSocket-Key: " RFC_KEY "\r\n"
             "Sec-WebSocket-Version: 8\r\n\r\n",
             server.port);
    char head[4096];
    struct wsclient *c = connect_http(what);
    send_head(c, request, head, sizeof head, what);
    stage_expect_status(what, head, 426, "A version we do not speak: 426. " S2_HINT);
    stage_expect_header(what, head, "Sec-WebSocket-Version", "13",
                        ": the 426 names the version we speak. " S2_HINT);
    stop();
}
END_TEST

/* ---- 5.s3: room lines as frames ---------------------------------------------------- */

START_TEST(sends_room_lines_as_frames)
{
    start();
    const char *web = "guest1 (WebSocket)";
    struct wsclient *ws = join_ws(web, WELCOME(1));
    struct chat_peer *raw = connect_peer(0, "guest2 (chat port)");
    expect_line(raw, WELCOME(2), "connected to the chat port after guest1's WebSocket",
                "Guest numbers count members on every transport. " S3_HINT);
    expect_text(ws, web, "* guest2 joined", "guest2 connected to the chat port", S3_HINT);
    chat_say(raw, "hello\n");
    expect_text(ws, web, "guest2: hello", "guest2 sent \"hello\\n\" on the chat port",
                "The line without its LF, in one unmasked TEXT frame. " S3_HINT);
    chat_say(raw, "caf\xe9 \r ok\n");
    expect_text(ws, web, "guest2: caf\xef\xbf\xbd \xef\xbf\xbd ok",
                "guest2 sent \"caf\\xe9 \\r ok\\n\" (Latin-1 and a CR) on the chat port",
                "A TEXT frame must be UTF-8, and a raw client may send any bytes: each "
                "byte that starts no valid character, and each CR, goes out as U+FFFD "
                "(EF BF BD; make_valid_utf8()). " S3_HINT);
    static char line[1100], want[1100];
    memset(line, 'x', 1000);
    memcpy(line + 1000, "\n", 2);
    chat_say(raw, line);
    snprintf(want, sizeof want, "guest2: %.1000s", line);
    expect_text(ws, web, want, "guest2 sent a line of 1000 bytes",
                "A payload over 125 bytes has its length in the 16 bits after the "
                "second byte (126 there). " S3_HINT);
    stop();
}
END_TEST

/* ---- 5.s4: frames in ----------------------------------------------------------------
 */

#define S4_HINT                                                                          \
    "Read " BOOK ", \"Frames and masking\" (exercises 5.4 and 5.5): unmask each "        \
    "payload byte i with key[i % 4]"

START_TEST(reads_masked_frames)
{
    start();
    const char *web = "guest1 (WebSocket)";
    struct wsclient *ws = join_ws(web, WELCOME(1));
    struct chat_peer *raw = connect_peer(0, "guest2 (chat port)");
    expect_line(raw, WELCOME(2), "connected to the chat port", S3_HINT);
    expect_text(ws, web, "* guest2 joined", "guest2 connected", S3_HINT);

    send_text_frame(ws, web, "hi from the web");
    expect_line(raw, "guest1: hi from the web",
                "guest1 sent a masked TEXT frame \"hi from the web\"", S4_HINT);
    chat_say(raw, "ack\n");
    expect_text(ws, web, "guest2: ack",
                "guest1 sent \"hi from the web\" (no echo expected), then guest2 sent "
                "\"ack\\n\"",
                "A line goes to everyone but its sender. " S4_HINT);

    send_text_frame(ws, web, "one\ntwo");
    const char *after = "guest1 sent one TEXT frame \"one\\ntwo\"";
    expect_line(raw, "guest1: one", after,
                "A message is chat input: cut it into lines at LF. " S4_HINT);
    expect_line(raw, "guest1: two", after,
                "The end of a message also ends its last line. " S4_HINT);

    send_frame(ws, web, 0, OP_TEXT, "frag", 4);
    send_frame(ws, web, 1, OP_CONT, "mented", 6);
    expect_line(raw, "guest1: fragmented",
                "guest1 sent TEXT \"frag\" without FIN, then CONTINUATION \"mented\" "
                "with FIN",
                "Fragments are pieces of one message. " S4_HINT);
    stop();
}
END_TEST

/* ---- 5.s5: frames in any pieces ---------------------------------------------------- */

#define S5_HINT                                                                          \
    "Read " BOOK ", \"Frames and masking\": a frame may arrive in any number of reads, " \
    "and one read may hold several frames; keep what is cut short for the next read"

START_TEST(reads_frames_in_pieces)
{
    start();
    const char *web = "guest1 (WebSocket)";
    struct wsclient *ws = join_ws(web, WELCOME(1));
    struct chat_peer *raw = connect_peer(0, "guest2 (chat port)");
    expect_line(raw, WELCOME(2), "connected to the chat port", S3_HINT);

    unsigned char wire[2048];
    struct wsc_frame f = {.fin = 1,
                          .opcode = OP_TEXT,
                          .masked = 1,
                          .payload = "byte by byte",
                          .length = 12};
    ck_assert(wsc_send_bytewise(ws, wire, wsc_encode(&f, wire)) == 0);
    expect_line(raw, "guest1: byte by byte",
                "guest1 sent a TEXT frame \"byte by byte\" one byte per write", S5_HINT);

    f.payload = "sixteen";
    f.length = 7;
    f.form = WSC_LEN_16;
    ck_assert(wsc_send(ws, &f) == 0);
    expect_line(raw, "guest1: sixteen",
                "guest1 sent \"sixteen\" with its length in the 16-bit form (126, then "
                "0x0007)",
                S5_HINT);
    f.payload = "sixty-four";
    f.length = 10;
    f.form = WSC_LEN_64;
    ck_assert(wsc_send(ws, &f) == 0);
    expect_line(raw, "guest1: sixty-four",
                "guest1 sent \"sixty-four\" with its length in the 64-bit form (127, "
                "then 8 bytes)",
                S5_HINT);

    static char long_text[301], want[320];
    memset(long_text, 'y', 300);
    f.payload = long_text;
    f.length = 300;
    f.form = WSC_LEN_MINIMAL;
    size_t n = wsc_encode(&f, wire);
    ck_assert(wsc_send_bytes(ws, wire, 3) == 0); /* the header cut inside its length */
    ck_assert(wsc_send_bytes(ws, wire + 3, 100) == 0);
    ck_assert(wsc_send_bytes(ws, wire + 103, n - 103) == 0);
    snprintf(want, sizeof want, "guest1: %s", long_text);
    expect_line(
        raw, want,
        "guest1 sent a TEXT frame of 300 bytes in three writes (3, 100, the rest)",
        S5_HINT);

    const char *texts[] = {"first", "second", "third"};
    n = 0;
    for (int i = 0; i < 3; i++) {
        struct wsc_frame g = {.fin = 1,
                              .opcode = OP_TEXT,
                              .masked = 1,
                              .payload = texts[i],
                              .length = strlen(texts[i])};
        n += wsc_encode(&g, wire + n);
    }
    ck_assert(wsc_send_bytes(ws, wire, n) == 0);

    const char *after =
        "guest1 sent TEXT frames \"first\", \"second\", \"third\" in one write";
    expect_line(raw, "guest1: first", after, S5_HINT);
    expect_line(raw, "guest1: second", after, S5_HINT);
    expect_line(raw, "guest1: third", after, S5_HINT);
    stop();
}
END_TEST

/* ---- 5.s6: PING, PONG, CLOSE ------------------------------------------------------- */

#define S6_HINT "Read " BOOK ", \"The close handshake\""

START_TEST(answers_ping_and_close)
{
    start();
    const char *web = "guest1 (WebSocket)";
    struct wsclient *ws = join_ws(web, WELCOME(1));
    struct chat_peer *raw = connect_peer(0, "guest2 (chat port)");
    expect_line(raw, WELCOME(2), "connected to the chat port", S3_HINT);
    expect_text(ws, web, "* guest2 joined", "guest2 connected", S3_HINT);

    send_frame(ws, web, 1, OP_PING, "are you there", 13);
    expect_frame(ws, web, OP_PONG, "are you there", "guest1 sent PING \"are you there\"",
                 "A PING gets a PONG with the same payload. " S6_HINT);

    send_frame(ws, web, 0, OP_TEXT, "before ", 7);
    send_frame(ws, web, 1, OP_PING, "mid", 3);
    send_frame(ws, web, 1, OP_CONT, "after", 5);
    const char *after = "guest1 sent TEXT \"before \" without FIN, PING \"mid\", then "
                        "CONTINUATION \"after\" with FIN";
    expect_frame(ws, web, OP_PONG, "mid", after,
                 "A control frame may come between the fragments of a message: it is "
                 "a frame of its own, not a piece of the message. " S6_HINT);
    expect_line(raw, "guest1: before after", after, S6_HINT);

    send_frame(ws, web, 1, OP_PONG, "unasked", 7);
    chat_say(raw, "still here\n");
    expect_text(ws, web, "guest2: still here",
                "guest1 sent an unasked PONG (it needs no answer), then guest2 sent "
                "\"still here\\n\"",
                S6_HINT);

    send_frame(ws, web, 1, OP_CLOSE,
               "\x03\xe8"
               "bye",
               5);
    expect_close(ws, web, 1000, "guest1 sent CLOSE with code 1000 and reason \"bye\"",
                 "Echo the code, then close the connection. " S6_HINT);
    expect_line(raw, "* guest1 left", "guest1 sent CLOSE 1000",
                "A member that closes leaves the room. " S6_HINT);

    const char *web3 = "guest3 (WebSocket)";
    struct wsclient *ws3 = join_ws(web3, WELCOME(3));
    send_frame(ws3, web3, 1, OP_CLOSE, "", 0);
    expect_close(ws3, web3, 1000, "guest3 sent CLOSE with no payload (no code)",
                 "A CLOSE without a code is answered with 1000. " S6_HINT);
    stop();
}
END_TEST

/* ---- 5.s7: close codes ------------------------------------------------------------- */

#define S7_HINT                                                                          \
    "Read " BOOK ", \"Frames and masking\" and \"The close handshake\": which rule "     \
    "each frame breaks, and its close code"

struct bad_frame {
    const char *what; /* "an unmasked TEXT frame" */
    int code;
    struct wsc_frame frame;
};

START_TEST(closes_with_the_right_code)
{
    static const char ping126[126] = {0};
    const struct bad_frame cases[] = {
        {"an unmasked TEXT frame \"x\" (clients must mask)",
         1002,
         {.fin = 1, .opcode = OP_TEXT, .payload = "x", .length = 1}},
        {"a TEXT frame with RSV1 set (no extension was agreed)",
         1002,
         {.fin = 1,
          .rsv = 4,
          .opcode = OP_TEXT,
          .masked = 1,
          .payload = "x",
          .length = 1}},
        {"a frame with the reserved opcode 3",
         1002,
         {.fin = 1, .opcode = 3, .masked = 1, .payload = "x", .length = 1}},
        {"a CONTINUATION frame with no message open",
         1002,
         {.fin = 1, .opcode = OP_CONT, .masked = 1, .payload = "x", .length = 1}},
        {"a PING of 126 bytes (control frames carry at most 125)",
         1002,
         {.fin = 1, .opcode = OP_PING, .masked = 1, .payload = ping126, .length = 126}},
        {"a CLOSE whose payload is 1 byte (a code is 2)",
         1002,
         {.fin = 1, .opcode = OP_CLOSE, .masked = 1, .payload = "\x03", .length = 1}},
        {"a CLOSE with code 1005 (never sent on the wire)",
         1002,
         {.fin = 1, .opcode = OP_CLOSE, .masked = 1, .payload = "\x03\xed", .length = 2}},
        {"a CLOSE with code 5000 (no such code)",
         1002,
         {.fin = 1, .opcode = OP_CLOSE, .masked = 1, .payload = "\x13\x88", .length = 2}},
        {"a BINARY frame (the chat is text)",
         1003,
         {.fin = 1, .opcode = OP_BINARY, .masked = 1, .payload = "x", .length = 1}},
        {"a TEXT frame \"caf\\xe9\" (Latin-1, not UTF-8)",
         1007,
         {.fin = 1, .opcode = OP_TEXT, .masked = 1, .payload = "caf\xe9", .length = 4}},
        {"the header of a TEXT frame of 70,000 bytes (64-bit length), and no payload",
         1009,
         {.fin = 1,
          .opcode = OP_TEXT,
          .masked = 1,
          .claim_length = 1,
          .claimed_length = 70000,
          .form = WSC_LEN_64,
          .payload = "",
          .length = 0}},
    };
    start();
    char who[32], after[160];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(who, sizeof who, "guest%zu (WebSocket)", i + 1);
        char welcome[96];
        snprintf(welcome, sizeof welcome,
                 "* welcome to pushd, you are guest%zu; /help for commands", i + 1);
        struct wsclient *ws = join_ws(who, welcome);
        ck_assert(wsc_send(ws, &cases[i].frame) == 0);
        snprintf(after, sizeof after, "it sent %s", cases[i].what);
        expect_close(ws, who, cases[i].code, after, S7_HINT);
    }
    stop();
}
END_TEST

/* ---- 5.s8: a stalled WebSocket reader ---------------------------------------------- */

#define S8_HINT                                                                          \
    "Read " BOOK ", \"One loop for everything\": every member has a bounded output "     \
    "queue (64 KiB), on every transport, and one that overflows is dropped"

/* guest1: a WebSocket member that never reads, with a small receive buffer. */
static struct wsclient *stalled_member(void)
{
    const char *who = "guest1 (WebSocket, never reads)";
    struct wsclient *c = keep(calloc(1, sizeof *c));
    ck_assert(c != NULL);
    c->fd = chat_socket_small(server.port,
                              "guest1 (WebSocket, never reads) on the HTTP port");
    char request[1024], head[4096];
    upgrade_request(request, sizeof request, NULL);
    send_head(c, request, head, sizeof head, who);
    stage_expect_status(who, head, 101, S1_HINT);
    expect_text(c, who, WELCOME(1), "got 101", S3_HINT);
    return c;
}

START_TEST(drops_a_stalled_reader)
{
    start();
    struct chat_flood flood = {
        .stalled = "guest1 (a WebSocket)",
        .rule = "A member whose frames would pass 64 KiB waiting must be dropped",
        .hint = S8_HINT,
    };
    flood.stalled_fd = stalled_member()->fd;
    /* A small receive buffer, as chat_expect_stalled_dropped() asks. */
    flood.reader = chat_connect_small(&peers[0], server.port2, "guest2 (chat port)");
    expect_line(flood.reader, WELCOME(2), "connected to the chat port", S3_HINT);
    flood.writer = connect_peer(1, "guest3 (chat port)");
    expect_line(flood.reader, "* guest3 joined", "guest3 connected", S3_HINT);
    chat_expect_stalled_dropped(&flood);
    stop();
}
END_TEST

/* ---- 5.s9: the Origin check -------------------------------------------------------- */

#define S9_HINT                                                                          \
    "Read " BOOK ", \"The Origin check\": a page of another site must not open a "       \
    "socket with the visitor's cookies"

START_TEST(checks_the_origin)
{
    start();
    char origin[128], what[160], request[1024];
    snprintf(origin, sizeof origin, "Origin: http://127.0.0.1:%d\r\n", server.port);
    snprintf(what, sizeof what,
             "GET /ws from a page of the same site (Origin: "
             "http://127.0.0.1:%d, Host: 127.0.0.1:%d)",
             server.port, server.port);
    upgrade(what, origin);

    const char *origins[] = {"http://evil.example", "http://127.0.0.1:1", "null"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(origin, sizeof origin, "Origin: %s\r\n", origins[i]);
        snprintf(what, sizeof what, "GET /ws with Origin: %s (Host: 127.0.0.1:%d)",
                 origins[i], server.port);
        upgrade_request(request, sizeof request, origin);
        char head[4096];
        struct wsclient *c = connect_http(what);
        send_head(c, request, head, sizeof head, what);
        stage_expect_status(what, head, 403, S9_HINT);
    }
    stop();
}
END_TEST

void add_stages(Suite *suite)
{
    struct {
        const char *id;
        const TTest *test;
    } stages[] = {
        {"5.s1", answers_the_upgrade},        {"5.s2", refuses_bad_handshakes},
        {"5.s3", sends_room_lines_as_frames}, {"5.s4", reads_masked_frames},
        {"5.s5", reads_frames_in_pieces},     {"5.s6", answers_ping_and_close},
        {"5.s7", closes_with_the_right_code}, {"5.s8", drops_a_stalled_reader},
        {"5.s9", checks_the_origin},
    };
    for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++) {
        TCase *tc = stage_tcase(stages[i].id);
        tcase_add_test(tc, stages[i].test);
        suite_add_tcase(suite, tc);
    }
}
