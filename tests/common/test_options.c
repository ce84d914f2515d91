/* test_options.c: option_number(), the strict number parser behind -p, -t, -n ...,
 * and option_scan_number(), which reads numbers one after another out of a line. */
#include "harness.h"
#include "suites.h"

#include "options.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>

/* Expect text to be accepted in [min, max] with the given value. */
static void expect_number(const char *text, long min, long max, long expected)
{
    long value = -12345;
    ck_assert_msg(option_number(text, min, max, &value) == 0,
                  "\"%s\" in [%ld, %ld] should be accepted", text, min, max);
    ck_assert_int_eq(value, expected);
}

/* Expect text to be refused with errno EINVAL and *out left alone. */
static void expect_refused(const char *text, long min, long max)
{
    long value = -12345;
    errno = 0;
    ck_assert_msg(option_number(text, min, max, &value) == -1,
                  "\"%s\" in [%ld, %ld] should be refused", text, min, max);
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_int_eq(value, -12345);
}

/* The bounds are inclusive: a port range accepts 0 and 65535, and nothing past them. */
START_TEST(range_bounds_are_inclusive)
{
    expect_number("0", 0, 65535, 0);
    expect_number("65535", 0, 65535, 65535);
    expect_number("8001", 0, 65535, 8001);
    expect_refused("65536", 0, 65535);
    expect_refused("-1", 0, 65535);
    expect_number("-1", -1, 1, -1);
    expect_number("1", 1, 1, 1);
    expect_refused("0", 1, 1);
    expect_refused("2", 1, 1);
}
END_TEST

/* What atoi() would silently turn into a number is refused. */
START_TEST(malformed_text_is_refused)
{
    expect_refused("", 0, 65535);
    expect_refused("8o01", 0, 65535);
    expect_refused("5 ", 0, 65535);
    expect_refused("5\n", 0, 65535);
    expect_refused("0x10", 0, 65535);
    expect_refused("1e3", 0, 65535);
    expect_refused("12.0", 0, 65535);
    expect_refused("abc", 0, 65535);
    expect_refused("-", 0, 65535);
}
END_TEST

/* "a whole decimal number": leading blanks are not part of one, even though strtol()
 * skips them. */
START_TEST(leading_space_is_refused)
{
    expect_refused(" 5", 0, 65535);
    expect_refused("\t5", 0, 65535);
}
END_TEST

/* Numbers past what a long holds are refused, not clamped to LONG_MAX. */
START_TEST(overflow_is_refused)
{
    expect_refused("99999999999999999999999", 0, LONG_MAX);
    expect_refused("-99999999999999999999999", LONG_MIN, 0);
    char text[64];
    snprintf(text, sizeof text, "%ld", LONG_MAX);
    expect_number(text, 0, LONG_MAX, LONG_MAX);
    snprintf(text, sizeof text, "%ld", LONG_MIN);
    expect_number(text, LONG_MIN, 0, LONG_MIN);
}
END_TEST

/* Several numbers in one line, each read where the last one stopped. */
START_TEST(scan_reads_numbers_in_turn)
{
    const char *line = "event 17 1234567890123 rest";
    const char *cursor = line + 5;
    long long value = 0;
    ck_assert_int_eq(option_scan_number(&cursor, &value), 0);
    ck_assert(value == 17);
    ck_assert_ptr_eq(cursor, line + 8);
    ck_assert_int_eq(option_scan_number(&cursor, &value), 0);
    ck_assert(value == 1234567890123LL);
    ck_assert_str_eq(cursor, " rest");
    cursor = "-5)";
    ck_assert_int_eq(option_scan_number(&cursor, &value), 0);
    ck_assert(value == -5);
    ck_assert_str_eq(cursor, ")");
    cursor = " \t7x"; /* blanks before it are skipped; what follows is the caller's */
    ck_assert_int_eq(option_scan_number(&cursor, &value), 0);
    ck_assert(value == 7);
    ck_assert_str_eq(cursor, "x");
    cursor = "-9223372036854775808"; /* the extremes of a long long are numbers */
    ck_assert_int_eq(option_scan_number(&cursor, &value), 0);
    ck_assert(value == LLONG_MIN);
    cursor = "9223372036854775807";
    ck_assert_int_eq(option_scan_number(&cursor, &value), 0);
    ck_assert(value == LLONG_MAX);
    errno = EPIPE; /* a caller's errno survives a success */
    cursor = "1";
    ck_assert_int_eq(option_scan_number(&cursor, &value), 0);
    ck_assert_int_eq(errno, EPIPE);
}
END_TEST

/* No number, a sign or a blank that is not ours (strtoll would take "+5" and
 * " \n5"), or a number out of a long long's range (sscanf's undefined behaviour):
 * -1, and neither the cursor nor the value moves. */
START_TEST(scan_refuses_missing_and_huge_numbers)
{
    const char *inputs[] = {"",   "   ",  "rest", "-",   "99999999999999999999999",
                            "+5", " \n5", "\v5",  "- 5", "-9223372036854775809",
                            "--5"};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        const char *cursor = inputs[i];
        long long value = -12345;
        ck_assert_msg(option_scan_number(&cursor, &value) == -1,
                      "\"%s\" should be refused", inputs[i]);
        ck_assert_ptr_eq(cursor, inputs[i]);
        ck_assert(value == -12345);
    }
}
END_TEST

Suite *options_suite(void)
{
    Suite *s = suite_create("options");
    TCase *tc = tcase_create("option_number");
    tcase_set_timeout(tc, 5);
    tcase_add_test(tc, range_bounds_are_inclusive);
    tcase_add_test(tc, malformed_text_is_refused);
    tcase_add_test(tc, leading_space_is_refused);
    tcase_add_test(tc, overflow_is_refused);
    suite_add_tcase(s, tc);
    tc = tcase_create("option_scan_number");
    tcase_set_timeout(tc, 5);
    tcase_add_test(tc, scan_reads_numbers_in_turn);
    tcase_add_test(tc, scan_refuses_missing_and_huge_numbers);
    suite_add_tcase(s, tc);
    return s;
}
