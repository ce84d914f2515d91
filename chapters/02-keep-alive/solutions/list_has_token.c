/* Reference answer to exercise 2.1. The server has its own, http_list_has_token() in
 * common/http_parse.c; this one stands alone, since your program links that file as
 * well (two definitions of one function would not link). */
#include "exercises.h"

#include <string.h>
#include <strings.h>

static int is_space_or_tab(char c)
{
    return c == ' ' || c == '\t';
}

int list_has_token(const char *value, const char *token)
{
    size_t token_length = strlen(token);
    const char *item = value;
    for (;;) {
        size_t length = strcspn(item, ","); /* up to the next comma, or the end */
        size_t start = 0;
        size_t end = length;
        while (start < end && is_space_or_tab(item[start]))
            start++;
        while (end > start && is_space_or_tab(item[end - 1]))
            end--;
        if (end - start == token_length &&
            strncasecmp(item + start, token, token_length) == 0)
            return 1;
        if (item[length] == '\0')
            return 0;
        item += length + 1; /* past the comma */
    }
}
