/* Mistake: checks the length with "> NICK_MAX_BYTES + 1", counting room
 * for a NUL that a length-counted name does not have: 17 bytes pass. */
#include "exercises.h"

int nick_is_valid(const char *name, size_t length)
{
    if (length < 1 || length > NICK_MAX_BYTES + 1)
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
