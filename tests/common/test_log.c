/* test_log.c: the access log and the wire trace, byte for byte. */
#include "harness.h"
#include "suites.h"

#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- Capturing stderr -------------------------------------------------------------- */

/* stderr (fd 2) redirected to a temporary file while a log function runs. */
struct capture {
    int saved_fd;
    int file_fd;
    char path[64];
};

static void capture_start(struct capture *c)
{
    strcpy(c->path, "/tmp/hvs-log-XXXXXX");
    c->file_fd = mkstemp(c->path);
    ck_assert_msg(c->file_fd >= 0, "mkstemp: %s", strerror(errno));
    fflush(stderr);
    c->saved_fd = dup(2);
    ck_assert_int_ge(c->saved_fd, 0);
    ck_assert_int_ge(dup2(c->file_fd, 2), 0);
}

/* Restore stderr and return what was written to it, NUL-terminated. */
static size_t capture_end(struct capture *c, char *buf, size_t size)
{
    fflush(stderr);
    ck_assert_int_ge(dup2(c->saved_fd, 2), 0);
    close(c->saved_fd);
    size_t used = 0;
    ck_assert_int_eq(lseek(c->file_fd, 0, SEEK_SET), 0);
    while (used + 1 < size) {
        ssize_t n = read(c->file_fd, buf + used, size - 1 - used);
        if (n < 0 && errno == EINTR)
            continue;
        ck_assert_int_ge(n, 0);
        if (n == 0)
            break;
        used += (size_t)n;
    }
    buf[used] = '\0';
    close(c->file_fd);
    unlink(c->path);
    return used;
}

/* ---- log_escape -------------------------------------------------------------------- */

static void expect_escape(const char *text, size_t length, size_t out_size,
                          const char *expected)
{
    char out[256];
    memset(out, 'Z', sizeof out);
    ck_assert_ptr_eq(log_escape(text, length, out, out_size), out);
    ck_assert_str_eq(out, expected);
    ck_assert_uint_lt(strlen(out), out_size);
}

/* Printable ASCII passes; quotes, backslashes, control and non-ASCII bytes do not. */
START_TEST(escape_special_bytes)
{
    expect_escape("GET / HTTP/1.0", 14, 256, "GET / HTTP/1.0");
    expect_escape("say \"hi\"", 8, 256, "say \\\"hi\\\"");
    expect_escape("a\\b", 3, 256, "a\\\\b");
    expect_escape("\x01\x1f\x7f", 3, 256, "\\x01\\x1F\\x7F");
    expect_escape("caf\xc3\xa9", 5, 256, "caf\\xC3\\xA9");
    expect_escape("\xff", 1, 256, "\\xFF");
}
END_TEST

/* Lengths, not strlen(): a NUL inside the text is escaped, not an end. */
START_TEST(escape_uses_length_not_nul)
{
    expect_escape("a\0b", 3, 256, "a\\x00b");
    expect_escape("abcdef", 3, 256, "abc");
    expect_escape("", 0, 256, "");
}
END_TEST

/* Output is cut to out_size - 1 bytes plus the NUL, and an escape sequence that does
 * not fit whole is left out rather than cut in half. */
START_TEST(escape_truncates_to_out_size)
{
    expect_escape("abcdef", 6, 7, "abcdef");
    expect_escape("abcdef", 6, 6, "abcde");
    expect_escape("abcdef", 6, 1, "");
    expect_escape("a\"b", 3, 4, "a\\\"");
    expect_escape("a\"b", 3, 3, "a");
    expect_escape("a\x01", 2, 6, "a\\x01");
    expect_escape("a\x01", 2, 5, "a");

    char out[4] = "xyz";
    log_escape("abc", 3, out, 0); /* no room at all: nothing written */
    ck_assert_str_eq(out, "xyz");
}
END_TEST

/* ---- log_wire ---------------------------------------------------------------------- */

/* One trace line per protocol line, CR and LF shown as \r \n, direction by arrow. */
START_TEST(wire_trace_of_a_request)
{
    struct capture c;
    char text[1024];
    capture_start(&c);
    log_wire(4, LOG_RECEIVED, "GET / HTTP/1.0\r\n\r\n", 18);
    capture_end(&c, text, sizeof text);
    ck_assert_str_eq(text, "[fd 4] <<< GET / HTTP/1.0\\r\\n\n[fd 4] <<< \\r\\n\n");

    capture_start(&c);
    log_wire(12, LOG_SENT, "HTTP/1.0 200 OK\r\nA: b\r\n", 23);
    capture_end(&c, text, sizeof text);
    ck_assert_str_eq(text, "[fd 12] >>> HTTP/1.0 200 OK\\r\\n\n[fd 12] >>> A: b\\r\\n\n");
}
END_TEST

/* Data not ending in LF still ends its trace line; tabs, backslashes and binary bytes
 * are escaped; quotes are not (the trace is not inside quotes). */
START_TEST(wire_trace_escapes_and_partial_lines)
{
    struct capture c;
    char text[1024];
    capture_start(&c);
    log_wire(3, LOG_SENT, "a\tb\\c\"d\0\x80", 9);
    capture_end(&c, text, sizeof text);
    ck_assert_str_eq(text, "[fd 3] >>> a\\tb\\\\c\"d\\x00\\x80\n");

    capture_start(&c);
    log_wire(3, LOG_RECEIVED, "one\ntwo", 7);
    capture_end(&c, text, sizeof text);
    ck_assert_str_eq(text, "[fd 3] <<< one\\n\n[fd 3] <<< two\n");

    capture_start(&c);
    log_wire(3, LOG_RECEIVED, "", 0);
    capture_end(&c, text, sizeof text);
    ck_assert_str_eq(text, "");
}
END_TEST

/* A line longer than log_wire's own line buffer is still one trace line. */
START_TEST(wire_trace_of_a_long_line)
{
    enum { LONG = 3000 };
    char data[LONG + 2];
    memset(data, 'a', LONG);
    memcpy(data + LONG, "\r\n", 2);
    char expected[LONG + 64];
    snprintf(expected, sizeof expected, "[fd 3] <<< %.*s\\r\\n\n", LONG, data);

    struct capture c;
    char text[LONG + 256];
    capture_start(&c);
    log_wire(3, LOG_RECEIVED, data, sizeof data);
    capture_end(&c, text, sizeof text);
    ck_assert_str_eq(text, expected);
}
END_TEST

/* Escapes four bytes long, 1,000 of them, so that one lands on every place where
 * log_wire's line buffer fills and is written out. */
START_TEST(wire_trace_of_a_long_escaped_line)
{
    enum { LONG = 1000 };
    char data[LONG];
    memset(data, '\xff', LONG);
    char escaped[LONG * 4 + 1];
    for (int i = 0; i < LONG; i++)
        memcpy(escaped + 4 * i, "\\xFF", 4);
    escaped[LONG * 4] = '\0';

    struct capture c;
    char text[LONG * 4 + 256];
    char expected[LONG * 4 + 64];
    for (int fd = 1; fd <= 1000000; fd *= 100) { /* prefixes of different lengths */
        snprintf(expected, sizeof expected, "[fd %d] >>> %s\n", fd, escaped);
        capture_start(&c);
        log_wire(fd, LOG_SENT, data, sizeof data);
        capture_end(&c, text, sizeof text);
        ck_assert_str_eq(text, expected);
    }
}
END_TEST

/* Each trace line (under 1 KiB) leaves in one write(), so two processes tracing to one
 * terminal (chapter 2's children) cannot mix their lines. A datagram socket as stderr
 * shows it: every write() arrives as a datagram of its own. */
START_TEST(wire_trace_writes_whole_lines)
{
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
    fflush(stderr);
    int saved = dup(2);
    ck_assert_int_ge(saved, 0);
    ck_assert_int_ge(dup2(sv[0], 2), 0);
    static const char response[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    log_wire(7, LOG_SENT, response, sizeof response - 1);
    fflush(stderr);
    ck_assert_int_ge(dup2(saved, 2), 0);
    close(saved);
    close(sv[0]);
    ck_assert_int_eq(fcntl(sv[1], F_SETFL, O_NONBLOCK), 0); /* read what is there only */

    const char *expected[] = {"[fd 7] >>> HTTP/1.1 200 OK\\r\\n\n",
                              "[fd 7] >>> Content-Length: 5\\r\\n\n",
                              "[fd 7] >>> \\r\\n\n", "[fd 7] >>> hello\n"};
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        char datagram[256];
        ssize_t n = recv(sv[1], datagram, sizeof datagram - 1, 0);
        ck_assert_msg(n > 0, "datagram %zu: recv: %s", i,
                      n < 0 ? strerror(errno) : "none");
        datagram[n] = '\0';
        ck_assert_str_eq(datagram, expected[i]);
    }
    char more;
    ck_assert_int_lt(recv(sv[1], &more, 1, 0), 0); /* nothing more */
    close(sv[1]);
}
END_TEST

/* ---- log_access -------------------------------------------------------------------- */

/* Common Log Format, UTC, with the body size. */
START_TEST(access_line_format)
{
    struct capture c;
    char text[1024];
    capture_start(&c);
    log_access("127.0.0.1", 0, "GET / HTTP/1.0", 200, 12);
    capture_end(&c, text, sizeof text);
    ck_assert_str_eq(
        text, "127.0.0.1 - - [01/Jan/1970:00:00:00 +0000] \"GET / HTTP/1.0\" 200 12\n");

    capture_start(&c);
    log_access("::1", 1700000000, "HEAD /a HTTP/1.1", 404, 0);
    capture_end(&c, text, sizeof text);
    ck_assert_str_eq(text,
                     "::1 - - [14/Nov/2023:22:13:20 +0000] \"HEAD /a HTTP/1.1\" 404 0\n");
}
END_TEST

/* No body sent is "-", not 0; a hostile request line cannot break out of its quotes
 * or forge a second log line. */
START_TEST(access_line_dash_and_escaping)
{
    struct capture c;
    char text[1024];
    capture_start(&c);
    log_access("127.0.0.1", 0, "HEAD / HTTP/1.0", 200, -1);
    capture_end(&c, text, sizeof text);
    ck_assert_str_eq(
        text, "127.0.0.1 - - [01/Jan/1970:00:00:00 +0000] \"HEAD / HTTP/1.0\" 200 -\n");

    capture_start(&c);
    log_access("127.0.0.1", 0, "GET /\" 200 0\n\x01 HTTP/1.0", 400, -1);
    capture_end(&c, text, sizeof text);
    ck_assert_str_eq(text, "127.0.0.1 - - [01/Jan/1970:00:00:00 +0000] "
                           "\"GET /\\\" 200 0\\n\\x01 HTTP/1.0\" 400 -\n");
}
END_TEST

/* A connection that sent nothing readable as a request line logs "-" in its place,
 * as Common Log Format does for any missing field. */
START_TEST(access_line_empty_request_is_dash)
{
    struct capture c;
    char text[1024];
    capture_start(&c);
    log_access("127.0.0.1", 0, "", 400, -1);
    capture_end(&c, text, sizeof text);
    ck_assert_str_eq(text, "127.0.0.1 - - [01/Jan/1970:00:00:00 +0000] \"-\" 400 -\n");
}
END_TEST

/* A huge request line is cut short, and the line still ends properly. */
START_TEST(access_line_long_request_is_truncated)
{
    static char line[9000];
    memset(line, 'a', sizeof line - 1);
    line[sizeof line - 1] = '\0';
    struct capture c;
    static char text[16384];
    capture_start(&c);
    log_access("127.0.0.1", 0, line, 414, -1);
    size_t length = capture_end(&c, text, sizeof text);
    ck_assert_uint_lt(length, 1024);
    ck_assert_int_eq(text[length - 1], '\n');
    ck_assert_ptr_nonnull(strstr(text, "\" 414 -\n"));
    ck_assert_ptr_eq(strchr(text, '\n'), text + length - 1); /* one line only */
}
END_TEST

Suite *log_suite(void)
{
    Suite *s = suite_create("log");

    /* log_escape: what a hostile request line becomes in a log. */
    TCase *escape = tcase_create("log_escape");
    tcase_set_timeout(escape, 5);
    tcase_add_test(escape, escape_special_bytes);
    tcase_add_test(escape, escape_uses_length_not_nul);
    tcase_add_test(escape, escape_truncates_to_out_size);
    suite_add_tcase(s, escape);

    /* log_wire: the -v trace, exactly as the book shows it. */
    TCase *wire = tcase_create("log_wire");
    tcase_set_timeout(wire, 5);
    tcase_add_test(wire, wire_trace_of_a_request);
    tcase_add_test(wire, wire_trace_escapes_and_partial_lines);
    tcase_add_test(wire, wire_trace_of_a_long_line);
    tcase_add_test(wire, wire_trace_of_a_long_escaped_line);
    tcase_add_test(wire, wire_trace_writes_whole_lines);
    suite_add_tcase(s, wire);

    /* log_access: one Common Log Format line per request. */
    TCase *access = tcase_create("log_access");
    tcase_set_timeout(access, 5);
    tcase_add_test(access, access_line_format);
    tcase_add_test(access, access_line_dash_and_escaping);
    tcase_add_test(access, access_line_empty_request_is_dash);
    tcase_add_test(access, access_line_long_request_is_truncated);
    suite_add_tcase(s, access);
    return s;
}
