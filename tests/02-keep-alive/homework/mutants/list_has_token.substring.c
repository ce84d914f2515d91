/* Mistake: looks for the token anywhere in the value with strstr(), so
 * "closed" and "keep-alive-close" are taken to list "close". */
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
    if (strlen(token) != length)
        return 0;
    for (size_t i = 0; i < length; i++)
        if (lower(item[i]) != lower(token[i]))
            return 0;
    return 1;
}

int list_has_token_by_items(const char *value, const char *token);

int list_has_token(const char *value, const char *token)
{
    /* Lower-case copies, then a search. */
    char v[256];
    char t[64];
    size_t i = 0;
    for (; value[i] != '\0' && i + 1 < sizeof v; i++)
        v[i] = lower(value[i]);
    v[i] = '\0';
    for (i = 0; token[i] != '\0' && i + 1 < sizeof t; i++)
        t[i] = lower(token[i]);
    t[i] = '\0';
    return strstr(v, t) != NULL;
}

int list_has_token_by_items(const char *value, const char *token)
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
