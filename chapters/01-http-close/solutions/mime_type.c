/* Reference answer to exercise 1.4: http_mime_type() in common/http_parse.c. */
#include "exercises.h"
/* The server's own implementation, compiled right here: this file needs nothing
 * but the C library, so it also builds if you copy it into exercises/. */
#include "../../../common/http_parse.c"

const char *mime_type(const char *path)
{
    return http_mime_type(path);
}
