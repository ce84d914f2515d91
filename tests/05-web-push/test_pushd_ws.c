/* test_pushd_ws.c: pushd's WebSocket door: the handshake's statuses (RFC 6455 §4.2
 * and DESIGN.md §3.5), a WebSocket member in chapter 3's room beside raw ones, the
 * frames' basic rules, -K, and the goodbye on shutdown. (The full Autobahn-style
 * suite of frame cases is test_websocket.c.) */
#include "suites.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct server_proc server;

static void start(void)
{
    pd_start(&server, NULL);
}

static void stop(void)
{
    server_stop_clean(&server, "pushd");
}

/* Send raw handshake text and return the status; the connection is closed. */
static int handshake(const char *request)
{
    struct pd_peer *p = pd_connect(server.port);
    pd_say(p, request);
    char head[4096];
    int status = pd_read_head(p, head, sizeof head);
    pd_close(p);
    return status;
}

START_TEST(a_valid_handshake_gets_101_and_the_accept_key)
{
    start();
    struct pd_peer *p = pd_connect(server.port);
    char head[4096], value[128];
    ck_assert_int_eq(pd_ws_handshake(p, server.port, NULL, head, sizeof head), 101);
    ck_assert_msg(strncmp(head, "HTTP/1.1 101 Switching Protocols\r\n", 34) == 0, "%s",
                  head);
    /* RFC 6455 §1.3's example key, and its published answer. */
    ck_assert_int_eq(response_header(head, "Sec-WebSocket-Accept", value, sizeof value),
                     0);
    ck_assert_str_eq(value, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    ck_assert_int_eq(response_header(head, "Upgrade", value, sizeof value), 0);
    ck_assert_str_eq(value, "websocket");
    ck_assert_int_eq(response_header(head, "Connection", value, sizeof value), 0);
    ck_assert_str_eq(value, "Upgrade");
    pd_ws_expect_text(p, "* welcome to pushd, you are guest1; /help for commands");
    pd_close(p);
    stop();
}
END_TEST

START_TEST(another_version_gets_426)
{
    start();
    char request[512], head[4096], value[32];
    snprintf(request, sizeof request,
             "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
             "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
             "Sec-WebSocket-Version: 8\r\n\r\n",
             server.port);
    struct pd_peer *p = pd_connect(server.port);
    pd_say(p, request);
    ck_assert_int_eq(pd_read_head(p, head, sizeof head), 426);
    ck_assert_int_eq(response_header(head, "Sec-WebSocket-Version", value, sizeof value),
                     0);
    ck_assert_str_eq(value, "13");
    pd_close(p);
    stop();
}
END_TEST

START_TEST(bad_handshakes_get_400)
{
    start();
    static const char *const bad[] = {
        /* a plain GET of /ws */
        "GET /ws HTTP/1.1\r\nHost: x\r\n\r\n",
        /* no version */
        "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
        /* POST */
        "POST /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: "
        "13\r\n\r\n",
        /* HTTP/1.0 */
        "GET /ws HTTP/1.0\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: "
        "13\r\n\r\n",
        /* a key that is not base64 */
        "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: not base64!\r\nSec-WebSocket-Version: 13\r\n\r\n",
        /* the base64 of 15 bytes, not 16 */
        "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25j\r\nSec-WebSocket-Version: 13\r\n\r\n",
        /* no Connection: upgrade */
        "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: "
        "13\r\n\r\n",
        /* no Host */
        "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: "
        "13\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(handshake(bad[i]) == 400, "case %zu: not 400", i);
    /* Header names and tokens in any case are fine. */
    ck_assert_int_eq(handshake("GET /ws HTTP/1.1\r\nhost: x\r\nupgrade: WebSocket\r\n"
                               "connection: keep-alive, UPGRADE\r\n"
                               "sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                               "sec-websocket-version: 13\r\n\r\n"),
                     101);
    stop();
}
END_TEST

START_TEST(origin_of_another_site_gets_403)
{
    start();
    char head[4096], extra[256];
    struct pd_peer *p = pd_connect(server.port);
    snprintf(extra, sizeof extra, "Origin: http://127.0.0.1:%d\r\n", server.port);
    ck_assert_int_eq(pd_ws_handshake(p, server.port, extra, head, sizeof head), 101);
    pd_close(p);
    static const char *const foreign[] = {
        "Origin: http://evil.example\r\n", "Origin: null\r\n",
        "Origin: http://127.0.0.1\r\n", /* port 80, not ours */
    };
    for (size_t i = 0; i < sizeof foreign / sizeof foreign[0]; i++) {
        p = pd_connect(server.port);
        ck_assert_msg(pd_ws_handshake(p, server.port, foreign[i], head, sizeof head) ==
                          403,
                      "%s", foreign[i]);
        pd_close(p);
    }
    stop();
}
END_TEST

/* ---- A WebSocket member in the room ------------------------------------------------ */

START_TEST(websocket_and_raw_talk_both_ways)
{
    start();
    struct pd_peer *raw = pd_raw_join(server.port2, NULL);
    char name[32];
    struct pd_peer *ws = pd_ws_join(server.port, name);
    ck_assert_str_eq(name, "guest2");
    pd_expect_line(raw, "* guest2 joined");
    pd_ws_send(ws, 1, 1, "hello raw", 9, 1);
    pd_expect_line(raw, "guest2: hello raw");
    pd_say(raw, "hello ws\n");
    pd_ws_expect_text(ws, "guest1: hello ws");
    /* Bytes that are not UTF-8, and a CR inside a line, reach the web as U+FFFD. */
    pd_send(raw,
            "a\xff"
            "b\rc\n",
            6);
    pd_ws_expect_text(ws, "guest1: a\xef\xbf\xbd"
                          "b\xef\xbf\xbd"
                          "c");
    /* One message, two lines; the end of the message ends the last one. */
    pd_ws_send(ws, 1, 1, "one\ntwo", 7, 1);
    pd_expect_line(raw, "guest2: one");
    pd_expect_line(raw, "guest2: two");
    /* A message in three fragments, a PING between them. */
    pd_ws_send(ws, 0, 1, "fr", 2, 1);
    pd_ws_send(ws, 1, 9, "ping!", 5, 1);
    pd_ws_send(ws, 0, 0, "agm", 3, 1);
    pd_ws_send(ws, 1, 0, "ents", 4, 1);
    unsigned char pong[16];
    int opcode;
    ck_assert_int_eq(pd_ws_read(ws, &opcode, pong, sizeof pong, pd_wait_ms()), 5);
    ck_assert_int_eq(opcode, 10);
    ck_assert(memcmp(pong, "ping!", 5) == 0);
    pd_expect_line(raw, "guest2: fragments");
    /* Commands work as on the raw port. */
    pd_ws_send(ws, 1, 1, "/nick webby", 11, 1);
    pd_ws_expect_text(ws, "* guest2 is now known as webby");
    pd_expect_line(raw, "* guest2 is now known as webby");
    pd_close(ws);
    pd_expect_line(raw, "* webby left");
    pd_close(raw);
    stop();
}
END_TEST

/* A frame in one-byte writes, and several frames in one write, decode the same. */
START_TEST(frames_in_pieces_and_together)
{
    start();
    struct pd_peer *raw = pd_raw_join(server.port2, NULL);
    struct pd_peer *ws = pd_ws_join(server.port, NULL);
    pd_expect_line(raw, "* guest2 joined");
    /* 300 bytes: a 16-bit length. Sent by a throwaway peer's encoder, one byte at a
     * time: build it on a socketpair-free path by sending into our own buffer. */
    char text[301];
    memset(text, 'q', 300);
    text[300] = '\0';
    unsigned char frame[400];
    unsigned char key[4] = {1, 2, 3, 4};
    size_t at = 0;
    frame[at++] = 0x81;
    frame[at++] = 0x80 | 126;
    frame[at++] = 300 >> 8;
    frame[at++] = 300 & 0xff;
    memcpy(frame + at, key, 4);
    at += 4;
    for (int i = 0; i < 300; i++)
        frame[at + (size_t)i] = (unsigned char)(text[i] ^ key[i % 4]);
    at += 300;
    for (size_t i = 0; i < at; i++)
        pd_send(ws, frame + i, 1);
    char want[400];
    snprintf(want, sizeof want, "guest2: %s", text);
    pd_expect_line(raw, want);
    /* Three small frames in one write. */
    unsigned char three[64];
    size_t n = 0;
    const char *words[] = {"x", "yy", "zzz"};
    for (int w = 0; w < 3; w++) {
        size_t len = strlen(words[w]);
        three[n++] = 0x81;
        three[n++] = (unsigned char)(0x80 | len);
        memcpy(three + n, key, 4);
        n += 4;
        for (size_t i = 0; i < len; i++)
            three[n++] = (unsigned char)(words[w][i] ^ key[i % 4]);
    }
    pd_send(ws, three, n);
    pd_expect_line(raw, "guest2: x");
    pd_expect_line(raw, "guest2: yy");
    pd_expect_line(raw, "guest2: zzz");
    pd_close(ws);
    pd_close(raw);
    stop();
}
END_TEST

START_TEST(close_is_echoed)
{
    start();
    struct pd_peer *raw = pd_raw_join(server.port2, NULL);
    struct pd_peer *ws = pd_ws_join(server.port, NULL);
    pd_expect_line(raw, "* guest2 joined");
    unsigned char code[2] = {0x0b, 0xb8}; /* 3000 */
    pd_ws_send(ws, 1, 8, code, 2, 1);
    pd_ws_expect_close(ws, 3000);
    pd_expect_line(raw, "* guest2 left");
    pd_close(ws);
    /* No code: echoed as 1000. */
    ws = pd_ws_join(server.port, NULL);
    pd_expect_line(raw, "* guest3 joined");
    pd_ws_send(ws, 1, 8, "", 0, 1);
    pd_ws_expect_close(ws, 1000);
    pd_close(ws);
    /* /quit: "* bye", then CLOSE 1000. */
    ws = pd_ws_join(server.port, NULL);
    pd_ws_send(ws, 1, 1, "/quit", 5, 1);
    pd_ws_expect_text(ws, "* bye");
    pd_ws_expect_close(ws, 1000);
    pd_close(ws);
    pd_close(raw);
    stop();
}
END_TEST

/* The basic violations, each with its close code; the room hears the member left. */
START_TEST(broken_rules_close_with_their_codes)
{
    start();
    struct pd_peer *raw = pd_raw_join(server.port2, NULL);
    static const struct {
        int opcode, mask;
        const char *payload;
        size_t length;
        int code;
    } cases[] = {
        {1, 0, "unmasked", 8, 1002},
        {2, 1, "binary", 6, 1003},
        {1, 1, "bad \xc3\x28 utf-8", 13, 1007},
        {3, 1, "reserved", 8, 1002},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct pd_peer *ws = pd_ws_join(server.port, NULL);
        char line[64], want[64];
        ck_assert(pd_read_line(raw, line, sizeof line, pd_wait_ms(), NULL) > 0);
        pd_ws_send(ws, 1, cases[i].opcode, cases[i].payload, cases[i].length,
                   cases[i].mask);
        pd_ws_expect_close(ws, cases[i].code);
        snprintf(want, sizeof want, "%.*s left", (int)(strlen(line) - strlen(" joined")),
                 line);
        pd_expect_line(raw, want);
        pd_close(ws);
    }
    /* A 64-bit length over the 64 KiB limit: 1009, decided from the header alone. */
    struct pd_peer *ws = pd_ws_join(server.port, NULL);
    unsigned char header[14] = {0x81, 0x80 | 127, 0, 0, 0, 0, 0, 1, 0, 1, 9, 9, 9, 9};
    pd_send(ws, header, sizeof header);
    pd_ws_expect_close(ws, 1009);
    pd_close(ws);
    pd_close(raw);
    stop();
}
END_TEST

/* -K 1: a client that sends nothing at all is dropped after two intervals. */
START_TEST(a_silent_client_is_dropped)
{
    const char *extra[] = {"-K", "1", NULL};
    pd_start(&server, extra);
    struct pd_peer *raw = pd_raw_join(server.port2, NULL);
    struct pd_peer *ws = pd_ws_join(server.port, NULL);
    pd_expect_line(raw, "* guest2 joined");
    /* Pings come; we never answer. */
    int opcode = -1;
    unsigned char payload[128];
    ck_assert(pd_ws_read(ws, &opcode, payload, sizeof payload, pd_wait_ms()) >= 0);
    ck_assert_int_eq(opcode, 9);
    pd_expect_line(raw, "* guest2 left");
    pd_close(ws);
    pd_close(raw);
    stop();
}
END_TEST

/* SIGTERM: "* server shutting down" on every transport, CLOSE 1001 on a WebSocket,
 * then the end, and exit 0. */
START_TEST(shutdown_says_goodbye_on_every_transport)
{
    start();
    struct pd_peer *raw = pd_raw_join(server.port2, NULL);
    struct pd_peer *ws = pd_ws_join(server.port, NULL);
    pd_expect_line(raw, "* guest2 joined");
    kill(server.pid, SIGTERM);
    pd_expect_line(raw, "* server shutting down");
    pd_expect_closed(raw);
    pd_ws_expect_text(ws, "* server shutting down");
    unsigned char payload[16];
    int opcode = -1;
    ck_assert_int_eq(pd_ws_read(ws, &opcode, payload, sizeof payload, pd_wait_ms()), 2);
    ck_assert_int_eq(opcode, 8);
    ck_assert_int_eq(payload[0] << 8 | payload[1], 1001);
    pd_ws_send(ws, 1, 8, payload, 2, 1); /* the echo */
    pd_expect_closed(ws);
    pd_close(raw);
    pd_close(ws);
    stop();
}
END_TEST

/* A WebSocket client that never echoes, and one that never reads: pushd still stops
 * within a second. */
START_TEST(shutdown_within_a_second_whatever_clients_do)
{
    start();
    struct pd_peer *ws = pd_ws_join(server.port, NULL);
    struct pd_peer *http = pd_connect(server.port);
    pd_say(http, "GET / HTT");
    struct pd_peer *raw = pd_raw_join(server.port2, NULL);
    server_stop_within(&server, SIGTERM, 1000, "pushd");
    pd_close(ws);
    pd_close(http);
    pd_close(raw);
}
END_TEST

Suite *pushd_ws_suite(void)
{
    Suite *s = suite_create("pushd_ws");
    TCase *tc = tcase_create("handshake");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, a_valid_handshake_gets_101_and_the_accept_key);
    tcase_add_test(tc, another_version_gets_426);
    tcase_add_test(tc, bad_handshakes_get_400);
    tcase_add_test(tc, origin_of_another_site_gets_403);
    suite_add_tcase(s, tc);
    tc = tcase_create("member");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, websocket_and_raw_talk_both_ways);
    tcase_add_test(tc, frames_in_pieces_and_together);
    tcase_add_test(tc, close_is_echoed);
    tcase_add_test(tc, broken_rules_close_with_their_codes);
    tcase_add_test(tc, a_silent_client_is_dropped);
    tcase_add_test(tc, shutdown_says_goodbye_on_every_transport);
    tcase_add_test(tc, shutdown_within_a_second_whatever_clients_do);
    suite_add_tcase(s, tc);
    return s;
}
