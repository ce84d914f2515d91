/* Mistake: uses p * count / 100 as an array index, rounded down, instead of a rank
 * rounded up: p = 40 of five values gives index 2 (the 3rd value) where the nearest
 * rank is ceil(2.0) = 2 (the 2nd). */
#include "exercises.h"

int percentile(const double *sorted, size_t count, double p, double *out)
{
    if (count == 0 || !(p >= 0 && p <= 100))
        return -1;
    size_t index = (size_t)(p * (double)count / 100);
    if (index >= count)
        index = count - 1;
    *out = sorted[index];
    return 0;
}
