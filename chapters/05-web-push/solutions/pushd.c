/* pushd.c: your own WebSocket chat server, chapter 5's homework (one way to write
 * it). One process, one thread, one select() loop over two listeners: the chat port
 * speaks chapter 3's line protocol, and the HTTP port turns `GET /ws` into a
 * WebSocket that joins the same room. A browser and `nc` then chat together.
 *
 * Written with the C library, your six exercises (the accept key, the frame header,
 * UTF-8) and what earlier chapters taught, from common/: parsing a request head
 * (http_parse_head), listening, Ctrl-C, flags and -v. It speaks the reference's
 * protocol for what the stages check: the upgrade and its refusals, room lines as
 * frames, frames in any pieces, PING and CLOSE, the close codes, the slow reader, the
 * Origin check. The reference's files, long polling, sessions, SSE, commands, pings
 * (-K) and timeouts (-t) are left out: a Tiny server, not the whole pushd.
 */
#include "http.h"
#include "io.h"
#include "log.h"
#include "net.h"
#include "options.h"
#include "sig.h"

#include "exercises.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#define PROGRAM_NAME        "pushd"
#define DEFAULT_ADDRESS     "127.0.0.1"
#define DEFAULT_HTTP_PORT   "8005"
#define DEFAULT_CHAT_PORT   "8004"
#define DEFAULT_MAX_MEMBERS 100
#define RESERVED_FDS        6 /* stdin, stdout, stderr, two listeners, one to refuse */
#define MAX_CONNS           (FD_SETSIZE - RESERVED_FDS)
#define LINE_MAX_BYTES      1024 /* chapter 3's limit, for every transport */
#define NICK_MAX_BYTES      16
#define OUTGOING_MAX        (NICK_MAX_BYTES + LINE_MAX_BYTES + 64)
#define QUEUE_CAPACITY      (64 * 1024) /* a client's unsent output; over it: dropped */
#define MAX_MESSAGE_BYTES   (64 * 1024) /* a message's fragments, summed; else 1009 */
#define MAX_CONTROL_PAYLOAD 125         /* RFC 6455 §5.5 */
#define MAX_FRAME_HEADER    14          /* 2 + 8 (the length) + 4 (the mask) */
/* A whole frame fits (the payload is judged from the header before we wait for it),
 * and so does a whole request head (http.h). */
#define INPUT_CAPACITY (MAX_FRAME_HEADER + MAX_MESSAGE_BYTES)
#define CLOSE_WAIT_MS  1000 /* after our last words, how long we wait for the peer's */

/* Opcodes (§5.2) and close codes (§7.4.1). */
#define OP_CONTINUATION    0x0
#define OP_TEXT            0x1
#define OP_BINARY          0x2
#define OP_CLOSE           0x8
#define OP_PING            0x9
#define OP_PONG            0xa
#define CLOSE_NORMAL       1000
#define CLOSE_GOING_AWAY   1001
#define CLOSE_PROTOCOL     1002
#define CLOSE_UNSUPPORTED  1003
#define CLOSE_INVALID_DATA 1007
#define CLOSE_TOO_BIG      1009

enum conn_kind { CONN_RAW, CONN_HTTP, CONN_WEBSOCKET };

/* OPEN; CLOSING: our last words wait in the queue; DRAINING: they are out, our FIN
 * is sent, we read until the peer's; GONE: close now. */
enum conn_state { CONN_OPEN, CONN_CLOSING, CONN_DRAINING, CONN_GONE };

struct conn {
    int fd;
    enum conn_kind kind;
    enum conn_state state;
    long long deadline_ms;         /* DRAINING: when we stop waiting */
    char nick[NICK_MAX_BYTES + 1]; /* "" until it joins the room, and once it left */
    /* Bytes read and not used yet: a request head, then frames. */
    size_t in_length;
    unsigned char in[INPUT_CAPACITY];
    /* Chat input being cut into lines (raw reads and TEXT messages alike). */
    int discarding;
    size_t line_length;
    char line[LINE_MAX_BYTES + 2];
    /* The TEXT message being read, across its fragments. */
    int message_open;
    size_t message_bytes;
    unsigned int utf8_state;
    /* What we said and it has not taken yet: out[out_start .. out_end-1]. */
    size_t out_start, out_end;
    unsigned char out[QUEUE_CAPACITY];
};

struct server {
    int http_fd, chat_fd, max_members, verbose;
    sigset_t wait_mask;
    unsigned long guests;
    int count;
    struct conn **conns;         /* in the order they came */
    struct http_request request; /* the head being judged (http.h) */
};

/* The pieces of the lesson, in the order of the stages (exercises.h). Not static:
 * in the skeleton most are not called yet, and it must compile without warnings. */
int check_handshake(const struct http_request *req, char accept[29]);    /* 5.s1 5.s2 */
void send_upgrade(struct server *s, struct conn *c, const char *accept); /* 5.s1 5.s3 */
int ws_send_frame(struct conn *c, int opcode, const void *payload,
                  size_t length);                   /* 5.s3 5.s8 */
void take_frames(struct server *s, struct conn *c); /* 5.s4 5.s5 */
void on_frame(struct server *s, struct conn *c, const struct ws_frame_header *h,
              const unsigned char *payload); /* 5.s4 5.s6 */
void on_text(struct server *s, struct conn *c, const struct ws_frame_header *h,
             const unsigned char *payload); /* 5.s4 5.s7 */
void ws_close(struct conn *c, int code);    /* 5.s6 5.s7 */
void on_close(struct conn *c, const unsigned char *payload, size_t length); /* 5.s6 */
int frame_error(const struct conn *c, const struct ws_frame_header *h);     /* 5.s7 */
int same_site(const char *origin, const char *host);                        /* 5.s9 */

/* ---- Output: every byte goes through a bounded queue (chapter 3) ------------------- */

static size_t queue_room(const struct conn *c)
{
    return QUEUE_CAPACITY - (c->out_end - c->out_start);
}

/* All or nothing: -1 when the bytes do not fit (the client stopped reading). */
static int queue_bytes(struct conn *c, const void *bytes, size_t length)
{
    if (length > queue_room(c))
        return -1;
    if (length > QUEUE_CAPACITY - c->out_end) {
        memmove(c->out, c->out + c->out_start, c->out_end - c->out_start);
        c->out_end -= c->out_start;
        c->out_start = 0;
    }
    memcpy(c->out + c->out_end, bytes, length);
    c->out_end += length;
    return 0;
}

/* Write what the kernel takes now, no more: the loop never waits for a client. */
static void flush_conn(struct server *s, struct conn *c)
{
    while (c->out_start < c->out_end) {
        ssize_t n = write(c->fd, c->out + c->out_start, c->out_end - c->out_start);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            c->state = CONN_GONE; /* EPIPE, ECONNRESET: it has gone */
            return;
        }
        if (s->verbose)
            log_wire(c->fd, LOG_SENT, c->out + c->out_start, (size_t)n);
        c->out_start += (size_t)n;
    }
    c->out_start = c->out_end = 0;
}

/* Our last words are queued: close once they are out (progress_closing). */
static void close_after_flush(struct conn *c)
{
    if (c->state == CONN_OPEN)
        c->state = CONN_CLOSING;
}

/* ---- WebSocket frames out ---------------------------------------------------------- */

/* One frame from the server: FIN set, never masked (§5.1), the length in 7, 16 or 64
 * bits. Queued whole or not at all: -1 when it does not fit. */
int ws_send_frame(struct conn *c, int opcode, const void *payload, size_t length)
{
    unsigned char header[10];
    size_t size = 2;
    header[0] = (unsigned char)(0x80 | opcode);
    if (length <= 125) {
        header[1] = (unsigned char)length;
    } else if (length <= 0xffff) {
        header[1] = 126;
        header[2] = (unsigned char)(length >> 8);
        header[3] = (unsigned char)length;
        size = 4;
    } else {
        header[1] = 127;
        for (int i = 0; i < 8; i++)
            header[2 + i] = (unsigned char)((unsigned long long)length >> (56 - 8 * i));
        size = 10;
    }
    if (queue_room(c) < size + length)
        return -1;
    queue_bytes(c, header, size);
    queue_bytes(c, payload, length);
    return 0;
}

/* Our CLOSE with its code (§5.5.1); after it we send nothing, and we hang up once it
 * is out and the client's answer (or CLOSE_WAIT_MS) has come. */
void ws_close(struct conn *c, int code)
{
    unsigned char payload[2] = {(unsigned char)(code >> 8), (unsigned char)code};
    if (c->state != CONN_OPEN)
        return;
    if (ws_send_frame(c, OP_CLOSE, payload, sizeof payload) < 0)
        c->state = CONN_GONE; /* its queue is full: it reads nothing anyway */
    close_after_flush(c);
}

/* A raw client may send any bytes, but a TEXT frame must be UTF-8 (a browser drops
 * the connection on one bad byte): every byte that does not start a valid character,
 * and every CR, becomes U+FFFD. out needs 3 * length bytes. */
static size_t make_valid_utf8(const char *in, size_t length, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < length;) {
        const unsigned char *b = (const unsigned char *)in + i;
        size_t size = b[0] < 0x80 ? 1 : b[0] >= 0xf0 ? 4 : b[0] >= 0xe0 ? 3 : 2;
        unsigned int state = 0;
        if (b[0] != '\r' &&
            (size == 1 || (size <= length - i && utf8_check(&state, b, size) == 0))) {
            memcpy(out + o, b, size);
            i += size;
        } else {
            size = 3;
            memcpy(out + o, "\xef\xbf\xbd", size);
            i++;
        }
        o += size;
    }
    return o;
}

/* ---- The room ---------------------------------------------------------------------- */

/* One room line (without its LF) to one member, on its own transport. If it does not
 * fit, the member stopped reading: drop it rather than hold memory or wait. */
static void deliver(struct conn *to, const char *line, size_t length)
{
    if (to->state != CONN_OPEN)
        return;
    int fits;
    if (to->kind == CONN_WEBSOCKET) {
        char clean[3 * OUTGOING_MAX];
        size_t n = make_valid_utf8(line, length, clean);
        fits = ws_send_frame(to, OP_TEXT, clean, n) == 0;
    } else {
        fits = queue_room(to) > length && queue_bytes(to, line, length) == 0 &&
               queue_bytes(to, "\n", 1) == 0;
    }
    if (!fits) {
        fprintf(stderr, "%s: dropping %s: %d KiB of output waiting, it stopped reading\n",
                PROGRAM_NAME, to->nick, QUEUE_CAPACITY / 1024);
        to->state = CONN_GONE;
    }
}

static int in_room(const struct conn *c)
{
    return c->state == CONN_OPEN && c->nick[0] != '\0';
}

static void deliver_to_others(struct server *s, const struct conn *from, const char *line,
                              size_t length)
{
    for (int i = 0; i < s->count; i++)
        if (s->conns[i] != from && in_room(s->conns[i]))
            deliver(s->conns[i], line, length);
}

/* prefix + bytes + suffix in out[OUTGOING_MAX]; returns the length. */
static size_t make_line(char *out, const char *prefix, const char *bytes, size_t length,
                        const char *suffix)
{
    size_t p = (size_t)snprintf(out, OUTGOING_MAX, "%s", prefix);
    size_t room = OUTGOING_MAX - p - strlen(suffix) - 1;
    if (length > room)
        length = room;
    memcpy(out + p, bytes, length);
    return p + length +
           (size_t)snprintf(out + p + length, OUTGOING_MAX - p - length, "%s", suffix);
}

static void send_text(struct conn *to, const char *text)
{
    deliver(to, text, strlen(text));
}

static void announce(struct server *s, const struct conn *except, const char *nick,
                     const char *what)
{
    char line[OUTGOING_MAX];
    deliver_to_others(s, except, line, make_line(line, "* ", nick, strlen(nick), what));
}

static int room_is_full(const struct server *s)
{
    int members = 0;
    for (int i = 0; i < s->count; i++)
        members += in_room(s->conns[i]);
    return members >= s->max_members;
}

static void join_room(struct server *s, struct conn *c)
{
    char welcome[OUTGOING_MAX];
    snprintf(c->nick, sizeof c->nick, "guest%lu", ++s->guests);
    snprintf(welcome, sizeof welcome,
             "* welcome to pushd, you are %s; /help for commands", c->nick);
    send_text(c, welcome);
    announce(s, c, c->nick, " joined");
}

/* A plain line goes to everyone else; commands are chapter 3's, left out here. */
static void handle_line(struct server *s, struct conn *c, const char *text, size_t length)
{
    char prefix[NICK_MAX_BYTES + 3], line[OUTGOING_MAX];
    if (length == 0)
        return; /* an empty line says nothing */
    snprintf(prefix, sizeof prefix, "%s: ", c->nick);
    deliver_to_others(s, c, line, make_line(line, prefix, text, length, ""));
}

/* ---- Chat input: lines cut from any stream (chapter 3) ----------------------------- */

static void end_line(struct server *s, struct conn *c)
{
    size_t length = c->line_length;
    if (length > 0 && c->line[length - 1] == '\r')
        length--;
    c->line_length = 0;
    handle_line(s, c, c->line, length);
}

/* Bytes of a raw client's stream or of a TEXT message: LF ends a line, a CR before it
 * is dropped, a line over LINE_MAX_BYTES gets one error and is thrown away up to its
 * LF. Byte by byte: lines may be split anywhere, and so may messages. */
static void chat_input(struct server *s, struct conn *c, const unsigned char *bytes,
                       size_t length)
{
    for (size_t i = 0; i < length && c->state == CONN_OPEN; i++) {
        char b = (char)bytes[i];
        if (b == '\n') {
            if (!c->discarding)
                end_line(s, c);
            c->discarding = 0;
        } else if (!c->discarding) {
            c->line[c->line_length++] = b;
            /* 1025 bytes are too long, unless the last is a CR an LF may follow. */
            if (c->line_length > LINE_MAX_BYTES + (b == '\r')) {
                send_text(c, "! line too long (max 1024 bytes)");
                c->discarding = 1;
                c->line_length = 0;
            }
        }
    }
}

/* The end of a message also ends its last line. (Not static, nor is
 * close_code_valid(): in the skeleton only your code calls them.) */
void chat_input_end(struct server *s, struct conn *c)
{
    if (!c->discarding && c->line_length > 0)
        end_line(s, c);
    c->discarding = 0;
    c->line_length = 0;
}

/* ---- The upgrade (RFC 6455 §4.2) --------------------------------------------------- */

/* Does the Origin "http://host:port" name the same host and port as Host
 * ("host:port"; 80 when absent)? Hosts compare ignoring case. "null" never does. */
int same_site(const char *origin, const char *host)
{
    const char *authority = strstr(origin, "://");
    if (authority == NULL || host == NULL)
        return 0;
    authority += 3;
    const char *o_colon = strrchr(authority, ':'), *h_colon = strrchr(host, ':');
    if (o_colon != NULL && strchr(o_colon, ']') != NULL)
        o_colon = NULL; /* "[::1]": the colons of an IPv6 address, and no port */
    if (h_colon != NULL && strchr(h_colon, ']') != NULL)
        h_colon = NULL;
    size_t o_length = o_colon ? (size_t)(o_colon - authority) : strlen(authority);
    size_t h_length = h_colon ? (size_t)(h_colon - host) : strlen(host);
    const char *o_port = o_colon ? o_colon + 1 : "80",
               *h_port = h_colon ? h_colon + 1 : "80";
    return o_length == h_length && strncasecmp(authority, host, o_length) == 0 &&
           strcmp(o_port, h_port) == 0;
}

/* 0 with accept filled for a good handshake, else the status to answer with. */
int check_handshake(const struct http_request *req, char accept[29])
{
    const struct http_request_line *line = &req->request_line;
    if (line->method == NULL || strcmp(line->method, "GET") != 0 || line->major != 1 ||
        line->minor < 1)
        return 400;
    if (http_header_count(req, "Host") != 1 ||
        !http_header_has_token(req, "Upgrade", "websocket") ||
        !http_header_has_token(req, "Connection", "upgrade"))
        return 400; /* a plain GET of /ws, or a proxy that dropped the headers */
    const char *version = http_header_value(req, "Sec-WebSocket-Version");
    if (version == NULL)
        return 400;
    if (strcmp(version, "13") != 0)
        return 426; /* §4.4: we answer with the version we speak */
    const char *key = http_header_value(req, "Sec-WebSocket-Key");
    if (key == NULL || websocket_accept(key, accept) != 0)
        return 400;
    /* §10.2: a page on another site must not open a socket with the visitor's
     * cookies. A client that is not a browser sends no Origin. */
    const char *origin = http_header_value(req, "Origin");
    if (origin != NULL && !same_site(origin, http_header_value(req, "Host")))
        return 403;
    return 0;
}

/* An answer with no body, after which we close. extra: more header lines, or NULL. */
static void send_status(struct conn *c, int status, const char *extra)
{
    char head[512];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nServer: %s\r\nContent-Length: 0\r\n"
                     "Connection: close\r\n%s\r\n",
                     status, http_status_text(status), PROGRAM_NAME, extra ? extra : "");
    queue_bytes(c, head, (size_t)n);
    close_after_flush(c);
}

void send_upgrade(struct server *s, struct conn *c, const char *accept)
{
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 101 Switching Protocols\r\n"
                     "Upgrade: websocket\r\n"
                     "Connection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: %s\r\n\r\n",
                     accept);
    queue_bytes(c, head, (size_t)n);
    c->kind = CONN_WEBSOCKET; /* from here on, frames both ways */
    join_room(s, c);
}

/* A whole head has come, with http_parse_head's verdict: GET /ws may become a
 * WebSocket; anything else gets its error, or 404 (this server has no files). */
static void answer_request(struct server *s, struct conn *c, int status)
{
    char path[16], accept[29];
    const struct http_request *req = &s->request;
    int routable = status == 0 || status == 405 || status == 501; /* POST /ws: 400 */
    if (!routable || http_target_path(req->request_line.target, path, sizeof path) != 0 ||
        strcmp(path, "/ws") != 0) {
        send_status(c, routable ? 404 : status, NULL);
        return;
    }
    status = check_handshake(req, accept);
    if (status == 0 && room_is_full(s))
        status = 503;
    if (status == 0)
        send_upgrade(s, c, accept);
    else
        send_status(c, status, status == 426 ? "Sec-WebSocket-Version: 13\r\n" : NULL);
}

/* After each read on the HTTP port: a whole head yet? */
static void http_input(struct server *s, struct conn *c)
{
    /* Parse what has come so far; a head always gets its verdict before the buffer
     * is full (HTTP_MAX_HEAD_BYTES). */
    http_request_init(&s->request);
    int status = http_parse_head(&s->request, (const char *)c->in, c->in_length);
    if (status == HTTP_HEAD_INCOMPLETE)
        return;
    size_t head = s->request.head_length;
    answer_request(s, c, status);
    /* What followed the head are the client's first frames: keep them. */
    memmove(c->in, c->in + head, c->in_length - head);
    c->in_length -= head;
    if (c->kind == CONN_WEBSOCKET)
        take_frames(s, c);
}

/* ---- WebSocket frames in (§5) ------------------------------------------------------ */

/* The codes a CLOSE may carry (§7.4): 1005, 1006 and 1015 are never sent. */
int close_code_valid(int code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
}

/* The rules a frame's header alone decides, before its payload is waited for:
 * 0, or the close code. */
int frame_error(const struct conn *c, const struct ws_frame_header *h)
{
    int control = h->opcode >= OP_CLOSE;
    if (!h->masked || h->rsv != 0)
        return CLOSE_PROTOCOL; /* clients mask (§5.1); no extension was agreed */
    if ((h->opcode > OP_BINARY && h->opcode < OP_CLOSE) || h->opcode > OP_PONG)
        return CLOSE_PROTOCOL; /* a reserved opcode */
    if (control && (!h->fin || h->payload_length > MAX_CONTROL_PAYLOAD))
        return CLOSE_PROTOCOL; /* §5.5: control frames are whole and small */
    if (h->opcode == OP_CONTINUATION && !c->message_open)
        return CLOSE_PROTOCOL; /* nothing to continue */
    if ((h->opcode == OP_TEXT || h->opcode == OP_BINARY) && c->message_open)
        return CLOSE_PROTOCOL; /* §5.4: messages do not interleave */
    if (h->opcode == OP_BINARY)
        return CLOSE_UNSUPPORTED; /* the chat is text */
    size_t before = h->opcode == OP_CONTINUATION ? c->message_bytes : 0;
    if (!control && h->payload_length > MAX_MESSAGE_BYTES - before)
        return CLOSE_TOO_BIG; /* judged from the header: nothing is read or kept */
    return 0;
}

/* A piece of a TEXT message (its first frame, or a continuation): chat input, once
 * the piece is known to be UTF-8 (a character may be cut between pieces). */
void on_text(struct server *s, struct conn *c, const struct ws_frame_header *h,
             const unsigned char *payload)
{
    size_t length = (size_t)h->payload_length;
    if (h->opcode == OP_TEXT) {
        c->message_open = 1;
        c->message_bytes = 0;
        c->utf8_state = 0;
    }
    c->message_bytes += length;
    int utf8 = utf8_check(&c->utf8_state, payload, length);
    if (utf8 < 0 || (h->fin && utf8 != 0)) {
        ws_close(c, CLOSE_INVALID_DATA);
        return;
    }
    chat_input(s, c, payload, length);
    if (h->fin) {
        c->message_open = 0;
        chat_input_end(s, c);
    }
}

/* A CLOSE from the client: nothing, or a 2-byte code and a UTF-8 reason. Echo its
 * code (1000 when it gave none); a bad one is itself a protocol error. */
void on_close(struct conn *c, const unsigned char *payload, size_t length)
{
    int code = length >= 2 ? payload[0] << 8 | payload[1] : CLOSE_NORMAL;
    unsigned int state = 0;
    if (length == 1 || !close_code_valid(code) ||
        (length > 2 && utf8_check(&state, payload + 2, length - 2) != 0))
        code = CLOSE_PROTOCOL;
    ws_close(c, code);
}

void on_frame(struct server *s, struct conn *c, const struct ws_frame_header *h,
              const unsigned char *payload)
{
    size_t length = (size_t)h->payload_length;
    if (h->opcode == OP_TEXT || h->opcode == OP_CONTINUATION)
        on_text(s, c, h, payload);
    else if (h->opcode == OP_PING && ws_send_frame(c, OP_PONG, payload, length) < 0)
        c->state = CONN_GONE; /* also between fragments: a frame of its own */
    else if (h->opcode == OP_CLOSE)
        on_close(c, payload, length);
    /* A PONG needs nothing. */
}

/* Every whole frame in c->in, in order; a frame cut short waits for the next read. */
void take_frames(struct server *s, struct conn *c)
{
    size_t at = 0;
    while (c->state == CONN_OPEN) {
        struct ws_frame_header h;
        int size = ws_frame_header(c->in + at, c->in_length - at, &h);
        if (size == 0)
            break; /* the header is not all here yet */
        int code = size < 0 ? CLOSE_TOO_BIG : frame_error(c, &h);
        if (code != 0) {
            ws_close(c, code);
            break;
        }
        if (c->in_length - at - (size_t)size < h.payload_length)
            break; /* the payload is not all here yet */
        unsigned char *payload = c->in + at + size;
        for (size_t i = 0; i < h.payload_length; i++)
            payload[i] ^= h.mask[i % 4];
        at += (size_t)size + (size_t)h.payload_length;
        on_frame(s, c, &h, payload);
    }
    memmove(c->in, c->in + at, c->in_length - at);
    c->in_length -= at;
}

/* ---- Accepting, closing, dropping -------------------------------------------------- */

static void accept_conn(struct server *s, int listen_fd, enum conn_kind kind)
{
    int fd = accept(listen_fd, NULL, NULL);
    if (fd < 0)
        return; /* EAGAIN, ECONNABORTED, EMFILE: that client is lost, not the server */
    struct conn *c = NULL;
    if (fd >= FD_SETSIZE || s->count == MAX_CONNS || net_set_nonblocking(fd, 1) < 0 ||
        (kind == CONN_RAW && room_is_full(s)) || (c = calloc(1, sizeof *c)) == NULL) {
        if (kind == CONN_RAW) { /* one try, no waiting; /ws says 503 (answer_request) */
            ssize_t ignored = write(fd, "! server full\n", 14);
            (void)ignored;
        }
        close(fd);
        return;
    }
    c->fd = fd;
    c->kind = kind;
    s->conns[s->count++] = c;
    if (kind == CONN_RAW)
        join_room(s, c); /* the server speaks first */
}

/* Our last words are out: send our FIN (shutdown), then read until the peer's, so
 * that bytes it still sends cannot turn those words into a reset. */
static void progress_closing(struct conn *c)
{
    if (c->state == CONN_CLOSING && c->out_start == c->out_end) {
        shutdown(c->fd, SHUT_WR);
        c->state = CONN_DRAINING;
        c->deadline_ms = io_now_ms() + CLOSE_WAIT_MS;
    }
    if (c->state == CONN_DRAINING && io_now_ms() >= c->deadline_ms)
        c->state = CONN_GONE;
}

/* Who left is announced; telling the others may drop another: start over. Then
 * the gone are closed and freed. */
static void drop_gone(struct server *s)
{
    for (int i = 0; i < s->count; i++) {
        struct conn *c = s->conns[i];
        if (c->state != CONN_OPEN && c->nick[0] != '\0') {
            char nick[sizeof c->nick];
            memcpy(nick, c->nick, sizeof nick);
            c->nick[0] = '\0';
            announce(s, c, nick, " left");
            i = -1;
        }
    }
    int kept = 0;
    for (int i = 0; i < s->count; i++) {
        struct conn *c = s->conns[i];
        if (c->state == CONN_GONE) {
            close(c->fd);
            free(c);
        } else {
            s->conns[kept++] = c;
        }
    }
    s->count = kept;
}

/* ---- The loop ---------------------------------------------------------------------- */

/* One read() on a readable connection: the bytes got, or 0 when there are none after
 * all (EINTR, EAGAIN). At the end of the stream, or on an error (a reset), c is
 * gone: a partial line or frame is dropped, and a WebSocket that hangs up without a
 * CLOSE leaves like a raw client. */
static size_t read_some(struct server *s, struct conn *c, unsigned char *into,
                        size_t size)
{
    ssize_t n = read(c->fd, into, size);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return 0;
    if (n <= 0) {
        c->state = CONN_GONE;
        return 0;
    }
    if (s->verbose)
        log_wire(c->fd, LOG_RECEIVED, into, (size_t)n);
    return (size_t)n;
}

static void read_conn(struct server *s, struct conn *c)
{
    unsigned char bytes[4096];
    if (c->state == CONN_DRAINING) {
        read_some(s, c, bytes, sizeof bytes); /* thrown away, until the peer's FIN */
    } else if (c->state == CONN_OPEN && c->kind == CONN_RAW) {
        size_t n = read_some(s, c, bytes, sizeof bytes);
        chat_input(s, c, bytes, n); /* raw input is lines at once */
    } else if (c->state == CONN_OPEN) {
        /* A request head or frames: they may come in pieces, so they wait in c->in
         * (there is always room: see INPUT_CAPACITY). */
        size_t n = read_some(s, c, c->in + c->in_length, sizeof c->in - c->in_length);
        c->in_length += n;
        if (n > 0 && c->kind == CONN_HTTP)
            http_input(s, c);
        else if (n > 0)
            take_frames(s, c);
    }
}

static int main_loop(struct server *s)
{
    while (!sig_stop_requested) {
        fd_set readable, writable;
        FD_ZERO(&readable);
        FD_ZERO(&writable);
        FD_SET(s->http_fd, &readable);
        FD_SET(s->chat_fd, &readable);
        int max_fd = s->http_fd > s->chat_fd ? s->http_fd : s->chat_fd;
        int draining = 0;
        for (int i = 0; i < s->count; i++) {
            struct conn *c = s->conns[i];
            if (c->state == CONN_OPEN || c->state == CONN_DRAINING)
                FD_SET(c->fd, &readable);
            if (c->out_start < c->out_end)
                FD_SET(c->fd, &writable);
            draining |= c->state == CONN_DRAINING;
            max_fd = c->fd > max_fd ? c->fd : max_fd;
        }
        /* A draining connection has a deadline: wake up now and then to check it. */
        struct timespec tick = {0, 100 * 1000 * 1000};
        int ready = pselect(max_fd + 1, &readable, &writable, NULL,
                            draining ? &tick : NULL, &s->wait_mask);
        if (ready < 0 && errno != EINTR)
            return -1;
        if (ready > 0) {
            for (int i = 0; i < s->count; i++)
                if (FD_ISSET(s->conns[i]->fd, &readable))
                    read_conn(s, s->conns[i]);
            if (FD_ISSET(s->chat_fd, &readable))
                accept_conn(s, s->chat_fd, CONN_RAW);
            if (FD_ISSET(s->http_fd, &readable))
                accept_conn(s, s->http_fd, CONN_HTTP);
        }
        for (int i = 0; i < s->count; i++) {
            struct conn *c = s->conns[i];
            if (c->state != CONN_GONE && c->out_start < c->out_end)
                flush_conn(s, c);
            progress_closing(c);
        }
        drop_gone(s);
    }
    return 0;
}

/* ---- main and the flags ------------------------------------------------------------ */

static void usage(FILE *out)
{
    fprintf(out,
            "usage: %s [-b ADDR] [-p HTTP_PORT] [-P CHAT_PORT] [-m MAX_MEMBERS] [-v]\n"
            "  -b ADDR  address to listen on (default %s)\n"
            "  -p PORT  HTTP port, WebSocket at /ws (default %s; 0 picks a free one)\n"
            "  -P PORT  raw chat port, chapter 3's protocol (default %s)\n"
            "  -m N     at most N members at once (default %d, at most %d)\n"
            "  -v       wire trace: every byte received (<<<) and sent (>>>) on stderr\n"
            "  -h       show this help\n",
            PROGRAM_NAME, DEFAULT_ADDRESS, DEFAULT_HTTP_PORT, DEFAULT_CHAT_PORT,
            DEFAULT_MAX_MEMBERS, MAX_CONNS);
}

/* Returns -1 to go on, or the exit status for main(). */
static int parse_options(int argc, char **argv, struct server *s, const char **address,
                         const char **http_port, const char **chat_port)
{
    long number;
    int opt;
    while ((opt = getopt(argc, argv, "b:p:P:m:vh")) != -1) {
        if ((opt == 'p' || opt == 'P') && option_number(optarg, 0, 65535, &number) < 0) {
            fprintf(stderr, "%s: -%c wants a port number (0-65535)\n", PROGRAM_NAME, opt);
            return 2;
        }
        if (opt == 'm' && option_number(optarg, 1, MAX_CONNS, &number) < 0) {
            fprintf(stderr, "%s: -m wants 1 to %d members\n", PROGRAM_NAME, MAX_CONNS);
            return 2;
        }
        if (opt == 'b')
            *address = optarg;
        else if (opt == 'p')
            *http_port = optarg;
        else if (opt == 'P')
            *chat_port = optarg;
        else if (opt == 'm')
            s->max_members = (int)number;
        else if (opt == 'v')
            s->verbose = 1;
        else {
            usage(opt == 'h' ? stdout : stderr);
            return opt == 'h' ? 0 : 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    return -1;
}

/* Listen on both ports and print the start line. Returns 0 or -1 (said why). */
static int start_listening(struct server *s, const char *address, const char *http_port,
                           const char *chat_port)
{
    char why[256], http_url[NET_ADDRSTRLEN + 16], chat_url[NET_ADDRSTRLEN + 16];
    s->http_fd = net_listen(address, http_port, NET_LISTEN_BACKLOG, why, sizeof why);
    if (s->http_fd >= 0)
        s->chat_fd = net_listen(address, chat_port, NET_LISTEN_BACKLOG, why, sizeof why);
    if (s->http_fd < 0 || s->chat_fd < 0) {
        fprintf(stderr, "%s: %s\n", PROGRAM_NAME, why);
        return -1;
    }
    if (s->chat_fd >= FD_SETSIZE || net_set_nonblocking(s->http_fd, 1) < 0 ||
        net_set_nonblocking(s->chat_fd, 1) < 0 ||
        net_listen_url(s->http_fd, "http", http_url, sizeof http_url) < 0 ||
        net_listen_url(s->chat_fd, "chat", chat_url, sizeof chat_url) < 0) {
        fprintf(stderr, "%s: setting up: %s\n", PROGRAM_NAME, strerror(errno));
        return -1;
    }
    printf("%s: listening on %s and %s\n", PROGRAM_NAME, http_url, chat_url);
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    static struct server s = {
        .http_fd = -1, .chat_fd = -1, .max_members = DEFAULT_MAX_MEMBERS};
    const char *address = DEFAULT_ADDRESS, *http_port = DEFAULT_HTTP_PORT,
               *chat_port = DEFAULT_CHAT_PORT;
    int rc = parse_options(argc, argv, &s, &address, &http_port, &chat_port);
    if (rc >= 0)
        return rc;
    if (sig_setup_stop(&s.wait_mask) < 0 ||
        (s.conns = calloc(MAX_CONNS, sizeof(struct conn *))) == NULL) {
        fprintf(stderr, "%s: setting up: %s\n", PROGRAM_NAME, strerror(errno));
        return 1;
    }
    rc = start_listening(&s, address, http_port, chat_port) < 0 ? 1 : 0;
    if (rc == 0)
        rc = main_loop(&s) < 0 ? 1 : 0;
    /* Goodbye on each transport: one try each, no waiting. (conns[0..count) are never
     * NULL; the test is for clang-tidy's analyzer, which cannot see that.) */
    for (int i = 0; i < s.count && s.conns[i] != NULL; i++) {
        struct conn *c = s.conns[i];
        if (in_room(c))
            send_text(c, "* server shutting down");
        if (c->kind == CONN_WEBSOCKET)
            ws_close(c, CLOSE_GOING_AWAY);
        flush_conn(&s, c);
        close(c->fd);
        free(c);
    }
    if (s.http_fd >= 0)
        close(s.http_fd);
    if (s.chat_fd >= 0)
        close(s.chat_fd);
    free(s.conns);
    return rc;
}
