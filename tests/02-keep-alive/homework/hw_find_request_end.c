/* Homework 2.3: find_request_end(). */
#include "exercises.h"
#include "homework.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Text for a failure message: CR, LF and other control bytes escaped, cut short. */
static const char *show(const char *bytes, size_t length)
{
    static char out[200];
    size_t used = 0;
    for (size_t i = 0; i < length && used + 8 < sizeof out; i++) {
        unsigned char c = (unsigned char)bytes[i];
        if (c == '\r')
            used += (size_t)sprintf(out + used, "\\r");
        else if (c == '\n')
            used += (size_t)sprintf(out + used, "\\n");
        else if (c < 0x20 || c >= 0x7f)
            used += (size_t)sprintf(out + used, "\\x%02X", c);
        else
            out[used++] = (char)c;
    }
    out[used] = '\0';
    return out;
}

/* Call find_request_end on a copy of bytes in a buffer of exactly length bytes, with
 * no NUL after it: reading past the end is a bug that AddressSanitizer reports. */
static long find(const char *bytes, size_t length)
{
    char *copy = malloc(length > 0 ? length : 1);
    ck_assert(copy != NULL);
    memcpy(copy, bytes, length);
    long end = find_request_end(copy, length);
    free(copy);
    hw_require_started(end != EXERCISE_NOT_STARTED, "find_request_end");
    return end;
}

static void expect_bytes(const char *bytes, size_t length, long want)
{
    long got = find(bytes, length);
    ck_assert_msg(got == want, "find_request_end(\"%s\", %zu) returned %ld, expected %ld",
                  show(bytes, length), length, got, want);
}

static void expect(const char *text, long want)
{
    expect_bytes(text, strlen(text), want);
}

/* head + rest in one buffer: the answer is the length of head. */
static void expect_head_then(const char *head, const char *rest)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s%s", head, rest);
    expect(buf, (long)strlen(head));
}

START_TEST(finds_the_end_of_a_crlf_head)
{
    expect("GET / HTTP/1.1\r\nHost: a\r\n\r\n", 27);
    expect("GET / HTTP/1.1\r\n\r\n", 18);
    expect("GET /index.html HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n"
           "Connection: keep-alive\r\n\r\n",
           84);
}
END_TEST

START_TEST(finds_the_end_of_a_bare_lf_head)
{
    expect("GET / HTTP/1.1\n\n", 16);
    expect("GET / HTTP/1.1\nHost: a\n\n", 24);
}
END_TEST

START_TEST(accepts_mixed_line_endings)
{
    expect("GET / HTTP/1.1\r\nHost: a\n\r\n", 26);
    expect("GET / HTTP/1.1\nHost: a\r\n\n", 25);
    expect("GET / HTTP/1.1\r\n\n", 17);
    expect("GET / HTTP/1.1\n\r\n", 17);
}
END_TEST

START_TEST(an_incomplete_head_gives_0)
{
    expect("", 0);
    expect("G", 0);
    expect("GET / HTTP/1.1", 0);
    expect("GET / HTTP/1.1\r", 0);
    expect("GET / HTTP/1.1\r\n", 0);
    expect("GET / HTTP/1.1\n", 0);
    expect("GET / HTTP/1.1\r\nHost: a\r\n", 0);
    expect("GET / HTTP/1.1\r\nHost: a\r\n\r", 0);
}
END_TEST

/* A head that arrives in pieces: every prefix is incomplete, the whole is not. */
START_TEST(every_prefix_of_a_head_is_incomplete)
{
    static const char head[] = "GET /a HTTP/1.1\r\nHost: a\r\nX-Long: 1\n\r\n";
    size_t length = sizeof head - 1;
    for (size_t n = 0; n < length; n++)
        expect_bytes(head, n, 0);
    expect_bytes(head, length, (long)length);
}
END_TEST

START_TEST(a_line_of_spaces_is_not_empty)
{
    expect("GET / HTTP/1.1\r\n \r\n", 0);
    expect("GET / HTTP/1.1\r\n\t\n", 0);
    expect("GET / HTTP/1.1\r\n \r\n\r\n", 21);
    expect("GET / HTTP/1.1\r\nX: a\r\r\n", 0); /* "X: a\r" is not an empty line */
}
END_TEST

START_TEST(stops_before_a_body)
{
    expect_head_then("POST /f HTTP/1.1\r\nContent-Length: 4\r\n\r\n", "body");
    /* the body's own blank lines are not the end of the head */
    expect_head_then("POST /f HTTP/1.1\r\nContent-Length: 8\r\n\r\n", "\r\n\r\nab\r\n");
    expect_head_then("POST /f HTTP/1.1\nContent-Length: 2\n\n", "\n\n");
}
END_TEST

START_TEST(stops_at_the_first_of_several_requests)
{
    expect_head_then("GET /a HTTP/1.1\r\nHost: a\r\n\r\n",
                     "GET /b HTTP/1.1\r\nHost: a\r\n\r\n");
    expect_head_then("GET /a HTTP/1.1\n\n", "GET /b HTTP/1.1\n\nGET /c HTTP/1.1\n\n");
    /* the next request may be incomplete: it does not matter */
    expect_head_then("GET /a HTTP/1.1\r\nHost: a\r\n\r\n", "GET /b HT");
}
END_TEST

START_TEST(counts_bytes_not_characters)
{
    /* NUL bytes are bytes like any other: strlen() would stop at the first one */
    static const char with_nul[] = "GET /\0x HTTP/1.1\r\nX: \0\r\n\r\n";
    expect_bytes(with_nul, sizeof with_nul - 1, (long)(sizeof with_nul - 1));
    static const char nul_then_end[] = "GET / HTTP/1.1\r\n\0\r\n";
    expect_bytes(nul_then_end, sizeof nul_then_end - 1, 0);
    /* only length bytes count, whatever follows them */
    expect_bytes("GET / HTTP/1.1\r\n\r\n", 17, 0);
    expect_bytes("GET / HTTP/1.1\n\n", 15, 0);
}
END_TEST

START_TEST(handles_a_long_head)
{
    static char head[16 * 1024];
    size_t used = (size_t)sprintf(head, "GET / HTTP/1.1\r\n");
    for (int i = 0; i < 100; i++)
        used += (size_t)sprintf(head + used, "X-Header-%03d: %0100d\r\n", i, i);
    used += (size_t)sprintf(head + used, "\r\n");
    expect_bytes(head, used, (long)used);
    expect_bytes(head, used - 1, 0);
}
END_TEST

TCase *hw_find_request_end(void)
{
    TCase *tc = hw_tcase("2.3 find_request_end");
    tcase_add_test(tc, finds_the_end_of_a_crlf_head);
    tcase_add_test(tc, finds_the_end_of_a_bare_lf_head);
    tcase_add_test(tc, accepts_mixed_line_endings);
    tcase_add_test(tc, an_incomplete_head_gives_0);
    tcase_add_test(tc, every_prefix_of_a_head_is_incomplete);
    tcase_add_test(tc, a_line_of_spaces_is_not_empty);
    tcase_add_test(tc, stops_before_a_body);
    tcase_add_test(tc, stops_at_the_first_of_several_requests);
    tcase_add_test(tc, counts_bytes_not_characters);
    tcase_add_test(tc, handles_a_long_head);
    return tc;
}
