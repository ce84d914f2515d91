/* Mistake: rounds up with bytes / mss + 1, which is one too many for an exact
 * multiple of mss and makes an empty message cost a segment. */
#include "exercises.h"

long exchange_segments(size_t request_bytes, size_t response_bytes, int new_connection,
                       size_t mss)
{
    if (mss == 0)
        return -1;
    long data = (long)(request_bytes / mss + 1 + response_bytes / mss + 1);
    return 2 * data + (new_connection ? 3 + 4 : 0);
}
