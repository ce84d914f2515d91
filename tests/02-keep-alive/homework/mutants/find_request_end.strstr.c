/* Mistake: searches with strstr(), which stops at the first NUL byte and
 * reads on past length when the buffer has no NUL in it. */
#include "exercises.h"

#include <string.h>

long find_request_end(const char *buf, size_t length)
{
    (void)length;
    const char *crlf = strstr(buf, "\r\n\r\n");
    const char *lf = strstr(buf, "\n\n");
    if (crlf != NULL && (lf == NULL || crlf < lf))
        return (long)(crlf - buf + 4);
    if (lf != NULL)
        return (long)(lf - buf + 2);
    return 0;
}
