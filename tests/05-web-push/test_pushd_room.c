/* test_pushd_room.c: chapter 3's room in pushd: its protocol on the raw port,
 * exactly (DESIGN.md §3.3), and the room shared with WebSocket members: relay, -m
 * counted across transports, ticks, slow readers dropped. */
#include "suites.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct server_proc server;

static void stop(void)
{
    server_stop_clean(&server, "pushd");
}

START_TEST(raw_room_welcome_relay_and_leave)
{
    pd_start(&server, NULL);
    char name[32];
    struct pd_peer *a = pd_raw_join(server.port2, name);
    ck_assert_str_eq(name, "guest1");
    struct pd_peer *b = pd_raw_join(server.port2, name);
    ck_assert_str_eq(name, "guest2");
    pd_expect_line(a, "* guest2 joined");
    pd_say(a, "hello\r\n");
    pd_expect_line(b, "guest1: hello");
    pd_say(b, "hi\n\n");
    pd_expect_line(a, "guest2: hi");
    /* No echo: the next thing a hears is its own /who. */
    pd_say(a, "/who\n");
    pd_expect_line(a, "* online: guest1, guest2");
    pd_close(b);
    pd_expect_line(a, "* guest2 left");
    pd_close(a);
    stop();
}
END_TEST

START_TEST(raw_commands)
{
    pd_start(&server, NULL);
    struct pd_peer *a = pd_raw_join(server.port2, NULL);
    struct pd_peer *b = pd_raw_join(server.port2, NULL);
    pd_expect_line(a, "* guest2 joined");
    pd_say(a, "/nick alice\n");
    pd_expect_line(a, "* guest1 is now known as alice");
    pd_expect_line(b, "* guest1 is now known as alice");
    pd_say(b, "/nick ALICE\n");
    pd_expect_line(b, "! nick taken: ALICE");
    pd_say(b, "/nick b@d\n");
    pd_expect_line(b, "! invalid nick: b@d");
    pd_say(b, "/msg alice psst\n");
    pd_expect_line(a, "guest2 (private): psst");
    pd_say(b, "/msg nobody x\n");
    pd_expect_line(b, "! no such user: nobody");
    pd_say(b, "/msg\n");
    pd_expect_line(b, "! usage: /msg NAME text");
    pd_say(a, "/me waves\n");
    pd_expect_line(b, "* alice waves");
    pd_say(a, "/me\n");
    pd_expect_line(a, "! usage: /me text");
    pd_say(a, "/dance\n");
    pd_expect_line(a, "! unknown command: /dance");
    pd_say(a, "/help\n");
    pd_expect_line(a, "* commands:");
    char line[256];
    for (int i = 0; i < 7; i++)
        ck_assert(pd_read_line(a, line, sizeof line, pd_wait_ms(), NULL) > 0);
    pd_say(b, "/quit\nignored\n");
    pd_expect_line(b, "* bye");
    pd_expect_closed(b);
    pd_expect_line(a, "* guest2 left");
    pd_close(a);
    pd_close(b);
    stop();
}
END_TEST

START_TEST(raw_line_limit)
{
    pd_start(&server, NULL);
    struct pd_peer *a = pd_raw_join(server.port2, NULL);
    struct pd_peer *b = pd_raw_join(server.port2, NULL);
    pd_expect_line(a, "* guest2 joined");
    char line[2100];
    memset(line, 'x', 1025);
    line[1025] = '\n';
    pd_send(a, line, 1026);
    pd_expect_line(a, "! line too long (max 1024 bytes)");
    memset(line, 'y', 1024);
    line[1024] = '\n';
    pd_send(a, line, 1025);
    char got[2100];
    ck_assert_int_eq(pd_read_line(b, got, sizeof got, pd_wait_ms(), NULL), 1024 + 8);
    ck_assert(strncmp(got, "guest1: yyyy", 12) == 0);
    pd_close(a);
    pd_close(b);
    stop();
}
END_TEST

/* -m counts members on every transport: the raw port says "! server full", /ws
 * answers 503; a freed place can be taken again. */
START_TEST(max_members_across_transports)
{
    const char *extra[] = {"-m", "2", NULL};
    pd_start(&server, extra);
    struct pd_peer *raw = pd_raw_join(server.port2, NULL);
    struct pd_peer *ws = pd_ws_join(server.port, NULL);
    pd_expect_line(raw, "* guest2 joined");
    struct pd_peer *third = pd_connect(server.port2);
    pd_expect_line(third, "! server full");
    pd_expect_closed(third);
    pd_close(third);
    third = pd_connect(server.port);
    char head[2048];
    ck_assert_int_eq(pd_ws_handshake(third, server.port, NULL, head, sizeof head), 503);
    pd_close(third);
    pd_close(ws);
    pd_expect_line(raw, "* guest2 left");
    third = pd_raw_join(server.port2, NULL);
    pd_expect_line(raw, "* guest3 joined");
    pd_close(third);
    pd_close(raw);
    stop();
}
END_TEST

START_TEST(ticks_reach_every_transport)
{
    const char *extra[] = {"-T", "1", NULL};
    pd_start(&server, extra);
    struct pd_peer *raw = pd_raw_join(server.port2, NULL);
    struct pd_peer *ws = pd_ws_join(server.port, NULL);
    pd_expect_line(raw, "* guest2 joined");
    /* The WebSocket member joined second, maybe after a tick: its first is K. */
    unsigned char frame[64];
    int opcode;
    ssize_t n = pd_ws_read(ws, &opcode, frame, sizeof frame - 1, pd_wait_ms());
    ck_assert_msg(n > 7 && opcode == 1, "no tick frame");
    frame[n] = '\0';
    ck_assert_msg(strncmp((char *)frame, "* tick ", 7) == 0, "not a tick: %s", frame);
    int k = atoi((char *)frame + 7);
    char want[64];
    for (int i = 1; i <= k; i++) { /* the raw member had every tick from 1 */
        snprintf(want, sizeof want, "* tick %d", i);
        pd_expect_line(raw, want);
    }
    snprintf(want, sizeof want, "* tick %d", k + 1);
    pd_expect_line(raw, want);
    pd_ws_expect_text(ws, want);
    pd_close(raw);
    pd_close(ws);
    stop();
}
END_TEST

/* A raw member that never reads, with a small receive buffer (set before connect,
 * so that the window is small from the start) to fill quickly. */
static struct pd_peer *stalled_member(int port)
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
    struct pd_peer *p = malloc(sizeof *p);
    ck_assert_ptr_nonnull(p);
    p->fd = fd;
    p->length = 0;
    return p;
}

/* A raw member that never reads is dropped when its 64 KiB queue overflows; the
 * others keep receiving and hear that it left. */
START_TEST(a_stalled_raw_reader_is_dropped)
{
    pd_start(&server, NULL);
    struct pd_peer *stalled = stalled_member(server.port2);
    struct pd_peer *talker = pd_raw_join(server.port2, NULL);
    struct pd_peer *ws = pd_ws_join(server.port, NULL);
    pd_expect_line(talker, "* guest3 joined");
    char line[1100];
    memset(line, 'z', 1000);
    line[1000] = '\n';
    int dropped = 0;
    for (int i = 0; i < 20000 && !dropped; i++) {
        pd_send(talker, line, 1001);
        /* The WebSocket member reads every line, so it is never the one dropped. */
        unsigned char frame[2048];
        int opcode;
        ssize_t n = pd_ws_read(ws, &opcode, frame, sizeof frame - 1, pd_wait_ms());
        ck_assert_msg(n > 0, "the reading member stopped receiving");
        frame[n] = '\0';
        dropped = strcmp((char *)frame, "* guest1 left") == 0;
        if (!dropped)
            ck_assert_int_eq(n, 1000 + 8);
    }
    ck_assert_msg(dropped, "the stalled reader was never dropped");
    pd_close(stalled);
    pd_close(talker);
    pd_close(ws);
    stop();
}
END_TEST

Suite *pushd_room_suite(void)
{
    Suite *s = suite_create("pushd_room");
    TCase *tc = tcase_create("raw");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, raw_room_welcome_relay_and_leave);
    tcase_add_test(tc, raw_commands);
    tcase_add_test(tc, raw_line_limit);
    suite_add_tcase(s, tc);
    tc = tcase_create("across_transports");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, max_members_across_transports);
    tcase_add_test(tc, ticks_reach_every_transport);
    tcase_add_test(tc, a_stalled_raw_reader_is_dropped);
    suite_add_tcase(s, tc);
    return s;
}
