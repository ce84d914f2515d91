/* Reference answer to exercise 1.2: http_percent_decode() in common/http_parse.c. */
#include "exercises.h"
/* The server's own implementation, compiled right here: this file needs nothing
 * but the C library, so it also builds if you copy it into exercises/. */
#include "../../../common/http_parse.c"

int percent_decode(const char *in, size_t in_length, char *out, size_t out_size)
{
    return http_percent_decode(in, in_length, out, out_size);
}
