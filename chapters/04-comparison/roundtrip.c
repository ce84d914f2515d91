/* roundtrip.c: experiment 1, the same small exchange done three ways, timed.
 *
 *   ch1 close:      connect, send a GET, read the answer up to the server's close,
 *                   close; again for every request: one TCP connection each.
 *   ch2 keep-alive: one connection; send a GET, read exactly Content-Length bytes of
 *                   answer, send the next GET on the same connection.
 *   ch3 socket:     one chat connection; send "/who", read the "* online: ..." line
 *                   the server sends back (or, with --chat relay, send a line and wait
 *                   until a second client has it).
 *
 * Each exchange is timed from its first byte (ch1: from connect()) to the last byte
 * of its answer (ch1: the server's close; an HTTP/1.0 server closes after every
 * answer, and this client, like chapter 1's get, reads until it does). A few warm-up
 * exchanges go first and are not counted: the first ones pay for cold caches and page
 * faults in both programs. Beside the time, each style counts what the exchanges cost:
 * connections, payload bytes, and (on Linux) the TCP segments the kernel sent and
 * received for them.
 */
#include "compare.h"

#include "tool/run.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define WARMUP_EXCHANGES 20
#define WHO_ANSWER       "* online: "

/* Exchange i is over: keep its time, unless it was a warm-up. */
static int note_exchange(struct roundtrip_result *res, long i, long long started_us)
{
    if (i < WARMUP_EXCHANGES)
        return 0;
    res->exchanges++;
    return stats_add(&res->latency_ms, (double)(compare_now_us() - started_us) / 1000);
}

/* ---- ch1: a new connection for every request ------------------------------------- */

static int run_close(struct run *r, struct roundtrip_result *res)
{
    struct started_server *s = &r->servers[CH1];
    struct conn_answer answer;
    long total = WARMUP_EXCHANGES + r->opt.exchanges;
    long long start_us = 0;
    for (long i = 0; i < total && !run_stopping(r); i++) {
        if (i == WARMUP_EXCHANGES)
            start_us = compare_now_us();
        struct conn c;
        conn_init(&c);
        long long started = compare_now_us();
        if (conn_open(&c, s->host, s->port, res->why, sizeof res->why) < 0)
            return -1;
        /* HTTP/1.0: read the answer up to the server's close, as chapter 1's get does. */
        if (conn_get(&c, s->host, s->port, SMALL_FILE_PATH, 0, &answer,
                     io_now_ms() + ANSWER_TIMEOUT_MS, res->why, sizeof res->why) < 0) {
            conn_close(&c);
            return -1;
        }
        if (note_exchange(res, i, started) < 0)
            return -1;
        /* Untimed: close our side too, and let the kernel count the whole
         * connection, from SYN to the last ACK. */
        conn_hang_up(&c);
        if (i >= WARMUP_EXCHANGES) {
            res->connections++;
            res->sent += c.sent;
            res->received += c.received;
            res->segments = conn_segments_plus(res->segments, c.segments);
        }
        run_progress(r, "round trip: ch1 close", (double)i / (double)total);
    }
    res->total_s = (double)(compare_now_us() - start_us) / 1e6;
    return 0;
}

/* ---- ch2: one connection, many requests ------------------------------------------ */

static int run_keepalive(struct run *r, struct roundtrip_result *res)
{
    struct started_server *s = &r->servers[CH2];
    struct conn c;
    struct conn_answer answer;
    long total = WARMUP_EXCHANGES + r->opt.exchanges;
    long long start_us = 0, sent0 = 0, received0 = 0;
    long segments0 = 0;
    conn_init(&c);
    for (long i = 0; i < total && !run_stopping(r); i++) {
        if (i == WARMUP_EXCHANGES) { /* count from here: the warm-up's costs are out */
            start_us = compare_now_us();
            sent0 = c.sent;
            received0 = c.received;
            segments0 = conn_segments(&c);
            res->connections = c.fd >= 0 ? 1 : 0;
        }
        long long started = compare_now_us();
        /* Only a server we did not start may close on us (its -n or -t): then we
         * reconnect, and the count of connections says how often. */
        if (c.fd < 0) {
            if (conn_open(&c, s->host, s->port, res->why, sizeof res->why) < 0)
                return -1;
            res->connections += i >= WARMUP_EXCHANGES;
        }
        /* HTTP/1.1: the answer ends after Content-Length bytes; the connection stays. */
        if (conn_get(&c, s->host, s->port, SMALL_FILE_PATH, 1, &answer,
                     io_now_ms() + ANSWER_TIMEOUT_MS, res->why, sizeof res->why) < 0) {
            conn_close(&c);
            return -1;
        }
        if (note_exchange(res, i, started) < 0)
            return -1;
        if (answer.server_closes)
            conn_hang_up(&c);
        run_progress(r, "round trip: ch2 keep-alive", (double)i / (double)total);
    }
    res->total_s = (double)(compare_now_us() - start_us) / 1e6;
    res->sent = c.sent - sent0;
    res->received = c.received - received0;
    res->segments = conn_segments_since(conn_segments(&c), segments0);
    conn_close(&c);
    return 0;
}

/* ---- ch3: one chat socket -------------------------------------------------------- */

/* One exchange: /who and its answer, or a line relayed from `from` to `to`. */
static int chat_exchange(struct conn *from, struct conn *to, const char *from_nick,
                         long i, char *why, size_t why_size)
{
    char text[64], want[128];
    if (to == NULL) {
        if (conn_send(from, "/who\n", 5) < 0) {
            snprintf(why, why_size, "sending /who: %s", strerror(errno));
            return -1;
        }
        return conn_wait_for_line(from, WHO_ANSWER, 1, why, why_size);
    }
    int n = snprintf(text, sizeof text, "ping %ld\n", i);
    snprintf(want, sizeof want, "%s: ping %ld", from_nick, i);
    if (conn_send(from, text, (size_t)n) < 0) {
        snprintf(why, why_size, "sending a line: %s", strerror(errno));
        return -1;
    }
    return conn_wait_for_line(to, want, 0, why, why_size);
}

static int run_chat(struct run *r, struct roundtrip_result *res)
{
    struct conn asker, listener;
    char nick[64], other[64];
    int relay = r->opt.chat_relay;
    struct started_server *s = &r->servers[CH3];
    conn_init(&asker);
    conn_init(&listener);
    if (conn_join_chat(&asker, s->host, s->port, nick, sizeof nick, res->why,
                       sizeof res->why) < 0 ||
        (relay && conn_join_chat(&listener, s->host, s->port, other, sizeof other,
                                 res->why, sizeof res->why) < 0)) {
        conn_close(&asker);
        return -1;
    }
    struct conn *to = relay ? &listener : NULL;
    long total = WARMUP_EXCHANGES + r->opt.exchanges;
    long long start_us = 0, sent0 = 0, received0 = 0;
    long segments0 = 0;
    int rc = 0;
    for (long i = 0; i < total && rc == 0 && !run_stopping(r); i++) {
        if (i == WARMUP_EXCHANGES) {
            start_us = compare_now_us();
            sent0 = asker.sent + listener.sent;
            received0 = asker.received + listener.received;
            segments0 =
                conn_segments_plus(conn_segments(&asker), conn_segments(&listener));
        }
        long long started = compare_now_us();
        rc = chat_exchange(&asker, to, nick, i, res->why, sizeof res->why);
        if (rc == 0)
            rc = note_exchange(res, i, started);
        run_progress(r, "round trip: ch3 socket", (double)i / (double)total);
    }
    res->total_s = (double)(compare_now_us() - start_us) / 1e6;
    res->sent = asker.sent + listener.sent - sent0;
    res->received = asker.received + listener.received - received0;
    res->segments = conn_segments_since(
        conn_segments_plus(conn_segments(&asker), conn_segments(&listener)), segments0);
    res->connections = relay ? 2 : 1;
    conn_close(&asker);
    conn_close(&listener);
    return rc;
}

void experiment_roundtrip(struct run *r)
{
    int (*const runs[STYLE_COUNT])(struct run *, struct roundtrip_result *) = {
        run_close, run_keepalive, run_chat};
    for (int s = 0; s < STYLE_COUNT && !run_stopping(r); s++) {
        struct roundtrip_result *res = &r->roundtrip[s];
        stats_init(&res->latency_ms);
        if (!run_server_alive(r, s, res->why, sizeof res->why))
            continue;
        if (runs[s](r, res) < 0) {
            if (res->why[0] == '\0')
                snprintf(res->why, sizeof res->why, "%s", strerror(errno));
            run_failed(r, s, res->why, sizeof res->why);
        }
    }
}
