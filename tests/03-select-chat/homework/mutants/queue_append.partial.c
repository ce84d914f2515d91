/* Mistake: copies what fits and then returns -1, so a client gets half a
 * line, and the next line is glued to it. */
#include "exercises.h"

#include <string.h>

int queue_append(struct queue *q, const void *bytes, size_t length)
{
    size_t waiting = q->end - q->start;
    int refused = 0;
    if (length > QUEUE_CAPACITY - waiting) {
        length = QUEUE_CAPACITY - waiting;
        refused = 1;
    }
    if (length > QUEUE_CAPACITY - q->end) {
        /* Room exists, but part of it is before start: slide the waiting bytes down. */
        memmove(q->data, q->data + q->start, waiting);
        q->start = 0;
        q->end = waiting;
    }
    memcpy(q->data + q->end, bytes, length);
    q->end += length;
    return refused ? -1 : 0;
}
