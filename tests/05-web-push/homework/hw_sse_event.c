/* Homework 5.6: sse_event(). */
#include "exercises.h"
#include "homework.h"

#include <string.h>

START_TEST(formats_an_event)
{
    char out[128];
    int n = sse_event(7, "* guest2 joined", out, sizeof out);
    hw_require_started(n != EXERCISE_NOT_STARTED, "sse_event");
    const char *want = "id: 7\ndata: * guest2 joined\n\n";
    ck_assert_msg(
        n == (int)strlen(want) && strcmp(out, want) == 0,
        "id 7, \"* guest2 joined\": got %d \"%s\", expected \"id: 7\\ndata: * guest2 "
        "joined\\n\\n\"",
        n, n >= 0 ? out : "");
    n = sse_event(12345678901LL, "", out, sizeof out);
    ck_assert_msg(n >= 0 && strcmp(out, "id: 12345678901\ndata: \n\n") == 0,
                  "a large id and an empty line: got \"%s\"", n >= 0 ? out : "");
}
END_TEST

START_TEST(refuses_cr_and_lf)
{
    char out[128] = "untouched";
    int n = sse_event(1, "two\nlines", out, sizeof out);
    hw_require_started(n != EXERCISE_NOT_STARTED, "sse_event");
    ck_assert_msg(n == -1,
                  "a line with an LF: got %d, expected -1 (it would end the data field)",
                  n);
    ck_assert_msg(sse_event(1, "a\rb", out, sizeof out) == -1,
                  "a line with a CR should give -1");
}
END_TEST

START_TEST(refuses_a_small_buffer)
{
    char out[64];
    const char *want = "id: 1\ndata: hi\n\n"; /* 16 characters */
    int n = sse_event(1, "hi", out, 17);
    hw_require_started(n != EXERCISE_NOT_STARTED, "sse_event");
    ck_assert_msg(n == 16 && strcmp(out, want) == 0, "in exactly 17 bytes: got %d", n);
    n = sse_event(1, "hi", out, 16);
    ck_assert_msg(n == -1, "in 16 bytes (no room for the NUL): got %d, expected -1", n);
}
END_TEST

TCase *hw_sse_event(void)
{
    TCase *tc = hw_tcase("5.6 sse_event");
    tcase_add_test(tc, formats_an_event);
    tcase_add_test(tc, refuses_cr_and_lf);
    tcase_add_test(tc, refuses_a_small_buffer);
    return tc;
}
