/* Mistake: checks letters with one range from 'A' to 'z', which also lets
 * through the six characters between Z and a: [ \\ ] ^ _ `. */
#include "exercises.h"

int nick_is_valid(const char *name, size_t length)
{
    if (length < 1 || length > NICK_MAX_BYTES)
        return 0;
    for (size_t i = 0; i < length; i++) {
        char c = name[i];
        /* Spelled out rather than isalnum(): that one depends on the locale. */
        int ok = (c >= 'A' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!ok)
            return 0;
    }
    return 1;
}
