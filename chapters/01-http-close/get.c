/* get.c: chapter 1's client. One HTTP/1.0 GET, then read until the server hangs up.
 *
 * This is the other half of the conversation that httpd.c has: connect, send a
 * request, read the response. With HTTP/1.0 the end of the response is simply the
 * end of the connection, so "read until EOF" is the whole framing story here
 * (chapter 2 shows why that stops working once connections stay open).
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
#include "net.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define PROGRAM_NAME     "get"
#define RESPONSE_TIMEOUT (30 * 1000) /* ms the server may stay silent */
#define MAX_STATUS_LINE  8192

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

/* The request: a request line and a Host header, then the empty line that ends it. */
static int send_request(int fd, const struct http_url *url, int verbose)
{
    char request[HTTP_MAX_REQUEST_LINE + 512];
    int ipv6 = strchr(url->host, ':') != NULL;
    int n = snprintf(request, sizeof request,
                     "GET %s HTTP/1.0\r\n"
                     "Host: %s%s%s%s%s\r\n"
                     "User-Agent: get (http-vs-sockets chapter 1)\r\n"
                     "\r\n",
                     url->path, ipv6 ? "[" : "", url->host, ipv6 ? "]" : "",
                     strcmp(url->port, "80") != 0 ? ":" : "",
                     strcmp(url->port, "80") != 0 ? url->port : "");
    if (n < 0 || (size_t)n >= sizeof request) {
        errno = EMSGSIZE;
        return -1;
    }
    if (verbose)
        log_wire(fd, LOG_SENT, request, (size_t)n);
    return io_write_all(fd, request, (size_t)n, RESPONSE_TIMEOUT) < 0 ? -1 : 0;
}

/* Read the status line and headers; print them with -i. Returns the status code, or
 * -1 for an answer that is not HTTP. The body's first bytes stay in the reader.
 * *content_length is the Content-Length header's value, or -1 without one. */
static int read_head(struct io_reader *r, int show_head, long long *content_length)
{
    int status = -1;
    *content_length = -1;
    for (int first = 1;; first = 0) {
        struct io_line line;
        long long deadline = io_now_ms() + RESPONSE_TIMEOUT;
        if (io_read_line(r, 0, MAX_STATUS_LINE, deadline, &line) != IO_OK)
            return -1;
        const char *text = io_reader_bytes(r) + line.offset;
        if (first)
            status = http_parse_status_line(text, line.length);
        if (status < 0)
            return -1;
        if (!first && line.length > 15 && strncasecmp(text, "Content-Length:", 15) == 0) {
            char value[32];
            snprintf(value, sizeof value, "%.*s", (int)(line.length - 15), text + 15);
            char *v = value + strspn(value, " \t");
            v[strcspn(v, " \t")] = '\0';
            if (http_parse_content_length(v, content_length) < 0)
                return -1;
        }
        if (show_head)
            fwrite(text, 1, line.next - line.offset, stdout);
        io_reader_consume(r, line.next);
        if (line.length == 0)
            return status; /* the empty line: the body starts here */
    }
}

/* Copy the body to stdout until the server closes the connection. Returns the
 * number of bytes copied, or -1. */
static long long copy_body(struct io_reader *r)
{
    long long copied = 0;
    for (;;) {
        size_t length = io_reader_length(r);
        if (length > 0 && fwrite(io_reader_bytes(r), 1, length, stdout) != length)
            return -1;
        io_reader_consume(r, length);
        copied += (long long)length;
        ssize_t n = io_reader_fill(r, io_now_ms() + RESPONSE_TIMEOUT);
        if (n == 0)
            return copied; /* EOF: in HTTP/1.0, this is how a response ends */
        if (n < 0)
            return -1;
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

    char why[256];
    int fd = net_connect(url.host, url.port, why, sizeof why);
    if (fd < 0) {
        fprintf(stderr, "%s: %s\n", PROGRAM_NAME, why);
        return 1;
    }
    if (send_request(fd, &url, o.verbose) < 0) {
        fprintf(stderr, "%s: sending the request: %s\n", PROGRAM_NAME, strerror(errno));
        close(fd);
        return 1;
    }

    static struct io_reader reader;
    io_reader_init(&reader, fd);
    reader.trace = o.verbose ? log_wire : NULL;
    long long content_length;
    int status = read_head(&reader, o.show_head, &content_length);
    if (status < 0) {
        fprintf(stderr, "%s: no valid HTTP response from %s\n", PROGRAM_NAME, o.url);
        close(fd);
        return 1;
    }
    long long copied = copy_body(&reader);
    if (copied < 0) {
        fprintf(stderr, "%s: reading the body: %s\n", PROGRAM_NAME, strerror(errno));
        close(fd);
        return 1;
    }
    /* The close told us the body ended; Content-Length tells us whether it was
     * complete, or the server died (or the connection broke) half-way. */
    if (content_length >= 0 && copied != content_length) {
        fprintf(stderr, "%s: response cut short: %lld of %lld body bytes\n", PROGRAM_NAME,
                copied, content_length);
        close(fd);
        return 1;
    }
    close(fd);
    fflush(stdout);
    return status >= 400 ? 22 : 0;
}
