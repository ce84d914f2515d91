/* test_chatd.c: chapter 3's server, the real ./chatd, over loopback sockets.
 *
 * Every test starts chatd on port 0, connects clients, speaks the line protocol of
 * DESIGN.md §3.3 and asserts on the exact lines that come back. Nothing sleeps to
 * synchronise: a test waits for the line it expects (with a time limit), and proves
 * that a line did NOT come by asking something else afterwards and seeing that
 * answer arrive first. Only the tick, the frozen room and the stopping tests (a
 * signal must end chatd within a second) are about time itself.
 */
#include "suites.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define WELCOME_PREFIX "* welcome to chatd, you are "
#define WELCOME_SUFFIX "; /help for commands"
#define TOO_LONG       "! line too long (max 1024 bytes)"

/* ---- Helpers shared with test_chat.c (declared in suites.h) ----------------------- */

int line_wait_ms(void)
{
    return 5000 * timeout_multiplier();
}

void start_chatd(struct server_proc *server, const char *const extra[])
{
    char *argv[16] = {"chatd", "-p", "0"};
    int argc = 3;
    for (int i = 0; extra != NULL && extra[i] != NULL && argc < 15; i++)
        argv[argc++] = (char *)extra[i];
    argv[argc] = NULL;
    ck_assert_msg(server_start(server, CHATD, argv) == 0, "chatd did not start");
}

struct peer *peer_from_fd(int fd)
{
    struct peer *p = malloc(sizeof *p);
    ck_assert_msg(p != NULL, "out of memory");
    p->fd = fd;
    p->length = 0;
    return p;
}

struct peer *peer_connect(int port)
{
    int fd = tcp_connect(port);
    ck_assert_msg(fd >= 0, "connect to port %d: %s", port, strerror(errno));
    return peer_from_fd(fd);
}

void peer_close(struct peer *p)
{
    if (p != NULL) {
        close(p->fd);
        free(p);
    }
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Move one complete line from the buffer into out. Returns its length or -1. */
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

/* One poll() and read(). Returns 1 with bytes added, 0 on time-out, -1 at EOF or on
 * an error. */
static int peer_fill(struct peer *p, int timeout_ms)
{
    ck_assert_msg(p->length < sizeof p->data, "a line longer than %zu bytes",
                  sizeof p->data);
    struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
    int ready = poll(&pfd, 1, timeout_ms);
    if (ready < 0 && errno == EINTR)
        return 0;
    if (ready <= 0)
        return ready;
    ssize_t n = read(p->fd, p->data + p->length, sizeof p->data - p->length);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    if (n <= 0)
        return -1;
    p->length += (size_t)n;
    return 1;
}

ssize_t read_line(struct peer *p, char *out, size_t size, int timeout_ms, int *eof)
{
    long long deadline = now_ms() + timeout_ms;
    if (eof != NULL)
        *eof = 0;
    for (;;) {
        ssize_t n = take_line(p, out, size);
        if (n >= 0)
            return n;
        long long left = deadline - now_ms();
        if (left <= 0)
            return -1;
        int rc = peer_fill(p, (int)left);
        if (rc < 0) {
            if (eof != NULL)
                *eof = 1;
            return -1;
        }
    }
}

void expect_line(struct peer *p, const char *want)
{
    char got[4096];
    int eof;
    ssize_t n = read_line(p, got, sizeof got, line_wait_ms(), &eof);
    ck_assert_msg(n >= 0, "expected \"%s\", got %s", want,
                  eof ? "end of connection" : "nothing (timed out)");
    ck_assert_msg((size_t)n == strlen(want) && memcmp(got, want, (size_t)n) == 0,
                  "expected \"%s\", got \"%s\"", want, got);
}

void expect_closed(struct peer *p)
{
    char got[4096];
    int eof;
    ssize_t n = read_line(p, got, sizeof got, line_wait_ms(), &eof);
    ck_assert_msg(n < 0, "expected the end of the connection, got \"%s\"", got);
    ck_assert_msg(eof, "expected the end of the connection, it stayed open");
    ck_assert_msg(p->length == 0, "expected the end, got a partial line");
}

struct peer *join(int port, char *name)
{
    struct peer *p = peer_connect(port);
    char line[256];
    ssize_t n = read_line(p, line, sizeof line, line_wait_ms(), NULL);
    ck_assert_msg(n > 0, "no welcome line");
    size_t prefix = strlen(WELCOME_PREFIX);
    size_t suffix = strlen(WELCOME_SUFFIX);
    ck_assert_msg((size_t)n > prefix + suffix &&
                      strncmp(line, WELCOME_PREFIX, prefix) == 0 &&
                      strcmp(line + n - suffix, WELCOME_SUFFIX) == 0,
                  "not a welcome line: \"%s\"", line);
    if (name != NULL)
        snprintf(name, 32, "%.*s", (int)((size_t)n - prefix - suffix), line + prefix);
    return p;
}

/* ---- Local helpers ------------------------------------------------------------------
 */

static struct server_proc server;

static void start(void)
{
    start_chatd(&server, NULL);
}

static void stop(void)
{
    server_stop_clean(&server, "chatd");
}

/* A room of n clients, guest1..guestn, each having read the joins after its own. */
static void room(struct peer **peers, int n)
{
    for (int i = 0; i < n; i++) {
        char name[32], want[64];
        peers[i] = join(server.port, name);
        snprintf(want, sizeof want, "guest%d", i + 1);
        ck_assert_str_eq(name, want);
        snprintf(want, sizeof want, "* guest%d joined", i + 1);
        for (int k = 0; k < i; k++)
            expect_line(peers[k], want);
    }
}

static void leave_room(struct peer **peers, int n)
{
    for (int i = 0; i < n; i++)
        peer_close(peers[i]);
}

static void send_bytes(struct peer *p, const void *data, size_t length)
{
    send_all(p->fd, data, length);
}

static void say(struct peer *p, const char *text)
{
    send_all(p->fd, text, strlen(text));
}

/* Proves that nothing else was queued for p before now: ask /who, expect its answer
 * as the very next line. */
static void expect_nothing_before_who(struct peer *p, const char *who_answer)
{
    say(p, "/who\n");
    expect_line(p, who_answer);
}

static void expect_bytes(struct peer *p, const void *want, size_t length)
{
    char got[4096];
    ssize_t n = read_line(p, got, sizeof got, line_wait_ms(), NULL);
    ck_assert_msg(n >= 0, "expected a line of %zu bytes, got nothing", length);
    ck_assert_msg((size_t)n == length && memcmp(got, want, length) == 0,
                  "expected a line of %zu bytes, got %zd different ones", length, n);
}

/* ---- Joining and relaying --------------------------------------------------------- */

START_TEST(welcome_and_joins)
{
    start();
    struct peer *p[3];
    room(p, 3);
    /* Nobody heard about their own arrival: /who is their next line. */
    expect_nothing_before_who(p[2], "* online: guest1, guest2, guest3");
    expect_nothing_before_who(p[1], "* online: guest1, guest2, guest3");
    leave_room(p, 3);
    stop();
}
END_TEST

START_TEST(relays_to_others_without_echo)
{
    start();
    struct peer *p[3];
    room(p, 3);
    say(p[0], "hello, room\n");
    expect_line(p[1], "guest1: hello, room");
    expect_line(p[2], "guest1: hello, room");
    expect_nothing_before_who(p[0], "* online: guest1, guest2, guest3");
    leave_room(p, 3);
    stop();
}
END_TEST

START_TEST(leaving_is_announced)
{
    start();
    struct peer *p[3];
    room(p, 3);
    peer_close(p[1]);
    expect_line(p[0], "* guest2 left");
    expect_line(p[2], "* guest2 left");
    expect_nothing_before_who(p[0], "* online: guest1, guest3");
    peer_close(p[0]);
    peer_close(p[2]);
    stop();
}
END_TEST

START_TEST(reset_is_announced)
{
    start();
    struct peer *p[2];
    room(p, 2);
    say(p[0], "unread by the server? no, but the reset comes right after\n");
    expect_line(p[1],
                "guest1: unread by the server? no, but the reset comes right after");
    struct linger abort_close = {.l_onoff = 1, .l_linger = 0};
    ck_assert(setsockopt(p[0]->fd, SOL_SOCKET, SO_LINGER, &abort_close,
                         sizeof abort_close) == 0);
    peer_close(p[0]); /* RST instead of FIN */
    expect_line(p[1], "* guest1 left");
    expect_nothing_before_who(p[1], "* online: guest2");
    peer_close(p[1]);
    stop();
}
END_TEST

START_TEST(guest_numbers_are_never_reused_and_skip_taken_names)
{
    start();
    struct peer *p[2];
    room(p, 2);
    peer_close(p[1]);
    expect_line(p[0], "* guest2 left");
    say(p[0], "/nick guest4\n");
    expect_line(p[0], "* guest1 is now known as guest4");
    char name[32];
    struct peer *third = join(server.port, name);
    ck_assert_str_eq(name, "guest3"); /* 2 is gone for good */
    expect_line(p[0], "* guest3 joined");
    struct peer *fourth = join(server.port, name);
    ck_assert_str_eq(name, "guest5"); /* guest4 is taken */
    peer_close(p[0]);
    peer_close(third);
    peer_close(fourth);
    stop();
}
END_TEST

/* ---- Commands ---------------------------------------------------------------------- */

START_TEST(nick_good_bad_taken_same)
{
    start();
    struct peer *p[2];
    room(p, 2);
    say(p[0], "/nick alice\n");
    expect_line(p[0], "* guest1 is now known as alice");
    expect_line(p[1], "* guest1 is now known as alice");
    say(p[0], "/nick   Al_ice-2  \n"); /* blanks around the argument are trimmed */
    expect_line(p[0], "* alice is now known as Al_ice-2");
    expect_line(p[1], "* alice is now known as Al_ice-2");
    say(p[0], "/nick alice\n");
    expect_line(p[0], "* Al_ice-2 is now known as alice");
    expect_line(p[1], "* Al_ice-2 is now known as alice");

    say(p[1], "/nick bad name\n");
    expect_line(p[1], "! invalid nick: bad name");
    say(p[1], "/nick abcdefghijklmnopq\n"); /* 17 */
    expect_line(p[1], "! invalid nick: abcdefghijklmnopq");
    say(p[1], "/nick abcdefghijklmnop\n"); /* 16 */
    expect_line(p[1], "* guest2 is now known as abcdefghijklmnop");
    expect_line(p[0], "* guest2 is now known as abcdefghijklmnop");
    say(p[1], "/nick caf\xc3\xa9\n");
    expect_line(p[1], "! invalid nick: caf\xc3\xa9");
    say(p[1], "/nick\n");
    expect_line(p[1], "! invalid nick: ");
    say(p[1], "/nick ALICE\n");
    expect_line(p[1], "! nick taken: ALICE");

    say(p[0], "/nick alice\n"); /* your own name: nothing at all */
    expect_nothing_before_who(p[0], "* online: alice, abcdefghijklmnop");
    expect_nothing_before_who(p[1], "* online: alice, abcdefghijklmnop");
    say(p[0], "/nick ALICE\n"); /* your own name in other letters: a change */
    expect_line(p[0], "* alice is now known as ALICE");
    expect_line(p[1], "* alice is now known as ALICE");
    leave_room(p, 2);
    stop();
}
END_TEST

START_TEST(who_lists_in_joining_order)
{
    start();
    struct peer *p[3];
    room(p, 3);
    say(p[0], "/nick zed\n");
    for (int i = 0; i < 3; i++)
        expect_line(p[i], "* guest1 is now known as zed");
    say(p[2], "/nick amy\n");
    for (int i = 0; i < 3; i++)
        expect_line(p[i], "* guest3 is now known as amy");
    expect_nothing_before_who(p[1], "* online: zed, guest2, amy");
    peer_close(p[1]);
    expect_line(p[0], "* guest2 left");
    struct peer *fourth = join(server.port, NULL);
    expect_line(p[0], "* guest4 joined");
    expect_nothing_before_who(fourth, "* online: zed, amy, guest4");
    peer_close(fourth);
    peer_close(p[0]);
    peer_close(p[2]);
    stop();
}
END_TEST

START_TEST(msg_reaches_only_its_recipient)
{
    start();
    struct peer *p[3];
    room(p, 3);
    say(p[0], "/nick alice\n");
    say(p[1], "/nick bob\n");
    for (int i = 0; i < 3; i++) {
        expect_line(p[i], "* guest1 is now known as alice");
        expect_line(p[i], "* guest2 is now known as bob");
    }
    say(p[0], "/msg BoB   see you at 6  \n");
    expect_line(p[1], "alice (private): see you at 6");
    say(p[0], "/msg alice note to self\n");
    expect_line(p[0], "alice (private): note to self");
    say(p[0], "/msg carol hello\n");
    expect_line(p[0], "! no such user: carol");
    say(p[0], "/msg bob\n");
    expect_line(p[0], "! usage: /msg NAME text");
    say(p[0], "/msg\n");
    expect_line(p[0], "! usage: /msg NAME text");
    say(p[0], "/msg    \n");
    expect_line(p[0], "! usage: /msg NAME text");
    /* guest3 heard none of it, and bob only his. */
    expect_nothing_before_who(p[2], "* online: alice, bob, guest3");
    expect_nothing_before_who(p[1], "* online: alice, bob, guest3");
    leave_room(p, 3);
    stop();
}
END_TEST

START_TEST(me_and_its_usage)
{
    start();
    struct peer *p[2];
    room(p, 2);
    say(p[0], "/me waves at everyone\n");
    expect_line(p[1], "* guest1 waves at everyone");
    say(p[0], "/me\n");
    expect_line(p[0], "! usage: /me text");
    say(p[0], "/me   \n");
    expect_line(p[0], "! usage: /me text");
    expect_nothing_before_who(p[0], "* online: guest1, guest2");
    expect_nothing_before_who(p[1], "* online: guest1, guest2");
    leave_room(p, 2);
    stop();
}
END_TEST

START_TEST(quit_says_bye_closes_and_ignores_the_rest)
{
    start();
    struct peer *p[2];
    room(p, 2);
    say(p[0], "/quit\nthis line comes after quit\n/nick ghost\n");
    expect_line(p[0], "* bye");
    expect_closed(p[0]);
    expect_line(p[1], "* guest1 left");
    expect_nothing_before_who(p[1], "* online: guest2");
    leave_room(p, 2);
    stop();
}
END_TEST

START_TEST(help_names_every_command)
{
    start();
    struct peer *p[1];
    room(p, 1);
    say(p[0], "/help\n");
    const char *commands[] = {"/nick", "/who", "/msg", "/me", "/quit", "/help"};
    int seen[6] = {0};
    char line[512];
    /* The help lines, then the /who answer that proves they have all arrived. */
    say(p[0], "/who\n");
    for (;;) {
        ssize_t n = read_line(p[0], line, sizeof line, line_wait_ms(), NULL);
        ck_assert_msg(n > 0, "help ended early");
        if (strcmp(line, "* online: guest1") == 0)
            break;
        ck_assert_msg(strncmp(line, "* ", 2) == 0, "not a notice: \"%s\"", line);
        for (int i = 0; i < 6; i++)
            if (strstr(line, commands[i]) != NULL)
                seen[i] = 1;
    }
    for (int i = 0; i < 6; i++)
        ck_assert_msg(seen[i], "/help does not mention %s", commands[i]);
    leave_room(p, 1);
    stop();
}
END_TEST

START_TEST(unknown_commands)
{
    start();
    struct peer *p[2];
    room(p, 2);
    say(p[0], "/foo bar baz\n");
    expect_line(p[0], "! unknown command: /foo");
    say(p[0], "/NICK upper\n"); /* commands are lower-case */
    expect_line(p[0], "! unknown command: /NICK");
    say(p[0], "/\n");
    expect_line(p[0], "! unknown command: /");
    say(p[0], "/whois\n");
    expect_line(p[0], "! unknown command: /whois");
    expect_nothing_before_who(p[1], "* online: guest1, guest2");
    leave_room(p, 2);
    stop();
}
END_TEST

/* ---- Lines ------------------------------------------------------------------------- */

START_TEST(lf_crlf_and_empty_lines)
{
    start();
    struct peer *p[2];
    room(p, 2);
    say(p[0], "one\r\n\r\n\n  \ntwo\nthree\r\nin\rside\n");
    expect_line(p[1], "guest1: one");
    expect_line(p[1], "guest1:   "); /* blanks are text, not an empty line */
    expect_line(p[1], "guest1: two");
    expect_line(p[1], "guest1: three");
    expect_line(p[1], "guest1: in\rside"); /* only a CR right before the LF goes */
    expect_nothing_before_who(p[1], "* online: guest1, guest2");
    leave_room(p, 2);
    stop();
}
END_TEST

START_TEST(a_line_in_one_byte_pieces)
{
    start();
    struct peer *p[2];
    room(p, 2);
    int one = 1;
    setsockopt(p[0]->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const char *text = "slowly, one byte at a time\r\n";
    for (size_t i = 0; text[i] != '\0'; i++)
        send_bytes(p[0], text + i, 1);
    expect_line(p[1], "guest1: slowly, one byte at a time");
    leave_room(p, 2);
    stop();
}
END_TEST

START_TEST(a_hundred_lines_in_one_write)
{
    start();
    struct peer *p[2];
    room(p, 2);
    static char burst[100 * 16];
    size_t length = 0;
    for (int i = 0; i < 100; i++)
        length +=
            (size_t)snprintf(burst + length, sizeof burst - length, "line %03d\n", i);
    send_bytes(p[0], burst, length);
    for (int i = 0; i < 100; i++) {
        char want[32];
        snprintf(want, sizeof want, "guest1: line %03d", i);
        expect_line(p[1], want);
    }
    leave_room(p, 2);
    stop();
}
END_TEST

START_TEST(line_length_limit)
{
    start();
    struct peer *p[2];
    room(p, 2);
    static char line[3000];
    static char want[3000];
    /* 1024 bytes of text: accepted, with LF and with CRLF. */
    memset(line, 'a', 1024);
    memcpy(line + 1024, "\r\n", 2);
    send_bytes(p[0], line, 1026);
    snprintf(want, sizeof want, "guest1: %.1024s", line);
    expect_line(p[1], want);
    line[1024] = '\n';
    send_bytes(p[0], line, 1025);
    expect_line(p[1], want);

    /* 1025 bytes: refused as soon as the 1025th arrives, before any LF... */
    memset(line, 'b', 1025);
    send_bytes(p[0], line, 1025);
    expect_line(p[0], TOO_LONG);
    /* ...and only once, however much more comes before the LF. */
    memset(line, 'c', sizeof line);
    send_bytes(p[0], line, sizeof line);
    send_bytes(p[0], "tail\n", 5);
    /* The connection is still usable, and nothing of the long line got through. */
    say(p[0], "after\n");
    expect_line(p[1], "guest1: after");
    expect_nothing_before_who(p[0], "* online: guest1, guest2");

    /* 1025 bytes ending in CR: the CR could start a CRLF, so no verdict before the
     * next byte; an LF makes it a valid 1024-byte line. */
    memset(line, 'd', 1024);
    line[1024] = '\r';
    send_bytes(p[0], line, 1025);
    send_bytes(p[0], "\n", 1);
    snprintf(want, sizeof want, "guest1: %.1024s", line);
    expect_line(p[1], want);
    /* 1026 bytes in one go, the last an LF, no CR: too long. */
    memset(line, 'e', 1025);
    line[1025] = '\n';
    send_bytes(p[0], line, 1026);
    expect_line(p[0], TOO_LONG);
    expect_nothing_before_who(p[0], "* online: guest1, guest2");
    expect_nothing_before_who(p[1], "* online: guest1, guest2");
    leave_room(p, 2);
    stop();
}
END_TEST

START_TEST(nul_bytes_pass_through)
{
    start();
    struct peer *p[2];
    room(p, 2);
    static const char sent[] = "a\0b\0\0c\xff\n";
    static const char want[] = "guest1: a\0b\0\0c\xff";
    send_bytes(p[0], sent, sizeof sent - 1);
    expect_bytes(p[1], want, sizeof want - 1);
    static const char private_sent[] = "/msg guest2 x\0y\n";
    static const char private_want[] = "guest1 (private): x\0y";
    send_bytes(p[0], private_sent, sizeof private_sent - 1);
    expect_bytes(p[1], private_want, sizeof private_want - 1);
    leave_room(p, 2);
    stop();
}
END_TEST

START_TEST(a_partial_line_at_disconnect_is_dropped)
{
    start();
    struct peer *p[2];
    room(p, 2);
    say(p[0], "complete\nincomplete");
    expect_line(p[1], "guest1: complete");
    peer_close(p[0]);
    expect_line(p[1], "* guest1 left");
    peer_close(p[1]);
    stop();
}
END_TEST

/* ---- The server speaks first ---------------------------------------------------- */

START_TEST(tick_arrives_without_any_input)
{
    const char *extra[] = {"-T", "1", NULL};
    start_chatd(&server, extra);
    struct peer *p[2];
    room(p, 2);
    expect_line(p[0], "* tick 1");
    expect_line(p[1], "* tick 1");
    expect_line(p[0], "* tick 2");
    expect_line(p[1], "* tick 2");
    leave_room(p, 2);
    stop();
}
END_TEST

/* ---- Capacity ---------------------------------------------------------------------- */

START_TEST(server_full_and_a_freed_slot)
{
    const char *extra[] = {"-m", "2", NULL};
    start_chatd(&server, extra);
    struct peer *p[2];
    room(p, 2);
    struct peer *third = peer_connect(server.port);
    expect_line(third, "! server full");
    expect_closed(third);
    peer_close(third);
    peer_close(p[0]);
    expect_line(p[1], "* guest1 left");
    char name[32];
    struct peer *again = join(server.port, name);
    ck_assert_str_eq(name, "guest3"); /* the refused client used no number */
    expect_line(p[1], "* guest3 joined");
    peer_close(again);
    peer_close(p[1]);
    stop();
}
END_TEST

/* ---- The slow client ------------------------------------------------------------- */

#define FLOOD_LINE 1000 /* bytes per flood line, LF included */
#define FLOOD_LIMIT                                                                      \
    (64L * 1024 * 1024) /* a stalled client must be dealt with by then                   \
                         */
#define FREEZE_MS 1000  /* "frozen": no progress at all for this long */

/* A client that never reads, with a small receive buffer so that it fills quickly. */
static struct peer *stalled_client(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert(fd >= 0);
    int small = 4096;
    ck_assert(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small) == 0);
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((unsigned short)port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_msg(connect(fd, (struct sockaddr *)&sin, sizeof sin) == 0, "connect: %s",
                  strerror(errno));
    return peer_from_fd(fd);
}

/* The flood: lines "NNNNNNN xxxx..." from the flooder, checked in order at the
 * reader ("guest3: NNNNNNN xxx..."). */
struct flood {
    struct peer *flooder;
    struct peer *reader;
    long sent;        /* lines fully written */
    size_t partial;   /* bytes of line `sent` already written */
    long received;    /* lines seen at the reader, in order */
    int stalled_left; /* the reader saw "* guest1 left" */
    long long bytes_at_drop;
    long target; /* lines to send in this pump() */
};

static void make_flood_line(long number, char *line)
{
    int n = snprintf(line, FLOOD_LINE, "%07ld ", number);
    memset(line + n, 'x', FLOOD_LINE - 1 - (size_t)n);
    line[FLOOD_LINE - 1] = '\n';
}

/* Check every complete line at the reader. */
static void check_reader_lines(struct flood *f)
{
    char line[2 * FLOOD_LINE];
    ssize_t n;
    while ((n = take_line(f->reader, line, sizeof line)) >= 0) {
        if (strcmp(line, "* guest1 left") == 0) {
            f->stalled_left = 1;
            f->bytes_at_drop = (long long)f->sent * FLOOD_LINE;
            continue;
        }
        long number = -1;
        ck_assert_msg(n == FLOOD_LINE - 1 + 8 &&
                          sscanf(line, "guest3: %ld", &number) == 1,
                      "unexpected line at the reader: \"%.60s\"", line);
        ck_assert_msg(number == f->received, "line %ld arrived where %ld was due", number,
                      f->received);
        f->received++;
    }
}

/* Write flood lines (up to `until` lines) and read the reader, both non-blocking,
 * until done() or until nothing moves for idle_ms. Returns 1 if done(), 0 if idle. */
static int pump(struct flood *f, long until, int (*done)(struct flood *), int idle_ms)
{
    char line[FLOOD_LINE];
    long long last_progress = now_ms();
    f->target = until;
    while (!done(f)) {
        struct pollfd pfd[2] = {{.fd = f->reader->fd, .events = POLLIN},
                                {.fd = f->flooder->fd, .events = POLLOUT}};
        int writing = f->sent < until;
        int ready = poll(pfd, writing ? 2 : 1, 100);
        ck_assert(ready >= 0 || errno == EINTR);
        int moved = 0;
        if (ready > 0 && (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            int rc = peer_fill(f->reader, 0);
            ck_assert_msg(rc >= 0, "the reader was disconnected");
            moved |= rc > 0;
            check_reader_lines(f);
        }
        if (ready > 0 && writing && (pfd[1].revents & POLLOUT)) {
            make_flood_line(f->sent, line);
            ssize_t n = write(f->flooder->fd, line + f->partial, FLOOD_LINE - f->partial);
            ck_assert_msg(n > 0 || errno == EAGAIN || errno == EINTR, "flooder: %s",
                          strerror(errno));
            if (n > 0) {
                moved = 1;
                f->partial += (size_t)n;
                if (f->partial == FLOOD_LINE) {
                    f->partial = 0;
                    f->sent++;
                }
            }
        }
        if (moved)
            last_progress = now_ms();
        else if (now_ms() - last_progress >= idle_ms)
            return 0;
    }
    return 1;
}

static int stalled_one_dropped(struct flood *f)
{
    return f->stalled_left;
}

static int all_received(struct flood *f)
{
    return f->received == f->target;
}

static int fcntl_nonblock(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

static long vm_rss_kib(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return -1;
    long kib = -1;
    while (fgets(line, sizeof line, file) != NULL)
        if (sscanf(line, "VmRSS: %ld", &kib) == 1)
            break;
    fclose(file);
    return kib;
}

/* guest1 never reads, guest2 reads, guest3 floods. */
static void slow_client_room(struct flood *f, struct peer **stalled)
{
    memset(f, 0, sizeof *f);
    *stalled = stalled_client(server.port);
    f->reader = join(server.port, NULL);
    f->flooder = join(server.port, NULL);
    expect_line(f->reader, "* guest3 joined");
    ck_assert(fcntl_nonblock(f->flooder->fd) == 0);
}

START_TEST(a_stalled_reader_is_dropped_and_the_room_flows)
{
    start();
    struct flood f;
    struct peer *stalled;
    slow_client_room(&f, &stalled);
    long rss_before = vm_rss_kib(server.pid);

    /* Flood until the server gives up on guest1, at the latest after FLOOD_LIMIT. */
    int dropped = pump(&f, FLOOD_LIMIT / FLOOD_LINE, stalled_one_dropped, line_wait_ms());
    ck_assert_msg(dropped, "the stalled client was never dropped (%ld lines sent)",
                  f.sent);
    /* And the room keeps flowing: 2000 more lines, every one delivered in order. */
    long more = f.sent + 2000;
    ck_assert_msg(pump(&f, more, all_received, line_wait_ms()) && f.sent == more,
                  "the reader got %ld of %ld lines", f.received, more);

    long rss_after = vm_rss_kib(server.pid);
    if (rss_before > 0 && rss_after > 0)
        ck_assert_msg(rss_after - rss_before < 16 * 1024,
                      "chatd grew from %ld to %ld KiB", rss_before, rss_after);
    /* The stalled client finds the end of its stream after what was queued. */
    static char sink[8 * 1024 * 1024];
    recv_until_close(stalled->fd, sink, sizeof sink, line_wait_ms());
    ck_assert_msg(wait_closed(stalled->fd, line_wait_ms()), "guest1 is still connected");
    peer_close(stalled);
    peer_close(f.reader);
    peer_close(f.flooder);
    stop();
}
END_TEST

START_TEST(with_blocking_sends_one_stalled_reader_freezes_the_room)
{
    const char *extra[] = {"-B", NULL};
    start_chatd(&server, extra);
    struct flood f;
    struct peer *stalled;
    slow_client_room(&f, &stalled);

    /* Flood until nothing moves at all: the server sits in write() to guest1. */
    int finished = pump(&f, FLOOD_LIMIT / FLOOD_LINE, all_received, FREEZE_MS);
    ck_assert_msg(!finished, "the room never froze (%ld lines)", f.sent);
    ck_assert_msg(f.received < f.sent, "frozen, yet the reader got every line");
    long frozen_at = f.received;

    /* guest1 goes away (a reset, as its unread data demands): the write fails, the
     * server wakes up, and the reader gets everything that was stuck. */
    struct linger abort_close = {.l_onoff = 1, .l_linger = 0};
    setsockopt(stalled->fd, SOL_SOCKET, SO_LINGER, &abort_close, sizeof abort_close);
    peer_close(stalled);
    ck_assert_msg(pump(&f, f.sent, all_received, line_wait_ms()),
                  "the room stayed frozen after the stalled client left");
    ck_assert_msg(f.received > frozen_at, "nothing more arrived");
    peer_close(f.reader);
    peer_close(f.flooder);
    stop();
}
END_TEST

/* ---- Robustness ------------------------------------------------------------------- */

START_TEST(a_thousand_connections_leak_no_descriptor)
{
    start();
    struct peer *watcher = join(server.port, NULL);
    int before = count_open_fds(server.pid);
    for (int i = 2; i < 1002; i++) {
        char name[32], want[64];
        struct peer *p = join(server.port, name);
        snprintf(want, sizeof want, "* %s joined", name);
        expect_line(watcher, want);
        peer_close(p);
        snprintf(want, sizeof want, "* %s left", name);
        expect_line(watcher, want); /* the server has closed its end too */
    }
    int after = count_open_fds(server.pid);
    ck_assert_msg(after == before, "chatd had %d descriptors open, now %d", before,
                  after);
    expect_nothing_before_who(watcher, "* online: guest1");
    peer_close(watcher);
    stop();
}
END_TEST

START_TEST(sigterm_says_goodbye)
{
    start();
    struct peer *p[2];
    room(p, 2);
    ck_assert(kill(server.pid, SIGTERM) == 0);
    for (int i = 0; i < 2; i++) {
        expect_line(p[i], "* server shutting down");
        expect_closed(p[i]);
    }
    leave_room(p, 2);
    stop();
}
END_TEST

/* ---- Stopping: a signal ends chatd within 1 s, whatever its clients are doing ------ */

#define STOP_LIMIT_MS 1000 /* the contract (server_stop_within stretches it) */

/* After the server has gone: p's next line is "* server shutting down" (with
 * lines_before set, other lines may come first: a flood still arriving), then the
 * end of the connection. */
static void expect_goodbye(struct peer *p, int lines_before)
{
    char line[4096];
    int eof;
    for (;;) {
        ssize_t n = read_line(p, line, sizeof line, line_wait_ms(), &eof);
        ck_assert_msg(n >= 0, "expected \"* server shutting down\", got %s",
                      eof ? "end of connection" : "nothing (timed out)");
        if (strcmp(line, "* server shutting down") == 0)
            break;
        ck_assert_msg(lines_before, "expected \"* server shutting down\", got \"%.80s\"",
                      line);
    }
    expect_closed(p);
}

START_TEST(stops_at_once_with_half_a_line_sent)
{
    start();
    struct peer *p[2];
    room(p, 2);
    say(p[0], "a whole line\nhalf a li");
    expect_line(p[1], "guest1: a whole line"); /* the server has read the half line */
    server_stop_within(&server, SIGTERM, STOP_LIMIT_MS, "chatd holding half a line");
    expect_goodbye(p[0], 0);
    expect_goodbye(p[1], 0);
    leave_room(p, 2);
}
END_TEST

/* Bytes the kernel holds for the loopback connection from local_port to remote_port:
 * written and not yet acknowledged (its send queue), or arrived and not yet read
 * (receive). From Linux's /proc/net/tcp; -1 where there is no such file. */
static long tcp_queue(int local_port, int remote_port, int receive)
{
    FILE *f = fopen("/proc/net/tcp", "r");
    if (f == NULL)
        return -1;
    char line[512];
    long bytes = -1;
    while (bytes < 0 && fgets(line, sizeof line, f) != NULL) {
        unsigned local, remote;
        unsigned long tx, rx;
        if (sscanf(line, " %*d: %*x:%x %*x:%x %*x %lx:%lx", &local, &remote, &tx, &rx) ==
                4 &&
            (int)local == local_port && (int)remote == remote_port)
            bytes = (long)(receive ? rx : tx);
    }
    fclose(f);
    return bytes;
}

static int local_port(int fd)
{
    struct sockaddr_in sin;
    socklen_t length = sizeof sin;
    ck_assert(getsockname(fd, (struct sockaddr *)&sin, &length) == 0);
    return ntohs(sin.sin_port);
}

/* Read until the end of the stream (or a reset); returns the bytes read. */
static long long drain(int fd)
{
    static char sink[64 * 1024];
    long long total = 0;
    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int ready = poll(&pfd, 1, line_wait_ms());
        ck_assert_msg(ready != 0, "the stream did not end");
        if (ready < 0 && errno == EINTR)
            continue;
        ssize_t n = read(fd, sink, sizeof sink);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return total;
        total += n;
    }
}

/* At least this much held in chatd's queue for the stalled client: with one more
 * batch of 16 lines it stays under QUEUE_CAPACITY (64 KiB), so it is never dropped. */
#define QUEUED_WANTED (40 * 1024)

START_TEST(stops_at_once_with_a_stalled_reader_and_its_queue_full)
{
    start();
    struct peer *stalled = stalled_client(server.port); /* guest1, never reads */
    struct peer *reader = join(server.port, NULL);
    struct peer *flooder = join(server.port, NULL);
    expect_line(reader, "* guest3 joined");
    int stalled_port = local_port(stalled->fd);

    /* Every line the flooder sends reaches the reader and the stalled client. The
     * reader's copy says the server has handled it, so we know to the byte what was
     * delivered to the stalled one: what is not in the kernel's buffers (the server's
     * send queue, the stalled client's receive queue) is in chatd's output queue. */
    char line[FLOOD_LINE], want[FLOOD_LINE + 16];
    memset(line, 'x', sizeof line);
    line[FLOOD_LINE - 1] = '\n';
    snprintf(want, sizeof want, "guest3: %.*s", FLOOD_LINE - 1, line);
    long long delivered =
        (long long)strlen("* welcome to chatd, you are guest1; /help for "
                          "commands\n* guest2 joined\n* guest3 joined\n");
    long long queued = 0;
    while (queued < QUEUED_WANTED) {
        ck_assert_msg(delivered < FLOOD_LIMIT, "chatd's queue never filled");
        for (int i = 0; i < 16; i++)
            send_bytes(flooder, line, sizeof line);
        for (int i = 0; i < 16; i++)
            expect_line(reader, want);
        delivered += 16 * (long long)strlen(want) + 16;
        long in_send_queue = tcp_queue(server.port, stalled_port, 0);
        long in_receive_queue = tcp_queue(stalled_port, server.port, 1);
        if (in_send_queue < 0 || in_receive_queue < 0)
            break; /* no /proc/net/tcp: we cannot look; only the stop is tested */
        queued = delivered - in_send_queue - in_receive_queue;
    }
    /* guest1 is full but still in the room: its queue held, nobody dropped it. */
    expect_nothing_before_who(reader, "* online: guest1, guest2, guest3");

    server_stop_within(&server, SIGTERM, STOP_LIMIT_MS,
                       "chatd with a stalled reader's queue full");
    expect_goodbye(reader, 0);
    expect_goodbye(flooder, 0);
    /* The stalled client finds the end of its stream after what the kernel held
     * (and whatever of its queue the kernel took during the shutdown flush). */
    drain(stalled->fd);
    peer_close(stalled);
    peer_close(reader);
    peer_close(flooder);
}
END_TEST

/* With -B, the server is stuck in a send to guest1 and nobody is served. */
static void stop_the_frozen_room(int signo, const char *name)
{
    const char *extra[] = {"-B", NULL};
    start_chatd(&server, extra);
    struct flood f;
    struct peer *stalled;
    slow_client_room(&f, &stalled);
    int finished = pump(&f, FLOOD_LIMIT / FLOOD_LINE, all_received, FREEZE_MS);
    ck_assert_msg(!finished && f.received < f.sent, "the room never froze (%ld lines)",
                  f.sent);

    server_stop_within(&server, signo, STOP_LIMIT_MS, name);
    /* The send to guest1 was given up; the reader gets what the server still had for
     * it ("* guest1 left" among them), the goodbye, and the end. */
    expect_goodbye(f.reader, 1);
    peer_close(stalled);
    peer_close(f.reader);
    peer_close(f.flooder);
}

START_TEST(with_blocking_sends_sigterm_ends_a_frozen_room)
{
    stop_the_frozen_room(SIGTERM, "chatd -B stuck in a send");
}
END_TEST

START_TEST(with_blocking_sends_ctrl_c_ends_a_frozen_room)
{
    stop_the_frozen_room(SIGINT, "chatd -B stuck in a send, on SIGINT");
}
END_TEST

/* ---- The command line ------------------------------------------------------------- */

static int run_chatd(const char *const args[], char *err, size_t err_size)
{
    char *argv[16] = {CHATD};
    int argc = 1;
    for (int i = 0; args[i] != NULL && argc < 15; i++)
        argv[argc++] = (char *)args[i];
    argv[argc] = NULL;
    static char out[4096];
    return run_program(argv, out, sizeof out, NULL, err, err_size);
}

START_TEST(command_line)
{
    char err[4096];
    const char *help[] = {"-h", NULL};
    ck_assert_int_eq(run_chatd(help, err, sizeof err), 0);
    const char *bad_flag[] = {"-Z", NULL};
    ck_assert_int_eq(run_chatd(bad_flag, err, sizeof err), 2);
    ck_assert_msg(strstr(err, "usage:") != NULL, "no usage on stderr: %s", err);
    const char *extra_argument[] = {"-p", "0", "extra", NULL};
    ck_assert_int_eq(run_chatd(extra_argument, err, sizeof err), 2);
    const char *bad_port[] = {"-p", "80x", NULL};
    ck_assert_int_eq(run_chatd(bad_port, err, sizeof err), 2);
    const char *zero_clients[] = {"-m", "0", NULL};
    ck_assert_int_eq(run_chatd(zero_clients, err, sizeof err), 2);
    char too_many[32];
    snprintf(too_many, sizeof too_many, "%d", FD_SETSIZE);
    const char *over_fd_setsize[] = {"-p", "0", "-m", too_many, NULL};
    ck_assert_int_eq(run_chatd(over_fd_setsize, err, sizeof err), 2);
    ck_assert_msg(strstr(err, "FD_SETSIZE") != NULL, "-m %s: %s", too_many, err);
    const char *bad_tick[] = {"-T", "-1", NULL};
    ck_assert_int_eq(run_chatd(bad_tick, err, sizeof err), 2);
}
END_TEST

START_TEST(port_in_use)
{
    start();
    char port[16], err[4096];
    snprintf(port, sizeof port, "%d", server.port);
    const char *same_port[] = {"-p", port, NULL};
    ck_assert_int_eq(run_chatd(same_port, err, sizeof err), 1);
    ck_assert_msg(strstr(err, port) != NULL && strchr(err, '\n') == err + strlen(err) - 1,
                  "want one line naming port %s: %s", port, err);
    stop();
}
END_TEST

START_TEST(listens_on_ipv6)
{
    const char *extra[] = {"-b", "::1", NULL};
    start_chatd(&server, extra);
    char want[64];
    snprintf(want, sizeof want, "chat://[::1]:%d/", server.port);
    ck_assert_str_eq(server.url, want);
    stop();
}
END_TEST

static TCase *tcase(const char *name, int timeout)
{
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, timeout);
    return tc;
}

Suite *chatd_suite(void)
{
    Suite *s = suite_create("chatd");
    TCase *tc = tcase("room", 10);
    tcase_add_test(tc, welcome_and_joins);
    tcase_add_test(tc, relays_to_others_without_echo);
    tcase_add_test(tc, leaving_is_announced);
    tcase_add_test(tc, reset_is_announced);
    tcase_add_test(tc, guest_numbers_are_never_reused_and_skip_taken_names);
    suite_add_tcase(s, tc);

    tc = tcase("commands", 10);
    tcase_add_test(tc, nick_good_bad_taken_same);
    tcase_add_test(tc, who_lists_in_joining_order);
    tcase_add_test(tc, msg_reaches_only_its_recipient);
    tcase_add_test(tc, me_and_its_usage);
    tcase_add_test(tc, quit_says_bye_closes_and_ignores_the_rest);
    tcase_add_test(tc, help_names_every_command);
    tcase_add_test(tc, unknown_commands);
    suite_add_tcase(s, tc);

    tc = tcase("lines", 10);
    tcase_add_test(tc, lf_crlf_and_empty_lines);
    tcase_add_test(tc, a_line_in_one_byte_pieces);
    tcase_add_test(tc, a_hundred_lines_in_one_write);
    tcase_add_test(tc, line_length_limit);
    tcase_add_test(tc, nul_bytes_pass_through);
    tcase_add_test(tc, a_partial_line_at_disconnect_is_dropped);
    suite_add_tcase(s, tc);

    tc = tcase("push and capacity", 10);
    tcase_add_test(tc, tick_arrives_without_any_input);
    tcase_add_test(tc, server_full_and_a_freed_slot);
    suite_add_tcase(s, tc);

    tc = tcase("slow client", 30);
    tcase_add_test(tc, a_stalled_reader_is_dropped_and_the_room_flows);
    tcase_add_test(tc, with_blocking_sends_one_stalled_reader_freezes_the_room);
    suite_add_tcase(s, tc);

    tc = tcase("robustness", 30);
    tcase_add_test(tc, a_thousand_connections_leak_no_descriptor);
    tcase_add_test(tc, sigterm_says_goodbye);
    suite_add_tcase(s, tc);

    tc = tcase("stopping", 30);
    tcase_add_test(tc, stops_at_once_with_half_a_line_sent);
    tcase_add_test(tc, stops_at_once_with_a_stalled_reader_and_its_queue_full);
    tcase_add_test(tc, with_blocking_sends_sigterm_ends_a_frozen_room);
    tcase_add_test(tc, with_blocking_sends_ctrl_c_ends_a_frozen_room);
    suite_add_tcase(s, tc);

    tc = tcase("command line", 10);
    tcase_add_test(tc, command_line);
    tcase_add_test(tc, port_in_use);
    tcase_add_test(tc, listens_on_ipv6);
    suite_add_tcase(s, tc);
    return s;
}
