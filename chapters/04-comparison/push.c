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
 *               P. This is short polling, plain repeated requests.
 *
 * Where chapter 5 is built, a third publisher sends each event to pushd's chat port,
 * and four clients in pushd's room read it, one per transport: a raw chat client (as
 * ch3), a long poller (GET /poll, answered when a line comes, asked again at once),
 * an event stream (GET /events) and a WebSocket. They are HTTP's own ways to push.
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
#include "tool/web.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVENT_LINE_MAX    256
#define CATCH_UP_GRACE_MS 2000 /* after the last event: time to deliver it everywhere */

/* A push client: it reads, and never asks. A chat client (ch3, or pushd's chat port),
 * an event stream or a WebSocket (pushd's HTTP port): res->kind says which. */
struct subscriber {
    struct delivery_result *res;
    struct conn conn;
    long last_seen; /* newest event number read, -1 before any */
    long long received0;
    long segments0; /* the counts when the clock started */
};

#define MAX_SUBSCRIBERS 4 /* ch3's, and pushd's raw, SSE and WebSocket readers */

/* A long poller (ch5): it asks, and pushd answers when it has a line for it. */
struct long_poller {
    struct delivery_result *res;
    struct conn conn;
    char token[WEB_TOKEN_SIZE]; /* its session */
    unsigned long since;        /* the cursor: the last line number it has */
    int waiting;                /* a poll is out (parked, most of the time) */
    int counts;                 /* asked while events were being published */
    long long sent0, received0; /* the counts when the clock started */
    long segments0;
    long last_seen;
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
    struct conn publisher;                   /* the chat client that sends them to ch3 */
    struct conn publisher5;                  /* and the one that sends them to pushd */
    struct subscriber subs[MAX_SUBSCRIBERS]; /* subs[0] is ch3's */
    int sub_count;
    struct poller pollers[MAX_POLL_INTERVALS];
    int poller_count;
    struct long_poller long_poller; /* res is NULL without chapter 5 */
};

/* ---- The push client ------------------------------------------------------------- */

/* One line or message that may carry an event. A relayed event looks like
 * "guest2: event 17 123456789" (as an event stream's "data: guest2: event ..."
 * line, too); other lines ("* guest2 joined", "id: 4") are not events. */
static void subscriber_take(struct subscriber *sub, const char *line, long long now)
{
    const char *event = strstr(line, ": event ");
    long k;
    long long stamp;
    if (event == NULL || events_parse(event + 2, &k, &stamp) < 0)
        return;
    sub->res->messages++;
    if (k > sub->last_seen) {
        sub->last_seen = k;
        sub->res->delivered++;
        stats_add(&sub->res->delay_ms, (double)(now - stamp) / 1000);
    }
}

/* The next whole line, or WebSocket message, that has arrived: its length, or -1. */
static long subscriber_next(struct subscriber *sub, char *line, size_t size)
{
    if (sub->res->kind == DELIVERY_WEBSOCKET)
        return web_take_frame(&sub->conn, line, size);
    return conn_take_line(&sub->conn, line, size);
}

/* The socket is readable: read once, and take every complete line or message. */
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
    long length;
    while ((length = subscriber_next(sub, line, sizeof line)) >= 0)
        subscriber_take(sub, line, now);
    if (length == WEB_FRAME_BAD) {
        snprintf(sub->res->why, WHY_SIZE, "a WebSocket frame it cannot read");
        conn_close(&sub->conn);
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

/* ---- The long poller (ch5) -------------------------------------------------------- */

/* Ask for every line after the cursor. pushd answers at once if it has one, and
 * otherwise parks the request until a line comes. */
static void long_poll_ask(struct push_run *p, struct long_poller *q, long long now)
{
    struct started_server *s = &p->run->servers[CH5];
    if (q->conn.fd < 0) { /* pushd closed after its 100th request: reconnect */
        if (conn_open(&q->conn, s->host, s->port, q->res->why, WHY_SIZE) < 0)
            return;
        q->res->connections++;
    }
    q->counts = now < p->publish_end_us;
    if (web_send_poll(&q->conn, s->host, s->port, q->token, q->since) < 0) {
        snprintf(q->res->why, WHY_SIZE, "sending a poll: %s", strerror(errno));
        conn_close(&q->conn);
        return;
    }
    q->waiting = 1;
}

/* An answer: {"next":M,"lines":["guest2: event 17 123456789",...],"gap":false}. Every
 * event in it reached us now; the cursor moves to M. */
static void long_poll_read(struct long_poller *q)
{
    struct conn_answer answer;
    int rc = conn_read_answer(&q->conn, 0, &answer, io_now_ms() + ANSWER_TIMEOUT_MS);
    long long now = compare_now_us();
    q->waiting = 0;
    if (rc != 0)
        snprintf(q->res->why, WHY_SIZE, "reading a poll's answer: %s", conn_error(rc));
    else if (answer.status != 200 || web_poll_next(answer.body, &q->since) < 0)
        snprintf(q->res->why, WHY_SIZE, "GET /poll: status %d, %.80s", answer.status,
                 answer.body);
    if (!active(q->res)) {
        conn_close(&q->conn);
        return;
    }
    if (q->counts)
        q->res->messages++;
    if (answer.server_closes)
        conn_hang_up(&q->conn); /* chapter 2's rule: 100 requests per connection */
    for (const char *at = strstr(answer.body, ": event "); at != NULL;
         at = strstr(at + 1, ": event ")) {
        long k;
        long long stamp;
        if (events_parse(at + 2, &k, &stamp) == 0 && k > q->last_seen) {
            q->last_seen = k;
            q->res->delivered++;
            stats_add(&q->res->delay_ms, (double)(now - stamp) / 1000);
        }
    }
}

/* ---- The loop -------------------------------------------------------------------- */

/* Everyone still working has the newest event. */
static int all_caught_up(const struct push_run *p)
{
    for (int i = 0; i < p->sub_count; i++)
        if (active(p->subs[i].res) && p->subs[i].last_seen < p->events.count - 1)
            return 0;
    const struct long_poller *l = &p->long_poller;
    if (l->res != NULL && active(l->res) && l->last_seen < p->events.count - 1)
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
    enum { MAX_FDS = MAX_SUBSCRIBERS + MAX_POLL_INTERVALS + 1 };
    struct pollfd fds[MAX_FDS];
    struct poller *owner[MAX_FDS];      /* a short poller's answer, or */
    struct subscriber *reader[MAX_FDS]; /* a push client's news, or */
    nfds_t count = 0;                   /* (both NULL) the long poller's answer */
    for (int i = 0; i < p->sub_count; i++) {
        if (!active(p->subs[i].res))
            continue;
        fds[count] = (struct pollfd){.fd = p->subs[i].conn.fd, .events = POLLIN};
        reader[count] = &p->subs[i];
        owner[count++] = NULL;
    }
    struct long_poller *l = &p->long_poller;
    if (l->res != NULL && active(l->res)) {
        /* It asks again at once, until it has every event. */
        if (!l->waiting &&
            (now < p->publish_end_us || l->last_seen < p->events.count - 1))
            long_poll_ask(p, l, now);
        if (active(l->res) && l->waiting) {
            fds[count] = (struct pollfd){.fd = l->conn.fd, .events = POLLIN};
            reader[count] = NULL;
            owner[count++] = NULL;
        }
    }
    for (int i = 0; i < p->poller_count; i++) {
        struct poller *q = &p->pollers[i];
        /* After publishing ends, a poller that has everything stops asking. */
        int needed = now < p->publish_end_us || q->last_seen < p->events.count - 1;
        if (active(q->res) && !q->waiting && needed && now >= q->next_poll_us)
            poller_ask(p, q, now);
        if (active(q->res) && q->waiting) {
            fds[count] = (struct pollfd){.fd = q->conn.fd, .events = POLLIN};
            reader[count] = NULL;
            owner[count++] = q;
        } else if (active(q->res) && q->next_poll_us < wake) {
            wake = q->next_poll_us;
        }
    }
    long long wait_us = wake > now ? wake - now : 0;
    if (poll(fds, count, (int)((wait_us + 999) / 1000)) < 0)
        return errno == EINTR ? 0 : -1;
    for (nfds_t i = 0; i < count; i++) {
        if (fds[i].revents == 0)
            continue;
        if (reader[i] != NULL)
            subscriber_read(reader[i]);
        else if (owner[i] != NULL)
            poller_read(p, owner[i]);
        else
            long_poll_read(l);
    }
    return 0;
}

/* The next event, to the event file and both chat servers. A publisher that fails
 * fails the clients that read it. */
static int publish(struct push_run *p)
{
    struct conn *const publishers[] = {&p->publisher, &p->publisher5};
    char why[WHY_SIZE] = "";
    int ch3_open = p->publisher.fd >= 0, ch5_open = p->publisher5.fd >= 0;
    if (events_publish(&p->events, p->run->docroot, EVENT_FILE_PATH, publishers, 2, why,
                       sizeof why) < 0)
        return -1;
    for (int i = 0; i < p->sub_count; i++) {
        int ch3 = p->subs[i].res->kind == DELIVERY_PUSH;
        if ((ch3 ? ch3_open && p->publisher.fd < 0 : ch5_open && p->publisher5.fd < 0) &&
            active(p->subs[i].res))
            snprintf(p->subs[i].res->why, WHY_SIZE, "%s", why);
    }
    if (ch5_open && p->publisher5.fd < 0 && p->long_poller.res != NULL)
        snprintf(p->long_poller.res->why, WHY_SIZE, "%s", why);
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
    for (int i = 0; i < p->sub_count; i++) {
        p->subs[i].received0 = p->subs[i].conn.received;
        p->subs[i].segments0 = conn_segments(&p->subs[i].conn);
    }
    struct long_poller *l = &p->long_poller;
    l->sent0 = l->conn.sent;
    l->received0 = l->conn.received;
    l->segments0 = conn_segments(&l->conn);

    while (!run_stopping(p->run)) {
        long long now = compare_now_us();
        int publishing = now < p->publish_end_us;
        if (now >= give_up || (!publishing && all_caught_up(p)))
            break;
        if (publishing && now >= p->events.next_us) {
            if (publish(p) < 0)
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
    /* The push clients' and the long poller's costs from the first event until they
     * had the last; the short pollers' last poll's segments. */
    for (int i = 0; i < p->sub_count; i++) {
        struct subscriber *sub = &p->subs[i];
        sub->res->received = sub->conn.received - sub->received0;
        sub->res->segments =
            conn_segments_since(conn_segments(&sub->conn), sub->segments0);
    }
    if (l->res != NULL) {
        l->res->sent = l->conn.sent - l->sent0;
        l->res->received = l->conn.received - l->received0;
        l->res->segments = conn_segments_since(conn_segments(&l->conn), l->segments0);
    }
    for (int i = 0; i < p->poller_count; i++)
        poller_count_segments(&p->pollers[i]);
}

/* ---- Setting up and closing ------------------------------------------------------ */

/* A new push client's result; the subscriber itself starts closed. */
static struct subscriber *new_subscriber(struct push_run *p, enum delivery_kind kind)
{
    struct subscriber *sub = &p->subs[p->sub_count++];
    sub->res = &p->run->delivery[p->run->delivery_count++];
    sub->res->kind = kind;
    sub->res->connections = 1;
    sub->last_seen = -1;
    conn_init(&sub->conn);
    return sub;
}

/* Chapter 3: a subscriber and a publisher on the chat. */
static void set_up_chat(struct push_run *p)
{
    struct run *r = p->run;
    struct started_server *chat = &r->servers[CH3];
    char nick[64];
    struct subscriber *sub = new_subscriber(p, DELIVERY_PUSH);
    if (run_server_alive(r, CH3, sub->res->why, WHY_SIZE) &&
        conn_join_chat(&sub->conn, chat->host, chat->port, nick, sizeof nick,
                       sub->res->why, WHY_SIZE) == 0)
        conn_join_chat(&p->publisher, chat->host, chat->port, nick, sizeof nick,
                       sub->res->why, WHY_SIZE);
}

/* Chapter 2: one poller per interval. */
static void set_up_pollers(struct push_run *p)
{
    struct run *r = p->run;
    struct started_server *http = &r->servers[CH2];
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
        q->res->kind = DELIVERY_SHORT_POLL;
        q->res->interval_ms = r->opt.poll_ms[i];
        q->last_seen = -1;
        conn_init(&q->conn);
        if (run_server_alive(r, CH2, q->res->why, WHY_SIZE) &&
            conn_open(&q->conn, http->host, http->port, q->res->why, WHY_SIZE) == 0)
            q->res->connections = 1;
    }
}

/* Chapter 5: a publisher and a reader on pushd's chat port, a long poller, an event
 * stream and a WebSocket on its HTTP port, all in one room. */
static void set_up_web(struct push_run *p)
{
    struct run *r = p->run;
    struct started_server *s = &r->servers[CH5];
    char nick[64];
    if (!r->web)
        return;
    struct subscriber *raw = new_subscriber(p, DELIVERY_RAW);
    struct long_poller *l = &p->long_poller;
    l->res = &r->delivery[r->delivery_count++];
    l->res->kind = DELIVERY_LONG_POLL;
    l->res->connections = 1;
    l->last_seen = -1;
    conn_init(&l->conn);
    struct subscriber *sse = new_subscriber(p, DELIVERY_SSE);
    struct subscriber *ws = new_subscriber(p, DELIVERY_WEBSOCKET);
    if (!run_server_alive(r, CH5, raw->res->why, WHY_SIZE)) {
        snprintf(l->res->why, WHY_SIZE, "%s", raw->res->why);
        snprintf(sse->res->why, WHY_SIZE, "%s", raw->res->why);
        snprintf(ws->res->why, WHY_SIZE, "%s", raw->res->why);
        return;
    }
    if (conn_join_chat(&raw->conn, s->host, s->port2, nick, sizeof nick, raw->res->why,
                       WHY_SIZE) == 0)
        conn_join_chat(&p->publisher5, s->host, s->port2, nick, sizeof nick,
                       raw->res->why, WHY_SIZE);
    if (conn_open(&l->conn, s->host, s->port, l->res->why, WHY_SIZE) == 0)
        web_join(&l->conn, s->host, s->port, l->token, l->res->why, WHY_SIZE);
    char token[WEB_TOKEN_SIZE];
    if (conn_open(&sse->conn, s->host, s->port, sse->res->why, WHY_SIZE) == 0 &&
        web_join(&sse->conn, s->host, s->port, token, sse->res->why, WHY_SIZE) == 0)
        web_open_events(&sse->conn, s->host, s->port, token, sse->res->why, WHY_SIZE);
    if (conn_open(&ws->conn, s->host, s->port, ws->res->why, WHY_SIZE) == 0)
        web_upgrade(&ws->conn, s->host, s->port, ws->res->why, WHY_SIZE);
    /* Without its publisher, or its own connection, a reader would wait for nothing. */
    struct delivery_result *results[] = {raw->res, l->res, sse->res, ws->res};
    struct conn *conns[] = {&raw->conn, &l->conn, &sse->conn, &ws->conn};
    for (int i = 0; i < WEB_TRANSPORT_COUNT; i++)
        if (active(results[i]) && (conns[i]->fd < 0 || p->publisher5.fd < 0))
            snprintf(results[i]->why, WHY_SIZE, "%s",
                     p->publisher5.fd < 0 ? "no publisher on pushd's chat port"
                                          : "not connected");
}

/* The clients, connected before the clock starts. */
static void set_up(struct push_run *p)
{
    conn_init(&p->publisher);
    conn_init(&p->publisher5);
    set_up_chat(p);
    set_up_pollers(p);
    set_up_web(p);
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
    conn_close(&p->publisher5);
    for (int i = 0; i < p->sub_count; i++) {
        struct subscriber *sub = &p->subs[i];
        conn_close(&sub->conn);
        if (!active(sub->res))
            run_failed(r, sub->res->kind == DELIVERY_PUSH ? CH3 : CH5, sub->res->why,
                       WHY_SIZE);
    }
    if (p->long_poller.res != NULL) {
        conn_close(&p->long_poller.conn);
        if (!active(p->long_poller.res))
            run_failed(r, CH5, p->long_poller.res->why, WHY_SIZE);
    }
    for (int i = 0; i < p->poller_count; i++) {
        conn_close(&p->pollers[i].conn);
        if (!active(p->pollers[i].res))
            run_failed(r, CH2, p->pollers[i].res->why, WHY_SIZE);
    }
    events_free(&p->events);
    free(p);
}
