/* Homework 4.4: poll_delay_ms(). */
#include "exercises.h"
#include "homework.h"

#define CLOSE_ENOUGH 1e-9

static void expect_delay(double interval, double one_way, double want)
{
    double got = poll_delay_ms(interval, one_way);
    hw_require_started(got != EXERCISE_NOT_STARTED, "poll_delay_ms");
    ck_assert_msg(got > want - CLOSE_ENOUGH && got < want + CLOSE_ENOUGH,
                  "poll_delay_ms(%g, %g) gave %g, expected %g", interval, one_way, got,
                  want);
}

START_TEST(half_an_interval_on_loopback)
{
    expect_delay(1000, 0, 500);
    expect_delay(50, 0, 25);
    expect_delay(200, 0.01, 100.01);
}
END_TEST

START_TEST(plus_one_trip_on_a_real_link)
{
    /* A 50 ms round trip: 25 ms each way. */
    expect_delay(200, 25, 125);
    expect_delay(1000, 25, 525);
}
END_TEST

START_TEST(no_faster_than_a_round_trip)
{
    expect_delay(0, 25, 50);  /* ask again the moment an answer comes */
    expect_delay(10, 25, 50); /* an interval shorter than the round trip */
    expect_delay(50, 25, 50); /* exactly one round trip */
    expect_delay(0, 0, 0);
}
END_TEST

TCase *hw_poll_delay_ms(void)
{
    TCase *tc = hw_tcase("4.4 poll_delay_ms");
    tcase_add_test(tc, half_an_interval_on_loopback);
    tcase_add_test(tc, plus_one_trip_on_a_real_link);
    tcase_add_test(tc, no_faster_than_a_round_trip);
    return tc;
}
