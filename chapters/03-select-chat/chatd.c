/* chatd.c: chapter 3, a chat server. One process, one thread, many clients, and
 * connections that stay open so that either side may speak at any moment.
 *
 * When alice types a line, the server must send it to bob *now*, although bob asked
 * for nothing; meanwhile carol may type and dave may connect. A server asleep in
 * read() on one client hears nobody else; select() sleeps on all of them at once and
 * wakes up when any is ready. The whole program is one loop in five steps,
 * main_loop() below: sleep in select(); read and cut lines; act on them; flush the
 * output queues; drop who left.
 *
 * This file is that core. What the room says (notices, commands, the tick) is in
 * room.c; -B, the naive blocking sends, in naive.c; the goodbye on Ctrl-C in
 * shutdown.c. Shortcuts, named where taken: the listening socket comes from common's
 * net_listen() (chapter 1's open_listener(): getaddrinfo, socket, bind, listen);
 * select() watches only FD_SETSIZE descriptors, so the room is capped; every round
 * looks at every client, busy or not.
 */
#include "chatd.h"

#include "io.h"
#include "log.h"
#include "net.h"
#include "options.h"
#include "sig.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#define DEFAULT_ADDRESS     "127.0.0.1" /* loopback: never the whole network unless asked */
#define DEFAULT_PORT        "8003"
#define DEFAULT_MAX_CLIENTS 100
#define MAX_TICK_SECS       86400
#define ACCEPT_PAUSE_MS     100         /* out of descriptors: stop accepting this long */
#define LINGER_MAX_BYTES    (64 * 1024) /* unread input we throw away before a close */

/* select() watches descriptors 0 .. FD_SETSIZE-1 and no others: FD_SET() on a larger
 * one writes past the end of the fd_set. Besides the clients we hold stdin, stdout,
 * stderr and the listening socket, and need one more to accept a client we then
 * refuse. So this is the most clients a select() server can promise. */
#define RESERVED_FDS      5
#define MAX_CLIENTS_LIMIT (FD_SETSIZE - RESERVED_FDS)

_Static_assert(INPUT_CAPACITY > LINE_MAX_BYTES + 2, "a whole line must fit");

static int parse_options(int argc, char **argv, struct server *s, const char **address,
                         const char **port);
static int main_loop(struct server *s);
static int set_nonblocking(int fd);

int main(int argc, char **argv)
{
    struct server s = {.listen_fd = -1, .max_clients = DEFAULT_MAX_CLIENTS};
    const char *address = DEFAULT_ADDRESS;
    const char *port = DEFAULT_PORT;
    int rc = parse_options(argc, argv, &s, &address, &port);
    if (rc >= 0)
        return rc;

    /* SIGINT and SIGTERM only set a flag, and stay blocked except while we sleep (in
     * pselect() below, or in common's io_wait()), so one can never slip in unnoticed
     * between a look at the flag and falling asleep (sig.h). SIGPIPE is ignored: a
     * write to a vanished client fails with EPIPE instead of killing the server. */
    if (sig_setup_stop(&s.wait_mask) < 0) {
        fprintf(stderr, "%s: signals: %s\n", PROGRAM_NAME, strerror(errno));
        return 1;
    }
    /* getaddrinfo, socket, SO_REUSEADDR, bind, listen and O_NONBLOCK: chapter 1's
     * open_listener(), in common (net.h). Non-blocking even for accept(): a client can
     * give up between select() saying "a newcomer" and our accept(), and a blocking
     * accept() would then sleep until the next one came, while the whole room waited. */
    char why[256];
    s.listen_fd = net_listen(address, port, NET_LISTEN_BACKLOG, why, sizeof why);
    if (s.listen_fd < 0) {
        fprintf(stderr, "%s: %s\n", PROGRAM_NAME, why);
        return 1;
    }
    char url[NET_ADDRSTRLEN + 16];
    if (s.listen_fd >= FD_SETSIZE ||
        net_listen_url(s.listen_fd, "chat", url, sizeof url) < 0) {
        fprintf(stderr, "%s: setting up the listening socket: %s\n", PROGRAM_NAME,
                strerror(errno));
        return 1;
    }
    s.clients = calloc((size_t)s.max_clients, sizeof(struct client *));
    if (s.clients == NULL) {
        fprintf(stderr, "%s: out of memory\n", PROGRAM_NAME);
        close(s.listen_fd);
        return 1;
    }
    printf("%s: listening on %s\n", PROGRAM_NAME, url);
    fflush(stdout);
    if (s.blocking_sends)
        fprintf(stderr, "%s: -B: one client that stops reading freezes everyone\n",
                PROGRAM_NAME);

    s.next_tick_ms = io_now_ms() + (long long)s.tick_secs * 1000;
    rc = main_loop(&s);
    fprintf(stderr, "%s: stopping (signal %d)\n", PROGRAM_NAME, (int)sig_stop_requested);
    close_the_room(&s); /* "* server shutting down" to everyone: shutdown.c */
    close(s.listen_fd);
    free(s.clients);
    return rc < 0 ? 1 : 0;
}

/* ---- The loop ---------------------------------------------------------------------- */

static int watch_descriptors(struct server *s, fd_set *readable, fd_set *writable);
static struct timespec *time_to_next_event(struct server *s, struct timespec *ts);
static void read_from_client(struct server *s, struct client *c);
static void accept_client(struct server *s);
static void drop_gone_clients(struct server *s);

/* Returns 0 when a stop signal ended it, -1 if pselect() itself failed. */
static int main_loop(struct server *s)
{
    while (!sig_stop_requested) {
        /* 1. Sleep until something happens. We tell select() which descriptors we
         * care about: every client for reading, the listening socket for newcomers,
         * and, for writing, only the clients whose output queue is not empty (asking
         * for write readiness with nothing to write would wake us at once, forever).
         * The timeout is the time left until the next tick. pselect() also unblocks
         * SIGINT and SIGTERM while it sleeps, and only then. */
        fd_set readable, writable;
        int max_fd = watch_descriptors(s, &readable, &writable);
        struct timespec timeout;
        int ready = pselect(max_fd + 1, &readable, &writable, NULL,
                            time_to_next_event(s, &timeout), &s->wait_mask);
        if (ready < 0) {
            if (errno == EINTR)
                continue; /* a signal: the loop condition looks at the flag */
            fprintf(stderr, "%s: pselect: %s\n", PROGRAM_NAME, strerror(errno));
            return -1;
        }

        /* 2 and 3. Read from every client that has something for us, and act on
         * each complete line. Reading an idle client would block; select() has just
         * told us which ones are not idle. (Clients accepted below are not in the
         * set yet: they get their turn in the next round.) */
        for (int i = 0; i < s->count; i++) {
            struct client *c = s->clients[i];
            if (c->state == CLIENT_ACTIVE && FD_ISSET(c->fd, &readable))
                read_from_client(s, c);
        }

        /* A newcomer? The listening socket is "readable" when a connection waits in
         * its queue. */
        if (max_fd >= 0 && FD_ISSET(s->listen_fd, &readable))
            accept_client(s);

        /* With -T, the server speaks although nobody asked (room.c). */
        send_tick_if_due(s);

        /* 4. Write what the kernel will take of every output queue. */
        flush_output(s);

        /* 5. Take out of the room whoever left or broke this round, and tell the
         * others. */
        drop_gone_clients(s);
    }
    return 0;
}

/* Fill the two sets for pselect(). Returns the highest descriptor in them. */
static int watch_descriptors(struct server *s, fd_set *readable, fd_set *writable)
{
    int max_fd = -1;
    FD_ZERO(readable);
    FD_ZERO(writable);
    if (io_now_ms() >= s->accept_after) {
        FD_SET(s->listen_fd, readable);
        max_fd = s->listen_fd;
    }
    for (int i = 0; i < s->count; i++) {
        struct client *c = s->clients[i];
        /* Every fd here is below FD_SETSIZE: accept_client() refused the others. */
        FD_SET(c->fd, readable);
        if (c->out.start < c->out.end)
            FD_SET(c->fd, writable);
        if (c->fd > max_fd)
            max_fd = c->fd;
    }
    return max_fd;
}

/* pselect()'s timeout: until the next tick, or until we accept again after running
 * out of descriptors; NULL (sleep until something happens) when neither is pending. */
static struct timespec *time_to_next_event(struct server *s, struct timespec *ts)
{
    long long now = io_now_ms();
    long long next = -1;
    if (s->tick_secs > 0)
        next = s->next_tick_ms;
    if (s->accept_after > now && (next < 0 || s->accept_after < next))
        next = s->accept_after;
    if (next < 0)
        return NULL;
    long long wait_ms = next > now ? next - now : 0;
    ts->tv_sec = (time_t)(wait_ms / 1000);
    ts->tv_nsec = (long)(wait_ms % 1000) * 1000000L;
    return ts;
}

/* ---- Accepting --------------------------------------------------------------------- */

/* O_NONBLOCK: read(), write() and accept() return at once with EAGAIN instead of
 * waiting. fcntl() is the portable way (Linux's SOCK_NONBLOCK and accept4() are not). */
static int set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* Close without destroying what we said last. close() on a socket that holds input
 * we never read sends a reset (RST) instead of an ordinary end (FIN), and a reset
 * can make the client's kernel throw away our last lines unread. io_linger() (common)
 * sends the FIN first and reads away what has arrived. Its time limit is 0: it never
 * waits for more, because the whole room would wait with us. */
void close_client(int fd)
{
    io_linger(fd, 0, LINGER_MAX_BYTES);
    close(fd);
}

/* No room: say so and hang up. The socket is new, its send buffer empty, so this one
 * non-blocking write() takes the whole line; if it fails there is nothing else to do. */
static void refuse_client(int fd)
{
    static const char full[] = "! server full\n";
    if (set_nonblocking(fd) == 0 && write(fd, full, sizeof full - 1) < 0) {
        /* the client is already gone */
    }
    close_client(fd);
}

static void accept_client(struct server *s)
{
    int fd = accept(s->listen_fd, NULL, NULL);
    if (fd < 0) {
        if (errno == EMFILE || errno == ENFILE) {
            /* Out of descriptors: the newcomer stays in the listen queue, and the
             * listening socket stays readable. Watching it would wake us again at
             * once, forever (a busy loop), so we look away for a moment. */
            fprintf(stderr, "%s: accept: %s\n", PROGRAM_NAME, strerror(errno));
            s->accept_after = io_now_ms() + ACCEPT_PAUSE_MS;
        } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED &&
                   errno != EINTR) {
            /* ENOBUFS, ENOMEM, or (on Linux) a network error already pending on the
             * new connection: that one client is lost, the room goes on. */
            fprintf(stderr, "%s: accept: %s\n", PROGRAM_NAME, strerror(errno));
        }
        /* Absorbed in silence: EAGAIN or EWOULDBLOCK, nobody waits after all (the
         * client left between select() and accept()); ECONNABORTED, the client reset
         * the connection while it waited in the queue; EINTR, a signal came first (the
         * loop then looks at the flag). None is an error of ours. */
        return;
    }
    /* Check before FD_SET ever sees it: a descriptor at FD_SETSIZE or above cannot be
     * watched by select() at all. Then make the socket non-blocking ourselves: on
     * Linux it does not inherit O_NONBLOCK from the listening socket. */
    struct client *c = NULL;
    if (s->count < s->max_clients && fd < FD_SETSIZE)
        c = calloc(1, sizeof *c);
    if (c == NULL || set_nonblocking(fd) < 0) {
        free(c);
        refuse_client(fd);
        return;
    }
    /* No Nagle: a chat line is a message, to be sent now, not held back to merge
     * with the next one (the book's "Going further" measures the difference). */
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0)
        fprintf(stderr, "%s: TCP_NODELAY: %s\n", PROGRAM_NAME, strerror(errno));
    c->fd = fd;
    c->state = CLIENT_ACTIVE;
    name_new_guest(s, c);
    s->clients[s->count++] = c;

    char peer[NET_ADDRSTRLEN];
    if (net_peer_address(fd, peer, sizeof peer) < 0)
        snprintf(peer, sizeof peer, "-");
    fprintf(stderr, "%s: %s joined from %s (fd %d)\n", PROGRAM_NAME, c->nick, peer, fd);
    /* The server speaks first: "* welcome ...", and the others hear "* guest1 joined".
     * Nobody asked for either line (room.c). */
    welcome(s, c);
}

/* ---- Steps 2 and 3: reading, and cutting lines ------------------------------------ */

/* Cut the complete lines out of c->in and handle each; keep an incomplete one for
 * the next read. A line longer than LINE_MAX_BYTES gets one error as soon as we know,
 * and the rest of it, up to its LF, is thrown away as it arrives. */
static void handle_input(struct server *s, struct client *c)
{
    size_t at = 0;
    while (at < c->in_length && c->state == CLIENT_ACTIVE) {
        const char *rest = c->in + at;
        size_t left = c->in_length - at;
        if (c->discarding) {
            const char *lf = memchr(rest, '\n', left);
            at += lf != NULL ? (size_t)(lf - rest) + 1 : left;
            c->discarding = lf == NULL;
            continue;
        }
        struct line line;
        int found = find_line(rest, left, &line);
        if (found == LINE_INCOMPLETE)
            break;
        if (found == LINE_TOO_LONG) {
            send_text(s, c, "! line too long (max 1024 bytes)");
            c->discarding = 1;
            continue;
        }
        handle_line(s, c, rest, line.length);
        at += line.next;
    }
    /* After /quit, whatever else the client sent is ignored. */
    if (c->state != CLIENT_ACTIVE)
        at = c->in_length;
    memmove(c->in, c->in + at, c->in_length - at);
    c->in_length -= at;
}

/* select() said c has something: read it once (a loop until EAGAIN would let one
 * chatty client keep the others waiting; select() will call again). */
static void read_from_client(struct server *s, struct client *c)
{
    ssize_t n = read(c->fd, c->in + c->in_length, INPUT_CAPACITY - c->in_length);
    if (n < 0) {
        if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
            return; /* nothing after all: select() will tell us when */
        fprintf(stderr, "%s: %s: read: %s\n", PROGRAM_NAME, c->nick, strerror(errno));
        c->state = CLIENT_BROKEN; /* ECONNRESET: it vanished */
        return;
    }
    if (n == 0) {
        c->state = CLIENT_LEAVING; /* end of file: it closed; a partial line is lost */
        return;
    }
    if (s->verbose)
        log_wire(c->fd, LOG_RECEIVED, c->in + c->in_length, (size_t)n);
    c->in_length += (size_t)n;
    handle_input(s, c);
}

/* ---- Step 4: delivering and flushing ---------------------------------------------- */

/* Give a line to one client: append it to its output queue; step 4 of the loop writes
 * it out. A client whose queue cannot take the line has stopped reading (or reads
 * slower than the room talks): holding more for it would let one client make us
 * hold unbounded memory, and waiting for it would freeze everyone. So it goes. */
void deliver(struct server *s, struct client *to, const char *bytes, size_t length)
{
    if (to->state == CLIENT_BROKEN)
        return;
    if (s->blocking_sends) { /* -B: the naive way, naive.c */
        if (send_and_wait(s, to, bytes, length) < 0)
            to->state = CLIENT_BROKEN;
        return;
    }
    if (queue_append(&to->out, bytes, length) < 0) {
        fprintf(stderr, "%s: dropping %s: %d KiB of output waiting, it stopped reading\n",
                PROGRAM_NAME, to->nick, QUEUE_CAPACITY / 1024);
        to->state = CLIENT_BROKEN;
    }
}

/* Write what the kernel will take of c's queue right now. A write error means the
 * client is gone (EPIPE, ECONNRESET): it breaks, the server goes on. */
static void flush_client(struct server *s, struct client *c)
{
    const char *pending = c->out.data + c->out.start;
    ssize_t n = queue_flush(&c->out, c->fd);
    if (n < 0) {
        if (c->state == CLIENT_ACTIVE)
            fprintf(stderr, "%s: %s: write: %s\n", PROGRAM_NAME, c->nick,
                    strerror(errno));
        c->state = CLIENT_BROKEN;
        return;
    }
    if (n > 0 && s->verbose)
        log_wire(c->fd, LOG_SENT, pending, (size_t)n);
}

/* We simply try every client with something queued. For one whose socket buffer is
 * full, write() fails at once with EAGAIN: a cheap system call, and the bytes stay
 * queued until select() reports the socket writable again. */
void flush_output(struct server *s)
{
    for (int i = 0; i < s->count; i++) {
        struct client *c = s->clients[i];
        /* clients[0..count) are never NULL, which clang-tidy's analyzer cannot see:
         * NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
        if (c->state == CLIENT_ACTIVE && c->out.start < c->out.end)
            flush_client(s, c);
    }
}

/* ---- Step 5: dropping -------------------------------------------------------------- */

/* Take every client that left or broke out of the room, close it, and tell the
 * others. Telling them can break another client (its queue overflows), so we start
 * over until a pass finds nobody to drop. */
static void drop_gone_clients(struct server *s)
{
    int i = 0;
    while (i < s->count) {
        struct client *c = s->clients[i];
        if (c->state == CLIENT_ACTIVE) {
            i++;
            continue;
        }
        /* Out of the array first, keeping the joining order of the rest. */
        memmove(&s->clients[i], &s->clients[i + 1],
                (size_t)(s->count - i - 1) * sizeof(struct client *));
        s->count--;
        if (c->state == CLIENT_LEAVING)
            flush_client(s, c); /* one last try: "* bye", and what else is queued */
        close_client(c->fd);
        fprintf(stderr, "%s: %s left\n", PROGRAM_NAME, c->nick);
        s->accept_after = 0; /* a descriptor is free again */
        announce_left(s, c->nick);
        free(c);
        i = 0;
    }
}

/* ---- The command line -------------------------------------------------------------- */

/* Not the lesson: every program in this book reads its options this way. */

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: %s [-b ADDR] [-p PORT] [-m MAX_CLIENTS] [-T TICK_SECS] [-v] [-B]\n"
        "  -b ADDR  address to listen on (default %s; ::1 for IPv6, 0.0.0.0 for all)\n"
        "  -p PORT  port (default %s; 0 lets the system pick a free one)\n"
        "  -m N     at most N clients at once (default %d, at most %d)\n"
        "  -T SECS  send everyone \"* tick K\" every SECS seconds (default 0: never)\n"
        "  -v       wire trace: show every byte received (<<<) and sent (>>>) on stderr\n"
        "  -B       blocking sends: see one client that stops reading freeze the room\n"
        "  -h       show this help\n",
        PROGRAM_NAME, DEFAULT_ADDRESS, DEFAULT_PORT, DEFAULT_MAX_CLIENTS,
        MAX_CLIENTS_LIMIT);
}

/* Returns -1 to go on, or the exit status for main(). */
static int parse_options(int argc, char **argv, struct server *s, const char **address,
                         const char **port)
{
    long number;
    int opt;
    while ((opt = getopt(argc, argv, "b:p:m:T:vBh")) != -1) {
        switch (opt) {
        case 'b':
            *address = optarg;
            break;
        case 'p':
            if (option_number(optarg, 0, 65535, &number) < 0) {
                fprintf(stderr, "%s: -p wants a port number (0-65535)\n", PROGRAM_NAME);
                return 2;
            }
            *port = optarg;
            break;
        case 'm':
            if (option_number(optarg, 1, MAX_CLIENTS_LIMIT, &number) < 0) {
                fprintf(stderr,
                        "%s: -m wants 1 to %d clients (select() cannot watch "
                        "descriptors past FD_SETSIZE, %d)\n",
                        PROGRAM_NAME, MAX_CLIENTS_LIMIT, FD_SETSIZE);
                return 2;
            }
            s->max_clients = (int)number;
            break;
        case 'T':
            if (option_number(optarg, 0, MAX_TICK_SECS, &number) < 0) {
                fprintf(stderr, "%s: -T wants seconds (0-%d)\n", PROGRAM_NAME,
                        MAX_TICK_SECS);
                return 2;
            }
            s->tick_secs = (int)number;
            break;
        case 'v':
            s->verbose = 1;
            break;
        case 'B':
            s->blocking_sends = 1;
            break;
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
    return -1;
}
