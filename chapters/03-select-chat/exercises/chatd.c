/* chatd.c: your own chat server, chapter 3's homework. One process, one thread,
 * one select() loop over the listening socket and every client: lines in, lines
 * out, and nobody waits for anybody.
 *
 * This skeleton compiles and runs: main(), the flags, listening, the start line,
 * building lines and finding a client by name are written. Each TODO is yours, in
 * the order of the stages (exercises.h lists them with the exercises they call):
 * `make homework CH=3` says what to do next. As shipped, the server prints its start
 * line and then sleeps: clients connect and hear nothing. ../solutions/chatd.c is
 * one way to do it; try first.
 */
#include "exercises.h"

#include "log.h"
#include "net.h"
#include "options.h"
#include "sig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROGRAM_NAME        "chatd"
#define DEFAULT_ADDRESS     "127.0.0.1"
#define DEFAULT_PORT        "8003"
#define DEFAULT_MAX_CLIENTS 100
#define MAX_TICK_SECS       86400
#define RESERVED_FDS        5 /* stdin, stdout, stderr, the listener, one to refuse */
#define MAX_CLIENTS_LIMIT   (FD_SETSIZE - RESERVED_FDS)
#define INPUT_CAPACITY      (4 * LINE_MAX_BYTES)
#define OUTGOING_MAX        (NICK_MAX_BYTES + LINE_MAX_BYTES + 64)

struct client {
    int fd;
    int gone; /* left, broke or overflowed: step 5 takes it out */
    int discarding;
    char nick[NICK_MAX_BYTES + 1];
    size_t in_length;
    char in[INPUT_CAPACITY];
    struct queue out;
};

struct server {
    int listen_fd, max_clients, tick_secs, verbose;
    int blocking_sends; /* -B: the reference's naive sends; this server has none */
    sigset_t wait_mask;
    unsigned long guests, ticks;
    long long next_tick_ms;
    int count;
    struct client **clients; /* in joining order */
};

/* The pieces of the lesson, in the order of the stages (exercises.h). Not static,
 * nor are the helpers below: in the skeleton most are not called yet, and it must
 * compile without warnings. */
int main_loop(struct server *s);                                   /* 3.s1 */
void accept_client(struct server *s);                              /* 3.s1 3.s4 3.s6 */
void deliver(struct client *to, const char *bytes, size_t length); /* 3.s1 3.s5 */
void flush_client(struct server *s, struct client *c);             /* 3.s1 */
void read_from_client(struct server *s, struct client *c);         /* 3.s2 3.s4 */
void handle_input(struct server *s, struct client *c);             /* 3.s2 3.s3 */
void handle_line(struct server *s, struct client *c, const char *text,
                 size_t length); /* 3.s2 3.s7 */
void deliver_to_others(struct server *s, struct client *from, const char *bytes,
                       size_t length);    /* 3.s2 */
void drop_gone_clients(struct server *s); /* 3.s4 */
void command_nick(struct server *s, struct client *c, const char *name,
                  size_t length);        /* 3.s7 */
void send_tick_if_due(struct server *s); /* 3.s8 */

long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- Sending: every line goes through a bounded queue ----------------------------- */

/* Queue a line for one client. If it does not fit, the client stopped reading: drop
 * it rather than hold unbounded memory or wait for it. */
void deliver(struct client *to, const char *bytes, size_t length)
{
    /* TODO (stage 3.s1): queue_append() the bytes to to->out (exercise 3.4);
     * flush_client() writes them when the socket can take them.
     * TODO (stage 3.s5): when queue_append() refuses (64 KiB waiting), that client
     * has stopped reading: mark it gone, so step 5 drops it. Never wait for it. */
    (void)to;
    (void)bytes;
    (void)length;
}

/* To everyone except `from` (NULL: everyone). */
void deliver_to_others(struct server *s, struct client *from, const char *bytes,
                       size_t length)
{
    /* TODO (stage 3.s2): deliver() to every client in the room but `from` (NULL:
     * everyone). */
    (void)s;
    (void)from;
    (void)bytes;
    (void)length;
}

/* Build prefix + bytes + suffix + LF in out[OUTGOING_MAX]; returns its length. The
 * prefix and suffix are short texts of ours; the bytes are a client's: any byte. */
size_t make_line(char *out, const char *prefix, const char *bytes, size_t length,
                 const char *suffix)
{
    size_t p = (size_t)snprintf(out, OUTGOING_MAX, "%s", prefix);
    size_t room = OUTGOING_MAX - p - strlen(suffix) - 2; /* the LF and a NUL */
    if (length > room)
        length = room;
    memcpy(out + p, bytes, length);
    return p + length +
           (size_t)snprintf(out + p + length, OUTGOING_MAX - p - length, "%s\n", suffix);
}

void send_text(struct client *to, const char *text)
{
    char line[OUTGOING_MAX];
    deliver(to, line, make_line(line, text, "", 0, ""));
}

/* "* NICK joined", "* NICK left": to everyone but `except`. */
void announce(struct server *s, struct client *except, const char *nick, const char *what)
{
    char line[OUTGOING_MAX];
    deliver_to_others(s, except, line, make_line(line, "* ", nick, strlen(nick), what));
}

/* ---- What a line means ------------------------------------------------------------ */

int same_name(const char *a, const char *b, size_t b_length)
{
    if (strlen(a) != b_length)
        return 0;
    for (size_t i = 0; i < b_length; i++) {
        char x = a[i], y = b[i];
        x = (char)(x >= 'A' && x <= 'Z' ? x - 'A' + 'a' : x);
        y = (char)(y >= 'A' && y <= 'Z' ? y - 'A' + 'a' : y);
        if (x != y)
            return 0;
    }
    return 1;
}

struct client *find_client(struct server *s, const char *name, size_t length)
{
    for (int i = 0; i < s->count; i++)
        if (same_name(s->clients[i]->nick, name, length))
            return s->clients[i];
    return NULL;
}

void command_nick(struct server *s, struct client *c, const char *name, size_t length)
{
    /* TODO (stage 3.s7): "! invalid nick: NAME" unless nick_is_valid() (exercise
     * 3.3); "! nick taken: NAME" if find_client() finds someone else; your own name
     * again: nothing. Else everyone, the sender too, gets
     * "* guest1 is now known as NAME", and c->nick changes. */
    (void)s;
    (void)c;
    (void)name;
    (void)length;
}

void handle_line(struct server *s, struct client *c, const char *text, size_t length)
{
    /* TODO (stage 3.s2): an empty line says nothing. A plain line from alice goes to
     * everyone else as "alice: text" (make_line() and deliver_to_others()); the text
     * may hold any byte, NUL included: lengths, never strlen().
     * TODO (stage 3.s7): a line that parse_command() (exercise 3.2) takes is a
     * command: "/nick NAME" (command_nick()), "/quit" ("* bye" may come first; then
     * mark it gone), anything else "! unknown command: /NAME". */
    (void)s;
    (void)c;
    (void)text;
    (void)length;
}

/* ---- Reading: cut the complete lines out of the buffer ---------------------------- */

void handle_input(struct server *s, struct client *c)
{
    /* TODO (stage 3.s2): cut the complete lines out of c->in[0 .. c->in_length-1]
     * with find_line() (exercise 3.1), call handle_line() for each, and keep an
     * incomplete one at the front of c->in for the next read (memmove).
     * TODO (stage 3.s3): LINE_TOO_LONG: send "! line too long (max 1024 bytes)" once,
     * then throw bytes away up to the next LF, even across reads (c->discarding).
     * After /quit (c->gone), ignore the rest. */
    (void)s;
    (void)c;
}

void read_from_client(struct server *s, struct client *c)
{
    /* TODO (stage 3.s2): one read() into c->in after the c->in_length bytes kept
     * from before (at most INPUT_CAPACITY in all), then handle_input(). EAGAIN or
     * EINTR: nothing after all. With s->verbose, log_wire(..., LOG_RECEIVED, ...).
     * TODO (stage 3.s4): 0 (the client closed) or an error (a reset): mark it gone;
     * a partial line left in c->in is dropped. */
    (void)s;
    (void)c;
}

/* ---- Accepting, flushing, dropping ------------------------------------------------ */

int set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

void accept_client(struct server *s)
{
    /* TODO (stage 3.s1): accept() the newcomer (a failure loses that client, not
     * the server), make it non-blocking, calloc() a struct client, name it guestN
     * (++s->guests; numbers are never reused, and skip a name find_client() finds),
     * add it to s->clients and deliver() the welcome:
     *     "* welcome to chatd, you are guest1; /help for commands"
     * TODO (stage 3.s4): announce " joined" to the others (not to the newcomer).
     * TODO (stage 3.s6): with s->count == s->max_clients already (or an fd at or
     * above FD_SETSIZE, which select() cannot watch), write "! server full\n" and
     * close() instead; a refused client uses no guest number. */
    (void)s;
}

void flush_client(struct server *s, struct client *c)
{
    /* TODO (stage 3.s1): queue_flush() c's queue to c->fd (exercise 3.5): what the
     * kernel takes now, no more. -1: the client is gone (EPIPE, ECONNRESET). With
     * s->verbose, log_wire(c->fd, LOG_SENT, ...) what was written. */
    (void)s;
    (void)c;
}

/* Take out who left; telling the others may overflow another queue: start over. */
void drop_gone_clients(struct server *s)
{
    /* TODO (stage 3.s4): take every gone client out of s->clients (keep the joining
     * order of the others), try one last flush ("* bye"), close() it, free() it and
     * announce " left" to the others. Telling them can overflow another queue and
     * make it gone too: start over until a pass finds nobody. */
    (void)s;
}

void send_tick_if_due(struct server *s)
{
    /* TODO (stage 3.s8): with -T N, when now_ms() reaches
     * s->next_tick_ms, send everyone "* tick K" (K = ++s->ticks) and move
     * next_tick_ms N seconds on. The server speaks although nobody asked. */
    (void)s;
}

/* ---- The loop --------------------------------------------------------------------- */

int main_loop(struct server *s)
{
    while (!sig_stop_requested) {
        /* TODO (stage 3.s1): the loop, in five steps. 1. Fill two fd_sets: the
         * listening socket and every client for reading; for writing only the clients
         * with bytes queued (out.start < out.end), or select() wakes you at once,
         * forever. Sleep in pselect() with s->wait_mask as the signal mask (so that
         * Ctrl-C wakes it: EINTR, go round) and, with -T, the time to the next tick
         * as the timeout. 2-3. read_from_client() every client FD_ISSET() says is
         * readable; accept_client() when the listening socket is. Then
         * send_tick_if_due(). 4. flush_client() every client with bytes queued. 5.
         * drop_gone_clients(). Until then the server sleeps until a signal comes,
         * watching nothing: clients connect (the kernel completes the handshake and
         * queues them) and hear nothing. */
        if (pselect(0, NULL, NULL, NULL, NULL, &s->wait_mask) < 0 && errno != EINTR)
            return -1;
    }
    return 0;
}

/* ---- main and the flags (as the reference's) -------------------------------------- */

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

int main(int argc, char **argv)
{
    struct server s = {.listen_fd = -1, .max_clients = DEFAULT_MAX_CLIENTS};
    const char *address = DEFAULT_ADDRESS, *port = DEFAULT_PORT;
    int rc = parse_options(argc, argv, &s, &address, &port);
    if (rc >= 0)
        return rc;
    if (sig_setup_stop(&s.wait_mask) < 0) {
        fprintf(stderr, "%s: signals: %s\n", PROGRAM_NAME, strerror(errno));
        return 1;
    }
    char why[256], url[NET_ADDRSTRLEN + 16];
    s.listen_fd = net_listen(address, port, NET_LISTEN_BACKLOG, why, sizeof why);
    if (s.listen_fd < 0) {
        fprintf(stderr, "%s: %s\n", PROGRAM_NAME, why);
        return 1;
    }
    if (s.listen_fd >= FD_SETSIZE ||
        net_listen_url(s.listen_fd, "chat", url, sizeof url) < 0 ||
        (s.clients = calloc((size_t)s.max_clients, sizeof(struct client *))) == NULL) {
        fprintf(stderr, "%s: setting up: %s\n", PROGRAM_NAME, strerror(errno));
        close(s.listen_fd);
        return 1;
    }
    printf("%s: listening on %s\n", PROGRAM_NAME, url);
    fflush(stdout);
    s.next_tick_ms = now_ms() + (long long)s.tick_secs * 1000;
    rc = main_loop(&s);
    /* Goodbye: one try each, no waiting. (clients[0..count) are never NULL; the
     * test is for clang-tidy's analyzer, which cannot see that.) */
    for (int i = 0; i < s.count && s.clients[i] != NULL; i++) {
        struct client *c = s.clients[i];
        send_text(c, "* server shutting down");
        queue_flush(&c->out, c->fd);
        close(c->fd);
        free(c);
    }
    close(s.listen_fd);
    free(s.clients);
    return rc < 0 ? 1 : 0;
}
