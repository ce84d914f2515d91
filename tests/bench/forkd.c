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
    int keep = strstr(head, " HTTP/1.1\r\n") != NULL ||
               strstr(head, "Keep-Alive") != NULL || strstr(head, "keep-alive") != NULL;
    static char out[16384 + 256];
    char name[256];
    if (sscanf(head, "GET /%255s", name) != 1 || strchr(name, '/') || strstr(name, ".."))
        return -1;
    int file = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW);
    struct stat st;
    if (file < 0 || fstat(file, &st) < 0 || st.st_size > 16384) {
        if (file >= 0)
            close(file);
        const char *missing = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
        return write(fd, missing, strlen(missing)) < 0 || !keep ? -1 : 0;
    }
    int n = snprintf(out, 256, "HTTP/1.1 200 OK\r\nContent-Length: %lld\r\n\r\n",
                     (long long)st.st_size);
    ssize_t got = read(file, out + n, (size_t)st.st_size);
    close(file);
    if (got != st.st_size)
        return -1;
    return write(fd, out, (size_t)n + (size_t)got) < 0 || !keep ? -1 : 0;
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
