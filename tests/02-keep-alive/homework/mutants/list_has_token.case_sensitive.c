/* Mistake: compares items with strncmp(), so "Close" and
 * "Keep-Alive" are not the tokens "close" and "keep-alive". */
#include "exercises.h"

#include <string.h>

static int is_space_or_tab(char c)
{
    return c == ' ' || c == '\t';
}

/* Is item[0 .. length-1] the token, ignoring case? */
static int item_is(const char *item, size_t length, const char *token)
{
    if (strlen(token) != length)
        return 0;
    for (size_t i = 0; i < length; i++)
        if (item[i] != token[i])
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
        while (start < end && is_space_or_tab(p[start]))
            start++;
        while (end > start && is_space_or_tab(p[end - 1]))
            end--;
        if (item_is(p + start, end - start, token))
            return 1;
        p += length;
        if (*p == ',')
            p++;
    }
    return 0;
}
