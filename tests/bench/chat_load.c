/* chat_load.c: a load generator for chapter 3's chatd. Not part of `make test`.
 *
 * It connects CLIENTS clients to a running chatd; SENDERS of them send LINES lines
 * each, of LINE_BYTES bytes, at RATE lines per second each (0: as fast as the
 * server takes them). Every line carries its sender, its number and the moment it
 * was sent, so each receiver checks that nothing is lost or reordered and measures
 * the delivery latency. STALLED more clients connect first and never read, to show
 * that they do not slow the others down (chatd drops them).
 *
 * Build and run (from the top of the project):
 *
 *     make -C chapters/03-select-chat bench
 *     chapters/03-select-chat/chatd -p 0 -m 200 & # note its port, and $!
 *     tests/bench/chat_load -p PORT -P PID -c 50 -s 5 -n 2000 -l 1000 -r 500
 *
 * It prints one line of results: messages delivered per second, lost, reordered,
 * latency p50/p99/max, and the server's peak memory (VmHWM from /proc/PID/status,
 * where there is one and -P names the server).
 *
 * One process, one thread, poll() over every client: the load generator must not
 * be the bottleneck it measures, so it never blocks on one client.
 */
#include "net.h"
#include "options.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS    1000
#define READ_BUFFER    (64 * 1024)
#define SEND_BUFFER    (64 * 1024)
#define MIN_LINE_BYTES 48
#define MAX_LINE_BYTES 1024
#define BUCKET_US      10                            /* latency histogram resolution */
#define BUCKETS        (2 * 1000 * 1000 / BUCKET_US) /* up to 2 s; beyond: the last */
#define IDLE_LIMIT_MS  3000  /* give up when nothing arrives for this long at the end */
#define MARKER         " M " /* what a load line looks like after "guestN:" */

struct client {
    int fd;
    int stalled;      /* never reads */
    int sender;       /* sender index, or -1 */
    int closed;       /* the server dropped us */
    long next_seq;    /* next line number to send */
    size_t out_start; /* pending output: out[out_start .. out_end-1] */
    size_t out_end;
    size_t in_length;
    long *expected; /* per sender: the next line number due from it */
    char out[SEND_BUFFER];
    char in[READ_BUFFER];
};

struct load {
    const char *host, *port;
    int clients, senders, stalled;
    long lines;
    int line_bytes;
    double rate;
    long server_pid;
    struct client *c;
    long long start_ns;
    long long last_delivery_ns;
    long delivered, reordered, foreign, drops_seen;
    uint32_t *histogram;
};

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: chat_load [-H HOST] [-p PORT] [-c CLIENTS] [-s SENDERS] [-n LINES]\n"
            "                 [-l LINE_BYTES] [-r RATE] [-S STALLED] [-P SERVER_PID]\n"
            "  -c  clients that read (default 50)     -s  of them, senders (default 5)\n"
            "  -n  lines per sender (default 2000)    -l  bytes per line, LF included\n"
            "  -r  lines/s per sender, 0 = flat out   -S  extra clients that never read\n"
            "  -P  chatd's pid, for its peak memory   (default 1000 bytes, 500/s)\n");
}

static int parse(int argc, char **argv, struct load *l)
{
    int opt;
    long n;
    while ((opt = getopt(argc, argv, "H:p:c:s:n:l:r:S:P:h")) != -1) {
        int ok = 1;
        switch (opt) {
        case 'H':
            l->host = optarg;
            break;
        case 'p':
            l->port = optarg;
            break;
        case 'c':
            ok = option_number(optarg, 2, MAX_CLIENTS, &n) == 0;
            l->clients = (int)n;
            break;
        case 's':
            ok = option_number(optarg, 1, MAX_CLIENTS, &n) == 0;
            l->senders = (int)n;
            break;
        case 'n':
            ok = option_number(optarg, 1, 100000000, &l->lines) == 0;
            break;
        case 'l':
            ok = option_number(optarg, MIN_LINE_BYTES, MAX_LINE_BYTES, &n) == 0;
            l->line_bytes = (int)n;
            break;
        case 'r':
            ok = option_number(optarg, 0, 10000000, &n) == 0;
            l->rate = (double)n;
            break;
        case 'S':
            ok = option_number(optarg, 0, MAX_CLIENTS, &n) == 0;
            l->stalled = (int)n;
            break;
        case 'P':
            ok = option_number(optarg, 1, 1L << 30, &l->server_pid) == 0;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            ok = 0;
        }
        if (!ok) {
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc || l->senders > l->clients ||
        l->clients + l->stalled > MAX_CLIENTS) {
        usage(stderr);
        return 2;
    }
    return -1;
}

/* Append line number seq of sender s to its output buffer. */
static void make_line(struct load *l, struct client *c)
{
    char *p = c->out + c->out_end;
    int n = snprintf(p, (size_t)l->line_bytes, "M %04d %09ld %019lld ", c->sender,
                     c->next_seq, now_ns() - l->start_ns);
    memset(p + n, 'x', (size_t)(l->line_bytes - 1 - n));
    p[l->line_bytes - 1] = '\n';
    c->out_end += (size_t)l->line_bytes;
    c->next_seq++;
}

/* Lines due from a sender by now (all of them when flat out). */
static long lines_due(struct load *l, long long now)
{
    if (l->rate <= 0)
        return l->lines;
    long due = (long)((double)(now - l->start_ns) * l->rate / 1e9) + 1;
    return due < l->lines ? due : l->lines;
}

static void fill_output(struct load *l, struct client *c, long long now)
{
    if (c->out_start == c->out_end)
        c->out_start = c->out_end = 0;
    long due = lines_due(l, now);
    while (c->next_seq < due && c->out_end + (size_t)l->line_bytes <= SEND_BUFFER)
        make_line(l, c);
}

static void write_output(struct client *c)
{
    while (c->out_start < c->out_end) {
        ssize_t n = write(c->fd, c->out + c->out_start, c->out_end - c->out_start);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            c->closed = 1;
            return;
        }
        c->out_start += (size_t)n;
    }
}

/* "* guestN left": the server dropped someone (one of the stalled, we hope). */
static int is_left_notice(const char *line, size_t length)
{
    return length > 7 && memcmp(line, "* ", 2) == 0 &&
           memcmp(line + length - 5, " left", 5) == 0;
}

/* One received line: a load line ("guestN: M SSSS QQQQQQQQQ TTT... xxx") or a notice. */
static void received_line(struct load *l, struct client *c, const char *line,
                          size_t length, long long now)
{
    const char *text = memchr(line, ':', length);
    if (text == NULL || (size_t)(text - line) + 3 + 35 > length ||
        memcmp(text + 1, MARKER, 3) != 0) {
        if (is_left_notice(line, length))
            l->drops_seen++;
        return;
    }
    int sender;
    long seq;
    long long sent;
    if (sscanf(text + 4, "%d %ld %lld", &sender, &seq, &sent) != 3 || sender < 0 ||
        sender >= l->senders) {
        l->foreign++;
        return;
    }
    if (seq != c->expected[sender])
        l->reordered++;
    c->expected[sender] = seq + 1;
    l->delivered++;
    l->last_delivery_ns = now;
    long long us = (now - l->start_ns - sent) / 1000;
    long bucket = (long)(us / BUCKET_US);
    l->histogram[bucket < BUCKETS ? bucket : BUCKETS - 1]++;
}

/* Has "* online: " arrived, with its LF? */
static int memmem_online(const char *buf, size_t length)
{
    static const char want[] = "* online: ";
    for (size_t i = 0; i + sizeof want - 1 <= length; i++)
        if (memcmp(buf + i, want, sizeof want - 1) == 0)
            return memchr(buf + i, '\n', length - i) != NULL;
    return 0;
}

static void read_input(struct load *l, struct client *c)
{
    ssize_t n = read(c->fd, c->in + c->in_length, sizeof c->in - c->in_length);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (n <= 0) {
        c->closed = 1;
        return;
    }
    c->in_length += (size_t)n;
    long long now = now_ns();
    size_t at = 0;
    for (;;) {
        char *lf = memchr(c->in + at, '\n', c->in_length - at);
        if (lf == NULL)
            break;
        size_t length = (size_t)(lf - (c->in + at));
        received_line(l, c, c->in + at, length, now);
        at += length + 1;
    }
    memmove(c->in, c->in + at, c->in_length - at);
    c->in_length -= at;
}

/* Connect everyone: the stalled clients first (they become guest1, guest2, ...). */
static int connect_all(struct load *l)
{
    int total = l->stalled + l->clients;
    for (int i = 0; i < total; i++) {
        struct client *c = &l->c[i];
        char why[256];
        c->stalled = i < l->stalled;
        c->sender = !c->stalled && i - l->stalled < l->senders ? i - l->stalled : -1;
        c->expected = calloc((size_t)l->senders, sizeof *c->expected);
        c->fd = net_connect(l->host, l->port, why, sizeof why);
        if (c->fd < 0 || c->expected == NULL) {
            fprintf(stderr, "chat_load: client %d: %s\n", i, why);
            return -1;
        }
        if (c->stalled) {
            int small = 4096;
            setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
        }
        if (net_set_nonblocking(c->fd, 1) < 0)
            return -1;
    }
    return 0;
}

/* Wait until the server has admitted everyone: the last client asks /who and we read
 * every reader's input until that answer arrives (joins are noise, discarded). */
static int settle(struct load *l)
{
    struct client *last = &l->c[l->stalled + l->clients - 1];
    static const char who[] = "/who\n";
    if (write(last->fd, who, sizeof who - 1) != (ssize_t)(sizeof who - 1))
        return -1;
    long long deadline = now_ns() + 10000000000LL;
    while (now_ns() < deadline) {
        struct pollfd pfd = {.fd = last->fd, .events = POLLIN};
        if (poll(&pfd, 1, 100) < 0 && errno != EINTR)
            return -1;
        ssize_t n =
            read(last->fd, last->in + last->in_length, sizeof last->in - last->in_length);
        if (n > 0)
            last->in_length += (size_t)n;
        else if (n == 0)
            return -1;
        if (last->in_length > 0 && memmem_online(last->in, last->in_length)) {
            last->in_length = 0;
            return 0;
        }
    }
    return -1;
}

/* The latency below which `fraction` of the deliveries arrived, in microseconds. */
static double percentile_us(struct load *l, double fraction)
{
    long target = (long)(fraction * (double)l->delivered);
    long seen = 0;
    for (long b = 0; b < BUCKETS; b++) {
        seen += l->histogram[b];
        if (seen > target)
            return (double)(b * BUCKET_US + BUCKET_US / 2);
    }
    return (double)BUCKETS * BUCKET_US;
}

static double max_latency_us(struct load *l)
{
    for (long b = BUCKETS - 1; b >= 0; b--)
        if (l->histogram[b] != 0)
            return (double)(b * BUCKET_US + BUCKET_US);
    return 0;
}

/* VmHWM (peak resident memory) of the server, in KiB, or -1. */
static long peak_rss_kib(long pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    FILE *f = pid > 0 ? fopen(path, "r") : NULL;
    long kib = -1;
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmHWM: %ld", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

/* Send and receive until every reader has every line, or nothing moves for a while. */
static void run(struct load *l)
{
    int total = l->stalled + l->clients;
    struct pollfd *pfd = calloc((size_t)total, sizeof *pfd);
    long long expected = (long long)l->senders * l->lines * (l->clients - 1);
    long long last_progress = now_ns();
    l->start_ns = now_ns();
    while (l->delivered < expected) {
        long long now = now_ns();
        int sending = 0;
        for (int i = 0; i < total; i++) {
            struct client *c = &l->c[i];
            pfd[i].fd = c->closed ? -1 : c->fd;
            pfd[i].events = c->stalled ? 0 : POLLIN;
            if (c->sender >= 0 && !c->closed) {
                fill_output(l, c, now);
                if (c->out_start < c->out_end)
                    pfd[i].events |= POLLOUT;
                if (c->next_seq < l->lines || c->out_start < c->out_end)
                    sending = 1;
            }
        }
        int timeout = sending && l->rate > 0 ? 1 : 100;
        if (poll(pfd, (nfds_t)total, timeout) < 0 && errno != EINTR)
            break;
        long before = l->delivered;
        for (int i = 0; i < total; i++) {
            struct client *c = &l->c[i];
            if (!c->stalled && (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                read_input(l, c);
            if (pfd[i].revents & POLLOUT)
                write_output(c);
        }
        if (l->delivered != before || sending)
            last_progress = now_ns();
        else if (now_ns() - last_progress > IDLE_LIMIT_MS * 1000000LL)
            break;
    }
    free(pfd);
}

int main(int argc, char **argv)
{
    struct load l = {.host = "127.0.0.1",
                     .port = "8003",
                     .clients = 50,
                     .senders = 5,
                     .lines = 2000,
                     .line_bytes = 1000,
                     .rate = 500};
    int rc = parse(argc, argv, &l);
    if (rc >= 0)
        return rc;
    signal(SIGPIPE, SIG_IGN);
    l.c = calloc((size_t)(l.clients + l.stalled), sizeof *l.c);
    l.histogram = calloc(BUCKETS, sizeof *l.histogram);
    if (l.c == NULL || l.histogram == NULL) {
        fprintf(stderr, "chat_load: out of memory\n");
        return 1;
    }
    if (connect_all(&l) < 0 || settle(&l) < 0) {
        fprintf(stderr,
                "chat_load: could not set up %d clients (is chatd's -m big "
                "enough?)\n",
                l.clients + l.stalled);
        return 1;
    }
    run(&l);

    long long expected = (long long)l.senders * l.lines * (l.clients - 1);
    double seconds = (double)(l.last_delivery_ns - l.start_ns) / 1e9;
    long dropped_readers = 0;
    for (int i = l.stalled; i < l.stalled + l.clients; i++)
        dropped_readers += l.c[i].closed;
    long peak = peak_rss_kib(l.server_pid);
    char rate_text[32] = "flat out";
    if (l.rate > 0)
        snprintf(rate_text, sizeof rate_text, "%.0f/s", l.rate);
    char peak_text[32] = "n/a";
    if (peak >= 0)
        snprintf(peak_text, sizeof peak_text, "%.1f MiB", (double)peak / 1024);
    printf(
        "clients %d senders %d stalled %d lines %ld x %d B rate %s: delivered %ld/%lld "
        "(%.1f%%) lost %lld reordered %ld in %.2f s = %.0f msg/s; latency p50 %.2f ms "
        "p99 %.2f ms max %.2f ms; readers dropped %ld; drop notices %ld; server peak "
        "RSS %s\n",
        l.clients, l.senders, l.stalled, l.lines, l.line_bytes, rate_text, l.delivered,
        expected, expected ? 100.0 * (double)l.delivered / (double)expected : 0.0,
        expected - l.delivered, l.reordered, seconds,
        seconds > 0 ? (double)l.delivered / seconds : 0.0, percentile_us(&l, 0.50) / 1000,
        percentile_us(&l, 0.99) / 1000, max_latency_us(&l) / 1000, dropped_readers,
        l.drops_seen, peak_text);
    for (int i = 0; i < l.stalled + l.clients; i++) {
        close(l.c[i].fd);
        free(l.c[i].expected);
    }
    free(l.c);
    free(l.histogram);
    return l.delivered == expected && l.reordered == 0 ? 0 : 1;
}
