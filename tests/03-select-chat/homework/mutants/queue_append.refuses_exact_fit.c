/* Mistake: refuses when the bytes would fill the queue exactly
 * (">=" instead of ">"), wasting the last byte of the bound. */
#include "exercises.h"

#include <string.h>

int queue_append(struct queue *q, const void *bytes, size_t length)
{
    size_t waiting = q->end - q->start;
    if (length >= QUEUE_CAPACITY - waiting)
        return -1; /* the bound: the caller decides what to do with such a client */
    if (length > QUEUE_CAPACITY - q->end) {
        /* Room exists, but part of it is before start: slide the waiting bytes down. */
        memmove(q->data, q->data + q->start, waiting);
        q->start = 0;
        q->end = waiting;
    }
    memcpy(q->data + q->end, bytes, length);
    q->end += length;
    return 0;
}
