/* Homework 1.2: parse_request_line(). */
#include "exercises.h"
#include "homework.h"

#include <stdio.h>
#include <string.h>

/* Parse a copy of text (the function may write into it). */
static int parse(const char *text, struct request_line *out)
{
    static char line[256];
    snprintf(line, sizeof line, "%s", text);
    memset(out, 0, sizeof *out);
    int status = parse_request_line(line, out);
    hw_require_started(status != EXERCISE_NOT_STARTED, "parse_request_line");
    return status;
}

static void expect(const char *text, int want)
{
    struct request_line rl;
    int got = parse(text, &rl);
    ck_assert_msg(got == want, "parse_request_line(\"%s\") returned %d, expected %d",
                  text, got, want);
}

START_TEST(splits_a_get)
{
    struct request_line rl;
    ck_assert_int_eq(parse("GET /index.html HTTP/1.0", &rl), 0);
    ck_assert_msg(rl.method && strcmp(rl.method, "GET") == 0, "method should be \"GET\"");
    ck_assert_msg(rl.target && strcmp(rl.target, "/index.html") == 0,
                  "target should be \"/index.html\"");
    ck_assert_msg(rl.version && strcmp(rl.version, "HTTP/1.0") == 0,
                  "version should be \"HTTP/1.0\"");
    ck_assert_msg(rl.major == 1 && rl.minor == 0,
                  "version numbers should be 1 and 0, got %d.%d", rl.major, rl.minor);
}
END_TEST

START_TEST(accepts_head_and_http_1_1)
{
    struct request_line rl;
    ck_assert_int_eq(parse("HEAD /a?b=c HTTP/1.1", &rl), 0);
    ck_assert_msg(rl.method && strcmp(rl.method, "HEAD") == 0,
                  "method should be \"HEAD\"");
    ck_assert_msg(rl.target && strcmp(rl.target, "/a?b=c") == 0,
                  "target should be \"/a?b=c\"");
    ck_assert_msg(rl.minor == 1, "minor version should be 1, got %d", rl.minor);
}
END_TEST

START_TEST(rejects_malformed_lines_with_400)
{
    expect("GET /", 400);                     /* no version */
    expect("GET", 400);                       /* nothing but a method */
    expect("GET  / HTTP/1.0", 400);           /* two spaces */
    expect("GET / HTTP/1.0 ", 400);           /* a trailing space */
    expect("GET / HTTP/1.0 extra", 400);      /* a fourth part */
    expect("G(T / HTTP/1.0", 400);            /* '(' is not a token character */
    expect("GET /a\tb HTTP/1.0", 400);        /* a tab inside the target */
    expect("GET /caf\xc3\xa9 HTTP/1.0", 400); /* raw UTF-8 must be percent-encoded */
}
END_TEST

START_TEST(rejects_bad_versions_with_400)
{
    expect("GET / HTTP/1", 400);
    expect("GET / HTTP/1.10", 400);
    expect("GET / http/1.0", 400);
    expect("GET / HTTP/x.y", 400);
    expect("GET / HTTP/1.0x", 400);
}
END_TEST

START_TEST(answers_505_for_other_major_versions)
{
    expect("GET / HTTP/2.0", 505);
    expect("GET / HTTP/0.9", 505);
    expect("POST / HTTP/3.0", 505); /* the version is checked before the method */
}
END_TEST

START_TEST(answers_405_for_known_methods)
{
    const char *known[] = {"POST",  "PUT",   "DELETE", "OPTIONS",
                           "TRACE", "PATCH", "CONNECT"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        char line[64];
        snprintf(line, sizeof line, "%s / HTTP/1.0", known[i]);
        expect(line, 405);
    }
}
END_TEST

START_TEST(answers_501_for_unknown_methods)
{
    expect("BREW /pot HTTP/1.0", 501);
    expect("get / HTTP/1.0", 501); /* methods are case-sensitive */
    expect("GETS / HTTP/1.0", 501);
}
END_TEST

TCase *hw_parse_request_line(void)
{
    TCase *tc = hw_tcase("1.2 parse_request_line");
    tcase_add_test(tc, splits_a_get);
    tcase_add_test(tc, accepts_head_and_http_1_1);
    tcase_add_test(tc, rejects_malformed_lines_with_400);
    tcase_add_test(tc, rejects_bad_versions_with_400);
    tcase_add_test(tc, answers_505_for_other_major_versions);
    tcase_add_test(tc, answers_405_for_known_methods);
    tcase_add_test(tc, answers_501_for_unknown_methods);
    return tc;
}
