/* tool/stats.h: the tool around chapter 4's lesson, not the lesson.
 * Turning a pile of measured times into the few numbers worth printing.
 *
 * A mean alone hides what users feel: one request in a hundred that takes ten times
 * longer is invisible in the mean and obvious in the 99th percentile. So compare
 * reports the median (p50), p90, p99 and the maximum as well.
 *
 * Percentiles here use the nearest-rank method: the p-th percentile of n sorted values
 * is the value at rank ceil(p/100 * n), counting from 1 (rank 1 for p = 0). It always
 * returns a value that was really measured, never a blend of two, which is what you
 * want when you say "99% of requests took at most this long".
 *
 * This file needs nothing but the C library, so the homework's reference answer
 * compiles it as it is.
 */
#ifndef STATS_H
#define STATS_H

#include <stddef.h>

/* A growing array of measurements (milliseconds, bytes, whatever the caller likes). */
struct sample {
    double *values;
    size_t count;
    size_t capacity;
};

/* The numbers compare prints for one sample. */
struct summary {
    size_t count;
    double min, max, mean;
    double p50, p90, p99;
};

/* An empty sample; stats_add allocates as it goes. */
void stats_init(struct sample *s);

/* Append one value. Returns 0, or -1 (errno ENOMEM) when memory runs out. */
int stats_add(struct sample *s, double value);

/* Forget every value, keeping the memory for reuse. */
void stats_clear(struct sample *s);

void stats_free(struct sample *s);

/* Sort values[0..count) in ascending order, in place. */
void stats_sort(double *values, size_t count);

/* The mean of values[0..count). Returns 0 with *out set, or -1 when count is 0. */
int stats_mean(const double *values, size_t count, double *out);

/* The nearest-rank p-th percentile (0 <= p <= 100) of sorted[0..count), which must be
 * in ascending order. Returns 0 with *out set; -1 for an empty sample or a p outside
 * [0, 100]. */
int stats_percentile(const double *sorted, size_t count, double p, double *out);

/* Sort the sample and fill *out. Returns 0, or -1 for an empty sample (then *out
 * holds count 0 and zeros). */
int stats_summarize(struct sample *s, struct summary *out);

#endif
