/* Homework 4.2: percentile(). */
#include "exercises.h"
#include "homework.h"

#include <math.h>

static double expect_ok(const double *sorted, size_t count, double p)
{
    double out = -12345;
    int rc = percentile(sorted, count, p, &out);
    hw_require_started(rc != EXERCISE_NOT_STARTED, "percentile");
    ck_assert_msg(rc == 0, "percentile(n=%zu, p=%g) returned %d, expected 0", count, p,
                  rc);
    return out;
}

static void expect_value(const double *sorted, size_t count, double p, double want)
{
    double got = expect_ok(sorted, count, p);
    ck_assert_msg(got == want, "percentile(n=%zu, p=%g) gave %g, expected %g", count, p,
                  got, want);
}

START_TEST(picks_the_nearest_rank)
{
    const double v[] = {15, 20, 35, 40, 50};
    expect_value(v, 5, 5, 15);
    expect_value(v, 5, 30, 20);
    expect_value(v, 5, 40, 20);
    expect_value(v, 5, 50, 35);
    expect_value(v, 5, 100, 50);
}
END_TEST

START_TEST(never_blends_two_values)
{
    const double v[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    expect_value(v, 10, 50, 5); /* not 5.5 */
    expect_value(v, 10, 90, 9);
    expect_value(v, 10, 91, 10);
    expect_value(v, 10, 99, 10);
    expect_value(v, 10, 25, 3); /* rank ceil(2.5) = 3 */
}
END_TEST

START_TEST(p0_is_the_smallest_and_one_value_is_every_percentile)
{
    const double v[] = {0.5, 7, 9};
    expect_value(v, 3, 0, 0.5);
    const double one[] = {42};
    expect_value(one, 1, 0, 42);
    expect_value(one, 1, 50, 42);
    expect_value(one, 1, 100, 42);
}
END_TEST

START_TEST(p99_of_a_thousand)
{
    static double v[1000];
    for (int i = 0; i < 1000; i++)
        v[i] = (i + 1) * 0.01; /* 0.01 ms .. 10 ms */
    expect_value(v, 1000, 99, v[989]);
    expect_value(v, 1000, 50, v[499]);
}
END_TEST

START_TEST(every_whole_p_of_a_hundred)
{
    /* Of the values 1 .. 100, the p-th percentile is p itself (1 for p = 0). Computed
     * as p / 100 * count, 7 / 100 is 0.07000000000000001 in binary floating point,
     * times 100 a hair over 7, and ceil() picks rank 8: so do the multiplication
     * first, p * count / 100. */
    double v[100];
    for (int i = 0; i < 100; i++)
        v[i] = i + 1;
    const double tricky[] = {7, 14, 28, 55, 56};
    for (size_t i = 0; i < sizeof tricky / sizeof tricky[0]; i++) {
        double got = expect_ok(v, 100, tricky[i]);
        ck_assert_msg(got == tricky[i],
                      "percentile of 1 .. 100 at p=%g gave %g, expected %g: p / 100 is "
                      "not exact in binary floating point (7 / 100 * 100 is a hair over "
                      "7), so compute p * count / 100",
                      tricky[i], got, tricky[i]);
    }
    for (int p = 0; p <= 100; p++)
        expect_value(v, 100, p, p == 0 ? 1 : p);
}
END_TEST

START_TEST(rejects_empty_samples_and_bad_p)
{
    const double v[] = {1, 2, 3};
    double out = 77;
    int rc = percentile(v, 0, 50, &out);
    hw_require_started(rc != EXERCISE_NOT_STARTED, "percentile");
    ck_assert_msg(rc == -1, "an empty sample gave %d, expected -1", rc);
    ck_assert_msg(out == 77, "an empty sample changed *out");
    ck_assert_msg(percentile(v, 3, -0.5, &out) == -1, "p = -0.5 should give -1");
    ck_assert_msg(percentile(v, 3, 101, &out) == -1, "p = 101 should give -1");
    ck_assert_msg(percentile(v, 3, NAN, &out) == -1, "p = NaN should give -1");
}
END_TEST

TCase *hw_percentile(void)
{
    TCase *tc = hw_tcase("4.2 percentile");
    tcase_add_test(tc, picks_the_nearest_rank);
    tcase_add_test(tc, never_blends_two_values);
    tcase_add_test(tc, p0_is_the_smallest_and_one_value_is_every_percentile);
    tcase_add_test(tc, p99_of_a_thousand);
    tcase_add_test(tc, every_whole_p_of_a_hundred);
    tcase_add_test(tc, rejects_empty_samples_and_bad_p);
    return tc;
}
