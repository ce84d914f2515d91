/* Mistake: handles short writes but treats EINTR as a real error, so a signal that
 * arrives while write() waits for room aborts the whole response. */
#include "exercises.h"

#include <unistd.h>

ssize_t write_all(int fd, const void *buf, size_t length)
{
    const char *p = buf;
    size_t left = length;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0)
            return -1;
        p += n;
        left -= (size_t)n;
    }
    return (ssize_t)length;
}
