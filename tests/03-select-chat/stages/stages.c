/* stages.c: chapter 3's stages, the tester for the learner's own chat server.
 *
 * Each stage starts the program in STAGE_PROGRAM on port 0, connects clients over
 * loopback the way nc or ./chat would, speaks the line protocol and says in plain
 * words what it sent, what it expected, what came back and which section of
 * book/03-select-chat.md to read. Only what the server does on the wire is tested.
 * Nothing sleeps to synchronise: a stage waits (bounded) for the line it expects, and
 * proves that a line did NOT come by seeing a later one arrive first.
 */
#include "harness.h"
#include "stage.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BOOK     "book/03-select-chat.md"
#define WELCOME1 "* welcome to chatd, you are guest1; /help for commands"
#define TOO_LONG "! line too long (max 1024 bytes)"
#define PEER_MAX (64 * 1024)

static struct server_proc server;

/* ---- A client, reading lines ------------------------------------------------------ */

struct peer {
    int fd;
    const char *name; /* for messages: "guest1's connection" */
    size_t length;
    char data[PEER_MAX];
};

static struct peer peers[4];

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct peer *connect_peer(int i, const char *name)
{
    struct peer *p = &peers[i];
    p->fd = stage_connect(server.port, name);
    p->name = name;
    p->length = 0;
    return p;
}

/* Take one line (without its LF) out of p's buffer; -1 if none is complete. */
static ssize_t take_line(struct peer *p, char *out, size_t size)
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

/* One bounded poll() and read(): 1 with bytes added, 0 on time-out, -1 at EOF. */
static int fill(struct peer *p, int timeout_ms)
{
    if (p->length == sizeof p->data)
        return -1;
    struct pollfd ready = {.fd = p->fd, .events = POLLIN};
    int n = poll(&ready, 1, timeout_ms);
    if (n <= 0)
        return 0;
    ssize_t got = read(p->fd, p->data + p->length, sizeof p->data - p->length);
    if (got < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    if (got <= 0)
        return -1;
    p->length += (size_t)got;
    return 1;
}

/* The next line p receives, skipping "* guestN joined/left" notices when skip is set
 * (stages before 3.s4 do not ask for them yet). Returns the length, or -1 with *eof
 * set when the server closed the connection, clear when nothing came in time. */
static ssize_t next_line(struct peer *p, char *out, size_t size, int skip, int *eof)
{
    long long deadline = now_ms() + (long long)STAGE_WAIT_MS * timeout_multiplier();
    *eof = 0;
    for (;;) {
        ssize_t n = take_line(p, out, size);
        if (n >= 0 && skip && strncmp(out, "* guest", 7) == 0 &&
            (strstr(out, " joined") != NULL || strstr(out, " left") != NULL))
            continue;
        if (n >= 0)
            return n;
        long long left = deadline - now_ms();
        if (left <= 0)
            return -1;
        if (fill(p, (int)left) < 0) {
            *eof = 1;
            return -1;
        }
    }
}

/* Fail unless p's next line is exactly want (length bytes: lines may hold NUL). */
static void expect_bytes(struct peer *p, const char *want, size_t length, int skip,
                         const char *after, const char *hint)
{
    char got[4096];
    int eof;
    ssize_t n = next_line(p, got, sizeof got, skip, &eof);
    ck_assert_msg(n >= 0, "%s: %s, expected the line \"%s\", got %s. %s", p->name, after,
                  want,
                  eof ? "the end of the connection"
                      : "nothing in 5 s (is the loop's select() watching every client?)",
                  hint);
    ck_assert_msg((size_t)n == length && memcmp(got, want, length) == 0,
                  "%s: %s, expected the line \"%s\", got \"%.200s\". %s", p->name, after,
                  want, got, hint);
}

static void expect(struct peer *p, const char *want, int skip, const char *after,
                   const char *hint)
{
    expect_bytes(p, want, strlen(want), skip, after, hint);
}

/* Fail unless the server closes p's connection (after optional lines in `may`). */
static void expect_closed(struct peer *p, const char *may, const char *after,
                          const char *hint)
{
    char got[4096];
    int eof;
    ssize_t n;
    while ((n = next_line(p, got, sizeof got, 1, &eof)) >= 0 && may != NULL &&
           strcmp(got, may) == 0)
        may = NULL;
    ck_assert_msg(n < 0 && eof,
                  "%s: %s, expected the server to close the connection, got %s. %s",
                  p->name, after, n >= 0 ? got : "nothing in 5 s, still open", hint);
}

static void say(struct peer *p, const char *text)
{
    send_text(p->fd, text);
}

static void start(const char *flag, const char *value)
{
    const char *args[] = {flag, value, NULL};
    stage_start(&server, args);
}

static void stop(void)
{
    for (size_t i = 0; i < sizeof peers / sizeof peers[0]; i++)
        if (peers[i].name != NULL) {
            close(peers[i].fd);
            peers[i].name = NULL;
        }
    stage_stop(&server);
}

/* ---- 3.s1: the start line and the welcome ----------------------------------------- */

#define S1_HINT "Read " BOOK ", \"The loop\" and \"The server speaks first\""

START_TEST(welcomes_each_client)
{
    start(NULL, NULL);
    struct peer *a = connect_peer(0, "the first client");
    expect(a, WELCOME1, 1, "connected and sent nothing", S1_HINT);
    /* The first one stays connected and silent: a server blocked in read() on it
     * would never greet the second. */
    struct peer *b = connect_peer(1, "a second client");
    expect(b, "* welcome to chatd, you are guest2; /help for commands", 1,
           "connected while guest1 stays connected and silent", S1_HINT);
    stop();
}
END_TEST

/* ---- 3.s2: relay to the others, no echo ------------------------------------------- */

#define S2_HINT "Read " BOOK ", \"The loop\": a line goes to every client but its sender"

START_TEST(relays_without_echo)
{
    start(NULL, NULL);
    struct peer *a = connect_peer(0, "guest1");
    expect(a, WELCOME1, 1, "connected", S1_HINT);
    struct peer *b = connect_peer(1, "guest2");
    expect(b, "* welcome to chatd, you are guest2; /help for commands", 1, "connected",
           S1_HINT);
    struct peer *c = connect_peer(2, "guest3");
    expect(c, "* welcome to chatd, you are guest3; /help for commands", 1, "connected",
           S1_HINT);
    say(a, "hello from guest1\n");
    expect(b, "guest1: hello from guest1", 1, "guest1 sent \"hello from guest1\\n\"",
           S2_HINT);
    expect(c, "guest1: hello from guest1", 1, "guest1 sent \"hello from guest1\\n\"",
           S2_HINT);
    say(b, "hi from guest2\n");
    expect(a, "guest2: hi from guest2", 1,
           "guest1 sent \"hello from guest1\\n\" (no echo expected), then guest2 sent "
           "\"hi from guest2\\n\"",
           S2_HINT);
    stop();
}
END_TEST

/* ---- 3.s3: lines in pieces, many lines in one read, long lines --------------------- */

#define S3_HINT "Read " BOOK ", \"Lines arrive in pieces\" (exercise 3.1)"

static void pause_ms(int ms)
{
    struct timespec pause = {0, (long)ms * 1000000L};
    nanosleep(&pause, NULL);
}

START_TEST(cuts_lines_from_the_stream)
{
    start(NULL, NULL);
    struct peer *a = connect_peer(0, "guest1");
    expect(a, WELCOME1, 1, "connected", S1_HINT);
    struct peer *b = connect_peer(1, "guest2");
    expect(b, "* welcome to chatd, you are guest2; /help for commands", 1, "connected",
           S1_HINT);

    /* One line in three pieces, apart in time, so that they arrive in three reads. */
    const char *pieces[] = {"in ", "three pie", "ces\r\n"};
    for (int i = 0; i < 3; i++) {
        say(a, pieces[i]);
        pause_ms(30);
    }
    expect(b, "guest1: in three pieces", 1,
           "guest1 sent \"in \", \"three pie\" and \"ces\\r\\n\" in three writes (the CR "
           "before the LF is not part of the line)",
           S3_HINT);

    /* Four lines in one write: an empty one is ignored, a NUL is an ordinary byte. */
    const char many[] = "one\ntwo\r\n\nthr\0ee\n";
    send_all(a->fd, many, sizeof many - 1);
    const char *after = "guest1 sent \"one\\ntwo\\r\\n\\nthr\\0ee\\n\" in one write";
    expect(b, "guest1: one", 1, after, S3_HINT);
    expect(b, "guest1: two", 1, after, S3_HINT);
    expect_bytes(b, "guest1: thr\0ee", 14, 1, after,
                 "An empty line says nothing, and NUL is a byte like any other: use "
                 "lengths, never strlen(). " S3_HINT);

    /* The longest line allowed passes; one byte more gets the error, once. */
    static char line[3000], want[3000];
    memset(line, 'x', 1024);
    memcpy(line + 1024, "\n", 2);
    say(a, line);
    memcpy(want, "guest1: ", 8);
    memcpy(want + 8, line, 1024);
    want[8 + 1024] = '\0';
    expect(b, want, 1, "guest1 sent a line of 1024 bytes (the limit)", S3_HINT);
    memset(line, 'y', 2000);
    memcpy(line + 2000, "\nafter the long line\n", 22);
    say(a, line);
    expect(a, TOO_LONG, 1, "guest1 sent a line of 2000 bytes",
           "Longer than 1024 bytes: one error line, the rest of the line thrown away "
           "up to its LF, and the client stays. " S3_HINT);
    expect(
        b, "guest1: after the long line", 1,
        "guest1 sent a line of 2000 bytes, then \"after the long line\\n\"",
        "The too-long line reaches nobody, and the next one is read as usual. " S3_HINT);
    stop();
}
END_TEST

/* ---- 3.s4: joined and left --------------------------------------------------------- */

#define S4_HINT "Read " BOOK ", \"Leaving\" and \"The server speaks first\""

START_TEST(announces_joins_and_leaves)
{
    start(NULL, NULL);
    struct peer *a = connect_peer(0, "guest1");
    expect(a, WELCOME1, 0, "connected", S1_HINT);
    struct peer *b = connect_peer(1, "guest2");
    expect(b, "* welcome to chatd, you are guest2; /help for commands", 0, "connected",
           S1_HINT);
    expect(a, "* guest2 joined", 0, "guest2 connected", S4_HINT);
    say(a, "welcome, guest2\n");
    expect(b, "guest1: welcome, guest2", 0,
           "guest2 connected (the joiner itself gets no \"* guest2 joined\"), then "
           "guest1 sent \"welcome, guest2\\n\"",
           S4_HINT);
    close(b->fd);
    b->name = NULL;
    expect(a, "* guest2 left", 0, "guest2 closed its connection",
           "read() returned 0: that client has gone. " S4_HINT);
    struct peer *c = connect_peer(2, "the next client");
    expect(c, "* welcome to chatd, you are guest3; /help for commands", 0,
           "guest1 and guest2 came, guest2 left, then a new client connected",
           "Guest numbers are never reused. " S4_HINT);
    expect(a, "* guest3 joined", 0, "guest3 connected", S4_HINT);
    stop();
}
END_TEST

/* ---- 3.s5: a stalled reader is dropped, the room flows ----------------------------- */

#define S5_HINT                                                                          \
    "Read " BOOK ", \"The slow client\" and \"The bounded output queue\" (exercises "    \
    "3.4 and 3.5)"
#define FLOOD_LINE  1000                /* bytes per line, LF included */
#define FLOOD_LIMIT (64L * 1024 * 1024) /* dropped by then, or the stage fails */
#define FLOOD_AFTER 2000                /* lines after the drop, all delivered */

/* A client that connects and never reads, with a small receive buffer. */
static struct peer *stalled_peer(void)
{
    struct peer *p = &peers[0];
    p->fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert(p->fd >= 0);
    int small = 4096;
    ck_assert(setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small) == 0);
    struct sockaddr_in sin = {.sin_family = AF_INET,
                              .sin_port = htons((unsigned short)server.port)};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_msg(connect(p->fd, (struct sockaddr *)&sin, sizeof sin) == 0,
                  "could not connect: is it listening?");
    p->name = "guest1 (never reads)";
    p->length = 0;
    return p;
}

struct flood {
    struct peer *writer, *reader;
    long sent, received, target;
    size_t partial;
    int stalled_left;
};

static void check_reader(struct flood *f)
{
    char line[2 * FLOOD_LINE];
    ssize_t n;
    while ((n = take_line(f->reader, line, sizeof line)) >= 0) {
        if (strcmp(line, "* guest1 left") == 0) {
            f->stalled_left = 1;
            continue;
        }
        long number = -1;
        ck_assert_msg(n == FLOOD_LINE - 1 + 8 &&
                          sscanf(line, "guest3: %ld", &number) == 1,
                      "guest2: while guest3 sent numbered lines of %d bytes, expected "
                      "\"guest3: NNNNNNN xxx...\", got \"%.60s\". %s",
                      FLOOD_LINE, line, S5_HINT);
        ck_assert_msg(
            number == f->received,
            "guest2: line %ld from guest3 arrived where line %ld was due: lines "
            "lost or out of order. %s",
            number, f->received, S5_HINT);
        f->received++;
    }
}

/* Write flood lines and read the reader, both non-blocking, until done or until
 * nothing moves for the stage's wait. Returns 1 when done. */
static int pump(struct flood *f, long until, int want_drop)
{
    char line[FLOOD_LINE];
    long long last_progress = now_ms();
    f->target = until;
    while (want_drop ? !f->stalled_left : f->received < until) {
        struct pollfd pfd[2] = {{.fd = f->reader->fd, .events = POLLIN},
                                {.fd = f->writer->fd, .events = POLLOUT}};
        int writing = f->sent < until;
        int ready = poll(pfd, writing ? 2 : 1, 100);
        int moved = 0;
        if (ready > 0 && (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            int rc = fill(f->reader, 0);
            ck_assert_msg(rc >= 0, "guest2: the server closed the connection of a "
                                   "client that reads everything. " S5_HINT);
            moved |= rc > 0;
            check_reader(f);
        }
        if (ready > 0 && writing && (pfd[1].revents & POLLOUT)) {
            int n = snprintf(line, sizeof line, "%07ld ", f->sent);
            memset(line + n, 'x', FLOOD_LINE - 1 - (size_t)n);
            line[FLOOD_LINE - 1] = '\n';
            ssize_t w = write(f->writer->fd, line + f->partial, FLOOD_LINE - f->partial);
            ck_assert_msg(w > 0 || errno == EAGAIN || errno == EINTR,
                          "guest3: the server closed the connection. " S5_HINT);
            if (w > 0) {
                moved = 1;
                f->partial += (size_t)w;
                if (f->partial == FLOOD_LINE) {
                    f->partial = 0;
                    f->sent++;
                }
            }
        }
        if (moved)
            last_progress = now_ms();
        else if (now_ms() - last_progress >=
                 (long long)STAGE_WAIT_MS * timeout_multiplier())
            return 0;
    }
    return 1;
}

START_TEST(drops_a_stalled_reader)
{
    start(NULL, NULL);
    struct peer *stalled = stalled_peer();
    struct flood f = {.reader = connect_peer(1, "guest2")};
    expect(f.reader, "* welcome to chatd, you are guest2; /help for commands", 0,
           "connected", S1_HINT);
    f.writer = connect_peer(2, "guest3");
    expect(f.reader, "* guest3 joined", 0, "guest3 connected", S4_HINT);
    int flags = fcntl(f.writer->fd, F_GETFL);
    ck_assert(flags >= 0 && fcntl(f.writer->fd, F_SETFL, flags | O_NONBLOCK) == 0);

    int dropped = pump(&f, FLOOD_LIMIT / FLOOD_LINE, 1);
    ck_assert_msg(dropped,
                  "guest1 never reads; guest3 sent %ld lines of %d bytes (guest2 got "
                  "%ld), then %s, and guest2 never saw \"* guest1 left\". A client "
                  "whose output queue would pass 64 KiB must be dropped, and nobody "
                  "may wait for it. %s",
                  f.sent, FLOOD_LINE, f.received,
                  f.sent >= FLOOD_LIMIT / FLOOD_LINE ? "the stage gave up"
                                                     : "nothing moved for 5 s (frozen?)",
                  S5_HINT);
    long more = f.sent + FLOOD_AFTER;
    ck_assert_msg(pump(&f, more, 0),
                  "after guest1 was dropped, guest3 sent %d more lines: guest2 got %ld "
                  "of %ld in all. %s",
                  FLOOD_AFTER, f.received, more, S5_HINT);
    /* guest1 finds the end of its connection after what was queued for it. */
    static char sink[8 * 1024 * 1024];
    recv_until_close(stalled->fd, sink, sizeof sink,
                     STAGE_WAIT_MS * timeout_multiplier());
    ck_assert_msg(wait_closed(stalled->fd, STAGE_WAIT_MS * timeout_multiplier()),
                  "guest1 (never reads): after \"* guest1 left\" its connection is "
                  "still open: close() it when you drop it. %s",
                  S5_HINT);
    stop();
}
END_TEST

/* ---- 3.s6: the client limit ------------------------------------------------------- */

#define S6_HINT "Read " BOOK ", \"A full room, and FD_SETSIZE\""

START_TEST(refuses_clients_over_the_limit)
{
    start("-m", "2");
    struct peer *a = connect_peer(0, "guest1");
    expect(a, WELCOME1, 0, "connected to a server started with -m 2", S1_HINT);
    struct peer *b = connect_peer(1, "guest2");
    expect(b, "* welcome to chatd, you are guest2; /help for commands", 0,
           "connected as the second of -m 2", S6_HINT);
    struct peer *c = connect_peer(2, "a third client");
    expect(c, "! server full", 0, "connected as the third with -m 2", S6_HINT);
    expect_closed(c, NULL, "got \"! server full\"", S6_HINT);
    expect(a, "* guest2 joined", 0, "guest2 connected", S4_HINT);
    say(a, "still here\n");
    expect(b, "guest1: still here", 0,
           "a third client was refused, then guest1 sent \"still here\\n\"",
           "The refused client joins nobody and nobody hears of it. " S6_HINT);
    close(b->fd);
    b->name = NULL;
    expect(a, "* guest2 left", 0, "guest2 closed its connection", S4_HINT);
    struct peer *d = connect_peer(3, "a client after a place came free");
    expect(d, "* welcome to chatd, you are guest3; /help for commands", 0,
           "guest2 left, so one place of -m 2 is free; then a client connected",
           "A refused client uses no guest number. " S6_HINT);
    stop();
}
END_TEST

/* ---- 3.s7: commands --------------------------------------------------------------- */

#define S7_HINT "Read " BOOK ", \"Commands\" (exercises 3.2 and 3.3)"

START_TEST(runs_commands)
{
    start(NULL, NULL);
    struct peer *a = connect_peer(0, "guest1");
    expect(a, WELCOME1, 0, "connected", S1_HINT);
    struct peer *b = connect_peer(1, "guest2");
    expect(b, "* welcome to chatd, you are guest2; /help for commands", 0, "connected",
           S1_HINT);
    expect(a, "* guest2 joined", 0, "guest2 connected", S4_HINT);

    say(a, "/nick  alice \n");
    const char *renamed = "* guest1 is now known as alice";
    expect(a, renamed, 0, "guest1 sent \"/nick  alice \\n\"",
           "Everyone gets the notice, the sender too; the argument is trimmed. " S7_HINT);
    expect(b, renamed, 0, "guest1 sent \"/nick  alice \\n\"", S7_HINT);
    say(a, "hello\n");
    expect(b, "alice: hello", 0, "alice (was guest1) sent \"hello\\n\"", S7_HINT);

    say(b, "/nick b@d\n");
    expect(b, "! invalid nick: b@d", 0, "guest2 sent \"/nick b@d\\n\"",
           "A nick is 1-16 of A-Z a-z 0-9 _ -. " S7_HINT);
    say(b, "/nick ALICE\n");
    expect(b, "! nick taken: ALICE", 0,
           "guest2 sent \"/nick ALICE\\n\" (alice is online)",
           "Nicks are unique ignoring case. " S7_HINT);
    say(b, "/frob it\n");
    expect(b, "! unknown command: /frob", 0, "guest2 sent \"/frob it\\n\"", S7_HINT);
    say(b, "/quit\nnot sent\n");
    expect_closed(b, "* bye", "guest2 sent \"/quit\\nnot sent\\n\"",
                  "After /quit (and maybe \"* bye\") the server closes. " S7_HINT);
    b->name = NULL;
    close(b->fd);
    expect(a, "* guest2 left", 0, "guest2 sent \"/quit\\nnot sent\\n\"",
           "Nothing after /quit is relayed. " S7_HINT);
    stop();
}
END_TEST

/* ---- 3.s8: the tick ---------------------------------------------------------------- */

#define S8_HINT                                                                          \
    "Read " BOOK ", \"The server speaks first\": the time left until the next tick is "  \
    "pselect()'s timeout, so the loop wakes with nothing to read and sends it"

START_TEST(speaks_first_with_the_tick)
{
    start("-T", "1");
    struct peer *a = connect_peer(0, "guest1");
    expect(a, WELCOME1, 0, "connected to a server started with -T 1", S1_HINT);
    /* Nobody sends anything: only the loop's own timeout can wake it. */
    expect(a, "* tick 1", 0, "connected to a server started with -T 1, then sent nothing",
           S8_HINT);
    struct peer *b = connect_peer(1, "guest2");
    expect(b, "* welcome to chatd, you are guest2; /help for commands", 0,
           "connected after the first tick", S1_HINT);
    expect(a, "* guest2 joined", 0, "guest2 connected", S4_HINT);
    const char *after =
        "the first tick came, then guest2 connected; nobody sent anything";
    expect(a, "* tick 2", 0, after, "Ticks are numbered 1, 2, 3, ... " S8_HINT);
    expect(b, "* tick 2", 0, after, "Every client gets every tick. " S8_HINT);
    stop();
}
END_TEST

void add_stages(Suite *suite)
{
    TCase *tc = stage_tcase("3.s1");
    tcase_add_test(tc, welcomes_each_client);
    suite_add_tcase(suite, tc);
    tc = stage_tcase("3.s2");
    tcase_add_test(tc, relays_without_echo);
    suite_add_tcase(suite, tc);
    tc = stage_tcase("3.s3");
    tcase_add_test(tc, cuts_lines_from_the_stream);
    suite_add_tcase(suite, tc);
    tc = stage_tcase("3.s4");
    tcase_add_test(tc, announces_joins_and_leaves);
    suite_add_tcase(suite, tc);
    tc = stage_tcase("3.s5");
    tcase_add_test(tc, drops_a_stalled_reader);
    suite_add_tcase(suite, tc);
    tc = stage_tcase("3.s6");
    tcase_add_test(tc, refuses_clients_over_the_limit);
    suite_add_tcase(suite, tc);
    tc = stage_tcase("3.s7");
    tcase_add_test(tc, runs_commands);
    suite_add_tcase(suite, tc);
    tc = stage_tcase("3.s8");
    tcase_add_test(tc, speaks_first_with_the_tick);
    suite_add_tcase(suite, tc);
}
