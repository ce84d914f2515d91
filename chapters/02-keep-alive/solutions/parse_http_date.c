/* Reference answer to exercise 2.4: http_parse_date() in common/http_parse.c, which
 * the server uses for If-Modified-Since. */
#include "exercises.h"
/* The server's own implementation, compiled right here: this file needs nothing
 * but the C library, so it also builds if you copy it into exercises/. */
#include "../../../common/http_parse.c"

int parse_http_date(const char *text, time_t *out)
{
    return http_parse_date(text, out);
}
