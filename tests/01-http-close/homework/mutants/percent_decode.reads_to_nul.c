/* Mistake: stops at the NUL instead of after in_length bytes, and checks
 * the two hex digits without looking at in_length. */
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
    (void)in_length;
    for (size_t i = 0; in[i] != '\0'; i++) {
        char c = in[i];
        if (c == '%') {
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
