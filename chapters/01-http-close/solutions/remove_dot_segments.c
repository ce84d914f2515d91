/* Reference answer to exercise 1.4. The same rules as the server's
 * http_remove_dot_segments() in common/http_parse.c, written with the C library
 * alone, since your program links nothing else. */
#include "exercises.h"

#include <string.h>

int remove_dot_segments(const char *path, char *out, size_t out_size)
{
    size_t used = 0;
    const char *p = path;
    while (*p == '/') {
        const char *segment = p + 1;
        const char *next = strchr(segment, '/');
        if (next == NULL)
            next = segment + strlen(segment);
        size_t length = (size_t)(next - segment);
        int at_end = *next == '\0';
        int is_dot = length == 1 && segment[0] == '.';
        int is_dot_dot = length == 2 && segment[0] == '.' && segment[1] == '.';

        if (is_dot_dot) {
            if (used == 0)
                return 403; /* climbing above the root: an attack, not a typo */
            while (used > 0 && out[used - 1] != '/')
                used--;
            used--; /* and the slash before the removed segment */
        }
        if (is_dot || is_dot_dot) {
            if (at_end) { /* "/a/." and "/a/b/.." name a directory: keep its slash */
                if (used + 2 > out_size)
                    return 414;
                out[used++] = '/';
            }
        } else {
            if (used + 1 + length + 1 > out_size)
                return 414;
            out[used++] = '/';
            memcpy(out + used, segment, length);
            used += length;
        }
        p = next;
    }
    if (used == 0) { /* "/" itself, or everything removed */
        if (out_size < 2)
            return 414;
        out[used++] = '/';
    }
    out[used] = '\0';
    return 0;
}
