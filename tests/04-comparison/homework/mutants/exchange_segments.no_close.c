/* Mistake: adds the three-way handshake for a new connection but forgets that
 * closing it costs segments too (FIN and ACK each way: 4). */
#include "exercises.h"

static long data_segments(size_t bytes, size_t mss)
{
    return (long)((bytes + mss - 1) / mss);
}

long exchange_segments(size_t request_bytes, size_t response_bytes, int new_connection,
                       size_t mss)
{
    if (mss == 0)
        return -1;
    long data = data_segments(request_bytes, mss) + data_segments(response_bytes, mss);
    return 2 * data + (new_connection ? 3 : 0);
}
