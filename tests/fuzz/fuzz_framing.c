/* fuzz_framing.c: reading pipelined requests off a socket, as chapter 2 does.
 *
 * The input is what a client sends on one keep-alive connection: any number of
 * requests, bodies, garbage. It goes through the real code: common/'s
 * http_read_request (the bounded line reader of io.c, the request-line and header
 * parsers, the limits) and chapter 2's own check_framing, discard_body,
 * wants_keep_alive and status_keeps_connection, taken from
 * chapters/02-keep-alive/httpd.c itself (included below, its main() renamed and
 * never called). The loop is serve_one_request's, minus the responses.
 *
 * The bytes arrive over a real socket (a socketpair), cut into pieces by a seed (the
 * input's first byte): each time the reader reads, the trace hook pushes the next
 * piece, and after the last one it shuts the socket down (EOF). Properties:
 *   - the same requests, statuses and bodies whatever the cuts (the seed's pieces and
 *     one single write give the same fingerprint): a request read in pieces is the
 *     same request;
 *   - a head that is complete ends exactly at its empty line ("\n\n" or "\n\r\n"),
 *     and the next request starts right after it and its body: no byte of a pipelined
 *     request is dropped or read twice;
 *   - the request line kept for the log is the one sent; every header parsed is a
 *     token, a colon and a trimmed value without control bytes; the limits hold;
 *   - a body is never longer than 1 MiB, and Content-Length with Transfer-Encoding,
 *     or Content-Lengths that differ, are never let through; nor is a head with a
 *     header line that does not parse: the connection closes after it;
 *   - the reader never runs out of room (ENOBUFS) and never waits for bytes that
 *     are not coming.
 */
#include "http.h"
#include "io.h"

#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

/* Chapter 2's server, for its static functions. */
#define main chapter2_main
#include "../../chapters/02-keep-alive/httpd.c"
#undef main

/* ---- The client side: feeding the socket ---------------------------------------- */

struct feed {
    int fd; /* our end of the socketpair */
    const uint8_t *data;
    size_t size;
    size_t pushed;   /* bytes written into the socket */
    size_t received; /* bytes the reader has read out of it */
    uint32_t seed;
    int whole; /* everything in one write */
};
static struct feed feed;

static void push_next_piece(void)
{
    if (feed.pushed == feed.size)
        return;
    size_t left = feed.size - feed.pushed;
    size_t n = feed.whole ? left : fuzz_next_piece(&feed.seed, left);
    FUZZ_CHECK(write(feed.fd, feed.data + feed.pushed, n) == (ssize_t)n);
    feed.pushed += n;
    if (feed.pushed == feed.size)
        FUZZ_CHECK(shutdown(feed.fd, SHUT_WR) == 0); /* the client is done: EOF */
}

/* The reader's trace hook: called after every read, with what it read. */
static void on_read(int fd, int direction, const void *bytes, size_t length)
{
    (void)fd;
    (void)bytes;
    FUZZ_CHECK(direction == LOG_RECEIVED);
    feed.received += length;
    push_next_piece();
}

/* ---- Checks on one request -----------------------------------------------------------
 */

static const char *input_text(size_t offset)
{
    return (const char *)feed.data + offset;
}

/* Where the reader stands in the input: bytes read minus bytes not yet consumed. */
static size_t position(struct connection *c)
{
    return feed.received - io_reader_length(&c->reader);
}

/* Past the empty lines (LF or CRLF) that may come before a request line. */
static size_t skip_empty_lines(size_t at)
{
    for (;;) {
        const char *p = input_text(at);
        if (at < feed.size && p[0] == '\n') {
            at += 1;
        } else if (at + 1 < feed.size && p[0] == '\r' && p[1] == '\n') {
            at += 2;
        } else {
            return at;
        }
    }
}

/* The request line starts at `at`, after any empty lines. Its text and length. */
static size_t find_request_line(size_t at, size_t *length)
{
    at = skip_empty_lines(at);
    const char *lf = memchr(input_text(at), '\n', feed.size - at);
    FUZZ_CHECK(lf != NULL); /* a request line was answered: it was complete */
    *length = (size_t)(lf - input_text(at));
    if (*length > 0 && lf[-1] == '\r')
        (*length)--;
    return at;
}

/* Does a header line of the head in input[from .. to) fail to parse? (from: the start
 * of the request line; to: just past the empty line.) */
static int head_has_bad_line(size_t from, size_t to)
{
    const char *p = input_text(from);
    const char *end = input_text(to);
    p = (const char *)memchr(p, '\n', (size_t)(end - p)) + 1; /* past the request line */
    int bad = 0;
    while (!bad && p < end) {
        const char *lf = memchr(p, '\n', (size_t)(end - p));
        size_t length = (size_t)(lf - p);
        if (length > 0 && p[length - 1] == '\r')
            length--;
        if (length == 0)
            break; /* the empty line */
        char *line = fuzz_string((const uint8_t *)p, length);
        struct http_header h;
        bad = memchr(p, '\0', length) != NULL || http_parse_header_line(line, &h) != 0;
        free(line);
        p = lf + 1;
    }
    return bad;
}

static void check_headers(const struct http_request *req)
{
    FUZZ_CHECK(req->header_count <= HTTP_MAX_HEADERS);
    FUZZ_CHECK(req->storage_used <= sizeof req->storage);
    for (size_t i = 0; i < req->header_count; i++) {
        const struct http_header *h = &req->headers[i];
        FUZZ_CHECK(h->name[0] != '\0');
        for (const char *p = h->name; *p != '\0'; p++)
            FUZZ_CHECK(strchr(" \t:\r\n", *p) == NULL && (unsigned char)*p > 0x20 &&
                       (unsigned char)*p < 0x7f);
        size_t length = strlen(h->value);
        FUZZ_CHECK(length == 0 ||
                   (h->value[0] != ' ' && h->value[0] != '\t' &&
                    h->value[length - 1] != ' ' && h->value[length - 1] != '\t'));
        for (const char *p = h->value; *p != '\0'; p++)
            FUZZ_CHECK(((unsigned char)*p >= 0x20 || *p == '\t') && *p != 0x7f);
    }
}

static void check_framing_result(const struct http_request *req, int framing,
                                 long long body_length)
{
    size_t lengths = http_header_count(req, "Content-Length");
    size_t encodings = http_header_count(req, "Transfer-Encoding");
    FUZZ_CHECK(framing == 0 || framing == 400 || framing == 413 || framing == 501);
    FUZZ_CHECK(body_length >= 0 && body_length <= MAX_BODY_BYTES);
    if (lengths > 0 && encodings > 0)
        FUZZ_CHECK(framing == 400);
    if (encodings > 0)
        FUZZ_CHECK(framing != 0 && body_length == 0);
    if (framing == 0 && lengths == 0)
        FUZZ_CHECK(body_length == 0);
    if (framing == 0) /* every Content-Length agrees with the one used */
        for (size_t i = 0; i < req->header_count; i++)
            if (strcasecmp(req->headers[i].name, "Content-Length") == 0) {
                long long value;
                FUZZ_CHECK(http_parse_content_length(req->headers[i].value, &value) == 0);
                FUZZ_CHECK(value == body_length);
            }
}

/* ---- The connection ------------------------------------------------------------------
 */

/* Serve one connection's requests from the input, the way serve_one_request does,
 * without answering them. Returns a fingerprint of what happened. */
static uint64_t run_connection(const uint8_t *data, size_t size, uint32_t seed, int whole)
{
    static struct connection c; /* 60 KiB: not on the stack */
    int fds[2];
    FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    int sndbuf = 256 * 1024; /* room for the whole input in one write */
    setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    feed = (struct feed){
        .fd = fds[1], .data = data, .size = size, .seed = seed, .whole = whole};
    memset(&c, 0, sizeof c);
    c.fd = fds[0];
    FUZZ_CHECK(net_set_nonblocking(c.fd, 1) == 0);
    io_reader_init(&c.reader, c.fd);
    c.reader.trace = on_read;
    if (size == 0)
        FUZZ_CHECK(shutdown(feed.fd, SHUT_WR) == 0);
    else
        push_next_piece();

    uint64_t hash = FUZZ_HASH_START;
    size_t start = 0; /* where the current request begins in the input */
    for (;;) {
        const struct http_request *req = &c.request;
        /* Nothing is ever awaited in vain here: a slow answer is a bug, not a client. */
        long long deadline = io_now_ms() + 10000;
        errno = 0;
        int status = http_read_request(&c.reader, &c.request, deadline);
        if (status == HTTP_NO_RESPONSE) {
            FUZZ_CHECK(errno != ENOBUFS && errno != ETIMEDOUT);
            FUZZ_CHECK(feed.pushed == feed.size && feed.received == feed.size);
            hash = fuzz_hash_number(hash, -1);
            break;
        }
        FUZZ_CHECK(status == 0 || status == 400 || status == 405 || status == 414 ||
                   status == 431 || status == 501 || status == 505);
        check_headers(req);
        if (status == 414 || status == 431)
            FUZZ_CHECK(!req->complete);
        size_t line_at = start;
        if (skip_empty_lines(start) - start > HTTP_MAX_EMPTY_LINE_BYTES) {
            /* A flood of empty lines: refused before any request line is read. */
            FUZZ_CHECK(status == 400 && req->line[0] == '\0');
        } else if (status != 414) { /* the line kept for the log is the line sent */
            size_t length;
            line_at = find_request_line(start, &length);
            FUZZ_CHECK(length <= HTTP_MAX_REQUEST_LINE);
            FUZZ_CHECK(memcmp(req->line, input_text(line_at), length) == 0 &&
                       req->line[length] == '\0');
        }
        if (req->complete) { /* the head ends exactly at its empty line */
            size_t end = position(&c);
            FUZZ_CHECK(end >= start + 3 && input_text(end)[-1] == '\n');
            FUZZ_CHECK(input_text(end)[-2] == '\n' ||
                       (input_text(end)[-2] == '\r' && input_text(end)[-3] == '\n'));
        }

        /* From here on, serve_one_request's decisions. */
        int keep = req->complete && wants_keep_alive(req);
        long long body_length = 0;
        int expects_continue = http_header_has_token(req, "Expect", "100-continue");
        if (status == 0 || status_keeps_connection(status)) {
            int framing = req->complete ? check_framing(&c, &body_length) : 0;
            if (req->complete)
                check_framing_result(req, framing, body_length);
            if (framing != 0)
                status = framing;
            else if (status == 0 && req->request_line.minor >= 1 &&
                     http_header_count(req, "Host") != 1)
                status = 400;
        }
        if (!status_keeps_connection(status))
            keep = 0;
        /* A header line that did not parse may have been a Content-Length or a
         * Transfer-Encoding to a server in front of this one: where the request ends is
         * unknown, and going on would answer whatever that server took for a body. */
        if (keep)
            FUZZ_CHECK(!head_has_bad_line(line_at, position(&c)));
        hash = fuzz_hash_number(hash, status);
        hash = fuzz_hash_number(hash, body_length);
        hash = fuzz_hash_number(hash, keep);
        hash = fuzz_hash_number(hash, (long long)req->header_count);
        hash = fuzz_hash(hash, req->line, strlen(req->line));
        if (!keep || (body_length > 0 && expects_continue))
            break; /* the server answers and closes */
        if (body_length > 0) {
            size_t before = position(&c);
            if (discard_body(&c, body_length, deadline) < 0) {
                FUZZ_CHECK(feed.received == feed.size); /* only the end stops it */
                break;
            }
            FUZZ_CHECK(position(&c) == before + (size_t)body_length);
        }
        start = position(&c);
        hash = fuzz_hash_number(hash, (long long)start);
    }
    close(fds[0]);
    close(fds[1]);
    return hash;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint32_t seed = data[0];
    data++;
    size--;
    uint64_t in_pieces = run_connection(data, size, seed, 0);
    uint64_t in_one_write = run_connection(data, size, 0, 1);
    FUZZ_CHECK(in_pieces == in_one_write);
    return 0;
}
