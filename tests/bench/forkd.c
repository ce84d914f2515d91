/* forkd.c: a ceiling for `make bench SECTION=2`, NOT part of the lesson.
 *
 * The least a fork-per-connection keep-alive server can do: accept, fork, and in the
 * child answer GET requests for files in one directory until the client closes. No
 * checks beyond the bare minimum (a name without '/' or "..", opened with
 * O_NOFOLLOW), no limits, no timeouts, no log, no HEAD, no errors beyond 404: it
 * shows how fast chapter 2's model could go, so that the bench can tell the cost of
 * the model from the cost of chapter 2's care. Never serve anything with it.
 *
 *   forkd DIR      prints "forkd: listening on http://127.0.0.1:PORT/" (a free port)
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int dir_fd;

/* Answer one request head (NUL-terminated) on fd. Returns 0 to go on, or -1 to hang
 * up: after an error, and after an HTTP/1.0 request that did not ask to keep the
 * connection (ab without -k reads until we close). */
static int answer(int fd, char *head)
{
    static char out[65536];
    char name[256];
    int http10 = strstr(head, " HTTP/1.0\r\n") != NULL;
    int keep = !http10 || strstr(head, "Keep-Alive") != NULL ||
               strstr(head, "keep-alive") != NULL;
    const char *connection = !keep    ? "Connection: close\r\n"
                             : http10 ? "Connection: keep-alive\r\n"
                                      : "";
    if (sscanf(head, "GET /%255s", name) != 1 || strchr(name, '/') || strstr(name, ".."))
        return -1;
    int file = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW);
    struct stat st;
    if (file < 0 || fstat(file, &st) < 0) {
        if (file >= 0)
            close(file);
        int n =
            snprintf(out, sizeof out,
                     "HTTP/1.1 404 Not Found\r\n%sContent-Length: 0\r\n\r\n", connection);
        return write(fd, out, (size_t)n) < 0 || !keep ? -1 : 0;
    }
    /* The head and the first piece of the file in one write, the rest as it comes. */
    size_t used = (size_t)snprintf(out, sizeof out,
                                   "HTTP/1.1 200 OK\r\n%sContent-Length: %lld\r\n\r\n",
                                   connection, (long long)st.st_size);
    ssize_t got;
    while ((got = read(file, out + used, sizeof out - used)) > 0) {
        used += (size_t)got;
        for (size_t done = 0; done < used;) {
            ssize_t n = write(fd, out + done, used - done);
            if (n <= 0) {
                close(file);
                return -1;
            }
            done += (size_t)n;
        }
        used = 0;
    }
    close(file);
    return used > 0 || !keep ? -1 : 0; /* used > 0: the file did not read */
}

/* The child: requests until the client closes (pipelined ones too). */
static void serve(int fd)
{
    char buf[65536];
    size_t used = 0;
    for (;;) {
        ssize_t n = read(fd, buf + used, sizeof buf - 1 - used);
        if (n <= 0)
            return;
        used += (size_t)n;
        buf[used] = '\0';
        char *end;
        while ((end = strstr(buf, "\r\n\r\n")) != NULL) {
            end[2] = '\0';
            if (answer(fd, buf) < 0)
                return;
            size_t rest = used - (size_t)(end + 4 - buf);
            memmove(buf, end + 4, rest + 1);
            used = rest;
        }
        if (used == sizeof buf - 1)
            return;
    }
}

int main(int argc, char **argv)
{
    if (argc != 2 || (dir_fd = open(argv[1], O_RDONLY)) < 0) {
        fprintf(stderr, "usage: forkd DIR\n");
        return 2;
    }
    signal(SIGCHLD, SIG_IGN); /* children are reaped by the kernel */
    signal(SIGPIPE, SIG_IGN);
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof addr;
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0 ||
        listen(listener, 4096) < 0 ||
        getsockname(listener, (struct sockaddr *)&addr, &length) < 0) {
        perror("forkd");
        return 1;
    }
    printf("forkd: listening on http://127.0.0.1:%d/\n", ntohs(addr.sin_port));
    fflush(stdout);
    for (;;) {
        int fd = accept(listener, NULL, NULL);
        if (fd < 0)
            continue;
        if (fork() == 0) {
            close(listener);
            serve(fd);
            _exit(0);
        }
        close(fd);
    }
}
