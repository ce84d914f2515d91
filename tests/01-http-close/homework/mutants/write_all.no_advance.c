/* Mistake: after a short write it calls write() again from the start of buf, never
 * moving past the bytes already sent, so the reader gets the first bytes twice. */
#include "exercises.h"

#include <errno.h>
#include <unistd.h>

ssize_t write_all(int fd, const void *buf, size_t length)
{
    size_t done = 0;
    while (done < length) {
        ssize_t n = write(fd, buf, length - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        done += (size_t)n;
    }
    return (ssize_t)length;
}
