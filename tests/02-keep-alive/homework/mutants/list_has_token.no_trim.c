/* Mistake: compares each item as it stands between the commas, so
 * "keep-alive, close" (with the usual space after the comma) does not list "close". */
#include "exercises.h"

#include <string.h>

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Is item[0 .. length-1] the token, ignoring case? */
static int item_is(const char *item, size_t length, const char *token)
{
    if (strlen(token) != length)
        return 0;
    for (size_t i = 0; i < length; i++)
        if (lower(item[i]) != lower(token[i]))
            return 0;
    return 1;
}

int list_has_token(const char *value, const char *token)
{
    const char *p = value;
    while (*p != '\0') {
        size_t length = strcspn(p, ","); /* this item, up to the next comma */
        size_t start = 0;
        size_t end = length;
        if (item_is(p + start, end - start, token))
            return 1;
        p += length;
        if (*p == ',')
            p++;
    }
    return 0;
}
