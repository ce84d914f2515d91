/* Reference answer to exercise 1.3. The same rules as the server's
 * http_percent_decode() in common/http_parse.c, written with the C library alone,
 * since your program links nothing else. */
#include "exercises.h"

/* The value of one hex digit, either case; -1 for anything else. */
static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int percent_decode(const char *in, size_t in_length, char *out, size_t out_size)
{
    size_t used = 0;
    for (size_t i = 0; i < in_length; i++) {
        char c = in[i];
        if (c == '%') {
            if (in_length - i < 3)
                return 400; /* fewer than two characters left after the '%' */
            int high = hex_value(in[i + 1]);
            int low = hex_value(in[i + 2]);
            if (high < 0 || low < 0)
                return 400;
            c = (char)(high * 16 + low);
            if (c == '\0')
                return 400; /* "%00" would cut the path short where C reads it */
            i += 2;
        }
        /* Past the end of out, keep going without storing: a bad escape further on
         * is a 400, which comes before 414 in the order of checks. */
        if (used + 1 < out_size)
            out[used] = c;
        used++;
    }
    if (used + 1 > out_size)
        return 414;
    out[used] = '\0';
    return 0;
}
