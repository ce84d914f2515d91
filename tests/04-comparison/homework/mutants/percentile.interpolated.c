/* Mistake: interpolates between the two neighbouring values (as spreadsheets do),
 * reporting a latency nobody measured, such as 5.5 for the median of 1 .. 10. */
#include "exercises.h"

int percentile(const double *sorted, size_t count, double p, double *out)
{
    if (count == 0 || !(p >= 0 && p <= 100))
        return -1;
    double position = p / 100 * (double)(count - 1);
    size_t below = (size_t)position;
    double fraction = position - (double)below;
    if (below + 1 < count)
        *out = sorted[below] + fraction * (sorted[below + 1] - sorted[below]);
    else
        *out = sorted[below];
    return 0;
}
