/* Mistake: moves the unwritten bytes to the front after every write
 * (memmove), costing a copy of the whole queue for each partial write. */
#include "exercises.h"

#include <errno.h>
#include <string.h>
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
        memmove(q->data, q->data + q->start, q->end - q->start);
        q->end -= q->start;
        q->start = 0;
    }
    if (q->start == q->end)
        q->start = q->end = 0; /* empty: start again at the front, no memmove needed */
    return (ssize_t)written;
}
