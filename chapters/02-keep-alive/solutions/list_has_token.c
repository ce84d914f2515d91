/* Reference answer to exercise 2.1: http_list_has_token() in common/http_parse.c,
 * which the server uses for its Connection and Expect headers. */
#include "exercises.h"
/* The server's own implementation, compiled right here: this file needs nothing
 * but the C library, so it also builds if you copy it into exercises/. */
#include "../../../common/http_parse.c"

int list_has_token(const char *value, const char *token)
{
    return http_list_has_token(value, token);
}
