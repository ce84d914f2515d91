/* test_hostile.c: chapter 3's server against clients that mean harm.
 *
 *   - a client that sends 10 MB without a newline: it gets "! line too long" once,
 *     the rest is thrown away as it arrives (the server holds a few KiB of it, never
 *     the megabytes), the room goes on talking meanwhile, and after the next newline
 *     that client is heard again;
 *   - 10,000 connections that connect and close without a byte: each is welcomed,
 *     found gone and dropped; afterwards the room is empty and the server holds the
 *     descriptors it held.
 *
 * No pauses at all: every wait is for a line, with a time limit.
 */
#include "suites.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FLOOD_BYTES (10 * 1024 * 1024)
#define FLOOD_CHUNK (64 * 1024)
#define STORM       10000
#define STORM_BATCH 50 /* open at once: under the 128 of SOMAXCONN on macOS, musl */

static struct server_proc server;

/* The server's resident memory in KiB, from /proc/PID/status; -1 where there is none. */
static long resident_kib(pid_t pid)
{
    char path[64], line[256];
    long kib = -1;
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "VmRSS:", 6) == 0)
            sscanf(line + 6, "%ld", &kib);
    fclose(f);
    return kib;
}

START_TEST(ten_megabytes_without_a_newline)
{
    start_chatd(&server, NULL);
    char alice_name[32], bob_name[32];
    struct peer *alice = join(server.port, alice_name);
    struct peer *bob = join(server.port, bob_name);
    char want[128];
    snprintf(want, sizeof want, "* %s joined", bob_name);
    expect_line(alice, want);
    long before_kib = resident_kib(server.pid);

    static char flood[FLOOD_CHUNK];
    memset(flood, 'x', sizeof flood);
    for (size_t sent = 0; sent < FLOOD_BYTES; sent += sizeof flood) {
        send_all(alice->fd, flood, sizeof flood);
        if (sent == 0) /* told as soon as the line passes the limit */
            expect_line(alice, "! line too long (max 1024 bytes)");
        if (sent == FLOOD_BYTES / 2) { /* the room talks on meanwhile */
            send_text(bob->fd, "still here\n");
            snprintf(want, sizeof want, "%s: still here", bob_name);
            expect_line(alice, want);
        }
    }
    /* The newline ends the long line; what follows is an ordinary line again. */
    send_text(alice->fd, "\nhello\n");
    snprintf(want, sizeof want, "%s: hello", alice_name);
    expect_line(bob, want);
    /* Nothing else was said to alice (no second "too long"): /who answers next. */
    send_text(alice->fd, "/who\n");
    snprintf(want, sizeof want, "* online: %s, %s", alice_name, bob_name);
    expect_line(alice, want);

    long after_kib = resident_kib(server.pid);
    if (before_kib >= 0 && after_kib >= 0)
        ck_assert_msg(after_kib - before_kib < 4096,
                      "chatd grew from %ld KiB to %ld KiB for a line it throws away",
                      before_kib, after_kib);
    peer_close(alice);
    peer_close(bob);
    server_stop_clean(&server, "chatd");
}
END_TEST

START_TEST(ten_thousand_silent_connections)
{
    start_chatd(&server, NULL);
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
    /* Accepted after all of them (the listen queue is first come, first served). The
     * last few may leave after it joined ("* guest10000 left"); by the time /who is
     * answered they have all been found gone: the room is this one client. */
    char name[32], want[64], line[256];
    struct peer *p = join(server.port, name);
    send_text(p->fd, "/who\n");
    snprintf(want, sizeof want, "* online: %s", name);
    for (;;) {
        ssize_t n = read_line(p, line, sizeof line, line_wait_ms(), NULL);
        ck_assert_msg(n >= 0, "no answer to /who");
        if (strncmp(line, "* online: ", 10) == 0)
            break;
        ck_assert_msg(strncmp(line, "* guest", 7) == 0 && strstr(line, " left") != NULL,
                      "unexpected \"%s\"", line);
    }
    ck_assert_str_eq(line, want);
    int after = count_open_fds(server.pid);
    if (before >= 0)
        ck_assert_msg(after == before + 1,
                      "chatd had %d descriptors open, now %d with "
                      "one client",
                      before, after);
    peer_close(p);
    server_stop_clean(&server, "chatd");
}
END_TEST

Suite *hostile_suite(void)
{
    Suite *s = suite_create("chatd: hostile clients");
    TCase *tc = tcase_create("hostile clients");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, ten_megabytes_without_a_newline);
    tcase_add_test(tc, ten_thousand_silent_connections);
    suite_add_tcase(s, tc);
    return s;
}
