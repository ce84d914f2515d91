/* tool/tables.c: the tool around chapter 4's lesson, not the lesson. See tables.h. */
#include "tables.h"

#include "model.h"

#include <math.h>
#include <stdio.h>

struct row {
    const char *key, *label, *unit;
    int decimals;
};

static const char *const style_labels[STYLE_COUNT] = {"ch1 close", "ch2 keep-alive",
                                                      "ch3 socket"};
static const char *const style_keys[STYLE_COUNT] = {"ch1-close", "ch2-keepalive",
                                                    "ch3-socket"};

/* Chapter 5's columns, one per transport (enum web_transport's order). */
static const char *const web_labels[WEB_TRANSPORT_COUNT] = {"ch5 raw", "ch5 long poll",
                                                            "ch5 SSE", "ch5 WebSocket"};
static const char *const web_keys[WEB_TRANSPORT_COUNT] = {"ch5-raw", "ch5-longpoll",
                                                          "ch5-sse", "ch5-websocket"};

/* The ch5 transport a client of experiment 2 used. */
static enum web_transport web_transport_of(enum delivery_kind kind)
{
    return kind == DELIVERY_LONG_POLL   ? WEB_LONG_POLL
           : kind == DELIVERY_SSE       ? WEB_SSE
           : kind == DELIVERY_WEBSOCKET ? WEB_WEBSOCKET
                                        : WEB_RAW;
}

static struct report_table *new_table(struct report *report, const char *id,
                                      const char *title, const struct row *rows,
                                      size_t count)
{
    struct report_table *t = report_add_table(report, id, title);
    for (size_t i = 0; t != NULL && i < count; i++)
        report_add_row(t, rows[i].key, rows[i].label, rows[i].unit, rows[i].decimals);
    return t;
}

/* A count the kernel gave, or n/a (NaN) where it could not. */
static double counted(long segments, double per)
{
    return segments < 0 || per <= 0 ? NAN : (double)segments / per;
}

/* ---- Experiment 1 ---------------------------------------------------------------- */

static const struct row roundtrip_rows[] = {
    {"exchanges", "exchanges", "", 0},
    {"total_time", "total time", "s", 3},
    {"rate", "throughput", "exchanges/s", 0},
    {"latency_mean", "latency mean", "ms", 3},
    {"latency_p50", "latency p50", "ms", 3},
    {"latency_p90", "latency p90", "ms", 3},
    {"latency_p99", "latency p99", "ms", 3},
    {"latency_max", "latency max", "ms", 3},
    {"connections", "TCP connections opened", "", 0},
    {"bytes_sent", "payload bytes sent per exchange", "B", 1},
    {"bytes_received", "payload bytes received per exchange", "B", 1},
    {"segments", "TCP segments per exchange, counted", "", 2},
    {"segments_model", "TCP segments per exchange, model", "", 1},
    {"header_bytes_model", "TCP/IP header bytes per exchange, model", "B", 0},
    {"wire_bytes_model", "bytes on the wire per exchange, model", "B", 0},
};

static void roundtrip_column(struct report_table *t, int column,
                             struct roundtrip_result *res)
{
    struct summary sum;
    if (stats_summarize(&res->latency_ms, &sum) < 0)
        return;
    double n = (double)res->exchanges;
    double sent = (double)res->sent / n, received = (double)res->received / n;
    double segments = model_run_segments(res->exchanges, res->connections, sent, received,
                                         ETHERNET_MSS);
    double headers = model_header_bytes(segments, (double)res->connections);
    report_set(t, "exchanges", column, n);
    report_set(t, "total_time", column, res->total_s);
    report_set(t, "rate", column, res->total_s > 0 ? n / res->total_s : 0);
    report_set(t, "latency_mean", column, sum.mean);
    report_set(t, "latency_p50", column, sum.p50);
    report_set(t, "latency_p90", column, sum.p90);
    report_set(t, "latency_p99", column, sum.p99);
    report_set(t, "latency_max", column, sum.max);
    report_set(t, "connections", column, (double)res->connections);
    report_set(t, "bytes_sent", column, sent);
    report_set(t, "bytes_received", column, received);
    report_set(t, "segments", column, counted(res->segments, n));
    report_set(t, "segments_model", column, segments / n);
    report_set(t, "header_bytes_model", column, headers / n);
    report_set(t, "wire_bytes_model", column, sent + received + headers / n);
}

static void roundtrip_table(struct report *report, struct run *r)
{
    char title[128];
    snprintf(title, sizeof title, "Round trip: %ld small exchanges, three ways",
             r->opt.exchanges);
    struct report_table *t = new_table(report, "roundtrip", title, roundtrip_rows,
                                       sizeof roundtrip_rows / sizeof roundtrip_rows[0]);
    if (t == NULL)
        return;
    for (int s = 0; s < STYLE_COUNT; s++) {
        int column = report_add_column(t, style_keys[s], style_labels[s], "");
        if (r->roundtrip[s].why[0] != '\0')
            report_fail(t, column, "%s", r->roundtrip[s].why);
        else
            roundtrip_column(t, column, &r->roundtrip[s]);
    }
    long kept = r->roundtrip[CH2].connections;
    if (kept > 1)
        report_note(
            t,
            "ch1 GETs %s with HTTP/1.0 on a new connection each time and reads to "
            "the close; ch2 GETs it with HTTP/1.1 on a kept connection, and "
            "opened a new one each time the server closed it (its own -n or -t "
            "limit): %ld connections",
            SMALL_FILE_PATH, kept);
    else
        report_note(
            t,
            "ch1 GETs %s with HTTP/1.0 on a new connection each time and reads to "
            "the close; ch2 GETs it with HTTP/1.1 over one kept connection",
            SMALL_FILE_PATH);
    if (r->opt.chat_relay)
        report_note(t, "ch3 exchange: a line sent by one chat client, timed until a "
                       "second client has read it as \"NAME: text\" (two clients)");
    else
        report_note(t, "ch3 exchange: \"/who\" sent, timed until the server's "
                       "\"* online: ...\" answer to the asker has arrived (one client)");
    report_note(t, "latency: first byte out (ch1: connect()) to the last byte in (ch1: "
                   "the close); 20 warm-up exchanges per style not counted; percentiles "
                   "are nearest-rank");
    report_note(t, "counted: the TCP segments the kernel sent and received on the "
                   "client's sockets (getsockopt TCP_INFO, Linux 4.2 and later; n/a "
                   "elsewhere); ch1's include each connection's handshake and close");
    report_note(t,
                "model: %d bytes of IPv4+TCP header per segment (20+20+12 for "
                "timestamps) and %d on a SYN or SYN+ACK, MSS %d, every data segment "
                "ACKed on its own, handshake %d and close %d segments per connection: an "
                "upper bound, as delayed ACKs make real counts lower",
                TCP_IP_HEADER_BYTES, TCP_IP_HEADER_BYTES + TCP_SYN_EXTRA_BYTES,
                ETHERNET_MSS, TCP_HANDSHAKE_SEGMENTS, TCP_CLOSE_SEGMENTS);
}

/* ---- Experiment 2 ---------------------------------------------------------------- */

static const struct row push_rows[] = {
    {"events", "events published", "", 0},
    {"delivered", "events delivered", "", 0},
    {"delay_mean", "delay mean", "ms", 2},
    {"delay_p50", "delay p50", "ms", 2},
    {"delay_p99", "delay p99", "ms", 2},
    {"delay_max", "delay max", "ms", 2},
    {"expected_delay_model", "expected mean delay, model: P/2 + one way", "ms", 2},
    {"requests_per_event", "requests per event", "", 2},
    {"messages_per_event", "answers or messages received per event", "", 2},
    {"bytes_per_event", "payload bytes per event, both directions", "B", 0},
    {"segments_per_event", "TCP segments per event, counted", "", 2},
    {"wire_bytes_model", "bytes on the wire per event, model", "B", 0},
    {"empty_answers", "answers with nothing new", "%", 0},
    {"connections", "TCP connections", "", 0},
};

static void push_column(struct report_table *t, int column, long events,
                        struct delivery_result *res)
{
    struct summary sum;
    double n = (double)events, messages = (double)res->messages;
    int polling = res->kind == DELIVERY_SHORT_POLL;
    int asks = polling || res->kind == DELIVERY_LONG_POLL; /* its messages are answers */
    report_set(t, "events", column, n);
    report_set(t, "delivered", column, (double)res->delivered);
    if (stats_summarize(&res->delay_ms, &sum) == 0) {
        report_set(t, "delay_mean", column, sum.mean);
        report_set(t, "delay_p50", column, sum.p50);
        report_set(t, "delay_p99", column, sum.p99);
        report_set(t, "delay_max", column, sum.max);
    }
    if (polling && stats_summarize(&res->round_trip_ms, &sum) == 0)
        report_set(t, "expected_delay_model", column,
                   model_poll_delay_ms((double)res->interval_ms, sum.p50 / 2));
    if (events > 0) {
        double bytes = (double)(res->sent + res->received);
        report_set(t, "requests_per_event", column, asks ? messages / n : 0);
        report_set(t, "messages_per_event", column, messages / n);
        report_set(t, "bytes_per_event", column, bytes / n);
        report_set(t, "segments_per_event", column, counted(res->segments, n));
    }
    if (events > 0 && (!asks || res->messages > 0)) {
        /* Each message: its data segment(s) and an ACK for each, on a connection that
         * stays open (model.h). */
        double per = messages > 0 ? messages : 1;
        double segments = model_run_segments(res->messages, 0, (double)res->sent / per,
                                             (double)res->received / per, ETHERNET_MSS);
        report_set(
            t, "wire_bytes_model", column,
            ((double)(res->sent + res->received) + model_header_bytes(segments, 0)) / n);
    }
    if (!asks)
        report_set(t, "empty_answers", column, 0);
    else if (res->messages > 0)
        report_set(t, "empty_answers", column, 100.0 * (double)res->empty / messages);
    report_set(t, "connections", column, (double)res->connections);
}

static void push_table(struct report *report, struct run *r)
{
    char title[160], parameter[32];
    snprintf(title, sizeof title,
             "Server push vs polling: an event every %ld ms on average, for %ld s",
             r->opt.event_ms, r->opt.push_secs);
    struct report_table *t = new_table(report, "push", title, push_rows,
                                       sizeof push_rows / sizeof push_rows[0]);
    if (t == NULL)
        return;
    if (r->docroot[0] == '\0')
        report_note(t, "polling not measured: --ch2 was given without --docroot, so "
                       "compare cannot write the event file that server reads");
    else if (r->push_note[0] != '\0')
        report_note(t, "%s", r->push_note);
    for (int i = 0; i < r->delivery_count; i++) {
        struct delivery_result *res = &r->delivery[i];
        int column;
        if (res->kind == DELIVERY_PUSH) {
            column = report_add_column(t, "ch3-push", "ch3 push", "");
        } else if (res->kind == DELIVERY_SHORT_POLL) {
            snprintf(parameter, sizeof parameter, "P=%ldms", res->interval_ms);
            column = report_add_column(t, "ch2-poll", "ch2 poll", parameter);
        } else {
            enum web_transport w = web_transport_of(res->kind);
            column = report_add_column(t, web_keys[w], web_labels[w], "");
        }
        if (res->why[0] != '\0')
            report_fail(t, column, "%s", res->why);
        else
            push_column(t, column, r->events, res);
    }
    report_note(t,
                "events at random moments, %ld to %ld ms apart; delay: from the event's "
                "stamp to the moment the client has read it",
                r->opt.event_ms / 2, r->opt.event_ms * 3 / 2);
    report_note(t, "push: a second chat client sends each event, and chatd relays it to "
                   "the reader: two hops, so the delay includes one trip that an event "
                   "made inside the server would not pay; its bytes and segments are the "
                   "reader's connection's");
    report_note(t,
                "poll: short polling, GET %s every P ms on a kept connection; requests, "
                "bytes and segments count the polls made while events were published; "
                "the model's expected delay uses half the measured median round trip as "
                "the one-way trip",
                EVENT_FILE_PATH);
    if (r->web)
        report_note(t, "ch5: a third chat client sends each event to pushd's chat "
                       "port; in its room a chat client (raw), a long poller (GET /poll, "
                       "asked again after each answer), an event stream and a WebSocket "
                       "read it; bytes and segments from the first event until each had "
                       "the last");
    else
        report_note(t, "ch5 not measured: chapter 5's pushd is not built (make ch5)");
    report_note(t, "counted and model: as in table 1");
}

/* ---- Experiment 3 ---------------------------------------------------------------- */

static const struct row idle_rows[] = {
    {"connections", "idle connections opened", "", 0},
    {"held", "connections the server holds", "", 0},
    {"processes", "server processes", "", 0},
    {"fds_before", "server descriptors before", "", 0},
    {"fds_after", "server descriptors after", "", 0},
    {"rss_before", "server memory (RSS) before", "KiB", 0},
    {"rss_after", "server memory (RSS) after", "KiB", 0},
    {"rss_per_connection", "RSS added per connection", "KiB", 1},
    {"pss_per_connection", "PSS added per connection", "KiB", 1},
    {"open_time", "time to open them all", "ms", 1},
};

/* after - before; NaN (printed n/a) when this system could not tell us either. */
static double difference(long after, long before)
{
    return after < 0 || before < 0 ? NAN : (double)(after - before);
}

static double known(long value)
{
    return value < 0 ? NAN : (double)value;
}

static void idle_column(struct report_table *t, int column, const struct idle_result *res)
{
    const struct usage *before = &res->before, *after = &res->after;
    double workers = after->processes < 0 ? NAN : (double)(after->processes - 1);
    double count = (double)res->count;
    report_set(t, "connections", column, count);
    report_set(t, "held", column,
               res->style == CH2 ? workers : difference(after->fds, before->fds));
    report_set(t, "processes", column, known(after->processes));
    report_set(t, "fds_before", column, known(before->fds));
    report_set(t, "fds_after", column, known(after->fds));
    report_set(t, "rss_before", column, known(before->rss_kb));
    report_set(t, "rss_after", column, known(after->rss_kb));
    report_set(t, "rss_per_connection", column,
               difference(after->rss_kb, before->rss_kb) / count);
    report_set(t, "pss_per_connection", column,
               difference(after->pss_kb, before->pss_kb) / count);
    report_set(t, "open_time", column, res->open_ms);
}

static void idle_table(struct report *report, const struct run *r)
{
    struct report_table *t =
        new_table(report, "idle",
                  "Idle cost: C quiet connections held open, seen from "
                  "the server",
                  idle_rows, sizeof idle_rows / sizeof idle_rows[0]);
    if (t == NULL)
        return;
    for (int i = 0; i < r->idle_count; i++) {
        const struct idle_result *res = &r->idle[i];
        int web = res->style == CH5;
        const char *label = web ? web_labels[res->transport] : style_labels[res->style];
        const char *key = web ? web_keys[res->transport] : style_keys[res->style];
        char parameter[32];
        if (res->given) {
            report_note(t,
                        "%s not measured: it was given with --ch%d, and compare can look "
                        "only at servers it started",
                        label, res->style + 1);
            continue;
        }
        if (res->count < res->asked && !(web && res->transport != WEB_RAW))
            report_note(t, "%s: C=%ld capped to %ld by %s", web ? "ch5" : label,
                        res->asked, res->count, res->cap_reason);
        snprintf(parameter, sizeof parameter, "C=%ld", res->count);
        int column = report_add_column(t, key, label, parameter);
        if (res->why[0] != '\0')
            report_fail(t, column, "%s", res->why);
        else
            idle_column(t, column, res);
    }
    report_note(t, "ch1 closes after every answer, so it holds none, whatever C is; "
                   "clients that arrive while it is busy wait in the kernel's listen "
                   "queue, not in the server");
    report_note(t, "held: ch2 counts its worker processes, one per connection; ch1 and "
                   "ch3 count descriptors added. ch2's numbers add up the parent and "
                   "every worker");
    if (r->web)
        report_note(t,
                    "ch5: members of pushd's room, one transport at a time, at the "
                    "largest C (at most %d): chat port clients, long pollers with a "
                    "parked poll, event streams, WebSockets. A session (long poll, "
                    "SSE) also keeps the lines it was sent (the join notices)",
                    WEB_IDLE_MAX);
    report_note(t, "RSS counts pages shared by forked workers once per process; PSS "
                   "divides them among the sharers (Linux /proc/PID/smaps_rollup). "
                   "Kernel socket buffers are not in either");
}

void tables_fill(struct report *report, struct run *r)
{
    if (r->opt.experiments & EXPERIMENT_ROUNDTRIP)
        roundtrip_table(report, r);
    if (r->opt.experiments & EXPERIMENT_PUSH)
        push_table(report, r);
    if (r->opt.experiments & EXPERIMENT_IDLE)
        idle_table(report, r);
}
