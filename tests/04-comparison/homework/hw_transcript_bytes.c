/* Homework 4.4: transcript_bytes(). */
#include "exercises.h"
#include "homework.h"

static void expect_counts(const char *transcript, long want_sent, long want_received)
{
    long sent = -1, received = -1;
    int rc = transcript_bytes(transcript, &sent, &received);
    hw_require_started(rc != EXERCISE_NOT_STARTED, "transcript_bytes");
    ck_assert_msg(rc == 0, "transcript_bytes returned %d for:\n%s", rc, transcript);
    ck_assert_msg(sent == want_sent && received == want_received,
                  "counted %ld sent and %ld received, expected %ld and %ld, in:\n%s",
                  sent, received, want_sent, want_received, transcript);
}

static void expect_rejected(const char *transcript)
{
    long sent, received;
    int rc = transcript_bytes(transcript, &sent, &received);
    hw_require_started(rc != EXERCISE_NOT_STARTED, "transcript_bytes");
    ck_assert_msg(rc == -1, "returned %d, expected -1, for:\n%s", rc, transcript);
}

START_TEST(counts_an_http_exchange)
{
    expect_counts("[fd 3] >>> GET / HTTP/1.0\\r\\n\n"
                  "[fd 3] >>> \\r\\n\n"
                  "[fd 3] <<< HTTP/1.0 200 OK\\r\\n\n",
                  18, 17);
}
END_TEST

START_TEST(counts_every_escape_as_one_byte)
{
    expect_counts("[fd 5] <<< a\\tb\\\\c\\x00\\xFF\\xab\\n\n", 0, 9);
    expect_counts("[fd 12] >>> /who\\n", 5, 0); /* no final newline */
}
END_TEST

START_TEST(adds_up_many_lines_and_skips_empty_ones)
{
    expect_counts("[fd 4] >>> /who\\n\n"
                  "\n"
                  "[fd 4] <<< * online: guest1\\n\n"
                  "[fd 4] >>> /who\\n\n"
                  "[fd 4] <<< * online: guest1\\n\n",
                  10, 34);
    expect_counts("", 0, 0);
}
END_TEST

START_TEST(rejects_what_is_not_a_trace)
{
    expect_rejected("GET / HTTP/1.0\n");
    expect_rejected("[fd 3] === hello\n");
    expect_rejected("[fd x] >>> hello\n");
    expect_rejected("[fd 3] >>> bad \\q escape\n");
    expect_rejected("[fd 3] >>> short \\x4\n");
    expect_rejected("[fd 3] >>> ends in a backslash \\\n");
}
END_TEST

TCase *hw_transcript_bytes(void)
{
    TCase *tc = hw_tcase("4.4 transcript_bytes");
    tcase_add_test(tc, counts_an_http_exchange);
    tcase_add_test(tc, counts_every_escape_as_one_byte);
    tcase_add_test(tc, adds_up_many_lines_and_skips_empty_ones);
    tcase_add_test(tc, rejects_what_is_not_a_trace);
    return tc;
}
