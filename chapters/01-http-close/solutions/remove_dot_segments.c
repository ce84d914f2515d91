/* Reference answer to exercise 1.3: http_remove_dot_segments() in common/http_parse.c. */
#include "exercises.h"
/* The server's own implementation, compiled right here: this file needs nothing
 * but the C library, so it also builds if you copy it into exercises/. */
#include "../../../common/http_parse.c"

int remove_dot_segments(const char *path, char *out, size_t out_size)
{
    return http_remove_dot_segments(path, out, out_size);
}
