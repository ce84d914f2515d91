/* Mistake: skips empty items, so "5," and ",5" are read as 5. */
#include "exercises.h"

#include <limits.h>
#include <string.h>

static int is_space_or_tab(char c)
{
    return c == ' ' || c == '\t';
}

/* text[0 .. length-1] as a number: digits only, at least one; -1 for anything else
 * or for a value too large for a long long. */
static long long parse_digits(const char *text, size_t length)
{
    long long value = 0;
    if (length == 0)
        return -1;
    for (size_t i = 0; i < length; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        if (value > (LLONG_MAX - (text[i] - '0')) / 10)
            return -1; /* value * 10 + digit would overflow */
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

int parse_content_length(const char *value, long long *out)
{
    long long first = -1;
    const char *p = value;
    for (;;) {
        size_t length = strcspn(p, ","); /* this item, up to the next comma */
        size_t start = 0;
        size_t end = length;
        while (start < end && is_space_or_tab(p[start]))
            start++;
        while (end > start && is_space_or_tab(p[end - 1]))
            end--;
        if (start == end) { /* nothing here: on to the next item */
            p += length;
            if (*p == '\0')
                break;
            p++;
            continue;
        }
        long long number = parse_digits(p + start, end - start);
        if (number < 0 || (first >= 0 && number != first))
            return -1; /* not a number, or two different lengths: which one is true? */
        first = number;
        p += length;
        if (*p == '\0')
            break;
        p++; /* the comma */
    }
    if (first < 0)
        return -1;
    *out = first;
    return 0;
}
