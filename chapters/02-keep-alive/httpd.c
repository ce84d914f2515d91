/* httpd.c: chapter 2, chapter 1's server plus keep-alive: one connection carries
 * many requests, and one process per connection keeps an idle client from
 * blocking everyone else.
 *
 * What is new, compared with chapter 1:
 *   - serve_connection() loops: read a request, answer it, and go round again until
 *     the client asks to close, -n requests were served, an error makes the
 *     connection untrustworthy, or the client stays idle for -t seconds;
 *   - framing: a request body is delimited by Content-Length, read and thrown away,
 *     so the next request starts at the right byte (check_framing);
 *   - the answer is HTTP/1.1, and says when it is the last one (Connection: close);
 *   - If-Modified-Since gets 304 when the client's copy is still good;
 *   - concurrency: the accept loop forks a child per connection, at most -c of them,
 *     reaped as they end (SIGCHLD wakes the loop). Start it with -1 to see why: one
 *     process, one connection at a time, and a second client waits for the first
 *     one's idle timeout.
 * Parsing, paths and sending files are common/, as in chapter 1; so are listening
 * and accepting (net_listen, net_accept: chapter 1's code, hardened).
 */
#include "http.h"
#include "io.h"
#include "log.h"
#include "net.h"
#include "options.h"
#include "reply.h"
#include "sig.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef DEFAULT_ROOT /* the Makefile passes this chapter's www/ folder */
#define DEFAULT_ROOT "www"
#endif

#define PROGRAM_NAME         "httpd"
#define SERVER_HEADER        "http-vs-sockets-ch2"
#define DEFAULT_ADDRESS      "127.0.0.1"
#define DEFAULT_PORT         "8002"
#define DEFAULT_IDLE_SECS    5   /* -t */
#define DEFAULT_MAX_REQUESTS 100 /* -n */
#define DEFAULT_MAX_CHILDREN 128 /* -c */
#define MAX_IDLE_SECS        3600
#define MAX_REQUESTS_LIMIT   1000000000L
#define MAX_CHILDREN_LIMIT   4096
#define MAX_BODY_BYTES       (1024 * 1024) /* a larger request body gets 413 */
#define LINGER_MS            1000
#define LINGER_MAX_BYTES     (64 * 1024)
#define LOG_FLUSH_IDLE_MS    200 /* held access-log lines are written after this quiet */
#define STOP_GRACE_MS        300 /* children still there after SIGTERM get SIGKILL */

struct server {
    int listen_fd;
    char root[PATH_MAX];
    int idle_ms;       /* -t: idle time between requests, and time to receive one */
    long max_requests; /* -n: requests on one connection */
    int max_children;  /* -c: connections served at once */
    int iterative;     /* -1: no fork, one connection at a time (to see the problem) */
    int verbose;       /* -v */
    pid_t *children;   /* the workers' pids, max_children slots (0 = free) */
    int child_count;
    sigset_t wait_mask; /* the signals let through while the parent sleeps */
};

struct connection {
    int fd;
    char client[NET_ADDRSTRLEN];
    struct io_reader reader;
    struct http_request request;
    struct http_reply reply;
    char output[REPLY_CHUNK_SIZE]; /* where the reply assembles what it sends */
    long served;                   /* requests answered on this connection */
    int body_skipped;              /* we answered without reading a request body */
    int broken; /* a response failed half-way: the connection must close */
};

static int parse_options(int argc, char **argv, struct server *s, const char **address,
                         const char **port, const char **root);
static int watch_children(sigset_t *wait_mask);
static void accept_one(struct server *s);
static void start_worker(struct server *s, int fd);
static void refuse_busy(struct server *s, int fd);
static void reap_children(struct server *s);
static void stop_children(struct server *s);
static void serve_connection(struct server *s, int fd);
static int serve_one_request(struct server *s, struct connection *c);
static int check_framing(struct connection *c, long long *body_length);
static int discard_body(struct connection *c, long long length, long long deadline);
static int wants_keep_alive(const struct http_request *req);
static int status_keeps_connection(int status);
static void send_file(struct connection *c, const struct http_file *file);
static int is_not_modified(const struct http_request *req, const struct http_file *file);
static void send_status(struct connection *c, int status, const char *location);
static void report_send_failure(struct connection *c);

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: %s [-b ADDR] [-p PORT] [-d DIR] [-t SECS] [-n MAX] [-c MAX] [-1] [-v]\n"
        "  -b ADDR  address to listen on (default %s; ::1 for IPv6, 0.0.0.0 for all)\n"
        "  -p PORT  port (default %s; 0 lets the system pick a free one)\n"
        "  -d DIR   document root (default %s)\n"
        "  -t SECS  idle time allowed between requests, and to send one (default %d)\n"
        "  -n MAX   requests served on one connection before closing it (default %d)\n"
        "  -c MAX   connections served at once, one process each (default %d)\n"
        "  -1       iterative: no processes, one connection at a time (see the problem)\n"
        "  -v       wire trace: show every byte received (<<<) and sent (>>>) on stderr\n"
        "  -h       show this help\n",
        PROGRAM_NAME, DEFAULT_ADDRESS, DEFAULT_PORT, DEFAULT_ROOT, DEFAULT_IDLE_SECS,
        DEFAULT_MAX_REQUESTS, DEFAULT_MAX_CHILDREN);
}

int main(int argc, char **argv)
{
    struct server s = {
        .listen_fd = -1,
        .idle_ms = DEFAULT_IDLE_SECS * 1000,
        .max_requests = DEFAULT_MAX_REQUESTS,
        .max_children = DEFAULT_MAX_CHILDREN,
    };
    const char *address = DEFAULT_ADDRESS;
    const char *port = DEFAULT_PORT;
    const char *root = DEFAULT_ROOT;
    int rc = parse_options(argc, argv, &s, &address, &port, &root);
    if (rc >= 0)
        return rc;

    if (http_real_root(root, s.root) < 0) {
        fprintf(stderr, "%s: document root %s: %s\n", PROGRAM_NAME, root,
                strerror(errno));
        return 1;
    }
    s.children = calloc((size_t)s.max_children, sizeof *s.children);
    if (s.children == NULL || sig_setup_stop(&s.wait_mask) < 0 ||
        watch_children(&s.wait_mask) < 0) {
        fprintf(stderr, "%s: start-up: %s\n", PROGRAM_NAME, strerror(errno));
        return 1;
    }
    char why[256];
    s.listen_fd = net_listen(address, port, NET_LISTEN_BACKLOG, why, sizeof why);
    if (s.listen_fd < 0) {
        fprintf(stderr, "%s: %s\n", PROGRAM_NAME, why);
        return 1;
    }
    /* net_listen() returns the socket non-blocking, as chapter 1's open_listener()
     * does: a client can give up between pselect() saying "a newcomer" and our
     * accept(), and on BSD and macOS a blocking accept() would then sleep until the
     * next client, deaf to Ctrl-C (the stop signals get through only in pselect). */
    char url[NET_ADDRSTRLEN + 16];
    if (net_listen_url(s.listen_fd, "http", url, sizeof url) < 0) {
        fprintf(stderr, "%s: getsockname: %s\n", PROGRAM_NAME, strerror(errno));
        return 1;
    }
    /* The access log's time formatting reads the time zone file the first time it
     * runs; do it once here, not once in every child. */
    tzset();
    printf("%s: listening on %s\n", PROGRAM_NAME, url);
    fflush(stdout);
    fprintf(stderr, "%s: serving %s (%s)\n", PROGRAM_NAME, s.root,
            s.iterative ? "iterative: one connection at a time"
                        : "a process per connection");

    /* The accept loop. SIGCHLD, like SIGINT and SIGTERM, gets through only while we
     * sleep in sig_wait_readable, so a child's end wakes us to reap it at once. */
    while (!sig_stop_requested) {
        reap_children(&s);
        int ready = sig_wait_readable(s.listen_fd, &s.wait_mask, -1);
        if (ready < 0)
            fprintf(stderr, "%s: pselect: %s\n", PROGRAM_NAME, strerror(errno));
        if (ready > 0)
            accept_one(&s);
    }
    fprintf(stderr, "%s: stopping (signal %d)\n", PROGRAM_NAME, (int)sig_stop_requested);
    close(s.listen_fd);
    stop_children(&s);
    free(s.children);
    return 0;
}

/* Returns -1 to go on, or the exit status for main(). */
static int parse_options(int argc, char **argv, struct server *s, const char **address,
                         const char **port, const char **root)
{
    long number;
    int opt;
    while ((opt = getopt(argc, argv, "b:p:d:t:n:c:1vh")) != -1) {
        switch (opt) {
        case 'b':
            *address = optarg;
            break;
        case 'p':
            if (option_number(optarg, 0, 65535, &number) < 0) {
                fprintf(stderr, "%s: -p wants a port number (0-65535)\n", PROGRAM_NAME);
                return 2;
            }
            *port = optarg;
            break;
        case 'd':
            *root = optarg;
            break;
        case 't':
            if (option_number(optarg, 1, MAX_IDLE_SECS, &number) < 0) {
                fprintf(stderr, "%s: -t wants seconds (1-%d)\n", PROGRAM_NAME,
                        MAX_IDLE_SECS);
                return 2;
            }
            s->idle_ms = (int)number * 1000;
            break;
        case 'n':
            if (option_number(optarg, 1, MAX_REQUESTS_LIMIT, &number) < 0) {
                fprintf(stderr, "%s: -n wants a number of requests (1-%ld)\n",
                        PROGRAM_NAME, MAX_REQUESTS_LIMIT);
                return 2;
            }
            s->max_requests = number;
            break;
        case 'c':
            if (option_number(optarg, 1, MAX_CHILDREN_LIMIT, &number) < 0) {
                fprintf(stderr, "%s: -c wants a number of connections (1-%d)\n",
                        PROGRAM_NAME, MAX_CHILDREN_LIMIT);
                return 2;
            }
            s->max_children = (int)number;
            break;
        case '1':
            s->iterative = 1;
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

/* ---- Processes: one per connection ------------------------------------------------- */

/* Nothing to do: catching SIGCHLD at all (its default is to be ignored) is what makes
 * a child's end interrupt the parent's pselect(), and the accept loop reaps after
 * every wake-up. */
static void on_child_exit(int signo)
{
    (void)signo;
}

/* SIGCHLD is treated like SIGINT and SIGTERM (sig.h): blocked all the time, and let
 * through only by wait_mask, while pselect() sleeps. So a child that ends between
 * reap_children() and the sleep cannot be missed: its signal waits, pending, and
 * wakes the sleep at once. */
static int watch_children(sigset_t *wait_mask)
{
    struct sigaction sa;
    sa.sa_handler = on_child_exit;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_NOCLDSTOP; /* only ends, not stops */
    sigset_t child;
    sigemptyset(&child);
    sigaddset(&child, SIGCHLD);
    if (sigaction(SIGCHLD, &sa, NULL) < 0 || sigprocmask(SIG_BLOCK, &child, NULL) < 0)
        return -1;
    sigdelset(wait_mask, SIGCHLD);
    return 0;
}

static void accept_one(struct server *s)
{
    int fd = net_accept(s->listen_fd);
    if (fd < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK) /* EAGAIN: nobody after all */
            fprintf(stderr, "%s: accept: %s\n", PROGRAM_NAME, strerror(errno));
        return;
    }
    if (s->iterative) {
        serve_connection(s, fd); /* everyone else waits until this client is done */
        return;
    }
    reap_children(s); /* count only the children still working */
    if (s->child_count >= s->max_children)
        refuse_busy(s, fd);
    else
        start_worker(s, fd);
}

/* One process per connection: the child serves it and exits; the parent goes back
 * to accept() at once. An idle client now costs one sleeping process, not everyone's
 * turn. */
static void start_worker(struct server *s, int fd)
{
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "%s: fork: %s\n", PROGRAM_NAME, strerror(errno));
        refuse_busy(s, fd);
        return;
    }
    if (pid == 0) {
        close(s->listen_fd); /* the child never accepts */
        if (sig_reset_for_child() < 0)
            _exit(1); /* it could not be stopped by a signal: do not serve */
        serve_connection(s, fd);
        _exit(0);
    }
    close(fd); /* the parent's copy: the child has its own */
    for (int i = 0; i < s->max_children; i++) {
        if (s->children[i] == 0) {
            s->children[i] = pid;
            s->child_count++;
            break;
        }
    }
}

/* Over the cap: answer 503 straight away, without reading the request, and close.
 * The parent must never wait on a client, so this is one non-blocking write. */
static void refuse_busy(struct server *s, int fd)
{
    char output[2048]; /* a 503 head and its short page */
    struct http_reply reply = {
        .fd = fd,
        .version = "HTTP/1.1",
        .server = SERVER_HEADER,
        .connection = "close",
        .timeout_ms = 0, /* whatever the kernel takes now, and not a moment longer */
        .trace = s->verbose ? log_wire : NULL,
        .buffer = output,
        .buffer_size = sizeof output,
    };
    char client[NET_ADDRSTRLEN];
    if (net_peer_address(fd, client, sizeof client) < 0)
        snprintf(client, sizeof client, "-");
    net_set_nonblocking(fd, 1);
    http_send_status(&reply, 503, NULL);
    log_access(client, time(NULL), "", 503, reply.body_bytes);
    /* Read what of the request has already arrived (without waiting, and no more
     * than one buffer: a client that keeps sending must not hold the parent), so that
     * close() is less likely to turn into a reset that destroys the 503. */
    char sink[16 * 1024];
    ssize_t drained = read(fd, sink, sizeof sink);
    (void)drained; /* whatever it was, we close now */
    close(fd);
}

static void forget_child(struct server *s, pid_t pid)
{
    for (int i = 0; i < s->max_children; i++) {
        if (s->children[i] == pid) {
            s->children[i] = 0;
            s->child_count--;
            return;
        }
    }
}

/* Collect the exit status of every child that has ended: until then each one is a
 * zombie, holding a process-table entry. A loop, because signals do not queue: three
 * children that end together may raise one SIGCHLD. */
static void reap_children(struct server *s)
{
    pid_t pid;
    while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
        forget_child(s, pid);
}

static void signal_children(struct server *s, int signo)
{
    for (int i = 0; i < s->max_children; i++)
        if (s->children[i] > 0)
            kill(s->children[i], signo);
}

/* Shutting down: end every child and reap it, so none is left behind. A worker's
 * SIGTERM has its default action (sig_reset_for_child), death at once, whatever it
 * was doing; we sleep until their SIGCHLDs say they are gone. Whoever is still there
 * after STOP_GRACE_MS gets SIGKILL, so stopping never waits long on a child. */
static void stop_children(struct server *s)
{
    signal_children(s, SIGTERM);
    long long deadline = io_now_ms() + STOP_GRACE_MS;
    reap_children(s);
    while (s->child_count > 0 && io_ms_until(deadline) > 0) {
        int ms = io_ms_until(deadline);
        struct timespec pause = {ms / 1000, (long)(ms % 1000) * 1000000L};
        pselect(0, NULL, NULL, NULL, &pause, &s->wait_mask); /* until SIGCHLD */
        reap_children(s);
    }
    if (s->child_count > 0)
        signal_children(s, SIGKILL);
    while (s->child_count > 0) {
        pid_t pid = waitpid(-1, NULL, 0);
        if (pid > 0)
            forget_child(s, pid);
        else if (errno != EINTR)
            break; /* ECHILD: none left after all */
    }
}

/* ---- One connection, many requests ------------------------------------------------ */

/* One connection, many requests: the heart of this chapter. */
static void serve_connection(struct server *s, int fd)
{
    static struct connection c;
    c.fd = fd;
    c.served = 0;
    c.body_skipped = 0;
    c.broken = 0;
    c.request.complete = 1; /* no request yet, so nothing of one left unread */
    if (net_peer_address(fd, c.client, sizeof c.client) < 0)
        snprintf(c.client, sizeof c.client, "-");
    /* Responses leave in one write each; TCP_NODELAY makes sure that when one takes
     * several (a large file), its last, small piece is not held back by Nagle's
     * algorithm while the client delays its ACK (book/02-keep-alive.md, "One write
     * per response"). */
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (net_set_nonblocking(fd, 1) < 0) {
        close(fd);
        return;
    }
    io_reader_init(&c.reader, fd);
    c.reader.trace = s->verbose ? log_wire : NULL;

    /* The access log's lines wait in a buffer while requests keep coming, instead of
     * costing a write() each (book/02-keep-alive.md, "Counting system calls"); not
     * with -v, whose trace must show them in their place. */
    log_hold_lines(!s->verbose);

    /* (sig_stop_requested: the iterative server, stopped while it serves us.) */
    while (!sig_stop_requested && serve_one_request(s, &c))
        ;
    log_hold_lines(0); /* writes what is held: no line is lost when we close */

    /* Bytes may remain: a body we did not read after an error, or requests pipelined
     * after the last one we answer. Drain them briefly so close() sends FIN, not RST. */
    if (io_reader_length(&c.reader) > 0 || !c.request.complete || c.body_skipped)
        io_linger(fd, LINGER_MS, LINGER_MAX_BYTES);
    close(fd);
}

/* Wait for the next request, at most idle_ms; like io_wait(). Held log lines are
 * written once the client has been quiet for LOG_FLUSH_IDLE_MS: a busy connection
 * costs no write() per request for its log, and a quiet one shows its lines soon. */
static int wait_for_request(struct connection *c, int idle_ms)
{
    if (!log_has_held_lines() || idle_ms <= LOG_FLUSH_IDLE_MS)
        return io_wait(c->fd, 0, idle_ms);
    int ready = io_wait(c->fd, 0, LOG_FLUSH_IDLE_MS);
    if (ready != 0)
        return ready;
    log_flush();
    return io_wait(c->fd, 0, idle_ms - LOG_FLUSH_IDLE_MS);
}

/* Read one request and answer it. Returns 1 to keep the connection for another. */
static int serve_one_request(struct server *s, struct connection *c)
{
    /* 1. Idle: wait for the first byte of the next request, at most -t. A pipelined
     * request may already be in the reader; then there is nothing to wait for. */
    if (io_reader_length(&c->reader) == 0) {
        if (wait_for_request(c, s->idle_ms) <= 0)
            return 0; /* idle too long, an error, or Ctrl-C: close without a word */
        /* Readable, so read at once (deadline -1: no second wait). */
        ssize_t n = io_reader_fill(&c->reader, -1);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
            return 0; /* closed or reset between requests: nobody to answer */
    }

    /* 2. The head, which must arrive within -t of its first byte. */
    long long deadline = io_now_ms() + s->idle_ms;
    int status = http_read_request(&c->reader, &c->request, deadline);
    if (status == HTTP_NO_RESPONSE)
        return 0;
    c->served++;

    /* 3. Every check, in chapter 1's order of errors: after the request line, version and
     * method (http_read_request), the framing and Host, then the target and the file.
     * Only when the status is known can we say whether the connection stays. */
    const struct http_request *req = &c->request;
    long long body_length = 0;
    if (status_keeps_connection(status)) {
        /* Framing errors come after the method's (405, 501) in the order of checks,
         * but they decide whether we can find the next request at all. */
        int framing = req->complete ? check_framing(c, &body_length) : 0;
        if (framing != 0)
            status = framing;
        else if (status == 0 && req->request_line.minor >= 1 &&
                 http_header_count(req, "Host") != 1)
            status = 400; /* HTTP/1.1 requires exactly one Host header */
    }
    struct http_file file = {.fd = -1};
    char location[HTTP_LOCATION_SIZE];
    if (status == 0) /* 400 for a bad %-escape, 414, 403, 404, 301, or the file */
        status = http_find_file(s->root, req->request_line.target, &file, location,
                                sizeof location);
    int keep = req->complete && wants_keep_alive(req) && c->served < s->max_requests &&
               status_keeps_connection(status);

    /* 4. The body, if any: thrown away, so that the next request starts where it
     * should; not even read when we close anyway. */
    int expects_continue = http_header_has_token(req, "Expect", "100-continue");
    if (!keep && body_length > 0) {
        c->body_skipped = 1; /* closing anyway: no need to read it */
    } else if (body_length > 0 && expects_continue) {
        keep = 0; /* the client waits for a go-ahead we do not give: answer, then close */
        c->body_skipped = 1;
    } else if (body_length > 0 && discard_body(c, body_length, deadline) < 0) {
        if (file.fd >= 0)
            close(file.fd);
        return 0; /* the body never came: nothing to answer */
    }

    /* 5. The answer, which says whether it is the last one on this connection. */
    c->reply = (struct http_reply){
        .fd = c->fd,
        .version = "HTTP/1.1",
        .server = SERVER_HEADER,
        /* HTTP/1.1 stays open unless told; HTTP/1.0 only if it asked, so we say so. */
        .connection = !keep                          ? "close"
                      : req->request_line.minor == 0 ? "keep-alive"
                                                     : NULL,
        .head_only = req->request_line.method != NULL &&
                     strcmp(req->request_line.method, "HEAD") == 0,
        .timeout_ms = s->idle_ms,
        .trace = c->reader.trace,
        .buffer = c->output,
        .buffer_size = sizeof c->output,
    };
    if (status == 0)
        send_file(c, &file);
    else
        send_status(c, status, status == 301 ? location : NULL);
    if (file.fd >= 0)
        close(file.fd);
    log_access(c->client, time(NULL), req->line, c->reply.status, c->reply.body_bytes);
    return keep && !c->broken;
}

/* How long is the body, if any? RFC 9112 §6: Content-Length frames a request body;
 * Transfer-Encoding (chunked) would too, but we do not implement it (501), and a
 * request with both, or with Content-Lengths that disagree, is a classic request-
 * smuggling attempt (400): two servers could read it as two different requests. So is
 * a header line we could not parse ("Content-Length : 44", a folded line, a control
 * byte in the name), even behind a 405: a proxy in front of us may have read it as a
 * Content-Length, and taken the next request for this one's body. */
static int check_framing(struct connection *c, long long *body_length)
{
    const struct http_request *req = &c->request;
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

/* Read and throw away a request body, so the next request starts where it should.
 * Part of it may already sit in the reader, read along with the head. */
static int discard_body(struct connection *c, long long length, long long deadline)
{
    while (length > 0) {
        size_t buffered = io_reader_length(&c->reader);
        if (buffered == 0) {
            ssize_t n = io_reader_fill(&c->reader, deadline);
            if (n <= 0)
                return -1;
            continue;
        }
        size_t take = (long long)buffered < length ? buffered : (size_t)length;
        io_reader_consume(&c->reader, take);
        length -= (long long)take;
    }
    return 0;
}

/* The client's wish: HTTP/1.1 keeps the connection unless it says "close";
 * HTTP/1.0 closes unless it says "keep-alive" (RFC 9112 §9.3). */
static int wants_keep_alive(const struct http_request *req)
{
    if (req->request_line.minor >= 1)
        return !http_header_has_token(req, "Connection", "close");
    return http_header_has_token(req, "Connection", "keep-alive");
}

/* After these the next request can still be found; after the others (a malformed
 * or oversized request, or our own failure) we cannot trust where it starts. */
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

/* A file found for GET or HEAD: 200 and its bytes, or 304 Not Modified. */
static void send_file(struct connection *c, const struct http_file *file)
{
    int failed = is_not_modified(&c->request, file)
                     ? http_send_not_modified(&c->reply, file)
                     : http_send_file(&c->reply, file);
    if (failed < 0) {
        report_send_failure(c);
        c->broken = 1; /* the client cannot know where this response ends */
    }
}

/* If-Modified-Since: the client has a copy from that date. If the file is not newer,
 * a 304 saves sending it again. Ignored (RFC 9110 §13.1.3): a date we cannot parse,
 * which includes the two obsolete formats that a conforming server would accept
 * (RFC 9110 §5.6.7; ignoring them costs only a full 200), and any If-Modified-Since
 * beside an If-None-Match, which takes precedence and which no entity tag of ours
 * can match. Also a date in the future: the client's clock is wrong (RFC 2616
 * §14.25 called it invalid). */
static int is_not_modified(const struct http_request *req, const struct http_file *file)
{
    const char *since = http_header_value(req, "If-Modified-Since");
    time_t date;
    if (since == NULL || http_header_value(req, "If-None-Match") != NULL ||
        http_parse_date(since, &date) < 0 || date > time(NULL))
        return 0;
    return file->modified <= date;
}

static void send_status(struct connection *c, int status, const char *location)
{
    if (http_send_status(&c->reply, status, location) < 0) {
        report_send_failure(c);
        c->broken = 1;
    }
}

static void report_send_failure(struct connection *c)
{
    const char *why = sig_stop_requested   ? "the server is stopping"
                      : errno == ETIMEDOUT ? "client stopped reading"
                                           : strerror(errno);
    fprintf(stderr, "%s: %s: sending failed: %s\n", PROGRAM_NAME, c->client, why);
}
