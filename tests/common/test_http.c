/* test_http.c: the HTTP helpers, limit by limit and status by status. */
#include "harness.h"
#include "suites.h"

#include "http.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- Helpers ----------------------------------------------------------------------- */

/* A deadline far beyond any test's time limit: a call that waits for it makes the test
 * time out, so returning at all proves that it did not wait. */
static long long far_deadline(void)
{
    return io_now_ms() + 3600 * 1000;
}

static void make_pair(int fds[2])
{
    ck_assert_msg(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0, "socketpair: %s",
                  strerror(errno));
}

/* Small writes that fit in any socket buffer, done by the test itself. */
static void put(int fd, const char *text)
{
    size_t length = strlen(text);
    ck_assert_int_eq(write(fd, text, length), (ssize_t)length);
}

/* Larger requests are written by a child process, so the test never depends on how
 * much a socket buffer holds. The child writes data into fds[1], then closes it
 * (close_after) or keeps it open until we close fds[0] (finish_feed). */
static pid_t feed(int fds[2], const void *data, size_t length, int close_after)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        int ok = io_write_all(fds[1], data, length, -1) == (ssize_t)length;
        char c;
        while (!close_after && read(fds[1], &c, 1) > 0)
            ;
        _exit(ok ? 0 : 1);
    }
    close(fds[1]);
    fds[1] = -1;
    return pid;
}

/* Close our end (a child still writing gets EPIPE) and reap the child. */
static void finish_feed(int fds[2], pid_t pid)
{
    close(fds[0]);
    ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
}

/* The reader and request of the test under way (both too big for comfort on a stack). */
static struct io_reader reader;
static struct http_request request;

/* Send data (the connection then stays open) and read one request head from it. */
static int read_head(const void *data, size_t length)
{
    int fds[2];
    make_pair(fds);
    pid_t pid = feed(fds, data, length, 0);
    io_reader_init(&reader, fds[0]);
    int status = http_read_request(&reader, &request, far_deadline());
    finish_feed(fds, pid);
    return status;
}

static int read_head_text(const char *text)
{
    return read_head(text, strlen(text));
}

/* The same, but the peer closes after sending. */
static int read_head_then_eof(const char *text)
{
    int fds[2];
    make_pair(fds);
    pid_t pid = feed(fds, text, strlen(text), 1);
    io_reader_init(&reader, fds[0]);
    int status = http_read_request(&reader, &request, far_deadline());
    finish_feed(fds, pid);
    return status;
}

/* Building big requests. */
static char big[64 * 1024];
static size_t big_used;

static void big_reset(void)
{
    big_used = 0;
}

static void big_append(const char *text)
{
    size_t length = strlen(text);
    ck_assert_uint_le(big_used + length, sizeof big);
    memcpy(big + big_used, text, length);
    big_used += length;
}

/* "METHOD /aaa...a VERSION" of exactly `length` bytes, then the ending. */
static void big_request_line(const char *method, size_t length, const char *version,
                             const char *ending)
{
    size_t fixed = strlen(method) + 2 + strlen(version) + 1; /* "M /" ... " V" */
    ck_assert_uint_ge(length, fixed);
    big_append(method);
    big_append(" /");
    ck_assert_uint_le(big_used + length - fixed, sizeof big);
    memset(big + big_used, 'a', length - fixed);
    big_used += length - fixed;
    big_append(" ");
    big_append(version);
    big_append(ending);
}

/* `lines` header lines "X-NNN: vvv...v" + ending, `total` bytes in all, endings
 * included (the way HTTP_MAX_HEADER_BYTES counts). */
static void big_headers(size_t total, size_t lines, const char *ending)
{
    size_t base = total / lines;
    for (size_t i = 0; i < lines; i++) {
        size_t length = i + 1 < lines ? base : total - base * (lines - 1);
        char name[16];
        int n = snprintf(name, sizeof name, "X-%03zu: ", i);
        size_t fixed = (size_t)n + strlen(ending);
        ck_assert_uint_ge(length, fixed);
        ck_assert_uint_le(big_used + length, sizeof big);
        big_append(name);
        memset(big + big_used, 'v', length - fixed);
        big_used += length - fixed;
        big_append(ending);
    }
}

/* ---- http_parse_request_line ------------------------------------------------------- */

static int parse_line(const char *text, struct http_request_line *out)
{
    static char copy[256];
    ck_assert_uint_lt(strlen(text), sizeof copy);
    strcpy(copy, text);
    return http_parse_request_line(copy, out);
}

static void expect_line_status(const char *text, int expected)
{
    struct http_request_line rl;
    int status = parse_line(text, &rl);
    ck_assert_msg(status == expected, "\"%s\": %d, expected %d", text, status, expected);
}

/* GET and HEAD are served; the three parts and the version numbers come out. */
START_TEST(request_line_get_and_head)
{
    struct http_request_line rl;
    ck_assert_int_eq(parse_line("GET /index.html HTTP/1.1", &rl), 0);
    ck_assert_str_eq(rl.method, "GET");
    ck_assert_str_eq(rl.target, "/index.html");
    ck_assert_str_eq(rl.version, "HTTP/1.1");
    ck_assert_int_eq(rl.major, 1);
    ck_assert_int_eq(rl.minor, 1);

    ck_assert_int_eq(parse_line("HEAD http://example.com/a?b=c HTTP/1.0", &rl), 0);
    ck_assert_str_eq(rl.method, "HEAD");
    ck_assert_str_eq(rl.target, "http://example.com/a?b=c");
    ck_assert_int_eq(rl.major, 1);
    ck_assert_int_eq(rl.minor, 0);

    ck_assert_int_eq(parse_line("GET / HTTP/1.9", &rl), 0); /* any 1.x */
    ck_assert_int_eq(rl.minor, 9);
}
END_TEST

/* Every method RFC 9110 registers that we do not allow is 405; other methods, and the
 * wrong case (methods are case-sensitive), are 501. */
START_TEST(request_line_methods)
{
    const char *registered[] = {"POST",  "PUT",   "DELETE", "OPTIONS",
                                "TRACE", "PATCH", "CONNECT"};
    for (size_t i = 0; i < sizeof registered / sizeof registered[0]; i++) {
        char line[64];
        snprintf(line, sizeof line, "%s / HTTP/1.1", registered[i]);
        expect_line_status(line, 405);
    }
    expect_line_status("get / HTTP/1.1", 501);
    expect_line_status("Get / HTTP/1.1", 501);
    expect_line_status("post / HTTP/1.1", 501);
    expect_line_status("BREW / HTTP/1.1", 501);
    expect_line_status("GETX / HTTP/1.1", 501);
    expect_line_status("PROPFIND / HTTP/1.1", 501);
}
END_TEST

/* Versions: HTTP/d.d with a major other than 1 is 505; anything else malformed is 400. */
START_TEST(request_line_versions)
{
    struct http_request_line rl;
    ck_assert_int_eq(parse_line("GET / HTTP/2.0", &rl), 505);
    ck_assert_int_eq(rl.major, 2);
    ck_assert_int_eq(rl.minor, 0);
    expect_line_status("GET / HTTP/0.9", 505);
    expect_line_status("GET / HTTP/3.0", 505);
    expect_line_status("BREW / HTTP/2.0", 505); /* the version is judged first */
    expect_line_status("POST / HTTP/0.9", 505);

    expect_line_status("GET / HTTP/1.1x", 400);
    expect_line_status("GET / HTTP/11", 400);
    expect_line_status("GET / HTTP/1.", 400);
    expect_line_status("GET / HTTP/1", 400);
    expect_line_status("GET / HTTP/.1", 400);
    expect_line_status("GET / HTTP/10.0", 400);
    expect_line_status("GET / HTTP/1.10", 400);
    expect_line_status("GET / http/1.1", 400);
    expect_line_status("GET / HTTP1.1", 400);
    expect_line_status("GET / HTTPS/1.1", 400);
    expect_line_status("GET / ", 400);
}
END_TEST

/* Exactly three parts separated by single spaces, a token method, a visible-ASCII
 * target: anything else is 400. */
START_TEST(request_line_malformed)
{
    expect_line_status("", 400);
    expect_line_status("GET", 400);
    expect_line_status("GET /", 400);
    expect_line_status("GET  / HTTP/1.1", 400);
    expect_line_status("GET /  HTTP/1.1", 400);
    expect_line_status(" GET / HTTP/1.1", 400);
    expect_line_status("GET / HTTP/1.1 ", 400);
    expect_line_status("GET / HTTP/1.1 extra", 400);
    expect_line_status("GET\t/ HTTP/1.1", 400);
    expect_line_status("GET /\t HTTP/1.1", 400);
    expect_line_status(" / HTTP/1.1", 400);
    expect_line_status("GET  HTTP/1.1", 400);
    expect_line_status("G(T / HTTP/1.1", 400);
    expect_line_status("GET /a\x01 HTTP/1.1", 400);
    expect_line_status("GET /a\x1f HTTP/1.1", 400);
    expect_line_status("GET /a\r HTTP/1.1", 400);
    expect_line_status("GET /a\x7f HTTP/1.1", 400);
    expect_line_status("GET /caf\xc3\xa9 HTTP/1.1", 400);
    expect_line_status("GET /\xff HTTP/1.1", 400);
    expect_line_status("POST /\x01 HTTP/2.0", 400); /* the request line comes first */
}
END_TEST

/* ---- http_parse_header_line -------------------------------------------------------- */

static void expect_header(const char *text, const char *name, const char *value)
{
    char copy[256];
    strcpy(copy, text);
    struct http_header h;
    ck_assert_msg(http_parse_header_line(copy, &h) == 0, "\"%s\" should parse", text);
    ck_assert_str_eq(h.name, name);
    ck_assert_str_eq(h.value, value);
}

static void expect_bad_header(const char *text)
{
    char copy[256];
    strcpy(copy, text);
    struct http_header h;
    ck_assert_msg(http_parse_header_line(copy, &h) == 400, "\"%s\" should be 400", text);
}

/* "Name: value" splits at the first colon; spaces and tabs around the value go. */
START_TEST(header_line_split_and_trim)
{
    expect_header("Host: example.com", "Host", "example.com");
    expect_header("Host:example.com", "Host", "example.com");
    expect_header("Host: \t example.com \t ", "Host", "example.com");
    expect_header("X-Time: 12:30:00", "X-Time", "12:30:00");
    expect_header("X-Empty:", "X-Empty", "");
    expect_header("X-Empty: \t ", "X-Empty", "");
    expect_header("X: a b  c", "X", "a b  c");
    expect_header("X: a\tb", "X", "a\tb"); /* a tab inside a value is fine */
    expect_header("X: caf\xc3\xa9", "X", "caf\xc3\xa9"); /* obs-text passes */
    expect_header("!#$%&'*+-.^_`|~09azAZ: v", "!#$%&'*+-.^_`|~09azAZ", "v");
}
END_TEST

/* Folding, a space before the colon, no colon, an empty or non-token name and control
 * bytes are all 400. */
START_TEST(header_line_malformed)
{
    expect_bad_header(" Host: x");
    expect_bad_header("\tHost: x");
    expect_bad_header("Host : x");
    expect_bad_header("Host\t: x");
    expect_bad_header("Host");
    expect_bad_header("");
    expect_bad_header(": x");
    expect_bad_header("Ho st: x");
    expect_bad_header("Ho(st): x");
    expect_bad_header("X: a\x01b");
    expect_bad_header("X: a\rb");
    expect_bad_header("X: a\nb");
    expect_bad_header("X: \x7f");
    expect_bad_header("X: \x1b[31m");
}
END_TEST

/* ---- http_parse_head: the head judged as it arrives ------------------------------ */

static const char *const heads[] = {
    "GET /a HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\nBODY",
    "\r\n\nHEAD /b HTTP/1.0\n\n",
    "POST /c HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
    "get / HTTP/1.1\r\n\r\n",
    "GET / HTTP/2.0\r\n\r\n",
    "GET / HTTP/1.1\r\nBad Header\r\nHost: x\r\n\r\n",
    "GARBAGE\r\n",
    "GET /\r\n\r\n",
};

/* Fed one byte at a time, the head gets the same verdict, the same parts and the same
 * length as when it comes whole: the parser goes on where it stopped, never reading
 * past what it was given. */
START_TEST(parse_head_in_pieces_same_as_whole)
{
    static struct http_request whole, pieces;
    const char *text = heads[_i];
    size_t length = strlen(text);
    http_request_init(&whole);
    int want = http_parse_head(&whole, text, length);
    ck_assert_int_ne(want, HTTP_HEAD_INCOMPLETE);
    http_request_init(&pieces);
    int got = HTTP_HEAD_INCOMPLETE;
    size_t given = 0;
    while (got == HTTP_HEAD_INCOMPLETE && given < length)
        got = http_parse_head(&pieces, text, ++given);
    ck_assert_msg(got == want, "\"%s\": %d in pieces, %d whole", text, got, want);
    ck_assert_uint_eq(pieces.complete, whole.complete);
    ck_assert_str_eq(pieces.line, whole.line);
    ck_assert_uint_eq(pieces.header_count, whole.header_count);
    if (whole.complete)
        ck_assert_uint_eq(pieces.head_length, whole.head_length);
}
END_TEST

/* Nothing yet, or half a line: ask for more. */
START_TEST(parse_head_incomplete)
{
    http_request_init(&request);
    ck_assert_int_eq(http_parse_head(&request, "", 0), HTTP_HEAD_INCOMPLETE);
    ck_assert_int_eq(http_parse_head(&request, "GET / HTTP/1.1\r\nHo", 19),
                     HTTP_HEAD_INCOMPLETE);
}
END_TEST

/* Empty lines before the request line are skipped, up to HTTP_MAX_EMPTY_LINE_BYTES:
 * a flood of them is a 400, so a fixed buffer of HTTP_MAX_HEAD_BYTES always holds
 * enough for a verdict. */
START_TEST(parse_head_bounds_leading_empty_lines)
{
    static char text[HTTP_MAX_HEAD_BYTES];
    size_t n = 0;
    while (n + 2 <= HTTP_MAX_EMPTY_LINE_BYTES) {
        text[n++] = '\r';
        text[n++] = '\n';
    }
    const char *line = "GET / HTTP/1.0\r\n\r\n";
    memcpy(text + n, line, strlen(line));
    n += strlen(line);
    http_request_init(&request);
    ck_assert_int_eq(http_parse_head(&request, text, n), 0);
    ck_assert_uint_eq(request.head_length, n);

    n = 0;
    while (n + 2 <= HTTP_MAX_EMPTY_LINE_BYTES + 2) {
        text[n++] = '\r';
        text[n++] = '\n';
    }
    http_request_init(&request);
    ck_assert_int_eq(http_parse_head(&request, text, n), 400);
}
END_TEST

/* ---- http_read_request ------------------------------------------------------------- */

/* A whole request head: parsed, headers found by any case, nothing left over. */
START_TEST(read_full_request)
{
    ck_assert_int_eq(read_head_text("GET /index.html?x=1 HTTP/1.1\r\n"
                                    "Host: example.com\r\n"
                                    "User-Agent: test\r\n"
                                    "Accept:  */*  \r\n"
                                    "host: second\r\n"
                                    "\r\n"),
                     0);
    ck_assert_int_eq(request.complete, 1);
    ck_assert_str_eq(request.line, "GET /index.html?x=1 HTTP/1.1");
    ck_assert_str_eq(request.request_line.method, "GET");
    ck_assert_str_eq(request.request_line.target, "/index.html?x=1");
    ck_assert_str_eq(request.request_line.version, "HTTP/1.1");
    ck_assert_int_eq(request.request_line.major, 1);
    ck_assert_int_eq(request.request_line.minor, 1);
    ck_assert_uint_eq(request.header_count, 4);
    ck_assert_str_eq(request.headers[0].name, "Host");
    ck_assert_str_eq(request.headers[0].value, "example.com");
    ck_assert_str_eq(request.headers[2].value, "*/*");
    ck_assert_uint_eq(io_reader_length(&reader), 0);

    ck_assert_str_eq(http_header_value(&request, "HOST"), "example.com"); /* the first */
    ck_assert_str_eq(http_header_value(&request, "user-agent"), "test");
    ck_assert_ptr_null(http_header_value(&request, "Cookie"));
    ck_assert_ptr_null(http_header_value(&request, "Hos"));
    ck_assert_uint_eq(http_header_count(&request, "hOsT"), 2);
    ck_assert_uint_eq(http_header_count(&request, "Accept"), 1);
    ck_assert_uint_eq(http_header_count(&request, "Cookie"), 0);
}
END_TEST

/* Bare LF endings (nc without -C), no headers at all, and empty lines before the
 * request line (RFC 9112 §2.2) are all fine. */
START_TEST(read_lf_endings_and_leading_empty_lines)
{
    ck_assert_int_eq(read_head_text("GET / HTTP/1.0\nHost: x\n\n"), 0);
    ck_assert_int_eq(request.complete, 1);
    ck_assert_uint_eq(request.header_count, 1);
    ck_assert_str_eq(http_header_value(&request, "host"), "x");

    ck_assert_int_eq(read_head_text("HEAD / HTTP/1.0\r\n\r\n"), 0);
    ck_assert_uint_eq(request.header_count, 0);

    ck_assert_int_eq(read_head_text("\r\n\n\r\nGET /a HTTP/1.0\r\n\r\n"), 0);
    ck_assert_str_eq(request.request_line.target, "/a");
    ck_assert_str_eq(request.line, "GET /a HTTP/1.0");
}
END_TEST

/* Pipelined requests: the bytes after one head stay in the reader for the next. */
START_TEST(read_pipelined_requests)
{
    int fds[2];
    make_pair(fds);
    put(fds[1], "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                "GET /b HTTP/1.1\nHost: y\n\n"
                "GET /c");
    io_reader_init(&reader, fds[0]);
    ck_assert_int_eq(http_read_request(&reader, &request, far_deadline()), 0);
    ck_assert_str_eq(request.request_line.target, "/a");
    ck_assert_uint_eq(io_reader_length(&reader), 31);
    ck_assert_int_eq(
        memcmp(io_reader_bytes(&reader), "GET /b HTTP/1.1\nHost: y\n\nGET /c", 31), 0);

    ck_assert_int_eq(http_read_request(&reader, &request, far_deadline()), 0);
    ck_assert_str_eq(request.request_line.target, "/b");
    ck_assert_str_eq(http_header_value(&request, "Host"), "y");
    ck_assert_uint_eq(io_reader_length(&reader), 6);
    ck_assert_int_eq(memcmp(io_reader_bytes(&reader), "GET /c", 6), 0);

    put(fds[1], " HTTP/1.0\r\n\r\n");
    ck_assert_int_eq(http_read_request(&reader, &request, far_deadline()), 0);
    ck_assert_str_eq(request.request_line.target, "/c");
    ck_assert_uint_eq(io_reader_length(&reader), 0);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

/* A body is not part of the head: it stays buffered, unread by http_read_request. */
START_TEST(read_leaves_body_in_reader)
{
    ck_assert_int_eq(
        read_head_text("POST /form HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"), 405);
    ck_assert_int_eq(request.complete, 1);
    ck_assert_str_eq(http_header_value(&request, "content-length"), "5");
    ck_assert_uint_eq(io_reader_length(&reader), 5);
    ck_assert_int_eq(memcmp(io_reader_bytes(&reader), "hello", 5), 0);
}
END_TEST

/* Nobody to answer: the peer closed before the head was complete, or was silent past
 * the deadline. */
START_TEST(read_no_response_cases)
{
    ck_assert_int_eq(read_head_then_eof(""), HTTP_NO_RESPONSE);
    ck_assert_int_eq(read_head_then_eof("\r\n"), HTTP_NO_RESPONSE);
    ck_assert_int_eq(read_head_then_eof("GET / HTT"), HTTP_NO_RESPONSE);
    ck_assert_int_eq(read_head_then_eof("GET / HTTP/1.1\r\n"), HTTP_NO_RESPONSE);
    ck_assert_int_eq(read_head_then_eof("GET / HTTP/1.1\r\nHost: x\r\n"),
                     HTTP_NO_RESPONSE);
    ck_assert_int_eq(request.complete, 0);

    int fds[2];
    make_pair(fds);
    put(fds[1], "GET / HTTP/1.1\r\n");
    io_reader_init(&reader, fds[0]);
    ck_assert_int_eq(http_read_request(&reader, &request, io_now_ms() + 100),
                     HTTP_NO_RESPONSE);
    ck_assert_int_eq(request.complete, 0);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

/* A request line of exactly HTTP_MAX_REQUEST_LINE bytes is served; one more is 414,
 * whichever the line ending, and the rest of the head is not read. */
START_TEST(read_request_line_length_limit)
{
    const char *endings[] = {"\r\n", "\n"};
    for (size_t i = 0; i < 2; i++) {
        big_reset();
        big_request_line("GET", HTTP_MAX_REQUEST_LINE, "HTTP/1.1", endings[i]);
        big_append("Host: x\r\n\r\n");
        ck_assert_int_eq(read_head(big, big_used), 0);
        ck_assert_int_eq(request.complete, 1);
        ck_assert_uint_eq(strlen(request.line), HTTP_MAX_REQUEST_LINE);
        ck_assert_uint_eq(strlen(request.request_line.target),
                          HTTP_MAX_REQUEST_LINE - 13);

        big_reset();
        big_request_line("GET", HTTP_MAX_REQUEST_LINE + 1, "HTTP/1.1", endings[i]);
        big_append("Host: x\r\n\r\n");
        ck_assert_int_eq(read_head(big, big_used), 414);
        ck_assert_int_eq(request.complete, 0);
    }
}
END_TEST

/* 414 is decided as soon as the line is too long, while the client is still sending
 * (the connection stays open and the deadline is an hour away). */
START_TEST(read_request_line_too_long_without_waiting)
{
    static char line[HTTP_MAX_REQUEST_LINE + 2];
    memset(line, 'a', sizeof line);
    memcpy(line, "GET /", 5);
    ck_assert_int_eq(read_head(line, sizeof line), 414);
    ck_assert_int_eq(request.complete, 0);
}
END_TEST

/* A header section of exactly HTTP_MAX_HEADER_BYTES (lines with their endings) is
 * served; one byte more is 431. */
START_TEST(read_header_bytes_limit)
{
    const char *endings[] = {"\r\n", "\n"};
    for (size_t i = 0; i < 2; i++) {
        big_reset();
        big_append("GET / HTTP/1.1\r\n");
        big_headers(HTTP_MAX_HEADER_BYTES, 20, endings[i]);
        big_append(endings[i]);
        ck_assert_int_eq(read_head(big, big_used), 0);
        ck_assert_int_eq(request.complete, 1);
        ck_assert_uint_eq(request.header_count, 20);

        big_reset();
        big_append("GET / HTTP/1.1\r\n");
        big_headers(HTTP_MAX_HEADER_BYTES + 1, 20, endings[i]);
        big_append(endings[i]);
        ck_assert_int_eq(read_head(big, big_used), 431);
    }

    /* one single header line at the limit, and one past it */
    big_reset();
    big_append("GET / HTTP/1.1\r\n");
    big_headers(HTTP_MAX_HEADER_BYTES, 1, "\r\n");
    big_append("\r\n");
    ck_assert_int_eq(read_head(big, big_used), 0);
    ck_assert_uint_eq(strlen(request.headers[0].value), HTTP_MAX_HEADER_BYTES - 9);

    big_reset();
    big_append("GET / HTTP/1.1\r\n");
    big_headers(HTTP_MAX_HEADER_BYTES + 1, 1, "\r\n");
    big_append("\r\n");
    ck_assert_int_eq(read_head(big, big_used), 431);
}
END_TEST

/* HTTP_MAX_HEADERS header lines are served; one more is 431. */
START_TEST(read_header_count_limit)
{
    big_reset();
    big_append("GET / HTTP/1.1\r\n");
    big_headers(HTTP_MAX_HEADERS * 12, HTTP_MAX_HEADERS, "\r\n");
    big_append("\r\n");
    ck_assert_int_eq(read_head(big, big_used), 0);
    ck_assert_uint_eq(request.header_count, HTTP_MAX_HEADERS);
    ck_assert_str_eq(request.headers[HTTP_MAX_HEADERS - 1].name, "X-099");

    big_reset();
    big_append("GET / HTTP/1.1\r\n");
    big_headers((HTTP_MAX_HEADERS + 1) * 12, HTTP_MAX_HEADERS + 1, "\r\n");
    big_append("\r\n");
    ck_assert_int_eq(read_head(big, big_used), 431);
}
END_TEST

/* Every limit at once, each exactly at its boundary: the largest legal head. */
START_TEST(read_largest_legal_head)
{
    big_reset();
    big_request_line("GET", HTTP_MAX_REQUEST_LINE, "HTTP/1.1", "\r\n");
    big_headers(HTTP_MAX_HEADER_BYTES, HTTP_MAX_HEADERS, "\r\n");
    big_append("\r\nBODY");
    ck_assert_int_eq(read_head(big, big_used), 0);
    ck_assert_int_eq(request.complete, 1);
    ck_assert_uint_eq(request.header_count, HTTP_MAX_HEADERS);
    ck_assert_uint_eq(io_reader_length(&reader), 4);
}
END_TEST

/* A header line that can no longer fit is 431 at once, without waiting for its end. */
START_TEST(read_header_too_long_without_waiting)
{
    big_reset();
    big_append("GET / HTTP/1.1\r\nX: ");
    for (size_t i = 0; i < HTTP_MAX_HEADER_BYTES; i++)
        big_append("a");
    ck_assert_int_eq(read_head(big, big_used), 431);
    ck_assert_int_eq(request.complete, 0);
}
END_TEST

/* The header section's limit holds however long the request line was: a long (legal)
 * request line followed by too many header bytes is 431, not a silent close because
 * the reader's buffer ran out first. */
START_TEST(read_header_bytes_limit_after_long_request_line)
{
    big_reset();
    big_request_line("GET", HTTP_MAX_REQUEST_LINE, "HTTP/1.1", "\r\n");
    big_headers(16000, 10, "\r\n");
    big_append("X-Big: ");
    for (size_t i = 0; i < 9000; i++)
        big_append("b");
    big_append("\r\n\r\n");
    ck_assert_int_eq(read_head(big, big_used), 431);
}
END_TEST

/* NUL bytes can hide the rest of a line from C string functions: 400. */
START_TEST(read_nul_bytes_are_400)
{
    static const char in_line[] = "GET /a\0b HTTP/1.1\r\n\r\n";
    ck_assert_int_eq(read_head(in_line, sizeof in_line - 1), 400);
    ck_assert_int_eq(request.complete, 0);
    static const char in_header[] = "GET / HTTP/1.1\r\nX: a\0b\r\n\r\n";
    ck_assert_int_eq(read_head(in_header, sizeof in_header - 1), 400);
    ck_assert_int_eq(request.complete, 1);
}
END_TEST

/* Request-line errors end the reading (complete 0); header errors still read up to the
 * empty line, so a keep-alive server knows where the next request starts. */
START_TEST(read_errors_and_complete_flag)
{
    ck_assert_int_eq(read_head_text("GET / HTTP/1.1 x\r\nHost: x\r\n\r\n"), 400);
    ck_assert_int_eq(request.complete, 0);
    ck_assert_str_eq(request.line, "GET / HTTP/1.1 x");

    ck_assert_int_eq(
        read_head_text("GET / HTTP/1.1\r\nBad Header\r\nHost: x\r\n\r\nNEXT"), 400);
    ck_assert_int_eq(request.complete, 1);
    ck_assert_uint_eq(io_reader_length(&reader), 4);
    ck_assert_int_eq(memcmp(io_reader_bytes(&reader), "NEXT", 4), 0);

    ck_assert_int_eq(read_head_text("GET / HTTP/1.1\r\n Folded: x\r\n\r\n"), 400);
    ck_assert_int_eq(read_head_text("DELETE /x HTTP/1.1\r\n\r\n"), 405);
    ck_assert_int_eq(request.complete, 1);
    ck_assert_int_eq(read_head_text("BREW /pot HTTP/1.1\r\n\r\n"), 501);
    ck_assert_int_eq(read_head_text("GET / HTTP/2.0\r\n\r\n"), 505);
    ck_assert_int_eq(request.complete, 1);
}
END_TEST

/* When several errors apply, the first in DESIGN §3.1's order wins: request line (400,
 * 414), version (505), method (501, 405), headers (431, 400). */
START_TEST(read_error_precedence)
{
    /* 505 beats a malformed header */
    ck_assert_int_eq(read_head_text("GET / HTTP/2.0\r\nBad Header\r\n\r\n"), 505);

    /* 405 beats too many headers; 501 beats too many header bytes */
    big_reset();
    big_append("POST / HTTP/1.1\r\n");
    big_headers((HTTP_MAX_HEADERS + 1) * 12, HTTP_MAX_HEADERS + 1, "\r\n");
    big_append("\r\n");
    ck_assert_int_eq(read_head(big, big_used), 405);

    big_reset();
    big_append("BREW / HTTP/1.1\r\n");
    big_headers(HTTP_MAX_HEADER_BYTES + 1, 10, "\r\n");
    big_append("\r\n");
    ck_assert_int_eq(read_head(big, big_used), 501);

    /* 505 beats 431 */
    big_reset();
    big_append("GET / HTTP/2.0\r\n");
    big_headers(HTTP_MAX_HEADER_BYTES + 1, 10, "\r\n");
    big_append("\r\n");
    ck_assert_int_eq(read_head(big, big_used), 505);

    /* 501 beats a malformed header */
    ck_assert_int_eq(read_head_text("get / HTTP/1.1\r\nNo colon\r\n\r\n"), 501);

    /* 414 beats everything after the request line */
    big_reset();
    big_request_line("BREW", HTTP_MAX_REQUEST_LINE + 1, "HTTP/2.0", "\r\n");
    big_append("Bad Header\r\n\r\n");
    ck_assert_int_eq(read_head(big, big_used), 414);

    /* 400 in the request line beats 505 */
    ck_assert_int_eq(read_head_text("GET / HTTP/2.0 \r\n\r\n"), 400);

    /* 431 beats 400 among the headers, whichever comes first on the wire */
    big_reset();
    big_append("GET / HTTP/1.1\r\nBad Header\r\n");
    big_headers(HTTP_MAX_HEADER_BYTES, 10, "\r\n");
    big_append("\r\n");
    ck_assert_int_eq(read_head(big, big_used), 431);
}
END_TEST

/* HTTP_MAX_HEADERS counts header lines, malformed ones included: 101 lines of which one
 * is malformed is too many lines (431), which comes before the malformed one (400). */
START_TEST(read_header_count_includes_malformed_lines)
{
    big_reset();
    big_append("GET / HTTP/1.1\r\nBad Header\r\n");
    big_headers(HTTP_MAX_HEADERS * 12, HTTP_MAX_HEADERS, "\r\n");
    big_append("\r\n");
    ck_assert_int_eq(read_head(big, big_used), 431);
}
END_TEST

/* ---- From target to path ----------------------------------------------------------- */

static void expect_decoded(const char *in, const char *expected)
{
    char out[256];
    ck_assert_msg(http_percent_decode(in, strlen(in), out, sizeof out) == 0,
                  "\"%s\" should decode", in);
    ck_assert_str_eq(out, expected);
}

static void expect_decode_status(const char *in, size_t out_size, int expected)
{
    char out[256];
    ck_assert_uint_le(out_size, sizeof out);
    int status = http_percent_decode(in, strlen(in), out, out_size);
    ck_assert_msg(status == expected, "\"%s\" (out_size %zu): %d, expected %d", in,
                  out_size, status, expected);
}

/* %XX with either case of hex decodes once; everything else passes unchanged. */
START_TEST(percent_decode_valid)
{
    expect_decoded("/a%2Fb", "/a/b");
    expect_decoded("/a%2fb", "/a/b");
    expect_decoded("%41%42%43", "ABC");
    expect_decoded("%e2%82%AC", "\xe2\x82\xac");
    expect_decoded("%ff", "\xff");
    expect_decoded("%2541", "%41"); /* once, not twice */
    expect_decoded("a+b", "a+b");   /* '+' is not a space in a path */
    expect_decoded("", "");

    char out[8];
    ck_assert_int_eq(http_percent_decode("abcXYZ", 3, out, sizeof out), 0); /* length */
    ck_assert_str_eq(out, "abc");
}
END_TEST

/* A '%' without two hex digits, and "%00", are 400. */
START_TEST(percent_decode_invalid)
{
    expect_decode_status("%", 256, 400);
    expect_decode_status("/a%", 256, 400);
    expect_decode_status("%4", 256, 400);
    expect_decode_status("/%4/", 256, 400);
    expect_decode_status("%zz", 256, 400);
    expect_decode_status("%g0", 256, 400);
    expect_decode_status("%0g", 256, 400);
    expect_decode_status("% 41", 256, 400);
    expect_decode_status("%00", 256, 400);
    expect_decode_status("/a%00.html", 256, 400);

    char out[8];
    ck_assert_int_eq(http_percent_decode("%41%4", 4, out, sizeof out), 400); /* "%41%" */
}
END_TEST

/* out_size counts the NUL: exactly enough works, one byte short is 414. */
START_TEST(percent_decode_out_size)
{
    expect_decode_status("abc", 4, 0);
    expect_decode_status("abc", 3, 414);
    expect_decode_status("%41%42", 3, 0);
    expect_decode_status("%41%42", 2, 414);
    expect_decode_status("", 1, 0);
    expect_decode_status("", 0, 414);
}
END_TEST

static void expect_target_path(const char *target, const char *expected)
{
    char path[256];
    ck_assert_msg(http_target_path(target, path, sizeof path) == 0,
                  "\"%s\" should give a path", target);
    ck_assert_str_eq(path, expected);
}

static void expect_target_status(const char *target, size_t size, int expected)
{
    char path[256];
    ck_assert_uint_le(size, sizeof path);
    int status = http_target_path(target, path, size);
    ck_assert_msg(status == expected, "\"%s\" (size %zu): %d, expected %d", target, size,
                  status, expected);
}

/* Origin-form and absolute-form; the host is ignored, the query dropped undecoded. */
START_TEST(target_path_forms)
{
    expect_target_path("/", "/");
    expect_target_path("/index.html", "/index.html");
    expect_target_path("/a%20b?q", "/a b");
    expect_target_path("/a?%zz", "/a"); /* the query is not decoded */
    expect_target_path("/a?b?c", "/a");
    expect_target_path("/a%3Fb", "/a?b"); /* an encoded '?' is part of the path */
    expect_target_path("http://host/a", "/a");
    expect_target_path("http://host:8001/a%2Fb?x", "/a/b");
    expect_target_path("http://host", "/");
    expect_target_path("http://host?x=1", "/");
    expect_target_path("HTTP://HOST/x", "/x");
    expect_target_path("hTtP://host/y", "/y");
}
END_TEST

/* Forms that do not name a file, and bad encodings, are 400; a small buffer is 414. */
START_TEST(target_path_errors)
{
    expect_target_status("*", 256, 400);
    expect_target_status("example.com:80", 256, 400);
    expect_target_status("", 256, 400);
    expect_target_status("index.html", 256, 400);
    expect_target_status("https://host/x", 256, 400);
    expect_target_status("ftp://host/x", 256, 400);
    expect_target_status("/%zz", 256, 400);
    expect_target_status("/a%00b", 256, 400);
    expect_target_status("http://host/%4", 256, 400);

    expect_target_status("/abc", 5, 0);
    expect_target_status("/abc", 4, 414);
    expect_target_status("/abc?long-query-ignored", 5, 0);
    expect_target_status("http://host", 2, 0);
    expect_target_status("http://host", 1, 414);
}
END_TEST

static void expect_clean(const char *path, const char *expected)
{
    char out[256];
    int status = http_remove_dot_segments(path, out, sizeof out);
    ck_assert_msg(status == 0, "\"%s\": %d, expected \"%s\"", path, status, expected);
    ck_assert_msg(strcmp(out, expected) == 0, "\"%s\" gave \"%s\", expected \"%s\"", path,
                  out, expected);
}

static void expect_clean_status(const char *path, size_t size, int expected)
{
    char out[256];
    ck_assert_uint_le(size, sizeof out);
    int status = http_remove_dot_segments(path, out, size);
    ck_assert_msg(status == expected, "\"%s\" (size %zu): %d, expected %d", path, size,
                  status, expected);
}

/* RFC 3986 §5.2.4, with "..", above the root refused instead of dropped. */
START_TEST(dot_segments_table)
{
    static const struct {
        const char *in;
        const char *out;
    } table[] = {
        {"/", "/"},
        {"/a", "/a"},
        {"/a/", "/a/"},
        {"/a/./b/../c", "/a/c"},
        {"/a/.", "/a/"},
        {"/a/b/..", "/a/"},
        {"/a/..", "/"},
        {"/a/../b", "/b"},
        {"/./", "/"},
        {"/.", "/"},
        {"/./a", "/a"},
        {"//a", "//a"},
        {"/a//../b", "/a/b"},
        {"/..a", "/..a"},
        {"/a..", "/a.."},
        {"/.a", "/.a"},
        {"/a/...", "/a/..."},
        {"/a/b/c/../../d", "/a/d"},
        {"/a/b/./../c/", "/a/c/"},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        expect_clean(table[i].in, table[i].out);
}
END_TEST

/* Climbing above the root is 403; a buffer one byte short is 414. */
START_TEST(dot_segments_errors)
{
    expect_clean_status("/..", 256, 403);
    expect_clean_status("/../", 256, 403);
    expect_clean_status("/../a", 256, 403);
    expect_clean_status("/a/../..", 256, 403);
    expect_clean_status("/a/../../b", 256, 403);
    expect_clean_status("/./..", 256, 403);
    expect_clean_status("/a/b/../../../etc/passwd", 256, 403);

    expect_clean_status("/abc", 5, 0);
    expect_clean_status("/abc", 4, 414);
    expect_clean_status("/", 2, 0);
    expect_clean_status("/", 1, 414);
    expect_clean_status("/a/.", 4, 0); /* "/a/" */
    expect_clean_status("/a/.", 3, 414);
    expect_clean_status("/a/b/../c", 5,
                        0); /* "/a/c": the output, not the input, counts */
    expect_clean_status("/a/b/../c", 4, 414);
}
END_TEST

/* ---- http_open_file ---------------------------------------------------------------- */

/* A document root with every kind of thing a request can hit, beside a sibling folder
 * whose name starts with the root's name ("www" and "www-secret"). Made once per TCase
 * in the runner (an unchecked fixture), so it is removed even when a test fails; the
 * tests only read it. */
static char base[64];
static char root[PATH_MAX];

static void make_path(char *out, size_t size, const char *relative)
{
    int n = snprintf(out, size, "%s/%s", base, relative);
    ck_assert(n > 0 && (size_t)n < size);
}

static void make_dir(const char *relative)
{
    char path[512];
    make_path(path, sizeof path, relative);
    ck_assert_msg(mkdir(path, 0755) == 0, "mkdir %s: %s", path, strerror(errno));
}

static void make_link(const char *target, const char *relative)
{
    char path[512];
    make_path(path, sizeof path, relative);
    ck_assert_msg(symlink(target, path) == 0, "symlink %s: %s", path, strerror(errno));
}

static void make_file(const char *relative, const char *text)
{
    write_file(base, relative, text, strlen(text));
}

static void document_root_setup(void)
{
    make_temp_dir(base);
    make_dir("www");
    make_dir("www/sub");
    make_dir("www/empty");
    make_dir("www/weird");
    make_dir("www/weird/index.html");
    make_dir("www/sneaky");
    make_dir("www-secret");
    make_file("www/index.html", "<h1>home</h1>\n");
    make_file("www/hello.txt", "hello\n");
    make_file("www/sub/index.html", "<h1>sub</h1>\n");
    make_file("www/noread.txt", "secret\n");
    make_file("www-secret/file", "top secret\n");
    make_file("outside.txt", "outside\n");

    char target[600];
    make_link("hello.txt", "www/link.txt");
    make_link("sub", "www/linkdir");
    make_path(target, sizeof target, "outside.txt");
    make_link(target, "www/escape");
    make_link("../outside.txt", "www/escape-relative");
    make_path(target, sizeof target, "www-secret/file");
    make_link(target, "www/trap");
    make_path(target, sizeof target, "www-secret");
    make_link(target, "www/outdir");
    make_link(target, "www/sneaky/index.html");
    make_link("loop", "www/loop");

    char path[512];
    make_path(path, sizeof path, "www/fifo");
    ck_assert_msg(mkfifo(path, 0644) == 0, "mkfifo: %s", strerror(errno));
    make_path(path, sizeof path, "www/noread.txt");
    ck_assert_int_eq(chmod(path, 0), 0);

    make_path(path, sizeof path, "www");
    ck_assert_msg(http_real_root(path, root) == 0, "http_real_root: %s", strerror(errno));
}

static void document_root_teardown(void)
{
    remove_tree(base);
}

static int open_status(const char *path, struct http_file *f)
{
    f->fd = -1;
    return http_open_file(root, path, f);
}

static void expect_open_status(const char *path, int expected)
{
    struct http_file f;
    int status = open_status(path, &f);
    if (status == 0)
        close(f.fd);
    ck_assert_msg(status == expected, "\"%.100s\": %d, expected %d", path, status,
                  expected);
}

/* Read the whole of a small file from fd. */
static void expect_content(int fd, const char *expected)
{
    char buf[256];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    ck_assert_int_ge(n, 0);
    buf[n] = '\0';
    ck_assert_str_eq(buf, expected);
}

/* A regular file opens: readable descriptor, size, time, real path. */
START_TEST(open_regular_file)
{
    struct http_file f;
    ck_assert_int_eq(open_status("/hello.txt", &f), 0);
    ck_assert_int_ge(f.fd, 0);
    ck_assert_int_eq(f.size, 6);
    char expected[PATH_MAX + 32];
    snprintf(expected, sizeof expected, "%s/hello.txt", root);
    ck_assert_str_eq(f.real_path, expected);
    struct stat st;
    ck_assert_int_eq(stat(expected, &st), 0);
    ck_assert_int_eq(f.modified, st.st_mtime);
    expect_content(f.fd, "hello\n");
    close(f.fd);
}
END_TEST

/* Directories: without the slash 301, with it their index.html, without one 403. */
START_TEST(open_directories)
{
    expect_open_status("/sub", 301);
    expect_open_status("/linkdir", 301);

    struct http_file f;
    ck_assert_int_eq(open_status("/sub/", &f), 0);
    char expected[PATH_MAX + 32];
    snprintf(expected, sizeof expected, "%s/sub/index.html", root);
    ck_assert_str_eq(f.real_path, expected);
    ck_assert_int_eq(f.size, 13);
    expect_content(f.fd, "<h1>sub</h1>\n");
    close(f.fd);

    ck_assert_int_eq(open_status("/", &f), 0);
    expect_content(f.fd, "<h1>home</h1>\n");
    close(f.fd);

    expect_open_status("/empty/", 403);
    expect_open_status("/weird/", 403); /* its index.html is a directory */
}
END_TEST

/* Missing things are 404, also below a file or a missing folder. */
START_TEST(open_missing)
{
    expect_open_status("/missing.txt", 404);
    expect_open_status("/missing/x.txt", 404);
    expect_open_status("/hello.txt/x", 404);
}
END_TEST

/* Symlinks are followed while they stay inside the root, else 403; a symlink loop 403.
 * The prefix trap: "www-secret" starts with "www" but is not inside it. */
START_TEST(open_symlinks)
{
    struct http_file f;
    ck_assert_int_eq(open_status("/link.txt", &f), 0);
    char expected[PATH_MAX + 32];
    snprintf(expected, sizeof expected, "%s/hello.txt", root);
    ck_assert_str_eq(f.real_path, expected);
    expect_content(f.fd, "hello\n");
    close(f.fd);

    expect_open_status("/linkdir/", 0);
    /* A symlinked directory on the way (not the last component): followed inside the
     * root, refused when it leads out, whichever way the file is named. */
    ck_assert_int_eq(open_status("/linkdir/index.html", &f), 0);
    snprintf(expected, sizeof expected, "%s/sub/index.html", root);
    ck_assert_str_eq(f.real_path, expected);
    close(f.fd);
    expect_open_status("/outdir//file", 403);
    expect_open_status("/sub/../outdir/file", 403);
    expect_open_status("/sub/../../outside.txt",
                       403); /* ".." given here: still refused */
    expect_open_status("/sub/./../hello.txt", 0);
    expect_open_status("/escape", 403);
    expect_open_status("/escape-relative", 403);
    expect_open_status("/trap", 403);
    expect_open_status("/outdir", 403);
    expect_open_status("/outdir/", 403);
    expect_open_status("/outdir/file", 403);
    expect_open_status("/sneaky/", 403); /* an index.html leading outside */
    expect_open_status("/loop", 403);
}
END_TEST

/* A FIFO is 403, at once: opening it would wait for a writer (the test's time limit
 * catches a hang). */
START_TEST(open_fifo_is_forbidden_without_blocking)
{
    expect_open_status("/fifo", 403);
}
END_TEST

/* A file we may not read is 403 (root reads everything, so only when not root). */
START_TEST(open_unreadable_file)
{
    if (geteuid() == 0) {
        fprintf(stderr, "skipped: running as root, which may read any file\n");
        return;
    }
    expect_open_status("/noread.txt", 403);
}
END_TEST

/* A path that cannot fit PATH_MAX names no file: 404. */
START_TEST(open_path_too_long)
{
    static char path[PATH_MAX + 2];
    memset(path, 'a', sizeof path - 1);
    path[0] = '/';
    path[sizeof path - 1] = '\0';
    expect_open_status(path, 404); /* no file can have such a path */
}
END_TEST

/* http_find_file: a target, as a client sends it, to an open file or a status. */
static int find_status(const char *target, char *location, size_t size)
{
    struct http_file f;
    f.fd = -1;
    int status = http_find_file(root, target, &f, location, size);
    if (status == 0)
        close(f.fd);
    return status;
}

START_TEST(find_file_from_targets)
{
    char location[HTTP_LOCATION_SIZE];
    ck_assert_int_eq(find_status("/hello.txt", location, sizeof location), 0);
    ck_assert_int_eq(find_status("/hello.txt?q=%zz", location, sizeof location), 0);
    ck_assert_int_eq(find_status("http://example.com/sub/", location, sizeof location),
                     0);
    ck_assert_int_eq(find_status("/%68ello.txt", location, sizeof location), 0);
    ck_assert_int_eq(find_status("/%2e%2e/outside.txt", location, sizeof location), 403);
    ck_assert_int_eq(find_status("/..%2foutside.txt", location, sizeof location), 403);
    ck_assert_int_eq(find_status("/%zz", location, sizeof location), 400);
    ck_assert_int_eq(find_status("/a%00b", location, sizeof location), 400);
    ck_assert_int_eq(find_status("*", location, sizeof location), 400);
    ck_assert_int_eq(find_status("/missing", location, sizeof location), 404);
}
END_TEST

START_TEST(find_file_redirects_with_encoded_location)
{
    char location[HTTP_LOCATION_SIZE];
    ck_assert_int_eq(find_status("/sub", location, sizeof location), 301);
    ck_assert_str_eq(location, "/sub/");
    ck_assert_int_eq(find_status("/a/../sub?x=1", location, sizeof location), 301);
    ck_assert_str_eq(location, "/sub/"); /* resolved, and the query dropped */
    make_dir("www/two words");
    ck_assert_int_eq(find_status("/two%20words", location, sizeof location), 301);
    ck_assert_str_eq(location, "/two%20words/");
    char tiny[4];
    ck_assert_int_eq(find_status("/sub", tiny, sizeof tiny), 414);
}
END_TEST

/* http_real_root resolves symlinks and dots, and refuses what is not a directory. */
START_TEST(real_root_errors_and_resolution)
{
    char out[PATH_MAX];
    char path[512];
    make_path(path, sizeof path, "no-such-dir");
    errno = 0;
    ck_assert_int_eq(http_real_root(path, out), -1);
    ck_assert_int_eq(errno, ENOENT);

    make_path(path, sizeof path, "outside.txt");
    errno = 0;
    ck_assert_int_eq(http_real_root(path, out), -1);
    ck_assert_int_eq(errno, ENOTDIR);

    make_path(path, sizeof path, "www/../www/./");
    ck_assert_int_eq(http_real_root(path, out), 0);
    ck_assert_str_eq(out, root);

    make_path(path, sizeof path, "www/linkdir");
    ck_assert_int_eq(http_real_root(path, out), 0);
    char expected[PATH_MAX + 8];
    snprintf(expected, sizeof expected, "%s/sub", root);
    ck_assert_str_eq(out, expected);
}
END_TEST

/* ---- Writing a response ------------------------------------------------------------ */

/* Only unreserved and sub-delims (plus ":@/") pass; others become %XX, upper case. */
START_TEST(encode_path)
{
    char out[128];
    ck_assert_int_eq(http_encode_path("/a b/c.html", out, sizeof out), 0);
    ck_assert_str_eq(out, "/a%20b/c.html");
    ck_assert_int_eq(http_encode_path("/caf\xc3\xa9", out, sizeof out), 0);
    ck_assert_str_eq(out, "/caf%C3%A9");
    ck_assert_int_eq(http_encode_path("/-._~!$&'()*+,;=:@/AZaz09", out, sizeof out), 0);
    ck_assert_str_eq(out, "/-._~!$&'()*+,;=:@/AZaz09");
    ck_assert_int_eq(http_encode_path("/%?#\"<>\\\x01\x7f", out, sizeof out), 0);
    ck_assert_str_eq(out, "/%25%3F%23%22%3C%3E%5C%01%7F");
    ck_assert_int_eq(http_encode_path("", out, sizeof out), 0);
    ck_assert_str_eq(out, "");

    /* exactly enough room, and one byte short, for a plain and an encoded byte */
    ck_assert_int_eq(http_encode_path("/ab", out, 4), 0);
    ck_assert_int_eq(http_encode_path("/ab", out, 3), -1);
    ck_assert_int_eq(http_encode_path("/ ", out, 5), 0);
    ck_assert_str_eq(out, "/%20");
    ck_assert_int_eq(http_encode_path("/ ", out, 4), -1);
    ck_assert_int_eq(http_encode_path("", out, 0), -1);
}
END_TEST

/* Every status the project sends has its RFC 9110 reason phrase. */
START_TEST(status_texts)
{
    static const struct {
        int status;
        const char *text;
    } table[] = {
        {200, "OK"},
        {301, "Moved Permanently"},
        {304, "Not Modified"},
        {400, "Bad Request"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {408, "Request Timeout"},
        {413, "Content Too Large"},
        {414, "URI Too Long"},
        {431, "Request Header Fields Too Large"},
        {500, "Internal Server Error"},
        {501, "Not Implemented"},
        {503, "Service Unavailable"},
        {505, "HTTP Version Not Supported"},
        {0, "Unknown"},
        {-1, "Unknown"},
        {302, "Unknown"},
        {999, "Unknown"},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        ck_assert_str_eq(http_status_text(table[i].status), table[i].text);
}
END_TEST

/* Content-Type by extension, any case; no, empty or unknown extension, or a dotfile,
 * is application/octet-stream. */
START_TEST(mime_types)
{
    static const struct {
        const char *path;
        const char *type;
    } table[] = {
        {"index.html", "text/html; charset=utf-8"},
        {"old.htm", "text/html; charset=utf-8"},
        {"/www/style.css", "text/css; charset=utf-8"},
        {"app.js", "text/javascript; charset=utf-8"},
        {"data.json", "application/json"},
        {"notes.txt", "text/plain; charset=utf-8"},
        {"image.png", "image/png"},
        {"photo.jpg", "image/jpeg"},
        {"photo.jpeg", "image/jpeg"},
        {"anim.gif", "image/gif"},
        {"logo.svg", "image/svg+xml"},
        {"favicon.ico", "image/x-icon"},
        {"paper.pdf", "application/pdf"},
        {"module.wasm", "application/wasm"},
        {"INDEX.HTML", "text/html; charset=utf-8"},
        {"Photo.JpG", "image/jpeg"},
        {"/a/.hidden.css", "text/css; charset=utf-8"},
        {"README", "application/octet-stream"},
        {"/dir.html/README", "application/octet-stream"},
        {".html", "application/octet-stream"},
        {"/www/.htaccess", "application/octet-stream"},
        {"file.", "application/octet-stream"},
        {"archive.tar.gz", "application/octet-stream"},
        {"page.html5", "application/octet-stream"},
        {"page.xhtml", "application/octet-stream"},
        {"", "application/octet-stream"},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        ck_assert_msg(strcmp(http_mime_type(table[i].path), table[i].type) == 0,
                      "\"%s\": \"%s\", expected \"%s\"", table[i].path,
                      http_mime_type(table[i].path), table[i].type);
}
END_TEST

/* IMF-fixdate in GMT with English names; the buffer needs HTTP_DATE_SIZE bytes. */
START_TEST(format_dates)
{
    char out[64];
    ck_assert_int_eq(http_format_date(0, out, sizeof out), 0);
    ck_assert_str_eq(out, "Thu, 01 Jan 1970 00:00:00 GMT");
    ck_assert_int_eq(http_format_date(1700000000, out, sizeof out), 0);
    ck_assert_str_eq(out, "Tue, 14 Nov 2023 22:13:20 GMT");
    ck_assert_int_eq(http_format_date(951782400, out, sizeof out), 0); /* a leap day */
    ck_assert_str_eq(out, "Tue, 29 Feb 2000 00:00:00 GMT");

    ck_assert_int_eq(HTTP_DATE_SIZE, 30);
    ck_assert_int_eq(http_format_date(0, out, HTTP_DATE_SIZE), 0);
    ck_assert_uint_eq(strlen(out), HTTP_DATE_SIZE - 1);
    ck_assert_int_eq(http_format_date(0, out, HTTP_DATE_SIZE - 1), -1);
}
END_TEST

/* Format a head, check its Date line is "now", and give it back with that line
 * replaced by "Date: D" so the rest can be compared exactly. */
static int format_head_fixed_date(const struct http_head *resp, char *out, size_t size)
{
    char head[1024];
    time_t before = time(NULL);
    int length = http_format_head(resp, head, sizeof head);
    time_t after = time(NULL);
    ck_assert_int_gt(length, 0);
    ck_assert_uint_eq(strlen(head), (size_t)length);

    char *date = strstr(head, "\r\nDate: ");
    ck_assert_ptr_nonnull(date);
    date += 8;
    char now[HTTP_DATE_SIZE];
    int matches = 0;
    for (time_t t = before; t <= after; t++) {
        ck_assert_int_eq(http_format_date(t, now, sizeof now), 0);
        if (strncmp(date, now, HTTP_DATE_SIZE - 1) == 0)
            matches = 1;
    }
    ck_assert_msg(matches, "Date is not now: %.29s", date);
    snprintf(out, size, "%.*sD%s", (int)(date - head), head, date + HTTP_DATE_SIZE - 1);
    return length;
}

/* The exact head of a 200 with every field, and of a 301 with Location. */
START_TEST(format_head_exact)
{
    struct http_head ok = {
        .version = "HTTP/1.0",
        .status = 200,
        .server = "httpd-ch1",
        .content_type = "text/html; charset=utf-8",
        .content_length = 1043,
        .last_modified = 1700000000,
        .location = NULL,
        .allow = NULL,
        .connection = "close",
    };
    char text[1024];
    format_head_fixed_date(&ok, text, sizeof text);
    ck_assert_str_eq(text, "HTTP/1.0 200 OK\r\n"
                           "Date: D\r\n"
                           "Server: httpd-ch1\r\n"
                           "Content-Type: text/html; charset=utf-8\r\n"
                           "Content-Length: 1043\r\n"
                           "Last-Modified: Tue, 14 Nov 2023 22:13:20 GMT\r\n"
                           "Connection: close\r\n"
                           "\r\n");

    struct http_head moved = {
        .version = "HTTP/1.1",
        .status = 301,
        .server = "httpd",
        .content_type = "text/html; charset=utf-8",
        .content_length = 0,
        .last_modified = 0,
        .location = "/sub/",
        .allow = NULL,
        .connection = NULL,
    };
    format_head_fixed_date(&moved, text, sizeof text);
    ck_assert_str_eq(text, "HTTP/1.1 301 Moved Permanently\r\n"
                           "Date: D\r\n"
                           "Server: httpd\r\n"
                           "Content-Type: text/html; charset=utf-8\r\n"
                           "Content-Length: 0\r\n"
                           "Location: /sub/\r\n"
                           "\r\n");

    struct http_head not_allowed = {
        .version = "HTTP/1.0",
        .status = 405,
        .server = "s",
        .content_type = NULL,
        .content_length = -1,
        .last_modified = 0,
        .location = NULL,
        .allow = "GET, HEAD",
        .connection = "close",
    };
    format_head_fixed_date(&not_allowed, text, sizeof text);
    ck_assert_str_eq(text, "HTTP/1.0 405 Method Not Allowed\r\n"
                           "Date: D\r\n"
                           "Server: s\r\n"
                           "Allow: GET, HEAD\r\n"
                           "Connection: close\r\n"
                           "\r\n");
}
END_TEST

/* Exactly enough room (length + NUL) works; any less is -1. */
START_TEST(format_head_buffer_size)
{
    struct http_head resp = {
        .version = "HTTP/1.0",
        .status = 404,
        .server = "httpd",
        .content_type = "text/html; charset=utf-8",
        .content_length = 123,
        .last_modified = 0,
        .location = NULL,
        .allow = NULL,
        .connection = "close",
    };
    char buf[1024];
    int length = http_format_head(&resp, buf, sizeof buf);
    ck_assert_int_gt(length, 0);
    ck_assert_int_eq(http_format_head(&resp, buf, (size_t)length + 1), length);
    ck_assert_int_eq(http_format_head(&resp, buf, (size_t)length), -1);
    ck_assert_int_eq(http_format_head(&resp, buf, 20), -1);
    ck_assert_int_eq(http_format_head(&resp, buf, 1), -1);
    ck_assert_int_eq(http_format_head(&resp, buf, 0), -1);
}
END_TEST

/* Error pages are short HTML naming the status; too small a buffer is -1. */
START_TEST(error_bodies)
{
    const int statuses[] = {400, 403, 404, 405, 413, 414, 431, 500, 501, 503, 505};
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        char body[1024];
        int length = http_error_body(statuses[i], body, sizeof body);
        ck_assert_int_gt(length, 0);
        ck_assert_uint_eq(strlen(body), (size_t)length);
        ck_assert_int_lt(length, 512);
        char title[64];
        snprintf(title, sizeof title, "%d %s", statuses[i],
                 http_status_text(statuses[i]));
        ck_assert_msg(strstr(body, title) != NULL, "no \"%s\" in %s", title, body);
        ck_assert_ptr_nonnull(strstr(body, "<html"));
        ck_assert_ptr_nonnull(strstr(body, "</html>"));

        char exact[1024];
        ck_assert_int_eq(http_error_body(statuses[i], exact, (size_t)length + 1), length);
        ck_assert_str_eq(exact, body);
        ck_assert_int_eq(http_error_body(statuses[i], exact, (size_t)length), -1);
    }
}
END_TEST

/* ---- For clients ------------------------------------------------------------------- */

static void expect_url(const char *url, const char *host, const char *port,
                       const char *path)
{
    struct http_url u;
    ck_assert_msg(http_parse_url(url, &u) == 0, "\"%s\" should parse", url);
    ck_assert_str_eq(u.host, host);
    ck_assert_str_eq(u.port, port);
    ck_assert_msg(strcmp(u.path, path) == 0, "\"%s\": path \"%s\", expected \"%s\"", url,
                  u.path, path);
}

static void expect_bad_url(const char *url)
{
    struct http_url u;
    ck_assert_msg(http_parse_url(url, &u) == -1, "\"%s\" should be refused", url);
}

/* Host, port (default 80), path (default "/") with its query; no fragment. */
START_TEST(parse_urls)
{
    expect_url("http://example.com", "example.com", "80", "/");
    expect_url("http://example.com/", "example.com", "80", "/");
    expect_url("http://127.0.0.1:8001/index.html", "127.0.0.1", "8001", "/index.html");
    expect_url("http://[::1]:8002/", "::1", "8002", "/");
    expect_url("http://[::1]:8001/a?b", "::1", "8001", "/a?b");
    expect_url("http://[::1]", "::1", "80", "/");
    expect_url("HTTP://Host/x", "Host", "80", "/x");
    expect_url("http://h/a/b?x=1&y=2", "h", "80", "/a/b?x=1&y=2");
    expect_url("http://h/a#frag", "h", "80", "/a");
    expect_url("http://h/a?q#frag", "h", "80", "/a?q");
    expect_url("http://h?q", "h", "80", "/?q");
    expect_url("http://h:65535/", "h", "65535", "/");
}
END_TEST

/* A fragment is dropped wherever it starts, also right after the host or the query. */
START_TEST(parse_url_fragment_without_path)
{
    expect_url("http://h#frag", "h", "80", "/");
    expect_url("http://h?q#frag", "h", "80", "/?q");
}
END_TEST

/* Not http, no host, or a bad port: -1. */
START_TEST(parse_bad_urls)
{
    expect_bad_url("https://example.com/");
    expect_bad_url("ftp://example.com/");
    expect_bad_url("example.com");
    expect_bad_url("http:/example.com");
    expect_bad_url("");
    expect_bad_url("http://");
    expect_bad_url("http:///a");
    expect_bad_url("http://:80/");
    expect_bad_url("http://[]/");
    expect_bad_url("http://[::1/");
    expect_bad_url("http://[::1]x/");
    expect_bad_url("http://h:/");
    expect_bad_url("http://h:abc/");
    expect_bad_url("http://h:80x/");
    expect_bad_url("http://h:-1/");
    expect_bad_url("http://h:123456789/");

    char url[300];
    memset(url, 'h', sizeof url - 1);
    url[sizeof url - 1] = '\0';
    memcpy(url, "http://", 7);
    expect_bad_url(url); /* a host too long for the struct */
}
END_TEST

/* A port number is at most 65535. */
START_TEST(parse_url_port_out_of_range)
{
    expect_bad_url("http://h:65536/");
    expect_bad_url("http://h:99999/");
}
END_TEST

/* "HTTP/d.d ddd" then a space and reason, or the end: the code; else -1. */
START_TEST(parse_status_lines)
{
    static const struct {
        const char *line;
        int status;
    } table[] = {
        {"HTTP/1.0 200 OK", 200},
        {"HTTP/1.1 404 Not Found", 404},
        {"HTTP/1.1 301", 301},
        {"HTTP/1.1 500 ", 500},
        {"HTTP/2.0 200 OK", 200},
        {"HTTP/1.0 20 OK", -1},
        {"HTTP/1.0 2000 OK", -1},
        {"HTTP/1.0 abc OK", -1},
        {"HTTP/1.0  200 OK", -1},
        {"HTTP/1.0 200OK", -1},
        {"HTTP/1 200 OK", -1},
        {"HTTP/1.x 200 OK", -1},
        {"http/1.0 200 OK", -1},
        {"ICY 200 OK", -1},
        {"", -1},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        int status = http_parse_status_line(table[i].line, strlen(table[i].line));
        ck_assert_msg(status == table[i].status, "\"%s\": %d, expected %d", table[i].line,
                      status, table[i].status);
    }
    /* the length counts, not the NUL */
    ck_assert_int_eq(http_parse_status_line("HTTP/1.0 200 OK", 12), 200);
    ck_assert_int_eq(http_parse_status_line("HTTP/1.0 200 OK", 11), -1);
}
END_TEST

Suite *http_suite(void)
{
    Suite *s = suite_create("http");

    /* The request line: methods, versions, and every malformation, in place. */
    TCase *request_line = tcase_create("http_parse_request_line");
    tcase_set_timeout(request_line, 5);
    tcase_add_test(request_line, request_line_get_and_head);
    tcase_add_test(request_line, request_line_methods);
    tcase_add_test(request_line, request_line_versions);
    tcase_add_test(request_line, request_line_malformed);
    suite_add_tcase(s, request_line);

    /* Header lines: the split, the trimming, and what is refused. */
    TCase *header_line = tcase_create("http_parse_header_line");
    tcase_set_timeout(header_line, 5);
    tcase_add_test(header_line, header_line_split_and_trim);
    tcase_add_test(header_line, header_line_malformed);
    suite_add_tcase(s, header_line);

    /* http_parse_head: no I/O, the verdict the same however the bytes arrive. */
    TCase *parse_head = tcase_create("http_parse_head");
    tcase_add_loop_test(parse_head, parse_head_in_pieces_same_as_whole, 0,
                        (int)(sizeof heads / sizeof heads[0]));
    tcase_add_test(parse_head, parse_head_incomplete);
    tcase_add_test(parse_head, parse_head_bounds_leading_empty_lines);
    suite_add_tcase(s, parse_head);

    /* http_read_request over a socket: whole heads, pipelining, EOF, time. */
    TCase *read = tcase_create("http_read_request");
    tcase_set_timeout(read, 10);
    tcase_add_test(read, read_full_request);
    tcase_add_test(read, read_lf_endings_and_leading_empty_lines);
    tcase_add_test(read, read_pipelined_requests);
    tcase_add_test(read, read_leaves_body_in_reader);
    tcase_add_test(read, read_no_response_cases);
    tcase_add_test(read, read_nul_bytes_are_400);
    tcase_add_test(read, read_errors_and_complete_flag);
    suite_add_tcase(s, read);

    /* The limits, each at its boundary and one past it, and the order of errors. */
    TCase *limits = tcase_create("http_read_request limits");
    tcase_set_timeout(limits, 10);
    tcase_add_test(limits, read_request_line_length_limit);
    tcase_add_test(limits, read_request_line_too_long_without_waiting);
    tcase_add_test(limits, read_header_bytes_limit);
    tcase_add_test(limits, read_header_count_limit);
    tcase_add_test(limits, read_largest_legal_head);
    tcase_add_test(limits, read_header_too_long_without_waiting);
    tcase_add_test(limits, read_header_bytes_limit_after_long_request_line);
    tcase_add_test(limits, read_error_precedence);
    tcase_add_test(limits, read_header_count_includes_malformed_lines);
    suite_add_tcase(s, limits);

    /* From target to path: decoding once, the forms, and dot segments. */
    TCase *path = tcase_create("target to path");
    tcase_set_timeout(path, 5);
    tcase_add_test(path, percent_decode_valid);
    tcase_add_test(path, percent_decode_invalid);
    tcase_add_test(path, percent_decode_out_size);
    tcase_add_test(path, target_path_forms);
    tcase_add_test(path, target_path_errors);
    tcase_add_test(path, dot_segments_table);
    tcase_add_test(path, dot_segments_errors);
    suite_add_tcase(s, path);

    /* http_open_file: never outside the root, never blocked, every status. */
    TCase *files = tcase_create("http_open_file");
    tcase_set_timeout(files, 5);
    tcase_add_unchecked_fixture(files, document_root_setup, document_root_teardown);
    tcase_add_test(files, open_regular_file);
    tcase_add_test(files, open_directories);
    tcase_add_test(files, open_missing);
    tcase_add_test(files, open_symlinks);
    tcase_add_test(files, open_fifo_is_forbidden_without_blocking);
    tcase_add_test(files, open_unreadable_file);
    tcase_add_test(files, open_path_too_long);
    tcase_add_test(files, find_file_from_targets);
    tcase_add_test(files, find_file_redirects_with_encoded_location);
    tcase_add_test(files, real_root_errors_and_resolution);
    suite_add_tcase(s, files);

    /* The response side: encoding, status texts, MIME types, dates, heads, bodies. */
    TCase *response = tcase_create("response");
    tcase_set_timeout(response, 5);
    tcase_add_test(response, encode_path);
    tcase_add_test(response, status_texts);
    tcase_add_test(response, mime_types);
    tcase_add_test(response, format_dates);
    tcase_add_test(response, format_head_exact);
    tcase_add_test(response, format_head_buffer_size);
    tcase_add_test(response, error_bodies);
    suite_add_tcase(s, response);

    /* The client side: URLs and status lines. */
    TCase *client = tcase_create("client");
    tcase_set_timeout(client, 5);
    tcase_add_test(client, parse_urls);
    tcase_add_test(client, parse_url_fragment_without_path);
    tcase_add_test(client, parse_bad_urls);
    tcase_add_test(client, parse_url_port_out_of_range);
    tcase_add_test(client, parse_status_lines);
    suite_add_tcase(s, client);
    return s;
}
