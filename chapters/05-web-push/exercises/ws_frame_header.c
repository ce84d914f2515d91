/* Exercise 5.4: see exercises.h and book/05-web-push.md, "Frames and masking". */
#include "exercises.h"

int ws_frame_header(const unsigned char *bytes, size_t length,
                    struct ws_frame_header *out)
{
    /* TODO: two bytes, then 0, 2 or 8 bytes of length, then 0 or 4 of mask. */
    (void)bytes;
    (void)length;
    (void)out;
    return EXERCISE_NOT_STARTED;
}
