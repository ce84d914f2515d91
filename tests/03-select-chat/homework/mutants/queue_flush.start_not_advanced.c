/* Mistake: counts the bytes written but never moves start past them, so
 * every call writes the queue's first bytes again. */
#include "exercises.h"

#include <errno.h>
#include <unistd.h>

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
        written += (size_t)n;
        if (written >= q->end - q->start)
            break;
    }
    if (written >= q->end - q->start)
        q->start = q->end = 0;
    return (ssize_t)written;
}
