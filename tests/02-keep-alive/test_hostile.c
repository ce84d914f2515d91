/* test_hostile.c: chapter 2's server against clients that mean harm.
 *
 *   - slowloris: connections that send a header byte every second. With a process
 *     per connection they cost a process each, not everyone's turn: throughout the
 *     attack a new client is answered within a second, with 200 while the attackers
 *     leave room under -c, and with 503 while they fill it; the attackers are cut off
 *     at their -t deadline and the server serves everyone again;
 *   - 10,000 connections that connect and close without sending a byte;
 *   - request smuggling: the shapes of request that two HTTP servers in a row could
 *     frame differently (Content-Length with Transfer-Encoding, obs-fold
 *     continuation lines, a space before the colon, control bytes in a header name,
 *     two different lengths). Each gets 400 and the close, and the request hidden
 *     behind it is never answered.
 *
 * The only pauses are the attackers' pace, one byte a second. Every wait for an event
 * has a time limit; "within a second" is scaled by CK_TIMEOUT_MULTIPLIER.
 */
#include "harness.h"
#include "suites.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HTTPD tested_program(CH2_DIR "/httpd")

#define CAP         6     /* -c: connections served at once */
#define FEW         2     /* attackers that leave room under the cap */
#define STORM       10000 /* connect-and-close connections */
#define STORM_BATCH 50    /* open at once: under the 128 of SOMAXCONN on macOS, musl */
#define ATTACK_SECS 3     /* -t for the attacks: each attacker lives this long */

static const char FILE_TXT[] = "hello from file.txt\n";
static const char ATTACK_HEAD[] = "GET /file.txt HTTP/1.1\r\nHost: test\r\nX-Slow: ";

static char root[64];
static struct server_proc server;

static void pause_ms(long ms)
{
    struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&pause, NULL);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The document root: made and removed by the runner (an unchecked fixture), so that
 * a test that fails half-way leaves nothing behind. */
static void make_root(void)
{
    make_temp_dir(root);
    write_file(root, "file.txt", FILE_TXT, sizeof FILE_TXT - 1);
}

static void remove_root(void)
{
    remove_tree(root);
}

/* httpd -c cap -t seconds (scaled), on port 0. */
static void start_httpd(int cap_count, int seconds)
{
    char cap[16], timeout[16];
    snprintf(cap, sizeof cap, "%d", cap_count);
    snprintf(timeout, sizeof timeout, "%d", seconds * timeout_multiplier());
    char *argv[] = {HTTPD, "-p", "0", "-d", root, "-c", cap, "-t", timeout, NULL};
    ck_assert_msg(server_start(&server, HTTPD, argv) == 0, "%s did not start", HTTPD);
}

/* Every test ends with the server alive, stopping cleanly: exit status 0 (under
 * VALGRIND=1: no valgrind error either), and no sanitizer report in its stderr. */
static void stop_httpd(void)
{
    server_stop_clean(&server, "httpd");
}

/* A request on a fresh connection, its response read until the server closes. Returns
 * the status, or -1 if no response came within wait_ms. */
static int ask(const char *request, char *response, size_t size, int wait_ms)
{
    int fd = tcp_connect(server.port);
    ck_assert_msg(fd >= 0, "connect: %s", strerror(errno));
    send_text(fd, request);
    ssize_t n = recv_until_close(fd, response, size, wait_ms);
    close(fd);
    return n > 0 ? response_status(response) : -1;
}

/* Send one byte if the attacker is still connected and has had no answer; returns 0
 * once the server has closed it, 2 if it was answered (a 503), 1 otherwise. */
static int drip(int fd, char byte)
{
    char c;
    ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0)
        return 2;
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
        return 0;
    return write(fd, &byte, 1) == 1;
}

/* A new client, every second while `attackers` slowloris connections drip: it must be
 * answered within a second (scaled), with `want` (or, once the attackers have been
 * cut off, 200). Returns when every attacker is gone and a client got 200. */
static void probe_through_attack(int *attackers, int count, int want)
{
    static char response[4096];
    const char *request =
        "GET /file.txt HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
    int second_ms = 1000 * timeout_multiplier();
    long long start = now_ms();
    long long limit_ms = (ATTACK_SECS + 5) * 1000LL * timeout_multiplier();
    int probes = 0, wanted = 0, open = count;
    for (int second = 1; open > 0 || probes == 0; second++) {
        for (int i = 0; i < count; i++) {
            if (attackers[i] < 0)
                continue;
            int state = drip(attackers[i], 'x');
            ck_assert_msg(state != 2, "an attacker that got a process was answered");
            if (state == 0) {
                close(attackers[i]);
                attackers[i] = -1;
                open--;
            }
        }
        long long asked = now_ms();
        int status = ask(request, response, sizeof response, second_ms);
        long long took = now_ms() - asked;
        ck_assert_msg(status > 0, "no answer within %d ms (second %d of the attack)",
                      second_ms, second);
        ck_assert_msg(took <= second_ms, "answered after %lld ms", took);
        if (status == want)
            wanted++;
        else
            ck_assert_msg(status == 200 && open < count,
                          "got %d during the attack, expected %d", status, want);
        probes++;
        ck_assert_msg(now_ms() - start < limit_ms, "the attackers were never cut off");
        /* the attackers' pace: the rest of this second */
        long long next = start + 1000LL * second;
        if (next > now_ms())
            pause_ms((long)(next - now_ms()));
    }
    ck_assert_msg(wanted > 0, "no client got %d during the attack", want);
    /* The attack is over: the server serves again, as soon as it has reaped the
     * attackers' processes (a few milliseconds; retried for a bounded time). */
    long long deadline = now_ms() + 10LL * second_ms;
    int status;
    while ((status = ask(request, response, sizeof response, second_ms)) == 503 &&
           now_ms() < deadline)
        pause_ms(5);
    ck_assert_int_eq(status, 200);
}

/* Under the cap: FEW attackers leave room (for the new client, and for the processes
 * of earlier ones that have not been reaped yet), and every new client gets its 200
 * within a second while they drip. */
START_TEST(slowloris_under_the_cap_200)
{
    start_httpd(CAP, ATTACK_SECS);
    int attackers[FEW];
    for (int i = 0; i < FEW; i++) {
        attackers[i] = tcp_connect(server.port);
        ck_assert(attackers[i] >= 0);
        send_text(attackers[i], ATTACK_HEAD);
    }
    probe_through_attack(attackers, FEW, 200);
    stop_httpd();
}
END_TEST

/* Over the cap: 2 * CAP attackers. The first CAP get a process each and drip; the
 * others are refused with 503 at once. Every new client gets its 503 within a second
 * until the attackers are cut off at -t, and then 200. */
START_TEST(slowloris_over_the_cap_503)
{
    static char response[4096];
    start_httpd(CAP, ATTACK_SECS);
    int attackers[2 * CAP];
    int kept = 0;
    for (int i = 0; i < 2 * CAP; i++) {
        int fd = tcp_connect(server.port);
        ck_assert(fd >= 0);
        if (i < CAP) { /* a process each: nothing comes back */
            send_text(fd, ATTACK_HEAD);
            attackers[kept++] = fd;
            continue;
        }
        /* Refused without a byte read: we send none (unread bytes at close() could
         * turn the server's FIN into a reset that destroys the 503). */
        ssize_t n =
            recv_until_close(fd, response, sizeof response, 1000 * timeout_multiplier());
        close(fd);
        ck_assert_msg(n > 0 && response_status(response) == 503,
                      "attacker %d over the cap: expected 503 at once, got \"%.60s\"", i,
                      n > 0 ? response : "nothing");
    }
    probe_through_attack(attackers, kept, 503);
    stop_httpd();
}
END_TEST

/* 10,000 connections that connect and close without a byte, fifty at a time, with
 * the default -c 128: a process each (or a 503 when more arrive than processes have
 * ended), all reaped; the server then answers as before, holding the descriptors it
 * held. */
START_TEST(ten_thousand_silent_connections)
{
    static char response[4096];
    const char *request = "GET /file.txt HTTP/1.0\r\n\r\n";
    start_httpd(128, 5);
    int wait_ms = 10000 * timeout_multiplier();
    ck_assert_int_eq(ask(request, response, sizeof response, wait_ms), 200);
    int before = count_open_fds(server.pid);
    int batch[STORM_BATCH];
    for (int done = 0; done < STORM; done += STORM_BATCH) {
        for (int i = 0; i < STORM_BATCH; i++) {
            batch[i] = tcp_connect(server.port);
            ck_assert_msg(batch[i] >= 0, "connection %d: %s", done + i, strerror(errno));
        }
        for (int i = 0; i < STORM_BATCH; i++)
            close(batch[i]);
    }
    /* Its processes end at their own pace: retry (bounded) while it is still full. */
    long long deadline = now_ms() + wait_ms;
    int status;
    while ((status = ask(request, response, sizeof response, wait_ms)) == 503 &&
           now_ms() < deadline)
        pause_ms(5);
    ck_assert_int_eq(status, 200);
    int after = count_open_fds(server.pid);
    deadline = now_ms() + wait_ms; /* the parent closes each copy after fork() at once */
    while (after != before && now_ms() < deadline)
        after = count_open_fds(server.pid);
    if (before >= 0)
        ck_assert_msg(after == before, "httpd had %d descriptors open, now %d", before,
                      after);
    stop_httpd();
}
END_TEST

/* ---- Request smuggling ----------------------------------------------------------- */

/* Each hides a second request ("GET /smuggled") where one reading of the framing would
 * find it and another would not. */
static const struct {
    const char *name;
    const char *request;
} smuggling[] = {
    {"Content-Length and Transfer-Encoding",
     "POST /file.txt HTTP/1.1\r\nHost: test\r\nContent-Length: 6\r\n"
     "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: "
     "test\r\n\r\n"},
    {"Transfer-Encoding and Content-Length",
     "POST /file.txt HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n"
     "Content-Length: 6\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: test\r\n\r\n"},
    {"obs-fold continuing Transfer-Encoding",
     "POST /file.txt HTTP/1.1\r\nHost: test\r\nX-A: 1\r\n Transfer-Encoding: chunked\r\n"
     "Content-Length: 5\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: test\r\n\r\n"},
    {"obs-fold continuing Content-Length",
     "POST /file.txt HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n\t44\r\n\r\n"
     "GET /smuggled HTTP/1.1\r\nHost: test\r\n\r\n"},
    {"space before the colon",
     "POST /file.txt HTTP/1.1\r\nHost: test\r\nTransfer-Encoding : chunked\r\n"
     "Content-Length: 5\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: test\r\n\r\n"},
    {"tab before the colon",
     "POST /file.txt HTTP/1.1\r\nHost: test\r\nContent-Length\t: 44\r\n\r\n"
     "GET /smuggled HTTP/1.1\r\nHost: test\r\n\r\n"},
    {"control byte in a header name",
     "POST /file.txt HTTP/1.1\r\nHost: test\r\nContent-Length\x01: 44\r\n\r\n"
     "GET /smuggled HTTP/1.1\r\nHost: test\r\n\r\n"},
    {"DEL in a header name",
     "POST /file.txt HTTP/1.1\r\nHost: test\r\nTransfer\x7f"
     "Encoding: chunked\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: test\r\n\r\n"},
    {"two different Content-Lengths",
     "POST /file.txt HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\nContent-Length: "
     "44\r\n"
     "\r\nGET /smuggled HTTP/1.1\r\nHost: test\r\n\r\n"},
    {"Content-Length with a sign",
     "POST /file.txt HTTP/1.1\r\nHost: test\r\nContent-Length: +0\r\n\r\n"
     "GET /smuggled HTTP/1.1\r\nHost: test\r\n\r\n"},
};

/* 400, Connection: close, the connection closed, and exactly one response: the request
 * hidden behind it is never answered. After a good request on the same connection,
 * so the error is not merely the first thing a fresh connection says. */
START_TEST(smuggling_shapes_400_and_close)
{
    static char response[16 * 1024];
    start_httpd(CAP, 5);
    int fd = tcp_connect(server.port);
    ck_assert(fd >= 0);
    /* a kept request first, whose response we read by its Content-Length */
    const char *first = "GET /file.txt HTTP/1.1\r\nHost: test\r\n\r\n";
    send_text(fd, first);
    send_text(fd, smuggling[_i].request);
    ssize_t n =
        recv_until_close(fd, response, sizeof response, 10000 * timeout_multiplier());
    close(fd);
    ck_assert_msg(n > 0, "%s: no response", smuggling[_i].name);
    size_t length;
    const char *second = response_body(response, (size_t)n, &length);
    ck_assert_msg(response_status(response) == 200 && second != NULL &&
                      length >= sizeof FILE_TXT - 1,
                  "%s: the good request first: \"%.60s\"", smuggling[_i].name, response);
    second += sizeof FILE_TXT - 1; /* the next response starts after file.txt's body */
    ck_assert_msg(response_status(second) == 400, "%s: expected 400, got \"%.60s\"",
                  smuggling[_i].name, second);
    char value[64];
    ck_assert_msg(response_header(second, "Connection", value, sizeof value) == 0 &&
                      strcmp(value, "close") == 0,
                  "%s: no Connection: close", smuggling[_i].name);
    const char *after = strstr(second + 1, "HTTP/1.1 ");
    ck_assert_msg(after == NULL, "%s: a response after the 400: \"%.60s\"",
                  smuggling[_i].name, after);
    stop_httpd();
}
END_TEST

Suite *hostile_suite(void)
{
    Suite *s = suite_create("httpd (chapter 2): hostile clients");
    TCase *tc = tcase_create("slowloris");
    tcase_add_unchecked_fixture(tc, make_root, remove_root);
    tcase_set_timeout(tc, 30);
    tcase_set_tags(tc, SOLUTION_TAG); /* the solution too: see test_httpd.c */
    tcase_add_test(tc, slowloris_under_the_cap_200);
    tcase_add_test(tc, slowloris_over_the_cap_503);
    suite_add_tcase(s, tc);

    tc = tcase_create("connection storm");
    tcase_add_unchecked_fixture(tc, make_root, remove_root);
    tcase_set_timeout(tc, 60);
    tcase_set_tags(tc, SOLUTION_TAG); /* the solution too: see test_httpd.c */
    tcase_add_test(tc, ten_thousand_silent_connections);
    suite_add_tcase(s, tc);

    tc = tcase_create("request smuggling");
    tcase_add_unchecked_fixture(tc, make_root, remove_root);
    tcase_set_timeout(tc, 10);
    tcase_set_tags(tc, SOLUTION_TAG); /* the solution too: see test_httpd.c */
    tcase_add_loop_test(tc, smuggling_shapes_400_and_close, 0,
                        (int)(sizeof smuggling / sizeof smuggling[0]));
    suite_add_tcase(s, tc);
    return s;
}
