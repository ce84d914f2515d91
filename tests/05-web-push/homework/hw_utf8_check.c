/* Homework 5.5: utf8_check(), in one piece and cut at every byte. */
#include "exercises.h"
#include "homework.h"

#include <string.h>

/* All of text at once. */
static int whole(const char *text, size_t length)
{
    unsigned int state = 0;
    int rc = utf8_check(&state, (const unsigned char *)text, length);
    hw_require_started(rc != EXERCISE_NOT_STARTED, "utf8_check");
    return rc;
}

/* text in two pieces, cut after byte cut: the first -1 wins, else the last verdict. */
static int cut(const char *text, size_t length, size_t at)
{
    unsigned int state = 0;
    int rc = utf8_check(&state, (const unsigned char *)text, at);
    if (rc == -1)
        return -1;
    return utf8_check(&state, (const unsigned char *)text + at, length - at);
}

static void expect(const char *what, const char *text, size_t length, int want)
{
    ck_assert_msg(whole(text, length) == want, "%s: got %d, expected %d", what,
                  whole(text, length), want);
    for (size_t at = 0; at <= length; at++)
        ck_assert_msg(cut(text, length, at) == want,
                      "%s, cut after byte %zu: got %d, expected %d", what, at,
                      cut(text, length, at), want);
}

START_TEST(valid_text)
{
    expect("ASCII", "hello", 5, 0);
    expect("\"κόσμε\" (Greek)", "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", 11, 0);
    expect("U+0080, U+07FF, U+0800, U+FFFF", "\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf",
           10, 0);
    expect("U+10000, U+10FFFF", "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", 8, 0);
    expect("U+D7FF, U+E000 (around the surrogates)", "\xed\x9f\xbf\xee\x80\x80", 6, 0);
    expect("nothing", "", 0, 0);
}
END_TEST

START_TEST(incomplete_at_the_end)
{
    expect("half of \"é\"", "\xc3", 1, 1);
    expect("two of the four bytes of U+1F600", "a\xf0\x9f", 3, 1);
}
END_TEST

START_TEST(refuses_bad_bytes)
{
    expect("a stray continuation byte", "a\x80", 2, -1);
    expect("C0 80 (overlong NUL)", "\xc0\x80", 2, -1);
    expect("C1 BF (overlong)", "\xc1\xbf", 2, -1);
    expect("E0 80 80 (overlong)", "\xe0\x80\x80", 3, -1);
    expect("F0 80 80 80 (overlong)", "\xf0\x80\x80\x80", 4, -1);
    expect("ED A0 80 (surrogate U+D800)", "\xed\xa0\x80", 3, -1);
    expect("F4 90 80 80 (above U+10FFFF)", "\xf4\x90\x80\x80", 4, -1);
    expect("F5", "\xf5\x80\x80\x80", 4, -1);
    expect("FF", "\xff", 1, -1);
    expect("a lead byte where a continuation must be", "\xe2\x82\x41", 3, -1);
}
END_TEST

/* Fail fast: the bad byte decides, whatever follows. */
START_TEST(fails_at_the_first_bad_byte)
{
    unsigned int state = 0;
    const unsigned char bad[] = {'o', 'k', 0xed, 0xa0};
    int rc = utf8_check(&state, bad, sizeof bad);
    hw_require_started(rc != EXERCISE_NOT_STARTED, "utf8_check");
    ck_assert_msg(rc == -1,
                  "\"ok\" ED A0: ED A0 can only start a surrogate; got %d, expected -1",
                  rc);
}
END_TEST

TCase *hw_utf8_check(void)
{
    TCase *tc = hw_tcase("5.5 utf8_check");
    tcase_add_test(tc, valid_text);
    tcase_add_test(tc, incomplete_at_the_end);
    tcase_add_test(tc, refuses_bad_bytes);
    tcase_add_test(tc, fails_at_the_first_bad_byte);
    return tc;
}
