/* Mistake: one write() call, trusting it to take everything; a short write's count
 * is returned as if the job were done. */
#include "exercises.h"

#include <errno.h>
#include <unistd.h>

ssize_t write_all(int fd, const void *buf, size_t length)
{
    ssize_t n;
    do {
        n = write(fd, buf, length);
    } while (n < 0 && errno == EINTR);
    return n;
}
