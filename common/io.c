/* io.c: see io.h. */
#include "io.h"
#include "log.h" /* for LOG_RECEIVED only: io.c calls no log function itself */
#include "sig.h" /* io_wait sleeps with sig_sleep, so a stop signal ends any wait */

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

long long io_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int io_ms_until(long long deadline_ms)
{
    long long left = deadline_ms - io_now_ms();
    if (left < 0)
        return 0;
    return left > INT_MAX ? INT_MAX : (int)left;
}

int io_wait(int fd, int for_write, int timeout_ms)
{
    long long deadline = timeout_ms < 0 ? -1 : io_now_ms() + timeout_ms;
    for (;;) {
        /* The stop signals are blocked except while sig_sleep sleeps, so one that
         * arrives after this test is still pending then, and wakes it at once. */
        if (sig_stop_requested) {
            errno = EINTR;
            return -1;
        }
        int rc = sig_sleep(fd, for_write, timeout_ms);
        if (rc >= 0)
            /* a hang-up or an error counts as ready: the next call says why */
            return rc > 0;
        if (errno != EINTR)
            return -1;
        if (deadline >= 0)
            timeout_ms = io_ms_until(deadline);
    }
}

ssize_t io_write_all(int fd, const void *buf, size_t len, int timeout_ms)
{
    const char *p = buf;
    size_t left = len;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n > 0) {
            p += n;
            left -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            /* The send buffer is full: wait until the peer reads some of it. */
            int ready = io_wait(fd, 1, timeout_ms);
            if (ready < 0)
                return -1;
            if (ready == 0) {
                errno = ETIMEDOUT;
                return -1;
            }
            continue;
        }
        if (n == 0)
            errno = EIO; /* write() returned 0 for a non-empty buffer: never loop on it */
        return -1;
    }
    return (ssize_t)len;
}

/* close() on a socket with unread received bytes makes the kernel send a reset
 * (RST) instead of a normal end, and a reset can destroy our response before the
 * client has read it: the client's kernel throws away data it has not delivered yet.
 * So we send our end-of-stream first, then drain what the client still sends,
 * briefly, and only then close. */
void io_linger(int fd, int timeout_ms, size_t max_bytes)
{
    char sink[4096];
    size_t drained = 0;
    long long deadline = io_now_ms() + timeout_ms;
    if (shutdown(fd, SHUT_WR) < 0)
        return; /* not connected any more: nothing to drain */
    while (drained < max_bytes) {
        /* After a stop signal io_wait() would give up at once: then drain only what
         * has already arrived, without waiting, so the peer still gets a clean end. */
        int ready = sig_stop_requested ? sig_sleep(fd, 0, 0)
                                       : io_wait(fd, 0, io_ms_until(deadline));
        if (ready <= 0)
            break;
        ssize_t n = read(fd, sink, sizeof sink);
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
            continue;
        if (n <= 0)
            break; /* the client closed too (or reset): done */
        drained += (size_t)n;
    }
}

void io_reader_init(struct io_reader *r, int fd)
{
    r->fd = fd;
    r->trace = NULL;
    r->start = 0;
    r->end = 0;
}

char *io_reader_bytes(struct io_reader *r)
{
    return r->data + r->start;
}

size_t io_reader_length(const struct io_reader *r)
{
    return r->end - r->start;
}

void io_reader_consume(struct io_reader *r, size_t n)
{
    r->start += n;
    if (r->start == r->end) /* empty: start again at the front, for free */
        r->start = r->end = 0;
}

/* Make room at the end by moving the unconsumed bytes to the front. */
static void compact(struct io_reader *r)
{
    size_t length = io_reader_length(r);
    memmove(r->data, r->data + r->start, length);
    r->start = 0;
    r->end = length;
}

ssize_t io_reader_fill(struct io_reader *r, long long deadline_ms)
{
    if (r->end == sizeof r->data)
        compact(r);
    if (r->end == sizeof r->data) {
        errno = ENOBUFS;
        return -1;
    }
    for (;;) {
        if (deadline_ms >= 0) {
            int ready = io_wait(r->fd, 0, io_ms_until(deadline_ms));
            if (ready < 0)
                return -1;
            if (ready == 0) {
                errno = ETIMEDOUT;
                return -1;
            }
        }
        ssize_t n = read(r->fd, r->data + r->end, sizeof r->data - r->end);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && deadline_ms >= 0)
            continue; /* poll said readable but the data went elsewhere: wait again */
        if (n > 0) {
            if (r->trace != NULL)
                r->trace(r->fd, LOG_RECEIVED, r->data + r->end, (size_t)n);
            r->end += (size_t)n;
        }
        return n;
    }
}

int io_find_line(const char *bytes, size_t length, size_t from, size_t max_length,
                 struct io_line *line)
{
    const char *lf = memchr(bytes + from, '\n', length - from);
    if (lf == NULL)
        /* max_length bytes, a CR and the LF: past that, no ending can save the line. */
        return length - from >= max_length + 2 ? IO_TOO_LONG : IO_INCOMPLETE;
    size_t end = (size_t)(lf - bytes);
    line->offset = from;
    line->next = end + 1;
    if (end > from && bytes[end - 1] == '\r')
        end--;
    line->length = end - from;
    return line->length > max_length ? IO_TOO_LONG : IO_OK;
}

int io_read_line(struct io_reader *r, size_t from, size_t max_length,
                 long long deadline_ms, struct io_line *line)
{
    for (;;) {
        int rc =
            io_find_line(io_reader_bytes(r), io_reader_length(r), from, max_length, line);
        if (rc != IO_INCOMPLETE)
            return rc;
        ssize_t n = io_reader_fill(r, deadline_ms);
        if (n == 0)
            return IO_EOF;
        if (n < 0)
            return IO_ERROR;
    }
}
