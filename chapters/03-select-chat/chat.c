/* chat.c: chapter 3's client. Type lines, see everyone else's as they arrive.
 *
 * A chat client waits for two things at once: the user, who may type at any moment,
 * and the server, which may send at any moment. Reading one of them blocks the other:
 * a client sitting in fgets() on the keyboard would print bob's line only after you
 * pressed Enter. So this client does what the server does: select() on both.
 *
 *   ./chat                         connect to 127.0.0.1 port 8003
 *   ./chat -n alice                ... and send "/nick alice" first
 *   ./chat example.org 9000        another server
 *   printf 'hi\n/quit\n' | ./chat  a whole session from a pipe
 *
 * No raw terminal mode: the terminal hands us a line when you press Enter, and lines
 * from the others are printed as they come, between yours. When stdin ends (Ctrl-D,
 * or the end of a pipe) we send what is left, half-close the connection (shutdown
 * SHUT_WR: "I will send no more") and go on printing until the server closes.
 *
 * Exit status: 0 when the server closes the connection, 1 when it cannot be reached
 * or the connection fails, 2 for a bad command line.
 */
#include "commands.h"

#include "io.h"
#include "log.h"
#include "net.h"
#include "options.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#define PROGRAM_NAME "chat"
#define DEFAULT_HOST "127.0.0.1"
#define DEFAULT_PORT "8003"
#define BUFFER_SIZE  4096

struct chat {
    int fd;          /* the connection, non-blocking */
    int verbose;     /* -v */
    int stdin_open;  /* until read() on stdin returns 0 */
    int sent_eof;    /* shutdown(SHUT_WR) done */
    size_t to_start; /* bytes to send: to_server[to_start .. to_end-1] */
    size_t to_end;
    char to_server[BUFFER_SIZE];
};

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: %s [-n NICK] [-v] [HOST [PORT]]\n"
        "  -n NICK  send \"/nick NICK\" right after connecting\n"
        "  -v       wire trace: show every byte sent (>>>) and received (<<<) on stderr\n"
        "  -h       show this help\n"
        "HOST defaults to %s, PORT to %s. Type lines to chat, /help for commands;\n"
        "end with /quit or Ctrl-D.\n",
        PROGRAM_NAME, DEFAULT_HOST, DEFAULT_PORT);
}

/* Write all of buf to a blocking descriptor (stdout). */
static int write_out(int fd, const char *buf, size_t length)
{
    return io_write_all(fd, buf, length, -1) < 0 ? -1 : 0;
}

/* The server sent something: print it. Returns 1 to go on, 0 when the server closed,
 * -1 on an error. */
static int from_server(struct chat *c)
{
    char buf[BUFFER_SIZE];
    ssize_t n = read(c->fd, buf, sizeof buf);
    if (n < 0)
        return (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) ? 1 : -1;
    if (n == 0)
        return 0;
    if (c->verbose)
        log_wire(c->fd, LOG_RECEIVED, buf, (size_t)n);
    /* Bytes, not strings: a line may hold a NUL, and may arrive in pieces. */
    return write_out(STDOUT_FILENO, buf, (size_t)n) < 0 ? -1 : 1;
}

/* The user typed something (or the pipe has more): take it into to_server. We read
 * stdin only when to_server is empty, so a fast pipe cannot outrun the connection. */
static int from_user(struct chat *c)
{
    ssize_t n = read(STDIN_FILENO, c->to_server, sizeof c->to_server);
    if (n < 0)
        return errno == EINTR || errno == EAGAIN ? 0 : -1;
    if (n == 0)
        c->stdin_open = 0;
    c->to_start = 0;
    c->to_end = (size_t)(n > 0 ? n : 0);
    return 0;
}

/* Send what the socket takes now. When stdin has ended and all is sent, half-close:
 * the server reads EOF, and we keep reading until it closes its end. */
static int to_server(struct chat *c)
{
    while (c->to_start < c->to_end) {
        ssize_t n = write(c->fd, c->to_server + c->to_start, c->to_end - c->to_start);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0; /* the rest when select() says the socket is writable */
        if (n < 0)
            return -1;
        if (c->verbose)
            log_wire(c->fd, LOG_SENT, c->to_server + c->to_start, (size_t)n);
        c->to_start += (size_t)n;
    }
    if (!c->stdin_open && !c->sent_eof) {
        if (shutdown(c->fd, SHUT_WR) < 0)
            return -1;
        c->sent_eof = 1;
    }
    return 0;
}

/* The loop: watch stdin (while it is open and nothing waits to be sent) and the
 * socket; the socket for writing too while bytes wait. Returns 0 when the server
 * closed, -1 on an error. */
static int converse(struct chat *c)
{
    for (;;) {
        fd_set readable, writable;
        FD_ZERO(&readable);
        FD_ZERO(&writable);
        FD_SET(c->fd, &readable);
        int waiting = c->to_start < c->to_end;
        if (waiting)
            FD_SET(c->fd, &writable);
        else if (c->stdin_open)
            FD_SET(STDIN_FILENO, &readable);
        if (select(c->fd + 1, &readable, &writable, NULL, NULL) < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (FD_ISSET(c->fd, &readable)) {
            int rc = from_server(c);
            if (rc <= 0)
                return rc;
        }
        if (FD_ISSET(STDIN_FILENO, &readable) && from_user(c) < 0)
            return -1;
        if (to_server(c) < 0)
            return -1;
    }
}

/* Returns -1 to go on, or the exit status for main(). */
static int parse_options(int argc, char **argv, struct chat *c, const char **nick,
                         const char **host, const char **port)
{
    long number;
    int opt;
    while ((opt = getopt(argc, argv, "n:vh")) != -1) {
        switch (opt) {
        case 'n':
            if (!nick_is_valid(optarg, strlen(optarg))) {
                fprintf(stderr, "%s: -n wants a nickname: 1-%d of A-Z a-z 0-9 _ -\n",
                        PROGRAM_NAME, NICK_MAX_BYTES);
                return 2;
            }
            *nick = optarg;
            break;
        case 'v':
            c->verbose = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (argc - optind > 2) {
        usage(stderr);
        return 2;
    }
    if (argc - optind >= 1)
        *host = argv[optind];
    if (argc - optind == 2) {
        if (option_number(argv[optind + 1], 1, 65535, &number) < 0) {
            fprintf(stderr, "%s: PORT wants a port number (1-65535)\n", PROGRAM_NAME);
            return 2;
        }
        *port = argv[optind + 1];
    }
    return -1;
}

int main(int argc, char **argv)
{
    struct chat c = {.fd = -1, .stdin_open = 1};
    const char *nick = NULL;
    const char *host = DEFAULT_HOST;
    const char *port = DEFAULT_PORT;
    int rc = parse_options(argc, argv, &c, &nick, &host, &port);
    if (rc >= 0)
        return rc;
    signal(SIGPIPE, SIG_IGN); /* a server that vanished: EPIPE, not death */

    char why[256];
    c.fd = net_connect(host, port, why, sizeof why);
    if (c.fd < 0) {
        fprintf(stderr, "%s: %s\n", PROGRAM_NAME, why);
        return 1;
    }
    if (c.fd >= FD_SETSIZE || net_set_nonblocking(c.fd, 1) < 0) {
        fprintf(stderr, "%s: cannot use the connection\n", PROGRAM_NAME);
        close(c.fd);
        return 1;
    }
    if (nick != NULL) { /* the first thing we send */
        int n = snprintf(c.to_server, sizeof c.to_server, "/nick %s\n", nick);
        c.to_end = (size_t)n;
    }

    rc = converse(&c);
    if (rc < 0)
        fprintf(stderr, "%s: connection to %s port %s: %s\n", PROGRAM_NAME, host, port,
                strerror(errno));
    close(c.fd);
    return rc < 0 ? 1 : 0;
}
