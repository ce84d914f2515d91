/* Reference answer to exercise 2.2. The server has its own,
 * http_parse_content_length() in common/http_parse.c; this one stands alone, since
 * your program links that file as well. */
#include "exercises.h"

#include <limits.h>
#include <string.h>

static int is_space_or_tab(char c)
{
    return c == ' ' || c == '\t';
}

int parse_content_length(const char *value, long long *out)
{
    long long first = -1;
    const char *item = value;
    for (;;) {
        size_t length = strcspn(item, ","); /* up to the next comma, or the end */
        size_t start = 0;
        size_t end = length;
        while (start < end && is_space_or_tab(item[start]))
            start++;
        while (end > start && is_space_or_tab(item[end - 1]))
            end--;
        if (start == end)
            return -1; /* an empty item: "", "5,", ",5" */
        long long number = 0;
        for (size_t i = start; i < end; i++) {
            int digit = item[i] - '0';
            if (digit < 0 || digit > 9)
                return -1; /* a sign, a space inside, a letter, a dot */
            if (number > (LLONG_MAX - digit) / 10)
                return -1; /* number * 10 + digit would overflow */
            number = number * 10 + digit;
        }
        if (first >= 0 && number != first)
            return -1; /* two different lengths: which one is true? */
        first = number;
        if (item[length] == '\0')
            break;
        item += length + 1; /* past the comma */
    }
    *out = first;
    return 0;
}
