/* get.c: chapter 2's client. Many URLs, one connection.
 *
 * Chapter 1's client read until the server hung up: that was the end of the
 * response. On a connection that stays open there is no hang-up to wait for, so the
 * client must know where each response ends from the response itself: the
 * Content-Length header (RFC 9112 §6.3). With that, it can send the next request on
 * the same connection, and pay for one TCP handshake instead of one per URL.
 *
 *   ./get http://127.0.0.1:8002/ http://127.0.0.1:8002/hello.txt
 *   get: 2 requests on 1 connection                      (on stderr)
 *
 * If the server closes anyway (Connection: close, or its -n limit), get reconnects
 * for the rest and the count says so. Exit status: 0; 22 if any response was 4xx or
 * 5xx; 1 when the server cannot be reached or answers something that is not HTTP.
 */
#include "http.h"
#include "io.h"
#include "log.h"
#include "net.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define PROGRAM_NAME     "get"
#define RESPONSE_TIMEOUT (30 * 1000) /* ms the server may stay silent */
#define MAX_HEAD_LINE    8192

struct client {
    int show_head; /* -i */
    int verbose;   /* -v */
    struct http_url url;
    int fd; /* -1 while not connected */
    struct io_reader reader;
    int connections; /* opened so far */
    int requests;    /* sent so far */
};

/* What we need to know about a response's head to find its end. */
struct response {
    int status;
    long long content_length; /* -1: none given, the body runs until the close */
    int server_closes;        /* Connection: close */
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: %s [-i] [-v] URL...\n"
            "  fetches every URL over one connection (they must share host and port)\n"
            "  -i  also print each status line and headers\n"
            "  -v  wire trace: show every byte sent (>>>) and received (<<<) on stderr\n"
            "  -h  show this help\n"
            "example: %s http://127.0.0.1:8002/ http://127.0.0.1:8002/hello.txt\n",
            PROGRAM_NAME, PROGRAM_NAME);
}

static int connect_once(struct client *c)
{
    char why[256];
    c->fd = net_connect(c->url.host, c->url.port, why, sizeof why);
    if (c->fd < 0) {
        fprintf(stderr, "%s: %s\n", PROGRAM_NAME, why);
        return -1;
    }
    c->connections++;
    io_reader_init(&c->reader, c->fd);
    c->reader.trace = c->verbose ? log_wire : NULL;
    return 0;
}

static void disconnect(struct client *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

/* An HTTP/1.1 request: persistent unless we say otherwise, so the last one says
 * "Connection: close" and the server does not wait for a request that never comes. */
static int send_request(struct client *c, const char *path, int last)
{
    char request[HTTP_MAX_REQUEST_LINE + 512];
    int ipv6 = strchr(c->url.host, ':') != NULL;
    int default_port = strcmp(c->url.port, "80") == 0;
    int n = snprintf(request, sizeof request,
                     "GET %s HTTP/1.1\r\n"
                     "Host: %s%s%s%s%s\r\n"
                     "User-Agent: get (http-vs-sockets chapter 2)\r\n"
                     "%s"
                     "\r\n",
                     path, ipv6 ? "[" : "", c->url.host, ipv6 ? "]" : "",
                     default_port ? "" : ":", default_port ? "" : c->url.port,
                     last ? "Connection: close\r\n" : "");
    if (n < 0 || (size_t)n >= sizeof request) {
        errno = EMSGSIZE;
        return -1;
    }
    if (c->verbose)
        log_wire(c->fd, LOG_SENT, request, (size_t)n);
    c->requests++;
    return io_write_all(c->fd, request, (size_t)n, RESPONSE_TIMEOUT) < 0 ? -1 : 0;
}

/* Note what a header line tells us about framing. */
static int note_header(char *line, struct response *r)
{
    struct http_header h;
    if (http_parse_header_line(line, &h) != 0)
        return -1;
    if (strcasecmp(h.name, "Content-Length") == 0 &&
        http_parse_content_length(h.value, &r->content_length) < 0)
        return -1;
    if (strcasecmp(h.name, "Connection") == 0 && strcasecmp(h.value, "close") == 0)
        r->server_closes = 1;
    return 0;
}

/* Read the status line and headers. Returns 0, IO_EOF if the server closed before
 * sending anything (a kept connection it had given up on), or -1. */
static int read_head(struct client *c, struct response *r)
{
    r->status = -1;
    r->content_length = -1;
    r->server_closes = 0;
    for (int first = 1;; first = 0) {
        struct io_line line;
        long long deadline = io_now_ms() + RESPONSE_TIMEOUT;
        int rc = io_read_line(&c->reader, 0, MAX_HEAD_LINE, deadline, &line);
        if (rc == IO_EOF && first && io_reader_length(&c->reader) == 0)
            return IO_EOF;
        if (rc != IO_OK)
            return -1;
        char text[MAX_HEAD_LINE + 1];
        memcpy(text, io_reader_bytes(&c->reader), line.length);
        text[line.length] = '\0';
        if (c->show_head)
            fwrite(io_reader_bytes(&c->reader), 1, line.next, stdout);
        io_reader_consume(&c->reader, line.next);
        if (first) {
            r->status = http_parse_status_line(text, line.length);
            if (r->status < 0)
                return -1;
        } else if (line.length == 0) {
            return 0;
        } else if (note_header(text, r) < 0) {
            return -1;
        }
    }
}

/* Copy exactly length bytes of body to stdout; length < 0: until the server closes. */
static int copy_body(struct client *c, long long length)
{
    while (length != 0) {
        size_t buffered = io_reader_length(&c->reader);
        if (buffered == 0) {
            ssize_t n = io_reader_fill(&c->reader, io_now_ms() + RESPONSE_TIMEOUT);
            if (n == 0 && length < 0)
                return 0; /* no Content-Length: the close was the end */
            if (n <= 0)
                return -1;
            continue;
        }
        size_t take =
            (length < 0 || (long long)buffered < length) ? buffered : (size_t)length;
        if (fwrite(io_reader_bytes(&c->reader), 1, take, stdout) != take)
            return -1;
        io_reader_consume(&c->reader, take);
        if (length > 0)
            length -= (long long)take;
    }
    return 0;
}

/* 1xx, 204 and 304 responses never have a body, whatever their headers say. */
static int has_body(int status)
{
    return status >= 200 && status != 204 && status != 304;
}

/* Fetch one URL's path on the open connection (opening one if needed). Returns the
 * status, or -1. */
static int fetch(struct client *c, const char *path, int last)
{
    struct response r;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (c->fd < 0 && connect_once(c) < 0)
            return -1;
        int reused = c->requests > 0 && attempt == 0;
        int rc = send_request(c, path, last);
        if (rc == 0)
            rc = read_head(c, &r);
        if (rc == 0)
            break;
        disconnect(c);
        /* A server may close a kept connection just as we reuse it (its idle
         * timeout): then, and only then, try once more on a new connection. */
        if (!(reused && (rc == IO_EOF || errno == EPIPE || errno == ECONNRESET)))
            return -1;
        c->requests--;
    }
    long long length = has_body(r.status) ? r.content_length : 0;
    if (copy_body(c, length) < 0)
        return -1;
    if (r.server_closes || length < 0)
        disconnect(c);
    return r.status;
}

/* Returns -1 to go on, or the exit status for main(). */
static int parse_options(int argc, char **argv, struct client *c)
{
    int opt;
    while ((opt = getopt(argc, argv, "ivh")) != -1) {
        switch (opt) {
        case 'i':
            c->show_head = 1;
            break;
        case 'v':
            c->verbose = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind == argc) {
        usage(stderr);
        return 2;
    }
    return -1;
}

int main(int argc, char **argv)
{
    struct client c = {.fd = -1};
    int rc = parse_options(argc, argv, &c);
    if (rc >= 0)
        return rc;
    /* Every URL must name the same server: that is what lets them share a connection. */
    struct http_url *urls = calloc((size_t)(argc - optind), sizeof *urls);
    if (urls == NULL)
        return 1;
    for (int i = optind; i < argc; i++) {
        struct http_url *u = &urls[i - optind];
        if (http_parse_url(argv[i], u) < 0) {
            fprintf(stderr, "%s: not an http:// URL: %s\n", PROGRAM_NAME, argv[i]);
            free(urls);
            return 2;
        }
        if (strcmp(u->host, urls[0].host) != 0 || strcmp(u->port, urls[0].port) != 0) {
            fprintf(stderr, "%s: all URLs must name the same host and port\n",
                    PROGRAM_NAME);
            free(urls);
            return 2;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    c.url = urls[0];

    int exit_status = 0;
    int count = argc - optind;
    for (int i = 0; i < count; i++) {
        int status = fetch(&c, urls[i].path, i == count - 1);
        if (status < 0) {
            fprintf(stderr, "%s: %s: %s\n", PROGRAM_NAME, argv[optind + i],
                    errno ? strerror(errno) : "no valid HTTP response");
            exit_status = 1;
            break;
        }
        if (status >= 400 && exit_status == 0)
            exit_status = 22;
    }
    disconnect(&c);
    fflush(stdout);
    fprintf(stderr, "%s: %d request%s on %d connection%s\n", PROGRAM_NAME, c.requests,
            c.requests == 1 ? "" : "s", c.connections, c.connections == 1 ? "" : "s");
    free(urls);
    return exit_status;
}
