/* test_stats.c: compare's statistics (tool/stats.c) and TCP arithmetic (tool/model.c).
 *
 * Both files need only the C library, so we compile them right here, exactly as
 * compare does. Percentiles are nearest-rank: the value at rank ceil(p/100 * n).
 */
#include "suites.h"

#include <math.h>

#include "../../chapters/04-comparison/tool/model.c"
#include "../../chapters/04-comparison/tool/stats.c"

#define EPSILON 1e-9

static double percentile_of(const double *sorted, size_t count, double p)
{
    double out = -1;
    ck_assert_msg(stats_percentile(sorted, count, p, &out) == 0,
                  "stats_percentile(p=%g, n=%zu) failed", p, count);
    return out;
}

START_TEST(percentile_of_nothing_is_an_error)
{
    double out = 42;
    ck_assert_int_eq(stats_percentile(NULL, 0, 50, &out), -1);
    ck_assert(out == 42);
}
END_TEST

START_TEST(percentile_of_one_value_is_that_value)
{
    const double one[] = {7.5};
    ck_assert(percentile_of(one, 1, 0) == 7.5);
    ck_assert(percentile_of(one, 1, 50) == 7.5);
    ck_assert(percentile_of(one, 1, 99) == 7.5);
    ck_assert(percentile_of(one, 1, 100) == 7.5);
}
END_TEST

START_TEST(percentile_is_nearest_rank)
{
    /* The textbook example: ranks ceil(0.05*5)=1, ceil(0.3*5)=2, ceil(0.4*5)=2,
     * ceil(0.5*5)=3, ceil(1*5)=5. Never a value between two measured ones. */
    const double v[] = {15, 20, 35, 40, 50};
    ck_assert(percentile_of(v, 5, 5) == 15);
    ck_assert(percentile_of(v, 5, 30) == 20);
    ck_assert(percentile_of(v, 5, 40) == 20);
    ck_assert(percentile_of(v, 5, 50) == 35);
    ck_assert(percentile_of(v, 5, 100) == 50);
    const double ten[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    ck_assert(percentile_of(ten, 10, 0) == 1);
    ck_assert(percentile_of(ten, 10, 50) == 5);
    ck_assert(percentile_of(ten, 10, 90) == 9);
    ck_assert(percentile_of(ten, 10, 91) == 10);
    ck_assert(percentile_of(ten, 10, 99) == 10);
}
END_TEST

START_TEST(percentile_rejects_p_outside_0_to_100)
{
    const double v[] = {1, 2, 3};
    double out;
    ck_assert_int_eq(stats_percentile(v, 3, -1, &out), -1);
    ck_assert_int_eq(stats_percentile(v, 3, 100.5, &out), -1);
    ck_assert_int_eq(stats_percentile(v, 3, NAN, &out), -1);
}
END_TEST

START_TEST(p99_of_2000_values_is_the_1980th)
{
    static double v[2000];
    for (int i = 0; i < 2000; i++)
        v[i] = i + 1;
    ck_assert(percentile_of(v, 2000, 99) == 1980);
    ck_assert(percentile_of(v, 2000, 50) == 1000);
}
END_TEST

START_TEST(mean_of_nothing_is_an_error)
{
    double out = 3;
    ck_assert_int_eq(stats_mean(NULL, 0, &out), -1);
    const double v[] = {1, 2, 3, 4};
    ck_assert_int_eq(stats_mean(v, 4, &out), 0);
    ck_assert(out > 2.5 - EPSILON && out < 2.5 + EPSILON);
    ck_assert_int_eq(stats_mean(v + 3, 1, &out), 0);
    ck_assert(out == 4);
}
END_TEST

START_TEST(summary_sorts_and_summarizes)
{
    struct sample s;
    struct summary sum;
    stats_init(&s);
    const double v[] = {9, 1, 8, 2, 7, 3, 6, 4, 5, 10};
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq(stats_add(&s, v[i]), 0);
    ck_assert_int_eq(stats_summarize(&s, &sum), 0);
    ck_assert_uint_eq(sum.count, 10);
    ck_assert(sum.min == 1 && sum.max == 10);
    ck_assert(sum.mean > 5.5 - EPSILON && sum.mean < 5.5 + EPSILON);
    ck_assert(sum.p50 == 5 && sum.p90 == 9 && sum.p99 == 10);
    for (size_t i = 1; i < s.count; i++)
        ck_assert(s.values[i - 1] <= s.values[i]);
    stats_free(&s);
}
END_TEST

START_TEST(summary_of_empty_and_single_samples)
{
    struct sample s;
    struct summary sum;
    stats_init(&s);
    ck_assert_int_eq(stats_summarize(&s, &sum), -1);
    ck_assert_uint_eq(sum.count, 0);
    stats_add(&s, 0.25);
    ck_assert_int_eq(stats_summarize(&s, &sum), 0);
    ck_assert(sum.min == 0.25 && sum.max == 0.25 && sum.mean == 0.25);
    ck_assert(sum.p50 == 0.25 && sum.p90 == 0.25 && sum.p99 == 0.25);
    stats_clear(&s);
    ck_assert_int_eq(stats_summarize(&s, &sum), -1);
    stats_free(&s);
}
END_TEST

START_TEST(sample_grows_past_its_first_allocation)
{
    struct sample s;
    struct summary sum;
    stats_init(&s);
    for (int i = 5000; i > 0; i--)
        ck_assert_int_eq(stats_add(&s, i), 0);
    ck_assert_int_eq(stats_summarize(&s, &sum), 0);
    ck_assert(sum.min == 1 && sum.max == 5000 && sum.p50 == 2500);
    stats_free(&s);
}
END_TEST

START_TEST(model_counts_segments)
{
    ck_assert_int_eq(model_data_segments(0, ETHERNET_MSS), 0);
    ck_assert_int_eq(model_data_segments(1, ETHERNET_MSS), 1);
    ck_assert_int_eq(model_data_segments(ETHERNET_MSS, ETHERNET_MSS), 1);
    ck_assert_int_eq(model_data_segments(ETHERNET_MSS + 1, ETHERNET_MSS), 2);
    /* A small request and answer on a kept connection: 2 data + 2 ACKs. */
    ck_assert_int_eq(model_exchange_segments(50, 300, 0, ETHERNET_MSS), 4);
    /* On a new connection: plus 3 for the handshake and 4 for the close. */
    ck_assert_int_eq(model_exchange_segments(50, 300, 1, ETHERNET_MSS), 11);
    ck_assert_int_eq(model_exchange_segments(50, 3000, 1, ETHERNET_MSS), 15);
    /* A run: N exchanges on N connections is N times the new-connection figure. */
    ck_assert(model_run_segments(100, 100, 50, 300, ETHERNET_MSS) == 1100);
    ck_assert(model_run_segments(100, 1, 50, 300, ETHERNET_MSS) == 407);
    /* Fractional average sizes round up to whole bytes, then whole segments. */
    ck_assert(model_run_segments(1, 0, 0.5, ETHERNET_MSS + 0.5, ETHERNET_MSS) == 6);
}
END_TEST

START_TEST(model_poll_delay_is_half_an_interval_plus_a_trip)
{
    ck_assert(model_poll_delay_ms(1000, 0) == 500);
    ck_assert(model_poll_delay_ms(200, 25) == 125);
    /* No faster than one round trip: asking "every 0 ms" still waits for answers. */
    ck_assert(model_poll_delay_ms(0, 25) == 50);
    ck_assert(model_poll_delay_ms(10, 25) == 50);
}
END_TEST

Suite *stats_suite(void)
{
    Suite *s = suite_create("04 stats and model");
    TCase *tc = tcase_create("stats");
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, percentile_of_nothing_is_an_error);
    tcase_add_test(tc, percentile_of_one_value_is_that_value);
    tcase_add_test(tc, percentile_is_nearest_rank);
    tcase_add_test(tc, percentile_rejects_p_outside_0_to_100);
    tcase_add_test(tc, p99_of_2000_values_is_the_1980th);
    tcase_add_test(tc, mean_of_nothing_is_an_error);
    tcase_add_test(tc, summary_sorts_and_summarizes);
    tcase_add_test(tc, summary_of_empty_and_single_samples);
    tcase_add_test(tc, sample_grows_past_its_first_allocation);
    suite_add_tcase(s, tc);
    TCase *model = tcase_create("model");
    tcase_set_timeout(model, 10);
    tcase_add_test(model, model_counts_segments);
    tcase_add_test(model, model_poll_delay_is_half_an_interval_plus_a_trip);
    suite_add_tcase(s, model);
    return s;
}
