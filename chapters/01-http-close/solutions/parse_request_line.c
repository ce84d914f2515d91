/* Reference answer to exercise 1.1. The server itself uses the same code:
 * http_parse_request_line() in common/http_parse.c, which this calls, so there is
 * one implementation to read (and to fix). */
#include "exercises.h"
/* The server's own implementation, compiled right here: this file needs nothing
 * but the C library, so it also builds if you copy it into exercises/. */
#include "../../../common/http_parse.c"

int parse_request_line(char *line, struct request_line *out)
{
    struct http_request_line parsed = {0};
    int status = http_parse_request_line(line, &parsed);
    out->method = parsed.method;
    out->target = parsed.target;
    out->version = parsed.version;
    out->major = parsed.major;
    out->minor = parsed.minor;
    return status;
}
