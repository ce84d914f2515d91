/* test_pushd_sessions.c: the room over plain HTTP (DESIGN.md §3.5): POST /join and
 * its token, the outbox, server-sent events (replay, gap, one stream per session),
 * long polling (parking, -L, gap, JSON escaping, since), POST /send, expiry (-E),
 * and the goodbye on shutdown. */
#include "suites.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
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

/* Send a request on p and read the whole response: the status; head and body (its
 * Content-Length bytes, NUL-terminated) into the buffers. */
static int request(struct pd_peer *p, const char *text, char *head, size_t head_size,
                   char *body, size_t body_size)
{
    pd_say(p, text);
    int status = pd_read_head(p, head, head_size);
    char value[32];
    size_t length = 0;
    if (response_header(head, "Content-Length", value, sizeof value) == 0)
        length = (size_t)atol(value);
    ck_assert_msg(length < body_size, "a body of %zu bytes", length);
    pd_read_exact(p, body, length);
    body[length] = '\0';
    return status;
}

/* POST /join on a new connection: the token (33 bytes) and the nick (32). */
static void join(char *token, char *nick)
{
    struct pd_peer *p = pd_connect(server.port);
    char head[2048], body[256];
    ck_assert_int_eq(
        request(p, "POST /join HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", head,
                sizeof head, body, sizeof body),
        200);
    char type[64];
    ck_assert_int_eq(response_header(head, "Content-Type", type, sizeof type), 0);
    ck_assert_str_eq(type, "application/json");
    ck_assert_msg(sscanf(body, "{\"session\":\"%32[0-9a-f]\",\"nick\":\"%31[^\"]\"}",
                         token, nick) == 2,
                  "not a join answer: %s", body);
    ck_assert_int_eq(strlen(token), 32);
    pd_close(p);
}

/* GET /poll on p; the body into body. */
static int poll_once(struct pd_peer *p, const char *token, const char *since, char *body,
                     size_t size)
{
    char text[256], head[2048];
    snprintf(text, sizeof text, "GET /poll?session=%s%s%s HTTP/1.1\r\nHost: x\r\n\r\n",
             token, since != NULL ? "&since=" : "", since != NULL ? since : "");
    return request(p, text, head, sizeof head, body, size);
}

/* POST /send with this body. */
static int send_lines(struct pd_peer *p, const char *token, const char *lines)
{
    char text[8192], head[2048], body[512];
    snprintf(text, sizeof text,
             "POST /send?session=%s HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
             "Content-Length: %zu\r\n\r\n%s",
             token, strlen(lines), lines);
    return request(p, text, head, sizeof head, body, sizeof body);
}

/* Open GET /events (with a Last-Event-ID when last is not NULL); reads the head and
 * the "retry:" line. */
static struct pd_peer *open_stream(const char *token, const char *last)
{
    struct pd_peer *p = pd_connect(server.port);
    char text[256], head[2048], value[64];
    snprintf(text, sizeof text,
             "GET /events?session=%s HTTP/1.1\r\nHost: x\r\n%s%s%s\r\n", token,
             last != NULL ? "Last-Event-ID: " : "", last != NULL ? last : "",
             last != NULL ? "\r\n" : "");
    pd_say(p, text);
    ck_assert_int_eq(pd_read_head(p, head, sizeof head), 200);
    ck_assert_int_eq(response_header(head, "Content-Type", value, sizeof value), 0);
    ck_assert_str_eq(value, "text/event-stream");
    ck_assert_int_eq(response_header(head, "Cache-Control", value, sizeof value), 0);
    ck_assert_str_eq(value, "no-store");
    ck_assert_int_ne(response_header(head, "Content-Length", value, sizeof value), 0);
    pd_expect_line(p, "retry: 1000");
    pd_expect_line(p, "");
    return p;
}

/* The next event: id and data lines ("id: 3", "data: ..."), then the empty line. */
static void expect_event(struct pd_peer *p, unsigned long id, const char *data)
{
    char want[2048];
    snprintf(want, sizeof want, "id: %lu", id);
    pd_expect_line(p, want);
    snprintf(want, sizeof want, "data: %s", data);
    pd_expect_line(p, want);
    pd_expect_line(p, "");
}

/* ---- Joining ------------------------------------------------------------------------
 */

START_TEST(join_admits_a_member_with_a_token)
{
    pd_start(&server, NULL);
    struct pd_peer *raw = pd_raw_join(server.port2, NULL);
    char token[40], nick[32], body[4096];
    join(token, nick);
    ck_assert_str_eq(nick, "guest2");
    pd_expect_line(raw, "* guest2 joined");
    struct pd_peer *p = pd_connect(server.port);
    ck_assert_int_eq(poll_once(p, token, NULL, body, sizeof body), 200);
    ck_assert_str_eq(body, "{\"next\":1,\"lines\":[\"* welcome to pushd, you are guest2; "
                           "/help for commands\"],\"gap\":false}");
    /* Two tokens are never alike. */
    char other[40], other_nick[32];
    join(other, other_nick);
    ck_assert_str_ne(token, other);
    pd_close(p);
    pd_close(raw);
    stop();
}
END_TEST

START_TEST(endpoints_check_the_session_and_the_method)
{
    pd_start(&server, NULL);
    char token[40], nick[32], head[2048], body[4096], value[64];
    join(token, nick);
    struct pd_peer *p = pd_connect(server.port);
    /* 404s and 405s keep the connection, as in chapter 2. */
    ck_assert_int_eq(
        poll_once(p, "0123456789abcdef0123456789abcdef", NULL, body, sizeof body), 404);
    ck_assert_int_eq(poll_once(p, "not-a-token", NULL, body, sizeof body), 404);
    ck_assert_int_eq(request(p, "GET /join HTTP/1.1\r\nHost: x\r\n\r\n", head,
                             sizeof head, body, sizeof body),
                     405);
    ck_assert_int_eq(response_header(head, "Allow", value, sizeof value), 0);
    ck_assert_str_eq(value, "POST");
    ck_assert_int_eq(request(p, "POST /events?session=x HTTP/1.1\r\nHost: x\r\n\r\n",
                             head, sizeof head, body, sizeof body),
                     405);
    ck_assert_int_eq(response_header(head, "Allow", value, sizeof value), 0);
    ck_assert_str_eq(value, "GET");
    ck_assert_int_eq(poll_once(p, token, "0", body, sizeof body), 200);
    ck_assert_int_eq(poll_once(p, token, "2", body, sizeof body), 400); /* above newest */
    pd_close(p);
    p = pd_connect(server.port);
    ck_assert_int_eq(poll_once(p, token, "x1", body, sizeof body), 400);
    pd_close(p);
    p = pd_connect(server.port);
    ck_assert_int_eq(request(p, "GET /poll HTTP/1.1\r\nHost: x\r\n\r\n", head,
                             sizeof head, body, sizeof body),
                     400); /* no session at all */
    pd_close(p);
    stop();
}
END_TEST

/* ---- Server-sent events ------------------------------------------------------------ */

START_TEST(events_stream_the_outbox)
{
    const char *extra[] = {"-K", "1", NULL};
    pd_start(&server, extra);
    char token[40], nick[32];
    join(token, nick);
    struct pd_peer *raw = pd_raw_join(server.port2, NULL);
    struct pd_peer *stream = open_stream(token, NULL);
    expect_event(stream, 1, "* welcome to pushd, you are guest1; /help for commands");
    expect_event(stream, 2, "* guest2 joined");
    pd_send(raw, "hi \xff\n", 5);
    /* -K: a comment now and then, which EventSource ignores; it may come first. */
    char line[256];
    int pinged = 0;
    for (int i = 0; i < 8 && !pinged; i++) {
        ck_assert(pd_read_line(stream, line, sizeof line, pd_wait_ms(), NULL) >= 0);
        if (strcmp(line, "id: 3") == 0) {
            pd_expect_line(stream, "data: guest2: hi \xef\xbf\xbd");
            pd_expect_line(stream, "");
        }
        pinged = strcmp(line, ": ping") == 0;
    }
    ck_assert_msg(pinged, "no \": ping\" comment");
    pd_close(stream);
    pd_close(raw);
    stop();
}
END_TEST

START_TEST(last_event_id_replays_and_a_second_stream_closes_the_first)
{
    pd_start(&server, NULL);
    char token[40], nick[32];
    join(token, nick);
    struct pd_peer *raw = pd_raw_join(server.port2, NULL);
    pd_say(raw, "one\ntwo\n");
    struct pd_peer *first = open_stream(token, "2");
    expect_event(first, 3, "guest2: one");
    expect_event(first, 4, "guest2: two");
    struct pd_peer *second = open_stream(token, "3");
    pd_expect_closed(first);
    expect_event(second, 4, "guest2: two");
    pd_say(raw, "three\n");
    expect_event(second, 5, "guest2: three");
    pd_close(first);
    pd_close(second);
    pd_close(raw);
    stop();
}
END_TEST

/* Take every line of the outbox with polls, so that they may roll off. Returns the
 * newest id. */
static unsigned long take_all(struct pd_peer *p, const char *token, unsigned long want)
{
    unsigned long next = 0;
    char body[64 * 1024];
    while (next < want) {
        char since[32];
        snprintf(since, sizeof since, "%lu", next);
        ck_assert_int_eq(poll_once(p, token, since, body, sizeof body), 200);
        ck_assert(sscanf(body, "{\"next\":%lu", &next) == 1);
    }
    return next;
}

START_TEST(lines_that_rolled_off_are_a_gap)
{
    pd_start(&server, NULL);
    char token[40], nick[32], body[64 * 1024];
    join(token, nick);
    struct pd_peer *raw = pd_raw_join(server.port2, NULL);
    struct pd_peer *p = pd_connect(server.port);
    /* 300 lines: 2 + 300 in the outbox, which keeps the last 256. They come in
     * batches, each taken by polls before the next: a line not yet taken never rolls
     * off (the session would be dropped instead). */
    for (int batch = 0; batch < 3; batch++) {
        char lines[100 * 8];
        size_t at = 0;
        for (int i = 100 * batch; i < 100 * (batch + 1); i++)
            at += (size_t)snprintf(lines + at, sizeof lines - at, "l%d\n", i);
        pd_send(raw, lines, at);
        ck_assert_int_eq(take_all(p, token, 102 + 100 * (unsigned long)batch),
                         102 + 100 * batch);
    }
    /* The first kept line is 302 - 255 = 47. */
    ck_assert_int_eq(poll_once(p, token, "1", body, sizeof body), 200);
    ck_assert_msg(strncmp(body, "{\"next\":", 8) == 0 &&
                      strstr(body, "\"lines\":[\"guest2: l44\",") != NULL &&
                      strstr(body, "\"gap\":true}") != NULL,
                  "%.200s", body);
    struct pd_peer *stream = open_stream(token, "1");
    pd_expect_line(stream, "event: gap");
    pd_expect_line(stream, "data: 45"); /* lines 2 to 46 */
    pd_expect_line(stream, "");
    expect_event(stream, 47, "guest2: l44");
    pd_close(stream);
    pd_close(p);
    pd_close(raw);
    stop();
}
END_TEST

/* ---- Long polling ------------------------------------------------------------------ */

START_TEST(a_poll_parks_until_a_line_comes)
{
    pd_start(&server, NULL);
    char token[40], nick[32], body[4096];
    join(token, nick);
    struct pd_peer *raw = pd_raw_join(server.port2, NULL);
    struct pd_peer *p = pd_connect(server.port);
    ck_assert_int_eq(poll_once(p, token, "0", body, sizeof body), 200);
    ck_assert_msg(strstr(body, "\"next\":2,") != NULL, "%s", body);
    /* Parked: nothing after 2 yet. The raw line answers it. */
    pd_say(p, "GET /poll?session=");
    pd_say(p, token);
    pd_say(p, "&since=2 HTTP/1.1\r\nHost: x\r\n\r\n");
    ck_assert_msg(server_stderr_wait(&server, "since=2", 5000), "the poll never arrived");
    pd_send(raw, "q\"b\\c\td\x01\n", 10);
    char head[2048];
    ck_assert_int_eq(pd_read_head(p, head, sizeof head), 200);
    char value[32];
    ck_assert_int_eq(response_header(head, "Content-Length", value, sizeof value), 0);
    size_t length = (size_t)atol(value);
    pd_read_exact(p, body, length);
    body[length] = '\0';
    ck_assert_str_eq(body, "{\"next\":3,\"lines\":[\"guest2: q\\\"b\\\\c\\td\\u0001\"],"
                           "\"gap\":false}");
    pd_close(p);
    pd_close(raw);
    stop();
}
END_TEST

START_TEST(a_parked_poll_times_out_and_a_second_one_answers_the_first)
{
    const char *extra[] = {"-L", "1", NULL};
    pd_start(&server, extra);
    char token[40], nick[32], body[4096];
    join(token, nick);
    struct pd_peer *p = pd_connect(server.port);
    ck_assert_int_eq(poll_once(p, token, "1", body, sizeof body), 200); /* after -L */
    ck_assert_str_eq(body, "{\"next\":1,\"lines\":[],\"gap\":false}");
    /* Two parked polls: the second answers the first, empty, at once; the second
     * waits its -L. (x=first: extra parameters are ignored; it marks the log.) */
    struct pd_peer *q = pd_connect(server.port);
    char text[256];
    snprintf(text, sizeof text,
             "GET /poll?session=%s&since=1&x=first HTTP/1.1\r\nHost: x\r\n\r\n", token);
    pd_say(p, text);
    ck_assert(server_stderr_wait(&server, "x=first", 5000));
    snprintf(text, sizeof text,
             "GET /poll?session=%s&since=1 HTTP/1.1\r\nHost: x\r\n\r\n", token);
    pd_say(q, text);
    char head[2048];
    ck_assert_int_eq(pd_read_head(p, head, sizeof head), 200);
    pd_read_exact(p, body, 33);
    body[33] = '\0';
    ck_assert_str_eq(body, "{\"next\":1,\"lines\":[],\"gap\":false}");
    ck_assert_int_eq(pd_read_head(q, head, sizeof head), 200); /* then q, after -L */
    pd_close(p);
    pd_close(q);
    stop();
}
END_TEST

/* ---- Sending ------------------------------------------------------------------------
 */

START_TEST(send_is_typed_input)
{
    pd_start(&server, NULL);
    char token[40], nick[32], body[8192];
    join(token, nick);
    struct pd_peer *raw = pd_raw_join(server.port2, NULL);
    struct pd_peer *p = pd_connect(server.port);
    ck_assert_int_eq(send_lines(p, token, "hello\r\n/me waves\nlast line"), 204);
    pd_expect_line(raw, "guest1: hello");
    pd_expect_line(raw, "* guest1 waves");
    pd_expect_line(raw, "guest1: last line"); /* the end of the body ends the line */
    /* A line over 1024 bytes: still 204, and the error goes to the outbox. */
    char lines[1100];
    memset(lines, 'x', 1025);
    strcpy(lines + 1025, "\nok\n");
    ck_assert_int_eq(send_lines(p, token, lines), 204);
    pd_expect_line(raw, "guest1: ok");
    ck_assert_int_eq(send_lines(p, token, "/who"), 204);
    ck_assert_int_eq(poll_once(p, token, "2", body, sizeof body), 200);
    ck_assert_str_eq(body, "{\"next\":4,\"lines\":[\"! line too long (max 1024 bytes)\","
                           "\"* online: guest1, guest2\"],\"gap\":false}");
    /* /quit ends the session: its token is then unknown. */
    ck_assert_int_eq(send_lines(p, token, "/quit\n"), 204);
    pd_expect_line(raw, "* guest1 left");
    ck_assert_int_eq(poll_once(p, token, NULL, body, sizeof body), 404);
    pd_close(p);
    pd_close(raw);
    stop();
}
END_TEST

/* Start a POST /send on a new connection: the head, and the first bytes of a body of
 * length bytes in all. */
static struct pd_peer *start_send(const char *token, size_t length, const char *start)
{
    struct pd_peer *p = pd_connect(server.port);
    char text[2048];
    snprintf(text, sizeof text,
             "POST /send?session=%s HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n\r\n%s",
             token, length, start);
    pd_say(p, text);
    return p;
}

/* Two bodies for one session at once, on two connections (a page may send a line
 * before the last one's 204 is back): each is cut into lines on its own. Found while
 * writing fuzz_send_body, which checks it too: the session kept one line buffer, so the
 * second body landed in the middle of the first body's line, or was thrown away with a
 * line that was too long. No sleep is needed: the first body's bytes are in pushd's
 * socket before the second connection exists, and each round of its loop reads before it
 * accepts. */
START_TEST(two_bodies_at_once_keep_their_lines)
{
    pd_start(&server, NULL);
    char token[40], nick[32], head[2048], long_line[1101];
    join(token, nick);
    struct pd_peer *raw = pd_raw_join(server.port2, NULL);
    struct pd_peer *first = start_send(token, strlen("half a line\n"), "half");
    struct pd_peer *second = pd_connect(server.port);
    ck_assert_int_eq(send_lines(second, token, "between"), 204);
    pd_expect_line(raw, "guest1: between");
    pd_say(first, " a line\n");
    ck_assert_int_eq(pd_read_head(first, head, sizeof head), 204);
    pd_expect_line(raw, "guest1: half a line");
    /* A line too long, half-way through being thrown away. */
    memset(long_line, 'x', 1100);
    long_line[1100] = '\0';
    struct pd_peer *third = start_send(token, 1100 + strlen("\nok\n"), long_line);
    ck_assert_int_eq(send_lines(second, token, "between again"), 204);
    pd_expect_line(raw, "guest1: between again");
    pd_say(third, "\nok\n");
    ck_assert_int_eq(pd_read_head(third, head, sizeof head), 204);
    pd_expect_line(raw, "guest1: ok");
    pd_close(first);
    pd_close(second);
    pd_close(third);
    pd_close(raw);
    stop();
}
END_TEST

START_TEST(a_body_over_64_kib_gets_413)
{
    pd_start(&server, NULL);
    char token[40], nick[32], head[2048], body[4096];
    join(token, nick);
    struct pd_peer *p = pd_connect(server.port);
    char text[256];
    snprintf(text, sizeof text,
             "POST /send?session=%s HTTP/1.1\r\nHost: x\r\nContent-Length: 65537\r\n\r\n",
             token);
    ck_assert_int_eq(request(p, text, head, sizeof head, body, sizeof body), 413);
    pd_close(p);
    stop();
}
END_TEST

/* ---- Expiry and shutdown ------------------------------------------------------------
 */

START_TEST(an_idle_session_expires_and_a_streaming_one_does_not)
{
    const char *extra[] = {"-E", "1", NULL};
    pd_start(&server, extra);
    char streaming[40], idle[40], nick[32];
    join(streaming, nick);
    struct pd_peer *stream = open_stream(streaming, NULL);
    join(idle, nick);
    struct pd_peer *raw = pd_raw_join(server.port2, NULL);
    pd_expect_line(raw, "* guest2 left"); /* the idle one, after -E */
    pd_say(raw, "/who\n");
    pd_expect_line(raw, "* online: guest1, guest3");
    pd_close(stream);
    pd_close(raw);
    stop();
}
END_TEST

START_TEST(shutdown_reaches_streams_and_parked_polls)
{
    pd_start(&server, NULL);
    char a[40], b[40], nick[32], body[4096];
    join(a, nick);
    join(b, nick);
    struct pd_peer *stream = open_stream(a, "2");
    struct pd_peer *p = pd_connect(server.port);
    ck_assert_int_eq(poll_once(p, b, "0", body, sizeof body), 200);
    char text[256];
    snprintf(text, sizeof text,
             "GET /poll?session=%s&since=1 HTTP/1.1\r\nHost: x\r\n\r\n", b);
    pd_say(p, text);
    ck_assert(server_stderr_wait(&server, "since=1 HTTP", 5000));
    kill(server.pid, SIGTERM);
    expect_event(stream, 3, "* server shutting down");
    pd_expect_closed(stream);
    char head[2048];
    ck_assert_int_eq(pd_read_head(p, head, sizeof head), 200);
    char value[32];
    ck_assert_int_eq(response_header(head, "Content-Length", value, sizeof value), 0);
    size_t length = (size_t)atol(value);
    pd_read_exact(p, body, length);
    body[length] = '\0';
    ck_assert_str_eq(body,
                     "{\"next\":2,\"lines\":[\"* server shutting down\"],\"gap\":false}");
    pd_close(stream);
    pd_close(p);
    stop();
}
END_TEST

/* ---- The room across transports --------------------------------------------------- */

/* One line from each of a raw client, a WebSocket, an SSE session and a long-poll
 * session reaches the other three; -m counts them all (/join answers 503). */
START_TEST(four_transports_one_room)
{
    const char *extra[] = {"-m", "4", NULL};
    pd_start(&server, extra);
    struct pd_peer *raw = pd_raw_join(server.port2, NULL); /* guest1 */
    struct pd_peer *ws = pd_ws_join(server.port, NULL);    /* guest2 */
    char sse_token[40], poll_token[40], nick[32], body[8192];
    join(sse_token, nick);  /* guest3 */
    join(poll_token, nick); /* guest4 */
    struct pd_peer *full = pd_connect(server.port);
    char head[2048];
    ck_assert_int_eq(request(full, "POST /join HTTP/1.1\r\nHost: x\r\n\r\n", head,
                             sizeof head, body, sizeof body),
                     503);
    pd_close(full);
    struct pd_peer *stream = open_stream(sse_token, "2"); /* welcome, guest4 joined */
    struct pd_peer *p = pd_connect(server.port);
    ck_assert_int_eq(poll_once(p, poll_token, NULL, body, sizeof body), 200);
    unsigned long next = 0;
    ck_assert(sscanf(body, "{\"next\":%lu", &next) == 1);
    pd_expect_line(raw, "* guest2 joined");
    pd_expect_line(raw, "* guest3 joined");
    pd_expect_line(raw, "* guest4 joined");
    pd_ws_expect_text(ws, "* guest3 joined");
    pd_ws_expect_text(ws, "* guest4 joined");

    pd_say(raw, "from raw\n");
    pd_ws_send(ws, 1, 1, "from ws", 7, 1);
    pd_ws_expect_text(ws, "guest1: from raw");
    pd_expect_line(raw, "guest2: from ws");
    ck_assert_int_eq(send_lines(p, sse_token, "from sse"), 204);
    ck_assert_int_eq(send_lines(p, poll_token, "from poll"), 204);
    pd_expect_line(raw, "guest3: from sse");
    pd_expect_line(raw, "guest4: from poll");
    pd_ws_expect_text(ws, "guest3: from sse");
    pd_ws_expect_text(ws, "guest4: from poll");
    expect_event(stream, 3, "guest1: from raw");
    expect_event(stream, 4, "guest2: from ws");
    expect_event(stream, 5, "guest4: from poll");
    char since[32];
    snprintf(since, sizeof since, "%lu", next);
    ck_assert_int_eq(poll_once(p, poll_token, since, body, sizeof body), 200);
    ck_assert_msg(strstr(body, "[\"guest1: from raw\",\"guest2: from ws\","
                               "\"guest3: from sse\"]") != NULL,
                  "%s", body);
    pd_close(p);
    pd_close(stream);
    pd_close(ws);
    pd_close(raw);
    stop();
}
END_TEST

/* An SSE client that never reads: its stream's queue fills, then its outbox; when a
 * line it has not taken would have to roll off, it is dropped, and the room goes on. */
START_TEST(a_stalled_event_stream_is_dropped)
{
    pd_start(&server, NULL);
    char token[40], nick[32];
    join(token, nick); /* guest1 */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert(fd >= 0);
    int small = 4096;
    ck_assert(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small) == 0);
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((unsigned short)server.port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_msg(connect(fd, (struct sockaddr *)&sin, sizeof sin) == 0, "connect: %s",
                  strerror(errno));
    char text[256];
    snprintf(text, sizeof text, "GET /events?session=%s HTTP/1.1\r\nHost: x\r\n\r\n",
             token);
    send_all(fd, text, strlen(text));
    ck_assert(server_stderr_wait(&server, "GET /events", 5000));
    struct pd_peer *talker = pd_raw_join(server.port2, NULL); /* guest2 */
    struct pd_peer *ws = pd_ws_join(server.port, NULL);       /* guest3 */
    char line[1001];
    memset(line, 'z', 1000);
    line[1000] = '\n';
    int dropped = 0;
    for (int i = 0; i < 20000 && !dropped; i++) {
        pd_send(talker, line, 1001);
        unsigned char frame[2048];
        int opcode;
        ssize_t n = pd_ws_read(ws, &opcode, frame, sizeof frame - 1, pd_wait_ms());
        ck_assert_msg(n > 0, "the reading member stopped receiving");
        frame[n] = '\0';
        dropped = strcmp((char *)frame, "* guest1 left") == 0;
    }
    ck_assert_msg(dropped, "the stalled stream was never dropped");
    close(fd);
    pd_close(talker);
    pd_close(ws);
    stop();
}
END_TEST

Suite *pushd_sessions_suite(void)
{
    Suite *s = suite_create("pushd_sessions");
    TCase *tc = tcase_create("join");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, join_admits_a_member_with_a_token);
    tcase_add_test(tc, endpoints_check_the_session_and_the_method);
    suite_add_tcase(s, tc);
    tc = tcase_create("events");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, events_stream_the_outbox);
    tcase_add_test(tc, last_event_id_replays_and_a_second_stream_closes_the_first);
    tcase_add_test(tc, lines_that_rolled_off_are_a_gap);
    suite_add_tcase(s, tc);
    tc = tcase_create("poll_and_send");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, a_poll_parks_until_a_line_comes);
    tcase_add_test(tc, a_parked_poll_times_out_and_a_second_one_answers_the_first);
    tcase_add_test(tc, send_is_typed_input);
    tcase_add_test(tc, two_bodies_at_once_keep_their_lines);
    tcase_add_test(tc, a_body_over_64_kib_gets_413);
    suite_add_tcase(s, tc);
    tc = tcase_create("across_transports");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, four_transports_one_room);
    tcase_add_test(tc, a_stalled_event_stream_is_dropped);
    suite_add_tcase(s, tc);
    tc = tcase_create("expiry_and_shutdown");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, an_idle_session_expires_and_a_streaming_one_does_not);
    tcase_add_test(tc, shutdown_reaches_streams_and_parked_polls);
    suite_add_tcase(s, tc);
    return s;
}
