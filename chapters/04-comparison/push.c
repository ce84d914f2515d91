/* push.c: experiment 2, news from the server side: pushed, or found by polling.
 *
 * Something happens on the server side every E ms on average (a message, a price, a
 * goal), at random moments. Each event is stamped with the time it was made and
 * published two ways at once:
 *
 *   push (ch3): a chat client, the publisher, sends "event K STAMP" to the chat
 *               server, which relays it at once to our subscriber, a chat client that
 *               only reads. Nobody asks; the news just arrives.
 *   poll (ch2): the event is written to event.txt in chapter 2's document root.
 *               A polling client GETs that file every P ms over a kept connection and
 *               looks whether the event number has changed. Several pollers run at
 *               once, one per interval P.
 *
 * For each event and each client we record the delay from the stamp to the moment the
 * client has read it, and we count what the client spent: requests, answers, bytes.
 * A poller that asks less often than events happen sees only the newest one; it
 * learns of every event up to that one at once, and each is counted with its own delay.
 *
 * One process, one thread: poll() watches the subscriber and every poller waiting for
 * an answer, and wakes up for the next event or the next poll, whichever comes first.
 */
#include "client.h"
#include "compare.h"
#include "model.h"
#include "options.h"
#include "stats.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EVENT_TEMP_PATH   "/.event.tmp" /* written, then renamed over event.txt */
#define NO_EVENT_TEXT     "no event yet\n"
#define EVENT_LINE_MAX    256
#define CATCH_UP_GRACE_MS 2000 /* after the last event: time to deliver it everywhere */
#define RANDOM_SEED       0x9E3779B97F4A7C15ULL
#define WELCOME_PREFIX    "* welcome to chatd"

struct events {
    long count; /* published so far: events 0 .. count-1 */
    long capacity;
    long long *file_stamp_us; /* when each was written to event.txt */
    long long next_us;        /* when the next one is due */
    unsigned long long random_state;
};

/* The push client: it reads, and never asks. */
struct subscriber {
    struct conn conn;
    long last_seen; /* newest event number read, -1 before any */
    long delivered;
    long messages;
    long long received_before; /* byte count when publishing began */
    struct sample delay_ms;
    char why[256]; /* not empty: it failed */
};

/* A polling client: it asks every interval_ms. */
struct poller {
    long interval_ms;
    int column;
    struct conn conn;
    int waiting;                            /* a request is out */
    long long next_poll_us;                 /* when to ask next */
    long long sent_us;                      /* when the outstanding request left */
    long long sent_at_ask, received_at_ask; /* the byte counts when it left */
    int counts; /* it left while events were being published */
    long last_seen;
    long polls, empty;        /* requests during publishing, and those with no news */
    long long sent, received; /* bytes of those requests, and of their answers */
    long connections;
    struct sample delay_ms, round_trip_ms;
    char why[256];
};

struct push_run {
    struct run *run;
    struct events events;
    long long publish_end_us;
    struct conn publisher; /* the chat client that makes the events */
    int can_push;
    struct subscriber sub;
    struct poller pollers[MAX_POLL_INTERVALS];
    int poller_count;
    int push_column;
};

/* ---- Events ---------------------------------------------------------------------- */

/* xorshift64*: a small pseudo-random generator, seeded the same every run, so two runs
 * see the same pattern of event times. */
static unsigned long long next_random(unsigned long long *state)
{
    unsigned long long x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* Events come at random moments, E ms apart on average (uniformly E/2 to 3E/2). Were
 * they exactly periodic, a poller with an interval that divides E would always ask at
 * the same moment after each event, and measure a fixed delay instead of P/2. */
static long long random_gap_us(struct push_run *p)
{
    long long mean = (long long)p->run->opt.event_ms * 1000;
    return mean / 2 + (long long)(next_random(&p->events.random_state) %
                                  (unsigned long long)(mean + 1));
}

/* Write the whole file under another name, then rename() it into place: rename is
 * atomic, so the server opens either the old file or the new one, never half of one. */
static int write_event_file(const char *docroot, const char *text, size_t length)
{
    char temp[PATH_MAX + 32], path[PATH_MAX + 32];
    snprintf(temp, sizeof temp, "%s%s", docroot, EVENT_TEMP_PATH);
    snprintf(path, sizeof path, "%s%s", docroot, EVENT_FILE_PATH);
    int fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    int ok = io_write_all(fd, text, length, -1) >= 0;
    if (close(fd) < 0)
        ok = 0;
    return ok && rename(temp, path) == 0 ? 0 : -1;
}

/* Make event k: into the file (for the pollers), then to the chat (for push). Each
 * carries the moment it was made available that way. */
static int publish(struct push_run *p)
{
    struct events *e = &p->events;
    char text[EVENT_LINE_MAX];
    long k = e->count;
    if (k == e->capacity)
        return -1;
    long long stamp = clock_us();
    int n = snprintf(text, sizeof text, "event %ld %lld\n", k, stamp);
    if (p->run->docroot[0] != '\0' &&
        write_event_file(p->run->docroot, text, (size_t)n) < 0) {
        fprintf(stderr, "compare: writing %s: %s\n", EVENT_FILE_PATH, strerror(errno));
        return -1;
    }
    e->file_stamp_us[k] = stamp;
    e->count++;
    if (p->can_push) {
        n = snprintf(text, sizeof text, "event %ld %lld\n", k, clock_us());
        if (conn_send(&p->publisher, text, (size_t)n) < 0) {
            snprintf(p->sub.why, sizeof p->sub.why, "publishing client: %s",
                     strerror(errno));
            p->can_push = 0;
        }
    }
    e->next_us += random_gap_us(p);
    return 0;
}

/* ---- The push client ------------------------------------------------------------- */

static int join(struct server *s, struct conn *c, char *why, size_t why_size)
{
    char line[EVENT_LINE_MAX];
    conn_init(c);
    if (conn_open(c, s->host, s->port, why, why_size) < 0)
        return -1;
    long rc = conn_read_line(c, line, sizeof line, io_now_ms() + ANSWER_TIMEOUT_MS);
    if (rc < 0 || strncmp(line, WELCOME_PREFIX, strlen(WELCOME_PREFIX)) != 0) {
        snprintf(why, why_size, "no welcome from the chat server: %.120s",
                 rc < 0 ? conn_error(rc) : line);
        conn_close(c);
        return -1;
    }
    return 0;
}

/* "event K STAMP", the text both kinds of client receive: K the event's number, STAMP
 * when it was made (microseconds, clock_us). Returns 0, or -1 for any other text. */
static int parse_event(const char *text, long *k, long long *stamp)
{
    static const char prefix[] = "event ";
    if (strncmp(text, prefix, sizeof prefix - 1) != 0)
        return -1;
    const char *cursor = text + sizeof prefix - 1;
    long long number;
    if (option_scan_number(&cursor, &number) < 0 || number < 0 || number > LONG_MAX ||
        option_scan_number(&cursor, stamp) < 0)
        return -1;
    *k = (long)number;
    return 0;
}

/* The socket is readable: read once, and take every complete line. A relayed event
 * looks like "guest2: event 17 123456789"; other lines ("* guest2 joined") are not
 * events. */
static void subscriber_read(struct subscriber *sub)
{
    ssize_t n = io_reader_fill(&sub->conn.reader, -1);
    if (n <= 0) {
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            return;
        snprintf(sub->why, sizeof sub->why, "push client: %s",
                 conn_error(n == 0 ? CONN_EOF : -1));
        conn_close(&sub->conn);
        return;
    }
    long long now = clock_us();
    char line[EVENT_LINE_MAX];
    while (conn_take_line(&sub->conn, line, sizeof line) >= 0) {
        const char *event = strstr(line, ": event ");
        long k;
        long long stamp;
        if (event == NULL || parse_event(event + 2, &k, &stamp) < 0)
            continue;
        sub->messages++;
        if (k > sub->last_seen) {
            sub->last_seen = k;
            sub->delivered++;
            sample_add(&sub->delay_ms, (double)(now - stamp) / 1000);
        }
    }
}

/* ---- The polling clients --------------------------------------------------------- */

static void poller_fail(struct poller *q, const char *what, long rc)
{
    snprintf(q->why, sizeof q->why, "%s: %s", what, conn_error(rc));
    conn_close(&q->conn);
}

static void poller_ask(struct push_run *p, struct poller *q, long long now)
{
    struct server *s = &p->run->servers[CH2];
    if (q->conn.fd < 0) {
        char why[256];
        if (conn_open(&q->conn, s->host, s->port, why, sizeof why) < 0) {
            snprintf(q->why, sizeof q->why, "%s", why);
            return;
        }
        q->connections++;
    }
    q->counts = now < p->publish_end_us;
    q->sent_at_ask = q->conn.sent;
    q->received_at_ask = q->conn.received;
    q->sent_us = now;
    if (http_send_get(&q->conn, s->host, s->port, EVENT_FILE_PATH, 1) < 0) {
        poller_fail(q, "sending a GET", -1);
        return;
    }
    q->waiting = 1;
    /* A steady rhythm: every interval, whatever the answers took. */
    while (q->next_poll_us <= now)
        q->next_poll_us += q->interval_ms * 1000;
}

/* An answer is arriving: read it, and see whether it brings news. */
static void poller_read(struct push_run *p, struct poller *q)
{
    struct http_answer answer;
    int rc = http_read_answer(&q->conn, 0, &answer, io_now_ms() + ANSWER_TIMEOUT_MS);
    long long now = clock_us();
    q->waiting = 0;
    if (rc != 0 || answer.status != 200) {
        if (rc == 0)
            snprintf(q->why, sizeof q->why, "GET %s: status %d", EVENT_FILE_PATH,
                     answer.status);
        else
            poller_fail(q, "reading an answer", rc);
        return;
    }
    sample_add(&q->round_trip_ms, (double)(now - q->sent_us) / 1000);
    if (q->counts) {
        q->polls++;
        q->sent += q->conn.sent - q->sent_at_ask;
        q->received += q->conn.received - q->received_at_ask;
    }
    if (answer.server_closes)
        conn_close(&q->conn); /* a server we did not start; poller_ask reconnects */
    long k;
    long long stamp;
    if (parse_event(answer.body, &k, &stamp) < 0 || k <= q->last_seen ||
        k >= p->events.count) {
        q->empty += q->counts;
        return;
    }
    /* Every event since the last one we saw reached us now, each after its own wait. */
    for (long j = q->last_seen + 1; j <= k; j++)
        sample_add(&q->delay_ms, (double)(now - p->events.file_stamp_us[j]) / 1000);
    q->last_seen = k;
}

/* ---- The loop -------------------------------------------------------------------- */

static int poller_active(const struct poller *q)
{
    return q->why[0] == '\0';
}

/* Everyone still working has the newest event. */
static int all_caught_up(const struct push_run *p)
{
    long newest = p->events.count - 1;
    if (p->sub.why[0] == '\0' && p->sub.last_seen < newest)
        return 0;
    for (int i = 0; i < p->poller_count; i++) {
        const struct poller *q = &p->pollers[i];
        if (poller_active(q) && (q->waiting || q->last_seen < newest))
            return 0;
    }
    return 1;
}

static long long earlier(long long a, long long b)
{
    return a < b ? a : b;
}

static void ask_due_pollers(struct push_run *p, long long now)
{
    for (int i = 0; i < p->poller_count; i++) {
        struct poller *q = &p->pollers[i];
        /* After publishing ends, a poller that has everything stops asking. */
        int needed = now < p->publish_end_us || q->last_seen < p->events.count - 1;
        if (poller_active(q) && !q->waiting && needed && now >= q->next_poll_us)
            poller_ask(p, q, now);
    }
}

/* Sleep in poll() until a socket has something, or the next event or poll is due. */
static int wait_and_read(struct push_run *p, long long now, long long wake)
{
    struct pollfd fds[1 + MAX_POLL_INTERVALS];
    struct poller *owner[1 + MAX_POLL_INTERVALS];
    nfds_t count = 0;
    if (p->sub.why[0] == '\0') {
        fds[count] = (struct pollfd){.fd = p->sub.conn.fd, .events = POLLIN};
        owner[count++] = NULL;
    }
    for (int i = 0; i < p->poller_count; i++) {
        struct poller *q = &p->pollers[i];
        if (poller_active(q) && q->waiting) {
            fds[count] = (struct pollfd){.fd = q->conn.fd, .events = POLLIN};
            owner[count++] = q;
        } else if (poller_active(q)) {
            wake = earlier(wake, q->next_poll_us);
        }
    }
    long long wait_us = wake > now ? wake - now : 0;
    int ready = poll(fds, count, (int)((wait_us + 999) / 1000));
    if (ready < 0)
        return errno == EINTR ? 0 : -1;
    for (nfds_t i = 0; i < count; i++) {
        if (fds[i].revents == 0)
            continue;
        if (owner[i] == NULL)
            subscriber_read(&p->sub);
        else
            poller_read(p, owner[i]);
    }
    return 0;
}

static void run_loop(struct push_run *p)
{
    const struct options *o = &p->run->opt;
    long long start = clock_us();
    long slowest = 0;
    for (int i = 0; i < p->poller_count; i++) {
        struct poller *q = &p->pollers[i];
        /* Start each poller at a random point of its interval. */
        q->next_poll_us =
            start + (long long)(next_random(&p->events.random_state) %
                                (unsigned long long)(q->interval_ms * 1000));
        if (q->interval_ms > slowest)
            slowest = q->interval_ms;
    }
    p->publish_end_us = start + (long long)o->push_secs * 1000000;
    long long give_up = p->publish_end_us + (slowest + CATCH_UP_GRACE_MS) * 1000LL;
    p->events.next_us = start + random_gap_us(p);
    p->sub.received_before = p->sub.conn.received;

    while (!run_stopping(p->run)) {
        long long now = clock_us();
        int publishing = now < p->publish_end_us;
        if (now >= give_up || (!publishing && all_caught_up(p)))
            return;
        if (publishing && now >= p->events.next_us) {
            if (publish(p) < 0)
                return;
            continue;
        }
        ask_due_pollers(p, now);
        long long wake =
            publishing ? earlier(p->events.next_us, p->publish_end_us) : give_up;
        if (wait_and_read(p, now, wake) < 0)
            return;
        progress(p->run, "push vs polling",
                 (double)(now - start) / (double)(give_up - start));
    }
}

/* ---- Setting up, and the table --------------------------------------------------- */

static const char *const rows[][3] = {
    {"events", "events published", ""},
    {"delivered", "events delivered", ""},
    {"delay_mean", "delay mean", "ms"},
    {"delay_p50", "delay p50", "ms"},
    {"delay_p99", "delay p99", "ms"},
    {"delay_max", "delay max", "ms"},
    {"expected_delay", "expected mean delay, P/2 + one way", "ms"},
    {"requests_per_event", "requests per event", ""},
    {"messages_per_event", "answers or messages received per event", ""},
    {"bytes_per_event", "payload bytes per event, both directions", "B"},
    {"wire_bytes_estimate", "bytes on the wire per event, estimate", "B"},
    {"empty_answers", "answers with nothing new", "%"},
    {"connections", "TCP connections", ""},
};
static const int row_decimals[] = {0, 0, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0};

static void set_delays(struct report_table *t, int column, struct sample *delays)
{
    struct summary sum;
    if (stats_summarize(delays, &sum) < 0)
        return;
    table_set(t, "delay_mean", column, sum.mean);
    table_set(t, "delay_p50", column, sum.p50);
    table_set(t, "delay_p99", column, sum.p99);
    table_set(t, "delay_max", column, sum.max);
}

static void fill_push_column(struct push_run *p, struct report_table *t)
{
    int c = p->push_column;
    double events = (double)p->events.count;
    struct subscriber *sub = &p->sub;
    if (sub->why[0] != '\0') {
        column_failed(p->run, CH3, t, c, sub->why);
        return;
    }
    table_set(t, "events", c, events);
    table_set(t, "delivered", c, (double)sub->delivered);
    set_delays(t, c, &sub->delay_ms);
    if (events > 0) {
        table_set(t, "requests_per_event", c, 0);
        table_set(t, "messages_per_event", c, (double)sub->messages / events);
        double bytes = (double)(sub->conn.received - sub->received_before);
        double per_message = sub->messages > 0 ? bytes / (double)sub->messages : 0;
        /* Each message: its data segment(s) and an ACK for each (model.h); nothing
         * goes the other way. */
        double segments =
            model_run_segments(sub->messages, 0, 0, per_message, ETHERNET_MSS);
        table_set(t, "bytes_per_event", c, bytes / events);
        table_set(t, "wire_bytes_estimate", c,
                  (bytes + segments * TCP_IP_HEADER_BYTES) / events);
    }
    table_set(t, "empty_answers", c, 0);
    table_set(t, "connections", c, 1);
}

static void fill_poller_column(struct push_run *p, struct poller *q,
                               struct report_table *t)
{
    int c = q->column;
    double events = (double)p->events.count;
    if (q->why[0] != '\0') {
        column_failed(p->run, CH2, t, c, q->why);
        return;
    }
    table_set(t, "events", c, events);
    table_set(t, "delivered", c, (double)(q->last_seen + 1));
    set_delays(t, c, &q->delay_ms);
    struct summary round_trip;
    if (stats_summarize(&q->round_trip_ms, &round_trip) == 0)
        table_set(t, "expected_delay", c,
                  model_poll_delay_ms((double)q->interval_ms, round_trip.p50 / 2));
    if (events > 0) {
        table_set(t, "requests_per_event", c, (double)q->polls / events);
        table_set(t, "messages_per_event", c, (double)q->polls / events);
        table_set(t, "bytes_per_event", c, (double)(q->sent + q->received) / events);
    }
    if (events > 0 && q->polls > 0) {
        /* Each poll: a request and its answer, and their ACKs (model.h), on a
         * connection that stays open. */
        double segments =
            model_run_segments(q->polls, 0, (double)q->sent / (double)q->polls,
                               (double)q->received / (double)q->polls, ETHERNET_MSS);
        table_set(t, "wire_bytes_estimate", c,
                  ((double)(q->sent + q->received) + segments * TCP_IP_HEADER_BYTES) /
                      events);
    }
    if (q->polls > 0)
        table_set(t, "empty_answers", c, 100.0 * (double)q->empty / (double)q->polls);
    table_set(t, "connections", c, (double)q->connections);
}

/* The clients, connected before the clock starts. */
static void set_up(struct push_run *p, struct report_table *t)
{
    struct run *r = p->run;
    char why[256];
    p->push_column = table_add_column(t, "ch3-push", "ch3 push", "");
    p->sub.last_seen = -1;
    sample_init(&p->sub.delay_ms);
    conn_init(&p->sub.conn);
    conn_init(&p->publisher);
    if (!server_running(&r->servers[CH3], p->sub.why, sizeof p->sub.why)) {
        /* why says how the server ended */
    } else if (join(&r->servers[CH3], &p->sub.conn, why, sizeof why) < 0 ||
               join(&r->servers[CH3], &p->publisher, why, sizeof why) < 0) {
        snprintf(p->sub.why, sizeof p->sub.why, "%s", why);
    } else {
        p->can_push = 1;
    }

    if (r->docroot[0] == '\0') {
        table_note(t, "polling not measured: --ch2 was given without --docroot, so "
                      "compare cannot write the event file that server reads");
        return;
    }
    if (write_event_file(r->docroot, NO_EVENT_TEXT, strlen(NO_EVENT_TEXT)) < 0) {
        table_note(t, "polling not measured: writing %s%s: %s", r->docroot,
                   EVENT_FILE_PATH, strerror(errno));
        r->any_failed = 1;
        return;
    }
    for (int i = 0; i < r->opt.poll_count; i++) {
        struct poller *q = &p->pollers[p->poller_count++];
        char parameter[32];
        snprintf(parameter, sizeof parameter, "P=%ldms", r->opt.poll_ms[i]);
        q->interval_ms = r->opt.poll_ms[i];
        q->column = table_add_column(t, "ch2-poll", "ch2 poll", parameter);
        q->last_seen = -1;
        conn_init(&q->conn);
        sample_init(&q->delay_ms);
        sample_init(&q->round_trip_ms);
        if (server_running(&r->servers[CH2], q->why, sizeof q->why) &&
            conn_open(&q->conn, r->servers[CH2].host, r->servers[CH2].port, why,
                      sizeof why) < 0)
            snprintf(q->why, sizeof q->why, "%s", why);
        else if (q->conn.fd >= 0)
            q->connections = 1;
    }
}

static void tear_down(struct push_run *p)
{
    conn_close(&p->publisher);
    conn_close(&p->sub.conn);
    sample_free(&p->sub.delay_ms);
    for (int i = 0; i < p->poller_count; i++) {
        conn_close(&p->pollers[i].conn);
        sample_free(&p->pollers[i].delay_ms);
        sample_free(&p->pollers[i].round_trip_ms);
    }
    free(p->events.file_stamp_us);
    free(p);
}

void experiment_push(struct run *r, struct report *report)
{
    char title[160];
    snprintf(title, sizeof title,
             "Server push vs polling: an event every %ld ms on average, for %ld s",
             r->opt.event_ms, r->opt.push_secs);
    struct report_table *t = report_add_table(report, "push", title);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        table_add_row(t, rows[i][0], rows[i][1], rows[i][2], row_decimals[i]);

    struct push_run *p = calloc(1, sizeof *p); /* the connections' buffers: ~200 KiB */
    long capacity = r->opt.push_secs * 1000 * 2 / r->opt.event_ms + 2;
    long long *stamps = calloc((size_t)capacity, sizeof *stamps);
    if (p == NULL || stamps == NULL) {
        table_note(t, "out of memory");
        r->any_failed = 1;
        free(p);
        free(stamps);
        return;
    }
    p->run = r;
    p->events = (struct events){0, capacity, stamps, 0, RANDOM_SEED};
    set_up(p, t);
    run_loop(p);
    fill_push_column(p, t);
    for (int i = 0; i < p->poller_count; i++)
        fill_poller_column(p, &p->pollers[i], t);
    tear_down(p);

    table_note(t,
               "events at random moments, %ld to %ld ms apart; delay: from the event's "
               "stamp to the moment the client has read it",
               r->opt.event_ms / 2, r->opt.event_ms * 3 / 2);
    table_note(t, "push: a second chat client sends each event, and chatd relays it to "
                  "the reader: two hops, so the delay includes one trip that an event "
                  "made inside the server would not pay");
    table_note(t,
               "poll: GET %s over one kept connection every P ms; requests and "
               "bytes count the polls made while events were published; expected "
               "delay uses half the measured median round trip as the one-way trip",
               EVENT_FILE_PATH);
}
