/* Reference answer to exercise 2.3, which your server calls: read_request() in
 * httpd.c reads until this finds the end of a head, and keeps the bytes after it (a
 * body, or the next pipelined request). The chapter's own server gets the same from
 * http_read_request() (common/http.c), which leaves what follows a head in its
 * reader.
 */
#include "exercises.h"

long find_request_end(const char *buf, size_t length)
{
    size_t line_start = 0; /* where the current line began */
    for (size_t i = 0; i < length; i++) {
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
