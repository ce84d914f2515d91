/* httpd.c: chapter 2's server, written by you: chapter 1's file server, answering
 * HTTP/1.1 on connections that stay open, with a process per connection.
 *
 * What chapter 1 taught is given, from common/ (see the Links line in exercises.h):
 * listening (net_listen), parsing a head (http_parse_head), finding a file under the
 * root and sending it or an error page (http_find_file, common/reply.c), the access
 * log, Ctrl-C (common/sig.c). The rest is chapter 2's lesson, and yours to write:
 * each TODO below names its stage and the section of book/02-keep-alive.md to read.
 * Work through them in the order `make homework CH=2` lists them; it starts this
 * program for every stage, talks to it over loopback, and says what it sent, what
 * it expected and what came back (`make homework EX=2.s1` for one stage, in detail).
 *
 * As shipped it listens, prints its start line, and closes every connection without
 * a word: read_request() has not been written yet. Your exercise answers
 * (find_request_end, list_has_token, parse_content_length, parse_http_date) are
 * compiled into this program: finish those exercises first.
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
static void accept_one(struct server *s);
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
    if (sig_setup_stop(&s.wait_mask) < 0) {
        fprintf(stderr, "%s: start-up: %s\n", PROGRAM_NAME, strerror(errno));
        return 1;
    }
    /* TODO (Stage 2.s7, "Reaping: no zombies"): make a child's end wake the loop
     * below. Catch SIGCHLD with sigaction() (a handler that does nothing will do:
     * catching it is what makes it interrupt pselect()), block it with sigprocmask()
     * and take it out of s.wait_mask, as sig_setup_stop() just did for SIGINT and
     * SIGTERM (common/sig.c), so that it gets through only while the loop sleeps. */
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

    /* The accept loop: it sleeps in pselect() until a client comes or a stop signal
     * (Ctrl-C, SIGTERM) arrives. */
    while (!sig_stop_requested) {
        /* TODO (Stage 2.s7, "Reaping: no zombies"): collect every child that has
         * ended, with waitpid(-1, NULL, WNOHANG) in a loop (one SIGCHLD may stand for
         * several children), and forget each one's pid. */
        if (sig_wait_readable(s.listen_fd, &s.wait_mask, -1) > 0)
            accept_one(&s);
    }
    close(s.listen_fd);
    /* TODO (Stage 2.s7, "Stopping"): end the children that are still serving
     * (kill() each with SIGTERM) and wait for each with waitpid(), so that none
     * outlives the server. */
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

static void accept_one(struct server *s)
{
    int fd = net_accept(s->listen_fd);
    if (fd < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            fprintf(stderr, "%s: accept: %s\n", PROGRAM_NAME, strerror(errno));
        return;
    }
    /* TODO (Stage 2.s6, "A process per connection"): unless -1 (s->iterative) asks
     * for one connection at a time, fork() a child that closes the listening socket,
     * puts the signals back (sig_reset_for_child), serves the connection and ends
     * with _exit(0); the parent closes its copy of fd, notes the child's pid in
     * s->children (calloc max_children slots in main) and returns to accept at once.
     *
     * TODO (Stage 2.s8, "Over the cap: 503, at once"): with s->max_children (-c)
     * children already serving, do not fork: answer 503 at once, without reading the
     * request (http_send_status on a non-blocking fd, Connection: close: see answer()
     * below), and close. The parent must never wait on a client. */
    serve_connection(s, fd); /* meanwhile: one connection at a time */
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
        /* TODO (Stage 2.s1, "One connection, many requests"): serve requests on this
         * connection until serve_one_request() says to stop (or a stop signal comes:
         * sig_stop_requested), not just one. */
        serve_one_request(s, &c);
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

/* Wait up to -t for the next request (unless it is here already: pipelined), then
 * read until find_request_end() sees its end, within -t of its first byte. Returns
 * http_parse_head's verdict (0 or an error status) or HTTP_NO_RESPONSE. */
static int read_request(struct server *s, struct connection *c)
{
    /* TODO (Stage 2.s1, "One connection, many requests"): read() from c->fd,
     * appending to c->in (c->in_length bytes so far), until find_request_end() finds
     * the end of a head (exercise 2.3). Then parse exactly that head:
     * http_request_init(&c->request) and http_parse_head(&c->request, c->in, end),
     * whose verdict you return. If c->in fills up first, parse all of it: the verdict
     * is then 400, 414 or 431. A read of 0 bytes (the client closed) or an error: return
     * HTTP_NO_RESPONSE. Skip empty lines before a request (RFC 9112 §2.2).
     *
     * TODO (Stage 2.s2, "One connection, many requests"): never wait forever. Before
     * each read(), io_wait(c->fd, 0, ms) at most until a deadline: -t (s->idle_ms)
     * for the first byte of a request, then -t again from that first byte for the
     * rest of the head. Past it, return HTTP_NO_RESPONSE: the connection closes
     * without a word.
     *
     * TODO (Stage 2.s5, "Pipelining"): take only the head out of c->in (memmove()
     * the bytes after it to the front): they are a body or the next requests, which
     * must not be lost. And a request that is already in c->in needs no waiting. */
    (void)s;
    (void)c;
    return HTTP_NO_RESPONSE;
}

/* How long is the body? Returns 0 with *body_length set, or the status to answer. */
static int check_framing(const struct http_request *req, long long *body_length)
{
    /* TODO (Stage 2.s4, "Framing: where a body ends"): the body's length comes from
     * Content-Length, read with parse_content_length() (exercise 2.2); there may be
     * several such headers, which must agree. 400 if they do not, if one does not
     * parse, if a header line did not parse (req->bad_header), or if Content-Length
     * comes with Transfer-Encoding; 501 for Transfer-Encoding alone (we do not decode
     * chunks); 413 for more than MAX_BODY_BYTES. No Content-Length: no body. */
    (void)req;
    *body_length = 0;
    return 0;
}

/* Throw a body away, starting with the part that came with the head, so the next
 * request starts where it should. Returns 0, or -1 if it did not all come in time. */
static int discard_body(struct server *s, struct connection *c, long long length)
{
    /* TODO (Stage 2.s4, "Framing: where a body ends"): take out of c->in what of the
     * body came with the head, then read() and drop the rest: length bytes in all,
     * no more, since what follows is the next request. Wait with io_wait(), within
     * -t; a client that closes or stays silent first gets no answer (-1). */
    (void)s;
    (void)c;
    (void)length;
    return -1;
}

/* Does the client want the connection kept after this request? */
static int wants_keep_alive(const struct http_request *req)
{
    /* TODO (Stage 2.s1, "Who closes the connection"): HTTP/1.1 (minor version 1)
     * keeps the connection by default.
     * TODO (Stage 2.s3, "Who closes the connection"): ...unless a Connection header
     * lists "close"; HTTP/1.0 closes unless one lists "keep-alive". There may be
     * several Connection headers: look at each (req->headers[i], the name compared
     * with strcasecmp), with list_has_token() (exercise 2.1) on its value. */
    (void)req;
    return 0;
}

/* After these the next request can still be found; after the others, it cannot. */
static int status_keeps_connection(int status)
{
    return status == 0 || status == 301 || status == 304 || status == 403 ||
           status == 404 || status == 405;
}

/* If-Modified-Since: may we answer 304 instead of sending the file again? */
static int is_not_modified(const struct http_request *req, const struct http_file *file)
{
    /* TODO (Stage 2.s9, "304 Not Modified"): yes when the request has an
     * If-Modified-Since that parse_http_date() (exercise 2.4) reads, the date is not
     * in the future, and the file (file->modified) is not newer. Ignore it beside an
     * If-None-Match. */
    (void)req;
    (void)file;
    return 0;
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
        /* TODO (Stage 2.s3, "Who closes the connection"): an HTTP/1.0 client that
         * asked for keep-alive must hear "Connection: keep-alive" back. */
        .connection = keep ? NULL : "close",
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
