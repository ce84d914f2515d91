/* Mistake: checks only the upper bound of the length, so an empty nick
 * is valid and "/nick " renames you to nothing. */
#include "exercises.h"

int nick_is_valid(const char *name, size_t length)
{
    if (length > NICK_MAX_BYTES)
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
