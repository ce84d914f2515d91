/* tool/stats.c: the tool around chapter 4's lesson, not the lesson. See stats.h.
 * Only the C library: the homework's answer #includes this. */
#include "stats.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SAMPLE_FIRST_CAPACITY 256

void stats_init(struct sample *s)
{
    s->values = NULL;
    s->count = 0;
    s->capacity = 0;
}

int stats_add(struct sample *s, double value)
{
    if (s->count == s->capacity) {
        size_t capacity = s->capacity == 0 ? SAMPLE_FIRST_CAPACITY : 2 * s->capacity;
        if (capacity > (size_t)-1 / sizeof *s->values) {
            errno = ENOMEM;
            return -1;
        }
        double *grown = realloc(s->values, capacity * sizeof *grown);
        if (grown == NULL)
            return -1;
        s->values = grown;
        s->capacity = capacity;
    }
    s->values[s->count++] = value;
    return 0;
}

void stats_clear(struct sample *s)
{
    s->count = 0;
}

void stats_free(struct sample *s)
{
    free(s->values);
    stats_init(s);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x > y) - (x < y); /* not x - y: that overflows an int, or rounds to 0 */
}

void stats_sort(double *values, size_t count)
{
    if (count > 1)
        qsort(values, count, sizeof *values, compare_doubles);
}

int stats_mean(const double *values, size_t count, double *out)
{
    if (count == 0)
        return -1;
    double sum = 0;
    for (size_t i = 0; i < count; i++)
        sum += values[i];
    *out = sum / (double)count;
    return 0;
}

int stats_percentile(const double *sorted, size_t count, double p, double *out)
{
    if (count == 0 || !(p >= 0 && p <= 100)) /* written so that a NaN p fails too */
        return -1;
    /* rank = ceil(p/100 * count), computed without <math.h>: p * count is exact for
     * the whole-number p we use, so the division is the only rounding. */
    double exact = p * (double)count / 100;
    size_t rank = (size_t)exact;
    if ((double)rank < exact)
        rank++;
    if (rank < 1)
        rank = 1; /* p = 0: the smallest value */
    if (rank > count)
        rank = count;
    *out = sorted[rank - 1];
    return 0;
}

int stats_summarize(struct sample *s, struct summary *out)
{
    memset(out, 0, sizeof *out);
    if (s->count == 0)
        return -1;
    stats_sort(s->values, s->count);
    out->count = s->count;
    out->min = s->values[0];
    out->max = s->values[s->count - 1];
    stats_mean(s->values, s->count, &out->mean);
    stats_percentile(s->values, s->count, 50, &out->p50);
    stats_percentile(s->values, s->count, 90, &out->p90);
    stats_percentile(s->values, s->count, 99, &out->p99);
    return 0;
}
