/* Mistake: divides bytes by mss with C's integer division, which rounds down: 3000
 * bytes are 2 segments instead of 3, and a 50-byte request needs none at all. */
#include "exercises.h"

long exchange_segments(size_t request_bytes, size_t response_bytes, int new_connection,
                       size_t mss)
{
    if (mss == 0)
        return -1;
    long data = (long)(request_bytes / mss + response_bytes / mss);
    return 2 * data + (new_connection ? 3 + 4 : 0);
}
