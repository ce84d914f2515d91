/* Reference answer to exercise 3.3: nick_is_valid(), the same code chatd runs from
 * ../commands.c, copied here because your program is built from your own files: the
 * chapter's lesson is not a library you may link. */
#include "exercises.h"

int nick_is_valid(const char *name, size_t length)
{
    if (length < 1 || length > NICK_MAX_BYTES)
        return 0;
    for (size_t i = 0; i < length; i++) {
        char c = name[i];
        /* Spelled out rather than isalnum(): that one depends on the locale. */
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!ok)
            return 0;
    }
    return 1;
}
