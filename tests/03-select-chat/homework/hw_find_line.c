/* Homework 3.1: find_line(). */
#include "exercises.h"
#include "homework.h"

#include <string.h>

/* find_line() on exactly `length` bytes, copied into a buffer of that size, so that a
 * read past the end shows up under AddressSanitizer. */
static int find(const char *bytes, size_t length, struct line *line)
{
    static char buf[8192];
    memcpy(buf, bytes, length);
    line->length = line->next = 12345;
    int rc = find_line(buf, length, line);
    hw_require_started(rc != EXERCISE_NOT_STARTED, "find_line");
    return rc;
}

static void expect_line(const char *bytes, size_t length, size_t want_length,
                        size_t want_next)
{
    struct line line;
    int rc = find(bytes, length, &line);
    ck_assert_msg(rc == LINE_COMPLETE,
                  "on \"%.40s\" (%zu bytes): returned %d, expected "
                  "LINE_COMPLETE (%d)",
                  bytes, length, rc, LINE_COMPLETE);
    ck_assert_msg(line.length == want_length && line.next == want_next,
                  "on \"%.40s\": length %zu, next %zu; expected length %zu, next %zu",
                  bytes, line.length, line.next, want_length, want_next);
}

static void expect_result(const char *bytes, size_t length, int want, const char *what)
{
    struct line line;
    int rc = find(bytes, length, &line);
    ck_assert_msg(rc == want, "%s (%zu bytes): returned %d, expected %d", what, length,
                  rc, want);
}

START_TEST(finds_a_line_ending_in_lf)
{
    expect_line("hello\n", 6, 5, 6);
    expect_line("hello\nworld\n", 12, 5, 6); /* the first line only */
    expect_line("\n", 1, 0, 1);              /* an empty line is a line */
}
END_TEST

START_TEST(drops_a_cr_right_before_the_lf)
{
    expect_line("hi\r\n", 4, 2, 4);
    expect_line("\r\n", 2, 0, 2);
    expect_line("a\rb\n", 4, 3, 4);  /* a CR elsewhere is text */
    expect_line("x\r\r\n", 4, 2, 4); /* only the last CR goes */
}
END_TEST

START_TEST(waits_for_the_lf)
{
    expect_result("", 0, LINE_INCOMPLETE, "an empty buffer");
    expect_result("partial", 7, LINE_INCOMPLETE, "\"partial\"");
    expect_result("abc\r", 4, LINE_INCOMPLETE, "\"abc\\r\"");
    expect_result("abc\n", 3, LINE_INCOMPLETE, "\"abc\" (the LF is past length)");
}
END_TEST

START_TEST(nul_is_an_ordinary_byte)
{
    expect_line("a\0b\n", 4, 3, 4);
    expect_line("\0\0\r\n", 4, 2, 4);
}
END_TEST

START_TEST(accepts_1024_bytes_of_text)
{
    static char buf[2048];
    memset(buf, 'a', sizeof buf);
    buf[1024] = '\n';
    expect_line(buf, 1025, 1024, 1025);
    buf[1024] = '\r';
    buf[1025] = '\n';
    expect_line(buf, 1026, 1024, 1026);
    memset(buf, 'a', sizeof buf);
    expect_result(buf, 1024, LINE_INCOMPLETE, "1024 bytes, no LF yet");
    buf[1024] = '\r';
    expect_result(buf, 1025, LINE_INCOMPLETE, "1024 bytes and a CR: an LF may follow");
}
END_TEST

START_TEST(refuses_1025_bytes_as_soon_as_it_knows)
{
    static char buf[8192];
    memset(buf, 'b', sizeof buf);
    expect_result(buf, 1025, LINE_TOO_LONG, "1025 bytes without an LF");
    expect_result(buf, sizeof buf, LINE_TOO_LONG, "8192 bytes without an LF");
    buf[1025] = '\n';
    expect_result(buf, 1026, LINE_TOO_LONG, "1025 bytes and an LF");
    buf[1024] = '\r';
    buf[1025] = 'x';
    expect_result(buf, 1026, LINE_TOO_LONG, "1024 bytes, a CR and no LF");
    memset(buf, 'b', sizeof buf);
    buf[3000] = '\n';
    expect_result(buf, sizeof buf, LINE_TOO_LONG, "an LF only after 3000 bytes");
}
END_TEST

TCase *hw_find_line(void)
{
    TCase *tc = hw_tcase("3.1 find_line");
    tcase_add_test(tc, finds_a_line_ending_in_lf);
    tcase_add_test(tc, drops_a_cr_right_before_the_lf);
    tcase_add_test(tc, waits_for_the_lf);
    tcase_add_test(tc, nul_is_an_ordinary_byte);
    tcase_add_test(tc, accepts_1024_bytes_of_text);
    tcase_add_test(tc, refuses_1025_bytes_as_soon_as_it_knows);
    return tc;
}
