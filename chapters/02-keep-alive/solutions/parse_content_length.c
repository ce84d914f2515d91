/* Reference answer to exercise 2.2: http_parse_content_length() in
 * common/http_parse.c, which the server uses to frame request bodies. */
#include "exercises.h"
/* The server's own implementation, compiled right here: this file needs nothing
 * but the C library, so it also builds if you copy it into exercises/. */
#include "../../../common/http_parse.c"

int parse_content_length(const char *value, long long *out)
{
    return http_parse_content_length(value, out);
}
