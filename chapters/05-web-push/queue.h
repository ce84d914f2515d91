/* queue.h: a bounded output queue, the bytes a client has not taken yet.
 *
 * Chapter 3's file, copied unchanged: a chapter links only common/ and the C
 * library, never another chapter (DESIGN.md §2), and these are chapter 3's lesson
 * and homework, so they stay in its folder rather than move to common/.
 *
 * A non-blocking write() takes only what fits in the kernel's send buffer. Whatever
 * it does not take must wait somewhere, and it must not wait forever or grow without
 * end: a client that stops reading would make us hold every line the room says. So
 * each client gets a queue of at most QUEUE_CAPACITY bytes; a line that does not fit
 * is refused, and the server drops that client instead of stalling or ballooning.
 *
 * The bytes waiting are data[start .. end-1]. This module depends on the C library
 * only (it is also exercises 3.4 and 3.5).
 */
#ifndef QUEUE_H
#define QUEUE_H

#include <stddef.h>
#include <sys/types.h>

#define QUEUE_CAPACITY (64 * 1024)

struct queue {
    size_t start; /* first byte not yet written */
    size_t end;   /* one past the last byte queued */
    char data[QUEUE_CAPACITY];
};

/* Append length bytes, all or nothing: moves the waiting bytes to the front of data
 * when that makes room. Returns 0, or -1 when they do not fit (the queue is then
 * unchanged). */
int queue_append(struct queue *q, const void *bytes, size_t length);

/* Write as much of the queue to the non-blocking descriptor fd as the kernel takes
 * now, retrying after EINTR, and drop what was written from the queue (only start
 * moves: the bytes written stay readable at their old place until the next append).
 * Returns the number of bytes written (0 when the kernel took none: EAGAIN), or -1
 * with errno on a real error such as EPIPE or ECONNRESET. */
ssize_t queue_flush(struct queue *q, int fd);

#endif
