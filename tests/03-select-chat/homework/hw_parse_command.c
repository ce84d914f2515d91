/* Homework 3.2: parse_command(). */
#include "exercises.h"
#include "homework.h"

#include <string.h>

static int parse(const char *line, size_t length, struct command *out)
{
    static char buf[256];
    memcpy(buf, line, length);
    memset(out, 0, sizeof *out);
    int rc = parse_command(buf, length, out);
    hw_require_started(rc != EXERCISE_NOT_STARTED, "parse_command");
    if (rc == 0) {
        ck_assert_msg(out->name >= buf && out->name + out->name_length <= buf + length,
                      "name must point into the line");
        ck_assert_msg(out->argument_length == 0 ||
                          (out->argument >= buf &&
                           out->argument + out->argument_length <= buf + length),
                      "argument must point into the line");
    }
    return rc;
}

static void expect(const char *line, const char *name, const char *argument)
{
    struct command c;
    int rc = parse(line, strlen(line), &c);
    ck_assert_msg(rc == 0, "on \"%s\": returned %d, expected 0", line, rc);
    ck_assert_msg(c.name_length == strlen(name) &&
                      memcmp(c.name, name, c.name_length) == 0,
                  "on \"%s\": name \"%.*s\", expected \"%s\"", line, (int)c.name_length,
                  c.name, name);
    ck_assert_msg(c.argument_length == strlen(argument) &&
                      (c.argument_length == 0 ||
                       memcmp(c.argument, argument, c.argument_length) == 0),
                  "on \"%s\": argument \"%.*s\", expected \"%s\"", line,
                  (int)c.argument_length, c.argument_length ? c.argument : "", argument);
}

START_TEST(splits_command_and_argument)
{
    expect("/msg bob see you at 6", "msg", "bob see you at 6");
    expect("/nick alice", "nick", "alice");
}
END_TEST

START_TEST(a_command_without_argument)
{
    expect("/who", "who", "");
    expect("/quit ", "quit", "");
    expect("/", "", "");
}
END_TEST

START_TEST(trims_the_argument)
{
    expect("/nick   alice  ", "nick", "alice");
    expect("/me \t waves \t", "me", "waves");
    expect("/msg   bob   hi  there ", "msg", "bob   hi  there");
}
END_TEST

START_TEST(only_a_space_ends_the_word)
{
    expect("/me\twaves", "me\twaves", "");
    expect("/NICK x", "NICK", "x");
}
END_TEST

START_TEST(rejects_lines_without_slash)
{
    struct command c;
    ck_assert_msg(parse("hello /who", 10, &c) == -1, "\"hello /who\" is not a command");
    ck_assert_msg(parse(" /who", 5, &c) == -1, "\" /who\" is not a command");
    ck_assert_msg(parse("", 0, &c) == -1, "an empty line is not a command");
}
END_TEST

START_TEST(counts_bytes_not_strings)
{
    static const char line[] = "/msg a\0b hi\0there";
    struct command c;
    ck_assert_int_eq(parse(line, sizeof line - 1, &c), 0);
    ck_assert_msg(c.name_length == 3, "name length %zu, expected 3", c.name_length);
    ck_assert_msg(c.argument_length == sizeof line - 1 - 5,
                  "argument length %zu, expected %zu (NUL bytes are text)",
                  c.argument_length, sizeof line - 1 - 5);
    ck_assert(memcmp(c.argument, "a\0b hi\0there", c.argument_length) == 0);
}
END_TEST

TCase *hw_parse_command(void)
{
    TCase *tc = hw_tcase("3.2 parse_command");
    tcase_add_test(tc, splits_command_and_argument);
    tcase_add_test(tc, a_command_without_argument);
    tcase_add_test(tc, trims_the_argument);
    tcase_add_test(tc, only_a_space_ends_the_word);
    tcase_add_test(tc, rejects_lines_without_slash);
    tcase_add_test(tc, counts_bytes_not_strings);
    return tc;
}
