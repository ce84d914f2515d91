/* stage_chat.c: see stage_chat.h. */
#include "stage_chat.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* What a check says when no line came: silence means the server is not reading or
 * not writing this client, and one loop that forgets a descriptor does both. */
#define SILENCE "nothing in 5 s (is the loop's select() watching every client?)"

/* ---- Connecting, talking, hanging up ----------------------------------------------- */

/* Take fd as p's connection, named name in messages. */
static struct chat_peer *adopt(struct chat_peer *p, int fd, const char *name)
{
    p->fd = fd;
    p->name = name;
    p->length = 0;
    return p;
}

struct chat_peer *chat_connect(struct chat_peer *p, int port, const char *name)
{
    return adopt(p, stage_connect(port, name), name);
}

int chat_socket_small(int port, const char *what)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_msg(fd >= 0, "%s: socket(): %s", what, strerror(errno));
    /* Before connect(): the handshake fixes the window's scale from the buffer. */
    int small = CHAT_SMALL_BUFFER;
    ck_assert(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small) == 0);
    struct sockaddr_in sin = {.sin_family = AF_INET,
                              .sin_port = htons((unsigned short)port)};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_msg(connect(fd, (struct sockaddr *)&sin, sizeof sin) == 0,
                  "%s: could not connect to 127.0.0.1:%d (%s): is it listening?", what,
                  port, strerror(errno));
    return fd;
}

struct chat_peer *chat_connect_small(struct chat_peer *p, int port, const char *name)
{
    return adopt(p, chat_socket_small(port, name), name);
}

void chat_say(struct chat_peer *p, const char *text)
{
    send_text(p->fd, text);
}

void chat_close(struct chat_peer *p)
{
    close(p->fd);
    p->name = NULL;
}

void chat_close_all(struct chat_peer *peers, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (peers[i].name != NULL)
            chat_close(&peers[i]);
}

/* ---- Reading lines ----------------------------------------------------------------- */

/* Take one line (without its LF) out of p's buffer; -1 if none is complete. */
static ssize_t take_line(struct chat_peer *p, char *out, size_t size)
{
    char *lf = memchr(p->data, '\n', p->length);
    if (lf == NULL)
        return -1;
    size_t length = (size_t)(lf - p->data);
    size_t copy = length < size - 1 ? length : size - 1;
    memcpy(out, p->data, copy);
    out[copy] = '\0';
    memmove(p->data, lf + 1, p->length - length - 1);
    p->length -= length + 1;
    return (ssize_t)length;
}

/* One bounded poll() and read(): 1 with bytes added, 0 on time-out, -1 at EOF (or
 * with the buffer full of a line that never ends, which no check could take). */
static int fill(struct chat_peer *p, int timeout_ms)
{
    if (p->length == sizeof p->data)
        return -1;
    struct pollfd ready = {.fd = p->fd, .events = POLLIN};
    if (poll(&ready, 1, timeout_ms) <= 0)
        return 0;
    ssize_t got = read(p->fd, p->data + p->length, sizeof p->data - p->length);
    if (got < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    if (got <= 0)
        return -1;
    p->length += (size_t)got;
    return 1;
}

/* Is got a notice that a check for want passes over when it skips notices? Others
 * coming and going, and the peer's own welcome, unless they are what want is about. */
static int passes_over(const char *got, const char *want)
{
    if (strncmp(got, "* guest", 7) == 0 &&
        (strstr(got, " joined") != NULL || strstr(got, " left") != NULL))
        return strncmp(want, "* guest", 7) != 0;
    if (strncmp(got, "* welcome", 9) == 0)
        return strncmp(want, "* welcome", 9) != 0;
    return 0;
}

/* p's next line for a check of want (see passes_over()); its length, or -1 with *eof
 * set at the end of the connection, clear when nothing came within the stage's wait. */
static ssize_t next_line(struct chat_peer *p, char *got, size_t size, const char *want,
                         int skip_notices, int *eof)
{
    long long deadline = stage_now_ms() + stage_wait_ms();
    *eof = 0;
    for (;;) {
        ssize_t n = take_line(p, got, size);
        if (n >= 0 && skip_notices && passes_over(got, want))
            continue;
        if (n >= 0)
            return n;
        long long left = deadline - stage_now_ms();
        if (left <= 0)
            return -1;
        if (fill(p, (int)left) < 0) {
            *eof = 1;
            return -1;
        }
    }
}

/* ---- Saying what came -------------------------------------------------------------- */

#define QUOTE_SHOWN 300                    /* bytes of a line a message shows */
#define QUOTE_SIZE  (4 * QUOTE_SHOWN + 64) /* each may take 4 to write, as \xNN */

/* line (length bytes) in quotes, as a message shows it. Control bytes are written the
 * way C writes them: a line may hold a NUL, and printed with %s it would seem to end
 * there. A line longer than QUOTE_SHOWN is cut, with "..." and its length in bytes
 * (long lines differ in their length more often than in their bytes); "..." alone
 * when the line goes on by design (more: want is only a line's start). */
static const char *quote(const char *line, size_t length, int more, char *out,
                         size_t size)
{
    size_t shown = length < QUOTE_SHOWN ? length : QUOTE_SHOWN;
    size_t used = (size_t)snprintf(out, size, "\"");
    for (size_t i = 0; i < shown && used + 8 < size; i++) {
        unsigned char c = (unsigned char)line[i];
        const char *escape = c == '\0'   ? "\\0"
                             : c == '\r' ? "\\r"
                             : c == '\t' ? "\\t"
                             : c == '"'  ? "\\\""
                             : c == '\\' ? "\\\\"
                                         : NULL;
        if (escape != NULL)
            used += (size_t)snprintf(out + used, size - used, "%s", escape);
        else if (c < 0x20 || c == 0x7f)
            used += (size_t)snprintf(out + used, size - used, "\\x%02x", c);
        else
            out[used++] = (char)c;
    }
    if (shown < length)
        snprintf(out + used, size - used, "...\" (%zu bytes)", length);
    else
        snprintf(out + used, size - used, "%s\"", more ? "..." : "");
    return out;
}

/* ---- Checks ------------------------------------------------------------------------ */

/* Fail unless p's next line is want (length bytes), or starts with it when whole is
 * clear. */
static void expect_line(struct chat_peer *p, const char *want, size_t length, int whole,
                        int skip_notices, const char *after, const char *hint)
{
    static char got[CHAT_PEER_MAX + 1]; /* any line p can hold, whole */
    char want_text[QUOTE_SIZE], got_text[QUOTE_SIZE];
    int eof;
    ssize_t n = next_line(p, got, sizeof got, want, skip_notices, &eof);
    quote(want, length, !whole, want_text, sizeof want_text);
    ck_assert_msg(n >= 0, "%s: %s, expected the line %s, got %s. %s", p->name, after,
                  want_text, eof ? "the end of the connection" : SILENCE, hint);
    size_t got_length = (size_t)n;
    int fits = whole ? got_length == length : got_length >= length;
    ck_assert_msg(fits && memcmp(got, want, length) == 0,
                  "%s: %s, expected the line %s, got %s. %s", p->name, after, want_text,
                  quote(got, got_length, 0, got_text, sizeof got_text), hint);
}

void chat_expect(struct chat_peer *p, const char *want, int skip_notices,
                 const char *after, const char *hint)
{
    expect_line(p, want, strlen(want), 1, skip_notices, after, hint);
}

void chat_expect_bytes(struct chat_peer *p, const char *want, size_t length,
                       int skip_notices, const char *after, const char *hint)
{
    expect_line(p, want, length, 1, skip_notices, after, hint);
}

void chat_expect_start(struct chat_peer *p, const char *want, int skip_notices,
                       const char *after, const char *hint)
{
    expect_line(p, want, strlen(want), 0, skip_notices, after, hint);
}

void chat_expect_closed(struct chat_peer *p, const char *may, const char *after,
                        const char *hint)
{
    static char got[CHAT_PEER_MAX + 1];
    char got_text[QUOTE_SIZE];
    int eof;
    ssize_t n;
    while ((n = next_line(p, got, sizeof got, "", 1, &eof)) >= 0 && may != NULL &&
           strcmp(got, may) == 0)
        may = NULL;
    ck_assert_msg(n < 0 && eof,
                  "%s: %s, expected the server to close the connection, got %s. %s",
                  p->name, after,
                  n >= 0 ? quote(got, (size_t)n, 0, got_text, sizeof got_text)
                         : "nothing in 5 s, still open",
                  hint);
}

/* ---- The flood --------------------------------------------------------------------- */

#define FLOOD_LINE  1000                /* bytes per line, LF included */
#define FLOOD_LIMIT (64L * 1024 * 1024) /* dropped by then, or the stage fails */
#define FLOOD_AFTER 2000                /* lines after the drop, all delivered */
/* guest2 reads everything, at its own pace: guest3 stays at most this many lines
 * ahead of it. Without a bound, lines guest3's socket holds reach the server in one
 * burst while the test waits for a CPU, and a burst larger than what can wait for
 * guest2 (its 64 KiB queue, plus socket buffers) drops even a reader that keeps up.
 * With it, at most 32 lines (32 KB) wait for guest2 anywhere, half its queue alone.
 * guest1 still gets every line, so its queue still overflows. */
#define FLOOD_WINDOW 32

/* How far the flood has got. */
struct flood {
    const struct chat_flood *setup;
    long sent, received; /* whole lines guest3 wrote, and guest2 read */
    size_t partial;      /* bytes of line number sent already written */
    int stalled_left;    /* guest2 has seen "* guest1 left" */
};

/* Take guest2's complete lines: each must be the next numbered line from guest3, or
 * the notice that guest1 left. */
static void check_reader(struct flood *f)
{
    char line[2 * FLOOD_LINE];
    ssize_t n;
    while ((n = take_line(f->setup->reader, line, sizeof line)) >= 0) {
        if (strcmp(line, "* guest1 left") == 0) {
            f->stalled_left = 1;
            continue;
        }
        long number = -1;
        ck_assert_msg(n == FLOOD_LINE - 1 + 8 &&
                          sscanf(line, "guest3: %ld", &number) == 1,
                      "guest2: while guest3 sent numbered lines of %d bytes, expected "
                      "\"guest3: NNNNNNN xxx...\", got \"%.60s\". %s",
                      FLOOD_LINE, line, f->setup->hint);
        ck_assert_msg(number == f->received,
                      "guest2: line %ld from guest3 arrived where line %ld was due: "
                      "lines lost or out of order. %s",
                      number, f->received, f->setup->hint);
        f->received++;
    }
}

/* Read what has come for guest2 and check it. 1 if bytes came. */
static int read_reader(struct flood *f)
{
    int rc = fill(f->setup->reader, 0);
    ck_assert_msg(rc >= 0,
                  "guest2: the server closed the connection of a client that reads "
                  "everything. %s",
                  f->setup->hint);
    check_reader(f);
    return rc > 0;
}

/* Write as much of guest3's current line as its socket takes. 1 if bytes went. */
static int write_writer(struct flood *f)
{
    char line[FLOOD_LINE];
    int n = snprintf(line, sizeof line, "%07ld ", f->sent);
    memset(line + n, 'x', FLOOD_LINE - 1 - (size_t)n);
    line[FLOOD_LINE - 1] = '\n';
    ssize_t w = write(f->setup->writer->fd, line + f->partial, FLOOD_LINE - f->partial);
    ck_assert_msg(w > 0 || errno == EAGAIN || errno == EINTR,
                  "guest3: the server closed the connection. %s", f->setup->hint);
    if (w <= 0)
        return 0;
    f->partial += (size_t)w;
    if (f->partial == FLOOD_LINE) {
        f->partial = 0;
        f->sent++;
    }
    return 1;
}

/* Write flood lines and read guest2, both non-blocking, until guest1 has left
 * (want_drop) or guest2 has read line until, or until nothing moves for the stage's
 * wait. Returns 1 when done. */
static int pump(struct flood *f, long until, int want_drop)
{
    long long last_progress = stage_now_ms();
    while (want_drop ? !f->stalled_left : f->received < until) {
        struct pollfd pfd[2] = {{.fd = f->setup->reader->fd, .events = POLLIN},
                                {.fd = f->setup->writer->fd, .events = POLLOUT}};
        int writing = f->sent < until && f->sent - f->received < FLOOD_WINDOW;
        int ready = poll(pfd, writing ? 2 : 1, 100);
        int moved = 0;
        if (ready > 0 && (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
            moved |= read_reader(f);
        if (ready > 0 && writing && (pfd[1].revents & POLLOUT))
            moved |= write_writer(f);
        if (moved)
            last_progress = stage_now_ms();
        else if (stage_now_ms() - last_progress >= stage_wait_ms())
            return 0;
    }
    return 1;
}

/* guest2 must have a small receive buffer. The window makes guest3 pause, and then
 * the last line for guest2 may be a small segment that a server with Nagle's
 * algorithm on (no TCP_NODELAY) holds until guest2's kernel acknowledges the one
 * before; that kernel delays the acknowledgement (40 ms on Linux), so the flood would
 * crawl at 32 lines per delay. With a small window, each read opens it wide, and the
 * kernel says so at once. */
static void expect_small_buffer(const struct chat_peer *reader)
{
    int size = 0;
    socklen_t length = sizeof size;
    ck_assert(getsockopt(reader->fd, SOL_SOCKET, SO_RCVBUF, &size, &length) == 0);
    ck_assert_msg(size <= 4 * CHAT_SMALL_BUFFER,
                  "stage_chat.c: connect the flood's reader with chat_connect_small() "
                  "(its receive buffer is %d bytes)",
                  size);
}

/* guest3 writes without blocking, so that the test reads guest2 meanwhile, and sends
 * each line at once (TCP_NODELAY), for the same reason as expect_small_buffer(). */
static void start_writer(const struct chat_peer *writer)
{
    int flags = fcntl(writer->fd, F_GETFL);
    ck_assert(flags >= 0 && fcntl(writer->fd, F_SETFL, flags | O_NONBLOCK) == 0);
    int one = 1;
    ck_assert(setsockopt(writer->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0);
}

void chat_expect_stalled_dropped(const struct chat_flood *setup)
{
    struct flood f = {.setup = setup};
    expect_small_buffer(setup->reader);
    start_writer(setup->writer);

    ck_assert_msg(pump(&f, FLOOD_LIMIT / FLOOD_LINE, 1),
                  "%s never reads; guest3 sent %ld lines of %d bytes (guest2 got %ld), "
                  "then %s, and guest2 never saw \"* guest1 left\". %s, and nobody may "
                  "wait for it. %s",
                  setup->stalled, f.sent, FLOOD_LINE, f.received,
                  f.sent >= FLOOD_LIMIT / FLOOD_LINE ? "the stage gave up"
                                                     : "nothing moved for 5 s (frozen?)",
                  setup->rule, setup->hint);
    long more = f.sent + FLOOD_AFTER;
    ck_assert_msg(pump(&f, more, 0),
                  "after guest1 was dropped, guest3 sent %d more lines: guest2 got %ld "
                  "of %ld in all. %s",
                  FLOOD_AFTER, f.received, more, setup->hint);

    /* guest1 finds the end of its connection after what was queued for it. */
    static char sink[8 * 1024 * 1024];
    recv_until_close(setup->stalled_fd, sink, sizeof sink, stage_wait_ms());
    ck_assert_msg(wait_closed(setup->stalled_fd, stage_wait_ms()),
                  "%s, which never reads: after \"* guest1 left\" its connection is "
                  "still open: close() it when you drop it. %s",
                  setup->stalled, setup->hint);
}
