/* Mistake: checks p with "p < 0 || p > 100", which is false for a NaN, so a NaN p
 * slips through and becomes a nonsense rank. */
#include "exercises.h"

int percentile(const double *sorted, size_t count, double p, double *out)
{
    if (count == 0 || p < 0 || p > 100)
        return -1;
    double exact = p * (double)count / 100;
    size_t rank = exact >= 1 ? (size_t)exact : 1;
    if ((double)rank < exact)
        rank++;
    if (rank > count)
        rank = count;
    *out = sorted[rank - 1];
    return 0;
}
