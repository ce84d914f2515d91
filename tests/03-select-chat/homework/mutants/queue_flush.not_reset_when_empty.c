/* Mistake: never sets start and end back to 0 when the queue empties, so
 * the free room is all before start and appends soon have to move bytes. */
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
        q->start += (size_t)n;
        written += (size_t)n;
    }
    return (ssize_t)written;
}
