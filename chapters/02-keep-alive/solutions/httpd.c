/* httpd.c: chapter 2's server, written by the learner (a reference answer).
 *
 * Chapter 1's file server, answering HTTP/1.1 on connections that stay open, with a
 * process per connection. What chapter 1 taught comes from common/ (the Links line in
 * exercises.h): listening, parsing a head (http_parse_head), finding a file under the
 * root and sending it or an error page (http_find_file, common/reply.c), the access
 * log. What this file does itself is chapter 2's lesson, in the book's order:
 *   - the request loop on one connection, and the idle timeout (serve_connection,
 *     read_request);
 *   - who closes the connection (wants_keep_alive, status_keeps_connection);
 *   - framing: the head's end (find_request_end, exercise 2.3), a body framed by
 *     Content-Length (exercise 2.2) and thrown away, bytes after a request kept for
 *     the next one (pipelining);
 *   - a process per connection: fork, waitpid, and the cap with its 503;
 *   - 304 Not Modified (exercise 2.4).
 */
#include "http.h"
#include "io.h"
#include "log.h"
#include "net.h"
#include "options.h"
#include "reply.h"
#include "sig.h"
/* After common/'s headers: it makes their answers to this chapter off limits. */
#include "exercises.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef DEFAULT_ROOT /* the build passes the chapter's www/ folder */
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

struct server {
    int listen_fd;
    char root[PATH_MAX];
    int idle_ms;       /* -t: idle time between requests, and time to receive one */
    long max_requests; /* -n: requests on one connection */
    int max_children;  /* -c: connections served at once */
    int iterative;     /* -1: no fork, one connection at a time */
    int verbose;       /* -v */
    pid_t *children;   /* the children's pids, max_children slots (0: free) */
    int child_count;
    sigset_t wait_mask; /* the signals let through while the parent sleeps */
};

struct connection {
    int fd;
    char client[NET_ADDRSTRLEN];
    /* Bytes received and not used yet: a head, a body, the next requests. A head
     * never needs more (http.h), so a full buffer is a head over the limits. */
    char in[HTTP_MAX_HEAD_BYTES];
    size_t in_length;
    struct http_request request;
    char out[REPLY_CHUNK_SIZE]; /* where the reply puts its head and file together */
    long served;                /* requests answered on this connection */
    int unread;                 /* a body left unread: linger before closing */
};

static int parse_options(int argc, char **argv, struct server *s, const char **address,
                         const char **port, const char **root);
static int watch_children(sigset_t *wait_mask);
static void reap_children(struct server *s);
static void stop_children(struct server *s);
static void accept_one(struct server *s);
static void refuse_busy(struct server *s, int fd);
static void serve_connection(struct server *s, int fd);
static int serve_one_request(struct server *s, struct connection *c);
static int read_request(struct server *s, struct connection *c);
static int check_framing(const struct http_request *req, long long *body_length);
static int discard_body(struct server *s, struct connection *c, long long length);
static int wants_keep_alive(const struct http_request *req);
static int status_keeps_connection(int status);
static int answer(struct server *s, struct connection *c, int status,
                  const struct http_file *file, const char *location, int keep);

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
    char url[NET_ADDRSTRLEN + 16];
    if (s.listen_fd < 0 || net_listen_url(s.listen_fd, "http", url, sizeof url) < 0) {
        fprintf(stderr, "%s: %s\n", PROGRAM_NAME,
                s.listen_fd < 0 ? why : strerror(errno));
        return 1;
    }
    tzset(); /* the access log's clock: read the time zone once, not in every child */
    printf("%s: listening on %s\n", PROGRAM_NAME, url);
    fflush(stdout);

    /* SIGCHLD, like SIGINT and SIGTERM, gets through only while we sleep here, so a
     * child's end wakes the loop, which reaps it at once. */
    while (!sig_stop_requested) {
        reap_children(&s);
        if (sig_wait_readable(s.listen_fd, &s.wait_mask, -1) > 0)
            accept_one(&s);
    }
    close(s.listen_fd);
    stop_children(&s);
    free(s.children);
    return 0;
}

/* -p, -t, -n, -c: a whole number from min to max. */
static int number_option(int flag, long min, long max, long *out)
{
    if (option_number(optarg, min, max, out) == 0)
        return 0;
    fprintf(stderr, "%s: -%c wants a number from %ld to %ld\n", PROGRAM_NAME, flag, min,
            max);
    return -1;
}

/* Returns -1 to go on, or the exit status for main(). */
static int parse_options(int argc, char **argv, struct server *s, const char **address,
                         const char **port, const char **root)
{
    long n;
    int opt;
    while ((opt = getopt(argc, argv, "b:p:d:t:n:c:1vh")) != -1) {
        switch (opt) {
        case 'b':
            *address = optarg;
            break;
        case 'p':
            if (number_option(opt, 0, 65535, &n) < 0)
                return 2;
            *port = optarg;
            break;
        case 'd':
            *root = optarg;
            break;
        case 't':
            if (number_option(opt, 1, MAX_IDLE_SECS, &n) < 0)
                return 2;
            s->idle_ms = (int)n * 1000;
            break;
        case 'n':
            if (number_option(opt, 1, MAX_REQUESTS_LIMIT, &n) < 0)
                return 2;
            s->max_requests = n;
            break;
        case 'c':
            if (number_option(opt, 1, MAX_CHILDREN_LIMIT, &n) < 0)
                return 2;
            s->max_children = (int)n;
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
    if (optind == argc)
        return -1;
    usage(stderr);
    return 2;
}

/* ---- Processes: one per connection ------------------------------------------------- */

/* Nothing to do here: catching SIGCHLD at all (by default it is ignored) is what
 * makes a child's end interrupt the parent's pselect(). */
static void on_child_exit(int signo)
{
    (void)signo;
}

/* Blocked all the time and let through only by wait_mask, while pselect() sleeps: a
 * child that ends just before the sleep stays pending and wakes it at once. */
static int watch_children(sigset_t *wait_mask)
{
    struct sigaction sa;
    sa.sa_handler = on_child_exit;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_NOCLDSTOP;
    sigset_t child;
    sigemptyset(&child);
    sigaddset(&child, SIGCHLD);
    if (sigaction(SIGCHLD, &sa, NULL) < 0 || sigprocmask(SIG_BLOCK, &child, NULL) < 0)
        return -1;
    sigdelset(wait_mask, SIGCHLD);
    return 0;
}

/* Until its parent collects its status, a child that ended is a zombie. A loop,
 * because signals do not queue: children ending together may raise one SIGCHLD. */
static void reap_children(struct server *s)
{
    pid_t pid;
    while ((pid = waitpid(-1, NULL, WNOHANG)) > 0) {
        for (int i = 0; i < s->max_children; i++) {
            if (s->children[i] == pid) {
                s->children[i] = 0;
                s->child_count--;
            }
        }
    }
}

/* A child's SIGTERM has its default action (sig_reset_for_child): it dies at once. */
static void stop_children(struct server *s)
{
    for (int i = 0; i < s->max_children; i++) {
        if (s->children[i] > 0) {
            kill(s->children[i], SIGTERM);
            waitpid(s->children[i], NULL, 0);
        }
    }
}

static void accept_one(struct server *s)
{
    int fd = net_accept(s->listen_fd);
    if (fd < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            fprintf(stderr, "%s: accept: %s\n", PROGRAM_NAME, strerror(errno));
        return;
    }
    if (s->iterative) {
        serve_connection(s, fd); /* everyone else waits until this client is done */
        return;
    }
    reap_children(s); /* count only the children still working */
    if (s->child_count >= s->max_children) {
        refuse_busy(s, fd);
        return;
    }
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "%s: fork: %s\n", PROGRAM_NAME, strerror(errno));
        refuse_busy(s, fd);
        return;
    }
    if (pid == 0) {
        close(s->listen_fd); /* the child never accepts */
        if (sig_reset_for_child() < 0)
            _exit(1);
        serve_connection(s, fd);
        _exit(0); /* not exit(): the parent's stdio buffers are not ours to flush */
    }
    close(fd); /* the child has its own copy; with ours open, its close sends no FIN */
    for (int i = 0; i < s->max_children; i++) {
        if (s->children[i] == 0) {
            s->children[i] = pid;
            s->child_count++;
            break;
        }
    }
}

/* 503 at once, without reading the request: the parent never waits on a client, so
 * this is one non-blocking write. Then read, without waiting, what has arrived, so
 * that close() is less likely to become a reset that destroys the 503. */
static void refuse_busy(struct server *s, int fd)
{
    char out[2048];
    struct http_reply reply = {
        .fd = fd,
        .version = "HTTP/1.1",
        .server = SERVER_HEADER,
        .connection = "close",
        .trace = s->verbose ? log_wire : NULL,
        .buffer = out,
        .buffer_size = sizeof out,
    };
    char client[NET_ADDRSTRLEN];
    if (net_peer_address(fd, client, sizeof client) < 0)
        snprintf(client, sizeof client, "-");
    net_set_nonblocking(fd, 1);
    http_send_status(&reply, 503, NULL);
    log_access(client, time(NULL), "", 503, reply.body_bytes);
    ssize_t drained = read(fd, out, sizeof out);
    (void)drained; /* whatever it was, we close now */
    close(fd);
}

/* ---- One connection, many requests ------------------------------------------------ */

static void serve_connection(struct server *s, int fd)
{
    static struct connection c;
    c.fd = fd;
    c.in_length = 0;
    c.served = 0;
    c.unread = 0;
    c.request.complete = 1;
    if (net_peer_address(fd, c.client, sizeof c.client) < 0)
        snprintf(c.client, sizeof c.client, "-");
    /* Non-blocking, so a reply to a client that stops reading times out (-t). No
     * Nagle: the small end of a large response must not wait for an ACK. */
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (net_set_nonblocking(fd, 1) == 0) {
        while (!sig_stop_requested && serve_one_request(s, &c))
            ;
    }
    /* Unread bytes (a body, pipelined requests we will not answer): drain them
     * briefly, so that close() sends FIN, not a reset that destroys our answer. */
    if (c.in_length > 0 || c.unread || !c.request.complete)
        io_linger(fd, LINGER_MS, LINGER_MAX_BYTES);
    close(fd);
}

/* Read one request and answer it. Returns 1 to keep the connection for another. */
static int serve_one_request(struct server *s, struct connection *c)
{
    const struct http_request *req = &c->request;
    int status = read_request(s, c);
    if (status == HTTP_NO_RESPONSE)
        return 0;
    c->served++;
    long long body_length = 0;
    if (req->complete && (status == 0 || status == 405)) { /* 405: a POST's body */
        int framing = check_framing(req, &body_length);
        if (framing != 0)
            status = framing;
        else if (status == 0 && req->request_line.minor >= 1 &&
                 http_header_count(req, "Host") != 1)
            status = 400; /* HTTP/1.1 wants exactly one Host */
    }
    struct http_file file = {.fd = -1};
    char location[HTTP_LOCATION_SIZE];
    if (status == 0)
        status = http_find_file(s->root, req->request_line.target, &file, location,
                                sizeof location);
    int keep = req->complete && wants_keep_alive(req) && c->served < s->max_requests &&
               status_keeps_connection(status);
    if (!keep && body_length > 0) {
        c->unread = 1; /* closing anyway: not worth reading */
    } else if (body_length > 0 && discard_body(s, c, body_length) < 0) {
        if (file.fd >= 0)
            close(file.fd);
        return 0; /* the body never came: nobody to answer */
    }
    if (answer(s, c, status, &file, location, keep) < 0)
        keep = 0;
    if (file.fd >= 0)
        close(file.fd);
    return keep;
}

static void consume(struct connection *c, size_t n)
{
    memmove(c->in, c->in + n, c->in_length - n);
    c->in_length -= n;
}

/* Wait up to -t for the next request (unless it is here already: pipelined), then
 * read until find_request_end() sees its end, within -t of its first byte. Returns
 * http_parse_head's verdict (0 or an error status) or HTTP_NO_RESPONSE. */
static int read_request(struct server *s, struct connection *c)
{
    long long deadline = io_now_ms() + s->idle_ms;
    int started = c->in_length > 0; /* pipelined: the next request is here already */
    long end;
    for (;;) {
        /* Empty lines before a request are ignored (RFC 9112 §2.2). */
        size_t empty = 0;
        while (empty < c->in_length && (c->in[empty] == '\r' || c->in[empty] == '\n'))
            empty++;
        consume(c, empty);
        end = find_request_end(c->in, c->in_length);
        if (end > 0 || c->in_length == sizeof c->in)
            break; /* a whole head, or too much: http_parse_head says which */
        if (io_wait(c->fd, 0, io_ms_until(deadline)) <= 0)
            return HTTP_NO_RESPONSE; /* silent too long (or Ctrl-C): close quietly */
        ssize_t n = read(c->fd, c->in + c->in_length, sizeof c->in - c->in_length);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            continue;
        if (n <= 0)
            return HTTP_NO_RESPONSE; /* closed or reset: nobody to answer */
        if (s->verbose)
            log_wire(c->fd, LOG_RECEIVED, c->in + c->in_length, (size_t)n);
        if (!started) { /* the request has begun: -t to finish its head */
            started = 1;
            deadline = io_now_ms() + s->idle_ms;
        }
        c->in_length += (size_t)n;
    }
    http_request_init(&c->request);
    int status =
        http_parse_head(&c->request, c->in, end > 0 ? (size_t)end : c->in_length);
    consume(c, end > 0 ? (size_t)end : c->in_length);
    return status == HTTP_HEAD_INCOMPLETE ? 400 : status;
}

/* How long is the body? Content-Length frames it (exercise 2.2). Transfer-Encoding
 * we do not decode (501); both at once, lengths that differ or do not parse, or a
 * header line that did not parse are smuggling attempts (400). */
static int check_framing(const struct http_request *req, long long *body_length)
{
    *body_length = 0;
    int chunked = http_header_count(req, "Transfer-Encoding") > 0;
    if (req->bad_header || (chunked && http_header_count(req, "Content-Length") > 0))
        return 400;
    if (chunked)
        return 501;
    long long first = -1;
    for (size_t i = 0; i < req->header_count; i++) {
        long long length;
        if (strcasecmp(req->headers[i].name, "Content-Length") != 0)
            continue;
        if (parse_content_length(req->headers[i].value, &length) != 0 ||
            (first >= 0 && length != first))
            return 400;
        first = length;
    }
    if (first > MAX_BODY_BYTES)
        return 413;
    *body_length = first < 0 ? 0 : first;
    return 0;
}

/* Throw a body away, starting with the part that came with the head, so the next
 * request starts where it should. The body must arrive within -t. */
static int discard_body(struct server *s, struct connection *c, long long length)
{
    long long deadline = io_now_ms() + s->idle_ms;
    for (;;) {
        size_t take = (long long)c->in_length < length ? c->in_length : (size_t)length;
        consume(c, take);
        length -= (long long)take;
        if (length == 0)
            return 0;
        if (io_wait(c->fd, 0, io_ms_until(deadline)) <= 0)
            return -1;
        ssize_t n = read(c->fd, c->in, sizeof c->in); /* the buffer is empty here */
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            continue;
        if (n <= 0)
            return -1;
        if (s->verbose)
            log_wire(c->fd, LOG_RECEIVED, c->in, (size_t)n);
        c->in_length = (size_t)n;
    }
}

/* Does any header called name list token (exercise 2.1)? */
static int header_has_token(const struct http_request *req, const char *name,
                            const char *token)
{
    for (size_t i = 0; i < req->header_count; i++)
        if (strcasecmp(req->headers[i].name, name) == 0 &&
            list_has_token(req->headers[i].value, token) == 1)
            return 1;
    return 0;
}

/* HTTP/1.1 keeps the connection unless told "close"; HTTP/1.0 closes unless it asks
 * for "keep-alive" (RFC 9112 §9.3). A client waiting for "100 Continue" before its
 * body gets its answer without one, then the close. */
static int wants_keep_alive(const struct http_request *req)
{
    if (header_has_token(req, "Expect", "100-continue") &&
        http_header_count(req, "Content-Length") > 0)
        return 0;
    if (req->request_line.minor >= 1)
        return !header_has_token(req, "Connection", "close");
    return header_has_token(req, "Connection", "keep-alive");
}

/* After these the next request can still be found; after the others, it cannot. */
static int status_keeps_connection(int status)
{
    return status == 0 || status == 301 || status == 304 || status == 403 ||
           status == 404 || status == 405;
}

/* If-Modified-Since: 304 when the file is no newer than the client's copy. Ignored
 * beside If-None-Match, and when unparsable (exercise 2.4) or in the future. */
static int is_not_modified(const struct http_request *req, const struct http_file *file)
{
    const char *since = http_header_value(req, "If-Modified-Since");
    time_t date;
    if (since == NULL || http_header_value(req, "If-None-Match") != NULL ||
        parse_http_date(since, &date) != 0 || date > time(NULL))
        return 0;
    return file->modified <= date;
}

/* The response, which says whether it is the last on this connection; location is
 * set for a 301. Returns 0, or -1 when it could not all be sent: then the connection
 * must close. */
static int answer(struct server *s, struct connection *c, int status,
                  const struct http_file *file, const char *location, int keep)
{
    const struct http_request *req = &c->request;
    struct http_reply reply = {
        .fd = c->fd,
        .version = "HTTP/1.1",
        .server = SERVER_HEADER,
        .connection = !keep                          ? "close"
                      : req->request_line.minor == 0 ? "keep-alive"
                                                     : NULL,
        .head_only = req->request_line.method != NULL &&
                     strcmp(req->request_line.method, "HEAD") == 0,
        .timeout_ms = s->idle_ms,
        .trace = s->verbose ? log_wire : NULL,
        .buffer = c->out,
        .buffer_size = sizeof c->out,
    };
    int rc = status == 301                ? http_send_status(&reply, status, location)
             : status != 0                ? http_send_status(&reply, status, NULL)
             : is_not_modified(req, file) ? http_send_not_modified(&reply, file)
                                          : http_send_file(&reply, file);
    log_access(c->client, time(NULL), req->line, reply.status, reply.body_bytes);
    if (rc < 0)
        fprintf(stderr, "%s: %s: sending failed: %s\n", PROGRAM_NAME, c->client,
                errno == ETIMEDOUT ? "client stopped reading" : strerror(errno));
    return rc;
}
