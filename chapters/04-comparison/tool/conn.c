/* tool/conn.c: the tool around chapter 4's lesson, not the lesson. See conn.h. */
#include "conn.h"

#include "http.h"
#include "net.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define WRITE_TIMEOUT_MS 10000 /* a server that takes nothing for this long is stuck */
#define LINE_TIMEOUT_MS  10000 /* likewise one that sends no line */
#define HEAD_LINE_MAX    8192
#define REQUEST_MAX      (HTTP_MAX_REQUEST_LINE + 512)
#define HANG_UP_WAIT_MS  100 /* for the server's ACK of our FIN: on loopback, at once */
#define HANG_UP_POLL_NS  20000
#define WELCOME_PREFIX   "* welcome to " /* chatd or pushd, then ", you are NICK;" */
#define WELCOME_YOU_ARE  ", you are "
#define CHAT_LINE_MAX    4096

/* ---- Segments, counted by the kernel (Linux only) -------------------------------- */

#ifdef __linux__
/* The start of Linux's struct tcp_info as the kernel lays it out (its
 * include/uapi/linux/tcp.h), up to the two segment counters that Linux 4.2 added.
 * Neither C library's <netinet/tcp.h> will do: glibc's copy of the struct ends before
 * these fields, and musl shows them only with _GNU_SOURCE. The kernel only ever
 * appends to this struct, so these offsets hold on every version, and getsockopt()
 * says how many bytes it filled in: fewer than ours on a kernel without the counters.
 * (tests/04-comparison/test_segments.c checks the layout against <linux/tcp.h>.) */
static long kernel_segments(int fd, int *closed)
{
    struct conn_linux_tcp_info info;
    socklen_t length = sizeof info;
    memset(&info, 0, sizeof info);
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) < 0 ||
        (size_t)length < sizeof info)
        return -1;
    if (closed != NULL)
        *closed = info.state == CONN_LINUX_TCP_CLOSE;
    return (long)info.segs_out + (long)info.segs_in;
}
#else
/* Other systems keep no such counters that POSIX lets us read: the model stands in. */
static long kernel_segments(int fd, int *closed)
{
    (void)fd;
    (void)closed;
    return -1;
}
#endif

long conn_segments(const struct conn *c)
{
    return conn_segments_plus(c->segments, c->fd >= 0 ? kernel_segments(c->fd, NULL) : 0);
}

long conn_segments_plus(long a, long b)
{
    return a < 0 || b < 0 ? -1 : a + b;
}

long conn_segments_since(long now, long before)
{
    return now < 0 || before < 0 ? -1 : now - before;
}

/* ---- The connection -------------------------------------------------------------- */

void conn_init(struct conn *c)
{
    c->fd = -1;
    c->sent = 0;
    c->received = 0;
    c->segments = 0;
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
    if (c->fd < 0)
        return;
    c->segments = conn_segments(c);
    close(c->fd);
    c->fd = -1;
}

void conn_hang_up(struct conn *c)
{
    if (c->fd >= 0 && shutdown(c->fd, SHUT_WR) == 0) {
        /* Our FIN is out. Wait for the server's ACK of it: then the kernel has counted
         * every segment of the connection (and then its state is CLOSE). */
        long long deadline = io_now_ms() + HANG_UP_WAIT_MS;
        int closed = 0;
        while (kernel_segments(c->fd, &closed) >= 0 && !closed &&
               io_now_ms() < deadline) {
            struct timespec pause = {0, HANG_UP_POLL_NS};
            nanosleep(&pause, NULL);
        }
    }
    conn_close(c);
}

int conn_send(struct conn *c, const void *data, size_t length)
{
    if (io_write_all(c->fd, data, length, WRITE_TIMEOUT_MS) < 0)
        return -1;
    c->sent += (long long)length;
    return 0;
}

void conn_consume(struct conn *c, size_t n)
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
    conn_consume(c, line_length + 1);
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

/* ---- Chat ------------------------------------------------------------------------ */

int conn_join_chat(struct conn *c, const char *host, const char *port, char *nick,
                   size_t nick_size, char *why, size_t why_size)
{
    char line[512];
    if (conn_open(c, host, port, why, why_size) < 0)
        return -1;
    long rc = conn_read_line(c, line, sizeof line, io_now_ms() + LINE_TIMEOUT_MS);
    const char *you_are = rc < 0 ? NULL : strstr(line, WELCOME_YOU_ARE);
    if (you_are == NULL || strncmp(line, WELCOME_PREFIX, strlen(WELCOME_PREFIX)) != 0) {
        snprintf(why, why_size, "no welcome from the chat server: %.120s",
                 rc < 0 ? conn_error(rc) : line);
        conn_close(c);
        return -1;
    }
    const char *name = you_are + strlen(WELCOME_YOU_ARE);
    snprintf(nick, nick_size, "%.*s", (int)strcspn(name, ";"), name);
    return 0;
}

int conn_wait_for_line(struct conn *c, const char *want, int prefix_only, char *why,
                       size_t why_size)
{
    char line[CHAT_LINE_MAX];
    size_t want_length = strlen(want);
    for (;;) {
        long rc = conn_read_line(c, line, sizeof line, io_now_ms() + LINE_TIMEOUT_MS);
        if (rc < 0) {
            snprintf(why, why_size, "waiting for \"%s\": %s", want, conn_error(rc));
            return -1;
        }
        if (prefix_only ? strncmp(line, want, want_length) == 0 : strcmp(line, want) == 0)
            return 0;
    }
}

/* ---- HTTP ------------------------------------------------------------------------ */

int conn_send_get(struct conn *c, const char *host, const char *port, const char *path,
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
static void note_header(char *line, struct conn_answer *a)
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

int conn_read_head(struct conn *c, struct conn_answer *a, long long deadline_ms)
{
    char line[HEAD_LINE_MAX + 1];
    memset(a, 0, sizeof *a);
    a->content_length = -1;
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
static int read_body(struct conn *c, long long length, struct conn_answer *a,
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
        conn_consume(c, take);
        if (length > 0)
            length -= (long long)take;
    }
    return 0;
}

int conn_read_answer(struct conn *c, int until_close, struct conn_answer *a,
                     long long deadline_ms)
{
    int rc = conn_read_head(c, a, deadline_ms);
    if (rc != 0)
        return rc;
    int has_body = a->status >= 200 && a->status != 204 && a->status != 304;
    long long length = !has_body ? 0 : until_close ? -1 : a->content_length;
    return read_body(c, length, a, deadline_ms);
}

int conn_get(struct conn *c, const char *host, const char *port, const char *path,
             int version_minor, struct conn_answer *a, long long deadline_ms, char *why,
             size_t why_size)
{
    int rc = conn_send_get(c, host, port, path, version_minor);
    if (rc == 0)
        rc = conn_read_answer(c, version_minor == 0, a, deadline_ms);
    if (rc != 0) {
        snprintf(why, why_size, "GET %s: %s", path, conn_error(rc));
        return -1;
    }
    if (a->status != 200) {
        snprintf(why, why_size, "GET %s: status %d", path, a->status);
        return -1;
    }
    return 0;
}
