/* Homework 3.3: nick_is_valid(). */
#include "exercises.h"
#include "homework.h"

#include <string.h>

static int valid(const char *name, size_t length)
{
    static char buf[64];
    memcpy(buf, name, length);
    int rc = nick_is_valid(buf, length);
    hw_require_started(rc != EXERCISE_NOT_STARTED, "nick_is_valid");
    return rc;
}

static void expect_valid(const char *name)
{
    ck_assert_msg(valid(name, strlen(name)) == 1, "\"%s\" is a valid nick: expected 1",
                  name);
}

static void expect_invalid(const char *name, size_t length, const char *why)
{
    ck_assert_msg(valid(name, length) == 0, "\"%.*s\": expected 0 (%s)", (int)length,
                  name, why);
}

START_TEST(accepts_letters_digits_underscore_dash)
{
    expect_valid("alice");
    expect_valid("Bob_99");
    expect_valid("x-y");
    expect_valid("a");
    expect_valid("_");
    expect_valid("ABCDEFGHIJKLMNOP"); /* 16 */
    expect_valid("0123456789");
}
END_TEST

START_TEST(rejects_empty_and_too_long)
{
    expect_invalid("", 0, "empty");
    expect_invalid("abcdefghijklmnopq", 17, "17 bytes");
}
END_TEST

START_TEST(rejects_other_bytes)
{
    expect_invalid("a b", 3, "a space");
    expect_invalid("a.b", 3, "a dot");
    expect_invalid("bob!", 4, "a '!'");
    expect_invalid("caf\xc3\xa9", 5, "not ASCII");
    expect_invalid("a\0b", 3, "a NUL byte");
    expect_invalid("tab\t", 4, "a tab");
    expect_invalid("a/b", 3, "a slash");
    expect_invalid("@", 1, "'@', next to 'A'");
    expect_invalid("[", 1, "'[', next to 'Z'");
    expect_invalid("`", 1, "'`', next to 'a'");
    expect_invalid("{", 1, "'{', next to 'z'");
}
END_TEST

START_TEST(looks_only_at_length_bytes)
{
    ck_assert_msg(valid("ali ce", 3) == 1,
                  "the first 3 bytes of \"ali ce\" are a valid nick");
}
END_TEST

TCase *hw_nick_is_valid(void)
{
    TCase *tc = hw_tcase("3.3 nick_is_valid");
    tcase_add_test(tc, accepts_letters_digits_underscore_dash);
    tcase_add_test(tc, rejects_empty_and_too_long);
    tcase_add_test(tc, rejects_other_bytes);
    tcase_add_test(tc, looks_only_at_length_bytes);
    return tc;
}
