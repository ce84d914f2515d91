/* queue.c: see queue.h. */
#include "queue.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int queue_append(struct queue *q, const void *bytes, size_t length)
{
    size_t waiting = q->end - q->start;
    if (length > QUEUE_CAPACITY - waiting)
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

ssize_t queue_flush(struct queue *q, int fd)
{
    size_t written = 0;
    while (q->start < q->end) {
        ssize_t n = write(fd, q->data + q->start, q->end - q->start);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break; /* the kernel's buffer is full: try again when select() says so */
        if (n < 0)
            return -1;
        if (n == 0) { /* write() of a non-empty buffer returned 0: never loop on it */
            errno = EIO;
            return -1;
        }
        q->start += (size_t)n;
        written += (size_t)n;
    }
    if (q->start == q->end)
        q->start = q->end = 0; /* empty: start again at the front, no memmove needed */
    return (ssize_t)written;
}
