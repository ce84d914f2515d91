/* client.c: see client.h. */
#include "client.h"

#include "http.h"
#include "net.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define WRITE_TIMEOUT_MS 10000 /* a server that takes nothing for this long is stuck */
#define HEAD_LINE_MAX    8192
#define REQUEST_MAX      (HTTP_MAX_REQUEST_LINE + 512)

void conn_init(struct conn *c)
{
    c->fd = -1;
    c->sent = 0;
    c->received = 0;
    io_reader_init(&c->reader, -1);
}

int conn_open(struct conn *c, const char *host, const char *port, char *why,
              size_t why_size)
{
    c->fd = net_connect(host, port, why, why_size);
    if (c->fd < 0)
        return -1;
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* a hint only */
    io_reader_init(&c->reader, c->fd);
    return 0;
}

void conn_close(struct conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

int conn_send(struct conn *c, const void *data, size_t length)
{
    if (io_write_all(c->fd, data, length, WRITE_TIMEOUT_MS) < 0)
        return -1;
    c->sent += (long long)length;
    return 0;
}

/* Hand the first n buffered bytes to the caller: that is when they count as received. */
static void consume(struct conn *c, size_t n)
{
    io_reader_consume(&c->reader, n);
    c->received += (long long)n;
}

long conn_take_line(struct conn *c, char *out, size_t size)
{
    const char *bytes = io_reader_bytes(&c->reader);
    size_t length = io_reader_length(&c->reader);
    const char *lf = memchr(bytes, '\n', length);
    if (lf == NULL)
        return -1;
    size_t line_length = (size_t)(lf - bytes);
    size_t copy = line_length < size - 1 ? line_length : size - 1;
    memcpy(out, bytes, copy);
    out[copy] = '\0';
    consume(c, line_length + 1);
    return (long)line_length;
}

long conn_read_line(struct conn *c, char *out, size_t size, long long deadline_ms)
{
    for (;;) {
        long length = conn_take_line(c, out, size);
        if (length >= 0)
            return length;
        ssize_t n = io_reader_fill(&c->reader, deadline_ms);
        if (n == 0)
            return CONN_EOF;
        if (n < 0)
            return -1;
    }
}

const char *conn_error(long rc)
{
    return rc == CONN_EOF ? "the server closed the connection" : strerror(errno);
}

int http_send_get(struct conn *c, const char *host, const char *port, const char *path,
                  int version_minor)
{
    char request[REQUEST_MAX];
    int ipv6 = strchr(host, ':') != NULL;
    int n = snprintf(request, sizeof request,
                     "GET %s HTTP/1.%d\r\n"
                     "Host: %s%s%s:%s\r\n"
                     "\r\n",
                     path, version_minor, ipv6 ? "[" : "", host, ipv6 ? "]" : "", port);
    if (n < 0 || (size_t)n >= sizeof request) {
        errno = EMSGSIZE;
        return -1;
    }
    return conn_send(c, request, (size_t)n);
}

/* Note what one header line says about where the answer ends. */
static void note_header(char *line, struct http_answer *a)
{
    struct http_header h;
    if (http_parse_header_line(line, &h) != 0)
        return;
    if (strcasecmp(h.name, "Content-Length") == 0 &&
        http_parse_content_length(h.value, &a->content_length) < 0)
        a->content_length = -1;
    if (strcasecmp(h.name, "Connection") == 0 && http_list_has_token(h.value, "close"))
        a->server_closes = 1;
}

static int read_head(struct conn *c, struct http_answer *a, long long deadline_ms)
{
    char line[HEAD_LINE_MAX + 1];
    for (int first = 1;; first = 0) {
        long length = conn_read_line(c, line, sizeof line, deadline_ms);
        if (length < 0)
            return (int)length;
        if (length > 0 && line[length - 1] == '\r')
            line[--length] = '\0';
        if (first) {
            a->status = http_parse_status_line(line, (size_t)length);
            if (a->status < 0) {
                errno = EPROTO;
                return -1;
            }
        } else if (length == 0) {
            return 0;
        } else {
            note_header(line, a);
        }
    }
}

/* Consume the body: `length` bytes, or (length < 0) everything until the close. */
static int read_body(struct conn *c, long long length, struct http_answer *a,
                     long long deadline_ms)
{
    while (length != 0) {
        size_t buffered = io_reader_length(&c->reader);
        if (buffered == 0) {
            ssize_t n = io_reader_fill(&c->reader, deadline_ms);
            if (n == 0)
                return length < 0 ? 0 : CONN_EOF;
            if (n < 0)
                return -1;
            continue;
        }
        size_t take =
            (length < 0 || (long long)buffered < length) ? buffered : (size_t)length;
        size_t keep = ANSWER_BODY_MAX - a->body_length;
        if (keep > take)
            keep = take;
        memcpy(a->body + a->body_length, io_reader_bytes(&c->reader), keep);
        a->body_length += keep;
        a->body[a->body_length] = '\0';
        consume(c, take);
        if (length > 0)
            length -= (long long)take;
    }
    return 0;
}

int http_read_answer(struct conn *c, int until_close, struct http_answer *a,
                     long long deadline_ms)
{
    memset(a, 0, sizeof *a);
    a->content_length = -1;
    int rc = read_head(c, a, deadline_ms);
    if (rc != 0)
        return rc;
    int has_body = a->status >= 200 && a->status != 204 && a->status != 304;
    long long length = !has_body ? 0 : until_close ? -1 : a->content_length;
    return read_body(c, length, a, deadline_ms);
}
