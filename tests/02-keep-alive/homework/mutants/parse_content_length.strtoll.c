/* Mistake: uses strtoll(), which skips leading spaces and accepts a sign,
 * so "+5" is read as 5 and " 5" is fine only by accident. */
#include "exercises.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static int is_space_or_tab(char c)
{
    return c == ' ' || c == '\t';
}

/* text[0 .. length-1] as a number: digits only, at least one; -1 for anything else
 * or for a value too large for a long long. */
static long long parse_digits(const char *text, size_t length)
{
    char copy[64];
    if (length == 0 || length >= sizeof copy)
        return -1;
    memcpy(copy, text, length);
    copy[length] = '\0';
    char *end;
    errno = 0;
    long long value = strtoll(copy, &end, 10);
    if (*end != '\0' || errno == ERANGE || value < 0)
        return -1;
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
        long long number = parse_digits(p + start, end - start);
        if (number < 0 || (first >= 0 && number != first))
            return -1; /* not a number, or two different lengths: which one is true? */
        first = number;
        p += length;
        if (*p == '\0')
            break;
        p++; /* the comma */
    }
    *out = first;
    return 0;
}
