/* web.c: pushd's HTTP port. Chapter 2's rules (HTTP/1.1 keep-alive, framing,
 * pipelining, limits, path safety, statuses), but inside chapter 3's loop: nothing
 * here may wait. Chapter 2 gave each connection a process that could block in
 * read() and write(); here a request is parsed from whatever bytes have come
 * (http_parse_head goes on from where it stopped), and a file goes out a piece at
 * a time, each piece queued only when the last has left, so a 1 GiB file to a slow
 * reader costs one file descriptor and a 64 KiB queue, and never holds the room.
 *
 * GET /ws is the door into the room: a valid upgrade gets "101 Switching
 * Protocols" and the connection becomes a WebSocket (ws_member.c).
 */
#include "pushd.h"

#include "io.h"
#include "log.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MAX_BODY_BYTES       (1024 * 1024) /* a larger request body gets 413 */
#define MAX_SEND_BYTES       (64 * 1024)   /* POST /send: a larger body gets 413 */
#define DEFAULT_MAX_REQUESTS 100           /* chapter 2's -n, fixed here */
#define FILE_PIECE           (16 * 1024)   /* a file goes out this much at a time */
/* The largest response head and page we queue at once (a 301's Location may hold a
 * whole encoded path); a request is parsed only when the queue has this much room,
 * so a client that pipelines requests and never reads cannot make us hold more. */
#define RESPONSE_MAX (HTTP_LOCATION_SIZE + 2048)

_Static_assert(RESPONSE_MAX + FILE_PIECE <= QUEUE_CAPACITY, "a response must fit");

struct http_state *http_start(void)
{
    struct http_state *h = calloc(1, sizeof *h);
    if (h == NULL)
        return NULL;
    h->stage = HTTP_READING;
    h->file_fd = -1;
    http_request_init(&h->request);
    return h;
}

static size_t queue_room(const struct queue *q)
{
    return QUEUE_CAPACITY - (q->end - q->start);
}

/* ---- Chapter 2's rules ------------------------------------------------------------- */

/* These four are chapter 2's (httpd.c), unchanged: a few dozen repeated lines are
 * the price of a chapter that links only common/. */

/* How long is the body, if any? Content-Length frames it; Transfer-Encoding we do not
 * implement (501); both, or lengths that disagree, or a header line that did not
 * parse: 400, since two servers could read such a request two ways (smuggling). */
static int check_framing(const struct http_request *req, long long *body_length)
{
    size_t lengths = http_header_count(req, "Content-Length");
    int chunked = http_header_count(req, "Transfer-Encoding") > 0;
    *body_length = 0;
    if (req->bad_header)
        return 400;
    if (chunked && lengths > 0)
        return 400;
    if (chunked)
        return 501;
    long long first = -1;
    for (size_t i = 0; i < req->header_count; i++) {
        if (strcasecmp(req->headers[i].name, "Content-Length") != 0)
            continue;
        long long length;
        if (http_parse_content_length(req->headers[i].value, &length) < 0 ||
            (first >= 0 && length != first))
            return 400;
        first = length;
    }
    if (first > MAX_BODY_BYTES)
        return 413;
    *body_length = first < 0 ? 0 : first;
    return 0;
}

/* HTTP/1.1 keeps the connection unless told "close"; HTTP/1.0 only when it asks. */
static int wants_keep_alive(const struct http_request *req)
{
    if (req->request_line.minor >= 1)
        return !http_header_has_token(req, "Connection", "close");
    return http_header_has_token(req, "Connection", "keep-alive");
}

/* After these the next request can still be found; after the others, not. */
static int status_keeps_connection(int status)
{
    switch (status) {
    case 0:
    case 301:
    case 304:
    case 403:
    case 404:
    case 405:
        return 1;
    default:
        return 0;
    }
}

/* If-Modified-Since: a 304 when the client's copy is as new as the file. */
static int is_not_modified(const struct http_request *req, const struct http_file *file)
{
    const char *since = http_header_value(req, "If-Modified-Since");
    time_t date;
    if (since == NULL || http_header_value(req, "If-None-Match") != NULL ||
        http_parse_date(since, &date) < 0 || date > time(NULL))
        return 0;
    return file->modified <= date;
}

/* ---- Responses: queued, never written here ----------------------------------------- */

/* The head of a response, queued; extra (NULL or "Name: value\r\n" lines) goes in
 * before the empty line. Returns 0 or -1. */
static int queue_head(struct server *s, struct conn *c, const struct http_head *head,
                      const char *extra)
{
    char text[RESPONSE_MAX];
    int n = http_format_head(head, text, sizeof text);
    if (n < 2)
        return -1;
    /* The head ends with an empty line: the extra lines go in before it. */
    conn_send(s, c, text, (size_t)n - 2);
    if (extra != NULL)
        conn_send(s, c, extra, strlen(extra));
    conn_send(s, c, "\r\n", 2);
    return 0;
}

static struct http_head head_for(const struct conn *c, int status)
{
    const struct http_state *h = c->http;
    return (struct http_head){
        .version = "HTTP/1.1",
        .status = status,
        .server = SERVER_HEADER,
        .content_length = -1,
        /* HTTP/1.1 stays open unless told; HTTP/1.0 only if it asked, so we say so. */
        .connection = !h->keep                             ? "close"
                      : h->request.request_line.minor == 0 ? "keep-alive"
                                                           : NULL,
    };
}

static int is_head(const struct http_request *req)
{
    return req->request_line.method != NULL &&
           strcmp(req->request_line.method, "HEAD") == 0;
}

/* An error page (or a 301). Returns the body bytes queued, or -1 for none. */
static long long queue_status(struct server *s, struct conn *c, int status,
                              const char *location, const char *extra, const char *allow)
{
    char body[512];
    int length = http_error_body(status, body, sizeof body);
    struct http_head head = head_for(c, status);
    head.content_type = "text/html; charset=utf-8";
    head.content_length = length < 0 ? 0 : length;
    head.location = location;
    head.allow = status == 405 ? (allow != NULL ? allow : "GET, HEAD") : NULL;
    if (queue_head(s, c, &head, extra) < 0)
        return -1;
    if (is_head(&c->http->request) || length <= 0)
        return -1;
    conn_send(s, c, body, (size_t)length);
    return length;
}

/* A file: its head now; its bytes as the socket drains (send_file_piece). */
static void queue_file(struct server *s, struct conn *c, struct http_file *file)
{
    struct http_state *h = c->http;
    struct http_head head = head_for(c, 200);
    head.last_modified = file->modified;
    if (is_not_modified(&h->request, file)) {
        head.status = 304; /* no Content-Length on a 304 (RFC 9110 §15.4.5) */
    } else {
        head.content_type = http_mime_type(file->real_path);
        head.content_length = (long long)file->size;
    }
    if (queue_head(s, c, &head, NULL) < 0 || head.status == 304 || is_head(&h->request)) {
        close(file->fd);
        return;
    }
    h->file_fd = file->fd;
    h->file_left = (long long)file->size;
    h->stage = HTTP_SENDING_FILE;
}

/* A response head for the session transports (sse.c, poll.c): length < 0 for none. */
void http_queue_head(struct server *s, struct conn *c, int status, const char *type,
                     long long length, const char *extra)
{
    struct http_head head = head_for(c, status);
    head.content_type = type;
    head.content_length = length;
    queue_head(s, c, &head, extra);
}

/* Queue the next piece of the file, if the queue has room for it. Returns 1 while
 * the file is not all queued. */
static int send_file_piece(struct server *s, struct conn *c)
{
    struct http_state *h = c->http;
    while (h->file_left > 0 && queue_room(&c->out) >= FILE_PIECE) {
        char piece[FILE_PIECE];
        size_t want = h->file_left < FILE_PIECE ? (size_t)h->file_left : FILE_PIECE;
        ssize_t n = read(h->file_fd, piece, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            /* An error, or the file shrank under us: the head promised bytes we
             * cannot send, and only closing tells the client. */
            c->state = CONN_GONE;
            return 0;
        }
        conn_send(s, c, piece, (size_t)n);
        h->file_left -= n;
    }
    if (h->file_left > 0)
        return 1;
    close(h->file_fd);
    h->file_fd = -1;
    return 0;
}

/* ---- Requests ---------------------------------------------------------------------- */

/* GET /ws: the handshake, and if it is good, the switch. Returns the status sent,
 * 101 when the connection is now a WebSocket. */
static int answer_upgrade(struct server *s, struct conn *c)
{
    char accept[WS_ACCEPT_SIZE];
    int status = ws_check_handshake(&c->http->request, accept);
    if (status == 0 && room_is_full(s))
        status = 503; /* -m counts every transport */
    if (status != 0) {
        c->http->keep = c->http->keep && status_keeps_connection(status);
        queue_status(s, c, status, NULL,
                     status == 426 ? "Sec-WebSocket-Version: 13\r\n" : NULL, NULL);
        return status;
    }
    char text[256];
    int n = snprintf(text, sizeof text,
                     "HTTP/1.1 101 Switching Protocols\r\n"
                     "Upgrade: websocket\r\n"
                     "Connection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: %s\r\n"
                     "\r\n",
                     accept);
    conn_send(s, c, text, (size_t)n);
    ws_accepted(s, c); /* from here on, frames: ws_member.c */
    return 101;
}

/* Is the request's target the path /ws (any query)? */
static int is_upgrade_path(const struct http_request *req)
{
    char path[16];
    return req->request_line.target != NULL &&
           http_target_path(req->request_line.target, path, sizeof path) == 0 &&
           strcmp(path, "/ws") == 0;
}

/* ---- The session endpoints -------------------------------------------------------- */

enum route { ROUTE_JOIN, ROUTE_EVENTS, ROUTE_POLL, ROUTE_SEND, ROUTE_NONE };

/* Each endpoint's path and the one method it takes. */
static const struct {
    const char *path, *method;
} routes[] = {
    {"/join", "POST"},
    {"/events", "GET"},
    {"/poll", "GET"},
    {"/send", "POST"},
};

static enum route route_of(const struct http_request *req)
{
    char path[16];
    if (req->request_line.target == NULL ||
        http_target_path(req->request_line.target, path, sizeof path) != 0)
        return ROUTE_NONE;
    for (int r = 0; r < ROUTE_NONE; r++)
        if (strcmp(path, routes[r].path) == 0)
            return (enum route)r;
    return ROUTE_NONE;
}

/* The value of name= in the target's query (not decoded: tokens and numbers need no
 * escapes), into out. Returns 1, 0 when absent, -1 when longer than out. */
static int query_value(const char *target, const char *name, char *out, size_t size)
{
    const char *query = strchr(target, '?');
    size_t name_length = strlen(name);
    while (query != NULL) {
        query++;
        size_t field = strcspn(query, "&");
        if (field > name_length && strncmp(query, name, name_length) == 0 &&
            query[name_length] == '=') {
            size_t value = field - name_length - 1;
            if (value + 1 > size)
                return -1;
            memcpy(out, query + name_length + 1, value);
            out[value] = '\0';
            return 1;
        }
        query = query[field] == '&' ? query + field : NULL;
    }
    return 0;
}

/* A decimal number, strictly (digits only, no overflow). Returns 0 or -1. */
static int parse_id(const char *text, unsigned long *out)
{
    unsigned long value = 0;
    if (text[0] == '\0')
        return -1;
    for (const char *p = text; *p != '\0'; p++) {
        if (*p < '0' || *p > '9' || value > (ULONG_MAX - 9) / 10)
            return -1;
        value = value * 10 + (unsigned long)(*p - '0');
    }
    *out = value;
    return 0;
}

/* POST /join: a member, and its token. */
static int answer_join(struct server *s, struct conn *c)
{
    if (room_is_full(s))
        return 503; /* -m counts every transport */
    struct member *m = session_join(s);
    if (m == NULL)
        return 500;
    char body[128];
    int n = snprintf(body, sizeof body, "{\"session\":\"%s\",\"nick\":\"%s\"}",
                     m->session->token, m->nick);
    http_queue_head(s, c, 200, "application/json", n, NULL);
    conn_send(s, c, body, (size_t)n);
    return 200;
}

/* GET /events, GET /poll, POST /send and POST /join. Returns the status answered
 * (or to be answered: /send answers once its body is in, a poll may be parked). */
static int answer_session(struct server *s, struct conn *c, enum route route,
                          long long body_length)
{
    struct http_state *h = c->http;
    const struct http_request *req = &h->request;
    if (strcmp(req->request_line.method, routes[route].method) != 0)
        return 405;
    if (route == ROUTE_JOIN)
        return answer_join(s, c);
    /* Who is asking? HTTP does not know: the request must say. */
    char token[SESSION_TOKEN_HEX + 2];
    int found = query_value(req->request_line.target, "session", token, sizeof token);
    if (found == 0)
        return 400;
    struct session *se = found > 0 ? session_find(s, token) : NULL;
    if (se == NULL)
        return 404; /* unknown, expired, ended, or not a token at all */
    se->last_active_ms = io_now_ms();
    if (route == ROUTE_EVENTS) {
        sse_start(s, c, se, http_header_value(req, "Last-Event-ID")); /* sse.c */
        return 200;
    }
    if (route == ROUTE_POLL) {
        char text[32];
        unsigned long since = 0;
        found = query_value(req->request_line.target, "since", text, sizeof text);
        if (found < 0 || (found > 0 && parse_id(text, &since) < 0) ||
            since > session_newest(se))
            return 400;
        poll_start(s, c, se, since); /* poll.c */
        return 200;
    }
    /* POST /send: the body is chat input, read as it comes; 204 once it is all in. */
    if (body_length > MAX_SEND_BYTES)
        return 413;
    h->stage = HTTP_RECEIVING;
    h->session = se;
    h->body_left = body_length;
    h->body.length = 0; /* a new body: no line begun, none being thrown away */
    h->body.discarding = 0;
    return 204;
}

/* A whole head has been parsed with this verdict: answer it. */
static void answer(struct server *s, struct conn *c, int status)
{
    struct http_state *h = c->http;
    const struct http_request *req = &h->request;
    h->served++;
    /* Chapter 2's order: after the request line, version and method come the
     * framing and Host; then the target and the file. */
    long long body_length = 0;
    if (status_keeps_connection(status)) {
        int framing = req->complete ? check_framing(req, &body_length) : 0;
        if (framing != 0)
            status = framing;
        else if (status == 0 && req->request_line.minor >= 1 &&
                 http_header_count(req, "Host") != 1)
            status = 400;
    }
    h->keep = req->complete && wants_keep_alive(req) &&
              h->served < DEFAULT_MAX_REQUESTS && status_keeps_connection(status);
    /* /ws takes any method to its own judge: a POST there is a bad handshake (400),
     * not a 405. */
    int routable = status == 0 || status == 405 || status == 501;
    enum route route = routable ? route_of(req) : ROUTE_NONE;
    long long sent = -1;
    if (routable && is_upgrade_path(req)) {
        status = answer_upgrade(s, c);
        body_length = 0;
    } else if (route != ROUTE_NONE) {
        status = answer_session(s, c, route, body_length);
        h->keep = h->keep &&
                  (status_keeps_connection(status) || status == 200 || status == 204);
        if (status == 204)
            body_length = 0; /* it is the message, not something to skip */
        else if (status != 200)
            sent = queue_status(s, c, status, NULL, NULL, routes[route].method);
    } else {
        struct http_file file = {.fd = -1};
        char location[HTTP_LOCATION_SIZE];
        if (status == 0)
            status = http_find_file(s->root, req->request_line.target, &file, location,
                                    sizeof location);
        h->keep = h->keep && status_keeps_connection(status);
        if (body_length > 0 && http_header_has_token(req, "Expect", "100-continue"))
            h->keep = 0; /* it waits for a go-ahead we do not give: answer, close */
        if (status == 0) {
            queue_file(s, c, &file);
            sent = (long long)file.size; /* the log counts what it was promised */
        } else {
            sent =
                queue_status(s, c, status, status == 301 ? location : NULL, NULL, NULL);
        }
    }
    log_access(c->peer, time(NULL), req->line, status == 0 ? 200 : status, sent);
    if (status == 101 || h->stage == HTTP_RECEIVING)
        return;
    if (h->keep && body_length > 0) {
        h->body_left = body_length; /* read and thrown away, then the next request */
        if (h->stage == HTTP_READING)
            h->stage = HTTP_SKIPPING;
    }
}

/* The response is queued (and its file, if any): close, or get ready for the next
 * request. */
static void end_of_response(struct server *s, struct conn *c)
{
    struct http_state *h = c->http;
    if (!h->keep) {
        conn_close_gently(s, c, 0);
        return;
    }
    http_request_init(&h->request);
    h->stage = h->body_left > 0 ? HTTP_SKIPPING : HTTP_READING;
    h->request_started = h->body_left > 0;
    c->deadline_ms = io_now_ms() + s->idle_ms; /* idle until the next request */
}

/* POST /send: feed the body, as it arrives, to the member as chat input, cut into
 * lines exactly like raw input; the end of the body ends its last line. Then 204.
 * The body has its own line buffer (h->body), not the member's: another /send for
 * the same session, on another connection, may arrive while this one is half-way
 * through a line. Returns the bytes still to come. */
static long long receive_body(struct server *s, struct conn *c)
{
    struct http_state *h = c->http;
    size_t take =
        h->body_left < (long long)c->in_length ? (size_t)h->body_left : c->in_length;
    struct member *m = h->session != NULL ? h->session->member : NULL;
    if (m != NULL && take > 0)
        member_input(s, m, &h->body, (const char *)c->in, take);
    memmove(c->in, c->in + take, c->in_length - take);
    c->in_length -= take;
    h->body_left -= (long long)take;
    if (h->body_left > 0)
        return h->body_left;
    if (m != NULL)
        member_input_end(s, m, &h->body);
    h->session = NULL;
    h->stage = HTTP_READING;
    http_queue_head(s, c, 204, NULL, -1, NULL); /* no body, so no length (RFC 9110) */
    return 0;
}

/* Work through what has arrived: heads, bodies to skip, as far as the queue has room
 * for the answers. */
static void process_input(struct server *s, struct conn *c)
{
    struct http_state *h = c->http;
    while (c->state == CONN_OPEN && c->kind == CONN_HTTP) {
        if (h->stage == HTTP_SENDING_FILE || h->stage == HTTP_STREAM ||
            h->stage == HTTP_PARKED)
            return; /* the answer is still going out: the next request waits */
        if (h->stage == HTTP_RECEIVING) {
            if (receive_body(s, c) > 0)
                return;
            end_of_response(s, c);
            continue;
        }
        if (h->stage == HTTP_SKIPPING) {
            size_t take = h->body_left < (long long)c->in_length ? (size_t)h->body_left
                                                                 : c->in_length;
            memmove(c->in, c->in + take, c->in_length - take);
            c->in_length -= take;
            h->body_left -= (long long)take;
            if (h->body_left > 0)
                return;
            h->stage = HTTP_READING;
            h->request_started = 0;
            continue;
        }
        if (c->in_length == 0 || queue_room(&c->out) < RESPONSE_MAX)
            return;
        int status = http_parse_head(&h->request, (const char *)c->in, c->in_length);
        if (status == HTTP_HEAD_INCOMPLETE)
            return;
        /* The head's bytes leave the buffer; what follows (a body, the next request,
         * or a WebSocket's first frames) stays. */
        size_t used = h->request.head_length;
        answer(s, c, status);
        memmove(c->in, c->in + used, c->in_length - used);
        c->in_length -= used;
        if (c->kind == CONN_WEBSOCKET) {
            free(c->http); /* HTTP is over on this connection */
            c->http = NULL;
            ws_take_input(s, c); /* frames that came with the handshake */
            return;
        }
        if (h->stage == HTTP_READING || h->stage == HTTP_SKIPPING)
            end_of_response(s, c); /* else the answer is still to come */
    }
}

/* select() said the connection has bytes for us. */
void http_read(struct server *s, struct conn *c)
{
    ssize_t n = read(c->fd, c->in + c->in_length, sizeof c->in - c->in_length);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (n <= 0) {
        c->state = CONN_GONE; /* closed or reset: nobody to answer */
        return;
    }
    if (s->verbose)
        log_wire(c->fd, LOG_RECEIVED, c->in + c->in_length, (size_t)n);
    if (c->http->stage == HTTP_STREAM)
        return; /* an event stream goes one way: what a client sends is ignored */
    c->in_length += (size_t)n;
    if (c->http->stage == HTTP_PARKED)
        return; /* a pipelined request waits until the poll is answered */
    if (!c->http->request_started) {
        /* A request has begun: it must be complete within -t (chapter 2). */
        c->http->request_started = 1;
        c->deadline_ms = io_now_ms() + s->idle_ms;
    }
    process_input(s, c);
}

/* The queue has drained a little (or is empty): the next piece of a file, and then
 * the next request, if one is waiting. */
void http_continue(struct server *s, struct conn *c)
{
    struct http_state *h = c->http;
    if (c->state != CONN_OPEN)
        return;
    if (h->stage == HTTP_SENDING_FILE) {
        c->deadline_ms = io_now_ms() + s->idle_ms; /* it reads: it is not stalled */
        if (send_file_piece(s, c) || c->state != CONN_OPEN)
            return;
        h->stage = HTTP_READING;
        end_of_response(s, c);
    }
    if (h->stage == HTTP_STREAM && h->session != NULL)
        sse_push(s, h->session); /* events that waited for room */
    process_input(s, c);
}

/* A parked poll has been answered (poll.c): on to the next request, which
 * http_continue() takes up once the answer is on its way. */
void http_response_done(struct server *s, struct conn *c)
{
    if (c->http->stage != HTTP_PARKED)
        return; /* answered at once: process_input() goes on by itself */
    c->http->stage = HTTP_READING;
    end_of_response(s, c);
}

int http_wants_write(const struct conn *c)
{
    return c->http != NULL && c->http->stage == HTTP_SENDING_FILE;
}
