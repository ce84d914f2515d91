/* chatd.c: chapter 3, a chat server. One process, one thread, many clients, and a
 * connection that stays open so that either side may speak at any moment.
 *
 * Chapters 1 and 2 served HTTP: the client asks, the server answers. A chat turns
 * that around. When alice types a line, the server must send it to bob *now*,
 * although bob asked for nothing; and it must do so while it also waits for carol,
 * who may type at any moment, and for new people to arrive. A server that sleeps in
 * read() on one client cannot do that. select() can: it sleeps on all of them at
 * once and wakes up when any is ready.
 *
 * The whole program is one loop, narrated below in main_loop():
 *
 *   1. sleep in select() until a client sent something, the listening socket has a
 *      newcomer, a stalled client can take more output, or the tick is due;
 *   2. read what each ready client sent and cut it into lines (a line may arrive in
 *      pieces, many lines may arrive at once: each client has an input buffer);
 *   3. act on each line: relay it to the others, or run a command;
 *   4. flush the output queues: write what the kernel will take, keep the rest
 *      (each client has a bounded output queue; one that overflows is dropped);
 *   5. drop the clients that left, broke, or stopped reading.
 *
 * The protocol is lines of text, so `nc 127.0.0.1 8003` is a complete client; ./chat
 * (chat.c) is a nicer one. Read book/03-select-chat.md beside this file.
 */
#include "commands.h"
#include "lines.h"
#include "queue.h"

#include "io.h"
#include "log.h"
#include "net.h"
#include "options.h"
#include "sig.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#define PROGRAM_NAME        "chatd"
#define DEFAULT_ADDRESS     "127.0.0.1" /* loopback: never the whole network unless asked */
#define DEFAULT_PORT        "8003"
#define DEFAULT_MAX_CLIENTS 100
#define MAX_TICK_SECS       86400

/* select() watches descriptors 0 .. FD_SETSIZE-1 and no others: FD_SET() on a larger
 * one writes past the end of the fd_set. Besides the clients we hold stdin, stdout,
 * stderr and the listening socket, and need one more to accept a client we then
 * refuse. So this is the most clients a select() server can promise. */
#define RESERVED_FDS      5
#define MAX_CLIENTS_LIMIT (FD_SETSIZE - RESERVED_FDS)

/* A client's input buffer: room for a whole line of the longest kind with its CR and
 * LF, and more, so that one read() can bring several lines. */
#define INPUT_CAPACITY (4 * LINE_MAX_BYTES)
_Static_assert(INPUT_CAPACITY > LINE_MAX_BYTES + 2, "a whole line must fit");

/* The longest line we send: a nick, a few words, and a client's whole line. */
#define OUTGOING_MAX (NICK_MAX_BYTES + LINE_MAX_BYTES + 32)

#define SHUTDOWN_FLUSH_MS 1000 /* on SIGTERM, how long we try to say goodbye */
#define ACCEPT_PAUSE_MS   100  /* out of descriptors: stop accepting for this long */
#define DISCARD_MAX_READS 16   /* unread input we drain before a close, in reads */

/* A client is in the room (ACTIVE) until it leaves: it said /quit or closed its end
 * (LEAVING: we still try to send what it has queued), or it broke: a reset, an error,
 * an output queue that overflowed (BROKEN: we just close). Step 5 of the loop takes
 * LEAVING and BROKEN clients out of the room. */
enum client_state { CLIENT_ACTIVE, CLIENT_LEAVING, CLIENT_BROKEN };

struct client {
    int fd;
    enum client_state state;
    char nick[NICK_MAX_BYTES + 1];
    int discarding;   /* inside a too-long line: drop bytes up to the next LF */
    size_t in_length; /* bytes in `in` not yet part of a complete line */
    char in[INPUT_CAPACITY];
    struct queue out; /* what we said to this client and it has not taken yet */
};

/* Everything the server knows, in one place: no global variables except the signal
 * flag (sig.h). */
struct server {
    int listen_fd;
    int max_clients;         /* -m */
    int tick_secs;           /* -T: 0 = no tick */
    int verbose;             /* -v: trace every byte */
    int blocking_sends;      /* -B: the broken way, to see the slow-client problem */
    sigset_t wait_mask;      /* the signal mask while we sleep in pselect() (sig.h) */
    long long accept_after;  /* io_now_ms() before which we do not accept (EMFILE) */
    unsigned long guests;    /* guest numbers handed out so far */
    unsigned long ticks;     /* ticks sent so far */
    long long next_tick_ms;  /* when the next tick is due, on io_now_ms()'s clock */
    int count;               /* clients in the room */
    struct client **clients; /* the room, in joining order (what /who shows) */
};

/* A line we are about to send, assembled from pieces: lines can hold any byte,
 * NUL included, so we count lengths and never use strlen() on what clients sent. */
struct outgoing {
    size_t length;
    char data[OUTGOING_MAX];
};

static void main_loop(struct server *s);
static int watch_descriptors(struct server *s, fd_set *readable, fd_set *writable);
static struct timespec *time_to_next_event(struct server *s, struct timespec *ts);
static void accept_client(struct server *s);
static void read_from_client(struct server *s, struct client *c);
static void handle_line(struct server *s, struct client *c, const char *text,
                        size_t length);
static void send_tick_if_due(struct server *s);
static void flush_output(struct server *s);
static void drop_gone_clients(struct server *s);
static void close_the_room(struct server *s);

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
        "  -B       blocking sends: the naive server, to see one slow client freeze\n"
        "           the whole room (book/03-select-chat.md, \"The slow client\")\n"
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

int main(int argc, char **argv)
{
    struct server s = {.listen_fd = -1, .max_clients = DEFAULT_MAX_CLIENTS};
    const char *address = DEFAULT_ADDRESS;
    const char *port = DEFAULT_PORT;
    int rc = parse_options(argc, argv, &s, &address, &port);
    if (rc >= 0)
        return rc;

    /* SIGINT and SIGTERM only set a flag, and are blocked except while we sleep in
     * pselect(), so one can never slip in unnoticed between two steps (sig.h).
     * SIGPIPE is ignored: a write to a vanished client fails with EPIPE instead. */
    if (sig_setup_stop(&s.wait_mask) < 0) {
        fprintf(stderr, "%s: signals: %s\n", PROGRAM_NAME, strerror(errno));
        return 1;
    }
    char why[256];
    s.listen_fd = net_listen(address, port, NET_LISTEN_BACKLOG, why, sizeof why);
    if (s.listen_fd < 0) {
        fprintf(stderr, "%s: %s\n", PROGRAM_NAME, why);
        return 1;
    }
    /* Non-blocking even for accept(): a client can give up between select() saying
     * "a newcomer" and our accept(), and a blocking accept() would then wait for the
     * next one while the whole room waits for us. */
    char url[NET_ADDRSTRLEN + 16];
    if (s.listen_fd >= FD_SETSIZE || net_set_nonblocking(s.listen_fd, 1) < 0 ||
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
        fprintf(stderr,
                "%s: -B: blocking sends; one client that stops reading will "
                "freeze everyone\n",
                PROGRAM_NAME);

    s.next_tick_ms = io_now_ms() + (long long)s.tick_secs * 1000;
    main_loop(&s);

    fprintf(stderr, "%s: stopping (signal %d)\n", PROGRAM_NAME, (int)sig_stop_requested);
    close_the_room(&s);
    close(s.listen_fd);
    free(s.clients);
    return 0;
}

/* ---- The loop ---------------------------------------------------------------------- */

static void main_loop(struct server *s)
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
            return;
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

        /* The server speaks first: nobody asked for this line. */
        send_tick_if_due(s);

        /* 4. Write what the kernel will take of every output queue. */
        flush_output(s);

        /* 5. Take out of the room whoever left or broke this round, and tell the
         * others. */
        drop_gone_clients(s);
    }
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

/* ---- Sending ------------------------------------------------------------------------
 */

static void start_line(struct outgoing *o)
{
    o->length = 0;
}

/* Append bytes, keeping one byte for the final LF (a line can never be longer than
 * OUTGOING_MAX, but we check rather than trust that). */
static void add_bytes(struct outgoing *o, const char *bytes, size_t length)
{
    size_t room = sizeof o->data - 1 - o->length;
    if (length > room)
        length = room;
    memcpy(o->data + o->length, bytes, length);
    o->length += length;
}

static void add_text(struct outgoing *o, const char *text)
{
    add_bytes(o, text, strlen(text));
}

static void end_line(struct outgoing *o)
{
    o->data[o->length++] = '\n';
}

/* The naive way, for -B only: write() on a blocking socket until every byte is out.
 * If the client does not read, its socket buffers fill up and write() waits, and
 * while it waits the whole server waits: nobody else hears anything. We let a stop
 * signal interrupt that wait, so that Ctrl-C still works. */
static int send_blocking(struct server *s, int fd, const char *bytes, size_t length)
{
    sigset_t blocked;
    if (sigprocmask(SIG_SETMASK, &s->wait_mask, &blocked) < 0) /* let SIGINT/SIGTERM in */
        return -1;
    int rc = 0;
    while (length > 0 && rc == 0) {
        ssize_t n = write(fd, bytes, length);
        if (n < 0 && errno == EINTR && !sig_stop_requested)
            continue;
        if (n < 0) {
            rc = -1;
            break;
        }
        bytes += n;
        length -= (size_t)n;
    }
    sigprocmask(SIG_SETMASK, &blocked, NULL);
    return rc;
}

/* Give a line to one client: append it to its output queue; step 4 of the loop writes
 * it out. A client whose queue cannot take the line has stopped reading (or reads
 * slower than the room talks): holding more for it would let one client make us
 * hold unbounded memory, and waiting for it would freeze everyone. So it goes. */
static void deliver(struct server *s, struct client *to, const char *bytes, size_t length)
{
    if (to->state == CLIENT_BROKEN)
        return;
    if (s->blocking_sends) {
        if (s->verbose)
            log_wire(to->fd, LOG_SENT, bytes, length);
        if (send_blocking(s, to->fd, bytes, length) < 0)
            to->state = CLIENT_BROKEN;
        return;
    }
    if (queue_append(&to->out, bytes, length) < 0) {
        fprintf(stderr, "%s: dropping %s: %d KiB of output waiting, it stopped reading\n",
                PROGRAM_NAME, to->nick, QUEUE_CAPACITY / 1024);
        to->state = CLIENT_BROKEN;
    }
}

static void send_line(struct server *s, struct client *to, const struct outgoing *o)
{
    deliver(s, to, o->data, o->length);
}

/* To everyone in the room except `from` (NULL: to everyone). */
static void send_to_others(struct server *s, struct client *from,
                           const struct outgoing *o)
{
    for (int i = 0; i < s->count; i++) {
        struct client *c = s->clients[i];
        if (c != from && c->state == CLIENT_ACTIVE)
            send_line(s, c, o);
    }
}

static void send_to_all(struct server *s, const struct outgoing *o)
{
    send_to_others(s, NULL, o);
}

/* A notice ("* ...") or an error ("! ...") from fixed text, to one client. */
static void send_text(struct server *s, struct client *to, const char *text)
{
    struct outgoing o;
    start_line(&o);
    add_text(&o, text);
    end_line(&o);
    send_line(s, to, &o);
}

/* An error that repeats what the client sent: "! nick taken: " + name. */
static void send_error(struct server *s, struct client *to, const char *what,
                       const char *bytes, size_t length)
{
    struct outgoing o;
    start_line(&o);
    add_text(&o, "! ");
    add_text(&o, what);
    add_bytes(&o, bytes, length);
    end_line(&o);
    send_line(s, to, &o);
}

/* A notice about someone to everyone: "* alice joined", "* alice left". */
static void announce(struct server *s, struct client *except, const char *nick,
                     const char *what)
{
    struct outgoing o;
    start_line(&o);
    add_text(&o, "* ");
    add_text(&o, nick);
    add_text(&o, what);
    end_line(&o);
    send_to_others(s, except, &o);
}

/* ---- Step 4: flushing ------------------------------------------------------------- */

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
static void flush_output(struct server *s)
{
    for (int i = 0; i < s->count; i++) {
        struct client *c = s->clients[i];
        /* clients[0..count) are never NULL, which clang-tidy's analyzer cannot see:
         * NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
        if (c->state == CLIENT_ACTIVE && c->out.start < c->out.end)
            flush_client(s, c);
    }
}

/* ---- Joining, leaving ------------------------------------------------------------- */

/* Compare two names ignoring ASCII case (nicks are ASCII; no locale involved). */
static int same_name(const char *a, size_t a_length, const char *b, size_t b_length)
{
    if (a_length != b_length)
        return 0;
    for (size_t i = 0; i < a_length; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return 1;
}

/* The client in the room called name (ignoring case), or NULL. */
static struct client *find_client(struct server *s, const char *name, size_t length)
{
    for (int i = 0; i < s->count; i++)
        if (same_name(s->clients[i]->nick, strlen(s->clients[i]->nick), name, length))
            return s->clients[i];
    return NULL;
}

/* guest1, guest2, ...: numbers are never reused, and a name someone took with /nick
 * is skipped. */
static void name_new_guest(struct server *s, struct client *c)
{
    do {
        s->guests++;
        snprintf(c->nick, sizeof c->nick, "guest%lu", s->guests % 100000000000UL);
    } while (find_client(s, c->nick, strlen(c->nick)) != NULL);
}

/* Close without a reset. Bytes the client sent that we never read make close() send
 * RST instead of FIN, and a reset may destroy the last lines we sent before the
 * client reads them. So we send FIN first (shutdown), read away what is already
 * there, and only then close. */
static void close_politely(int fd)
{
    char sink[4096];
    shutdown(fd, SHUT_WR); /* fails only if the peer is gone already: nothing to lose */
    if (net_set_nonblocking(fd, 1) == 0)
        for (int i = 0; i < DISCARD_MAX_READS; i++)
            if (read(fd, sink, sizeof sink) <= 0)
                break;
    close(fd);
}

/* No room: say so and hang up. The socket is new, its send buffer empty, so this one
 * non-blocking write() takes the whole line; if it fails there is nothing else to do. */
static void refuse_client(int fd)
{
    static const char full[] = "! server full\n";
    if (net_set_nonblocking(fd, 1) == 0 && write(fd, full, sizeof full - 1) < 0) {
        /* the client is already gone */
    }
    close_politely(fd);
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
        } else if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK &&
                   errno != ECONNABORTED) {
            fprintf(stderr, "%s: accept: %s\n", PROGRAM_NAME, strerror(errno));
        }
        return; /* ECONNABORTED, EAGAIN: the client gave up while it waited */
    }
    /* Check before FD_SET: a descriptor past FD_SETSIZE cannot be watched at all.
     * Then set the socket's mode either way: on Linux a socket from accept() starts out
     * blocking, but on macOS and the BSDs it inherits O_NONBLOCK from the listening
     * socket, and -B would not block at all. */
    struct client *c = NULL;
    if (s->count < s->max_clients && fd < FD_SETSIZE)
        c = calloc(1, sizeof *c);
    if (c == NULL || net_set_nonblocking(fd, !s->blocking_sends) < 0) {
        free(c);
        refuse_client(fd);
        return;
    }
    /* Nagle's algorithm holds a small write back while earlier bytes are unacknowledged,
     * hoping to merge it with the next; with the peer's delayed ACKs that can cost tens
     * of milliseconds per line. A chat line is a message: send it now. (Each flush
     * writes everything queued in one call, so we still send few, full packets.) */
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

    /* The server speaks first, and the others learn about the newcomer. */
    struct outgoing o;
    start_line(&o);
    add_text(&o, "* welcome to chatd, you are ");
    add_text(&o, c->nick);
    add_text(&o, "; /help for commands");
    end_line(&o);
    send_line(s, c, &o);
    announce(s, c, c->nick, " joined");
}

/* Step 5. Take every client that left or broke out of the room, close it, and tell
 * the others. Telling them can break another client (its queue overflows), so we
 * start over until a pass finds nobody to drop. */
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
        close_politely(c->fd);
        fprintf(stderr, "%s: %s left\n", PROGRAM_NAME, c->nick);
        s->accept_after = 0; /* a descriptor is free again */
        announce(s, NULL, c->nick, " left");
        free(c);
        i = 0;
    }
}

/* SIGTERM or SIGINT: tell everyone, give their queues a moment to drain, close. */
static void close_the_room(struct server *s)
{
    struct outgoing o;
    start_line(&o);
    add_text(&o, "* server shutting down");
    end_line(&o);
    send_to_all(s, &o);

    long long deadline = io_now_ms() + SHUTDOWN_FLUSH_MS;
    for (;;) {
        flush_output(s);
        fd_set unused, writable;
        int max_fd = -1;
        FD_ZERO(&writable);
        for (int i = 0; i < s->count; i++) {
            struct client *c = s->clients[i];
            if (c->state == CLIENT_ACTIVE && c->out.start < c->out.end) {
                FD_SET(c->fd, &writable);
                max_fd = c->fd > max_fd ? c->fd : max_fd;
            }
        }
        int left_ms = io_ms_until(deadline);
        if (max_fd < 0 || left_ms == 0)
            break;
        FD_ZERO(&unused);
        struct timeval tv = {left_ms / 1000, (left_ms % 1000) * 1000};
        if (select(max_fd + 1, &unused, &writable, NULL, &tv) < 0 && errno != EINTR)
            break;
    }
    for (int i = 0; i < s->count; i++) {
        close_politely(s->clients[i]->fd);
        free(s->clients[i]);
    }
    s->count = 0;
}

/* ---- Steps 2 and 3: reading and acting on lines --------------------------------- */

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

/* ---- The commands ----------------------------------------------------------------- */

static void command_nick(struct server *s, struct client *c, const char *name,
                         size_t length)
{
    if (!nick_is_valid(name, length)) {
        send_error(s, c, "invalid nick: ", name, length);
        return;
    }
    if (length == strlen(c->nick) && memcmp(name, c->nick, length) == 0)
        return; /* your own name: nothing changes, nothing to say */
    struct client *holder = find_client(s, name, length);
    if (holder != NULL && holder != c) {
        send_error(s, c, "nick taken: ", name, length);
        return;
    }
    struct outgoing o;
    start_line(&o);
    add_text(&o, "* ");
    add_text(&o, c->nick);
    add_text(&o, " is now known as ");
    add_bytes(&o, name, length);
    end_line(&o);
    send_to_all(s, &o);
    memcpy(c->nick, name, length);
    c->nick[length] = '\0';
}

static void command_who(struct server *s, struct client *c)
{
    /* Up to MAX_CLIENTS_LIMIT names do not fit one outgoing line: queue in pieces. */
    deliver(s, c, "* online: ", strlen("* online: "));
    const char *separator = "";
    for (int i = 0; i < s->count; i++) {
        struct client *other = s->clients[i];
        if (other->state != CLIENT_ACTIVE)
            continue;
        deliver(s, c, separator, strlen(separator));
        deliver(s, c, other->nick, strlen(other->nick));
        separator = ", ";
    }
    deliver(s, c, "\n", 1);
}

static void command_msg(struct server *s, struct client *c, const char *argument,
                        size_t length)
{
    struct command parts; /* the recipient's name, then the text */
    split_first_word(argument, length, &parts);
    if (parts.name_length == 0 || parts.argument_length == 0) {
        send_text(s, c, "! usage: /msg NAME text");
        return;
    }
    struct client *to = find_client(s, parts.name, parts.name_length);
    if (to == NULL || to->state != CLIENT_ACTIVE) {
        send_error(s, c, "no such user: ", parts.name, parts.name_length);
        return;
    }
    struct outgoing o;
    start_line(&o);
    add_text(&o, c->nick);
    add_text(&o, " (private): ");
    add_bytes(&o, parts.argument, parts.argument_length);
    end_line(&o);
    send_line(s, to, &o);
}

static void command_me(struct server *s, struct client *c, const char *text,
                       size_t length)
{
    if (length == 0) {
        send_text(s, c, "! usage: /me text");
        return;
    }
    struct outgoing o;
    start_line(&o);
    add_text(&o, "* ");
    add_text(&o, c->nick);
    add_text(&o, " ");
    add_bytes(&o, text, length);
    end_line(&o);
    send_to_others(s, c, &o);
}

static void command_help(struct server *s, struct client *c)
{
    static const char *const help[] = {
        "* commands:",
        "* /nick NAME      change your name (1-16 of A-Z a-z 0-9 _ -)",
        "* /who            list who is online",
        "* /msg NAME text  send text to NAME only",
        "* /me text        say what you do: \"/me waves\" shows \"* alice waves\"",
        "* /quit           leave",
        "* /help           this list",
        "* any other line goes to everyone",
    };
    for (size_t i = 0; i < sizeof help / sizeof help[0]; i++)
        send_text(s, c, help[i]);
}

/* Is the command word exactly `name`? */
static int is_command(const struct command *cmd, const char *name)
{
    return cmd->name_length == strlen(name) &&
           memcmp(cmd->name, name, cmd->name_length) == 0;
}

static void run_command(struct server *s, struct client *c, const char *text,
                        size_t length)
{
    struct command cmd;
    parse_command(text, length, &cmd);
    if (is_command(&cmd, "nick")) {
        command_nick(s, c, cmd.argument, cmd.argument_length);
    } else if (is_command(&cmd, "who")) {
        command_who(s, c);
    } else if (is_command(&cmd, "msg")) {
        command_msg(s, c, cmd.argument, cmd.argument_length);
    } else if (is_command(&cmd, "me")) {
        command_me(s, c, cmd.argument, cmd.argument_length);
    } else if (is_command(&cmd, "help")) {
        command_help(s, c);
    } else if (is_command(&cmd, "quit")) {
        send_text(s, c, "* bye");
        c->state = CLIENT_LEAVING; /* step 5 sends the bye, closes, tells the others */
    } else {
        send_error(s, c, "unknown command: /", cmd.name, cmd.name_length);
    }
}

/* One complete line from c, without its line ending. */
static void handle_line(struct server *s, struct client *c, const char *text,
                        size_t length)
{
    if (length == 0)
        return; /* an empty line says nothing */
    if (text[0] == '/') {
        run_command(s, c, text, length);
        return;
    }
    /* A plain line: "alice: text" to everyone else (not back to alice). */
    struct outgoing o;
    start_line(&o);
    add_text(&o, c->nick);
    add_text(&o, ": ");
    add_bytes(&o, text, length);
    end_line(&o);
    send_to_others(s, c, &o);
}

/* ---- The tick ---------------------------------------------------------------------- */

/* With -T, everyone gets "* tick K" every N seconds, although nobody asked: over a
 * connection that stays open, the server may speak whenever it likes. HTTP cannot. */
static void send_tick_if_due(struct server *s)
{
    long long now = io_now_ms();
    if (s->tick_secs == 0 || now < s->next_tick_ms)
        return;
    s->ticks++;
    char text[64];
    snprintf(text, sizeof text, "* tick %lu", s->ticks);
    struct outgoing o;
    start_line(&o);
    add_text(&o, text);
    end_line(&o);
    send_to_all(s, &o);
    /* Keep the rhythm (tick K at start + K*N), unless we fell far behind. */
    s->next_tick_ms += (long long)s->tick_secs * 1000;
    if (s->next_tick_ms <= now)
        s->next_tick_ms = now + (long long)s->tick_secs * 1000;
}
