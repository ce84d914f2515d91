/* Homework 1.4: remove_dot_segments(). */
#include "exercises.h"
#include "homework.h"

#include <string.h>

static int resolve(const char *path, char *out, size_t out_size)
{
    memset(out, 'X', out_size);
    int status = remove_dot_segments(path, out, out_size);
    hw_require_started(status != EXERCISE_NOT_STARTED, "remove_dot_segments");
    return status;
}

static void expect_path(const char *path, const char *want)
{
    char out[128];
    int status = resolve(path, out, sizeof out);
    ck_assert_msg(status == 0, "remove_dot_segments(\"%s\") returned %d, expected 0",
                  path, status);
    ck_assert_msg(strcmp(out, want) == 0,
                  "remove_dot_segments(\"%s\") gave \"%s\", expected \"%s\"", path, out,
                  want);
}

static void expect_403(const char *path)
{
    char out[128];
    int status = resolve(path, out, sizeof out);
    ck_assert_msg(status == 403,
                  "remove_dot_segments(\"%s\") returned %d: a path that climbs "
                  "above the root must get 403",
                  path, status);
}

START_TEST(keeps_plain_paths)
{
    expect_path("/", "/");
    expect_path("/index.html", "/index.html");
    expect_path("/a/b/", "/a/b/");
    expect_path("//x", "//x");
}
END_TEST

START_TEST(removes_single_dots)
{
    expect_path("/./a", "/a");
    expect_path("/a/./b", "/a/b");
    expect_path("/a/.", "/a/");
    expect_path("/.", "/");
}
END_TEST

START_TEST(removes_double_dots_with_their_segment)
{
    expect_path("/a/b/../c", "/a/c");
    expect_path("/a/./b/../c", "/a/c");
    expect_path("/a/b/..", "/a/");
    expect_path("/a/..", "/");
    expect_path("/a/b/../../c", "/c");
}
END_TEST

START_TEST(keeps_names_that_only_contain_dots)
{
    expect_path("/..a", "/..a");
    expect_path("/a..", "/a..");
    expect_path("/.../x", "/.../x");
    expect_path("/.hidden", "/.hidden");
}
END_TEST

START_TEST(refuses_to_climb_above_the_root)
{
    expect_403("/..");
    expect_403("/../etc/passwd");
    expect_403("/a/../..");
    expect_403("/a/../../b");
    expect_403("/./../x");
}
END_TEST

START_TEST(answers_414_when_out_is_too_small)
{
    char out[5];
    ck_assert_msg(resolve("/abc", out, sizeof out) == 0, "\"/abc\" fits in 5 bytes");
    ck_assert_msg(resolve("/abcd", out, sizeof out) == 414,
                  "\"/abcd\" needs 6 bytes: 414");
}
END_TEST

TCase *hw_remove_dot_segments(void)
{
    TCase *tc = hw_tcase("1.4 remove_dot_segments");
    tcase_add_test(tc, keeps_plain_paths);
    tcase_add_test(tc, removes_single_dots);
    tcase_add_test(tc, removes_double_dots_with_their_segment);
    tcase_add_test(tc, keeps_names_that_only_contain_dots);
    tcase_add_test(tc, refuses_to_climb_above_the_root);
    tcase_add_test(tc, answers_414_when_out_is_too_small);
    return tc;
}
