/* Exercise 5.1: see exercises.h and book/05-web-push.md, "The WebSocket upgrade". */
#include "exercises.h"

#include <stdint.h>
#include <string.h>

int sha1_digest(const void *data, size_t length, unsigned char digest[20])
{
    /* TODO: pad, then 80 rounds per 64-byte block (FIPS 180-4 §6.1). */
    (void)data;
    (void)length;
    (void)digest;
    return EXERCISE_NOT_STARTED;
}
