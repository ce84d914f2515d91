/* Mistake: looks only for "\r\n\r\n", so a head whose lines end in a
 * bare LF (what nc sends without -C) is never complete. */
#include "exercises.h"

#include <string.h>

long find_request_end(const char *buf, size_t length)
{
    for (size_t i = 0; i + 4 <= length; i++)
        if (memcmp(buf + i, "\r\n\r\n", 4) == 0)
            return (long)(i + 4);
    return 0;
}
