/* Mistake: decides "too long" only once the LF has arrived, so a client
 * that never sends an LF fills its input buffer and the server keeps waiting. */
#include "exercises.h"

#include <string.h>

int find_line(const char *buf, size_t length, struct line *line)
{
    /* Only the first LINE_MAX_BYTES + 2 bytes can hold the LF of a line that is not
     * too long: the text, a CR, the LF. Never look further: a client that sends a
     * megabyte without a newline costs us one bounded scan, not a megabyte. */
    const char *lf = memchr(buf, '\n', length);
    if (lf != NULL) {
        size_t text = (size_t)(lf - buf);
        size_t next = text + 1;
        if (text > 0 && buf[text - 1] == '\r')
            text--;
        if (text > LINE_MAX_BYTES)
            return LINE_TOO_LONG;
        line->length = text;
        line->next = next;
        return LINE_COMPLETE;
    }
    /* No LF yet. With LINE_MAX_BYTES + 1 bytes the line is too long already, unless
     * the last of them is a CR that the next byte, an LF, would make an ending. */
    return LINE_INCOMPLETE;
}
