/* Homework 4.1: round_trip(), the probe, against the real servers of chapters 1, 2
 * and 3 started on free loopback ports, and against a small server of the test's own
 * that answers late or in pieces.
 *
 * The time is checked only from below: a server that waits 300 ms before it answers
 * cannot be heard in less, however loaded the machine. That is what catches a clock
 * stopped too early (after connect(), or after the first piece).
 */
#include "exercises.h"
#include "harness.h"
#include "homework.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CH1_HTTPD PROJECT_ROOT "/chapters/01-http-close/httpd"
#define CH2_HTTPD PROJECT_ROOT "/chapters/02-keep-alive/httpd"
#define CH3_CHATD PROJECT_ROOT "/chapters/03-select-chat/chatd"

#define REPLY_MAX 4096
#define LATE_MS   300 /* how long the test's own server waits before it answers */

static void start(struct server_proc *server, const char *program)
{
    struct stat st;
    ck_assert_msg(stat(program, &st) == 0, "%s is not built: run `make` first", program);
    char *argv[] = {(char *)program, "-p", "0", NULL};
    ck_assert_msg(server_start(server, program, argv) == 0, "%s did not start", program);
}

/* round_trip() to 127.0.0.1:port; the reply NUL-terminated in reply. The caller
 * stops its server first, then checks the result (started() included), so that no
 * server outlives a failed assertion. */
static long probe(int port, const char *request, char *reply, size_t reply_size,
                  double *elapsed_ms)
{
    char port_text[16];
    snprintf(port_text, sizeof port_text, "%d", port);
    memset(reply, 0, reply_size);
    *elapsed_ms = -1;
    long n = round_trip("127.0.0.1", port_text, request, strlen(request), reply,
                        reply_size - 1, elapsed_ms);
    return n;
}

/* The lowest descriptor number free now: it grows if round_trip() leaks one. */
static int lowest_free_fd(void)
{
    int fd = open("/dev/null", O_RDONLY);
    ck_assert(fd >= 0);
    close(fd);
    return fd;
}

static void require_started(long n)
{
    hw_require_started(n != EXERCISE_NOT_STARTED, "round_trip");
}

/* The same exchange done by the test itself: the bytes round_trip() should get
 * (checked by expect_same_answer(), once the server is stopped). */
static ssize_t expected_reply(int port, const char *request, char *reply, size_t size)
{
    return http_exchange(port, request, reply, size);
}

static void expect_time_taken(double elapsed_ms)
{
    ck_assert_msg(elapsed_ms > 0 && elapsed_ms < 60000,
                  "*elapsed_ms is %g: expected the milliseconds the exchange took "
                  "(clock_gettime(CLOCK_MONOTONIC) before connect() and after the close)",
                  elapsed_ms);
}

/* Two HTTP answers of the same server to the same request may differ only in Date
 * (same length, fixed format). Compare the rest. */
static void expect_same_answer(const char *got, size_t got_length, const char *want,
                               ssize_t want_length, const char *what)
{
    ck_assert_msg(want_length > 0, "%s: the test's own exchange got no answer", what);
    ck_assert_msg(got_length == (size_t)want_length,
                  "%s: round_trip returned %zu bytes, the reply has %zu: read until "
                  "read() returns 0 (the server's close)",
                  what, got_length, (size_t)want_length);
    /* Only the Date may differ: same place, same length. */
    size_t length = (size_t)want_length;
    const char *date = strstr(want, "\r\nDate: ");
    size_t differ_from = date ? (size_t)(date - want) + 8 : length;
    size_t differ_to = date ? differ_from + 29 : length;
    ck_assert_msg(memcmp(got, want, differ_from) == 0 &&
                      memcmp(got + differ_to, want + differ_to, length - differ_to) == 0,
                  "%s: the reply stored in reply is not the server's:\n%.300s", what,
                  got);
}

START_TEST(gets_a_file_from_chapter_1)
{
    struct server_proc server;
    start(&server, CH1_HTTPD);
    const char *request = "GET /hello.txt HTTP/1.0\r\n\r\n";
    static char reply[REPLY_MAX], want[REPLY_MAX];
    double ms;
    long n = probe(server.port, request, reply, sizeof reply, &ms);
    ssize_t want_length = expected_reply(server.port, request, want, sizeof want);
    server_stop_clean(&server, "chapter 1's httpd");
    require_started(n);
    ck_assert_msg(n >= 0, "round_trip to chapter 1's httpd returned %ld", n);
    expect_same_answer(reply, (size_t)n, want, want_length, "GET /hello.txt HTTP/1.0");
    ck_assert_msg(strncmp(reply, "HTTP/1.0 200 OK\r\n", 17) == 0,
                  "expected the reply to start with HTTP/1.0 200 OK, got: %.80s", reply);
    expect_time_taken(ms);
}
END_TEST

START_TEST(gets_a_file_from_chapter_2_and_its_close)
{
    struct server_proc server;
    start(&server, CH2_HTTPD);
    const char *request =
        "GET /hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    static char reply[REPLY_MAX], want[REPLY_MAX];
    double ms;
    long n = probe(server.port, request, reply, sizeof reply, &ms);
    ssize_t want_length = expected_reply(server.port, request, want, sizeof want);
    server_stop_clean(&server, "chapter 2's httpd");
    require_started(n);
    ck_assert_msg(n >= 0, "round_trip to chapter 2's httpd returned %ld", n);
    expect_same_answer(reply, (size_t)n, want, want_length,
                       "GET /hello.txt HTTP/1.1 with Connection: close");
    expect_time_taken(ms);
}
END_TEST

START_TEST(talks_with_chapter_3)
{
    struct server_proc server;
    start(&server, CH3_CHATD);
    static char reply[REPLY_MAX];
    double ms;
    long n = probe(server.port, "/who\n/quit\n", reply, sizeof reply, &ms);
    server_stop_clean(&server, "chapter 3's chatd");
    require_started(n);
    const char *want = "* welcome to chatd, you are guest1; /help for commands\n"
                       "* online: guest1\n";
    ck_assert_msg(n >= (long)strlen(want) && (size_t)n == strlen(reply),
                  "\"/who\\n/quit\\n\" to chapter 3's chatd: round_trip returned %ld, "
                  "stored \"%s\"",
                  n, reply);
    ck_assert_msg(strncmp(reply, want, strlen(want)) == 0,
                  "expected the welcome and the /who line, got \"%s\"", reply);
    expect_time_taken(ms);
}
END_TEST

/* ---- The test's own server: answers late, or in pieces ----------------------------- */

struct own_server {
    int listener;
    int port;
    pid_t pid;
};

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) < 0 && errno == EINTR)
        ;
}

/* Child: accept one connection, read the request's first line, then send each
 * piece after pause_ms. Then a lingering close: end the sending side (the probe sees
 * its end of file), read whatever is left of the request until the probe closes too
 * (a close() with unread bytes would reset the connection), and close. alarm() bounds
 * it all if nobody connects. */
static void serve_pieces(int listener, const char *const pieces[], long pause_ms)
{
    alarm(10);
    int fd = accept(listener, NULL, NULL);
    if (fd < 0)
        _exit(1);
    char c = 0;
    while (c != '\n' && read(fd, &c, 1) == 1)
        ;
    for (size_t i = 0; pieces[i] != NULL; i++) {
        sleep_ms(pause_ms);
        if (write(fd, pieces[i], strlen(pieces[i])) < 0)
            _exit(1);
    }
    shutdown(fd, SHUT_WR);
    while (read(fd, &c, 1) > 0)
        ;
    close(fd);
    _exit(0);
}

/* Listening before the fork, so the probe can connect as soon as it likes. */
static void own_server_start(struct own_server *s, const char *const pieces[],
                             long pause_ms)
{
    struct sockaddr_in addr;
    socklen_t length = sizeof addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->listener = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert(s->listener >= 0);
    ck_assert(bind(s->listener, (struct sockaddr *)&addr, sizeof addr) == 0);
    ck_assert(listen(s->listener, 1) == 0);
    ck_assert(getsockname(s->listener, (struct sockaddr *)&addr, &length) == 0);
    s->port = ntohs(addr.sin_port);
    s->pid = fork();
    ck_assert(s->pid >= 0);
    if (s->pid == 0)
        serve_pieces(s->listener, pieces, pause_ms);
    close(s->listener);
}

static void own_server_stop(struct own_server *s)
{
    kill(s->pid, SIGKILL);
    while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

START_TEST(times_the_reply_not_just_the_connection)
{
    const char *const pieces[] = {"a late reply\n", NULL};
    struct own_server s;
    own_server_start(&s, pieces, LATE_MS);
    char reply[64];
    double ms;
    long n = probe(s.port, "ping\n", reply, sizeof reply, &ms);
    own_server_stop(&s);
    require_started(n);
    ck_assert_msg(
        n == 13 && strcmp(reply, "a late reply\n") == 0,
        "round_trip returned %ld and \"%s\", expected 13 and \"a late reply\\n\"", n,
        reply);
    ck_assert_msg(ms >= LATE_MS,
                  "the server answered %d ms after the request, but *elapsed_ms is %g: "
                  "stop the clock when the reply is complete (the server's close), not "
                  "after connect() or write()",
                  LATE_MS, ms);
}
END_TEST

START_TEST(reads_a_reply_in_pieces)
{
    const char *const pieces[] = {"HTTP/1.0 200 OK\r\n",
                                  "Content-Type: text/plain\r\n\r\n", "the body, ",
                                  "last of all\n", NULL};
    const char *whole = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nthe body, "
                        "last of all\n";
    struct own_server s;
    own_server_start(&s, pieces, LATE_MS / 3);
    char reply[256];
    double ms;
    long n = probe(s.port, "GET / HTTP/1.0\r\n\r\n", reply, sizeof reply, &ms);
    own_server_stop(&s);
    require_started(n);
    ck_assert_msg(n == (long)strlen(whole) && strcmp(reply, whole) == 0,
                  "the reply came in 4 pieces, %d ms apart: round_trip returned %ld and "
                  "\"%s\", expected %zu bytes: keep reading until read() returns 0",
                  LATE_MS / 3, n, reply, strlen(whole));
    ck_assert_msg(ms >= 4 * (LATE_MS / 3),
                  "the last piece came %d ms after the request, but *elapsed_ms is %g",
                  4 * (LATE_MS / 3), ms);
}
END_TEST

START_TEST(counts_what_does_not_fit)
{
    const char *const pieces[] = {"0123456789", "abcdefghij", "ABCDEFGHIJ", NULL};
    struct own_server s;
    own_server_start(&s, pieces, 0);
    char reply[16];
    double ms;
    long n = probe(s.port, "ping\n", reply, 13, &ms); /* room for 12 bytes */
    own_server_stop(&s);
    require_started(n);
    ck_assert_msg(n == 30,
                  "a 30-byte reply into 12 bytes of room: round_trip returned %ld, "
                  "expected 30 (store what fits, count everything)",
                  n);
    ck_assert_msg(memcmp(reply, "0123456789ab", 12) == 0 && reply[12] == '\0',
                  "expected the first 12 bytes \"0123456789ab\" and nothing past them, "
                  "got \"%.16s\"",
                  reply);
}
END_TEST

START_TEST(closes_its_socket)
{
    const char *const pieces[] = {"bye\n", NULL};
    struct own_server s;
    own_server_start(&s, pieces, 0);
    int free_before = lowest_free_fd();
    char reply[16];
    double ms;
    long n = probe(s.port, "ping\n", reply, sizeof reply, &ms);
    int free_after = lowest_free_fd();
    own_server_stop(&s);
    require_started(n);
    ck_assert_msg(n == 4, "round_trip returned %ld, expected 4", n);
    ck_assert_msg(free_after == free_before,
                  "after round_trip, descriptor %d is still open: close() the socket "
                  "when the reply is complete (compare makes thousands of round trips)",
                  free_before);
}
END_TEST

START_TEST(reports_a_refused_connection)
{
    /* A port bound but not listening: connect() is refused. */
    struct sockaddr_in addr;
    socklen_t length = sizeof addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert(fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0);
    ck_assert(getsockname(fd, (struct sockaddr *)&addr, &length) == 0);
    char reply[64];
    double ms;
    int free_before = lowest_free_fd();
    long n = probe(ntohs(addr.sin_port), "ping\n", reply, sizeof reply, &ms);
    int free_after = lowest_free_fd();
    close(fd);
    require_started(n);
    ck_assert_msg(n == -1,
                  "connecting to a port where nobody listens: round_trip "
                  "returned %ld, expected -1",
                  n);
    ck_assert_msg(ms == -1, "a failed round trip must leave *elapsed_ms alone");
    ck_assert_msg(free_after == free_before,
                  "after a refused connect(), descriptor %d is still open: close the "
                  "socket that did not connect",
                  free_before);
}
END_TEST

TCase *hw_round_trip(void)
{
    TCase *tc = hw_tcase("4.1 round_trip");
    tcase_add_test(tc, gets_a_file_from_chapter_1);
    tcase_add_test(tc, gets_a_file_from_chapter_2_and_its_close);
    tcase_add_test(tc, talks_with_chapter_3);
    tcase_add_test(tc, times_the_reply_not_just_the_connection);
    tcase_add_test(tc, reads_a_reply_in_pieces);
    tcase_add_test(tc, counts_what_does_not_fit);
    tcase_add_test(tc, closes_its_socket);
    tcase_add_test(tc, reports_a_refused_connection);
    return tc;
}
