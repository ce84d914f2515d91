/* httpd.c: your own HTTP/1.0 server, chapter 1's homework. It answers one request
 * per connection and closes, written with the C library and your five exercises.
 *
 * This skeleton compiles and runs: main(), the flags, the start line and the pieces
 * that are not the chapter's lesson are written. Each TODO is yours, in the order of
 * the stages (exercises.h lists them): `make homework CH=1` says what to do next.
 * ../solutions/httpd.c is one way to do it; try first.
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

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int signo)
{
    (void)signo;
    stop_requested = 1;
}

/* ---- Listening ---------------------------------------------------------------- */

/* A listening TCP socket on address:port, or -1 with errno set. */
static int open_listener(const char *address, const char *port)
{
    /* TODO (stage 1.s1): getaddrinfo() the address and port (AI_PASSIVE), socket(),
     * setsockopt(SO_REUSEADDR), bind(), listen(LISTEN_BACKLOG); return the socket. */
    (void)address;
    (void)port;
    errno = ENOSYS;
    return -1;
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

/* Read the request head into buf (at most MAX_HEAD bytes, then a NUL), across as many
 * read() calls as it takes, within timeout_secs. Returns 0, a status to answer (414
 * for a request line over MAX_REQUEST_LINE, 431 for a head that does not fit), or -1
 * to close without answering (the client left, or was too slow). */
static int read_head(int fd, char *buf, int timeout_secs)
{
    /* TODO (stage 1.s2, then 1.s6 and 1.s7): read() until the head's empty line
     * ("\r\n\r\n", or "\n\n" from nc) has arrived; poll() before each read() with
     * what is left of the deadline. */
    (void)fd;
    (void)timeout_secs;
    buf[0] = '\0';
    return -1;
}

/* Check the header lines after the request line: each "name: value". Returns 0, 431
 * or 400. */
static int check_headers(char *headers)
{
    size_t count = 0, bytes = 0;
    for (char *line = headers; *line != '\r' && *line != '\n';) {
        size_t length = strcspn(line, "\n") + 1;
        bytes += length;
        if (++count > MAX_HEADERS || bytes > MAX_HEADER_BYTES)
            return 431;
        char *colon = memchr(line, ':', length);
        if (colon == NULL || colon == line ||
            strcspn(line, " \t") < (size_t)(colon - line))
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
    char date[64], head[1024];
    time_t now = time(NULL);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", gmtime(&now));
    int n = snprintf(head, sizeof head,
                     "HTTP/1.0 %d %s\r\nDate: %s\r\nServer: %s\r\nContent-Type: %s\r\n"
                     "Content-Length: %lld\r\n%sConnection: close\r\n\r\n",
                     status, reason(status), date, PROGRAM_NAME, type, length, extra);
    return write_all(fd, head, (size_t)n) == n ? 0 : -1;
}

/* An error (or a redirect) with a short HTML body. */
static void send_status(int fd, int status, const char *extra, int with_body)
{
    char body[256];
    int n =
        snprintf(body, sizeof body, "<!doctype html><title>%d</title><h1>%d %s</h1>\n",
                 status, status, reason(status));
    if (send_head(fd, status, "text/html; charset=utf-8", n, extra) == 0 && with_body)
        write_all(fd, body, (size_t)n);
}

/* Send the open file's bytes, piece by piece. */
static void send_body(int fd, int file)
{
    /* TODO (stage 1.s4, then 1.s6): read() the file in pieces and write_all() each. */
    (void)fd;
    (void)file;
}

/* From target to a file under root: returns 0 with *file open, *info and *type
 * filled, or a status (400, 414, 403, 404, 301 with location filled). */
static int find_file(const char *root, char *target, int *file, struct stat *info,
                     const char **type, char *location, size_t location_size)
{
    /* TODO (stage 1.s4, then 1.s5): skip "http://host" of an absolute-form target;
     * percent_decode() up to any '?', remove_dot_segments(), join with root; a
     * directory: 301 without its final '/', else its index.html (none: 403; no
     * such file: 404); realpath() the file
     * and refuse (403) one whose real path is not under the root's real path; open()
     * it, fstat() it (not a regular file: 403), *type = mime_type(). */
    (void)root;
    (void)target;
    (void)file;
    (void)info;
    (void)type;
    (void)location;
    (void)location_size;
    return 404;
}

/* Answer one request on fd. */
static void serve(int fd, const char *root, int timeout_secs)
{
    static char head[MAX_HEAD + 1];
    int status = read_head(fd, head, timeout_secs);
    if (status < 0)
        return;
    /* TODO (stage 1.s2): the code below answers through write_all() and
     * parse_request_line() (exercises 1.1 and 1.2), not yet written. Until then,
     * answer every request here with one write() of a fixed "HTTP/1.0 200 OK\r\n",
     * a Content-Length header, an empty line and a short body; then return. Take it
     * out for stage 1.s3 (find_file() then says 404 until stage 1.s4). */
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

/* Close without losing the response to a reset: stop sending (shutdown(SHUT_WR)),
 * read what the client still sends for a moment, then close(). */
static void close_gently(int fd)
{
    /* TODO (stage 1.s7): shutdown(), then read with poll() for a short while. */
    close(fd);
}

/* The accept loop: one client at a time, until a stop signal. */
static void serve_clients(int listener, const char *root, int timeout_secs)
{
    /* TODO (stage 1.s1): until stop_requested: accept() a client (on EINTR go round:
     * the loop checks why), set SO_SNDTIMEO to timeout_secs on it (so that a client
     * that stops reading cannot stall us for ever), serve() it, close_gently() it. */
    (void)listener;
    (void)root;
    (void)timeout_secs;
    (void)serve; /* delete these two lines once you call them */
    (void)close_gently;
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
