/* Mistake: walks the name up to a NUL instead of length bytes, so
 * "a\0b" passes as "a" and a name without a NUL is read too far. */
#include "exercises.h"

int nick_is_valid(const char *name, size_t length)
{
    if (length < 1 || length > NICK_MAX_BYTES)
        return 0;
    for (size_t i = 0; name[i] != '\0'; i++) {
        char c = name[i];
        /* Spelled out rather than isalnum(): that one depends on the locale. */
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!ok)
            return 0;
    }
    return 1;
}
