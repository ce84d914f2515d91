/* options.c: see options.h. */
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

int scan_number(const char **cursor, long long *out)
{
    char *end;
    errno = 0;
    long long value = strtoll(*cursor, &end, 10);
    if (end == *cursor || errno == ERANGE)
        return -1;
    *cursor = end;
    *out = value;
    return 0;
}

int option_number(const char *text, long min, long max, long *out)
{
    /* strtoll would skip leading spaces: " 5" is no number here. */
    const char *cursor = text;
    long long value;
    if ((!isdigit((unsigned char)text[0]) && text[0] != '-') ||
        scan_number(&cursor, &value) < 0 || *cursor != '\0' || value < min ||
        value > max) {
        errno = EINVAL;
        return -1;
    }
    *out = (long)value;
    return 0;
}
