/* Reference answer to exercise 5.6 (the server's own is in sse.c). */
#include "exercises.h"

#include <stdio.h>
#include <string.h>

int sse_event(long long id, const char *line, char *out, size_t out_size)
{
    if (strpbrk(line, "\r\n") != NULL)
        return -1; /* it would end the data field early */
    int n = snprintf(out, out_size, "id: %lld\ndata: %s\n\n", id, line);
    return n < 0 || (size_t)n >= out_size ? -1 : n;
}
