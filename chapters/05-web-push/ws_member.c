/* ws_member.c: a room member on a WebSocket. web.c has checked the handshake and
 * queued the 101; from then on the connection carries frames both ways:
 *
 *   in    the parser (websocket.c) turns bytes into events: pieces of TEXT
 *         messages become chat input, cut into lines like raw input (pushd.c's
 *         member_input); PING gets its PONG; CLOSE is echoed; a broken rule closes
 *         with its code (1002, 1003, 1007, 1009)
 *   out   each room line is one unmasked TEXT frame, the line without its LF, made
 *         valid UTF-8 first (raw clients may send any bytes; a browser would drop
 *         the connection on one bad byte)
 *   time  a PING every -K seconds; a client that sent nothing for two intervals is
 *         gone (a laptop closed, a network that dropped it) and is dropped
 */
#include "pushd.h"

#include "io.h"
#include "log.h"
#include "utf8.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CLOSE_WAIT_MS 1000 /* how long we wait for the client's CLOSE after ours */

static size_t queue_room(const struct queue *q)
{
    return QUEUE_CAPACITY - (q->end - q->start);
}

/* Queue one frame, whole or not at all. Returns 0, or -1 when it does not fit. */
static int queue_frame(struct server *s, struct conn *c, int opcode, const void *payload,
                       size_t length)
{
    unsigned char header[WS_MAX_HEADER_BYTES];
    size_t header_length = ws_frame_header(header, 1, opcode, length, NULL);
    if (queue_room(&c->out) < header_length + length)
        return -1;
    conn_send(s, c, header, header_length);
    conn_send(s, c, payload, length);
    return 0;
}

void ws_accepted(struct server *s, struct conn *c)
{
    c->kind = CONN_WEBSOCKET;
    c->deadline_ms = 0; /* -t is for plain HTTP; -K watches a WebSocket */
    c->ws = calloc(1, sizeof *c->ws);
    if (c->ws == NULL) {
        c->state = CONN_GONE;
        return;
    }
    ws_parser_init(&c->ws->parser, 1); /* a server: every client frame is masked */
    c->ws->last_heard_ms = io_now_ms();
    /* A member that stops reading must show it soon (pushd.c). */
    conn_limit_kernel_buffer(c);
    if (member_join(s, c, TRANSPORT_WEBSOCKET) == NULL)
        c->state = CONN_GONE;
}

/* Our CLOSE, with its code: after it we send nothing more, and we close once the
 * client's CLOSE (or its FIN) comes, or CLOSE_WAIT_MS passes. */
void ws_close(struct server *s, struct conn *c, int code)
{
    if (c->ws == NULL || c->ws->close_sent || c->state != CONN_OPEN)
        return;
    unsigned char payload[2] = {(unsigned char)(code >> 8), (unsigned char)code};
    if (queue_frame(s, c, WS_OP_CLOSE, payload, sizeof payload) < 0) {
        c->state = CONN_GONE; /* its queue is full: it reads nothing anyway */
        return;
    }
    c->ws->close_sent = 1;
    if (c->member != NULL && c->member->state == MEMBER_ACTIVE)
        c->member->state = MEMBER_LEAVING; /* the others hear "* NAME left" */
    conn_close_gently(s, c, CLOSE_WAIT_MS);
}

/* One event from the parser. Returns 0 to go on, -1 when the conversation ends. */
static int on_event(struct server *s, struct conn *c, const struct ws_event *ev)
{
    struct member *m = c->member;
    switch (ev->type) {
    case WS_TEXT_DATA:
        member_input(s, m, &m->input, (const char *)ev->data, ev->length);
        break;
    case WS_MESSAGE_END:
        member_input_end(s, m, &m->input); /* the end of a message ends its last line */
        break;
    case WS_PING: /* also between the fragments of a message: it is a frame of its own */
        if (queue_frame(s, c, WS_OP_PONG, ev->data, ev->length) < 0)
            m->state = MEMBER_BROKEN;
        break;
    case WS_PONG:
        break; /* its arrival is all we wanted (last_heard_ms) */
    case WS_CLOSE:
        /* Echo its code (1000 when it gave none), then hang up (§5.5.1). */
        ws_close(s, c, ev->code == WS_CLOSE_NO_STATUS ? WS_CLOSE_NORMAL : ev->code);
        return -1;
    case WS_FAIL:
        fprintf(stderr, "%s: %s: WebSocket protocol error, closing with %d\n",
                PROGRAM_NAME, m->nick, ev->code);
        ws_close(s, c, ev->code);
        return -1;
    case WS_NEED_MORE:
        break;
    }
    return m->state == MEMBER_ACTIVE ? 0 : -1; /* after /quit, the rest is ignored */
}

/* Parse every byte in the buffer. A frame cut short is kept inside the parser, so
 * the buffer always empties. */
void ws_take_input(struct server *s, struct conn *c)
{
    size_t at = 0;
    while (c->state == CONN_OPEN && c->member != NULL) {
        struct ws_event ev;
        at += ws_parse(&c->ws->parser, c->in + at, c->in_length - at, &ev);
        if (ev.type == WS_NEED_MORE || on_event(s, c, &ev) < 0)
            break;
    }
    c->in_length = 0;
}

void ws_read(struct server *s, struct conn *c)
{
    ssize_t n = read(c->fd, c->in, sizeof c->in);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (n <= 0) {
        /* Its end without a CLOSE frame: gone, like a raw client (RFC 6455 §7.1.5
         * calls it an abnormal closure, 1006, which is never sent). */
        if (c->member != NULL && n == 0)
            c->member->state = MEMBER_LEAVING;
        c->state = CONN_GONE;
        return;
    }
    if (s->verbose)
        log_wire(c->fd, LOG_RECEIVED, c->in, (size_t)n);
    c->ws->last_heard_ms = io_now_ms();
    c->in_length = (size_t)n;
    ws_take_input(s, c);
}

/* A room line (ending with LF) as one TEXT frame. */
void ws_deliver(struct server *s, struct member *to, const char *line, size_t length)
{
    struct conn *c = to->conn;
    if (c->state != CONN_OPEN || c->ws->close_sent)
        return;
    if (length > 0 && line[length - 1] == '\n')
        length--;
    /* Most lines are short enough for the stack; /who with many members is not. */
    char small[UTF8_CLEAN_SIZE(LINE_MAX_BYTES + 128)];
    char *clean =
        length <= LINE_MAX_BYTES + 128 ? small : malloc(UTF8_CLEAN_SIZE(length));
    if (clean == NULL) {
        to->state = MEMBER_BROKEN;
        return;
    }
    size_t clean_length = utf8_clean(line, length, clean);
    if (queue_frame(s, c, WS_OP_TEXT, clean, clean_length) < 0) {
        fprintf(stderr, "%s: dropping %s: %d KiB of output waiting, it stopped reading\n",
                PROGRAM_NAME, to->nick, QUEUE_CAPACITY / 1024);
        to->state = MEMBER_BROKEN;
    }
    if (clean != small)
        free(clean);
}

/* Every -K seconds (pushd.c's timer): a PING to every WebSocket, and goodbye to
 * those that have sent nothing for two intervals. A browser answers PINGs by itself,
 * so only a client that is really gone stays silent that long. */
void ws_ping_all(struct server *s)
{
    long long now = io_now_ms();
    long long interval = (long long)s->ping_secs * 1000;
    for (int i = 0; i < s->conn_count; i++) {
        struct conn *c = s->conns[i];
        if (c->kind != CONN_WEBSOCKET || c->state != CONN_OPEN || c->member == NULL)
            continue;
        if (now - c->ws->last_heard_ms >= 2 * interval) {
            fprintf(stderr, "%s: %s: silent for %lld s, dropping\n", PROGRAM_NAME,
                    c->member->nick, (now - c->ws->last_heard_ms) / 1000);
            ws_close(s, c, WS_CLOSE_GOING_AWAY);
        } else if (queue_frame(s, c, WS_OP_PING, "", 0) < 0) {
            c->member->state = MEMBER_BROKEN;
        }
    }
}
