/* roundtrip.c: experiment 1, the same small exchange done three ways.
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
 * of its answer (ch1: the server's close, which is how an HTTP/1.0 client knows the
 * answer is complete). A few warm-up exchanges go first and are not counted: the
 * first ones pay for cold caches and page faults in both programs.
 */
#include "client.h"
#include "compare.h"
#include "model.h"
#include "stats.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define WARMUP_EXCHANGES 20
#define CHAT_LINE_MAX    4096
#define WHO_ANSWER       "* online: "
#define WELCOME_PREFIX   "* welcome to chatd, you are "

/* What one style's run measured. */
struct tally {
    struct sample latency_ms;
    long exchanges;
    long connections; /* TCP connections that carried measured exchanges */
    long long sent, received;
    double total_s;
};

static const char *const rows[][3] = {
    /* key, label, unit */
    {"exchanges", "exchanges", ""},
    {"total_time", "total time", "s"},
    {"rate", "throughput", "exchanges/s"},
    {"latency_mean", "latency mean", "ms"},
    {"latency_p50", "latency p50", "ms"},
    {"latency_p90", "latency p90", "ms"},
    {"latency_p99", "latency p99", "ms"},
    {"latency_max", "latency max", "ms"},
    {"connections", "TCP connections opened", ""},
    {"bytes_sent", "payload bytes sent per exchange", "B"},
    {"bytes_received", "payload bytes received per exchange", "B"},
    {"segments_estimate", "TCP segments per exchange, estimate", ""},
    {"header_bytes_estimate", "TCP/IP header bytes per exchange, estimate", "B"},
    {"wire_bytes_estimate", "bytes on the wire per exchange, estimate", "B"},
};
static const int row_decimals[] = {0, 3, 0, 3, 3, 3, 3, 3, 0, 1, 1, 1, 0, 0};

static int note_exchange(struct tally *t, long i, long long started_us)
{
    if (i < WARMUP_EXCHANGES)
        return 0;
    t->exchanges++;
    return sample_add(&t->latency_ms, (double)(clock_us() - started_us) / 1000);
}

/* ---- ch1: a new connection for every request ------------------------------------- */

static int one_close_exchange(struct server *s, struct conn *c, char *why,
                              size_t why_size)
{
    struct http_answer answer;
    conn_init(c);
    if (conn_open(c, s->host, s->port, why, why_size) < 0)
        return -1;
    int rc = http_send_get(c, s->host, s->port, SMALL_FILE_PATH, 0);
    if (rc == 0)
        rc = http_read_answer(c, 1, &answer, io_now_ms() + ANSWER_TIMEOUT_MS);
    conn_close(c);
    if (rc != 0) {
        snprintf(why, why_size, "GET %s: %s", SMALL_FILE_PATH, conn_error(rc));
        return -1;
    }
    if (answer.status != 200) {
        snprintf(why, why_size, "GET %s: status %d", SMALL_FILE_PATH, answer.status);
        return -1;
    }
    return 0;
}

static int run_close(struct run *r, struct tally *t, char *why, size_t why_size)
{
    long total = WARMUP_EXCHANGES + r->opt.exchanges;
    long long start_us = 0;
    for (long i = 0; i < total && !run_stopping(r); i++) {
        if (i == WARMUP_EXCHANGES)
            start_us = clock_us();
        struct conn c;
        long long started = clock_us();
        if (one_close_exchange(&r->servers[CH1], &c, why, why_size) < 0)
            return -1;
        if (note_exchange(t, i, started) < 0)
            return -1;
        if (i >= WARMUP_EXCHANGES) {
            t->connections++;
            t->sent += c.sent;
            t->received += c.received;
        }
        progress(r, "round trip: ch1 close", (double)i / (double)total);
    }
    t->total_s = (double)(clock_us() - start_us) / 1e6;
    return 0;
}

/* ---- ch2: one connection, many requests ------------------------------------------ */

static int run_keepalive(struct run *r, struct tally *t, char *why, size_t why_size)
{
    struct server *s = &r->servers[CH2];
    struct conn c;
    struct http_answer answer;
    long total = WARMUP_EXCHANGES + r->opt.exchanges;
    long long start_us = 0, sent_before = 0, received_before = 0;
    conn_init(&c);
    for (long i = 0; i < total && !run_stopping(r); i++) {
        if (i == WARMUP_EXCHANGES) {
            start_us = clock_us();
            sent_before = c.sent;
            received_before = c.received;
            t->connections = c.fd >= 0 ? 1 : 0;
        }
        long long started = clock_us();
        /* Only a server we did not start may close on us (its -n or -t): then we
         * reconnect, and the count of connections says how often. */
        if (c.fd < 0) {
            if (conn_open(&c, s->host, s->port, why, why_size) < 0)
                return -1;
            if (i >= WARMUP_EXCHANGES)
                t->connections++;
        }
        int rc = http_send_get(&c, s->host, s->port, SMALL_FILE_PATH, 1);
        if (rc == 0)
            rc = http_read_answer(&c, 0, &answer, io_now_ms() + ANSWER_TIMEOUT_MS);
        if (rc == 0 && answer.status != 200) {
            snprintf(why, why_size, "GET %s: status %d", SMALL_FILE_PATH, answer.status);
            rc = -1;
        } else if (rc != 0) {
            snprintf(why, why_size, "GET %s: %s", SMALL_FILE_PATH, conn_error(rc));
        }
        if (rc != 0 || answer.server_closes)
            conn_close(&c);
        if (rc != 0 || note_exchange(t, i, started) < 0)
            return -1;
        progress(r, "round trip: ch2 keep-alive", (double)i / (double)total);
    }
    t->total_s = (double)(clock_us() - start_us) / 1e6;
    t->sent = c.sent - sent_before;
    t->received = c.received - received_before;
    conn_close(&c);
    return 0;
}

/* ---- ch3: one chat socket -------------------------------------------------------- */

/* Join the chat: connect, and read the welcome line, which holds our name. */
static int join_chat(struct server *s, struct conn *c, char *nick, size_t nick_size,
                     char *why, size_t why_size)
{
    char line[CHAT_LINE_MAX];
    conn_init(c);
    if (conn_open(c, s->host, s->port, why, why_size) < 0)
        return -1;
    long rc = conn_read_line(c, line, sizeof line, io_now_ms() + ANSWER_TIMEOUT_MS);
    if (rc < 0 || strncmp(line, WELCOME_PREFIX, strlen(WELCOME_PREFIX)) != 0) {
        snprintf(why, why_size, "no welcome from the chat server: %.120s",
                 rc < 0 ? conn_error(rc) : line);
        return -1;
    }
    const char *name = line + strlen(WELCOME_PREFIX);
    snprintf(nick, nick_size, "%.*s", (int)strcspn(name, ";"), name);
    return 0;
}

/* Read lines until one equals want (or, with prefix_only, starts with it). Other
 * lines ("* guest3 joined") are part of a chat, and skipped. */
static int wait_for_line(struct conn *c, const char *want, int prefix_only, char *why,
                         size_t why_size)
{
    char line[CHAT_LINE_MAX];
    size_t want_length = strlen(want);
    for (;;) {
        long rc = conn_read_line(c, line, sizeof line, io_now_ms() + ANSWER_TIMEOUT_MS);
        if (rc < 0) {
            snprintf(why, why_size, "waiting for \"%s\": %s", want, conn_error(rc));
            return -1;
        }
        if (prefix_only ? strncmp(line, want, want_length) == 0 : strcmp(line, want) == 0)
            return 0;
    }
}

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
        return wait_for_line(from, WHO_ANSWER, 1, why, why_size);
    }
    int n = snprintf(text, sizeof text, "ping %ld\n", i);
    snprintf(want, sizeof want, "%s: ping %ld", from_nick, i);
    if (conn_send(from, text, (size_t)n) < 0) {
        snprintf(why, why_size, "sending a line: %s", strerror(errno));
        return -1;
    }
    return wait_for_line(to, want, 0, why, why_size);
}

static int run_chat(struct run *r, struct tally *t, char *why, size_t why_size)
{
    struct conn asker, listener;
    char nick[64], other[64];
    int relay = r->opt.chat_relay;
    struct server *s = &r->servers[CH3];
    conn_init(&listener);
    if (join_chat(s, &asker, nick, sizeof nick, why, why_size) < 0 ||
        (relay && join_chat(s, &listener, other, sizeof other, why, why_size) < 0)) {
        conn_close(&asker);
        return -1;
    }
    struct conn *to = relay ? &listener : NULL;
    long total = WARMUP_EXCHANGES + r->opt.exchanges;
    long long start_us = 0;
    int rc = 0;
    for (long i = 0; i < total && rc == 0 && !run_stopping(r); i++) {
        if (i == WARMUP_EXCHANGES) {
            start_us = clock_us();
            t->sent = -(asker.sent + listener.sent);
            t->received = -(asker.received + listener.received);
        }
        long long started = clock_us();
        rc = chat_exchange(&asker, to, nick, i, why, why_size);
        if (rc == 0)
            rc = note_exchange(t, i, started);
        progress(r, "round trip: ch3 socket", (double)i / (double)total);
    }
    t->total_s = (double)(clock_us() - start_us) / 1e6;
    t->sent += asker.sent + listener.sent;
    t->received += asker.received + listener.received;
    t->connections = relay ? 2 : 1;
    conn_close(&asker);
    conn_close(&listener);
    return rc;
}

/* ---- The table ------------------------------------------------------------------- */

static void fill_column(struct report_table *table, int column, struct tally *t)
{
    struct summary sum;
    if (stats_summarize(&t->latency_ms, &sum) < 0)
        return;
    double n = (double)t->exchanges;
    double sent = (double)t->sent / n, received = (double)t->received / n;
    double segments =
        model_run_segments(t->exchanges, t->connections, sent, received, ETHERNET_MSS) /
        n;
    table_set(table, "exchanges", column, n);
    table_set(table, "total_time", column, t->total_s);
    table_set(table, "rate", column, t->total_s > 0 ? n / t->total_s : 0);
    table_set(table, "latency_mean", column, sum.mean);
    table_set(table, "latency_p50", column, sum.p50);
    table_set(table, "latency_p90", column, sum.p90);
    table_set(table, "latency_p99", column, sum.p99);
    table_set(table, "latency_max", column, sum.max);
    table_set(table, "connections", column, (double)t->connections);
    table_set(table, "bytes_sent", column, sent);
    table_set(table, "bytes_received", column, received);
    table_set(table, "segments_estimate", column, segments);
    table_set(table, "header_bytes_estimate", column, segments * TCP_IP_HEADER_BYTES);
    table_set(table, "wire_bytes_estimate", column,
              sent + received + segments * TCP_IP_HEADER_BYTES);
}

void experiment_roundtrip(struct run *r, struct report *report)
{
    char title[128];
    snprintf(title, sizeof title, "Round trip: %ld small exchanges, three ways",
             r->opt.exchanges);
    struct report_table *table = report_add_table(report, "roundtrip", title);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        table_add_row(table, rows[i][0], rows[i][1], rows[i][2], row_decimals[i]);

    int (*const runs[STYLE_COUNT])(struct run *, struct tally *, char *,
                                   size_t) = {run_close, run_keepalive, run_chat};
    for (int s = 0; s < STYLE_COUNT && !run_stopping(r); s++) {
        int column = table_add_column(table, style_key(s), style_label(s), "");
        struct tally t = {0};
        char why[512] = "";
        sample_init(&t.latency_ms);
        if (server_ready(r, s, table, column)) {
            if (runs[s](r, &t, why, sizeof why) < 0)
                column_failed(r, s, table, column, why[0] ? why : strerror(errno));
            else
                fill_column(table, column, &t);
        }
        sample_free(&t.latency_ms);
    }

    table_note(table,
               "ch1 GETs %s with HTTP/1.0 on a new connection each time and reads to the "
               "close; ch2 GETs it with HTTP/1.1 over one kept connection",
               SMALL_FILE_PATH);
    if (r->opt.chat_relay)
        table_note(table, "ch3 exchange: a line sent by one chat client, timed until a "
                          "second client has read it as \"NAME: text\" (two clients)");
    else
        table_note(table,
                   "ch3 exchange: \"/who\" sent, timed until the server's "
                   "\"* online: ...\" answer to the asker has arrived (one client)");
    table_note(table,
               "latency: first byte out (ch1: connect()) to the last byte in (ch1: the "
               "close); %d warm-up exchanges per style not counted; percentiles are "
               "nearest-rank",
               WARMUP_EXCHANGES);
    table_note(table,
               "estimate: %d bytes of IPv4+TCP header per segment (20+20+12 for "
               "timestamps), MSS %d, every data segment ACKed on its own, handshake %d "
               "and close %d segments per connection; delayed ACKs can make real counts "
               "lower",
               TCP_IP_HEADER_BYTES, ETHERNET_MSS, TCP_HANDSHAKE_SEGMENTS,
               TCP_CLOSE_SEGMENTS);
}
