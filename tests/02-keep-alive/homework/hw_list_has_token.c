/* Homework 2.1: list_has_token(). */
#include "exercises.h"
#include "homework.h"

static void expect(const char *value, const char *token, int want)
{
    int got = list_has_token(value, token);
    hw_require_started(got != EXERCISE_NOT_STARTED, "list_has_token");
    ck_assert_msg(got == want, "list_has_token(\"%s\", \"%s\") returned %d, expected %d",
                  value, token, got, want);
}

START_TEST(finds_a_single_token)
{
    expect("close", "close", 1);
    expect("keep-alive", "keep-alive", 1);
    expect("keep-alive", "close", 0);
}
END_TEST

START_TEST(ignores_case)
{
    expect("Close", "close", 1);
    expect("CLOSE", "close", 1);
    expect("Keep-Alive", "keep-alive", 1);
    expect("close", "Close", 1);
}
END_TEST

START_TEST(finds_a_token_anywhere_in_a_list)
{
    expect("keep-alive, close", "close", 1);
    expect("close, keep-alive", "close", 1);
    expect("Upgrade, close, TE", "close", 1);
    expect("keep-alive,close", "close", 1);
    expect("Upgrade, TE", "close", 0);
}
END_TEST

START_TEST(ignores_spaces_and_tabs_around_items)
{
    expect("  close  ", "close", 1);
    expect("\tclose\t", "close", 1);
    expect(" \tCLOSE\t ", "close", 1);
    expect("Upgrade ,\t close \t, TE", "close", 1);
}
END_TEST

START_TEST(matches_whole_items_only)
{
    expect("closed", "close", 0);
    expect("enclose", "close", 0);
    expect("clos", "close", 0);
    expect("close-ish", "close", 0);
    expect("clo se", "close", 0);
    expect("keep-alive-close", "close", 0);
    expect("\"close\"", "close", 0);
    expect("close;q=1", "close", 0);
}
END_TEST

START_TEST(empty_items_list_nothing)
{
    expect("", "close", 0);
    expect(",", "close", 0);
    expect(" , ,\t, ", "close", 0);
    expect(",,close,,", "close", 1);
    expect(", close", "close", 1);
    expect("close ,", "close", 1);
}
END_TEST

TCase *hw_list_has_token(void)
{
    TCase *tc = hw_tcase("2.1 list_has_token");
    tcase_add_test(tc, finds_a_single_token);
    tcase_add_test(tc, ignores_case);
    tcase_add_test(tc, finds_a_token_anywhere_in_a_list);
    tcase_add_test(tc, ignores_spaces_and_tabs_around_items);
    tcase_add_test(tc, matches_whole_items_only);
    tcase_add_test(tc, empty_items_list_nothing);
    return tc;
}
