/* fuzz_send_body.c: what pushd does with the body of POST /send.
 *
 * The input's first byte is a seed for cutting reads; the rest is the body of one
 * POST /send. It goes to a real pushd room, built from the chapter's own code:
 * chapters/05-web-push/pushd.c is included below with its main() renamed, and the
 * chapter's other files are linked. Every client is a socketpair whose server end
 * is a connection as accept_from() makes it, and every request goes through
 * read_from() and web.c as in the select() loop; after each read the harness does
 * what steps 4 and 5 of the loop do, except that it takes each output queue itself
 * (as if the client read it all) and parses it.
 *
 * The room: guest1 sends; guest2 listens on the raw port, guest3 on a WebSocket,
 * guest4 on a server-sent event stream and guest5 by long polling. guest1 joins
 * with POST /join and then sends, on one keep-alive connection,
 *
 *     POST /send?session=S (the input's body), then POST /send?session=S "after"
 *
 * cut into pieces by the seed, or in one write. Half-way through the first body,
 * guest1 also sends POST /send?session=S "between" on a second connection (a
 * browser may have two requests in flight): each body is cut into lines on its own,
 * so "between" must arrive whole and leave the first body's lines as they were. A
 * third run has guest1 on the raw port instead, typing the same bytes (with an LF
 * where the body's end ended a line) and "after". What must hold:
 *   - the same lines, in the same order, for every member (guest1 included) however
 *     the body is cut into reads, and the same as when typed on the raw port (the
 *     line "between", which may come anywhere, set aside):
 *     commands and the 1024-byte limit work exactly as there (unless a member was
 *     dropped for not keeping up, which depends on how much came in one read);
 *   - for a body without commands, the lines are those of a plain reading of the
 *     contract: cut at LF, a CR before the LF dropped, empty lines ignored, a line
 *     over 1024 bytes refused with "! line too long (max 1024 bytes)", the end of
 *     the body ending its last line (so "after" is a line of its own);
 *   - what the web members get is valid UTF-8 with no CR or LF inside a line
 *     (utf8_clean), in well-formed TEXT frames, events and JSON; a poll never
 *     reports a gap and the events' ids count up by one;
 *   - the first /send is answered 204 only once its whole body has arrived, the
 *     second 204, or 404 when the first ended the session (/quit); the connection
 *     is never closed and never stops reading.
 */
#include "fuzz.h"

#include "utf8.h"

#include <poll.h>
#include <sys/socket.h>

#define main pushd_main
#include "../../chapters/05-web-push/pushd.c"
#undef main

#define MAX_SEND_BODY (64 * 1024) /* web.c's MAX_SEND_BYTES: a larger body gets 413 */
#define TOO_LONG      "! line too long (max 1024 bytes)"
#define MEMBERS       5 /* guest1 to guest5 */
#define PEERS         6 /* and guest1's second connection */
#define BETWEEN       ": between"

/* ---- Bytes and lines ------------------------------------------------------------- */

struct bytes {
    char *data;
    size_t length, capacity;
};

static void bytes_add(struct bytes *b, const void *data, size_t length)
{
    if (b->length + length > b->capacity) {
        b->capacity = (b->length + length) * 2 + 256;
        b->data = realloc(b->data, b->capacity);
        if (b->data == NULL)
            abort();
    }
    if (length > 0)
        memcpy(b->data + b->length, data, length);
    b->length += length;
}

static void bytes_drop(struct bytes *b, size_t n)
{
    memmove(b->data, b->data + n, b->length - n);
    b->length -= n;
}

/* Where needle starts in hay[0..length), or NULL (memmem is not POSIX). */
static const char *find_text(const char *hay, size_t length, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= length; i++)
        if (memcmp(hay + i, needle, n) == 0)
            return hay + i;
    return NULL;
}

/* The lines one member heard, in order, without their LF. */
struct transcript {
    struct bytes *lines;
    size_t count, capacity;
};

static void transcript_add(struct transcript *t, const char *line, size_t length)
{
    if (t->count == t->capacity) {
        t->capacity = t->capacity * 2 + 16;
        t->lines = realloc(t->lines, t->capacity * sizeof *t->lines);
        if (t->lines == NULL)
            abort();
    }
    t->lines[t->count] = (struct bytes){NULL, 0, 0};
    bytes_add(&t->lines[t->count], line, length);
    t->count++;
}

/* Is this the line "between" became ("guest1: between", or another nick)? */
static int is_between(const struct bytes *line)
{
    size_t n = strlen(BETWEEN);
    return line->length >= n && memcmp(line->data + line->length - n, BETWEEN, n) == 0;
}

/* A fingerprint of the lines, except "between" (its place depends on the cuts). */
static uint64_t transcript_hash(const struct transcript *t)
{
    uint64_t hash = FUZZ_HASH_START;
    for (size_t i = 0; i < t->count; i++) {
        if (is_between(&t->lines[i]))
            continue;
        hash = fuzz_hash_number(hash, (long long)t->lines[i].length);
        hash = fuzz_hash(hash, t->lines[i].data, t->lines[i].length);
    }
    return hash;
}

static void transcript_free(struct transcript *t)
{
    for (size_t i = 0; i < t->count; i++)
        free(t->lines[i].data);
    free(t->lines);
    *t = (struct transcript){NULL, 0, 0};
}

/* What a web transport may carry: valid UTF-8, no CR, no LF. */
static int is_web_line(const char *bytes, size_t length)
{
    struct utf8_state u;
    utf8_init(&u);
    if (length == 0)
        return 1;
    return utf8_feed(&u, (const unsigned char *)bytes, length) == 0 &&
           utf8_complete(&u) && memchr(bytes, '\r', length) == NULL &&
           memchr(bytes, '\n', length) == NULL;
}

/* ---- The room and its members ---------------------------------------------------- */

enum mode { SEND_IN_PIECES, SEND_IN_ONE_WRITE, TYPED_ON_RAW_PORT };
enum peer_kind {
    PEER_SENDER,
    PEER_RAW,
    PEER_WEBSOCKET,
    PEER_EVENTS,
    PEER_POLL,
    PEER_SECOND_SEND, /* guest1's other connection: one /send, "between" */
};

struct peer {
    enum peer_kind kind;
    int server_fd, client_fd; /* a socketpair: the server's end is a conn's fd */
    char token[SESSION_TOKEN_HEX + 1];
    struct bytes inbox; /* what the server queued for it, not yet parsed */
    int head_seen;      /* WebSocket, SSE: past the response head */
    unsigned long last; /* SSE: the last event id; poll: the cursor (since) */
    int waiting;        /* poll: a request is out, unanswered */
    int ended;          /* its session is gone (404) */
    int statuses[4];    /* the sender's HTTP answers: /join, /send, /send */
    size_t status_count;
    struct transcript heard;
    size_t heard_before_send; /* the lines of the joins, before the body */
};

struct run {
    struct server s;
    enum mode mode;
    struct peer peers[PEERS];
    unsigned long outbox_taken; /* the sender's session lines taken so far */
    int dropped;                /* a member was dropped for not keeping up */
    size_t pushed, first_body_end;
    size_t between_at; /* when "between" goes: half-way through the first body */
};

static int random_fd = -1;

static struct conn *conn_of(struct server *s, int fd)
{
    for (int i = 0; i < s->conn_count; i++)
        if (s->conns[i]->fd == fd)
            return s->conns[i];
    return NULL;
}

static int has_input(int fd)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    return poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLIN);
}

/* Step 2 of the loop for one connection: read while it has bytes for the server. */
static void server_reads(struct run *r, const struct peer *p)
{
    for (;;) {
        struct conn *c = conn_of(&r->s, p->server_fd);
        if (c == NULL || !has_input(p->server_fd))
            return;
        FUZZ_CHECK(wants_read(c)); /* else select() would never read it: a hang */
        read_from(&r->s, c);
    }
}

static void send_request(struct run *r, struct peer *p, const char *text)
{
    size_t n = strlen(text);
    FUZZ_CHECK(write(p->client_fd, text, n) == (ssize_t)n);
    server_reads(r, p);
}

/* A new client, as accept_from() admits it; the raw port's joins the room at once. */
static struct peer *open_peer(struct run *r, int index, enum peer_kind kind,
                              enum conn_kind conn_kind)
{
    struct peer *p = &r->peers[index];
    int fds[2];
    FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    FUZZ_CHECK(net_set_nonblocking(fds[0], 1) == 0);
    p->kind = kind;
    p->server_fd = fds[0];
    p->client_fd = fds[1];
    struct conn *c = new_conn(&r->s, fds[0], conn_kind);
    FUZZ_CHECK(c != NULL);
    if (conn_kind == CONN_RAW)
        FUZZ_CHECK(member_join(&r->s, c, TRANSPORT_RAW) != NULL);
    return p;
}

/* ---- Step 4, with the harness as every client: take each queue and parse it ------ */

/* The head of the HTTP response at the front of b: its status, its length with the
 * empty line, and Content-Length (-1 when absent). Returns 0 while incomplete. */
static int response_head(const struct bytes *b, int *status, size_t *head_length,
                         long *content_length)
{
    const char *end = find_text(b->data, b->length, "\r\n\r\n");
    if (end == NULL)
        return 0;
    *head_length = (size_t)(end - b->data) + 4;
    FUZZ_CHECK(b->length >= 12 && memcmp(b->data, "HTTP/1.1 ", 9) == 0);
    *status = atoi(b->data + 9);
    const char *length = find_text(b->data, *head_length, "\r\nContent-Length: ");
    *content_length = length != NULL ? atol(length + 18) : -1;
    return 1;
}

/* A whole response with a Content-Length (or none: no body) at the front of b:
 * returns 1 and moves its body to body (NUL-terminated), or 0 while incomplete. */
static int take_response(struct bytes *b, int *status, struct bytes *body)
{
    size_t head_length;
    long length;
    if (!response_head(b, status, &head_length, &length))
        return 0;
    if (length < 0)
        length = 0;
    if (b->length < head_length + (size_t)length)
        return 0;
    body->length = 0;
    bytes_add(body, b->data + head_length, (size_t)length);
    bytes_add(body, "", 1);
    body->length--;
    bytes_drop(b, head_length + (size_t)length);
    return 1;
}

/* {"session":"<32 hex digits>","nick":"guestN"}: the token. */
static void read_join_answer(struct peer *p, const struct bytes *body)
{
    const char *at = find_text(body->data, body->length, "{\"session\":\"");
    FUZZ_CHECK(at == body->data && body->length > 12 + SESSION_TOKEN_HEX);
    memcpy(p->token, at + 12, SESSION_TOKEN_HEX);
    p->token[SESSION_TOKEN_HEX] = '\0';
}

static void request_poll(struct run *r, struct peer *p)
{
    char text[160];
    snprintf(text, sizeof text,
             "GET /poll?session=%s&since=%lu HTTP/1.1\r\nHost: f\r\n\r\n", p->token,
             p->last);
    p->waiting = 1;
    send_request(r, p, text);
}

/* One JSON string (RFC 8259 §7) at *at, decoded into out: only the escapes poll.c
 * writes. Returns 0, or -1 if it is not one. */
static int json_string(const char **at, const char *end, struct bytes *out)
{
    const char *p = *at;
    out->length = 0;
    if (p >= end || *p++ != '"')
        return -1;
    while (p < end && *p != '"') {
        unsigned char c = (unsigned char)*p++;
        FUZZ_CHECK(c >= 0x20); /* control characters must be escaped */
        if (c == '\\') {
            if (p >= end)
                return -1;
            char e = *p++;
            if (e == 'u') {
                if (end - p < 4)
                    return -1;
                char hex[5] = {p[0], p[1], p[2], p[3], '\0'};
                c = (unsigned char)strtol(hex, NULL, 16);
                p += 4;
            } else {
                c = (unsigned char)(e == 'n' ? '\n' : e == 't' ? '\t' : e);
            }
        }
        bytes_add(out, &c, 1);
    }
    if (p >= end)
        return -1;
    *at = p + 1;
    return 0;
}

/* {"next":M,"lines":["...",...],"gap":false} */
static void read_poll_answer(struct peer *p, const struct bytes *body)
{
    const char *at = body->data, *end = body->data + body->length;
    FUZZ_CHECK(is_web_line(body->data, body->length));
    FUZZ_CHECK(strncmp(at, "{\"next\":", 8) == 0);
    char *after;
    unsigned long next = strtoul(at + 8, &after, 10);
    at = after;
    FUZZ_CHECK(strncmp(at, ",\"lines\":[", 10) == 0);
    at += 10;
    struct bytes line = {NULL, 0, 0};
    unsigned long count = 0;
    while (*at == '"' || (count > 0 && *at == ',')) {
        if (*at == ',')
            at++;
        FUZZ_CHECK(json_string(&at, end, &line) == 0);
        FUZZ_CHECK(is_web_line(line.data != NULL ? line.data : "", line.length));
        transcript_add(&p->heard, line.data != NULL ? line.data : "", line.length);
        count++;
    }
    free(line.data);
    FUZZ_CHECK(strcmp(at, "],\"gap\":false}") == 0); /* we took every line in time */
    FUZZ_CHECK(next == p->last + count);
    p->last = next;
}

/* Parse what came for peer p. Returns 1 if anything was parsed. */
static int read_peer(struct run *r, struct peer *p)
{
    struct bytes *b = &p->inbox;
    int moved = 0, status;
    static struct bytes body;
    const char *lf;
    size_t head_length;
    long length;
    switch (p->kind) {
    case PEER_RAW:
        while ((lf = memchr(b->data, '\n', b->length)) != NULL) {
            transcript_add(&p->heard, b->data, (size_t)(lf - b->data));
            bytes_drop(b, (size_t)(lf - b->data) + 1);
        }
        FUZZ_CHECK(b->length == 0); /* the room queues whole lines */
        return 0;
    case PEER_SENDER:
        while (take_response(b, &status, &body)) {
            FUZZ_CHECK(p->status_count < 3);
            p->statuses[p->status_count++] = status;
            if (p->status_count == 1)
                read_join_answer(p, &body);
            if (p->status_count == 2) /* 204 once the whole body is in, not before */
                FUZZ_CHECK(status == 204 && r->pushed >= r->first_body_end);
        }
        return 0;
    case PEER_SECOND_SEND:
        while (take_response(b, &status, &body)) {
            FUZZ_CHECK(p->status_count < 1 && (status == 204 || status == 404));
            p->statuses[p->status_count++] = status;
        }
        return 0;
    case PEER_WEBSOCKET:
        if (!p->head_seen && response_head(b, &status, &head_length, &length)) {
            FUZZ_CHECK(status == 101);
            bytes_drop(b, head_length);
            p->head_seen = 1;
        }
        while (p->head_seen && b->length >= 2) {
            const unsigned char *f = (const unsigned char *)b->data;
            FUZZ_CHECK(f[0] == 0x81 && f[1] < 0x80); /* TEXT, whole, unmasked */
            size_t at = 2, payload = f[1];
            if (payload == 126) {
                FUZZ_CHECK(b->length >= 4);
                payload = (size_t)f[2] << 8 | f[3];
                at = 4;
            }
            FUZZ_CHECK(f[1] != 127 && b->length >= at + payload); /* queued whole */
            FUZZ_CHECK(is_web_line(b->data + at, payload));
            transcript_add(&p->heard, b->data + at, payload);
            bytes_drop(b, at + payload);
        }
        return 0;
    case PEER_EVENTS:
        if (p->token[0] == '\0' && take_response(b, &status, &body)) {
            read_join_answer(p, &body);
            char text[128];
            snprintf(text, sizeof text,
                     "GET /events?session=%s HTTP/1.1\r\nHost: f\r\n\r\n", p->token);
            send_request(r, p, text);
            return 1;
        }
        if (p->token[0] != '\0' && !p->head_seen &&
            response_head(b, &status, &head_length, &length)) {
            FUZZ_CHECK(status == 200 && length < 0);
            bytes_drop(b, head_length);
            p->head_seen = 1;
        }
        while (p->head_seen && (lf = find_text(b->data, b->length, "\n\n")) != NULL) {
            size_t event = (size_t)(lf - b->data);
            char *data = (char *)find_text(b->data, event, "\ndata: ");
            if (strncmp(b->data, "retry: ", 7) != 0) {
                FUZZ_CHECK(strncmp(b->data, "id: ", 4) == 0 && data != NULL);
                FUZZ_CHECK(strtoul(b->data + 4, NULL, 10) == p->last + 1);
                p->last++;
                size_t line = event - (size_t)(data + 7 - b->data);
                FUZZ_CHECK(is_web_line(data + 7, line));
                transcript_add(&p->heard, data + 7, line);
            }
            bytes_drop(b, event + 2);
        }
        return 0;
    case PEER_POLL:
        while (take_response(b, &status, &body)) {
            moved = 1;
            if (p->token[0] == '\0') {
                read_join_answer(p, &body);
            } else if (status == 404) {
                p->ended = 1; /* its member was dropped: the token is forgotten */
            } else {
                FUZZ_CHECK(status == 200 && p->waiting);
                read_poll_answer(p, &body);
            }
            p->waiting = 0;
        }
        if (moved && !p->ended)
            request_poll(r, p); /* at once, with the new cursor */
        return moved;
    }
    return 0;
}

static struct peer *peer_of(struct run *r, int fd)
{
    for (int i = 0; i < PEERS; i++)
        if (r->peers[i].server_fd == fd)
            return &r->peers[i];
    FUZZ_CHECK(!"a connection nobody opened");
    return NULL;
}

/* Step 4, flush_output(), with every client reading all it is sent. */
static int take_queues(struct run *r)
{
    int moved = 0;
    for (int i = 0; i < r->s.conn_count; i++) {
        struct conn *c = r->s.conns[i];
        if (c->state != CONN_OPEN && c->state != CONN_CLOSING)
            continue;
        if (c->out.start < c->out.end) {
            bytes_add(&peer_of(r, c->fd)->inbox, c->out.data + c->out.start,
                      c->out.end - c->out.start);
            c->out.start = c->out.end = 0;
            moved = 1;
        }
        if (c->kind == CONN_HTTP && c->state == CONN_OPEN)
            http_continue(&r->s, c);
        finish_closing(c);
    }
    return moved;
}

/* The sender's session keeps its lines in its outbox: take them (as its stream
 * would) before step 5 may end the session. */
static int take_outbox(struct run *r)
{
    struct peer *p = &r->peers[0];
    for (int i = 0; i < r->s.member_count && p->token[0] != '\0'; i++) {
        struct session *se = r->s.members[i]->session;
        if (se == NULL || strcmp(se->token, p->token) != 0)
            continue;
        if (r->s.members[i]->state != MEMBER_BROKEN) /* no undelivered line is lost */
            FUZZ_CHECK(r->outbox_taken + 1 >= se->first_id);
        int moved = 0;
        size_t length;
        const char *line;
        for (; (line = session_line(se, r->outbox_taken + 1, &length)) != NULL;
             moved = 1) {
            transcript_add(&p->heard, line, length);
            r->outbox_taken++;
        }
        se->delivered = session_newest(se);
        return moved;
    }
    return 0;
}

/* What the loop does after reading, until nothing more happens. */
static void settle(struct run *r)
{
    for (;;) {
        int moved = take_queues(r);
        if (r->mode != TYPED_ON_RAW_PORT)
            moved |= take_outbox(r);
        for (int i = 0; i < PEERS; i++)
            if (r->peers[i].server_fd >= 0)
                moved |= read_peer(r, &r->peers[i]);
        for (int i = 0; i < r->s.member_count; i++)
            r->dropped |= r->s.members[i]->state == MEMBER_BROKEN;
        struct conn *sender = conn_of(&r->s, r->peers[0].server_fd);
        if (r->mode != TYPED_ON_RAW_PORT)
            FUZZ_CHECK(sender != NULL && sender->state == CONN_OPEN);
        int members = r->s.member_count;
        close_finished_conns(&r->s);
        drop_gone_members(&r->s);
        close_finished_conns(&r->s);
        for (int i = 0; i < r->s.conn_count; i++) { /* "* NAME left", for one */
            const struct conn *c = r->s.conns[i];
            moved |= (c->state == CONN_OPEN || c->state == CONN_CLOSING) &&
                     c->out.start < c->out.end;
        }
        if (!moved && members == r->s.member_count)
            return;
    }
}

/* ---- One run ----------------------------------------------------------------------- */

static void join_room(struct run *r)
{
    static struct member *members[MAX_MEMBERS_LIMIT];
    static struct conn *conns[MAX_CONNS];
    r->s = (struct server){.http_fd = -1,
                           .chat_fd = -1,
                           .max_members = MEMBERS,
                           .idle_ms = 5000,
                           .poll_secs = 25,
                           .session_secs = 60,
                           .random_fd = random_fd,
                           .ping_secs = 30,
                           .members = members,
                           .conns = conns};
    for (int i = 0; i < PEERS; i++)
        r->peers[i].server_fd = r->peers[i].client_fd = -1;
    static const char join[] =
        "POST /join HTTP/1.1\r\nHost: f\r\nContent-Length: 0\r\n\r\n";
    if (r->mode == TYPED_ON_RAW_PORT) {
        open_peer(r, 0, PEER_RAW, CONN_RAW);
    } else {
        send_request(r, open_peer(r, 0, PEER_SENDER, CONN_HTTP), join);
    }
    open_peer(r, 1, PEER_RAW, CONN_RAW);
    send_request(r, open_peer(r, 2, PEER_WEBSOCKET, CONN_HTTP),
                 "GET /ws HTTP/1.1\r\nHost: f\r\nUpgrade: websocket\r\n"
                 "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                 "Sec-WebSocket-Version: 13\r\n\r\n");
    send_request(r, open_peer(r, 3, PEER_EVENTS, CONN_HTTP), join);
    send_request(r, open_peer(r, 4, PEER_POLL, CONN_HTTP), join);
    if (r->mode != TYPED_ON_RAW_PORT)
        open_peer(r, 5, PEER_SECOND_SEND, CONN_HTTP);
    settle(r);
    FUZZ_CHECK(r->s.member_count == MEMBERS && !r->dropped);
    for (int i = 0; i < PEERS; i++)
        r->peers[i].heard_before_send = r->peers[i].heard.count;
}

/* What guest1 sends: two /send requests, or the same typed on the raw port. */
static void make_stream(struct run *r, const uint8_t *body, size_t size,
                        struct bytes *stream)
{
    char head[256];
    if (r->mode == TYPED_ON_RAW_PORT) {
        bytes_add(stream, body, size);
        if (size > 0 && body[size - 1] != '\n')
            bytes_add(stream, "\n", 1); /* what the end of the body does */
        bytes_add(stream, "after\n", 6);
        r->first_body_end = 0;
        return;
    }
    snprintf(head, sizeof head,
             "POST /send?session=%s HTTP/1.1\r\nHost: f\r\nContent-Type: text/plain\r\n"
             "Content-Length: %zu\r\n\r\n",
             r->peers[0].token, size);
    bytes_add(stream, head, strlen(head));
    bytes_add(stream, body, size);
    r->first_body_end = stream->length;
    r->between_at = stream->length - size / 2;
    snprintf(head, sizeof head,
             "POST /send?session=%s HTTP/1.1\r\nHost: f\r\nContent-Length: 5\r\n\r\n",
             r->peers[0].token);
    bytes_add(stream, head, strlen(head));
    bytes_add(stream, "after", 5); /* no LF: the end of the body ends the line */
}

static void run_room(struct run *r, const uint8_t *body, size_t size, uint32_t seed)
{
    join_room(r);
    struct bytes stream = {NULL, 0, 0};
    make_stream(r, body, size, &stream);
    struct peer *sender = &r->peers[0];
    while (conn_of(&r->s, sender->server_fd) != NULL) {
        if (!has_input(sender->server_fd)) { /* it has read everything: the next piece */
            if (r->pushed == stream.length)
                break;
            size_t left = stream.length - r->pushed;
            size_t n = r->mode == SEND_IN_ONE_WRITE ? left : fuzz_next_piece(&seed, left);
            FUZZ_CHECK(write(sender->client_fd, stream.data + r->pushed, n) ==
                       (ssize_t)n);
            r->pushed += n;
            continue;
        }
        server_reads(r, sender);
        settle(r);
        struct peer *second = &r->peers[5];
        if (r->mode != TYPED_ON_RAW_PORT && r->pushed >= r->between_at &&
            second->status_count == 0 && !second->waiting) {
            char text[160];
            snprintf(text, sizeof text,
                     "POST /send?session=%s HTTP/1.1\r\nHost: f\r\n"
                     "Content-Length: 7\r\n\r\nbetween",
                     sender->token);
            second->waiting = 1;
            send_request(r, second, text);
            settle(r);
        }
    }
    free(stream.data);
    if (r->mode == TYPED_ON_RAW_PORT)
        return;
    FUZZ_CHECK(sender->status_count == 3 && sender->statuses[0] == 200);
    int still_in =
        sender->heard.count > 0 &&
        !(sender->heard.lines[sender->heard.count - 1].length == 5 &&
          memcmp(sender->heard.lines[sender->heard.count - 1].data, "* bye", 5) == 0);
    if (!r->dropped)
        FUZZ_CHECK(sender->statuses[2] == (still_in ? 204 : 404));
    /* The end of the body ended the last line: nothing is left half-way (after
     * /quit, the rest of a body is not read as lines at all). */
    const struct conn *c = conn_of(&r->s, sender->server_fd);
    FUZZ_CHECK(c != NULL);
    if (still_in)
        FUZZ_CHECK(c->http->body.length == 0 && !c->http->body.discarding);
    FUZZ_CHECK(r->peers[5].status_count == 1);
    int between_heard = 0;
    for (size_t k = 0; k < r->peers[1].heard.count; k++)
        between_heard |= is_between(&r->peers[1].heard.lines[k]);
    if (r->peers[5].statuses[0] == 204 && !r->dropped)
        FUZZ_CHECK(between_heard);
}

/* Everything the run holds: connections, members, sessions, sockets. */
static void end_run(struct run *r)
{
    while (r->s.conn_count > 0) {
        struct conn *c = r->s.conns[--r->s.conn_count];
        close(c->fd);
        free_conn(c);
    }
    while (r->s.member_count > 0) {
        struct member *m = r->s.members[--r->s.member_count];
        if (m->session != NULL)
            session_free(m->session);
        free(m);
    }
    for (int i = 0; i < PEERS; i++) {
        if (r->peers[i].client_fd >= 0)
            close(r->peers[i].client_fd);
        free(r->peers[i].inbox.data);
    }
}

/* ---- A plain reading of the contract, for bodies without commands ----------------- */

/* The lines guest1's body and "after" make, in order; *too_long counts the refused
 * ones. Returns 0 if a line is a command (the model stops there). */
static int expected_lines(const uint8_t *body, size_t size, struct transcript *lines,
                          size_t *too_long)
{
    size_t start = 0;
    *too_long = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i < size && body[i] != '\n')
            continue;
        if (i == size && i == start)
            break; /* nothing after the last LF */
        size_t length = i - start;
        if (length > 0 && body[start + length - 1] == '\r')
            length--;
        if (length > LINE_MAX_BYTES) {
            (*too_long)++;
        } else if (length > 0) {
            if (body[start] == '/')
                return 0;
            transcript_add(lines, (const char *)body + start, length);
        }
        start = i + 1;
    }
    transcript_add(lines, "after", 5);
    return 1;
}

/* The next line p heard after *at that is not "between", or NULL. */
static const struct bytes *next_heard(const struct peer *p, size_t *at)
{
    while (*at < p->heard.count && is_between(&p->heard.lines[*at]))
        (*at)++;
    return *at < p->heard.count ? &p->heard.lines[(*at)++] : NULL;
}

static void check_model(const struct run *r, const struct transcript *lines,
                        size_t too_long)
{
    static char line[16 + LINE_MAX_BYTES], clean[UTF8_CLEAN_SIZE(16 + LINE_MAX_BYTES)];
    for (int i = 1; i < MEMBERS; i++) {
        const struct peer *p = &r->peers[i];
        size_t at = p->heard_before_send;
        for (size_t k = 0; k < lines->count; k++) {
            struct bytes expected = {line,
                                     (size_t)snprintf(line, sizeof line, "guest1: "), 0};
            memcpy(line + expected.length, lines->lines[k].data, lines->lines[k].length);
            expected.length += lines->lines[k].length;
            if (is_between(&expected))
                continue;              /* set aside like the real one */
            if (p->kind != PEER_RAW) { /* the web transports: made valid UTF-8 */
                expected.length = utf8_clean(line, expected.length, clean);
                expected.data = clean;
            }
            const struct bytes *got = next_heard(p, &at);
            FUZZ_CHECK(got != NULL && got->length == expected.length &&
                       memcmp(got->data, expected.data, expected.length) == 0);
        }
        FUZZ_CHECK(next_heard(p, &at) == NULL);
    }
    const struct peer *sender = &r->peers[0];
    FUZZ_CHECK(sender->heard.count == sender->heard_before_send + too_long);
    for (size_t k = sender->heard_before_send; k < sender->heard.count; k++)
        FUZZ_CHECK(sender->heard.lines[k].length == strlen(TOO_LONG) &&
                   memcmp(sender->heard.lines[k].data, TOO_LONG, strlen(TOO_LONG)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size - 1 > MAX_SEND_BODY)
        return 0; /* a larger body gets 413: tests/05-web-push checks that */
    if (random_fd < 0)
        random_fd = open("/dev/urandom", O_RDONLY);
    FUZZ_CHECK(random_fd >= 0);
    static struct run runs[3];
    struct transcript lines = {NULL, 0, 0};
    size_t too_long;
    int plain = expected_lines(data + 1, size - 1, &lines, &too_long);
    int dropped = 0;
    for (int m = 0; m < 3; m++) {
        struct run *r = &runs[m];
        *r = (struct run){.mode = (enum mode)m};
        run_room(r, data + 1, size - 1, data[0]);
        end_run(r);
        dropped |= r->dropped;
        if (plain && !r->dropped)
            check_model(r, &lines, too_long);
    }
    for (int i = 0; i < PEERS; i++) {
        uint64_t in_pieces = transcript_hash(&runs[0].peers[i].heard);
        if (!dropped)
            for (int m = 1; m < 3; m++)
                FUZZ_CHECK(transcript_hash(&runs[m].peers[i].heard) == in_pieces);
        for (int m = 0; m < 3; m++)
            transcript_free(&runs[m].peers[i].heard);
    }
    transcript_free(&lines);
    return 0;
}
