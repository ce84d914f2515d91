/* Homework 4.3: exchange_segments(). */
#include "exercises.h"
#include "homework.h"

#define MSS 1448

static void expect_segments(size_t request, size_t response, int new_connection,
                            size_t mss, long want)
{
    long got = exchange_segments(request, response, new_connection, mss);
    hw_require_started(got != EXERCISE_NOT_STARTED, "exchange_segments");
    ck_assert_msg(got == want,
                  "exchange_segments(%zu, %zu, %d, %zu) gave %ld, expected %ld", request,
                  response, new_connection, mss, got, want);
}

START_TEST(a_small_exchange_on_a_kept_connection)
{
    expect_segments(50, 300, 0, MSS, 4); /* request, answer, and an ACK for each */
    expect_segments(5, 17, 0, MSS, 4);   /* a chat line and its answer */
}
END_TEST

START_TEST(a_new_connection_adds_handshake_and_close)
{
    expect_segments(50, 300, 1, MSS, 11);
    expect_segments(0, 0, 1, MSS, 7); /* connect and close, nothing said */
}
END_TEST

START_TEST(big_messages_take_several_segments)
{
    expect_segments(50, 3000, 1, MSS, 15);        /* 3000 bytes: 3 segments */
    expect_segments(MSS, MSS, 0, MSS, 4);         /* exactly full */
    expect_segments(MSS + 1, 2 * MSS, 0, MSS, 8); /* one byte over: 2 */
    expect_segments(100, 100, 0, 40, 12);         /* a tiny MSS: 3 + 3, doubled */
}
END_TEST

START_TEST(a_message_of_nothing_needs_no_segment)
{
    expect_segments(0, 17, 0, MSS, 2); /* a push: one message, one ACK */
    expect_segments(0, 0, 0, MSS, 0);
}
END_TEST

START_TEST(an_mss_of_zero_is_an_error)
{
    expect_segments(10, 10, 0, 0, -1);
    expect_segments(0, 0, 1, 0, -1);
}
END_TEST

TCase *hw_exchange_segments(void)
{
    TCase *tc = hw_tcase("4.3 exchange_segments");
    tcase_add_test(tc, a_small_exchange_on_a_kept_connection);
    tcase_add_test(tc, a_new_connection_adds_handshake_and_close);
    tcase_add_test(tc, big_messages_take_several_segments);
    tcase_add_test(tc, a_message_of_nothing_needs_no_segment);
    tcase_add_test(tc, an_mss_of_zero_is_an_error);
    return tc;
}
