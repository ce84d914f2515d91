/* Reference answer to exercise 4.1: one timed exchange, the shape of compare's ch1
 * loop in ../roundtrip.c (compare itself goes through tool/conn.c, which also counts
 * bytes and TCP segments and parses the answer, and keeps one connection open for
 * chapters 2 and 3). */
#include "exercises.h"

#include <errno.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t); /* never jumps, unlike the wall clock */
    return (double)t.tv_sec * 1000 + (double)t.tv_nsec / 1e6;
}

/* Connect to the first address of list that answers. Returns the socket or -1. */
static int connect_to_any(const struct addrinfo *list)
{
    int fd = -1;
    for (const struct addrinfo *ai = list; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
            int saved = errno;
            close(fd);
            errno = saved;
            fd = -1;
        }
    }
    return fd;
}

static int send_all(int fd, const char *data, size_t length)
{
    while (length > 0) {
        ssize_t n = write(fd, data, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n;
        length -= (size_t)n;
    }
    return 0;
}

/* Read until the server closes: keep the first reply_size bytes, count them all. */
static long read_to_close(int fd, char *reply, size_t reply_size)
{
    char piece[4096];
    long total = 0;
    for (;;) {
        ssize_t n = read(fd, piece, sizeof piece);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            return total; /* the close: the reply is complete */
        if ((size_t)total < reply_size) {
            size_t room = reply_size - (size_t)total;
            memcpy(reply + total, piece, (size_t)n < room ? (size_t)n : room);
        }
        total += n;
    }
}

long round_trip(const char *host, const char *port, const void *request,
                size_t request_length, char *reply, size_t reply_size, double *elapsed_ms)
{
    struct addrinfo hints, *list;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &list) != 0)
        return -1;
    double started = now_ms(); /* the connection is part of what a request costs */
    int fd = connect_to_any(list);
    freeaddrinfo(list);
    if (fd < 0)
        return -1;
    long total = -1;
    if (send_all(fd, request, request_length) == 0)
        total = read_to_close(fd, reply, reply_size);
    double finished = now_ms();
    close(fd);
    if (total >= 0)
        *elapsed_ms = finished - started;
    return total;
}
