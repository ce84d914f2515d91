/* test_bridge.c: one room across every transport. A raw chat client, a WebSocket
 * client, an SSE session and a long-polling session each send 250 numbered lines;
 * each must receive every line of the other three, in order, none lost and none
 * twice. The senders take turns in rounds of 10 lines and every member reads all
 * it is owed before the next round: a session's outbox keeps 256 lines, and a
 * poller that fell behind by more would rightly be dropped.
 *
 * Then the readers that do not keep up: a WebSocket client and an SSE client that
 * never read are dropped once their 64 KiB overflows, while raw, WebSocket and SSE
 * readers still get every line; and a large file sent to a reader that never reads
 * does not hold up the room (it goes out only as that socket drains). */
#include "suites.h"
#include "wsclient.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINES_EACH 250
#define ROUND      10
#define MEMBERS    4
#define SENDERS    5 /* the members, and the stall test's loud raw client */

enum transport { RAW, WS, SSE, POLL, LOAD };
static const char *const names[SENDERS] = {"raw", "ws", "sse", "poll", "load"};

struct member {
    enum transport kind;
    struct pd_peer *in;  /* what it reads: raw socket, SSE stream, poll connection */
    struct pd_peer *out; /* POST /send for sessions */
    struct wsclient *ws;
    char session[64];
    unsigned long since; /* long polling's cursor */
    int next[SENDERS];   /* the number expected next from each sender */
    int received;        /* lines from the others so far */
    unsigned left;       /* the guests seen leaving: bit N for "* guestN left" */
};

static struct server_proc server;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A room line "guestN: from NAME K": check that K is the next from NAME. */
static void take_line(struct member *m, const char *line, size_t length)
{
    char copy[2048];
    snprintf(copy, sizeof copy, "%.*s", (int)length, line);
    ck_assert_msg(copy[0] != '!', "%s got an error: %s", names[m->kind], copy);
    int guest;
    char tail[8];
    if (sscanf(copy, "* guest%d %7s", &guest, tail) == 2 && strcmp(tail, "left") == 0 &&
        guest < 32)
        m->left |= 1u << guest;
    if (copy[0] == '*')
        return; /* joined, welcome, left */
    const char *from = strstr(copy, ": from ");
    ck_assert_msg(from != NULL, "%s got \"%s\"", names[m->kind], copy);
    from += strlen(": from ");
    for (int s = 0; s < SENDERS; s++) {
        size_t n = strlen(names[s]);
        if (strncmp(from, names[s], n) != 0 || from[n] != ' ')
            continue;
        ck_assert_msg(s != (int)m->kind, "%s got its own line back: %s", names[s], copy);
        int number = atoi(from + n + 1);
        ck_assert_msg(number == m->next[s], "%s: from %s expected %d, got %d",
                      names[m->kind], names[s], m->next[s], number);
        m->next[s]++;
        m->received++;
        return;
    }
    ck_abort_msg("%s got a line from nobody: %s", names[m->kind], copy);
}

/* POST a request on a keep-alive connection and read the answer's body. */
static int http(struct pd_peer *p, const char *method, const char *target,
                const char *body, char *out, size_t size)
{
    char request[16384], head[4096], value[32];
    snprintf(request, sizeof request,
             "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
             "Content-Length: %zu\r\n\r\n%s",
             method, target, strlen(body), body);
    pd_say(p, request);
    int status = pd_read_head(p, head, sizeof head);
    size_t length = 0;
    if (response_header(head, "Content-Length", value, sizeof value) == 0)
        length = (size_t)atol(value);
    ck_assert_uint_lt(length, size);
    pd_read_exact(p, out, length);
    out[length] = '\0';
    return status;
}

static void join_session(struct member *m)
{
    char body[512];
    m->out = pd_connect(server.port);
    ck_assert_int_eq(http(m->out, "POST", "/join", "", body, sizeof body), 200);
    const char *s = strstr(body, "\"session\":\"");
    ck_assert_ptr_nonnull(s);
    snprintf(m->session, sizeof m->session, "%.32s", s + strlen("\"session\":\""));
}

static void open_events(struct member *m)
{
    char request[256], head[4096];
    m->in = pd_connect(server.port);
    snprintf(request, sizeof request,
             "GET /events?session=%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", m->session);
    pd_say(m->in, request);
    ck_assert_int_eq(pd_read_head(m->in, head, sizeof head), 200);
}

static void send_round(struct member *m, int first)
{
    char text[ROUND * 64];
    size_t at = 0;
    for (int k = first; k < first + ROUND; k++)
        at += (size_t)snprintf(text + at, sizeof text - at, "from %s %d\n",
                               names[m->kind], k);
    if (m->kind == RAW) {
        pd_send(m->in, text, at);
    } else if (m->kind == WS) {
        /* one message: its LFs cut it into lines like raw input */
        ck_assert_int_eq(wsc_send_simple(m->ws, 1, text, at), 0);
    } else {
        char target[128], body[64];
        snprintf(target, sizeof target, "/send?session=%s", m->session);
        ck_assert_int_eq(http(m->out, "POST", target, text, body, sizeof body), 204);
    }
}

/* One long poll: take the lines it returns. */
static void poll_once(struct member *m)
{
    static char body[PD_BUFFER];
    char target[128];
    snprintf(target, sizeof target, "/poll?session=%s&since=%lu", m->session, m->since);
    ck_assert_int_eq(http(m->in, "GET", target, "", body, sizeof body), 200);
    ck_assert_msg(strstr(body, "\"gap\":false") != NULL, "%s", body);
    const char *next = strstr(body, "\"next\":");
    ck_assert_ptr_nonnull(next);
    m->since = strtoul(next + strlen("\"next\":"), NULL, 10);
    const char *p = strstr(body, "\"lines\":[");
    ck_assert_ptr_nonnull(p);
    p += strlen("\"lines\":[");
    while (*p == '"') {
        const char *end = strchr(p + 1, '"'); /* these lines hold no quote */
        ck_assert_ptr_nonnull(end);
        take_line(m, p + 1, (size_t)(end - p - 1));
        p = end + 1 + (end[1] == ',');
    }
}

/* Read until the member has every line owed so far. */
static void catch_up(struct member *m, int owed)
{
    static struct wsc_message frame;
    char line[2048];
    while (m->received < owed) {
        if (m->kind == WS) {
            ck_assert_msg(wsc_read(m->ws, &frame, pd_wait_ms()) == 1,
                          "ws: %d of %d lines", m->received, owed);
            ck_assert_int_eq(frame.opcode, 1);
            take_line(m, (char *)frame.payload, frame.length);
        } else if (m->kind == POLL) {
            poll_once(m);
        } else {
            ssize_t n = pd_read_line(m->in, line, sizeof line, pd_wait_ms(), NULL);
            ck_assert_msg(n >= 0, "%s: %d of %d lines", names[m->kind], m->received,
                          owed);
            if (m->kind == RAW)
                take_line(m, line, (size_t)n);
            else if (strncmp(line, "data: ", 6) == 0)
                take_line(m, line + 6, (size_t)n - 6);
        }
    }
}

START_TEST(every_transport_gets_every_line_in_order)
{
    pd_start(&server, NULL);
    struct member *m = calloc(MEMBERS, sizeof *m);
    ck_assert_ptr_nonnull(m);
    for (int i = 0; i < MEMBERS; i++)
        m[i].kind = (enum transport)i;
    m[RAW].in = pd_raw_join(server.port2, NULL);
    m[WS].ws = wsc_connect(server.port);
    char head[4096];
    ck_assert_int_eq(
        wsc_handshake(m[WS].ws, server.port, "/ws", NULL, 1, head, sizeof head), 101);
    join_session(&m[SSE]);
    open_events(&m[SSE]);
    join_session(&m[POLL]);
    m[POLL].in = pd_connect(server.port);

    for (int first = 0; first < LINES_EACH; first += ROUND) {
        for (int i = 0; i < MEMBERS; i++)
            send_round(&m[i], first);
        for (int i = 0; i < MEMBERS; i++)
            catch_up(&m[i], (MEMBERS - 1) * (first + ROUND));
    }
    for (int i = 0; i < MEMBERS; i++)
        for (int s = 0; s < MEMBERS; s++)
            ck_assert_int_eq(m[i].next[s], s == i ? 0 : LINES_EACH);
    printf("bridge: 4 transports, %d lines each, every line delivered once, in order\n",
           LINES_EACH);

    pd_close(m[RAW].in);
    wsc_close(m[WS].ws);
    pd_close(m[SSE].in);
    pd_close(m[SSE].out);
    pd_close(m[POLL].in);
    pd_close(m[POLL].out);
    free(m);
    server_stop_clean(&server, "pushd");
}
END_TEST

/* ---- Stalled readers -----------------------------------------------------------------
 */

#define LOAD_LINE_BYTES 1000  /* each loud line, to fill 64 KiB queues quickly */
#define LOAD_MAX_LINES  40000 /* 40 MB: far more than any socket buffers hold */
/* pushd caps the kernel's send buffer of a member's connection (pushd.c's
 * conn_limit_kernel_buffer), so a member that never reads is dropped after its 64
 * KiB queue and about as much in each kernel buffer: some 450 lines here. Without
 * the cap, Linux grows that buffer to 4 MiB on loopback, thousands of lines. */
#define DROPPED_WITHIN_LINES 2000

/* Read whatever a dropped connection still holds, up to its end: 1 if it ended
 * (EOF or reset) within the wait. */
static int ends(int fd)
{
    static char scratch[65536];
    long long deadline = now_ms() + pd_wait_ms();
    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        long long left = deadline - now_ms();
        if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
            return 0;
        ssize_t n = read(fd, scratch, sizeof scratch);
        if (n <= 0)
            return 1;
    }
}

/* 10 loud lines of about 1000 bytes from the raw client "load". */
static void send_load(struct pd_peer *load, int first)
{
    static char text[ROUND * (LOAD_LINE_BYTES + 1)];
    size_t at = 0;
    for (int k = first; k < first + ROUND; k++) {
        int n = snprintf(text + at, sizeof text - at, "from load %d ", k);
        memset(text + at + n, 'x', (size_t)(LOAD_LINE_BYTES - n));
        at += LOAD_LINE_BYTES;
        text[at++] = '\n';
    }
    pd_send(load, text, at);
}

START_TEST(stalled_readers_are_dropped_and_the_others_keep_up)
{
    pd_start(&server, NULL);
    struct member *m = calloc(MEMBERS, sizeof *m);
    ck_assert_ptr_nonnull(m);
    for (int i = 0; i < MEMBERS; i++)
        m[i].kind = (enum transport)i;
    char head[4096];
    /* Readers that keep up: raw (guest1), WebSocket (guest2), SSE (guest3). */
    m[RAW].in = pd_raw_join(server.port2, NULL);
    m[WS].ws = wsc_connect(server.port);
    ck_assert_int_eq(
        wsc_handshake(m[WS].ws, server.port, "/ws", NULL, 1, head, sizeof head), 101);
    join_session(&m[SSE]);
    open_events(&m[SSE]);
    /* Readers that never read: WebSocket (guest4) and SSE (guest5). */
    struct wsclient *stalled_ws = wsc_connect(server.port);
    ck_assert_ptr_nonnull(stalled_ws);
    ck_assert_int_eq(
        wsc_handshake(stalled_ws, server.port, "/ws", NULL, 1, head, sizeof head), 101);
    struct member stalled_sse = {.kind = SSE};
    join_session(&stalled_sse);
    open_events(&stalled_sse);
    /* The loud one (guest6), on the raw port. */
    struct pd_peer *load = pd_raw_join(server.port2, NULL);

    const unsigned both = 1u << 4 | 1u << 5;
    int sent = 0;
    while ((m[RAW].left & both) != both) {
        ck_assert_msg(sent < LOAD_MAX_LINES, "after %d lines, left: %#x", sent,
                      m[RAW].left);
        send_load(load, sent);
        sent += ROUND;
        for (int i = RAW; i <= SSE; i++)
            catch_up(&m[i], sent); /* every line, in order: take_line checks */
    }
    /* One more round: it follows both departures, so everyone has seen them. */
    send_load(load, sent);
    sent += ROUND;
    for (int i = RAW; i <= SSE; i++) {
        catch_up(&m[i], sent);
        ck_assert_msg((m[i].left & both) == both, "%s saw %#x leave", names[i],
                      m[i].left);
        ck_assert_int_eq(m[i].next[LOAD], sent);
    }
    ck_assert_msg(sent <= DROPPED_WITHIN_LINES,
                  "the stalled readers were dropped only after %d lines", sent);
    ck_assert_msg(ends(stalled_ws->fd), "the stalled WebSocket is still open");
    ck_assert_msg(ends(stalled_sse.in->fd), "the stalled event stream is still open");
    printf("bridge: stalled WebSocket and SSE readers dropped after %d lines of %d bytes;"
           " raw, WebSocket and SSE readers got every one\n",
           sent, LOAD_LINE_BYTES);

    wsc_close(stalled_ws);
    pd_close(stalled_sse.in);
    pd_close(stalled_sse.out);
    pd_close(load);
    pd_close(m[RAW].in);
    wsc_close(m[WS].ws);
    pd_close(m[SSE].in);
    pd_close(m[SSE].out);
    free(m);
    server_stop_clean(&server, "pushd");
}
END_TEST

START_TEST(a_large_file_to_a_stalled_reader_never_delays_the_room)
{
    /* 16 MiB: far more than the socket buffers between pushd and a reader hold. */
    char dir[64];
    make_temp_dir(dir);
    size_t size = 16u << 20;
    char *big = malloc(size);
    ck_assert_ptr_nonnull(big);
    memset(big, 'f', size);
    write_file(dir, "big.bin", big, size);
    free(big);
    const char *const args[] = {"-d", dir, NULL};
    pd_start(&server, args);

    struct pd_peer *stalled = pd_connect(server.port);
    pd_say(stalled, "GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    char head[4096];
    ck_assert_int_eq(pd_read_head(stalled, head, sizeof head), 200); /* then never read */

    struct member talker = {.kind = RAW}, listener = {.kind = WS};
    talker.in = pd_raw_join(server.port2, NULL);
    listener.ws = wsc_connect(server.port);
    ck_assert_ptr_nonnull(listener.ws);
    ck_assert_int_eq(
        wsc_handshake(listener.ws, server.port, "/ws", NULL, 1, head, sizeof head), 101);
    for (int first = 0; first < 100; first += ROUND) {
        send_round(&talker, first);
        catch_up(&listener, first + ROUND);
    }
    ck_assert_int_eq(listener.next[RAW], 100);

    pd_close(stalled);
    pd_close(talker.in);
    wsc_close(listener.ws);
    server_stop_clean(&server, "pushd");
    remove_tree(dir);
}
END_TEST

Suite *bridge_suite(void)
{
    Suite *s = suite_create("bridge");
    TCase *t = tcase_create("four transports");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, every_transport_gets_every_line_in_order);
    tcase_add_test(t, stalled_readers_are_dropped_and_the_others_keep_up);
    tcase_add_test(t, a_large_file_to_a_stalled_reader_never_delays_the_room);
    suite_add_tcase(s, t);
    return s;
}
