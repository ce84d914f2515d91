/* test_hostile.c: chapter 1's server against clients that mean harm.
 *
 *   - slowloris: connections that send a header byte every second and never finish.
 *     An iterative server is stalled by them, by design (that is chapter 2's lesson),
 *     but each is cut off at its -t deadline, counted from accept(), so it recovers as
 *     soon as they have all timed out: the client queued behind them is answered then,
 *     and the server never crashes;
 *   - 10,000 connections that connect and close without sending a byte: the server
 *     goes on answering, with the descriptors it had before.
 *
 * The only pauses are the attackers' pace: one byte a second, which is what a
 * slowloris is. Every wait for an event has a time limit.
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

#define HTTPD tested_program(CH1_DIR "/httpd")

#define ATTACKERS   3     /* slowloris connections */
#define STORM       10000 /* connect-and-close connections */
#define STORM_BATCH 50    /* open at once: under the 128 of SOMAXCONN on macOS, musl */

static const char FILE_TXT[] = "hello from file.txt\n";
static const char ATTACK_HEAD[] = "GET /file.txt HTTP/1.0\r\nX-Slow: ";

static char root[64];
static struct server_proc server;
static char timeout_text[16];

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
}

static void remove_root(void)
{
    remove_tree(root);
}

static void start_httpd(void)
{
    write_file(root, "file.txt", FILE_TXT, sizeof FILE_TXT - 1);
    /* -t 1, scaled like Check's own time limits */
    snprintf(timeout_text, sizeof timeout_text, "%d", timeout_multiplier());
    char *argv[] = {HTTPD, "-p", "0", "-d", root, "-t", timeout_text, NULL};
    ck_assert_msg(server_start(&server, HTTPD, argv) == 0, "%s did not start", HTTPD);
}

/* Every test ends with the server alive, stopping cleanly: exit status 0, and no
 * sanitizer report in its stderr. */
static void stop_httpd(void)
{
    server_stop_clean(&server, "httpd");
}

/* A GET for file.txt on a fresh connection, answered in full within wait_ms. */
static void expect_served(int wait_ms)
{
    static char response[4096];
    int fd = tcp_connect(server.port);
    ck_assert_msg(fd >= 0, "connect: %s", strerror(errno));
    send_text(fd, "GET /file.txt HTTP/1.0\r\n\r\n");
    ssize_t n = recv_until_close(fd, response, sizeof response, wait_ms);
    close(fd);
    ck_assert_msg(n > 0 && response_status(response) == 200,
                  "expected 200, got \"%.80s\"", n > 0 ? response : "nothing");
    size_t length;
    const char *body = response_body(response, (size_t)n, &length);
    ck_assert(body != NULL && length == sizeof FILE_TXT - 1 &&
              memcmp(body, FILE_TXT, length) == 0);
}

/* Send one byte if the connection is still open; returns 0 once the server closed it
 * (the write fails, or the server's FIN or reset is there to read). */
static int drip(int fd, char byte)
{
    char c;
    ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
        return 0;
    ck_assert_msg(n < 0, "the server answered a request that never ended");
    return write(fd, &byte, 1) == 1;
}

/* Three slowloris connections, then an honest client behind them. The iterative
 * server gives each attacker its -t (1 s) and drops it without a word; the honest
 * client is answered only after the last attacker has been dropped, and then at once.
 * The attackers drip a byte a second all along, so none of them is ever idle. */
START_TEST(slowloris_stalls_then_recovers)
{
    start_httpd();
    int attackers[ATTACKERS];
    int open_count = ATTACKERS;
    for (int i = 0; i < ATTACKERS; i++) {
        attackers[i] = tcp_connect(server.port);
        ck_assert_msg(attackers[i] >= 0, "connect: %s", strerror(errno));
        send_text(attackers[i], ATTACK_HEAD);
    }
    int honest = tcp_connect(server.port);
    ck_assert(honest >= 0);
    send_text(honest, "GET /file.txt HTTP/1.0\r\n\r\n");
    long long start = now_ms();

    /* Each second: a byte from every attacker still connected, and a look at the
     * honest client's socket (waiting for it is the second's pause). */
    int answered = 0;
    int seconds = 0;
    long long limit_ms = (ATTACKERS + 5) * 1000LL * timeout_multiplier();
    while (!answered) {
        for (int i = 0; i < ATTACKERS; i++)
            if (attackers[i] >= 0 && !drip(attackers[i], 'x')) {
                close(attackers[i]);
                attackers[i] = -1;
                open_count--;
            }
        struct pollfd pfd = {.fd = honest, .events = POLLIN};
        long long second_ends = start + 1000LL * ++seconds;
        int left = second_ends > now_ms() ? (int)(second_ends - now_ms()) : 0;
        if (poll(&pfd, 1, left) > 0)
            answered = 1;
        ck_assert_msg(now_ms() - start < limit_ms,
                      "no answer after %lld ms: the server did not recover", limit_ms);
    }
    /* The order: every attacker was dropped before the honest client was served. */
    for (int i = 0; i < ATTACKERS; i++) {
        if (attackers[i] < 0)
            continue;
        ck_assert_msg(wait_closed(attackers[i], 0) == 1,
                      "the honest client was answered while an attacker was connected");
        close(attackers[i]);
        open_count--;
    }
    ck_assert_int_eq(open_count, 0);
    static char response[4096];
    ssize_t n =
        recv_until_close(honest, response, sizeof response, 10000 * timeout_multiplier());
    close(honest);
    ck_assert_msg(n > 0 && response_status(response) == 200, "got \"%.80s\"", response);
    /* And it recovered: the next client is served at once. */
    expect_served(10000 * timeout_multiplier());
    stop_httpd();
}
END_TEST

/* 10,000 connections that connect and close without a byte, fifty at a time:
 * each costs the server an accept(), a read() of end-of-file and a close(), and it
 * goes on serving with the descriptors it had. */
START_TEST(ten_thousand_silent_connections)
{
    start_httpd();
    expect_served(10000 * timeout_multiplier());
    int before = count_open_fds_settled(server.pid);
    int batch[STORM_BATCH];
    for (int done = 0; done < STORM; done += STORM_BATCH) {
        for (int i = 0; i < STORM_BATCH; i++) {
            batch[i] = tcp_connect(server.port);
            ck_assert_msg(batch[i] >= 0, "connection %d: %s", done + i, strerror(errno));
        }
        for (int i = 0; i < STORM_BATCH; i++)
            close(batch[i]);
    }
    /* Served in turn: this answer comes after the server has dealt with all of them. */
    expect_served(30000 * timeout_multiplier());
    int after = count_open_fds_settled(server.pid);
    if (before >= 0)
        ck_assert_msg(after == before, "httpd had %d descriptors open, now %d", before,
                      after);
    stop_httpd();
}
END_TEST

Suite *hostile_suite(void)
{
    Suite *s = suite_create("httpd: hostile clients");
    TCase *tc = tcase_create("hostile clients");
    tcase_add_unchecked_fixture(tc, make_root, remove_root);
    tcase_set_timeout(tc, 30);
    tcase_set_tags(tc, SOLUTION_TAG); /* stage 1.s7: the -t deadline */
    tcase_add_test(tc, slowloris_stalls_then_recovers);
    tcase_add_test(tc, ten_thousand_silent_connections);
    suite_add_tcase(s, tc);
    return s;
}
