/* options.c: see options.h. */
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int option_scan_number(const char **cursor, long long *out)
{
    const char *start = *cursor + strspn(*cursor, " \t");
    const char *digits = start[0] == '-' ? start + 1 : start;
    if (!isdigit((unsigned char)digits[0]))
        return -1; /* strtoll would also take "+5" and " \n5" */
    int saved_errno = errno;
    errno = 0;
    char *end;
    long long value = strtoll(start, &end, 10);
    if (errno == ERANGE)
        return -1;
    errno = saved_errno;
    *cursor = end;
    *out = value;
    return 0;
}

int option_number(const char *text, long min, long max, long *out)
{
    /* " 5" is no whole number here, though option_scan_number would skip the space. */
    const char *cursor = text;
    long long value;
    if (text[0] == ' ' || text[0] == '\t' || option_scan_number(&cursor, &value) < 0 ||
        *cursor != '\0' || value < min || value > max) {
        errno = EINVAL;
        return -1;
    }
    *out = (long)value;
    return 0;
}
