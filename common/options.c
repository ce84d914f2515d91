/* options.c: see options.h. */
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

int option_number(const char *text, long min, long max, long *out)
{
    char *end;
    if (!isdigit((unsigned char)text[0]) && text[0] != '-') {
        errno = EINVAL; /* strtol would skip leading spaces: " 5" is no number here */
        return -1;
    }
    errno = 0;
    long value = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno == ERANGE || value < min || value > max) {
        errno = EINVAL;
        return -1;
    }
    *out = value;
    return 0;
}
