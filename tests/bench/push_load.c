/* push_load.c: a load generator for chapter 5's pushd. A measuring tool, not part of
 * the lesson, and not part of `make test`: `make bench-push` runs it
 * (tests/bench/push-bench.sh).
 *
 * It fills pushd's one room with members on all three transports (by default 50
 * WebSocket, 25 server-sent events, 25 raw chat port), lets SENDERS of them send
 * numbered lines at RATE lines per second each for SECS seconds, and checks that
 * every other member gets every line of every sender, in order, none lost, none
 * twice, and never its own back (the room does not echo). Latency is the moment a
 * line is read minus the moment it was written: the lines carry their sender and
 * number, the generator keeps the send times. The senders take the transports in
 * turn, WebSocket, raw, SSE (an SSE member sends with POST /send), so the default 5
 * are 2 WebSocket, 2 raw and 1 SSE.
 *
 * With -N two more members join, one WebSocket and one SSE, and never read again
 * after joining (their receive buffers are made small, SO_RCVBUF 4 KiB before
 * connect()). pushd must drop them (the others hear "* NAME left", their sockets
 * are closed) while everyone else still gets everything.
 *
 * Each run starts a fresh pushd (-s PATH, on port 0, with -m 200: the room must
 * hold 102 members and pushd's default is 100) and reads its peak memory, VmHWM
 * from /proc/PID/status, before stopping it (where there is no /proc: "not
 * measured"). After RUNS runs it prints the medians and compares them with the
 * targets of issue 12; exit status 1 when one is missed, with a line saying which.
 *
 * One process, one thread, poll() over every connection: the generator must not be
 * the bottleneck it measures, so it never waits on one member, and its senders are
 * paced by the clock (a line is due at start + n / RATE), not by sleeps that drift.
 */
#include "options.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_MEMBERS    900
#define MAX_SENDERS    50
#define MAX_RUNS       15
#define IN_CAPACITY    (64 * 1024) /* bytes read and not yet parsed, per member */
#define OUT_CAPACITY   (64 * 1024) /* bytes to send, per member */
#define MAX_POST_BODY  (16 * 1024) /* an SSE sender's lines per POST /send, at most */
#define MIN_LINE_BYTES 48
#define MAX_LINE_BYTES 1024 /* pushd's limit, LF not counted */
#define STALLED_RCVBUF 4096 /* the never-reading members' receive buffer */
#define BUCKET_US      10
#define BUCKETS        (5 * 1000 * 1000 / BUCKET_US) /* up to 5 s; beyond: the last */
#define SETUP_MS       5000                          /* each step of joining, at most */
#define IDLE_LIMIT_MS  3000 /* give up when nothing arrives for this long at the end */
#define CLOSE_WAIT_MS  5000 /* how long a dropped member's socket may take to close */
#define PUSHD_MEMBERS  "200"
#define TARGET_P99_MS  30.0
#define TARGET_RSS_MIB 32.0

enum transport { WEBSOCKET, SSE, RAW, TRANSPORTS };
static const char *const transport_names[TRANSPORTS] = {"WebSocket", "SSE", "raw"};

struct member {
    enum transport transport;
    int fd;              /* what it hears the room on (the SSE stream for SSE) */
    int stalled;         /* never reads after joining (until the room says it left) */
    int sender;          /* its index among the senders, or -1 */
    int closed;          /* the server closed fd */
    long long closed_ns; /* a never-reading member: when it saw the end of fd */
    char nick[32];
    char token[64]; /* SSE: its session */
    size_t in_length;
    unsigned char in[IN_CAPACITY];
    /* Sending: raw and WebSocket senders write to fd, an SSE sender to post_fd. */
    size_t out_length;
    unsigned char out[OUT_CAPACITY];
    long next_seq;      /* the next line it sends */
    int post_fd;        /* SSE sender: its POST /send connection, or -1 */
    int post_in_flight; /* SSE sender: a POST awaits its 204 */
    size_t post_length; /* SSE sender: the response read so far */
    char post_in[4096];
    long *expected;          /* per sender: the line number due next from it */
    int left_notices;        /* "* NAME left" for a never-reading member, heard */
    long long left_heard_ns; /* a never-reading member: when its "left" first came */
};

struct config {
    const char *pushd_path; /* -s: start this pushd; else connect to the ports */
    const char *host;
    char http_port[16], chat_port[16];
    long server_pid; /* -i: the running pushd's pid, for its memory */
    int members[TRANSPORTS];
    int senders;
    long rate;
    long seconds;
    int line_bytes;
    int never_reading; /* -N */
    int runs;
};

/* What one run found. */
struct result {
    long long expected, delivered, gaps, duplicates, echoes;
    double p50_ms, p99_ms, max_ms, p99_by_transport[TRANSPORTS];
    double lag_max_ms; /* the most a sender fell behind its schedule */
    long rss_kib;      /* pushd's VmHWM, or -1 */
    double server_cpu_s, load_cpu_s;
    int dropped_ok; /* -N: both dropped, heard leaving by all, closed */
    char dropped_text[256];
};

struct run {
    const struct config *cfg;
    struct member *m;
    int count;  /* members, the never-reading ones last */
    long lines; /* per sender */
    long long start_ns;
    long long *sent_ns; /* [sender * lines + seq]: when it was written */
    struct member *senders[MAX_SENDERS];
    uint32_t *histogram[TRANSPORTS];
    struct result res;
};

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
    stop_requested = sig;
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long now_ms(void)
{
    return now_ns() / 1000000;
}

/* ---- Connections, and waiting with a deadline (setup only) ------------------------ */

/* Connect to host:port. A never-reading member gets its small receive buffer before
 * connect(), so that the window it offers is small from the start. Non-blocking,
 * without Nagle (a line is a message: it must go now). Returns the fd or -1. */
static int open_connection(const char *host, const char *port, int small_rcvbuf)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *list;
    if (getaddrinfo(host, port, &hints, &list) != 0)
        return -1;
    int fd = -1;
    for (struct addrinfo *ai = list; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0)
            continue;
        int size = STALLED_RCVBUF, one = 1;
        if ((small_rcvbuf &&
             setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size) < 0) ||
            connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0 ||
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(list);
    return fd;
}

/* Wait until fd is readable (or writable) or the deadline passes: 1, 0 or -1. */
static int wait_for(int fd, int for_write, long long deadline_ms)
{
    for (;;) {
        long long left = deadline_ms - now_ms();
        if (left <= 0 || stop_requested)
            return 0;
        struct pollfd pfd = {.fd = fd, .events = for_write ? POLLOUT : POLLIN};
        int ready = poll(&pfd, 1, (int)left);
        if (ready < 0 && errno == EINTR)
            continue;
        return ready;
    }
}

/* Write all of it, waiting for room up to the deadline. Returns 0 or -1. */
static int send_all(int fd, const void *bytes, size_t length, long long deadline_ms)
{
    const char *p = bytes;
    while (length > 0) {
        ssize_t n = write(fd, p, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (wait_for(fd, 1, deadline_ms) <= 0)
                return -1;
            continue;
        }
        if (n <= 0)
            return -1;
        p += n;
        length -= (size_t)n;
    }
    return 0;
}

/* Read what has come into buf (which holds *length bytes of capacity `size`),
 * waiting up to the deadline. Returns the bytes added, or -1 (end, error, time). */
static ssize_t read_more(int fd, void *buf, size_t *length, size_t size,
                         long long deadline_ms)
{
    for (;;) {
        if (*length == size || wait_for(fd, 0, deadline_ms) <= 0)
            return -1;
        ssize_t n = read(fd, (char *)buf + *length, size - *length);
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
            continue;
        if (n <= 0)
            return -1;
        *length += (size_t)n;
        return n;
    }
}

static void consume(unsigned char *buf, size_t *length, size_t n)
{
    memmove(buf, buf + n, *length - n);
    *length -= n;
}

/* Where an HTTP head ends (one past its empty line), or 0 when it has not yet. */
static size_t head_end(const void *buf, size_t length)
{
    const char *p = buf;
    for (size_t i = 3; i < length; i++)
        if (memcmp(p + i - 3, "\r\n\r\n", 4) == 0)
            return i + 1;
    return 0;
}

/* Read a response head into m->in; returns its status, with the head's size in
 * *size (the bytes after it stay in m->in), or -1. */
static int read_head(struct member *m, size_t *size)
{
    long long deadline = now_ms() + SETUP_MS;
    while ((*size = head_end(m->in, m->in_length)) == 0)
        if (read_more(m->fd, m->in, &m->in_length, sizeof m->in, deadline) < 0)
            return -1;
    const char *p = (const char *)m->in;
    if (*size < 12 || memcmp(p, "HTTP/1.1 ", 9) != 0)
        return -1;
    return (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
}

/* ---- WebSocket frames ------------------------------------------------------------- */

/* A server frame: never masked (RFC 6455 §5.1), one per room line here. */
struct frame {
    int fin, opcode;
    const unsigned char *payload;
    size_t length, size; /* payload bytes; the whole frame's bytes */
};

/* The frame at the start of buf: 1 with *f filled, 0 when it is not all there yet,
 * -1 when it is not a frame a server may send. */
static int next_frame(const unsigned char *buf, size_t length, struct frame *f)
{
    if (length < 2)
        return 0;
    size_t header = 2;
    uint64_t payload = buf[1] & 0x7f;
    if (buf[1] & 0x80)
        return -1;
    if (payload == 126) {
        header = 4;
        if (length < header)
            return 0;
        payload = (uint64_t)buf[2] << 8 | buf[3];
    } else if (payload == 127) {
        header = 10;
        if (length < header)
            return 0;
        payload = 0;
        for (int i = 2; i < 10; i++)
            payload = payload << 8 | buf[i];
    }
    if (payload > IN_CAPACITY)
        return -1;
    if (length < header + payload)
        return 0;
    f->fin = buf[0] >> 7;
    f->opcode = buf[0] & 0x0f;
    f->payload = buf + header;
    f->length = (size_t)payload;
    f->size = header + (size_t)payload;
    return 1;
}

/* A client frame: masked, as every client frame must be, with a key from a cheap
 * generator (a benchmark needs no unpredictable keys; a browser's are). */
static size_t client_frame(unsigned char *out, int opcode, const void *payload,
                           size_t length)
{
    static uint32_t state = 0x9e3779b9u;
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    unsigned char key[4] = {(unsigned char)(state >> 24), (unsigned char)(state >> 16),
                            (unsigned char)(state >> 8), (unsigned char)state};
    size_t n = 0;
    out[n++] = (unsigned char)(0x80 | opcode);
    if (length <= 125) {
        out[n++] = (unsigned char)(0x80 | length);
    } else {
        out[n++] = 0x80 | 126;
        out[n++] = (unsigned char)(length >> 8);
        out[n++] = (unsigned char)length;
    }
    memcpy(out + n, key, 4);
    n += 4;
    const unsigned char *p = payload;
    for (size_t i = 0; i < length; i++)
        out[n++] = p[i] ^ key[i % 4];
    return n;
}

/* ---- Joining ---------------------------------------------------------------------- */

/* "* welcome to pushd, you are guest7; /help for commands": the nick. */
static int take_nick(struct member *m, const char *line, size_t length)
{
    static const char prefix[] = "* welcome to pushd, you are ";
    size_t skip = sizeof prefix - 1;
    if (length <= skip || memcmp(line, prefix, skip) != 0)
        return -1;
    size_t n = 0;
    while (skip + n < length && line[skip + n] != ';' && n + 1 < sizeof m->nick)
        n++;
    memcpy(m->nick, line + skip, n);
    m->nick[n] = '\0';
    return 0;
}

static int raw_join(const struct config *cfg, struct member *m)
{
    m->fd = open_connection(cfg->host, cfg->chat_port, m->stalled);
    long long deadline = now_ms() + SETUP_MS;
    unsigned char *lf;
    while (m->fd >= 0 && (lf = memchr(m->in, '\n', m->in_length)) == NULL)
        if (read_more(m->fd, m->in, &m->in_length, sizeof m->in, deadline) < 0)
            return -1;
    if (m->fd < 0 || take_nick(m, (const char *)m->in, (size_t)(lf - m->in)) < 0)
        return -1;
    consume(m->in, &m->in_length, (size_t)(lf - m->in) + 1);
    return 0;
}

static int ws_join(const struct config *cfg, struct member *m)
{
    m->fd = open_connection(cfg->host, cfg->http_port, m->stalled);
    if (m->fd < 0)
        return -1;
    char request[512];
    int n = snprintf(request, sizeof request,
                     "GET /ws HTTP/1.1\r\nHost: %s:%s\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: "
                     "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
                     cfg->host, cfg->http_port);
    size_t size;
    if (send_all(m->fd, request, (size_t)n, now_ms() + SETUP_MS) < 0 ||
        read_head(m, &size) != 101)
        return -1;
    consume(m->in, &m->in_length, size);
    /* The first frame is the welcome. */
    struct frame f;
    long long deadline = now_ms() + SETUP_MS;
    while (next_frame(m->in, m->in_length, &f) == 0)
        if (read_more(m->fd, m->in, &m->in_length, sizeof m->in, deadline) < 0)
            return -1;
    if (next_frame(m->in, m->in_length, &f) < 0 ||
        take_nick(m, (const char *)f.payload, f.length) < 0)
        return -1;
    consume(m->in, &m->in_length, f.size);
    return 0;
}

/* The string value of "key":"..." in a small JSON object, copied into out. */
static int json_string(const char *json, size_t length, const char *key, char *out,
                       size_t size)
{
    char pattern[32];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    size_t plen = strlen(pattern);
    for (size_t i = 0; i + plen <= length; i++) {
        if (memcmp(json + i, pattern, plen) != 0)
            continue;
        size_t n = 0;
        while (i + plen + n < length && json[i + plen + n] != '"' && n + 1 < size)
            n++;
        memcpy(out, json + i + plen, n);
        out[n] = '\0';
        return 0;
    }
    return -1;
}

/* POST /join on the connection, then GET /events on the same one (keep-alive). */
static int sse_join(const struct config *cfg, struct member *m)
{
    m->fd = open_connection(cfg->host, cfg->http_port, m->stalled);
    if (m->fd < 0)
        return -1;
    char request[512];
    int n = snprintf(request, sizeof request,
                     "POST /join HTTP/1.1\r\nHost: %s:%s\r\nContent-Length: 0\r\n\r\n",
                     cfg->host, cfg->http_port);
    size_t size;
    if (send_all(m->fd, request, (size_t)n, now_ms() + SETUP_MS) < 0 ||
        read_head(m, &size) != 200)
        return -1;
    /* The body is a small JSON object: read until its closing brace. */
    const char *body = (const char *)m->in + size, *brace;
    long long deadline = now_ms() + SETUP_MS;
    while ((brace = memchr(body, '}', m->in_length - size)) == NULL)
        if (read_more(m->fd, m->in, &m->in_length, sizeof m->in, deadline) < 0)
            return -1;
    size_t body_length = (size_t)(brace - body) + 1;
    if (json_string(body, body_length, "session", m->token, sizeof m->token) < 0 ||
        json_string(body, body_length, "nick", m->nick, sizeof m->nick) < 0)
        return -1;
    consume(m->in, &m->in_length, size + body_length);
    n = snprintf(request, sizeof request,
                 "GET /events?session=%s HTTP/1.1\r\nHost: %s:%s\r\n\r\n", m->token,
                 cfg->host, cfg->http_port);
    if (send_all(m->fd, request, (size_t)n, now_ms() + SETUP_MS) < 0 ||
        read_head(m, &size) != 200)
        return -1;
    consume(m->in, &m->in_length, size); /* the stream's events stay */
    if (m->sender >= 0)
        m->post_fd = open_connection(cfg->host, cfg->http_port, 0);
    return m->sender >= 0 && m->post_fd < 0 ? -1 : 0;
}

static int join(const struct config *cfg, struct member *m)
{
    switch (m->transport) {
    case WEBSOCKET:
        return ws_join(cfg, m);
    case SSE:
        return sse_join(cfg, m);
    default:
        return raw_join(cfg, m);
    }
}

/* The members in joining order: the transports take turns (WebSocket, SSE, raw,
 * until each has its count), then the never-reading two. The senders are the first
 * of each transport, taken in the order WebSocket, raw, SSE, WebSocket, ... */
static void assign_members(struct run *r)
{
    const struct config *cfg = r->cfg;
    int left[TRANSPORTS];
    memcpy(left, cfg->members, sizeof left);
    int n = 0;
    while (left[WEBSOCKET] + left[SSE] + left[RAW] > 0)
        for (int t = 0; t < TRANSPORTS; t++)
            if (left[t] > 0) {
                r->m[n++].transport = (enum transport)t;
                left[t]--;
            }
    if (cfg->never_reading) {
        r->m[n].transport = WEBSOCKET;
        r->m[n++].stalled = 1;
        r->m[n].transport = SSE;
        r->m[n++].stalled = 1;
    }
    r->count = n;
    static const enum transport turns[] = {WEBSOCKET, RAW, SSE};
    int taken[TRANSPORTS] = {0, 0, 0};
    for (int s = 0, turn = 0; s < cfg->senders; turn++) {
        enum transport t = turns[turn % 3];
        int seen = 0;
        for (int i = 0; i < r->count && s < cfg->senders; i++) {
            if (r->m[i].transport != t || r->m[i].stalled || seen++ < taken[t])
                continue;
            r->m[i].sender = s;
            r->senders[s++] = &r->m[i];
            taken[t]++;
            break;
        }
    }
}

static int join_all(struct run *r)
{
    for (int i = 0; i < r->count; i++) {
        struct member *m = &r->m[i];
        if (join(r->cfg, m) < 0) {
            fprintf(stderr, "push_load: member %d (%s%s) could not join\n", i + 1,
                    transport_names[m->transport], m->stalled ? ", never reading" : "");
            return -1;
        }
    }
    return 0;
}

/* ---- Sending ---------------------------------------------------------------------- */

/* Line seq of sender k: "L k seq xxx...", line_bytes long with its LF. */
static size_t make_line(const struct run *r, int k, long seq, char *out)
{
    int n = snprintf(out, MAX_LINE_BYTES, "L %d %ld ", k, seq);
    size_t total = (size_t)r->cfg->line_bytes;
    memset(out + n, 'x', total - 1 - (size_t)n);
    out[total - 1] = '\n';
    return total;
}

/* How many of sender k's lines are due by now. The senders are spread over the
 * interval, so that they do not all send at the same instant. */
static long lines_due(const struct run *r, int k, long long now)
{
    double interval_ns = 1e9 / (double)r->cfg->rate;
    double offset = interval_ns * k / r->cfg->senders;
    double elapsed = (double)(now - r->start_ns) - offset;
    long due = elapsed < 0 ? 0 : (long)(elapsed / interval_ns) + 1;
    return due < r->lines ? due : r->lines;
}

static void note_lag(struct run *r, int k, long seq, long long now)
{
    double interval_ns = 1e9 / (double)r->cfg->rate;
    double scheduled =
        (double)r->start_ns + interval_ns * ((double)seq + (double)k / r->cfg->senders);
    double lag_ms = ((double)now - scheduled) / 1e6;
    if (lag_ms > r->res.lag_max_ms)
        r->res.lag_max_ms = lag_ms;
}

/* A raw or WebSocket sender: every due line into its output, stamped now. */
static void produce_lines(struct run *r, struct member *m, long long now)
{
    long due = lines_due(r, m->sender, now);
    char line[MAX_LINE_BYTES + 1];
    while (m->next_seq < due &&
           m->out_length + (size_t)r->cfg->line_bytes + 14 <= sizeof m->out) {
        size_t n = make_line(r, m->sender, m->next_seq, line);
        if (m->transport == WEBSOCKET) { /* one TEXT frame, the line without its LF */
            m->out_length += client_frame(m->out + m->out_length, 0x1, line, n - 1);
        } else {
            memcpy(m->out + m->out_length, line, n);
            m->out_length += n;
        }
        r->sent_ns[(long)m->sender * r->lines + m->next_seq] = now;
        note_lag(r, m->sender, m->next_seq, now);
        m->next_seq++;
    }
}

/* An SSE sender: when its last POST /send has been answered, the lines due go in
 * one request (usually one line: a POST takes well under the 2 ms between two). */
static void post_lines(struct run *r, struct member *m, long long now)
{
    long due = lines_due(r, m->sender, now);
    if (m->post_in_flight || m->next_seq >= due || m->post_fd < 0)
        return;
    char body[MAX_POST_BODY];
    size_t length = 0;
    long first = m->next_seq;
    while (m->next_seq < due && length + (size_t)r->cfg->line_bytes <= sizeof body) {
        length += make_line(r, m->sender, m->next_seq, body + length);
        r->sent_ns[(long)m->sender * r->lines + m->next_seq] = now;
        note_lag(r, m->sender, m->next_seq, now);
        m->next_seq++;
    }
    int n = snprintf((char *)m->out + m->out_length, sizeof m->out - m->out_length,
                     "POST /send?session=%s HTTP/1.1\r\nHost: %s:%s\r\n"
                     "Content-Type: text/plain\r\nContent-Length: %zu\r\n\r\n",
                     m->token, r->cfg->host, r->cfg->http_port, length);
    if (n < 0 || m->out_length + (size_t)n + length > sizeof m->out) {
        m->next_seq = first; /* no room now: next round */
        return;
    }
    m->out_length += (size_t)n;
    memcpy(m->out + m->out_length, body, length);
    m->out_length += length;
    m->post_in_flight = 1;
}

/* Write what the kernel takes. Returns -1 when the connection is gone. */
static int flush_out(struct member *m, int fd)
{
    size_t done = 0;
    while (done < m->out_length) {
        ssize_t n = write(fd, m->out + done, m->out_length - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    consume(m->out, &m->out_length, done);
    return 0;
}

/* Does the head say "Connection: close"? (pushd answers 100 requests per connection,
 * chapter 2's rule, then closes it.) */
static int says_close(const char *head, size_t length)
{
    static const char want[] = "connection: close";
    size_t n = sizeof want - 1;
    for (size_t i = 0; i + n <= length; i++) {
        size_t j = 0;
        while (j < n && (head[i + j] | 0x20) == (want[j] | 0x20))
            j++;
        if (j == n)
            return 1;
    }
    return 0;
}

/* An SSE sender's POST connection has bytes: the 204, we hope. */
static int read_post_answer(const struct config *cfg, struct member *m)
{
    ssize_t n =
        read(m->post_fd, m->post_in + m->post_length, sizeof m->post_in - m->post_length);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return 0;
    if (n <= 0)
        return -1;
    m->post_length += (size_t)n;
    size_t size = head_end(m->post_in, m->post_length);
    if (size == 0)
        return m->post_length < sizeof m->post_in ? 0 : -1;
    if (m->post_length < 12 || memcmp(m->post_in + 9, "204", 3) != 0) {
        fprintf(stderr, "push_load: POST /send answered %.12s\n", m->post_in);
        return -1;
    }
    int reconnect = says_close(m->post_in, size);
    m->post_length = 0;
    m->post_in_flight = 0;
    if (reconnect) { /* blocking connect on loopback: a fraction of a millisecond */
        close(m->post_fd);
        m->post_fd = open_connection(cfg->host, cfg->http_port, 0);
        return m->post_fd < 0 ? -1 : 0;
    }
    return 0;
}

/* ---- Receiving -------------------------------------------------------------------- */

/* The decimal number at *p (before end), moving *p past it; -1 when there is none. */
static long scan_number(const char **p, const char *end)
{
    long n = 0;
    const char *q = *p;
    if (q >= end || *q < '0' || *q > '9')
        return -1;
    while (q < end && *q >= '0' && *q <= '9' && n < 100000000000L)
        n = n * 10 + (*q++ - '0');
    *p = q;
    return n;
}

static void record_latency(struct run *r, enum transport t, long long ns)
{
    long long bucket = ns / 1000 / BUCKET_US;
    if (bucket < 0)
        bucket = 0;
    r->histogram[t][bucket < BUCKETS ? bucket : BUCKETS - 1]++;
}

/* "guest3: L k seq xxx": line seq of sender k, checked against what m expects. */
static void load_line(struct run *r, struct member *m, const char *p, const char *end,
                      long long now)
{
    long k = scan_number(&p, end);
    p++;
    long seq = scan_number(&p, end);
    if (k < 0 || k >= r->cfg->senders || seq < 0 || seq >= r->lines)
        return;
    if (k == m->sender) {
        r->res.echoes++;
        return;
    }
    long want = m->expected[k];
    if (seq < want) {
        r->res.duplicates++;
        return;
    }
    if (seq > want)
        r->res.gaps += seq - want;
    else
        r->res.delivered++;
    m->expected[k] = seq + 1;
    record_latency(r, m->transport, now - r->sent_ns[k * r->lines + seq]);
}

/* The room says a never-reading member left: from now on it reads its socket to the
 * end, to see that pushd closed it, and with a normal receive buffer again. Its 4
 * KiB buffer would make the rest crawl: the window it offers stays below the
 * segment size pushd's side settled on (half the largest window seen), so the
 * kernel there sends only one small piece per retransmission timeout, 200 ms. */
static void start_reading(struct member *gone, long long now)
{
    int size = IN_CAPACITY;
    gone->left_heard_ns = now;
    if (setsockopt(gone->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size) < 0) {
        /* then it takes longer: ends_soon() still waits CLOSE_WAIT_MS */
    }
}

/* "* guest101 left", about one of the never-reading members? */
static void notice_line(struct run *r, struct member *m, const char *line, size_t length,
                        long long now)
{
    for (int i = 0; i < r->count; i++) {
        struct member *gone = &r->m[i];
        size_t n = strlen(gone->nick);
        if (!gone->stalled || length != n + 7 || memcmp(line, "* ", 2) != 0 ||
            memcmp(line + 2, gone->nick, n) != 0 || memcmp(line + 2 + n, " left", 5) != 0)
            continue;
        m->left_notices++;
        if (gone->left_heard_ns == 0)
            start_reading(gone, now);
    }
}

/* One room line, from any transport. */
static void room_line(struct run *r, struct member *m, const char *line, size_t length,
                      long long now)
{
    const char *end = line + length;
    const char *colon = memchr(line, ':', length);
    if (colon != NULL && end - colon > 4 && memcmp(colon, ": L ", 4) == 0)
        load_line(r, m, colon + 4, end, now);
    else if (length > 2 && line[0] == '*')
        notice_line(r, m, line, length, now);
}

/* Raw: lines. SSE: lines too, of which "data: " ones carry the room's (the others
 * are "id: N", the empty line ending an event, ": ping" comments, "retry:"). */
static size_t take_lines(struct run *r, struct member *m, long long now)
{
    size_t at = 0;
    const char *in = (const char *)m->in;
    for (;;) {
        const char *lf = memchr(in + at, '\n', m->in_length - at);
        if (lf == NULL)
            return at;
        size_t length = (size_t)(lf - (in + at));
        if (m->transport == RAW)
            room_line(r, m, in + at, length, now);
        else if (length >= 6 && memcmp(in + at, "data: ", 6) == 0)
            room_line(r, m, in + at + 6, length - 6, now);
        at += length + 1;
    }
}

/* WebSocket: frames. A PING gets its PONG (pushd pings every -K seconds). */
static size_t take_frames(struct run *r, struct member *m, long long now)
{
    size_t at = 0;
    struct frame f;
    int found;
    while ((found = next_frame(m->in + at, m->in_length - at, &f)) == 1) {
        if (f.opcode == 0x1 && f.fin)
            room_line(r, m, (const char *)f.payload, f.length, now);
        else if (f.opcode == 0x9 && m->out_length + f.length + 8 <= sizeof m->out)
            m->out_length +=
                client_frame(m->out + m->out_length, 0xa, f.payload, f.length);
        else if (f.opcode == 0x8)
            m->closed = 1;
        at += f.size;
    }
    if (found < 0)
        m->closed = 1;
    return at;
}

static void read_member(struct run *r, struct member *m)
{
    ssize_t n = read(m->fd, m->in + m->in_length, sizeof m->in - m->in_length);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (n <= 0) {
        m->closed = 1;
        m->closed_ns = now_ns();
        return;
    }
    if (m->stalled) { /* dropped: what pushd had queued is thrown away unread */
        m->in_length = 0;
        return;
    }
    m->in_length += (size_t)n;
    long long now = now_ns();
    size_t used =
        m->transport == WEBSOCKET ? take_frames(r, m, now) : take_lines(r, m, now);
    consume(m->in, &m->in_length, used);
    if (m->in_length == sizeof m->in)
        m->closed = 1; /* a line longer than the buffer: not pushd's */
}

/* ---- The run ---------------------------------------------------------------------- */

/* Every line due from every sender goes out now. Returns 1 while some are left. */
static int send_due(struct run *r, long long now)
{
    int sending = 0;
    for (int k = 0; k < r->cfg->senders; k++) {
        struct member *m = r->senders[k];
        if (m->closed)
            continue;
        if (m->transport == SSE)
            post_lines(r, m, now);
        else
            produce_lines(r, m, now);
        int fd = m->transport == SSE ? m->post_fd : m->fd;
        if (m->out_length > 0 && flush_out(m, fd) < 0)
            m->closed = 1;
        sending |= m->next_seq < r->lines || m->out_length > 0;
    }
    return sending;
}

/* One poll() slot per connection to watch; which member and which of its fds. */
struct slot {
    struct member *m;
    int post; /* the SSE sender's POST connection */
};

/* A never-reading member stops stalling once the room has said it left
 * (start_reading): then its socket is read to its end, to see that pushd closed it.
 * Reading at once keeps the check prompt: a socket that has offered a zero window
 * for long is probed with growing pauses (TCP's persist timer), seconds apart after
 * ten seconds. */
static int dropped(const struct member *m)
{
    return m->stalled && m->left_heard_ns != 0;
}

static int watch(struct run *r, struct pollfd *pfd, struct slot *slot)
{
    int n = 0;
    for (int i = 0; i < r->count; i++) {
        struct member *m = &r->m[i];
        if (m->closed || (m->stalled && !dropped(m)))
            continue;
        int posts = m->transport == SSE && m->sender >= 0;
        short out = m->out_length > 0 ? POLLOUT : 0;
        pfd[n] =
            (struct pollfd){.fd = m->fd, .events = (short)(POLLIN | (posts ? 0 : out))};
        slot[n++] = (struct slot){m, 0};
        if (posts && m->post_fd >= 0) {
            pfd[n] = (struct pollfd){.fd = m->post_fd, .events = (short)(POLLIN | out)};
            slot[n++] = (struct slot){m, 1};
        }
    }
    return n;
}

static void serve_slot(struct run *r, const struct pollfd *p, const struct slot *s)
{
    struct member *m = s->m;
    if (p->revents & POLLOUT && flush_out(m, p->fd) < 0)
        m->closed = 1;
    if (!(p->revents & (POLLIN | POLLHUP | POLLERR)))
        return;
    if (s->post) {
        if (read_post_answer(r->cfg, m) < 0)
            m->closed = 1;
    } else {
        read_member(r, m);
    }
}

static long long deliveries_expected(const struct run *r)
{
    long long readers = 0;
    for (int i = 0; i < r->count; i++)
        readers += !r->m[i].stalled;
    /* Every reader hears every sender but itself. */
    return (long long)r->cfg->senders * r->lines * (readers - 1);
}

/* Send and receive until every reader has every line, or nothing moves for
 * IDLE_LIMIT_MS once the senders are done. */
static void run_load(struct run *r)
{
    if (r->count == 0)
        return;
    struct pollfd *pfd = calloc((size_t)r->count * 2, sizeof *pfd);
    struct slot *slot = calloc((size_t)r->count * 2, sizeof *slot);
    if (pfd == NULL || slot == NULL) {
        free(pfd);
        free(slot);
        return;
    }
    r->res.expected = deliveries_expected(r);
    r->start_ns = now_ns();
    long long last_progress = r->start_ns;
    while (!stop_requested) {
        long long received = r->res.delivered + r->res.gaps + r->res.duplicates;
        if (received >= r->res.expected)
            break;
        int sending = send_due(r, now_ns());
        int n = watch(r, pfd, slot);
        /* While sending, wake at least every millisecond for the next due line. */
        if (poll(pfd, (nfds_t)n, sending ? 1 : 100) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < n; i++)
            if (pfd[i].revents != 0)
                serve_slot(r, &pfd[i], &slot[i]);
        long long now = now_ns();
        if (sending || r->res.delivered + r->res.gaps + r->res.duplicates != received)
            last_progress = now;
        else if (now - last_progress > IDLE_LIMIT_MS * 1000000LL)
            break;
    }
    free(pfd);
    free(slot);
}

/* A never-reading member was dropped if its connection ends: read (now at last) and
 * throw away what pushd had queued, until the end of the stream. */
static int ends_soon(int fd)
{
    char buf[64 * 1024];
    long long deadline = now_ms() + CLOSE_WAIT_MS;
    for (;;) {
        if (wait_for(fd, 0, deadline) <= 0)
            return 0;
        ssize_t n = read(fd, buf, sizeof buf);
        if (n == 0 ||
            (n < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK))
            return 1; /* the end, or a reset: closed either way */
    }
}

/* Seconds from the start of sending to `when` (-1: it never happened). */
static double seconds_after(const struct run *r, long long when)
{
    return when == 0 ? -1 : (double)(when - r->start_ns) / 1e9;
}

static void check_dropped(struct run *r)
{
    int readers = 0, heard = 0, closed = 0, stalled = 0;
    for (int i = 0; i < r->count; i++) {
        struct member *m = &r->m[i];
        if (m->stalled) {
            stalled++;
            if (!m->closed && ends_soon(m->fd)) {
                m->closed = 1;
                m->closed_ns = now_ns();
            }
            closed += m->closed;
        } else {
            readers++;
            heard += m->left_notices == 2;
        }
    }
    if (stalled == 0)
        return;
    r->res.dropped_ok = heard == readers && closed == stalled;
    const struct member *ws = &r->m[r->count - 2], *sse = &r->m[r->count - 1];
    snprintf(r->res.dropped_text, sizeof r->res.dropped_text,
             "never-reading %s (WebSocket) and %s (SSE): dropped after %.1f s and %.1f "
             "s; %d of %d readers heard both leave; %d of 2 sockets closed (ends read "
             "at %.1f s and %.1f s)",
             ws->nick, sse->nick, seconds_after(r, ws->left_heard_ns),
             seconds_after(r, sse->left_heard_ns), heard, readers, closed,
             seconds_after(r, ws->closed_ns), seconds_after(r, sse->closed_ns));
}

/* ---- Latency and memory ----------------------------------------------------------- */

/* The latency below which `fraction` of the deliveries of the given transports
 * (mask: bit t for transport t) arrived, in ms. */
static double percentile_ms(const struct run *r, unsigned mask, double fraction)
{
    long long total = 0, seen = 0;
    for (int t = 0; t < TRANSPORTS; t++)
        for (long b = 0; (mask >> t & 1) && b < BUCKETS; b++)
            total += r->histogram[t][b];
    long long target = (long long)(fraction * (double)total);
    if (target >= total)
        target = total - 1; /* the maximum: the last delivery */
    for (long b = 0; b < BUCKETS; b++) {
        for (int t = 0; t < TRANSPORTS; t++)
            if (mask >> t & 1)
                seen += r->histogram[t][b];
        if (total > 0 && seen > target)
            return (double)(b + 1) * BUCKET_US / 1000.0;
    }
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
    while (fgets(line, sizeof line, f) != NULL) {
        const char *at = line + 6;
        long long value;
        if (strncmp(line, "VmHWM:", 6) == 0 && option_scan_number(&at, &value) == 0) {
            kib = (long)value; /* "VmHWM:    11476 kB" */
            break;
        }
    }
    fclose(f);
    return kib;
}

static double cpu_seconds(int who)
{
    struct rusage u;
    if (getrusage(who, &u) < 0)
        return 0;
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 +
           (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec / 1e6;
}

/* ---- pushd ------------------------------------------------------------------------ */

/* The port of "SCHEME://HOST:PORT/" at url (HOST may be "[::1]"), into out. */
static int url_port(const char *url, char *out, size_t size)
{
    const char *host = url != NULL ? strstr(url, "://") : NULL;
    const char *slash = host != NULL ? strchr(host + 3, '/') : NULL;
    const char *colon = slash;
    while (colon != NULL && colon > host && *colon != ':')
        colon--;
    if (colon == NULL || colon == host || slash - colon < 2 ||
        (size_t)(slash - colon) > size)
        return -1;
    memcpy(out, colon + 1, (size_t)(slash - colon - 1));
    out[slash - colon - 1] = '\0';
    return 0;
}

/* Start pushd on free ports and read its start line,
 *   pushd: listening on http://127.0.0.1:PORT/ and chat://127.0.0.1:PORT/
 * Returns its pid, or -1. Its log (a line per member) goes to /dev/null. */
static pid_t start_pushd(struct config *cfg)
{
    int out[2];
    if (pipe(out) < 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(out[1], STDOUT_FILENO);
        if (null >= 0)
            dup2(null, STDERR_FILENO);
        close(out[0]);
        close(out[1]);
        signal(SIGPIPE, SIG_DFL);
        execl(cfg->pushd_path, cfg->pushd_path, "-b", cfg->host, "-p", "0", "-P", "0",
              "-m", PUSHD_MEMBERS, (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    char line[512] = "";
    size_t length = 0;
    long long deadline = now_ms() + SETUP_MS;
    while (pid > 0 && memchr(line, '\n', length) == NULL)
        if (read_more(out[0], line, &length, sizeof line - 1, deadline) < 0)
            break;
    close(out[0]);
    line[length] = '\0';
    if (pid < 0 ||
        url_port(strstr(line, "http://"), cfg->http_port, sizeof cfg->http_port) < 0 ||
        url_port(strstr(line, "chat://"), cfg->chat_port, sizeof cfg->chat_port) < 0) {
        fprintf(stderr, "push_load: %s did not start (it said: %s)\n", cfg->pushd_path,
                line);
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
        }
        return -1;
    }
    return pid;
}

/* SIGTERM, and wait (pushd says goodbye to every member, then exits). */
static void stop_pushd(pid_t pid)
{
    kill(pid, SIGTERM);
    long long deadline = now_ms() + 5000;
    while (waitpid(pid, NULL, WNOHANG) == 0) {
        if (now_ms() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            return;
        }
        struct timespec pause = {0, 10 * 1000000L};
        nanosleep(&pause, NULL);
    }
}

/* ---- One run, and the report ------------------------------------------------------ */

static int setup_run(struct run *r, const struct config *cfg)
{
    memset(r, 0, sizeof *r);
    r->cfg = cfg;
    r->lines = cfg->rate * cfg->seconds;
    int total = cfg->members[0] + cfg->members[1] + cfg->members[2] + 2;
    r->m = calloc((size_t)total, sizeof *r->m);
    r->sent_ns = calloc((size_t)(cfg->senders * r->lines), sizeof *r->sent_ns);
    for (int t = 0; t < TRANSPORTS; t++)
        r->histogram[t] = calloc(BUCKETS, sizeof *r->histogram[t]);
    if (r->m == NULL || r->sent_ns == NULL || r->histogram[0] == NULL ||
        r->histogram[1] == NULL || r->histogram[2] == NULL)
        return -1;
    for (int i = 0; i < total; i++) {
        r->m[i].fd = r->m[i].post_fd = -1;
        r->m[i].sender = -1;
        r->m[i].expected = calloc((size_t)cfg->senders, sizeof *r->m[i].expected);
        if (r->m[i].expected == NULL)
            return -1;
    }
    assign_members(r);
    return 0;
}

static void free_run(struct run *r)
{
    int total = r->cfg->members[0] + r->cfg->members[1] + r->cfg->members[2] + 2;
    for (int i = 0; r->m != NULL && i < total; i++) {
        if (r->m[i].fd >= 0)
            close(r->m[i].fd);
        if (r->m[i].post_fd >= 0)
            close(r->m[i].post_fd);
        free(r->m[i].expected);
    }
    free(r->m);
    free(r->sent_ns);
    for (int t = 0; t < TRANSPORTS; t++)
        free(r->histogram[t]);
}

static void summarize(struct run *r)
{
    struct result *res = &r->res;
    for (int i = 0; i < r->count; i++) /* lines that never came */
        for (int k = 0; k < r->cfg->senders && !r->m[i].stalled; k++)
            if (k != r->m[i].sender)
                res->gaps += r->lines - r->m[i].expected[k];
    unsigned all = (1u << TRANSPORTS) - 1;
    res->p50_ms = percentile_ms(r, all, 0.50);
    res->p99_ms = percentile_ms(r, all, 0.99);
    res->max_ms = percentile_ms(r, all, 1.0);
    for (int t = 0; t < TRANSPORTS; t++)
        res->p99_by_transport[t] = percentile_ms(r, 1u << t, 0.99);
}

/* One run: a fresh pushd (or the one given), everyone joins, the load, the checks. */
static int one_run(const struct config *given, struct result *res)
{
    struct config cfg = *given;
    pid_t pid = -1;
    if (cfg.pushd_path != NULL && (pid = start_pushd(&cfg)) < 0)
        return -1;
    long server_pid = pid > 0 ? (long)pid : cfg.server_pid;
    double server_cpu = cpu_seconds(RUSAGE_CHILDREN), own_cpu = cpu_seconds(RUSAGE_SELF);
    struct run r;
    int rc = setup_run(&r, &cfg) < 0 || join_all(&r) < 0 ? -1 : 0;
    if (rc == 0) {
        run_load(&r);
        summarize(&r);
        check_dropped(&r);
        r.res.rss_kib = peak_rss_kib(server_pid);
        r.res.load_cpu_s = cpu_seconds(RUSAGE_SELF) - own_cpu;
    }
    if (pid > 0)
        stop_pushd(pid);
    r.res.server_cpu_s = pid > 0 ? cpu_seconds(RUSAGE_CHILDREN) - server_cpu : -1;
    *res = r.res;
    free_run(&r);
    return stop_requested ? -1 : rc;
}

static void rss_text(long kib, char *out, size_t size)
{
    if (kib < 0)
        snprintf(out, size, "not measured");
    else
        snprintf(out, size, "%.1f MiB", (double)kib / 1024);
}

static void print_run(int i, int runs, const struct result *res)
{
    char rss[32];
    rss_text(res->rss_kib, rss, sizeof rss);
    printf("run %d/%d: delivered %lld/%lld (%.3f%%), %lld missing, %lld twice, %lld "
           "echoed\n",
           i + 1, runs, res->delivered, res->expected,
           res->expected ? 100.0 * (double)res->delivered / (double)res->expected : 0.0,
           res->gaps, res->duplicates, res->echoes);
    printf("  latency p50 %.2f ms, p99 %.2f ms (WebSocket %.2f, SSE %.2f, raw %.2f), max "
           "%.2f ms\n",
           res->p50_ms, res->p99_ms, res->p99_by_transport[WEBSOCKET],
           res->p99_by_transport[SSE], res->p99_by_transport[RAW], res->max_ms);
    printf("  pushd peak RSS %s, CPU %.1f s; generator CPU %.1f s; senders at most %.1f "
           "ms behind schedule\n",
           rss, res->server_cpu_s, res->load_cpu_s, res->lag_max_ms);
    if (res->dropped_text[0] != '\0')
        printf("  %s\n", res->dropped_text);
    fflush(stdout);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of n values (n >= 1); sorts them. */
static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, compare_doubles);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The medians, and the targets: met, or a line saying which was missed. */
static int report(const struct config *cfg, const struct result *res, int runs)
{
    double p50[MAX_RUNS] = {0}, p99[MAX_RUNS] = {0}, max[MAX_RUNS] = {0},
           rss[MAX_RUNS] = {0};
    int complete = 0, dropped = 0, rss_measured = 1;
    for (int i = 0; i < runs; i++) {
        p50[i] = res[i].p50_ms;
        p99[i] = res[i].p99_ms;
        max[i] = res[i].max_ms;
        rss[i] = (double)res[i].rss_kib / 1024;
        rss_measured &= res[i].rss_kib >= 0;
        complete += res[i].delivered == res[i].expected && res[i].gaps == 0 &&
                    res[i].duplicates == 0 && res[i].echoes == 0;
        dropped += res[i].dropped_ok;
    }
    double p99_median = median(p99, runs), rss_median = median(rss, runs);
    printf("median of %d: p50 %.2f ms, p99 %.2f ms, max %.2f ms, pushd peak RSS ", runs,
           median(p50, runs), p99_median, median(max, runs));
    if (rss_measured)
        printf("%.1f MiB\n", rss_median);
    else
        printf("not measured\n");
    int missed = 0;
    if (complete != runs) {
        printf("target MISSED: 100%% delivered in order, none twice, no echo (%d of %d "
               "runs)\n",
               complete, runs);
        missed = 1;
    }
    if (p99_median >= TARGET_P99_MS) {
        printf("target MISSED: p99 under %.0f ms (median %.2f ms)\n", TARGET_P99_MS,
               p99_median);
        missed = 1;
    }
    if (rss_measured && rss_median >= TARGET_RSS_MIB) {
        printf("target MISSED: pushd peak RSS under %.0f MiB (median %.1f MiB)\n",
               TARGET_RSS_MIB, rss_median);
        missed = 1;
    }
    if (cfg->never_reading && dropped != runs) {
        printf("target MISSED: the never-reading members dropped (%d of %d runs)\n",
               dropped, runs);
        missed = 1;
    }
    if (!missed)
        printf("targets met: 100%% delivered in order in every run, p99 under %.0f ms, "
               "peak RSS under %.0f MiB%s%s\n",
               TARGET_P99_MS, TARGET_RSS_MIB, rss_measured ? "" : " (not measured)",
               cfg->never_reading ? ", the never-reading members dropped" : "");
    return missed;
}

/* ---- The command line ------------------------------------------------------------- */

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: push_load (-s PUSHD | -p HTTP_PORT -P CHAT_PORT [-i PID]) [-H HOST]\n"
        "                 [-w WS] [-e SSE] [-r RAW] [-k SENDERS] [-R RATE] [-t SECS]\n"
        "                 [-l LINE_BYTES] [-N] [-n RUNS]\n"
        "  -s  start this pushd for each run (port 0, -m %s)\n"
        "  -p, -P, -i  or use a running pushd: its ports, its pid (for its memory)\n"
        "  -w, -e, -r  members on WebSocket, SSE, raw (default 50, 25, 25)\n"
        "  -k  senders among them (default 5: WebSocket, raw, SSE, WebSocket, raw)\n"
        "  -R  lines per second per sender (500)   -t  seconds of sending (10)\n"
        "  -l  bytes per line, LF included (100)   -n  runs, medians reported (1)\n"
        "  -N  plus one WebSocket and one SSE member that never read\n",
        PUSHD_MEMBERS);
}

/* Returns -1 to go on, or the exit status. */
static int parse(int argc, char **argv, struct config *cfg)
{
    int opt;
    long n;
    while ((opt = getopt(argc, argv, "s:H:p:P:i:w:e:r:k:R:t:l:Nn:h")) != -1) {
        int ok = 1;
        switch (opt) {
        case 's':
            cfg->pushd_path = optarg;
            break;
        case 'H':
            cfg->host = optarg;
            break;
        case 'p':
        case 'P':
            ok = option_number(optarg, 1, 65535, &n) == 0;
            if (ok)
                snprintf(opt == 'p' ? cfg->http_port : cfg->chat_port,
                         sizeof cfg->http_port, "%ld", n);
            break;
        case 'i':
            ok = option_number(optarg, 1, 1L << 30, &cfg->server_pid) == 0;
            break;
        case 'w':
        case 'e':
        case 'r':
            ok = option_number(optarg, 0, MAX_MEMBERS / 3, &n) == 0;
            cfg->members[opt == 'w' ? WEBSOCKET : opt == 'e' ? SSE : RAW] = (int)n;
            break;
        case 'k':
            ok = option_number(optarg, 1, MAX_SENDERS, &n) == 0;
            cfg->senders = (int)n;
            break;
        case 'R':
            ok = option_number(optarg, 1, 100000, &cfg->rate) == 0;
            break;
        case 't':
            ok = option_number(optarg, 1, 3600, &cfg->seconds) == 0;
            break;
        case 'l':
            ok = option_number(optarg, MIN_LINE_BYTES, MAX_LINE_BYTES, &n) == 0;
            cfg->line_bytes = (int)n;
            break;
        case 'N':
            cfg->never_reading = 1;
            break;
        case 'n':
            ok = option_number(optarg, 1, MAX_RUNS, &n) == 0;
            cfg->runs = (int)n;
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
    int readers = cfg->members[0] + cfg->members[1] + cfg->members[2];
    if (optind != argc || readers < 2 || cfg->senders >= readers ||
        (cfg->pushd_path == NULL &&
         (cfg->http_port[0] == '\0' || cfg->chat_port[0] == '\0'))) {
        usage(stderr);
        return 2;
    }
    return -1;
}

int main(int argc, char **argv)
{
    struct config cfg = {.host = "127.0.0.1",
                         .members = {50, 25, 25},
                         .senders = 5,
                         .rate = 500,
                         .seconds = 10,
                         .line_bytes = 100,
                         .runs = 1};
    int rc = parse(argc, argv, &cfg);
    if (rc >= 0)
        return rc;
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    int readers = cfg.members[0] + cfg.members[1] + cfg.members[2];
    printf("%d members (%d WebSocket, %d SSE, %d raw)%s; %d senders at %ld lines/s each "
           "for %ld s, %d-byte lines; pushd %s\n",
           readers + 2 * cfg.never_reading, cfg.members[WEBSOCKET], cfg.members[SSE],
           cfg.members[RAW],
           cfg.never_reading ? " with 2 that never read (1 WebSocket, 1 SSE)" : "",
           cfg.senders, cfg.rate, cfg.seconds, cfg.line_bytes,
           cfg.pushd_path ? "started for each run with -m " PUSHD_MEMBERS : "given");
    fflush(stdout);
    struct result res[MAX_RUNS];
    for (int i = 0; i < cfg.runs; i++) {
        if (one_run(&cfg, &res[i]) < 0) {
            fprintf(stderr, "push_load: run %d did not complete\n", i + 1);
            return 1;
        }
        print_run(i, cfg.runs, &res[i]);
    }
    return report(&cfg, res, cfg.runs);
}
