/* httpd.c: chapter 1, an HTTP/1.0 server that answers one request per connection
 * and then hangs up.
 *
 * The whole life of this server fits in one sentence: listen on a port, then forever
 * accept a connection, read one request, send one response, close the connection.
 * It is iterative: it serves one client at a time, and the next one waits in the
 * kernel's listen queue until the current one is done. Chapter 2 measures what the
 * hang-up costs and why waiting in line is a problem once connections stay open.
 *
 * Read it top to bottom: the settings, main() and its accept loop, then one
 * connection's request and response. The HTTP parsing,
 * the safe path mapping (common/http.c, http_parse.c) and the sending of responses
 * (common/reply.c) live in common/ because chapter 2 uses them too;
 * book/01-http-close.md walks through all of it.
 */
#include "http.h"
#include "io.h"
#include "log.h"
#include "net.h"
#include "options.h"
#include "reply.h"
#include "sig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef DEFAULT_ROOT /* the Makefile passes this chapter's www/ folder */
#define DEFAULT_ROOT "www"
#endif

#define PROGRAM_NAME         "httpd"
#define SERVER_HEADER        "http-vs-sockets-ch1"
#define DEFAULT_ADDRESS      "127.0.0.1" /* loopback: never the whole network unless asked */
#define DEFAULT_PORT         "8001"
#define DEFAULT_TIMEOUT_SECS 5
#define MAX_TIMEOUT_SECS     3600
#define LINGER_MS            1000        /* how long we drain unread request bytes */
#define LINGER_MAX_BYTES     (64 * 1024) /* and how many, at most */

/* Everything the server knows, in one place. */
struct server {
    int listen_fd;
    char root[PATH_MAX]; /* the document root, as a real path */
    int timeout_ms;      /* -t: to receive a request, and for a stalled response */
    int verbose;         /* -v: trace every byte */
    sigset_t wait_mask;  /* the signal mask while waiting for clients (see sig.h) */
};

/* One connection: the socket, what we read from it and what we answered. */
struct connection {
    int fd;
    char client[NET_ADDRSTRLEN];
    struct io_reader reader;
    struct http_request request;
    struct http_reply reply; /* how we answer, and what we sent (common/reply.h) */
};

static void serve_connection(struct server *s, int fd);
static void respond(struct server *s, struct connection *c);
static void send_status(struct connection *c, int status, const char *location);
static void report_send_failure(struct connection *c);
static int request_may_have_unread_bytes(struct connection *c);

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: %s [-b ADDR] [-p PORT] [-d DIR] [-t SECS] [-v]\n"
        "  -b ADDR  address to listen on (default %s; ::1 for IPv6, 0.0.0.0 for all)\n"
        "  -p PORT  port (default %s; 0 lets the system pick a free one)\n"
        "  -d DIR   document root (default %s)\n"
        "  -t SECS  time a client has to send its request, and a stalled response\n"
        "           may wait (default %d)\n"
        "  -v       wire trace: show every byte received (<<<) and sent (>>>) on stderr\n"
        "  -h       show this help\n",
        PROGRAM_NAME, DEFAULT_ADDRESS, DEFAULT_PORT, DEFAULT_ROOT, DEFAULT_TIMEOUT_SECS);
}

int main(int argc, char **argv)
{
    struct server s = {.listen_fd = -1, .timeout_ms = DEFAULT_TIMEOUT_SECS * 1000};
    const char *address = DEFAULT_ADDRESS;
    const char *port = DEFAULT_PORT;
    const char *root = DEFAULT_ROOT;
    long number;
    int opt;
    while ((opt = getopt(argc, argv, "b:p:d:t:vh")) != -1) {
        switch (opt) {
        case 'b':
            address = optarg;
            break;
        case 'p':
            if (option_number(optarg, 0, 65535, &number) < 0) {
                fprintf(stderr, "%s: -p wants a port number (0-65535)\n", PROGRAM_NAME);
                return 2;
            }
            port = optarg;
            break;
        case 'd':
            root = optarg;
            break;
        case 't':
            if (option_number(optarg, 1, MAX_TIMEOUT_SECS, &number) < 0) {
                fprintf(stderr, "%s: -t wants seconds (1-%d)\n", PROGRAM_NAME,
                        MAX_TIMEOUT_SECS);
                return 2;
            }
            s.timeout_ms = (int)number * 1000;
            break;
        case 'v':
            s.verbose = 1;
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

    /* Every path we serve is checked against the root's real path (symlinks
     * resolved), so resolve the root itself once, here. */
    if (http_real_root(root, s.root) < 0) {
        fprintf(stderr, "%s: document root %s: %s\n", PROGRAM_NAME, root,
                strerror(errno));
        return 1;
    }
    if (sig_setup_stop(&s.wait_mask) < 0) {
        fprintf(stderr, "%s: signals: %s\n", PROGRAM_NAME, strerror(errno));
        return 1;
    }

    /* socket(), bind(), listen(): see net_listen() in common/net.c. A backlog of
     * NET_LISTEN_BACKLOG lets the kernel queue as many waiting clients as it allows. */
    char why[256];
    s.listen_fd = net_listen(address, port, NET_LISTEN_BACKLOG, why, sizeof why);
    if (s.listen_fd < 0) {
        fprintf(stderr, "%s: %s\n", PROGRAM_NAME, why);
        return 1;
    }
    char url[NET_ADDRSTRLEN + 16];
    if (net_listen_url(s.listen_fd, "http", url, sizeof url) < 0) {
        fprintf(stderr, "%s: getsockname: %s\n", PROGRAM_NAME, strerror(errno));
        return 1;
    }
    /* Tests and scripts start us on port 0 and read the real port from this line. */
    printf("%s: listening on %s\n", PROGRAM_NAME, url);
    fflush(stdout);
    fprintf(stderr, "%s: serving %s\n", PROGRAM_NAME, s.root);

    /* The accept loop: one client at a time, until SIGINT or SIGTERM. */
    while (!sig_stop_requested) {
        int ready = sig_wait_readable(s.listen_fd, &s.wait_mask, -1);
        if (ready <= 0) {
            if (ready < 0)
                fprintf(stderr, "%s: pselect: %s\n", PROGRAM_NAME, strerror(errno));
            continue;
        }
        int fd = net_accept(s.listen_fd); /* see common/net.c for the errors it absorbs */
        if (fd < 0) {
            if (errno != EAGAIN) /* out of descriptors, say: no reason to stop serving */
                fprintf(stderr, "%s: accept: %s\n", PROGRAM_NAME, strerror(errno));
            continue;
        }
        serve_connection(&s, fd);
    }
    fprintf(stderr, "%s: stopping (signal %d)\n", PROGRAM_NAME, (int)sig_stop_requested);
    close(s.listen_fd);
    return 0;
}

/* One connection, start to finish: read one request, answer it, hang up. */
static void serve_connection(struct server *s, int fd)
{
    /* Static: 60 KiB of buffers is more than we want on the stack, and this
     * iterative server only ever has one connection. */
    static struct connection c;
    c.fd = fd;
    if (net_peer_address(fd, c.client, sizeof c.client) < 0)
        snprintf(c.client, sizeof c.client, "-");
    c.reply = (struct http_reply){
        .fd = fd,
        .version = "HTTP/1.0", /* whatever 1.x the client spoke: we promise only 1.0 */
        .server = SERVER_HEADER,
        .connection = "close", /* and we mean it: that is this chapter */
        .timeout_ms = s->timeout_ms,
        .trace = s->verbose ? log_wire : NULL,
        .body_bytes = -1,
    };

    /* Non-blocking, so that no read or write can wait longer than we allow:
     * every wait goes through poll() with a time limit (common/io.c). */
    if (net_set_nonblocking(fd, 1) < 0) {
        close(fd);
        return;
    }
    io_reader_init(&c.reader, fd);
    c.reader.trace = c.reply.trace;

    /* The whole request must arrive within the time limit, counted from accept():
     * a client that sends one byte a second cannot keep us forever. */
    long long deadline = io_now_ms() + s->timeout_ms;
    int status = http_read_request(&c.reader, &c.request, deadline);
    if (status == HTTP_NO_RESPONSE) {
        if (errno == ETIMEDOUT)
            fprintf(stderr, "%s: %s sent no complete request in %d s, closing\n",
                    PROGRAM_NAME, c.client, s->timeout_ms / 1000);
        close(fd);
        return;
    }
    const char *method = c.request.request_line.method;
    c.reply.head_only = method != NULL && strcmp(method, "HEAD") == 0;
    if (status == 0)
        respond(s, &c);
    else
        send_status(&c, status, NULL);
    log_access(c.client, time(NULL), c.request.line, c.reply.status, c.reply.body_bytes);

    if (request_may_have_unread_bytes(&c))
        io_linger(fd, LINGER_MS, LINGER_MAX_BYTES); /* see common/io.c */
    close(fd);
}

/* A valid GET or HEAD: find the file and send it, or say why not. */
static void respond(struct server *s, struct connection *c)
{
    struct http_file file;
    char location[HTTP_LOCATION_SIZE];
    /* Target to path to open file, safely: see http_find_file() in common/http.c. */
    int status = http_find_file(s->root, c->request.request_line.target, &file, location,
                                sizeof location);
    if (status != 0) {
        send_status(c, status, status == 301 ? location : NULL);
        return;
    }
    /* The head, then the file in chunks: see http_send_file() in common/reply.c. */
    if (http_send_file(&c->reply, &file) < 0)
        report_send_failure(c);
    close(file.fd);
}

/* An error page, or a 301 with its Location. */
static void send_status(struct connection *c, int status, const char *location)
{
    if (http_send_status(&c->reply, status, location) < 0)
        report_send_failure(c);
}

static void report_send_failure(struct connection *c)
{
    fprintf(stderr, "%s: %s: sending failed: %s\n", PROGRAM_NAME, c->client,
            errno == ETIMEDOUT ? "client stopped reading" : strerror(errno));
}

/* Did the client send bytes we never read? A request body (we read none), a head we
 * stopped reading at an error, or a second request. */
static int request_may_have_unread_bytes(struct connection *c)
{
    const char *length = http_header_value(&c->request, "Content-Length");
    return !c->request.complete || io_reader_length(&c->reader) > 0 ||
           (length != NULL && strcmp(length, "0") != 0) ||
           http_header_value(&c->request, "Transfer-Encoding") != NULL;
}
