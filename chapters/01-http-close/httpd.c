/* httpd.c: chapter 1, an HTTP/1.0 server that answers one request per connection
 * and then hangs up.
 *
 * The whole life of this server fits in one sentence: open a listening socket, then
 * forever accept a connection, read one request, send one response, close the
 * connection. It is iterative: it serves one client at a time, and the next one
 * waits in the kernel's listen queue until the current one is done. Chapter 2
 * measures what the hang-up costs and why waiting in line becomes a problem once
 * connections stay open.
 *
 * Read it top to bottom, as book/01-http-close.md does: the listening socket
 * (getaddrinfo, socket, setsockopt, bind, listen, getsockname), the accept loop, then
 * one connection: reading the request across partial reads, within its limits;
 * writing the response across short writes; closing. Every system call of the
 * socket's life is in this file. What is not about sockets lives in common/ and is
 * shared with chapter 2: the HTTP grammar and its limits (http_parse_head), the safe
 * mapping of a URL path to a file under the document root (http_find_file), response
 * heads, error pages, MIME types, dates (common/http.c, http_parse.c), the access log
 * and the -v wire trace (common/log.c), and the clean stop on Ctrl-C (common/sig.c).
 */
#include "http.h"
#include "io.h"
#include "log.h"
#include "options.h"
#include "sig.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
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
/* How many connections the kernel may complete and hold for us before we accept()
 * them. It caps the number at its own limit (Linux: net.core.somaxconn, 4096; macOS:
 * 128); asking for little drops SYNs when connections come fast, and that client's
 * connect() then waits a whole second for its retry. */
#define LISTEN_BACKLOG    4096
#define LINGER_MS         1000        /* how long we drain unread request bytes */
#define LINGER_MAX_BYTES  (64 * 1024) /* and how many, at most */
#define OUTPUT_CHUNK_SIZE (64 * 1024) /* files go out in pieces of this size */

/* One connection: the socket, what we read from it and what we answered. */
struct connection {
    int fd;
    char client[INET6_ADDRSTRLEN]; /* the peer's address, for the log */
    int timeout_ms;                /* -t: a stalled client is abandoned after this */
    int verbose;                   /* -v: show every byte on stderr */
    /* The request as it arrives. A head that fits no limit is refused before this
     * fills (HTTP_MAX_HEAD_BYTES: common/http.h). */
    char received[HTTP_MAX_HEAD_BYTES];
    size_t received_length;
    struct http_request request; /* the head, parsed (common/http.h) */
    /* The response: its head and the file's bytes are assembled here. */
    char output[OUTPUT_CHUNK_SIZE];
    int head_only;        /* answering HEAD: the same head, no body */
    int status;           /* what we answered, for the access log */
    long long body_bytes; /* body bytes sent; -1 for none (the log prints "-") */
};

/* Everything the server knows, in one place. */
struct server {
    int listen_fd;
    char root[PATH_MAX]; /* the document root, as a real path */
    int timeout_ms;
    int verbose;
    sigset_t wait_mask; /* the signal mask while waiting for clients (common/sig.h) */
    /* The one connection this iterative server serves at a time: 120 KiB of buffers,
     * which is why main() keeps its server in static storage, not on the stack. */
    struct connection connection;
};

static int open_listener(const char *address, const char *port);
static int set_nonblocking(int fd);
static int print_listening_line(int fd);
static void accept_failed(void);
static void serve_connection(struct server *s, int fd, const struct sockaddr *peer,
                             socklen_t peer_length);
static int read_request(struct connection *c, long long deadline);
static void respond(struct server *s, struct connection *c);
static int send_file(struct connection *c, const struct http_file *file);
static int send_status(struct connection *c, int status, const char *location);
static void report_send_failure(const struct connection *c);
static int write_all(struct connection *c, const char *data, size_t length);
static int may_have_unread_bytes(const struct connection *c);

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

/* Returns -1 to go on, or the exit status for main(). */
static int parse_options(int argc, char **argv, struct server *s, const char **address,
                         const char **port, const char **root)
{
    long number;
    int opt;
    while ((opt = getopt(argc, argv, "b:p:d:t:vh")) != -1) {
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
            if (option_number(optarg, 1, MAX_TIMEOUT_SECS, &number) < 0) {
                fprintf(stderr, "%s: -t wants seconds (1-%d)\n", PROGRAM_NAME,
                        MAX_TIMEOUT_SECS);
                return 2;
            }
            s->timeout_ms = (int)number * 1000;
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

int main(int argc, char **argv)
{
    static struct server s; /* static: see struct server */
    s.listen_fd = -1;
    s.timeout_ms = DEFAULT_TIMEOUT_SECS * 1000;
    const char *address = DEFAULT_ADDRESS;
    const char *port = DEFAULT_PORT;
    const char *root = DEFAULT_ROOT;
    int rc = parse_options(argc, argv, &s, &address, &port, &root);
    if (rc >= 0)
        return rc;

    /* Every path we serve is checked against the root's real path (symlinks
     * resolved), so resolve the root itself once, here. */
    if (http_real_root(root, s.root) < 0) {
        fprintf(stderr, "%s: document root %s: %s\n", PROGRAM_NAME, root,
                strerror(errno));
        return 1;
    }
    /* Ctrl-C only sets a flag, and SIGINT and SIGTERM stay blocked except while we
     * sleep, so a stop can never slip in unnoticed (common/sig.h). SIGPIPE is
     * ignored: writing to a client that left fails with EPIPE instead of killing us. */
    if (sig_setup_stop(&s.wait_mask) < 0) {
        fprintf(stderr, "%s: signals: %s\n", PROGRAM_NAME, strerror(errno));
        return 1;
    }
    s.listen_fd = open_listener(address, port);
    if (s.listen_fd < 0 || print_listening_line(s.listen_fd) < 0)
        return 1;
    fprintf(stderr, "%s: serving %s\n", PROGRAM_NAME, s.root);

    /* The accept loop: one client at a time, until SIGINT or SIGTERM. */
    while (!sig_stop_requested) {
        int ready = sig_wait_readable(s.listen_fd, &s.wait_mask, -1);
        if (ready < 0)
            fprintf(stderr, "%s: pselect: %s\n", PROGRAM_NAME, strerror(errno));
        if (ready <= 0)
            continue; /* a signal: the loop's test decides */
        struct sockaddr_storage peer;
        socklen_t peer_length = sizeof peer;
        int fd = accept(s.listen_fd, (struct sockaddr *)&peer, &peer_length);
        if (fd < 0) {
            accept_failed();
            continue;
        }
        serve_connection(&s, fd, (struct sockaddr *)&peer, peer_length);
    }
    fprintf(stderr, "%s: stopping (signal %d)\n", PROGRAM_NAME, (int)sig_stop_requested);
    close(s.listen_fd);
    return 0;
}

/* ---- The listening socket ---------------------------------------------------------- */

/* getaddrinfo() turns a name ("127.0.0.1", "::1", "localhost") and a port ("8001")
 * into a list of socket addresses, IPv4 or IPv6 as the name says, each ready for
 * socket() and bind(): the code never has to know which version it got. We take the
 * first address that works. Returns the listening descriptor, or -1 (said on stderr).
 */
static int open_listener(const char *address, const char *port)
{
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;     /* IPv4 or IPv6, whichever the name gives */
    hints.ai_socktype = SOCK_STREAM; /* TCP */
    hints.ai_flags = AI_PASSIVE;     /* an address to bind() to, not to connect() to */
    struct addrinfo *list;
    int rc = getaddrinfo(address, port, &hints, &list);
    if (rc != 0) {
        fprintf(stderr, "%s: cannot resolve %s port %s: %s\n", PROGRAM_NAME, address,
                port, rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *ai = list; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            fprintf(stderr, "%s: socket: %s\n", PROGRAM_NAME, strerror(errno));
            continue;
        }
        /* Without SO_REUSEADDR, restarting the server right after it served a client
         * fails with "Address already in use" while that old connection sits in
         * TIME_WAIT (up to a minute). */
        int one = 1;
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
            bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, LISTEN_BACKLOG) < 0 ||
            /* Non-blocking, even for accept(): a client can give up between pselect()
             * saying "a newcomer" and our accept(), and on BSD and macOS a blocking
             * accept() would then wait for the next client, deaf to Ctrl-C. */
            set_nonblocking(fd) < 0) {
            fprintf(stderr, "%s: bind %s port %s: %s\n", PROGRAM_NAME, address, port,
                    strerror(errno));
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(list);
    return fd;
}

/* O_NONBLOCK: read(), write() and accept() return at once with EAGAIN instead of
 * waiting. fcntl() is the portable way (Linux's SOCK_NONBLOCK is not). */
static int set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* Tests and scripts start us on port 0 ("any free port") and read the real port from
 * this line, so ask the socket what it is bound to. getsockname() fills a struct
 * sockaddr_storage, big enough for any address family; ss_family says which struct
 * it really holds. The port inside is in network byte order (big-endian), whatever
 * this machine's order: ntohs() ("network to host, short") turns it around. */
static int print_listening_line(int fd)
{
    struct sockaddr_storage addr;
    socklen_t length = sizeof addr;
    char host[INET6_ADDRSTRLEN];
    if (getsockname(fd, (struct sockaddr *)&addr, &length) < 0 ||
        getnameinfo((struct sockaddr *)&addr, length, host, sizeof host, NULL, 0,
                    NI_NUMERICHOST) != 0) {
        fprintf(stderr, "%s: getsockname: %s\n", PROGRAM_NAME, strerror(errno));
        return -1;
    }
    int port;
    if (addr.ss_family == AF_INET6)
        port = ntohs(((struct sockaddr_in6 *)&addr)->sin6_port);
    else
        port = ntohs(((struct sockaddr_in *)&addr)->sin_port);
    /* An IPv6 address goes in brackets in a URL: http://[::1]:8001/ */
    const char *format = addr.ss_family == AF_INET6 ? "%s: listening on http://[%s]:%d/\n"
                                                    : "%s: listening on http://%s:%d/\n";
    printf(format, PROGRAM_NAME, host, port);
    fflush(stdout); /* stdout is a pipe for tests, so it would wait in a buffer */
    return 0;
}

/* accept() failed. Nothing here is a reason to stop serving. */
static void accept_failed(void)
{
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED ||
        errno == EINTR)
        return; /* the client gave up while queued, or a signal: nobody to serve */
    fprintf(stderr, "%s: accept: %s\n", PROGRAM_NAME, strerror(errno));
    if (errno == EMFILE || errno == ENFILE) {
        /* Out of descriptors. The listening socket stays readable, so retrying at
         * once would spin at full speed; pause until one may have been freed. */
        struct timespec pause = {0, 100 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
}

/* ---- One connection ---------------------------------------------------------------- */

/* One connection, start to finish: read one request, answer it, hang up. */
static void serve_connection(struct server *s, int fd, const struct sockaddr *peer,
                             socklen_t peer_length)
{
    struct connection *c = &s->connection;
    c->fd = fd;
    c->timeout_ms = s->timeout_ms;
    c->verbose = s->verbose;
    c->head_only = 0;
    c->status = 0;
    c->body_bytes = -1;
    if (getnameinfo(peer, peer_length, c->client, sizeof c->client, NULL, 0,
                    NI_NUMERICHOST) != 0)
        snprintf(c->client, sizeof c->client, "-");

    /* Non-blocking, so that no read() or write() can wait longer than we allow: every
     * wait goes through io_wait() with a time limit, and Ctrl-C ends it (common/io.c).
     * Set it explicitly: Linux does not pass O_NONBLOCK from the listening socket to
     * the accepted one; BSD and macOS do. */
    if (set_nonblocking(fd) < 0) {
        close(fd);
        return;
    }

    /* The whole request must arrive within the time limit, counted from accept():
     * a client that sends one byte a second cannot keep us forever. */
    int status = read_request(c, io_now_ms() + s->timeout_ms);
    if (status == HTTP_NO_RESPONSE) {
        if (errno == ETIMEDOUT)
            fprintf(stderr, "%s: %s sent no complete request in %d s, closing\n",
                    PROGRAM_NAME, c->client, s->timeout_ms / 1000);
        close(fd);
        return;
    }
    const char *method = c->request.request_line.method;
    c->head_only = method != NULL && strcmp(method, "HEAD") == 0;
    if (status == 0)
        respond(s, c);
    else if (send_status(c, status, NULL) < 0)
        report_send_failure(c);
    log_access(c->client, time(NULL), c->request.line, c->status, c->body_bytes);

    /* close() with unread bytes from the client makes the kernel send a reset, which
     * can destroy our response before the client reads it: io_linger() (common/io.c)
     * sends our end first and drains briefly. Only when such bytes may exist, so an
     * ordinary GET never costs this one-client-at-a-time server that second. */
    if (may_have_unread_bytes(c))
        io_linger(fd, LINGER_MS, LINGER_MAX_BYTES);
    close(fd);
}

/* read() returns whatever has arrived: half a request line, or a whole request with
 * more behind it. So we read until http_parse_head() (common/http.c) says the head is
 * complete, or broke a limit, judging what we have after every read. Returns its
 * verdict (0 or an error status), or HTTP_NO_RESPONSE when there is nobody to answer:
 * the client closed or reset, or sent too little in time (errno ETIMEDOUT), or a stop
 * signal came (EINTR). */
static int read_request(struct connection *c, long long deadline)
{
    http_request_init(&c->request);
    c->received_length = 0;
    for (;;) {
        int status = http_parse_head(&c->request, c->received, c->received_length);
        if (status != HTTP_HEAD_INCOMPLETE)
            return status;
        int ready = io_wait(c->fd, 0, io_ms_until(deadline));
        if (ready <= 0) {
            if (ready == 0)
                errno = ETIMEDOUT;
            return HTTP_NO_RESPONSE;
        }
        /* Room is always left: http_parse_head decides before the buffer fills. */
        ssize_t n = read(c->fd, c->received + c->received_length,
                         sizeof c->received - c->received_length);
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
            continue; /* a signal, or readiness that went away: wait again */
        if (n <= 0)
            return HTTP_NO_RESPONSE; /* 0: the client closed; -1: it reset */
        if (c->verbose)
            log_wire(c->fd, LOG_RECEIVED, c->received + c->received_length, (size_t)n);
        c->received_length += (size_t)n;
    }
}

/* A valid GET or HEAD: find the file and send it, or say why not. */
static void respond(struct server *s, struct connection *c)
{
    struct http_file file;
    char location[HTTP_LOCATION_SIZE];
    /* Target to path to open file, safely: decode, resolve "..", check the real path
     * against the root (http_find_file() in common/http.c). */
    int status = http_find_file(s->root, c->request.request_line.target, &file, location,
                                sizeof location);
    int sent = status == 0 ? send_file(c, &file)
                           : send_status(c, status, status == 301 ? location : NULL);
    if (sent < 0)
        report_send_failure(c);
    if (status == 0)
        close(file.fd);
}

/* A response that did not all go out. Not worth a word when we are stopping: a stop
 * signal ends every wait, so the send fails then by our own doing. */
static void report_send_failure(const struct connection *c)
{
    if (!sig_stop_requested)
        fprintf(stderr, "%s: %s: sending failed: %s\n", PROGRAM_NAME, c->client,
                errno == ETIMEDOUT ? "client stopped reading" : strerror(errno));
}

/* The head of every response we send; the caller fills in the rest. */
static struct http_head head_for(int status)
{
    struct http_head head = {
        .version = "HTTP/1.0", /* whatever 1.x the client spoke: we promise only 1.0 */
        .status = status,
        .server = SERVER_HEADER,
        .content_length = -1,
        .allow = status == 405 ? "GET, HEAD" : NULL,
        .connection = "close", /* and we mean it: that is this chapter */
    };
    return head;
}

/* 200, the file's headers, then its bytes in OUTPUT_CHUNK_SIZE pieces, so memory use
 * is the same for 1 KiB and 1 GiB. The head and the first piece leave in one write:
 * a small file is one packet, not two. Returns 0, or -1 with errno. */
static int send_file(struct connection *c, const struct http_file *file)
{
    struct http_head head = head_for(200);
    head.content_type = http_mime_type(file->real_path);
    head.content_length = (long long)file->size;
    head.last_modified = file->modified;
    int head_length = http_format_head(&head, c->output, sizeof c->output);
    if (head_length < 0) {
        errno = ENOBUFS;
        return -1;
    }
    c->status = 200;
    if (c->head_only)
        return write_all(c, c->output, (size_t)head_length);

    size_t used = (size_t)head_length; /* bytes waiting in c->output */
    long long left = (long long)file->size;
    c->body_bytes = 0;
    while (left > 0 || used > 0) {
        size_t room = sizeof c->output - used;
        size_t want = (long long)room < left ? room : (size_t)left;
        ssize_t n = want > 0 ? read(file->fd, c->output + used, want) : 0;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0 && used == 0) {
            /* The file shrank under us. The head promised more bytes than we can
             * send; closing the connection early tells the client. */
            errno = EIO;
            return -1;
        }
        left -= n;
        if (write_all(c, c->output, used + (size_t)n) < 0)
            return -1;
        c->body_bytes += n; /* only once sent: the log counts what left */
        used = 0;
    }
    return 0;
}

/* An error status with a short HTML page saying why (none for HEAD), or a 301 with
 * its Location: small, so head and page leave in one write. Returns 0 or -1. */
static int send_status(struct connection *c, int status, const char *location)
{
    char page[512];
    int page_length = http_error_body(status, page, sizeof page);
    if (page_length < 0)
        page_length = 0;
    struct http_head head = head_for(status);
    head.content_type = "text/html; charset=utf-8";
    head.content_length = page_length;
    head.location = location;
    int head_length = http_format_head(&head, c->output, sizeof c->output);
    if (head_length < 0 || sizeof c->output - (size_t)head_length < sizeof page) {
        errno = ENOBUFS;
        return -1;
    }
    size_t length = (size_t)head_length;
    c->status = status;
    if (!c->head_only) {
        memcpy(c->output + length, page, (size_t)page_length);
        length += (size_t)page_length;
        c->body_bytes = page_length;
    }
    return write_all(c, c->output, length);
}

/* write() may take fewer bytes than we offer: a short write. On our non-blocking
 * socket that happens whenever the kernel's send buffer is full, and once it is
 * completely full write() fails with EAGAIN: then we wait until the client has read
 * some. A client that reads nothing for -t seconds is abandoned (ETIMEDOUT); the
 * clock restarts whenever bytes go out, so a long transfer is fine. Returns 0 or -1
 * with errno (EPIPE or ECONNRESET: the client went away). */
static int write_all(struct connection *c, const char *data, size_t length)
{
    if (c->verbose)
        log_wire(c->fd, LOG_SENT, data, length);
    while (length > 0) {
        ssize_t n = write(c->fd, data, length);
        if (n > 0) {
            data += n;
            length -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int ready = io_wait(c->fd, 1, c->timeout_ms);
            if (ready > 0)
                continue;
            if (ready == 0)
                errno = ETIMEDOUT;
            return -1;
        }
        if (n == 0)
            errno = EIO; /* write() took nothing from a non-empty buffer: never loop */
        return -1;
    }
    return 0;
}

/* Did the client send bytes we never read? A request body (we read none), the rest
 * of a head we stopped reading at an error, or a second request. */
static int may_have_unread_bytes(const struct connection *c)
{
    const char *length = http_header_value(&c->request, "Content-Length");
    return !c->request.complete || c->received_length > c->request.head_length ||
           (length != NULL && strcmp(length, "0") != 0) ||
           http_header_value(&c->request, "Transfer-Encoding") != NULL;
}
