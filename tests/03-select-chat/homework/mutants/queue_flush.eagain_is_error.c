/* Mistake: treats EAGAIN as an error, so a client whose socket buffer is
 * merely full, for now, is dropped as if it had gone. */
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
