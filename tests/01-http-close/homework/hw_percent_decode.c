/* Homework 1.3: percent_decode(). */
#include "exercises.h"
#include "homework.h"

#include <string.h>

static int decode(const char *in, char *out, size_t out_size)
{
    memset(out, 'X', out_size);
    int status = percent_decode(in, strlen(in), out, out_size);
    hw_require_started(status != EXERCISE_NOT_STARTED, "percent_decode");
    return status;
}

static void expect_decoded(const char *in, const char *want)
{
    char out[64];
    int status = decode(in, out, sizeof out);
    ck_assert_msg(status == 0, "percent_decode(\"%s\") returned %d, expected 0", in,
                  status);
    ck_assert_msg(strcmp(out, want) == 0,
                  "percent_decode(\"%s\") gave \"%s\", expected \"%s\"", in, out, want);
}

static void expect_status(const char *in, int want)
{
    char out[64];
    int status = decode(in, out, sizeof out);
    ck_assert_msg(status == want, "percent_decode(\"%s\") returned %d, expected %d", in,
                  status, want);
}

START_TEST(copies_plain_text)
{
    expect_decoded("/index.html", "/index.html");
    expect_decoded("", "");
}
END_TEST

START_TEST(decodes_escapes_in_either_case)
{
    expect_decoded("/a%20b", "/a b");
    expect_decoded("%41%42%43", "ABC");
    expect_decoded("/x%2fy%2Fz", "/x/y/z");
    expect_decoded("%e2%82%ac", "\xe2\x82\xac");
}
END_TEST

START_TEST(leaves_plus_alone)
{
    /* '+' means a space only in form data (application/x-www-form-urlencoded), never
     * in a path: "/a+b.txt" is a file with a plus in its name. */
    expect_decoded("/a+b.txt", "/a+b.txt");
}
END_TEST

START_TEST(decodes_only_once)
{
    expect_decoded("%2541", "%41"); /* "%25" is "%": the result is not decoded again */
}
END_TEST

START_TEST(rejects_bad_escapes_with_400)
{
    expect_status("%", 400);
    expect_status("abc%4", 400);
    expect_status("%zz", 400);
    expect_status("%g1", 400);
}
END_TEST

START_TEST(rejects_encoded_nul_with_400)
{
    expect_status("/secret%00.html", 400);
}
END_TEST

START_TEST(answers_414_when_out_is_too_small)
{
    char out[4];
    ck_assert_msg(decode("abc", out, sizeof out) == 0,
                  "\"abc\" fits in 4 bytes with its NUL");
    ck_assert_msg(strcmp(out, "abc") == 0, "expected \"abc\"");
    ck_assert_msg(decode("abcd", out, sizeof out) == 414,
                  "\"abcd\" and its NUL need 5 bytes: expected 414");
    ck_assert_msg(decode("%41%42%43", out, sizeof out) == 0,
                  "decoded, \"ABC\" fits in 4 bytes");
}
END_TEST

START_TEST(answers_400_before_414)
{
    /* The whole input is checked: a bad escape after the point where out is full is
     * still a 400, which comes before 414 in the order of checks. */
    char out[4];
    int status = decode("abcdef%zz", out, sizeof out);
    ck_assert_msg(status == 400,
                  "percent_decode(\"abcdef%%zz\") into 4 bytes returned %d, expected "
                  "400: the bad escape wins over the length (keep checking once out is "
                  "full)",
                  status);
    status = decode("%41%42%43%44%00", out, sizeof out);
    ck_assert_msg(status == 400,
                  "percent_decode(\"%%41%%42%%43%%44%%00\") into 4 bytes returned %d, "
                  "expected 400 for the %%00",
                  status);
    status = decode("abcdef%4", out, sizeof out);
    ck_assert_msg(status == 400,
                  "percent_decode(\"abcdef%%4\") into 4 bytes returned %d, expected 400",
                  status);
}
END_TEST

START_TEST(reads_in_length_bytes_only)
{
    /* in is not a C string: the caller passes the path's part of a longer target. */
    char out[64];
    memset(out, 'X', sizeof out);
    int status = percent_decode("/a%20b?x=1", 6, out, sizeof out);
    hw_require_started(status != EXERCISE_NOT_STARTED, "percent_decode");
    ck_assert_msg(status == 0 && strcmp(out, "/a b") == 0,
                  "percent_decode(\"/a%%20b?x=1\", 6) returned %d and \"%.8s\", "
                  "expected 0 and \"/a b\": decode in_length bytes, not up to the NUL",
                  status, out);
    status = percent_decode("/a%2fb", 4, out, sizeof out);
    ck_assert_msg(status == 400,
                  "percent_decode(\"/a%%2fb\", 4) sees \"/a%%2\" and must return 400, "
                  "not %d: never read past in_length",
                  status);
}
END_TEST

TCase *hw_percent_decode(void)
{
    TCase *tc = hw_tcase("1.3 percent_decode");
    tcase_add_test(tc, copies_plain_text);
    tcase_add_test(tc, decodes_escapes_in_either_case);
    tcase_add_test(tc, leaves_plus_alone);
    tcase_add_test(tc, decodes_only_once);
    tcase_add_test(tc, rejects_bad_escapes_with_400);
    tcase_add_test(tc, rejects_encoded_nul_with_400);
    tcase_add_test(tc, answers_414_when_out_is_too_small);
    tcase_add_test(tc, answers_400_before_414);
    tcase_add_test(tc, reads_in_length_bytes_only);
    return tc;
}
