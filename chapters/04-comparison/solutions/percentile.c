/* Reference answer to exercise 4.2: stats_percentile() in tool/stats.c, the one compare
 * uses. It needs nothing but the C library, so it compiles right here (and also if
 * you copy this file into exercises/). */
#include "exercises.h"

/* The tool's own code, compiled in here: the answer is the code compare runs. */
#include "../tool/stats.c" // NOLINT(bugprone-suspicious-include)

int percentile(const double *sorted, size_t count, double p, double *out)
{
    return stats_percentile(sorted, count, p, out);
}
