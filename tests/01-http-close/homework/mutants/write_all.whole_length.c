/* Mistake: moves the pointer on after a short write but still asks write() for the
 * whole length each time, so it writes past the end of buf. */
#include "exercises.h"

#include <errno.h>
#include <unistd.h>

ssize_t write_all(int fd, const void *buf, size_t length)
{
    const char *p = buf;
    size_t done = 0;
    while (done < length) {
        ssize_t n = write(fd, p + done, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        done += (size_t)n;
    }
    return (ssize_t)length;
}
