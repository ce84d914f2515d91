/* Mistake: treats a CR on its own as a line ending, so a stray CR inside
 * a header line followed by a CRLF ends the head early. */
#include "exercises.h"

long find_request_end(const char *buf, size_t length)
{
    size_t line_start = 0; /* where the current line began */
    for (size_t i = 0; i < length; i++) {
        if (buf[i] == '\r' && i + 1 < length && buf[i + 1] != '\n') {
            if (i == line_start)
                return (long)(i + 1); /* an "empty line" ended by a lone CR */
            line_start = i + 1;
            continue;
        }
        if (buf[i] != '\n')
            continue;
        /* The line is buf[line_start .. i-1], without a CR right before the LF. */
        size_t line_length = i - line_start;
        if (line_length > 0 && buf[i - 1] == '\r')
            line_length--;
        if (line_length == 0)
            return (long)(i + 1); /* the empty line: the head ends here */
        line_start = i + 1;
    }
    return 0; /* no empty line yet: wait for more bytes */
}
