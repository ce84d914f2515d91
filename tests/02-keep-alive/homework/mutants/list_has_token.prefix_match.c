/* Mistake: compares only as many characters as the token has, so an
 * item that starts with the token ("closed", "close-ish") matches. */
#include "exercises.h"

#include <string.h>

static int is_space_or_tab(char c)
{
    return c == ' ' || c == '\t';
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Is item[0 .. length-1] the token, ignoring case? */
static int item_is(const char *item, size_t length, const char *token)
{
    size_t n = strlen(token);
    if (length < n)
        return 0;
    for (size_t i = 0; i < n; i++)
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
