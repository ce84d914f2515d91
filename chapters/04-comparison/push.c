/* push.c: experiment 2, news from the server side: pushed, or found by polling.
 *
 * Something happens on the server side every E ms on average (a message, a price, a
 * goal), at random moments. Each event is stamped with the time it was made and
 * published two ways at once:
 *
 *   push (ch3): a chat client, the publisher, sends "event K STAMP" to the chat
 *               server, which relays it at once to our subscriber, a chat client that
 *               only reads. Nobody asks; the news just arrives.
 *   poll (ch2): the event is written to event.txt in chapter 2's document root. A
 *               polling client GETs that file every P ms over a kept connection and
 *               looks whether the event number has changed; one poller per interval
 *               P. This is short polling, plain repeated requests. HTTP's own ways to
 *               push (long polling, server-sent events, WebSocket) are chapter 5's.
 *
 * For each event and each client we record the delay from the stamp to the moment the
 * client has read it, and what the client spent: requests, bytes, segments. A poller
 * that asks less often than events happen sees only the newest one; it learns of
 * every event up to that one at once, each with its own delay.
 * One process, one thread, one poll() loop runs it all.
 */
#include "compare.h"

#include "tool/events.h"
#include "tool/run.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVENT_LINE_MAX    256
#define CATCH_UP_GRACE_MS 2000 /* after the last event: time to deliver it everywhere */

/* The push client: it reads, and never asks. */
struct subscriber {
    struct delivery_result *res;
    struct conn conn;
    long last_seen; /* newest event number read, -1 before any */
};

/* A polling client: it asks every res->interval_ms. */
struct poller {
    struct delivery_result *res;
    struct conn conn;
    int waiting;                /* a request is out */
    int counts;                 /* it left while events were being published */
    long long next_poll_us;     /* when to ask next */
    long long asked_us;         /* when the outstanding request left */
    long long sent0, received0; /* the byte counts then */
    long segments0;             /* and the segment count */
    long last_seen;
};

struct push_run {
    struct run *run;
    struct events events; /* made at random moments, stamped (tool/events.c) */
    long long publish_end_us;
    struct conn publisher; /* the chat client that sends them */
    struct subscriber sub;
    struct poller pollers[MAX_POLL_INTERVALS];
    int poller_count;
};

/* ---- The push client ------------------------------------------------------------- */

/* The socket is readable: read once, and take every complete line. A relayed event
 * looks like "guest2: event 17 123456789"; other lines ("* guest2 joined") are not
 * events. */
static void subscriber_read(struct subscriber *sub)
{
    ssize_t n = io_reader_fill(&sub->conn.reader, -1);
    if (n <= 0) {
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            return;
        snprintf(sub->res->why, WHY_SIZE, "push client: %s",
                 conn_error(n == 0 ? CONN_EOF : -1));
        conn_close(&sub->conn);
        return;
    }
    long long now = compare_now_us();
    char line[EVENT_LINE_MAX];
    while (conn_take_line(&sub->conn, line, sizeof line) >= 0) {
        const char *event = strstr(line, ": event ");
        long k;
        long long stamp;
        if (event == NULL || events_parse(event + 2, &k, &stamp) < 0)
            continue;
        sub->res->messages++;
        if (k > sub->last_seen) {
            sub->last_seen = k;
            sub->res->delivered++;
            stats_add(&sub->res->delay_ms, (double)(now - stamp) / 1000);
        }
    }
}

/* ---- The polling clients --------------------------------------------------------- */

/* A client still working: nothing has gone wrong with it. */
static int active(const struct delivery_result *res)
{
    return res->why[0] == '\0';
}

/* The segments of a poll that counts run from its request until the next request
 * leaves (or the experiment ends), so the ACK of its answer is in. */
static void poller_count_segments(struct poller *q)
{
    long now = conn_segments(&q->conn);
    if (q->counts)
        q->res->segments =
            conn_segments_plus(q->res->segments, conn_segments_since(now, q->segments0));
    q->segments0 = now;
}

static void poller_ask(struct push_run *p, struct poller *q, long long now)
{
    struct started_server *s = &p->run->servers[CH2];
    if (q->conn.fd < 0) { /* a server we did not start closed on us: reconnect */
        if (conn_open(&q->conn, s->host, s->port, q->res->why, WHY_SIZE) < 0)
            return;
        q->res->connections++;
    }
    poller_count_segments(q);
    q->counts = now < p->publish_end_us;
    q->sent0 = q->conn.sent;
    q->received0 = q->conn.received;
    q->asked_us = now;
    if (conn_send_get(&q->conn, s->host, s->port, EVENT_FILE_PATH, 1) < 0) {
        snprintf(q->res->why, WHY_SIZE, "sending a GET: %s", strerror(errno));
        conn_close(&q->conn);
        return;
    }
    q->waiting = 1;
    /* A steady rhythm: every interval, whatever the answers took. */
    while (q->next_poll_us <= now)
        q->next_poll_us += q->res->interval_ms * 1000;
}

/* An answer is arriving: read it, and see whether it brings news. */
static void poller_read(struct push_run *p, struct poller *q)
{
    struct conn_answer answer;
    int rc = conn_read_answer(&q->conn, 0, &answer, io_now_ms() + ANSWER_TIMEOUT_MS);
    long long now = compare_now_us();
    q->waiting = 0;
    if (rc != 0)
        snprintf(q->res->why, WHY_SIZE, "reading an answer: %s", conn_error(rc));
    else if (answer.status != 200)
        snprintf(q->res->why, WHY_SIZE, "GET %s: status %d", EVENT_FILE_PATH,
                 answer.status);
    if (!active(q->res)) {
        conn_close(&q->conn);
        return;
    }
    stats_add(&q->res->round_trip_ms, (double)(now - q->asked_us) / 1000);
    if (q->counts) {
        q->res->messages++;
        q->res->sent += q->conn.sent - q->sent0;
        q->res->received += q->conn.received - q->received0;
    }
    if (answer.server_closes)
        conn_hang_up(&q->conn); /* a server we did not start; poller_ask reconnects */
    long k;
    long long stamp;
    if (events_parse(answer.body, &k, &stamp) < 0 || k <= q->last_seen ||
        k >= p->events.count) {
        q->res->empty += q->counts;
        return;
    }
    /* Every event since the last one we saw reached us now, each after its own wait. */
    for (long j = q->last_seen + 1; j <= k; j++)
        stats_add(&q->res->delay_ms, (double)(now - p->events.stamp_us[j]) / 1000);
    q->last_seen = k;
    q->res->delivered = k + 1;
}

/* ---- The loop -------------------------------------------------------------------- */

/* Everyone still working has the newest event. */
static int all_caught_up(const struct push_run *p)
{
    if (active(p->sub.res) && p->sub.last_seen < p->events.count - 1)
        return 0;
    for (int i = 0; i < p->poller_count; i++) {
        const struct poller *q = &p->pollers[i];
        if (active(q->res) && (q->waiting || q->last_seen < p->events.count - 1))
            return 0;
    }
    return 1;
}

/* Ask where a poll is due; sleep in poll() until a socket has something, or the next
 * event or poll is due (wake, at the latest); read what came. */
static int poll_and_read(struct push_run *p, long long now, long long wake)
{
    struct pollfd fds[1 + MAX_POLL_INTERVALS];
    struct poller *owner[1 + MAX_POLL_INTERVALS];
    nfds_t count = 0;
    if (active(p->sub.res)) {
        fds[count] = (struct pollfd){.fd = p->sub.conn.fd, .events = POLLIN};
        owner[count++] = NULL;
    }
    for (int i = 0; i < p->poller_count; i++) {
        struct poller *q = &p->pollers[i];
        /* After publishing ends, a poller that has everything stops asking. */
        int needed = now < p->publish_end_us || q->last_seen < p->events.count - 1;
        if (active(q->res) && !q->waiting && needed && now >= q->next_poll_us)
            poller_ask(p, q, now);
        if (active(q->res) && q->waiting) {
            fds[count] = (struct pollfd){.fd = q->conn.fd, .events = POLLIN};
            owner[count++] = q;
        } else if (active(q->res) && q->next_poll_us < wake) {
            wake = q->next_poll_us;
        }
    }
    long long wait_us = wake > now ? wake - now : 0;
    if (poll(fds, count, (int)((wait_us + 999) / 1000)) < 0)
        return errno == EINTR ? 0 : -1;
    for (nfds_t i = 0; i < count; i++) {
        if (fds[i].revents != 0 && owner[i] == NULL)
            subscriber_read(&p->sub);
        else if (fds[i].revents != 0)
            poller_read(p, owner[i]);
    }
    return 0;
}

static void run_loop(struct push_run *p)
{
    long long start = compare_now_us();
    long slowest = 0;
    for (int i = 0; i < p->poller_count; i++) {
        struct poller *q = &p->pollers[i];
        /* Start each poller at a random point of its interval. */
        q->next_poll_us =
            start + (long long)(events_random(&p->events) %
                                (unsigned long long)(q->res->interval_ms * 1000));
        if (q->res->interval_ms > slowest)
            slowest = q->res->interval_ms;
    }
    p->publish_end_us = start + (long long)p->run->opt.push_secs * 1000000;
    long long give_up = p->publish_end_us + (slowest + CATCH_UP_GRACE_MS) * 1000LL;
    events_start(&p->events, start);
    long long received0 = p->sub.conn.received;
    long segments0 = conn_segments(&p->sub.conn);

    while (!run_stopping(p->run)) {
        long long now = compare_now_us();
        int publishing = now < p->publish_end_us;
        if (now >= give_up || (!publishing && all_caught_up(p)))
            break;
        if (publishing && now >= p->events.next_us) {
            if (events_publish(&p->events, p->run->docroot, EVENT_FILE_PATH,
                               &p->publisher, p->sub.res->why, WHY_SIZE) < 0)
                break;
            continue;
        }
        long long wake = !publishing                             ? give_up
                         : p->events.next_us < p->publish_end_us ? p->events.next_us
                                                                 : p->publish_end_us;
        if (poll_and_read(p, now, wake) < 0)
            break;
        run_progress(p->run, "push vs polling",
                     (double)(now - start) / (double)(give_up - start));
    }
    /* The push client's costs while events came; the last poll's segments. */
    p->sub.res->received = p->sub.conn.received - received0;
    p->sub.res->segments = conn_segments_since(conn_segments(&p->sub.conn), segments0);
    for (int i = 0; i < p->poller_count; i++)
        poller_count_segments(&p->pollers[i]);
}

/* ---- Setting up and closing ------------------------------------------------------ */

/* The clients, connected before the clock starts: a subscriber and a publisher on
 * the chat, and one poller per interval on chapter 2's server. */
static void set_up(struct push_run *p)
{
    struct run *r = p->run;
    struct started_server *chat = &r->servers[CH3], *http = &r->servers[CH2];
    char nick[64];
    p->sub.res = &r->delivery[r->delivery_count++];
    p->sub.last_seen = -1;
    conn_init(&p->sub.conn);
    conn_init(&p->publisher);
    p->sub.res->connections = 1;
    if (run_server_alive(r, CH3, p->sub.res->why, WHY_SIZE) &&
        conn_join_chat(&p->sub.conn, chat->host, chat->port, nick, sizeof nick,
                       p->sub.res->why, WHY_SIZE) == 0)
        conn_join_chat(&p->publisher, chat->host, chat->port, nick, sizeof nick,
                       p->sub.res->why, WHY_SIZE);
    if (r->docroot[0] == '\0') /* --ch2 without --docroot: no event file to write */
        return;
    if (events_write_file(r->docroot, EVENT_FILE_PATH, "no event yet\n", 13) < 0) {
        snprintf(r->push_note, WHY_SIZE, "polling not measured: writing %.150s%s: %s",
                 r->docroot, EVENT_FILE_PATH, strerror(errno));
        r->any_failed = 1;
        return;
    }
    for (int i = 0; i < r->opt.poll_count; i++) {
        struct poller *q = &p->pollers[p->poller_count++];
        q->res = &r->delivery[r->delivery_count++];
        q->res->interval_ms = r->opt.poll_ms[i];
        q->last_seen = -1;
        conn_init(&q->conn);
        if (run_server_alive(r, CH2, q->res->why, WHY_SIZE) &&
            conn_open(&q->conn, http->host, http->port, q->res->why, WHY_SIZE) == 0)
            q->res->connections = 1;
    }
}

void experiment_push(struct run *r)
{
    struct push_run *p = calloc(1, sizeof *p); /* the connections' buffers: ~200 KiB */
    if (p == NULL || events_init(&p->events, r->opt.event_ms, r->opt.push_secs) < 0) {
        snprintf(r->push_note, WHY_SIZE, "out of memory");
        r->any_failed = 1;
        free(p);
        return;
    }
    p->run = r;
    set_up(p);
    run_loop(p);

    r->events = p->events.count;
    conn_close(&p->publisher);
    conn_close(&p->sub.conn);
    if (!active(p->sub.res))
        run_failed(r, CH3, p->sub.res->why, WHY_SIZE);
    for (int i = 0; i < p->poller_count; i++) {
        conn_close(&p->pollers[i].conn);
        if (!active(p->pollers[i].res))
            run_failed(r, CH2, p->pollers[i].res->why, WHY_SIZE);
    }
    events_free(&p->events);
    free(p);
}
