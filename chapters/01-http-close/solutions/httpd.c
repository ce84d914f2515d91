/* httpd.c: chapter 1's homework, solved: an HTTP/1.0 server that answers one request
 * per connection and closes, written with the C library and the five exercises only.
 *
 * It is the skeleton in ../exercises/httpd.c with every TODO filled in. Read it after
 * you have tried: the stages (make homework CH=1) say what each piece must do.
 */
/* realpath() is POSIX, but glibc declares it only when the X/Open (XSI) interfaces
 * are asked for. */
/* NOLINTNEXTLINE(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#define _XOPEN_SOURCE 700
#include "exercises.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define PROGRAM_NAME         "httpd"
#define DEFAULT_ADDRESS      "127.0.0.1"
#define DEFAULT_PORT         "8001"
#define DEFAULT_TIMEOUT_SECS 5
#ifndef DEFAULT_ROOT
#define DEFAULT_ROOT "www"
#endif

#define MAX_REQUEST_LINE 8192  /* bytes, without the line ending; else 414 */
#define MAX_HEADER_BYTES 16384 /* header lines with their endings; else 431 */
#define MAX_HEADERS      100   /* header lines; else 431 */
#define MAX_HEAD         (MAX_REQUEST_LINE + 2 + MAX_HEADER_BYTES + 2)
#define LISTEN_BACKLOG   4096 /* see the book: "The backlog" */
#define TOKEN_CHARS                                                                      \
    "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int signo)
{
    (void)signo;
    stop_requested = 1;
}

/* ---- Listening ---------------------------------------------------------------- */

/* A listening TCP socket on address:port, or -1. */
static int open_listener(const char *address, const char *port)
{
    struct addrinfo hints = {0}, *found;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    if (getaddrinfo(address, port, &hints, &found) != 0)
        return -1;
    int fd = socket(found->ai_family, found->ai_socktype, found->ai_protocol);
    int on = 1;
    if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0 ||
                    bind(fd, found->ai_addr, found->ai_addrlen) < 0 ||
                    listen(fd, LISTEN_BACKLOG) < 0)) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(found);
    return fd;
}

/* "httpd: listening on http://127.0.0.1:PORT/", with the port the system picked. */
static void print_start_line(int fd, const char *address)
{
    struct sockaddr_storage local;
    socklen_t length = sizeof local;
    char port[16] = "?";
    if (getsockname(fd, (struct sockaddr *)&local, &length) == 0)
        getnameinfo((struct sockaddr *)&local, length, NULL, 0, port, sizeof port,
                    NI_NUMERICSERV);
    int ipv6 = strchr(address, ':') != NULL;
    printf("%s: listening on http://%s%s%s:%s/\n", PROGRAM_NAME, ipv6 ? "[" : "", address,
           ipv6 ? "]" : "", port);
    fflush(stdout);
}

/* ---- Reading a request -------------------------------------------------------- */

/* Where the head ends (after its empty line) in buf, or NULL. Lines may end in CRLF
 * or a bare LF. */
static char *find_head_end(char *buf)
{
    for (char *p = strchr(buf, '\n'); p != NULL; p = strchr(p + 1, '\n')) {
        if (p[1] == '\n')
            return p + 2;
        if (p[1] == '\r' && p[2] == '\n')
            return p + 3;
    }
    return NULL;
}

/* Read the request head into buf (NUL-terminated), across as many read() calls as it
 * takes, within timeout_secs. Returns 0, a status to answer (414, 431), or -1 to
 * close without answering (the client left or was too slow). */
static int read_head(int fd, char *buf, int timeout_secs)
{
    size_t used = 0;
    time_t deadline = time(NULL) + timeout_secs;
    buf[0] = '\0';
    for (;;) {
        if (strcspn(buf, "\r\n") > MAX_REQUEST_LINE)
            return 414;
        if (find_head_end(buf) != NULL)
            return 0;
        if (used == MAX_HEAD)
            return 431;
        struct pollfd ready = {.fd = fd, .events = POLLIN};
        int left_ms = (int)(deadline - time(NULL)) * 1000;
        if (left_ms <= 0 || poll(&ready, 1, left_ms) <= 0)
            return -1; /* timed out, or a stop signal */
        ssize_t n = read(fd, buf + used, MAX_HEAD - used);
        if (n <= 0)
            return -1;
        used += (size_t)n;
        buf[used] = '\0';
        if (memchr(buf, '\0', used) != NULL)
            return 400; /* a NUL byte in the head */
    }
}

/* Check the header lines after the request line: each "name: value", the name a
 * token, a CR only before the LF. Returns 0, 431 or 400. */
static int check_headers(char *headers)
{
    size_t count = 0, bytes = 0;
    for (char *line = headers; *line != '\r' && *line != '\n';) {
        size_t length = strcspn(line, "\n") + 1;
        bytes += length;
        if (++count > MAX_HEADERS || bytes > MAX_HEADER_BYTES)
            return 431;
        size_t name = strspn(line, TOKEN_CHARS);
        char *cr = memchr(line, '\r', length);
        if (name == 0 || line[name] != ':' || (cr != NULL && cr != line + length - 2))
            return 400;
        line += length;
    }
    return 0;
}

/* ---- Answering ---------------------------------------------------------------- */

static const char *reason(int status)
{
    static const struct {
        int status;
        const char *text;
    } reasons[] = {{200, "OK"},
                   {301, "Moved Permanently"},
                   {400, "Bad Request"},
                   {403, "Forbidden"},
                   {404, "Not Found"},
                   {405, "Method Not Allowed"},
                   {414, "URI Too Long"},
                   {431, "Request Header Fields Too Large"},
                   {501, "Not Implemented"},
                   {505, "HTTP Version Not Supported"}};
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (reasons[i].status == status)
            return reasons[i].text;
    return "Internal Server Error";
}

/* Write the status line and the headers every response has, then extra (more header
 * lines, or ""). */
static int send_head(int fd, int status, const char *type, long long length,
                     const char *extra)
{
    char date[64], head[PATH_MAX + 512]; /* room for any Location */
    time_t now = time(NULL);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", gmtime(&now));
    int n = snprintf(head, sizeof head,
                     "HTTP/1.0 %d %s\r\nDate: %s\r\nServer: %s\r\nContent-Type: %s\r\n"
                     "Content-Length: %lld\r\n%sConnection: close\r\n\r\n",
                     status, reason(status), date, PROGRAM_NAME, type, length, extra);
    if (n < 0 || (size_t)n >= sizeof head)
        return -1;
    return write_all(fd, head, (size_t)n) == n ? 0 : -1;
}

/* An error (or a redirect) with a short HTML body. */
static void send_status(int fd, int status, const char *extra, int with_body)
{
    char body[256];
    int n =
        snprintf(body, sizeof body, "<!DOCTYPE html><title>%d %s</title><h1>%d %s</h1>\n",
                 status, reason(status), status, reason(status));
    if (send_head(fd, status, "text/html; charset=utf-8", n, extra) == 0 && with_body)
        write_all(fd, body, (size_t)n);
}

/* Send the open file's bytes, piece by piece. */
static void send_body(int fd, int file)
{
    char piece[64 * 1024];
    ssize_t n;
    while ((n = read(file, piece, sizeof piece)) > 0)
        if (write_all(fd, piece, (size_t)n) < 0)
            return; /* the client left, or stalled past -t: nothing more to do */
}

/* From target to a file under root: returns 0 with *file open, *info and *type
 * filled, or a status (400, 414, 403, 404, 301 with location filled). */
static int find_file(const char *root, char *target, int *file, struct stat *info,
                     const char **type, char *location, size_t location_size)
{
    static char slash[] = "/";
    /* A decoded path of PATH_MAX bytes is allowed (its NUL makes PATH_MAX + 1); with
     * the root in front (and index.html) the whole may be longer: realpath() then
     * finds no such file. */
    char decoded[PATH_MAX + 1], clean[PATH_MAX + 1], path[2 * PATH_MAX + 16],
        real[PATH_MAX], real_root[PATH_MAX];
    if (strncmp(target, "http://", 7) == 0) { /* absolute-form: skip the host */
        char *path_part = strchr(target + 7, '/');
        target = path_part != NULL ? path_part : slash;
    }
    if (target[0] != '/')
        return 400;
    int status = percent_decode(target, strcspn(target, "?"), decoded, sizeof decoded);
    if (status == 0)
        status = remove_dot_segments(decoded, clean, sizeof clean);
    if (status != 0)
        return status;
    snprintf(path, sizeof path, "%s%s", root, clean);
    if (stat(path, info) == 0 && S_ISDIR(info->st_mode)) {
        if (path[strlen(path) - 1] != '/') {
            snprintf(location, location_size, "Location: %s/\r\n", clean);
            return 301;
        }
        snprintf(path, sizeof path, "%s%sindex.html", root, clean);
        if (stat(path, info) < 0)
            return 403; /* a directory without index.html: we list no directories */
    }
    /* Symlinks may point anywhere: the real path must still be under the real root. */
    if (realpath(path, real) == NULL)
        return errno == ENOENT || errno == ENOTDIR || errno == ENAMETOOLONG ? 404 : 403;
    if (realpath(root, real_root) == NULL)
        return 403;
    size_t root_length = strlen(real_root);
    if (strncmp(real, real_root, root_length) != 0 ||
        (real[root_length] != '/' && real[root_length] != '\0'))
        return 403;
    *file = open(real, O_RDONLY | O_NONBLOCK); /* a FIFO must not block us */
    if (*file < 0)
        return errno == ENOENT ? 404 : 403;
    if (fstat(*file, info) < 0 || !S_ISREG(info->st_mode)) {
        close(*file);
        return 403;
    }
    *type = mime_type(real);
    return 0;
}

/* Answer one request on fd. */
static void serve(int fd, const char *root, int timeout_secs)
{
    static char head[MAX_HEAD + 1];
    int status = read_head(fd, head, timeout_secs);
    if (status < 0)
        return;
    char *line = head;
    struct request_line request = {0};
    if (status == 0) {
        char *headers = line + strcspn(line, "\n") + 1;
        line[strcspn(line, "\r\n")] = '\0';
        status = parse_request_line(line, &request);
        if (status == 0)
            status = check_headers(headers);
    }
    int with_body = request.method == NULL || strcmp(request.method, "HEAD") != 0;
    char location[PATH_MAX + 16] = "";
    int file = -1;
    struct stat info;
    const char *type = NULL;
    if (status == 0)
        status = find_file(root, request.target, &file, &info, &type, location,
                           sizeof location);
    if (status != 0) {
        send_status(fd, status, status == 405 ? "Allow: GET, HEAD\r\n" : location,
                    with_body);
        return;
    }
    char modified[96];
    strftime(modified, sizeof modified, "Last-Modified: %a, %d %b %Y %H:%M:%S GMT\r\n",
             gmtime(&info.st_mtime));
    if (send_head(fd, 200, type, (long long)info.st_size, modified) == 0 && with_body)
        send_body(fd, file);
    close(file);
}

/* Close without losing the response: stop sending (FIN), then read what the client
 * still sends for a moment, so that closing with unread bytes does not reset the
 * connection before the client has read our answer. */
static void close_gently(int fd)
{
    char drain[4096];
    shutdown(fd, SHUT_WR);
    struct pollfd ready = {.fd = fd, .events = POLLIN};
    for (int rounds = 0; rounds < 64 && poll(&ready, 1, 500) > 0; rounds++)
        if (read(fd, drain, sizeof drain) <= 0)
            break;
    close(fd);
}

/* The accept loop: one client at a time, until a stop signal. */
static void serve_clients(int listener, const char *root, int timeout_secs)
{
    while (!stop_requested) {
        int fd = accept(listener, NULL, NULL);
        if (fd < 0)
            continue; /* EINTR (a signal: the loop checks why), or a client gone already
                       */
        /* -t also bounds a write to a client that stopped reading. */
        struct timeval limit = {.tv_sec = timeout_secs};
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
        serve(fd, root, timeout_secs);
        close_gently(fd);
    }
}

/* ---- main ---------------------------------------------------------------------- */

static void usage(FILE *out)
{
    fprintf(out, "usage: %s [-b ADDR] [-p PORT] [-d DIR] [-t SECS] [-v]\n", PROGRAM_NAME);
}

int main(int argc, char **argv)
{
    const char *address = DEFAULT_ADDRESS, *port = DEFAULT_PORT, *root = DEFAULT_ROOT;
    int timeout_secs = DEFAULT_TIMEOUT_SECS, opt;
    char *end;
    while ((opt = getopt(argc, argv, "b:p:d:t:vh")) != -1) {
        switch (opt) {
        case 'b':
            address = optarg;
            break;
        case 'p':
            port = optarg;
            if (port[0] == '\0' || strspn(port, "0123456789") != strlen(port) ||
                strtol(port, NULL, 10) > 65535) {
                fprintf(stderr, "%s: -p wants a port (0-65535)\n", PROGRAM_NAME);
                return 2;
            }
            break;
        case 'd':
            root = optarg;
            break;
        case 't':
            timeout_secs = (int)strtol(optarg, &end, 10);
            if (*end != '\0' || timeout_secs < 1 || timeout_secs > 3600) {
                fprintf(stderr, "%s: -t wants seconds (1-3600)\n", PROGRAM_NAME);
                return 2;
            }
            break;
        case 'v':
            break; /* the wire trace is left out of the homework */
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    struct stat root_info;
    if (stat(root, &root_info) < 0 || !S_ISDIR(root_info.st_mode)) {
        fprintf(stderr, "%s: %s: not a directory\n", PROGRAM_NAME, root);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN); /* a client that left: write() fails with EPIPE instead */
    struct sigaction stop = {.sa_handler = on_stop_signal}; /* no SA_RESTART: accept() */
    sigaction(SIGINT, &stop, NULL);                         /* returns EINTR, we see */
    sigaction(SIGTERM, &stop, NULL);                        /* stop_requested */

    int listener = open_listener(address, port);
    if (listener < 0) {
        fprintf(stderr, "%s: cannot listen on %s port %s: %s\n", PROGRAM_NAME, address,
                port, strerror(errno));
        return 1;
    }
    print_start_line(listener, address);
    serve_clients(listener, root, timeout_secs);
    close(listener);
    return 0;
}
