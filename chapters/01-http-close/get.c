/* get.c: chapter 1's client. One HTTP/1.0 GET, then read until the server hangs up.
 *
 * This is the other half of the conversation that httpd.c has, and the client's side
 * of a socket's life: getaddrinfo, socket, connect, write the request, read the
 * response until EOF, close. An HTTP/1.0 server closes the connection after its
 * response, so reading until read() returns 0 gets all of it. Content-Length, when
 * the server sends it, is what says how long the body is: we check it, since a body
 * cut short by a crash ends with the same EOF (chapter 2 relies on it entirely, once
 * connections stay open).
 *
 *   ./get http://127.0.0.1:8001/            the body, on stdout
 *   ./get -i http://127.0.0.1:8001/         the status line and headers too
 *   ./get -v http://127.0.0.1:8001/         every byte sent and received, on stderr
 *
 * Exit status: 0 for a 1xx-3xx answer, 22 for 4xx and 5xx (as `curl -f` does), 1 when
 * the server cannot be reached or its answer is not HTTP.
 */
#include "http.h"
#include "io.h"
#include "log.h"

#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define PROGRAM_NAME          "get"
#define RESPONSE_TIMEOUT_SECS 30          /* how long the server may stay silent */
#define MAX_HEAD_BYTES        (64 * 1024) /* a status line and headers longer: not HTTP */

struct options {
    int show_head; /* -i */
    int verbose;   /* -v */
    const char *url;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: %s [-i] [-v] URL\n"
            "  -i  also print the status line and headers\n"
            "  -v  wire trace: show every byte sent (>>>) and received (<<<) on stderr\n"
            "  -h  show this help\n"
            "example: %s -i http://127.0.0.1:8001/hello.txt\n",
            PROGRAM_NAME, PROGRAM_NAME);
}

static int parse_options(int argc, char **argv, struct options *o)
{
    int opt;
    while ((opt = getopt(argc, argv, "ivh")) != -1) {
        switch (opt) {
        case 'i':
            o->show_head = 1;
            break;
        case 'v':
            o->verbose = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (argc - optind != 1) {
        usage(stderr);
        return 2;
    }
    o->url = argv[optind];
    return -1; /* go on */
}

/* The client's side of the socket's life: getaddrinfo() for the server's addresses,
 * then socket() and connect() for each until one answers (localhost may give ::1 and
 * 127.0.0.1, and the server may listen on only one of them). connect() sends the SYN
 * and returns when the handshake is done, or fails: ECONNREFUSED when nothing listens
 * there. Returns the connected descriptor, or -1 (said on stderr). */
static int connect_to(const char *host, const char *port)
{
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;     /* IPv4 or IPv6 */
    hints.ai_socktype = SOCK_STREAM; /* TCP */
    struct addrinfo *list;
    int rc = getaddrinfo(host, port, &hints, &list);
    if (rc != 0) {
        fprintf(stderr, "%s: cannot resolve %s port %s: %s\n", PROGRAM_NAME, host, port,
                rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *ai = list; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
            fprintf(stderr, "%s: connect %s port %s: %s\n", PROGRAM_NAME, host, port,
                    strerror(errno));
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(list);
    return fd;
}

/* A read() that gives up after RESPONSE_TIMEOUT_SECS of silence: the socket's receive
 * timeout (SO_RCVTIMEO) makes a blocking read() fail with EAGAIN instead of waiting
 * forever. Returns what read() returns; a time-out is -1 with errno ETIMEDOUT. */
static ssize_t read_some(int fd, char *buf, size_t size, int verbose)
{
    for (;;) {
        ssize_t n = read(fd, buf, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            errno = ETIMEDOUT;
        if (n > 0 && verbose)
            log_wire(fd, LOG_RECEIVED, buf, (size_t)n);
        return n;
    }
}

/* The request: a request line and a Host header, then the empty line that ends it.
 * write() may take only part of it (a short write), so loop until all is sent. */
static int send_request(int fd, const struct http_url *url, int verbose)
{
    char request[HTTP_MAX_REQUEST_LINE + 512];
    int ipv6 = strchr(url->host, ':') != NULL;
    int length = snprintf(request, sizeof request,
                          "GET %s HTTP/1.0\r\n"
                          "Host: %s%s%s%s%s\r\n"
                          "User-Agent: get (http-vs-sockets chapter 1)\r\n"
                          "\r\n",
                          url->path, ipv6 ? "[" : "", url->host, ipv6 ? "]" : "",
                          strcmp(url->port, "80") != 0 ? ":" : "",
                          strcmp(url->port, "80") != 0 ? url->port : "");
    if (length < 0 || (size_t)length >= sizeof request) {
        errno = EMSGSIZE;
        return -1;
    }
    if (verbose)
        log_wire(fd, LOG_SENT, request, (size_t)length);
    for (int sent = 0; sent < length;) {
        ssize_t n = write(fd, request + sent, (size_t)(length - sent));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        sent += (int)n;
    }
    return 0;
}

/* What we know of the response once its head has arrived. */
struct response {
    char bytes[MAX_HEAD_BYTES]; /* the head, and the body's first bytes behind it */
    size_t length;              /* bytes received so far */
    size_t head_length;         /* where the body starts */
    int status;                 /* 200, 404, ... */
    long long content_length;   /* the Content-Length header's value, or -1 */
};

/* One line of the head: the status line first, then headers, of which we want only
 * Content-Length (to tell a complete body from one cut short). Returns 0 or -1. */
static int parse_head_line(struct response *r, const char *text, size_t length, int first)
{
    if (first) {
        r->status = http_parse_status_line(text, length);
        return r->status < 0 ? -1 : 0;
    }
    if (length > 15 && strncasecmp(text, "Content-Length:", 15) == 0) {
        char value[32];
        snprintf(value, sizeof value, "%.*s", (int)(length - 15), text + 15);
        char *v = value + strspn(value, " \t");
        v[strcspn(v, " \t")] = '\0';
        return http_parse_content_length(v, &r->content_length);
    }
    return 0;
}

/* Read until the head is complete: the status line and headers, up to the empty line.
 * Like the server, we cannot know how many reads that takes. Returns 0 or -1. */
static int read_head(int fd, int verbose, struct response *r)
{
    size_t parsed = 0; /* the head's lines before this offset are done */
    r->length = 0;
    r->content_length = -1;
    for (;;) {
        struct io_line line;
        int rc = io_find_line(r->bytes, r->length, parsed, MAX_HEAD_BYTES, &line);
        if (rc == IO_OK) {
            if (parse_head_line(r, r->bytes + line.offset, line.length, parsed == 0) < 0)
                return -1;
            parsed = line.next;
            if (line.length == 0) { /* the empty line: the body starts here */
                r->head_length = parsed;
                return 0;
            }
            continue;
        }
        if (rc == IO_TOO_LONG || r->length == sizeof r->bytes)
            return -1;
        ssize_t n =
            read_some(fd, r->bytes + r->length, sizeof r->bytes - r->length, verbose);
        if (n <= 0)
            return -1;
        r->length += (size_t)n;
    }
}

/* Copy the body to stdout until the server closes the connection: the bytes that came
 * with the head, then every read until read() returns 0, the end of the stream.
 * Returns the number of body bytes, or -1. */
static long long copy_body(int fd, int verbose, struct response *r)
{
    size_t length = r->length - r->head_length;
    if (fwrite(r->bytes + r->head_length, 1, length, stdout) != length)
        return -1;
    long long copied = (long long)length;
    char buf[64 * 1024];
    for (;;) {
        ssize_t n = read_some(fd, buf, sizeof buf, verbose);
        if (n == 0)
            return copied; /* EOF: with HTTP/1.0, the server closes after the response */
        if (n < 0 || fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
            return -1;
        copied += n;
    }
}

int main(int argc, char **argv)
{
    struct options o = {0};
    int rc = parse_options(argc, argv, &o);
    if (rc >= 0)
        return rc;
    struct http_url url;
    if (http_parse_url(o.url, &url) < 0) {
        fprintf(stderr, "%s: not an http:// URL: %s\n", PROGRAM_NAME, o.url);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN); /* a server that hangs up early: EPIPE, not death */

    int fd = connect_to(url.host, url.port);
    if (fd < 0)
        return 1;
    struct timeval patience = {RESPONSE_TIMEOUT_SECS, 0};
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience) < 0 ||
        send_request(fd, &url, o.verbose) < 0) {
        fprintf(stderr, "%s: sending the request: %s\n", PROGRAM_NAME, strerror(errno));
        close(fd);
        return 1;
    }

    static struct response response; /* static: 64 KiB is a lot for the stack */
    if (read_head(fd, o.verbose, &response) < 0) {
        fprintf(stderr, "%s: no valid HTTP response from %s\n", PROGRAM_NAME, o.url);
        close(fd);
        return 1;
    }
    if (o.show_head)
        fwrite(response.bytes, 1, response.head_length, stdout);
    long long copied = copy_body(fd, o.verbose, &response);
    if (copied < 0) {
        fprintf(stderr, "%s: reading the body: %s\n", PROGRAM_NAME, strerror(errno));
        close(fd);
        return 1;
    }
    /* The close told us the body ended; Content-Length tells us whether it was
     * complete, or the server died (or the connection broke) half-way. */
    if (response.content_length >= 0 && copied != response.content_length) {
        fprintf(stderr, "%s: response cut short: %lld of %lld body bytes\n", PROGRAM_NAME,
                copied, response.content_length);
        close(fd);
        return 1;
    }
    close(fd);
    fflush(stdout);
    return response.status >= 400 ? 22 : 0;
}
