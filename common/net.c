/* net.c: see net.h. */
#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Resolve host and port for a stream socket; passive = for bind(). Returns 0 or -1
 * with `why` filled. errno is EINVAL for a name that does not resolve. */
static int resolve(const char *host, const char *port, int passive,
                   struct addrinfo **list, char *why, size_t why_size)
{
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC; /* IPv4 or IPv6, whichever the name gives */
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = passive ? AI_PASSIVE : 0;

    int rc = getaddrinfo(host, port, &hints, list);
    if (rc != 0) {
        int saved = (rc == EAI_SYSTEM) ? errno : EINVAL;
        snprintf(why, why_size, "cannot resolve %s port %s: %s", host ? host : "*", port,
                 rc == EAI_SYSTEM ? strerror(saved) : gai_strerror(rc));
        errno = saved;
        return -1;
    }
    return 0;
}

int net_listen(const char *host, const char *port, int backlog, char *why,
               size_t why_size)
{
    struct addrinfo *list;
    if (resolve(host, port, 1, &list, why, why_size) < 0)
        return -1;
    int fd = -1;
    int saved = 0;
    for (struct addrinfo *ai = list; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            snprintf(why, why_size, "socket: %s", strerror(saved));
            continue;
        }
        /* Without SO_REUSEADDR, restarting the server right after it served a client
         * fails with "Address already in use" while that old connection sits in
         * TIME_WAIT (up to a minute). */
        int one = 1;
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
            bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, backlog) < 0 ||
            net_set_nonblocking(fd, 1) < 0) {
            saved = errno;
            snprintf(why, why_size, "bind %s port %s: %s", host ? host : "*", port,
                     strerror(saved));
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(list);
    if (fd < 0)
        errno = saved; /* the caller may want to know why, not just what we said */
    return fd;
}

/* A signal interrupted connect(): the handshake goes on in the background, and calling
 * connect() again would fail with EALREADY. Wait until the socket is writable, then
 * ask the kernel how the handshake ended. */
static int finish_interrupted_connect(int fd)
{
    struct pollfd pfd = {.fd = fd, .events = POLLOUT};
    int rc;
    do
        rc = poll(&pfd, 1, -1);
    while (rc < 0 && errno == EINTR);
    if (rc < 0)
        return -1;
    int error = 0;
    socklen_t len = sizeof error;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0)
        return -1;
    if (error != 0) {
        errno = error;
        return -1;
    }
    return 0;
}

int net_connect(const char *host, const char *port, char *why, size_t why_size)
{
    struct addrinfo *list;
    if (resolve(host, port, 0, &list, why, why_size) < 0)
        return -1;

    int fd = -1;
    int saved = 0;
    for (struct addrinfo *ai = list; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            snprintf(why, why_size, "socket: %s", strerror(saved));
            continue;
        }
        int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
        if (rc < 0 && errno == EINTR)
            rc = finish_interrupted_connect(fd);
        if (rc == 0)
            break;
        saved = errno;
        snprintf(why, why_size, "connect %s port %s: %s", host, port, strerror(saved));
        close(fd);
        fd = -1;
    }
    freeaddrinfo(list);
    if (fd < 0)
        errno = saved;
    return fd;
}

int net_accept(int listen_fd)
{
    int fd = accept(listen_fd, NULL, NULL);
    if (fd >= 0)
        return fd;
    if (errno == EINTR || errno == ECONNABORTED || errno == EWOULDBLOCK) {
        errno = EAGAIN;
    } else if (errno == EMFILE || errno == ENFILE) {
        int saved = errno;
        struct timespec pause = {0, 100 * 1000 * 1000};
        nanosleep(&pause, NULL);
        errno = saved;
    }
    return -1;
}

int net_local_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return -1;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    errno = EAFNOSUPPORT;
    return -1;
}

/* Format a socket address as numeric host text (no DNS look-up). */
static int numeric_host(const struct sockaddr_storage *ss, socklen_t len, char *buf,
                        size_t size)
{
    int rc = getnameinfo((const struct sockaddr *)ss, len, buf, (socklen_t)size, NULL, 0,
                         NI_NUMERICHOST);
    if (rc != 0) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

int net_listen_url(int fd, const char *scheme, char *buf, size_t size)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char host[NET_ADDRSTRLEN];
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0 ||
        numeric_host(&ss, len, host, sizeof host) < 0)
        return -1;
    int port = net_local_port(fd);
    const char *format = ss.ss_family == AF_INET6 ? "%s://[%s]:%d/" : "%s://%s:%d/";
    int n = snprintf(buf, size, format, scheme, host, port);
    if (n < 0 || (size_t)n >= size) {
        errno = ENOSPC;
        return -1;
    }
    return 0;
}

int net_peer_address(int fd, char *buf, size_t size)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
        return -1;
    return numeric_host(&ss, len, buf, size);
}

int net_set_nonblocking(int fd, int on)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0)
        return -1;
    flags = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
    return fcntl(fd, F_SETFL, flags);
}
