/* Reference answer to exercise 1.1. The server's own write_all() in ../httpd.c does
 * the same and more: its sockets are non-blocking, so it also waits on EAGAIN, at
 * most -t seconds (common/io.c's io_write_all() likewise, with a timeout). */
#include "exercises.h"

#include <errno.h>
#include <unistd.h>

ssize_t write_all(int fd, const void *buf, size_t length)
{
    const char *data = buf;
    size_t left = length;
    while (left > 0) {
        ssize_t n = write(fd, data, left);
        if (n > 0) { /* maybe fewer than asked for: move on past them */
            data += n;
            left -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue; /* a signal came first, nothing was written: again */
        if (n == 0)
            errno = EIO; /* took nothing from a non-empty buffer: never loop */
        return -1;
    }
    return (ssize_t)length;
}
