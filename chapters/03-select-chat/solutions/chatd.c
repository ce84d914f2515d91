/* chatd.c: your own chat server, chapter 3's homework (one way to write it). One
 * process, one thread, one select() loop over the listening socket and every client;
 * lines in, lines out, and nobody waits for anybody.
 *
 * Written with the C library, your five exercises (find_line, parse_command,
 * nick_is_valid, queue_append, queue_flush) and what earlier chapters taught, from
 * common/: net_listen() (listening), sig_setup_stop() (Ctrl-C), option_number() and
 * log_wire() (flags, -v). It speaks the reference's protocol for what the stages
 * check: the welcome, the relay, joined and left, long lines, /nick, /quit, the
 * slow reader, the full room, and the tick (-T).
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
    if (!to->gone && queue_append(&to->out, bytes, length) < 0) {
        fprintf(stderr, "%s: dropping %s: its output queue is full\n", PROGRAM_NAME,
                to->nick);
        to->gone = 1;
    }
}

/* To everyone except `from` (NULL: everyone). */
void deliver_to_others(struct server *s, struct client *from, const char *bytes,
                       size_t length)
{
    for (int i = 0; i < s->count; i++)
        if (s->clients[i] != from)
            deliver(s->clients[i], bytes, length);
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
    char line[OUTGOING_MAX];
    struct client *holder = find_client(s, name, length);
    if (!nick_is_valid(name, length)) {
        deliver(c, line, make_line(line, "! invalid nick: ", name, length, ""));
    } else if (holder != NULL && holder != c) {
        deliver(c, line, make_line(line, "! nick taken: ", name, length, ""));
    } else if (strlen(c->nick) != length || memcmp(c->nick, name, length) != 0) {
        char prefix[64];
        snprintf(prefix, sizeof prefix, "* %s is now known as ", c->nick);
        deliver_to_others(s, NULL, line, make_line(line, prefix, name, length, ""));
        memcpy(c->nick, name, length);
        c->nick[length] = '\0';
    }
}

void handle_line(struct server *s, struct client *c, const char *text, size_t length)
{
    char line[OUTGOING_MAX];
    struct command cmd;
    if (length == 0)
        return;
    if (parse_command(text, length, &cmd) < 0) { /* a plain line: to the others */
        char prefix[64];
        snprintf(prefix, sizeof prefix, "%s: ", c->nick);
        deliver_to_others(s, c, line, make_line(line, prefix, text, length, ""));
    } else if (cmd.name_length == 4 && memcmp(cmd.name, "nick", 4) == 0) {
        command_nick(s, c, cmd.argument, cmd.argument_length);
    } else if (cmd.name_length == 4 && memcmp(cmd.name, "quit", 4) == 0) {
        send_text(c, "* bye");
        c->gone = 1;
    } else {
        deliver(c, line,
                make_line(line, "! unknown command: /", cmd.name, cmd.name_length, ""));
    }
}

/* ---- Reading: cut the complete lines out of the buffer ---------------------------- */

void handle_input(struct server *s, struct client *c)
{
    size_t at = 0;
    struct line line;
    while (at < c->in_length && !c->gone) {
        char *rest = c->in + at;
        size_t left = c->in_length - at;
        if (c->discarding) { /* the tail of a too-long line, up to its LF */
            char *lf = memchr(rest, '\n', left);
            at += lf != NULL ? (size_t)(lf - rest) + 1 : left;
            c->discarding = lf == NULL;
            continue;
        }
        int found = find_line(rest, left, &line);
        if (found == LINE_INCOMPLETE)
            break;
        if (found == LINE_TOO_LONG) {
            send_text(c, "! line too long (max 1024 bytes)");
            c->discarding = 1;
            continue;
        }
        handle_line(s, c, rest, line.length);
        at += line.next;
    }
    if (c->gone)
        at = c->in_length; /* after /quit, the rest is ignored */
    memmove(c->in, c->in + at, c->in_length - at);
    c->in_length -= at;
}

void read_from_client(struct server *s, struct client *c)
{
    ssize_t n = read(c->fd, c->in + c->in_length, INPUT_CAPACITY - c->in_length);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (n <= 0) { /* 0: it closed (a partial line is lost); < 0: it broke */
        c->gone = 1;
        return;
    }
    if (s->verbose)
        log_wire(c->fd, LOG_RECEIVED, c->in + c->in_length, (size_t)n);
    c->in_length += (size_t)n;
    handle_input(s, c);
}

/* ---- Accepting, flushing, dropping ------------------------------------------------ */

int set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

void accept_client(struct server *s)
{
    int fd = accept(s->listen_fd, NULL, NULL);
    if (fd < 0)
        return; /* EAGAIN, ECONNABORTED, EMFILE...: that newcomer is lost, not us */
    struct client *c = NULL;
    if (s->count < s->max_clients && fd < FD_SETSIZE && set_nonblocking(fd) == 0)
        c = calloc(1, sizeof *c);
    if (c == NULL) {
        static const char full[] = "! server full\n";
        if (set_nonblocking(fd) == 0 && write(fd, full, sizeof full - 1) < 0) {
            /* it is gone already */
        }
        close(fd);
        return;
    }
    c->fd = fd;
    do { /* guest numbers are never reused and skip names taken by /nick */
        snprintf(c->nick, sizeof c->nick, "guest%lu", ++s->guests % 100000000000UL);
    } while (find_client(s, c->nick, strlen(c->nick)) != NULL);
    s->clients[s->count++] = c;
    char line[OUTGOING_MAX];
    deliver(c, line,
            make_line(line, "* welcome to chatd, you are ", c->nick, strlen(c->nick),
                      "; /help for commands"));
    announce(s, c, c->nick, " joined");
}

void flush_client(struct server *s, struct client *c)
{
    const char *pending = c->out.data + c->out.start;
    ssize_t n = queue_flush(&c->out, c->fd);
    if (n < 0)
        c->gone = 1;
    else if (n > 0 && s->verbose)
        log_wire(c->fd, LOG_SENT, pending, (size_t)n);
}

/* Take out who left; telling the others may overflow another queue: start over. */
void drop_gone_clients(struct server *s)
{
    for (int i = 0; i < s->count; i++) {
        struct client *c = s->clients[i];
        if (!c->gone)
            continue;
        memmove(&s->clients[i], &s->clients[i + 1],
                (size_t)(s->count - i - 1) * sizeof(struct client *));
        s->count--;
        flush_client(s, c); /* one last try: "* bye" */
        close(c->fd);
        announce(s, NULL, c->nick, " left");
        free(c);
        i = -1;
    }
}

void send_tick_if_due(struct server *s)
{
    if (s->tick_secs == 0 || now_ms() < s->next_tick_ms)
        return;
    char text[64];
    snprintf(text, sizeof text, "* tick %lu", ++s->ticks);
    for (int i = 0; i < s->count; i++)
        send_text(s->clients[i], text);
    s->next_tick_ms += (long long)s->tick_secs * 1000;
}

/* ---- The loop --------------------------------------------------------------------- */

int main_loop(struct server *s)
{
    while (!sig_stop_requested) {
        fd_set readable, writable;
        FD_ZERO(&readable);
        FD_ZERO(&writable);
        FD_SET(s->listen_fd, &readable);
        int max_fd = s->listen_fd;
        for (int i = 0; i < s->count; i++) {
            struct client *c = s->clients[i];
            FD_SET(c->fd, &readable);
            if (c->out.start < c->out.end) /* write interest only with bytes waiting */
                FD_SET(c->fd, &writable);
            max_fd = c->fd > max_fd ? c->fd : max_fd;
        }
        struct timespec tick, *timeout = NULL;
        if (s->tick_secs > 0) {
            long long wait = s->next_tick_ms - now_ms();
            wait = wait > 0 ? wait : 0;
            tick.tv_sec = (time_t)(wait / 1000);
            tick.tv_nsec = (long)(wait % 1000) * 1000000L;
            timeout = &tick;
        }
        int ready =
            pselect(max_fd + 1, &readable, &writable, NULL, timeout, &s->wait_mask);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0)
            return -1;
        for (int i = 0; i < s->count; i++)
            if (FD_ISSET(s->clients[i]->fd, &readable))
                read_from_client(s, s->clients[i]);
        if (FD_ISSET(s->listen_fd, &readable))
            accept_client(s);
        send_tick_if_due(s);
        for (int i = 0; i < s->count; i++)
            if (!s->clients[i]->gone && s->clients[i]->out.start < s->clients[i]->out.end)
                flush_client(s, s->clients[i]);
        drop_gone_clients(s);
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
