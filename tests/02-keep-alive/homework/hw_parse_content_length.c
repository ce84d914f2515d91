/* Homework 2.2: parse_content_length(). */
#include "exercises.h"
#include "homework.h"

#define UNTOUCHED (-12345LL) /* what *out holds before the call */

static int parse(const char *value, long long *out)
{
    *out = UNTOUCHED;
    int rc = parse_content_length(value, out);
    hw_require_started(rc != EXERCISE_NOT_STARTED, "parse_content_length");
    return rc;
}

static void accept_as(const char *value, long long want)
{
    long long got;
    int rc = parse(value, &got);
    ck_assert_msg(rc == 0, "parse_content_length(\"%s\") returned %d, expected 0", value,
                  rc);
    ck_assert_msg(got == want, "parse_content_length(\"%s\") set %lld, expected %lld",
                  value, got, want);
}

static void reject(const char *value)
{
    long long got;
    int rc = parse(value, &got);
    ck_assert_msg(rc == -1, "parse_content_length(\"%s\") returned %d, expected -1",
                  value, rc);
    ck_assert_msg(
        got == UNTOUCHED,
        "parse_content_length(\"%s\") failed but changed *out to %lld: leave it "
        "alone on failure",
        value, got);
}

START_TEST(reads_plain_numbers)
{
    accept_as("0", 0);
    accept_as("5", 5);
    accept_as("10", 10);
    accept_as("1048576", 1048576);
    accept_as("1234567890123", 1234567890123LL);
}
END_TEST

START_TEST(accepts_leading_zeros)
{
    accept_as("007", 7);
    accept_as("00", 0);
    accept_as("0000000000000000000000000042", 42);
}
END_TEST

START_TEST(ignores_spaces_and_tabs_around_a_number)
{
    accept_as(" 5", 5);
    accept_as("5 ", 5);
    accept_as("\t12\t", 12);
}
END_TEST

START_TEST(accepts_lists_of_equal_numbers)
{
    accept_as("5, 5", 5);
    accept_as("5,5", 5);
    accept_as("5,5,5", 5);
    accept_as("42 ,\t42 , 42", 42);
    accept_as("7, 007", 7); /* the same number, written differently */
}
END_TEST

START_TEST(rejects_lists_of_different_numbers)
{
    reject("5, 6");
    reject("5,5,6");
    reject("0, 1");
}
END_TEST

START_TEST(rejects_empty_values_and_items)
{
    reject("");
    reject(" ");
    reject(",");
    reject("5,");
    reject(",5");
    reject("5,,5");
    reject("5, ,5");
}
END_TEST

START_TEST(rejects_signs)
{
    reject("-1");
    reject("+5");
    reject("-0");
    reject("5, -5");
}
END_TEST

START_TEST(rejects_other_characters)
{
    reject("abc");
    reject("1 2");
    reject("5x");
    reject("x5");
    reject("0x10");
    reject("1.5");
    reject("1e3");
    reject("5;5");
}
END_TEST

START_TEST(rejects_overflow)
{
    accept_as("999999999999999999", 999999999999999999LL); /* 18 digits: fits */
    reject("99999999999999999999");                        /* 20 digits */
    reject("9999999999999999999");                         /* 19 digits > LLONG_MAX */
    reject("18446744073709551616");                        /* 2^64: wraps to 0 */
    reject("18446744073709551621");                        /* 2^64 + 5: wraps to 5 */
    reject("5, 18446744073709551621");
    reject("123456789012345678901234567890");
}
END_TEST

TCase *hw_parse_content_length(void)
{
    TCase *tc = hw_tcase("2.2 parse_content_length");
    tcase_add_test(tc, reads_plain_numbers);
    tcase_add_test(tc, accepts_leading_zeros);
    tcase_add_test(tc, ignores_spaces_and_tabs_around_a_number);
    tcase_add_test(tc, accepts_lists_of_equal_numbers);
    tcase_add_test(tc, rejects_lists_of_different_numbers);
    tcase_add_test(tc, rejects_empty_values_and_items);
    tcase_add_test(tc, rejects_signs);
    tcase_add_test(tc, rejects_other_characters);
    tcase_add_test(tc, rejects_overflow);
    return tc;
}
