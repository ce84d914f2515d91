/* Mistake: looks for the token anywhere in the value with a substring search (after
 * lower-casing both), so "closed" and "keep-alive-close" are taken to list "close". */
#include "exercises.h"

#include <string.h>

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* A lower-case copy of text in out (cut to fit). */
static void lower_copy(const char *text, char *out, size_t size)
{
    size_t i = 0;
    for (; text[i] != '\0' && i + 1 < size; i++)
        out[i] = lower(text[i]);
    out[i] = '\0';
}

int list_has_token(const char *value, const char *token)
{
    char v[256];
    char t[64];
    lower_copy(value, v, sizeof v);
    lower_copy(token, t, sizeof t);
    return strstr(v, t) != NULL;
}
