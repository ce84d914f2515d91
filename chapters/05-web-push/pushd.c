/* pushd.c: chapter 5, HTTP's own ways to push, and a browser in chapter 3's room.
 *
 * A browser cannot open a raw TCP connection, so it cannot join chapter 3's chat.
 * HTTP itself has three answers: a request the server answers only when it has
 * news (long polling), a response that never ends (server-sent events), and the
 * WebSocket upgrade, which turns an HTTP connection into a two-way stream of frames
 * (RFC 6455). pushd serves them all from one process, one thread and one select()
 * loop, as chapter 3 did: the concurrency model does not depend on the protocol.
 * Two listening sockets feed it:
 *
 *   the HTTP port (-p)   static files with chapter 2's rules (web.c), and HTTP's
 *                        three ways into the room: GET /ws, the WebSocket upgrade
 *                        (ws_member.c); and for a client that speaks only plain
 *                        HTTP, a session (sessions.c) whose lines arrive by
 *                        server-sent events (sse.c) or long polling (poll.c) and
 *                        leave by POST /send
 *   the chat port (-P)   chapter 3's line protocol, exactly: nc and chat work
 *
 * and every member, whatever its transport, is in one room (room.c). The loop is
 * chapter 3's five steps, main_loop() below: sleep in select(); read; act; flush;
 * drop who left. What is new is that a connection has a kind (raw, HTTP, WebSocket)
 * and that closing is a stage of its own: a server that has said its last words
 * still waits for them to leave before it hangs up.
 *
 * Shortcuts, named where taken: the listening sockets come from common's
 * net_listen(); select() watches only FD_SETSIZE descriptors, so the server is
 * capped (MAX_CONNS); every round looks at every connection.
 */
#include "pushd.h"

#include "io.h"
#include "log.h"
#include "net.h"
#include "options.h"
#include "sig.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef DEFAULT_ROOT /* the Makefile passes this chapter's www/ folder */
#define DEFAULT_ROOT "www"
#endif

#define DEFAULT_ADDRESS      "127.0.0.1" /* loopback: never the whole network unless asked */
#define DEFAULT_HTTP_PORT    "8005"
#define DEFAULT_CHAT_PORT    "8004"
#define DEFAULT_MAX_MEMBERS  100
#define DEFAULT_IDLE_SECS    5  /* -t */
#define DEFAULT_POLL_SECS    25 /* -L */
#define DEFAULT_PING_SECS    30 /* -K */
#define DEFAULT_SESSION_SECS 60 /* -E */
#define MAX_SECS             86400
#define ACCEPT_PAUSE_MS      100  /* out of descriptors: stop accepting this long */
#define LINGER_MS            1000 /* how long a closing connection may take */

static int parse_options(int argc, char **argv, struct server *s, const char **address,
                         const char **http_port, const char **chat_port,
                         const char **root);
static int open_listeners(struct server *s, const char *address, const char *http_port,
                          const char *chat_port);
static int main_loop(struct server *s);

int main(int argc, char **argv)
{
    struct server s = {
        .http_fd = -1,
        .chat_fd = -1,
        .max_members = DEFAULT_MAX_MEMBERS,
        .idle_ms = DEFAULT_IDLE_SECS * 1000,
        .poll_secs = DEFAULT_POLL_SECS,
        .ping_secs = DEFAULT_PING_SECS,
        .session_secs = DEFAULT_SESSION_SECS,
    };
    const char *address = DEFAULT_ADDRESS;
    const char *http_port = DEFAULT_HTTP_PORT;
    const char *chat_port = DEFAULT_CHAT_PORT;
    const char *root = DEFAULT_ROOT;
    int rc = parse_options(argc, argv, &s, &address, &http_port, &chat_port, &root);
    if (rc >= 0)
        return rc;

    if (http_real_root(root, s.root) < 0) {
        fprintf(stderr, "%s: document root %s: %s\n", PROGRAM_NAME, root,
                strerror(errno));
        return 1;
    }
    /* As in chapter 3: SIGINT and SIGTERM only set a flag and get through only while
     * we sleep in pselect(); SIGPIPE is ignored (sig.h). */
    if (sig_setup_stop(&s.wait_mask) < 0) {
        fprintf(stderr, "%s: signals: %s\n", PROGRAM_NAME, strerror(errno));
        return 1;
    }
    s.members = calloc(MAX_MEMBERS_LIMIT, sizeof(struct member *));
    s.conns = calloc(MAX_CONNS, sizeof(struct conn *));
    if (s.members == NULL || s.conns == NULL) {
        fprintf(stderr, "%s: out of memory\n", PROGRAM_NAME);
        free(s.members);
        free(s.conns);
        return 1;
    }
    /* Session tokens come from the system's random source: unguessable, unlike
     * rand() or a counter (sessions.c). */
    s.random_fd = open("/dev/urandom", O_RDONLY);
    if (s.random_fd < 0) {
        fprintf(stderr, "%s: /dev/urandom: %s\n", PROGRAM_NAME, strerror(errno));
        free(s.members);
        free(s.conns);
        return 1;
    }
    rc = open_listeners(&s, address, http_port, chat_port);
    if (rc == 0) {
        long long now = io_now_ms();
        s.next_tick_ms = now + (long long)s.tick_secs * 1000;
        s.next_ping_ms = now + (long long)s.ping_secs * 1000;
        tzset(); /* the access log's dates: read the time zone once, now */
        rc = main_loop(&s);
        fprintf(stderr, "%s: stopping (signal %d)\n", PROGRAM_NAME,
                (int)sig_stop_requested);
        close_everything(&s); /* a goodbye on every transport: shutdown.c */
    }
    if (s.http_fd >= 0)
        close(s.http_fd);
    if (s.chat_fd >= 0)
        close(s.chat_fd);
    close(s.random_fd);
    free(s.members);
    free(s.conns);
    return rc < 0 ? 1 : 0;
}

/* Both listeners, and the one line that says where they are:
 *   pushd: listening on http://127.0.0.1:8005/ and chat://127.0.0.1:8004/ */
static int open_listeners(struct server *s, const char *address, const char *http_port,
                          const char *chat_port)
{
    char why[256];
    char http_url[NET_ADDRSTRLEN + 16], chat_url[NET_ADDRSTRLEN + 16];
    s->http_fd = net_listen(address, http_port, NET_LISTEN_BACKLOG, why, sizeof why);
    if (s->http_fd >= 0)
        s->chat_fd = net_listen(address, chat_port, NET_LISTEN_BACKLOG, why, sizeof why);
    if (s->http_fd < 0 || s->chat_fd < 0) {
        fprintf(stderr, "%s: %s\n", PROGRAM_NAME, why);
        return -1;
    }
    if (s->http_fd >= FD_SETSIZE || s->chat_fd >= FD_SETSIZE ||
        net_listen_url(s->http_fd, "http", http_url, sizeof http_url) < 0 ||
        net_listen_url(s->chat_fd, "chat", chat_url, sizeof chat_url) < 0) {
        fprintf(stderr, "%s: setting up the listening sockets: %s\n", PROGRAM_NAME,
                strerror(errno));
        return -1;
    }
    printf("%s: listening on %s and %s\n", PROGRAM_NAME, http_url, chat_url);
    fflush(stdout);
    fprintf(stderr, "%s: serving %s\n", PROGRAM_NAME, s->root);
    return 0;
}

/* ---- The loop ---------------------------------------------------------------------- */

static int watch_descriptors(struct server *s, fd_set *readable, fd_set *writable);
static void ping_if_due(struct server *s);
static struct timespec *time_to_next_event(struct server *s, struct timespec *ts);
static void read_from(struct server *s, struct conn *c);
static void accept_from(struct server *s, int listen_fd);
static void expire_deadlines(struct server *s);
static void close_finished_conns(struct server *s);
static void drop_gone_members(struct server *s);

/* Returns 0 when a stop signal ended it, -1 if pselect() itself failed. */
static int main_loop(struct server *s)
{
    while (!sig_stop_requested) {
        /* 1. Sleep until something happens: a connection has bytes for us or room
         * for ours, a newcomer waits, or a timer is due (a tick, a ping, an idle
         * HTTP connection's time-out). */
        fd_set readable, writable;
        int max_fd = watch_descriptors(s, &readable, &writable);
        struct timespec timeout;
        int ready = pselect(max_fd + 1, &readable, &writable, NULL,
                            time_to_next_event(s, &timeout), &s->wait_mask);
        if (ready < 0) {
            if (errno == EINTR)
                continue; /* a signal: the loop condition looks at the flag */
            fprintf(stderr, "%s: pselect: %s\n", PROGRAM_NAME, strerror(errno));
            return -1;
        }

        /* 2 and 3. Read from every connection select() named, and act on what came:
         * each kind in its own way (raw lines, HTTP requests, WebSocket frames), but
         * every chat line ends up in room.c. */
        int count = s->conn_count; /* newcomers wait for the next round */
        for (int i = 0; i < count; i++)
            if (FD_ISSET(s->conns[i]->fd, &readable))
                read_from(s, s->conns[i]);

        /* Newcomers, on either port. */
        if (FD_ISSET(s->http_fd, &readable))
            accept_from(s, s->http_fd);
        if (FD_ISSET(s->chat_fd, &readable))
            accept_from(s, s->chat_fd);

        /* The server speaks on its own: ticks (room.c), pings (WebSocket and SSE),
         * parked polls and idle connections whose time is up, expired sessions. */
        send_tick_if_due(s);
        ping_if_due(s);
        expire_deadlines(s);
        session_expire(s);

        /* 4. Write what the kernel will take of every output queue. */
        flush_output(s);

        /* 5. Close what is finished, and take out of the room whoever left or broke
         * (the others hear "* NAME left"). */
        close_finished_conns(s);
        drop_gone_members(s);
        close_finished_conns(s);
    }
    return 0;
}

/* Should we read from c now? Not while an HTTP connection sends a file (a pipelined
 * request waits its turn in the buffer), and not when its buffer is full. */
static int wants_read(const struct conn *c)
{
    if (c->state == CONN_DRAINING)
        return 1;
    if (c->state != CONN_OPEN || c->in_length == sizeof c->in)
        return 0;
    return c->kind != CONN_HTTP || c->http->stage != HTTP_SENDING_FILE;
}

static int wants_write(const struct conn *c)
{
    return c->state != CONN_DRAINING && c->state != CONN_GONE &&
           (c->out.start < c->out.end || (c->kind == CONN_HTTP && http_wants_write(c)));
}

/* Fill the two sets for pselect(). Returns the highest descriptor in them. */
static int watch_descriptors(struct server *s, fd_set *readable, fd_set *writable)
{
    FD_ZERO(readable);
    FD_ZERO(writable);
    int max_fd = s->http_fd > s->chat_fd ? s->http_fd : s->chat_fd;
    if (io_now_ms() >= s->accept_after) {
        FD_SET(s->http_fd, readable);
        FD_SET(s->chat_fd, readable);
    }
    for (int i = 0; i < s->conn_count; i++) {
        struct conn *c = s->conns[i];
        /* Every fd here is below FD_SETSIZE: accept_from() refused the others. */
        if (wants_read(c))
            FD_SET(c->fd, readable);
        if (wants_write(c))
            FD_SET(c->fd, writable);
        if (c->fd > max_fd)
            max_fd = c->fd;
    }
    return max_fd;
}

static void earliest(long long *next, long long when)
{
    if (when > 0 && (*next < 0 || when < *next))
        *next = when;
}

/* pselect()'s timeout: until the earliest timer; NULL (sleep until something
 * happens) when none is pending. */
static struct timespec *time_to_next_event(struct server *s, struct timespec *ts)
{
    long long now = io_now_ms();
    long long next = -1;
    if (s->tick_secs > 0)
        earliest(&next, s->next_tick_ms);
    earliest(&next, s->next_ping_ms);
    if (s->accept_after > now)
        earliest(&next, s->accept_after);
    for (int i = 0; i < s->conn_count; i++)
        earliest(&next, s->conns[i]->deadline_ms);
    earliest(&next, session_next_expiry(s));
    if (next < 0)
        return NULL;
    long long wait_ms = next > now ? next - now : 0;
    ts->tv_sec = (time_t)(wait_ms / 1000);
    ts->tv_nsec = (long)(wait_ms % 1000) * 1000000L;
    return ts;
}

/* ---- Accepting --------------------------------------------------------------------- */

static struct conn *new_conn(struct server *s, int fd, enum conn_kind kind)
{
    struct conn *c = NULL;
    if (s->conn_count < MAX_CONNS && fd < FD_SETSIZE)
        c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    if (kind == CONN_HTTP && (c->http = http_start()) == NULL) {
        free(c);
        return NULL;
    }
    c->fd = fd;
    c->kind = kind;
    c->state = CONN_OPEN;
    if (net_peer_address(fd, c->peer, sizeof c->peer) < 0)
        snprintf(c->peer, sizeof c->peer, "-");
    s->conns[s->conn_count++] = c;
    return c;
}

/* No room: one non-blocking write on a new, empty socket, then hang up. */
static void refuse(int fd, int http)
{
    static const char full[] = "! server full\n";
    static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\n"
                               "Content-Length: 0\r\nConnection: close\r\n\r\n";
    const char *text = http ? busy : full;
    if (write(fd, text, strlen(text)) < 0) {
        /* the client is already gone */
    }
    io_linger(fd, 0, 64 * 1024);
    close(fd);
}

int room_is_full(const struct server *s)
{
    return s->member_count >= s->max_members;
}

static void accept_from(struct server *s, int listen_fd)
{
    int fd = accept(listen_fd, NULL, NULL);
    if (fd < 0) {
        if (errno == EMFILE || errno == ENFILE) {
            /* Chapter 3's answer: the newcomer stays queued and the listener stays
             * readable, so look away for a moment rather than spin. */
            fprintf(stderr, "%s: accept: %s\n", PROGRAM_NAME, strerror(errno));
            s->accept_after = io_now_ms() + ACCEPT_PAUSE_MS;
        } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED &&
                   errno != EINTR) {
            fprintf(stderr, "%s: accept: %s\n", PROGRAM_NAME, strerror(errno));
        }
        return;
    }
    int http = listen_fd == s->http_fd;
    if (net_set_nonblocking(fd, 1) < 0) {
        close(fd);
        return;
    }
    /* No Nagle: a chat line or a frame is a message, to be sent now. */
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct conn *c = NULL;
    if (http || !room_is_full(s))
        c = new_conn(s, fd, http ? CONN_HTTP : CONN_RAW);
    if (c == NULL) {
        refuse(fd, http);
        return;
    }
    if (http) {
        c->deadline_ms = io_now_ms() + s->idle_ms; /* chapter 2's -t: idle */
        return;
    }
    /* The chat port: in the room at once, and the server speaks first. */
    conn_limit_kernel_buffer(c);
    if (member_join(s, c, TRANSPORT_RAW) == NULL)
        c->state = CONN_GONE; /* out of memory */
}

/* A connection that carries room lines (raw, WebSocket, an event stream): cap the
 * kernel's send buffer at about our own queue. Linux grows a socket's send buffer by
 * itself while the network looks fast (up to net.ipv4.tcp_wmem's last figure, 4 MiB
 * by default), and loopback always looks fast: a member that stopped reading would
 * swallow megabytes into the kernel before its 64 KiB queue began to fill, and be
 * dropped only many seconds later (tests/bench/push_load.c found 10 s). A fixed
 * SO_SNDBUF turns that growth off, so what waits for a member is bounded by its
 * queue plus about as much again in the kernel. A file on the HTTP port keeps the
 * growth: there, a big buffer is speed. */
void conn_limit_kernel_buffer(struct conn *c)
{
    int size = QUEUE_CAPACITY;
    if (setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size) < 0) {
        /* the kernel's own size stays: slower to notice a stalled member, still right */
    }
}

/* A member joins through connection c (the raw port, or a WebSocket after its
 * handshake): a guest name, the welcome, and "* guest1 joined" to the others.
 * Returns it, or NULL when out of memory. */
struct member *member_join(struct server *s, struct conn *c, enum transport transport)
{
    struct member *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    m->state = MEMBER_ACTIVE;
    m->transport = transport;
    m->conn = c;
    c->member = m;
    name_new_guest(s, m);
    s->members[s->member_count++] = m;
    fprintf(stderr, "%s: %s joined from %s (fd %d, %s)\n", PROGRAM_NAME, m->nick, c->peer,
            c->fd, transport == TRANSPORT_RAW ? "raw" : "websocket");
    welcome(s, m);
    return m;
}

/* ---- Steps 2 and 3: reading -------------------------------------------------------- */

/* Chat input from any transport: add it to in, cut it into lines exactly as
 * chapter 3 cut a raw client's bytes (lines.c), and hand each to the room as m's. A
 * line longer than LINE_MAX_BYTES gets one error as soon as we know, and the rest of
 * it is thrown away up to its LF. The bytes may be more than the line buffer holds:
 * they are taken a buffer-full at a time. */
void member_input(struct server *s, struct member *m, struct line_input *in,
                  const char *bytes, size_t length)
{
    while (length > 0 && m->state == MEMBER_ACTIVE) {
        size_t take = sizeof in->bytes - in->length;
        if (take > length)
            take = length;
        memcpy(in->bytes + in->length, bytes, take);
        in->length += take;
        bytes += take;
        length -= take;

        size_t at = 0;
        while (at < in->length && m->state == MEMBER_ACTIVE) {
            const char *rest = in->bytes + at;
            size_t left = in->length - at;
            if (in->discarding) {
                const char *lf = memchr(rest, '\n', left);
                at += lf != NULL ? (size_t)(lf - rest) + 1 : left;
                in->discarding = lf == NULL;
                continue;
            }
            struct line line;
            int found = find_line(rest, left, &line);
            if (found == LINE_INCOMPLETE)
                break;
            if (found == LINE_TOO_LONG) {
                send_text(s, m, "! line too long (max 1024 bytes)");
                in->discarding = 1;
                continue;
            }
            handle_line(s, m, rest, line.length);
            at += line.next;
        }
        memmove(in->bytes, in->bytes + at, in->length - at);
        in->length -= at;
    }
}

/* The end of a WebSocket message (or of a /send body) also ends its last line. */
void member_input_end(struct server *s, struct member *m, struct line_input *in)
{
    if (in->length > 0 || in->discarding)
        member_input(s, m, in, "\n", 1);
}

/* The chat port: chapter 3's read_from_client(), one read per round. */
static void raw_read(struct server *s, struct conn *c)
{
    ssize_t n = read(c->fd, c->in, sizeof c->in);
    if (n < 0) {
        if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
            return;
        c->state = CONN_GONE; /* ECONNRESET: it vanished */
        return;
    }
    if (n == 0) { /* end of file: it closed; a partial line is lost */
        if (c->member != NULL)
            c->member->state = MEMBER_LEAVING;
        return;
    }
    if (s->verbose)
        log_wire(c->fd, LOG_RECEIVED, c->in, (size_t)n);
    if (c->member != NULL) /* after /quit, whatever else it sent is ignored */
        member_input(s, c->member, &c->member->input, (const char *)c->in, (size_t)n);
}

/* A closing connection: read and throw away until the peer's FIN. */
void conn_drain(struct conn *c)
{
    ssize_t n = read(c->fd, c->in, sizeof c->in);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK))
        c->state = CONN_GONE;
}

static void read_from(struct server *s, struct conn *c)
{
    if (c->state == CONN_DRAINING) {
        conn_drain(c);
        return;
    }
    switch (c->kind) {
    case CONN_RAW:
        raw_read(s, c);
        break;
    case CONN_HTTP:
        http_read(s, c); /* web.c; may turn c into a WebSocket */
        break;
    case CONN_WEBSOCKET:
        ws_read(s, c); /* ws_member.c */
        break;
    }
}

/* ---- Step 4: flushing -------------------------------------------------------------- */

/* Queue bytes that are not room lines (HTTP responses, WebSocket control frames).
 * Their producers check for room first; if it is missing all the same, the
 * connection cannot be trusted to make sense any more. */
void conn_send(struct server *s, struct conn *c, const void *bytes, size_t length)
{
    (void)s;
    if (c->state == CONN_GONE)
        return;
    if (queue_append(&c->out, bytes, length) < 0) {
        c->state = CONN_GONE;
        if (c->member != NULL)
            c->member->state = MEMBER_BROKEN;
    }
}

/* Closing, in two stages: let the queue drain (CLOSING), then send our FIN and read
 * what the peer still sends until its own FIN (DRAINING). Both within linger_ms. */
static void finish_closing(struct conn *c)
{
    if (c->state != CONN_CLOSING || c->out.start < c->out.end)
        return;
    if (shutdown(c->fd, SHUT_WR) < 0)
        c->state = CONN_GONE;
    else
        c->state = CONN_DRAINING;
}

void conn_close_gently(struct server *s, struct conn *c, int linger_ms)
{
    (void)s;
    if (c->state != CONN_OPEN)
        return;
    c->state = CONN_CLOSING;
    c->deadline_ms = io_now_ms() + (linger_ms > 0 ? linger_ms : LINGER_MS);
    finish_closing(c);
}

static void flush_conn(struct server *s, struct conn *c)
{
    const char *pending = c->out.data + c->out.start;
    ssize_t n = queue_flush(&c->out, c->fd);
    if (n < 0) {
        c->state = CONN_GONE; /* EPIPE, ECONNRESET: it is gone */
        if (c->member != NULL)
            c->member->state = MEMBER_BROKEN;
        return;
    }
    if (n > 0 && s->verbose)
        log_wire(c->fd, LOG_SENT, pending, (size_t)n);
    if (n > 0 && c->kind == CONN_HTTP)
        http_continue(s, c); /* the next piece of a file, or the next request */
}

void flush_output(struct server *s)
{
    for (int i = 0; i < s->conn_count; i++) {
        struct conn *c = s->conns[i];
        if (c->state == CONN_OPEN || c->state == CONN_CLOSING) {
            if (c->out.start < c->out.end)
                flush_conn(s, c);
            else if (c->kind == CONN_HTTP && c->state == CONN_OPEN)
                http_continue(s, c);
        }
        finish_closing(c);
    }
}

/* ---- Timers and step 5: closing and dropping --------------------------------------- */

/* Every -K seconds: a PING on every WebSocket, a comment on every event stream. */
static void ping_if_due(struct server *s)
{
    long long now = io_now_ms();
    if (now < s->next_ping_ms)
        return;
    s->next_ping_ms = now + (long long)s->ping_secs * 1000;
    ws_ping_all(s); /* ws_member.c */
    sse_ping(s);    /* sse.c */
}

static void expire_deadlines(struct server *s)
{
    long long now = io_now_ms();
    for (int i = 0; i < s->conn_count; i++) {
        struct conn *c = s->conns[i];
        if (c->deadline_ms > 0 && now >= c->deadline_ms && c->kind == CONN_HTTP &&
            c->state == CONN_OPEN && c->http->stage == HTTP_PARKED) {
            c->deadline_ms = 0;
            poll_expire(s, c); /* -L: an empty answer (poll.c) */
            continue;
        }
        if (c->deadline_ms > 0 && now >= c->deadline_ms) {
            /* An idle or too slow HTTP client: closed without a word (chapter 2);
             * a closing connection whose peer never finished: closed anyway. */
            c->state = CONN_GONE;
            c->deadline_ms = 0;
        }
    }
}

void free_conn(struct conn *c)
{
    if (c->http != NULL && c->http->file_fd >= 0)
        close(c->http->file_fd);
    free(c->http);
    free(c->ws);
    free(c);
}

/* Close every connection that is finished. Its member, if it still has one, is
 * broken: step 5 takes it out of the room. */
static void close_finished_conns(struct server *s)
{
    int i = 0;
    while (i < s->conn_count) {
        struct conn *c = s->conns[i];
        if (c->state != CONN_GONE) {
            i++;
            continue;
        }
        if (c->member != NULL) {
            c->member->conn = NULL;
            c->member->state = MEMBER_BROKEN;
        }
        if (c->kind == CONN_HTTP)
            session_detach(c); /* a stream or a poll: its session lives on */
        memmove(&s->conns[i], &s->conns[i + 1],
                (size_t)(s->conn_count - i - 1) * sizeof(struct conn *));
        s->conn_count--;
        close(c->fd);
        s->accept_after = 0; /* a descriptor is free again */
        free_conn(c);
    }
}

/* Take every member that left or broke out of the room, and tell the others. Telling
 * them can break another member (its queue overflows), so we start over until a
 * pass finds nobody to drop (chapter 3's drop_gone_clients). */
static void drop_gone_members(struct server *s)
{
    int i = 0;
    while (i < s->member_count) {
        struct member *m = s->members[i];
        if (m->state == MEMBER_ACTIVE) {
            i++;
            continue;
        }
        memmove(&s->members[i], &s->members[i + 1],
                (size_t)(s->member_count - i - 1) * sizeof(struct member *));
        s->member_count--;
        struct conn *c = m->conn;
        if (m->session != NULL)
            session_end(s, m->session); /* its stream and poll end: sessions.c */
        if (c != NULL) {
            c->member = NULL;
            if (m->state == MEMBER_BROKEN)
                c->state = CONN_GONE;
            else if (c->kind == CONN_WEBSOCKET)
                ws_close(s, c, WS_CLOSE_NORMAL); /* after "* bye": CLOSE 1000 */
            else
                conn_close_gently(s, c, LINGER_MS);
        }
        fprintf(stderr, "%s: %s left\n", PROGRAM_NAME, m->nick);
        announce_left(s, m->nick);
        free(m);
        i = 0;
    }
}

/* ---- The command line -------------------------------------------------------------- */

/* Not the lesson: every program in this book reads its options this way. */

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: %s [-b ADDR] [-p HTTP_PORT] [-P CHAT_PORT] [-d DIR] [-m MAX_CLIENTS]\n"
        "             [-t SECS] [-L POLL_SECS] [-K PING_SECS] [-E SESSION_SECS]\n"
        "             [-T TICK_SECS] [-v]\n"
        "  -b ADDR  address to listen on (default %s; ::1 for IPv6, 0.0.0.0 for all)\n"
        "  -p PORT  the HTTP port: files, and WebSocket at /ws (default %s; 0 picks "
        "one)\n"
        "  -P PORT  the raw chat port, chapter 3's protocol (default %s; 0 picks one)\n"
        "  -d DIR   document root (default %s)\n"
        "  -m N     at most N members in the room, all transports (default %d, max %d)\n"
        "  -t SECS  idle and request time-out of plain HTTP connections (default %d)\n"
        "  -L SECS  how long a long poll is parked (default %d)\n"
        "  -K SECS  WebSocket ping interval; silent clients are dropped (default %d)\n"
        "  -E SECS  a session without a request for this long expires (default %d)\n"
        "  -T SECS  send everyone \"* tick K\" every SECS seconds (default 0: never)\n"
        "  -v       wire trace: show every byte received (<<<) and sent (>>>) on stderr\n"
        "  -h       show this help\n",
        PROGRAM_NAME, DEFAULT_ADDRESS, DEFAULT_HTTP_PORT, DEFAULT_CHAT_PORT, DEFAULT_ROOT,
        DEFAULT_MAX_MEMBERS, MAX_MEMBERS_LIMIT, DEFAULT_IDLE_SECS, DEFAULT_POLL_SECS,
        DEFAULT_PING_SECS, DEFAULT_SESSION_SECS);
}

/* A number of seconds in [min, MAX_SECS] for option opt, or -1 after saying why. */
static int seconds(int opt, const char *text, long min)
{
    long number;
    if (option_number(text, min, MAX_SECS, &number) < 0) {
        fprintf(stderr, "%s: -%c wants seconds (%ld-%d)\n", PROGRAM_NAME, opt, min,
                MAX_SECS);
        return -1;
    }
    return (int)number;
}

/* Returns -1 to go on, or the exit status for main(). */
static int parse_options(int argc, char **argv, struct server *s, const char **address,
                         const char **http_port, const char **chat_port,
                         const char **root)
{
    long number;
    int opt, secs;
    while ((opt = getopt(argc, argv, "b:p:P:d:m:t:L:K:E:T:vh")) != -1) {
        switch (opt) {
        case 'b':
            *address = optarg;
            break;
        case 'p':
        case 'P':
            if (option_number(optarg, 0, 65535, &number) < 0) {
                fprintf(stderr, "%s: -%c wants a port number (0-65535)\n", PROGRAM_NAME,
                        opt);
                return 2;
            }
            *(opt == 'p' ? http_port : chat_port) = optarg;
            break;
        case 'd':
            *root = optarg;
            break;
        case 'm':
            if (option_number(optarg, 1, MAX_MEMBERS_LIMIT, &number) < 0) {
                fprintf(stderr,
                        "%s: -m wants 1 to %d members (select() cannot watch "
                        "descriptors past FD_SETSIZE, %d)\n",
                        PROGRAM_NAME, MAX_MEMBERS_LIMIT, FD_SETSIZE);
                return 2;
            }
            s->max_members = (int)number;
            break;
        case 't':
        case 'L':
        case 'K':
        case 'E':
        case 'T':
            secs = seconds(opt, optarg, opt == 'T' ? 0 : 1);
            if (secs < 0)
                return 2;
            if (opt == 't')
                s->idle_ms = secs * 1000;
            else if (opt == 'L')
                s->poll_secs = secs;
            else if (opt == 'K')
                s->ping_secs = secs;
            else if (opt == 'E')
                s->session_secs = secs;
            else
                s->tick_secs = secs;
            break;
        case 'v':
            s->verbose = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    return -1;
}
