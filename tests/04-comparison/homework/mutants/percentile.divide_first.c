/* Mistake: computes the rank as p / 100 * count. In floating point 7 / 100 * 100 is
 * 7.000000000000001, and rounding it up picks the rank after the right one. */
#include "exercises.h"

int percentile(const double *sorted, size_t count, double p, double *out)
{
    if (count == 0 || !(p >= 0 && p <= 100))
        return -1;
    double exact = p / 100 * (double)count;
    size_t rank = (size_t)exact;
    if ((double)rank < exact)
        rank++;
    if (rank < 1)
        rank = 1;
    if (rank > count)
        rank = count;
    *out = sorted[rank - 1];
    return 0;
}
