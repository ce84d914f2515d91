/* webchat.c: chapter 5's client. Chapter 3's chat, over HTTP's three ways to push.
 *
 * What the browser page (www/chat.js) does, from a terminal, with every byte in
 * view (-v): join pushd's room, print every line of it, send what you type.
 *
 *   ./webchat http://127.0.0.1:8005/              a WebSocket (the default)
 *   ./webchat -t sse -n alice http://127.0.0.1:8005/
 *   ./webchat -t poll -v http://127.0.0.1:8005/   long polling, the wire on stderr
 *
 * The transports, and the connections each one keeps:
 *
 *   ws    one: GET /ws upgraded, then frames both ways. Our frames are masked, as a
 *         client's must be; the server's are parsed by websocket.c, the same parser
 *         pushd runs. Each line we send is one TEXT message.
 *   sse   POST /join for a session token, then GET /events?session=S, a response
 *         that never ends ("data: LINE" events), and POST /send?session=S with the
 *         lines typed, in a connection of its own while the stream runs.
 *   poll  POST /join, then GET /poll?session=S&since=N again and again (each answer
 *         a JSON batch of lines and the number to ask from next), and POST /send.
 *
 * Like chapter 3's chat, one select() loop waits on the keyboard and every socket
 * at once. Each plain HTTP request goes on a connection of its own ("Connection:
 * close"), the response ending with it: the simplest correct HTTP client, at the
 * price of a connect() per request (keep-alive is chapter 2's lesson, not this one's).
 *
 * stdin's end leaves the room: CLOSE 1000 on a WebSocket, "/quit" on a session; we
 * print what comes until the server ends the conversation. Exit status: 0 when the
 * server ends it, 1 when it cannot be reached or breaks the protocol, 2 for a bad
 * command line.
 */
#include "commands.h"
#include "websocket.h"

#include "base64.h"
#include "http.h"
#include "io.h"
#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#define PROGRAM_NAME    "webchat"
#define JOIN_TIMEOUT_MS 10000        /* the handshake or POST /join, at most */
#define TYPED_MAX       4096         /* stdin read at a time: one frame, one POST body */
#define RESPONSE_MAX    (512 * 1024) /* a poll's answer: 64 KiB of lines, escaped */
#define REQUEST_MAX     (TYPED_MAX + 1024)

enum transport { WS, SSE, POLL };

/* One plain HTTP request on a connection of its own; the response ends with it. */
struct exchange {
    int fd; /* -1: none under way */
    char out[REQUEST_MAX];
    size_t out_sent, out_length;
    char in[RESPONSE_MAX];
    size_t in_length;
    int head_done; /* sse: the stream's head is read; in[] holds event lines */
};

struct webchat {
    enum transport transport;
    int verbose;
    struct http_url url;
    int stdin_open;
    int leaving; /* stdin ended: CLOSE or /quit sent, or to send */
    /* What the user typed and we have not sent yet. */
    char typed[TYPED_MAX];
    size_t typed_length;
    /* ws */
    int ws_fd;
    struct ws_parser parser;
    unsigned char ws_in[16384];
    unsigned char ws_out[2 * (TYPED_MAX + WS_MAX_HEADER_BYTES) + 256];
    size_t ws_out_sent, ws_out_length;
    int random_fd;
    /* sse and poll */
    char session[64];
    unsigned long since;  /* poll: the number of the last line we have */
    struct exchange recv; /* the event stream, or the poll under way */
    struct exchange send; /* a POST /send under way */
    int ended;            /* the server ended the conversation */
};

static struct webchat chat; /* big buffers: not on the stack */

static void usage(FILE *out)
{
    fprintf(out,
            "usage: %s [-t ws|sse|poll] [-n NICK] [-v] URL\n"
            "  -t ws    a WebSocket, GET /ws (the default)\n"
            "  -t sse   server-sent events, GET /events, and POST /send\n"
            "  -t poll  long polling, GET /poll, and POST /send\n"
            "  -n NICK  send \"/nick NICK\" right after joining\n"
            "  -v       show frames and events on the wire on stderr\n"
            "  -h       show this help\n"
            "URL is pushd's HTTP address, such as http://127.0.0.1:8005/. Type lines to\n"
            "chat, /help for commands; end with /quit or Ctrl-D.\n",
            PROGRAM_NAME);
}

static void trace(const char *format, ...)
{
    if (!chat.verbose)
        return;
    va_list ap;
    va_start(ap, format);
    vfprintf(stderr, format, ap);
    va_end(ap);
}

/* ---- Small tools ------------------------------------------------------------------ */

/* length bytes from the system's random source. Returns 0 or -1. */
static int read_random(void *out, size_t length)
{
    size_t got = 0;
    while (got < length) {
        ssize_t n = read(chat.random_fd, (char *)out + got, length - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    return 0;
}

/* The value of header `name` in a response head (status line first), into out.
 * Returns 0, or -1 when it is absent. */
static int find_header(const char *head, const char *name, char *out, size_t size)
{
    const char *line = strstr(head, "\r\n");
    while (line != NULL && line[2] != '\r' && line[2] != '\0') {
        line += 2;
        size_t length = strcspn(line, "\r");
        char copy[1024];
        struct http_header h;
        snprintf(copy, sizeof copy, "%.*s", (int)length, line);
        if (http_parse_header_line(copy, &h) == 0 && strcasecmp(h.name, name) == 0) {
            snprintf(out, size, "%s", h.value);
            return 0;
        }
        line = strstr(line, "\r\n");
    }
    return -1;
}

/* Print one room line on stdout, with its LF. */
static int print_line(const void *text, size_t length)
{
    if (io_write_all(STDOUT_FILENO, text, length, -1) < 0 ||
        io_write_all(STDOUT_FILENO, "\n", 1, -1) < 0)
        return -1;
    return 0;
}

static int connect_to_server(void)
{
    char why[256];
    int fd = net_connect(chat.url.host, chat.url.port, why, sizeof why);
    if (fd < 0) {
        int saved = errno; /* the caller may want to know why */
        fprintf(stderr, "%s: %s\n", PROGRAM_NAME, why);
        errno = saved;
        return -1;
    }
    if (fd >= FD_SETSIZE) {
        fprintf(stderr, "%s: too many descriptors\n", PROGRAM_NAME);
        close(fd);
        return -1;
    }
    return fd;
}

/* The Host header's value: "host:port", with brackets around an IPv6 address. */
static void host_header(char *out, size_t size)
{
    int v6 = strchr(chat.url.host, ':') != NULL;
    snprintf(out, size, "%s%s%s:%s", v6 ? "[" : "", chat.url.host, v6 ? "]" : "",
             chat.url.port);
}

/* ---- Typed lines ----------------------------------------------------------------------
 */

/* How many of the typed bytes are whole lines (or all of them, once stdin ended). */
static size_t typed_ready(void)
{
    if (!chat.stdin_open)
        return chat.typed_length;
    for (size_t i = chat.typed_length; i > 0; i--)
        if (chat.typed[i - 1] == '\n')
            return i;
    /* No LF in a full buffer: a line longer than we hold goes as it is, and the
     * server judges it (its limit is 1024 bytes). */
    return chat.typed_length == sizeof chat.typed ? chat.typed_length : 0;
}

static void typed_consume(size_t n)
{
    memmove(chat.typed, chat.typed + n, chat.typed_length - n);
    chat.typed_length -= n;
}

/* Read what stdin has. Returns 0, or -1 on an error. */
static int from_user(void)
{
    ssize_t n = read(STDIN_FILENO, chat.typed + chat.typed_length,
                     sizeof chat.typed - chat.typed_length);
    if (n < 0)
        return errno == EINTR || errno == EAGAIN ? 0 : -1;
    if (n == 0)
        chat.stdin_open = 0;
    chat.typed_length += (size_t)n;
    return 0;
}

/* ---- WebSocket
 * -------------------------------------------------------------------------- */

static const char *opcode_name(int opcode)
{
    switch (opcode) {
    case WS_OP_TEXT:
        return "TEXT";
    case WS_OP_CLOSE:
        return "CLOSE";
    case WS_OP_PING:
        return "PING";
    case WS_OP_PONG:
        return "PONG";
    default:
        return "?";
    }
}

/* Queue one frame, masked with a fresh random key (§5.3: a client masks every
 * frame, and the key must not be predictable). Returns 0, or -1 if it does not fit. */
static int ws_queue_frame(int opcode, const void *payload, size_t length)
{
    unsigned char mask[4];
    if (read_random(mask, sizeof mask) < 0)
        return -1;
    if (chat.ws_out_length + WS_MAX_HEADER_BYTES + length > sizeof chat.ws_out)
        return -1;
    unsigned char *at = chat.ws_out + chat.ws_out_length;
    size_t header = ws_frame_header(at, 1, opcode, length, mask);
    memcpy(at + header, payload, length);
    ws_mask(at + header, length, mask, 0);
    chat.ws_out_length += header + length;
    trace(">>> %s %zu bytes%s%.*s\n", opcode_name(opcode), length,
          opcode == WS_OP_TEXT ? ": " : "", opcode == WS_OP_TEXT ? (int)length : 0,
          (const char *)payload);
    return 0;
}

static int ws_queue_close(int code)
{
    unsigned char payload[2] = {(unsigned char)(code >> 8), (unsigned char)code};
    trace(">>> CLOSE %d\n", code);
    int verbose = chat.verbose;
    chat.verbose = 0; /* said above, with its code */
    int rc = ws_queue_frame(WS_OP_CLOSE, payload, sizeof payload);
    chat.verbose = verbose;
    return rc;
}

/* The upgrade: GET /ws with a random key; the 101 must carry the accept value that
 * proves the server read it. Returns 0, or -1 (said why). */
static int ws_handshake(void)
{
    unsigned char nonce[16];
    char key[32], accept[WS_ACCEPT_SIZE], request[1024], host[300];
    if (read_random(nonce, sizeof nonce) < 0 ||
        base64_encode(nonce, sizeof nonce, key, sizeof key) < 0 ||
        ws_accept_key(key, accept) < 0)
        return -1;
    host_header(host, sizeof host);
    int n = snprintf(request, sizeof request,
                     "GET /ws HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n",
                     host, key);
    trace("%s", request);
    if (io_write_all(chat.ws_fd, request, (size_t)n, JOIN_TIMEOUT_MS) < 0)
        return -1;
    /* Read the head byte by byte: what follows it is frames, for the parser. */
    char head[4096] = "";
    size_t length = 0;
    while (length < 4 || memcmp(head + length - 4, "\r\n\r\n", 4) != 0) {
        if (length == sizeof head - 1 || io_wait(chat.ws_fd, 0, JOIN_TIMEOUT_MS) <= 0 ||
            read(chat.ws_fd, head + length, 1) != 1) {
            fprintf(stderr, "%s: no answer to the WebSocket handshake\n", PROGRAM_NAME);
            return -1;
        }
        length++;
    }
    head[length] = '\0';
    trace("%s", head);
    char got[64];
    if (http_parse_status_line(head, strcspn(head, "\r")) != 101 ||
        find_header(head, "Sec-WebSocket-Accept", got, sizeof got) < 0 ||
        strcmp(got, accept) != 0) {
        fprintf(stderr, "%s: the server refused the WebSocket: %.*s\n", PROGRAM_NAME,
                (int)strcspn(head, "\r"), head);
        return -1;
    }
    return 0;
}

/* Send what the socket takes now. Returns 0 or -1. */
static int ws_flush(void)
{
    while (chat.ws_out_sent < chat.ws_out_length) {
        ssize_t n = write(chat.ws_fd, chat.ws_out + chat.ws_out_sent,
                          chat.ws_out_length - chat.ws_out_sent);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (n < 0)
            return -1;
        chat.ws_out_sent += (size_t)n;
    }
    chat.ws_out_sent = chat.ws_out_length = 0;
    return 0;
}

/* Frames from the server: print TEXT, answer PING, echo CLOSE. Returns 1 to go on,
 * 0 when the conversation is over, -1 on an error. */
static int ws_from_server(void)
{
    ssize_t n = read(chat.ws_fd, chat.ws_in, sizeof chat.ws_in);
    if (n < 0)
        return errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK ? 1 : -1;
    if (n == 0) {
        trace("<<< (the connection closed)\n");
        return 0;
    }
    /* The parser hands out a message in pieces as they come: we print the pieces,
     * and the LF when the message ends. Called again with what is left, and with
     * nothing, until it needs more (a message may end without a byte more). */
    unsigned char *at = chat.ws_in;
    size_t left = (size_t)n;
    for (;;) {
        struct ws_event ev;
        size_t used = ws_parse(&chat.parser, at, left, &ev);
        at += used;
        left -= used;
        switch (ev.type) {
        case WS_NEED_MORE:
            return 1;
        case WS_TEXT_DATA:
            trace("<<< TEXT %zu bytes: %.*s\n", ev.length, (int)ev.length,
                  (const char *)ev.data);
            if (io_write_all(STDOUT_FILENO, ev.data, ev.length, -1) < 0)
                return -1;
            break;
        case WS_MESSAGE_END:
            if (io_write_all(STDOUT_FILENO, "\n", 1, -1) < 0)
                return -1;
            break;
        case WS_PING:
            trace("<<< PING %zu bytes\n", ev.length);
            if (ws_queue_frame(WS_OP_PONG, ev.data, ev.length) < 0)
                return -1;
            break;
        case WS_PONG:
            trace("<<< PONG %zu bytes\n", ev.length);
            break;
        case WS_CLOSE:
            trace("<<< CLOSE %d\n", ev.code);
            /* Echo it (§5.5.1), unless it answers ours; then the server hangs up. */
            if (!chat.leaving &&
                ws_queue_close(ev.code == WS_CLOSE_NO_STATUS ? WS_CLOSE_NORMAL
                                                             : ev.code) < 0)
                return -1;
            chat.leaving = 1;
            chat.ended = 1;
            return 1;
        case WS_FAIL:
            fprintf(stderr, "%s: the server broke the WebSocket protocol (%d)\n",
                    PROGRAM_NAME, ev.code);
            if (ws_queue_close(ev.code) == 0)
                ws_flush(); /* our last word, if the socket takes it now */
            errno = 0;
            return -1;
        }
    }
}

/* Typed lines become TEXT messages, one per line (without its LF: the end of a
 * message ends the line). stdin's end becomes CLOSE 1000: we leave. */
static int ws_send_typed(void)
{
    size_t ready = typed_ready();
    size_t start = 0;
    for (size_t i = 0; i < ready; i++) {
        if (chat.typed[i] == '\n' || i + 1 == ready) {
            size_t end = chat.typed[i] == '\n' ? i : i + 1;
            if (end > start &&
                ws_queue_frame(WS_OP_TEXT, chat.typed + start, end - start) < 0)
                return -1;
            start = i + 1;
        }
    }
    typed_consume(ready);
    if (!chat.stdin_open && !chat.leaving) {
        chat.leaving = 1;
        return ws_queue_close(WS_CLOSE_NORMAL);
    }
    return 0;
}

static int ws_join(void)
{
    chat.ws_fd = connect_to_server();
    if (chat.ws_fd < 0 || ws_handshake() < 0 || net_set_nonblocking(chat.ws_fd, 1) < 0)
        return -1;
    ws_parser_init(&chat.parser, 0); /* a server's frames come unmasked */
    return 0;
}

/* ---- Plain HTTP: one request, one connection ------------------------------------------
 */

/* Start a request (its head, and body if any) on a new connection. Returns 0 or -1. */
static int exchange_start(struct exchange *x, const char *method, const char *target,
                          const char *body, size_t body_length)
{
    char host[300];
    host_header(host, sizeof host);
    int n = snprintf(x->out, sizeof x->out,
                     "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", method,
                     target, host);
    if (body != NULL)
        n +=
            snprintf(x->out + n, sizeof x->out - (size_t)n,
                     "Content-Type: text/plain; charset=utf-8\r\nContent-Length: %zu\r\n",
                     body_length);
    n += snprintf(x->out + n, sizeof x->out - (size_t)n, "\r\n");
    if ((size_t)n + body_length >= sizeof x->out)
        return -1;
    if (body_length > 0)
        memcpy(x->out + n, body, body_length);
    x->out_length = (size_t)n + body_length;
    x->out_sent = 0;
    x->in_length = 0;
    x->head_done = 0;
    trace(">>> %s %s%s%.*s\n", method, target, body_length > 0 ? "\n" : "",
          (int)body_length, body != NULL ? body : "");
    x->fd = connect_to_server();
    if (x->fd < 0 || net_set_nonblocking(x->fd, 1) < 0)
        return -1;
    return 0;
}

static void exchange_close(struct exchange *x)
{
    if (x->fd >= 0)
        close(x->fd);
    x->fd = -1;
}

/* Send what is left of the request. Returns 0 or -1. */
static int exchange_flush(struct exchange *x)
{
    while (x->fd >= 0 && x->out_sent < x->out_length) {
        ssize_t n = write(x->fd, x->out + x->out_sent, x->out_length - x->out_sent);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (n < 0)
            return -1;
        x->out_sent += (size_t)n;
    }
    return 0;
}

/* Read what has come. Returns 1 while the response goes on, 0 when the server has
 * closed (the response is complete: in[], NUL-terminated), -1 on an error. */
static int exchange_read(struct exchange *x)
{
    if (x->in_length == sizeof x->in - 1)
        return -1;
    ssize_t n = read(x->fd, x->in + x->in_length, sizeof x->in - 1 - x->in_length);
    if (n < 0)
        return errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK ? 1 : -1;
    x->in_length += (size_t)n;
    x->in[x->in_length] = '\0';
    return n == 0 ? 0 : 1;
}

/* A complete response: its status, and where its body starts. */
static int response_status_and_body(struct exchange *x, const char **body)
{
    char *end = strstr(x->in, "\r\n\r\n");
    int status = http_parse_status_line(x->in, strcspn(x->in, "\r"));
    *body = end != NULL ? end + 4 : "";
    trace("<<< %.*s\n%s%s", (int)strcspn(x->in, "\r"), x->in, *body,
          **body != '\0' ? "\n" : "");
    return end != NULL ? status : -1;
}

/* The string value of "name" in a flat JSON object (our own server's), copied
 * without decoding (a session token and a nick need none). Returns 0 or -1. */
static int json_field(const char *json, const char *name, char *out, size_t size)
{
    char key[64];
    snprintf(key, sizeof key, "\"%s\":\"", name);
    const char *at = strstr(json, key);
    if (at == NULL)
        return -1;
    at += strlen(key);
    size_t length = strcspn(at, "\"");
    if (at[length] != '"' || length >= size)
        return -1;
    snprintf(out, size, "%.*s", (int)length, at);
    return 0;
}

/* POST /join, to the end (before the loop starts). Returns 0 or -1. */
static int session_join(void)
{
    struct exchange *x = &chat.recv;
    if (exchange_start(x, "POST", "/join", "", 0) < 0)
        return -1;
    int rc;
    do {
        if (exchange_flush(x) < 0 || io_wait(x->fd, 0, JOIN_TIMEOUT_MS) <= 0)
            rc = -1;
        else
            rc = exchange_read(x);
    } while (rc == 1);
    exchange_close(x);
    const char *body;
    int status = rc == 0 ? response_status_and_body(x, &body) : -1;
    char nick[64];
    if (status != 200 ||
        json_field(body, "session", chat.session, sizeof chat.session) < 0 ||
        json_field(body, "nick", nick, sizeof nick) < 0) {
        fprintf(stderr, "%s: POST /join failed%s\n", PROGRAM_NAME,
                status == 503 ? ": the server is full" : "");
        return -1;
    }
    return 0;
}

/* The next request that brings lines: the event stream, or the next poll. */
static int session_listen(void)
{
    char target[256];
    if (chat.transport == SSE)
        snprintf(target, sizeof target, "/events?session=%s", chat.session);
    else
        snprintf(target, sizeof target, "/poll?session=%s&since=%lu", chat.session,
                 chat.since);
    return exchange_start(&chat.recv, "GET", target, NULL, 0);
}

/* Typed lines go out in one POST /send, one at a time (two in flight could arrive
 * in either order); stdin's end sends "/quit": we leave. */
static int session_send_typed(void)
{
    if (chat.send.fd >= 0 || chat.leaving)
        return 0;
    size_t ready = typed_ready();
    char body[TYPED_MAX + 8];
    size_t length = ready;
    memcpy(body, chat.typed, ready);
    if (length > 0 && body[length - 1] != '\n')
        body[length++] = '\n'; /* the end of stdin ends its last line */
    /* After the last of stdin, "/quit" (in the next POST if this one is full). */
    if (!chat.stdin_open && ready == chat.typed_length && length + 7 <= sizeof body) {
        memcpy(body + length, "/quit\n", 7); /* its NUL too, though not sent */
        length += 6;
        chat.leaving = 1;
    }
    if (length == 0)
        return 0;
    typed_consume(ready);
    char target[256];
    snprintf(target, sizeof target, "/send?session=%s", chat.session);
    return exchange_start(&chat.send, "POST", target, body, length);
}

/* POST /send answered. Returns 1 to go on, 0 when the session is gone, -1. */
static int session_sent(void)
{
    const char *body;
    int status = response_status_and_body(&chat.send, &body);
    exchange_close(&chat.send);
    if (status == 404)
        return 0;
    if (status != 204)
        fprintf(stderr, "%s: POST /send got %d\n", PROGRAM_NAME, status);
    return 1;
}

/* A code point as UTF-8 into out (4 bytes). Returns its length. A lone surrogate,
 * which has no UTF-8 form, becomes U+FFFD. */
static size_t utf8_encode(unsigned long code, char *out)
{
    if (code >= 0xd800 && code < 0xe000)
        code = 0xfffd;
    if (code < 0x80) {
        out[0] = (char)code;
        return 1;
    }
    if (code < 0x800) {
        out[0] = (char)(0xc0 | code >> 6);
        out[1] = (char)(0x80 | (code & 0x3f));
        return 2;
    }
    if (code < 0x10000) {
        out[0] = (char)(0xe0 | code >> 12);
        out[1] = (char)(0x80 | (code >> 6 & 0x3f));
        out[2] = (char)(0x80 | (code & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | code >> 18);
    out[1] = (char)(0x80 | (code >> 12 & 0x3f));
    out[2] = (char)(0x80 | (code >> 6 & 0x3f));
    out[3] = (char)(0x80 | (code & 0x3f));
    return 4;
}

/* One JSON string (after its opening quote) decoded into UTF-8 at out: the escapes
 * of RFC 8259 §7, \uXXXX with surrogate pairs. Returns the end (after the closing
 * quote), or NULL if it is malformed. out must hold as many bytes as the input. */
static const char *json_string(const char *at, char *out, size_t *length)
{
    size_t n = 0;
    for (; *at != '"'; at++) {
        if (*at == '\0')
            return NULL;
        if (*at != '\\') {
            out[n++] = *at;
            continue;
        }
        at++;
        const char *simple = strchr("\"\\/bfnrt", *at);
        if (*at != '\0' && simple != NULL) {
            out[n++] = "\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"];
            continue;
        }
        unsigned long code;
        char hex[5] = {0};
        if (*at != 'u' || strlen(at) < 5)
            return NULL;
        memcpy(hex, at + 1, 4);
        code = strtoul(hex, NULL, 16);
        at += 4;
        if (code >= 0xd800 && code < 0xdc00 && strncmp(at + 1, "\\u", 2) == 0) {
            memcpy(hex, at + 3, 4);
            unsigned long low = strtoul(hex, NULL, 16);
            if (low >= 0xdc00 && low < 0xe000) {
                code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
                at += 6;
            }
        }
        n += utf8_encode(code, out + n);
    }
    *length = n;
    return at + 1;
}

/* A poll's answer, {"next":M,"lines":["...",...],"gap":false}: print the lines,
 * remember M. Returns 0, or -1 if it is not such an answer. */
static int poll_answer(const char *body)
{
    const char *next = strstr(body, "\"next\":");
    const char *at = strstr(body, "\"lines\":[");
    if (next == NULL || at == NULL)
        return -1;
    chat.since = strtoul(next + strlen("\"next\":"), NULL, 10);
    if (strstr(body, "\"gap\":true") != NULL)
        fprintf(stderr, "%s: some lines were missed\n", PROGRAM_NAME);
    at += strlen("\"lines\":[");
    static char line[RESPONSE_MAX];
    while (*at == '"') {
        size_t length;
        at = json_string(at + 1, line, &length);
        if (at == NULL || print_line(line, length) < 0)
            return -1;
        if (*at == ',')
            at++;
    }
    return *at == ']' ? 0 : -1;
}

/* The poll is answered (the server closed): print it and ask again. Returns 1 to
 * go on, 0 when the session is gone, -1 on an error. */
static int poll_done(void)
{
    const char *body;
    int status = response_status_and_body(&chat.recv, &body);
    exchange_close(&chat.recv);
    if (status == 404 || (status < 0 && chat.recv.in_length == 0))
        return 0; /* the session ended, or the server did */
    if (status != 200 || poll_answer(body) < 0) {
        fprintf(stderr, "%s: GET /poll got %d\n", PROGRAM_NAME, status);
        return -1;
    }
    return session_listen() < 0 ? -1 : 1;
}

/* Lines of the event stream: "data: LINE" is a room line; "event: gap" says some
 * were missed; "id:", "retry:" and ": comments" need nothing from us. */
static int sse_lines(struct exchange *x)
{
    char *start = x->in;
    if (!x->head_done) {
        char *end = strstr(x->in, "\r\n\r\n");
        if (end == NULL)
            return 1;
        int status = http_parse_status_line(x->in, strcspn(x->in, "\r"));
        trace("<<< %.*s\n", (int)strcspn(x->in, "\r"), x->in);
        if (status == 404)
            return 0;
        if (status != 200) {
            fprintf(stderr, "%s: GET /events got %d\n", PROGRAM_NAME, status);
            return -1;
        }
        x->head_done = 1;
        start = end + 4;
    }
    char *lf;
    while ((lf = memchr(start, '\n', x->in_length - (size_t)(start - x->in))) != NULL) {
        size_t length = (size_t)(lf - start);
        if (length > 0 && start[length - 1] == '\r')
            length--;
        trace("<<< %.*s\n", (int)length, start);
        if (length >= 6 && strncmp(start, "data: ", 6) == 0 &&
            print_line(start + 6, length - 6) < 0)
            return -1;
        if (length == 10 && strncmp(start, "event: gap", 10) == 0)
            fprintf(stderr, "%s: some lines were missed\n", PROGRAM_NAME);
        start = lf + 1;
    }
    x->in_length -= (size_t)(start - x->in);
    memmove(x->in, start, x->in_length);
    x->in[x->in_length] = '\0';
    return 1;
}

/* ---- The loop -------------------------------------------------------------------------
 */

static void watch(int fd, fd_set *set, int *max_fd)
{
    if (fd < 0)
        return;
    FD_SET(fd, set);
    if (fd > *max_fd)
        *max_fd = fd;
}

/* Read stdin only while nothing typed waits to go: a fast pipe cannot outrun us. */
static int want_stdin(void)
{
    if (!chat.stdin_open || chat.leaving)
        return 0;
    if (chat.transport == WS)
        return chat.ws_out_length == 0;
    return chat.send.fd < 0 && typed_ready() == 0;
}

/* One turn for the WebSocket. Returns 1 to go on, 0 at the end, -1 on an error. */
static int ws_turn(const fd_set *readable)
{
    if (FD_ISSET(chat.ws_fd, readable)) {
        int rc = ws_from_server();
        if (rc <= 0)
            return rc;
    }
    if (ws_send_typed() < 0 || ws_flush() < 0)
        return -1;
    return 1;
}

/* One turn for a session. Returns 1 to go on, 0 at the end, -1 on an error. */
static int session_turn(const fd_set *readable)
{
    int rc = 1;
    if (chat.recv.fd >= 0 && FD_ISSET(chat.recv.fd, readable)) {
        rc = exchange_read(&chat.recv);
        if (chat.transport == SSE) {
            int lines = sse_lines(&chat.recv);
            if (rc == 0 || lines <= 0) /* the stream ended: so did we */
                return lines < 0 ? -1 : rc;
        } else if (rc == 0) {
            rc = poll_done();
        }
        if (rc <= 0)
            return rc;
    }
    if (chat.send.fd >= 0 && FD_ISSET(chat.send.fd, readable)) {
        rc = exchange_read(&chat.send);
        if (rc == 0)
            rc = session_sent();
        if (rc <= 0)
            return rc;
    }
    if (session_send_typed() < 0 || exchange_flush(&chat.recv) < 0 ||
        exchange_flush(&chat.send) < 0)
        return -1;
    return 1;
}

/* A request refused or reset before a byte of its answer came: with a connection
 * per request, that is how a client learns that the server has gone. Returns 0
 * then (the server ended the conversation), else rc. */
static int session_gone(int rc)
{
    int unanswered = chat.recv.in_length == 0 && !chat.recv.head_done;
    if (rc < 0 && (errno == ECONNREFUSED || errno == ECONNRESET || errno == EPIPE) &&
        unanswered) {
        fprintf(stderr, "%s: the server has gone\n", PROGRAM_NAME);
        return 0;
    }
    return rc;
}

static int converse(void)
{
    for (;;) {
        if (chat.transport == WS && chat.ended && chat.ws_out_length == 0)
            return 0; /* our echo of the server's CLOSE went out */
        fd_set readable, writable;
        FD_ZERO(&readable);
        FD_ZERO(&writable);
        int max_fd = -1;
        if (want_stdin())
            watch(STDIN_FILENO, &readable, &max_fd);
        if (chat.transport == WS) {
            watch(chat.ws_fd, &readable, &max_fd);
            if (chat.ws_out_length > 0)
                watch(chat.ws_fd, &writable, &max_fd);
        } else {
            struct exchange *both[] = {&chat.recv, &chat.send};
            for (int i = 0; i < 2; i++) {
                watch(both[i]->fd, &readable, &max_fd);
                if (both[i]->out_sent < both[i]->out_length)
                    watch(both[i]->fd, &writable, &max_fd);
            }
        }
        if (select(max_fd + 1, &readable, &writable, NULL, NULL) < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (FD_ISSET(STDIN_FILENO, &readable) && from_user() < 0)
            return -1;
        int rc = chat.transport == WS ? ws_turn(&readable)
                                      : session_gone(session_turn(&readable));
        if (rc <= 0)
            return rc;
    }
}

/* Returns -1 to go on, or the exit status for main(). */
static int parse_options(int argc, char **argv, const char **nick)
{
    int opt;
    while ((opt = getopt(argc, argv, "t:n:vh")) != -1) {
        switch (opt) {
        case 't':
            if (strcmp(optarg, "ws") == 0)
                chat.transport = WS;
            else if (strcmp(optarg, "sse") == 0)
                chat.transport = SSE;
            else if (strcmp(optarg, "poll") == 0)
                chat.transport = POLL;
            else {
                fprintf(stderr, "%s: -t wants ws, sse or poll\n", PROGRAM_NAME);
                return 2;
            }
            break;
        case 'n':
            if (!nick_is_valid(optarg, strlen(optarg))) {
                fprintf(stderr, "%s: -n wants a nickname: 1-%d of A-Z a-z 0-9 _ -\n",
                        PROGRAM_NAME, NICK_MAX_BYTES);
                return 2;
            }
            *nick = optarg;
            break;
        case 'v':
            chat.verbose = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (argc - optind != 1 || http_parse_url(argv[optind], &chat.url) < 0) {
        if (argc - optind == 1)
            fprintf(stderr, "%s: URL wants http://HOST:PORT/\n", PROGRAM_NAME);
        else
            usage(stderr);
        return 2;
    }
    return -1;
}

int main(int argc, char **argv)
{
    const char *nick = NULL;
    chat.ws_fd = chat.recv.fd = chat.send.fd = -1;
    chat.stdin_open = 1;
    int rc = parse_options(argc, argv, &nick);
    if (rc >= 0)
        return rc;
    signal(SIGPIPE, SIG_IGN); /* a server that vanished: EPIPE, not death */
    chat.random_fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (chat.random_fd < 0) {
        fprintf(stderr, "%s: /dev/urandom: %s\n", PROGRAM_NAME, strerror(errno));
        return 1;
    }
    if (chat.transport == WS)
        rc = ws_join();
    else
        rc = session_join() < 0 || session_listen() < 0 ? -1 : 0;
    if (rc == 0 && nick != NULL) { /* the first thing we say */
        int n = snprintf(chat.typed, sizeof chat.typed, "/nick %s\n", nick);
        chat.typed_length = (size_t)n;
    }
    if (rc == 0)
        rc = converse();
    if (rc < 0 && errno != 0)
        fprintf(stderr, "%s: %s\n", PROGRAM_NAME, strerror(errno));
    return rc < 0 ? 1 : 0;
}
