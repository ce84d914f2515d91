/* sse.c: server-sent events (the HTML standard's EventSource), GET /events.
 *
 * The oldest way for HTTP to push: the response simply never ends. Its head says
 * "text/event-stream" and gives no length, and the server writes an event whenever
 * it has one:
 *
 *     id: 7
 *     data: alice: hello
 *     (an empty line ends the event)
 *
 * A browser's EventSource reconnects by itself when the connection drops, after the
 * "retry:" milliseconds, and sends "Last-Event-ID: 7": the server replays what came
 * after. Our outbox keeps the last lines of each session for exactly that, and says
 * "event: gap" when the ones asked for have rolled off. The stream only goes one
 * way; the client sends with POST /send.
 */
#include "pushd.h"

#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SSE_RETRY_MS 1000

static size_t queue_room(const struct queue *q)
{
    return QUEUE_CAPACITY - (q->end - q->start);
}

/* Queue event `id` of the session on its stream. Returns 0, or -1 when the queue has
 * no room for it now (it goes when the socket drains). */
static int send_event(struct server *s, struct conn *c, struct session *se,
                      unsigned long id)
{
    size_t length;
    const char *line = session_line(se, id, &length);
    if (line == NULL)
        return 0; /* cannot happen: a line not delivered is never dropped */
    char head[64];
    int n = snprintf(head, sizeof head, "id: %lu\ndata: ", id);
    /* A line holds no LF (lines are cut at LF), and utf8_clean turns a CR into
     * U+FFFD: either would end the data: field early and split the event. */
    char small[UTF8_CLEAN_SIZE(LINE_MAX_BYTES + 128)];
    char *clean =
        length <= LINE_MAX_BYTES + 128 ? small : malloc(UTF8_CLEAN_SIZE(length));
    if (clean == NULL)
        return -1;
    size_t clean_length = utf8_clean(line, length, clean);
    int fits = queue_room(&c->out) >= (size_t)n + clean_length + 2;
    if (fits) {
        conn_send(s, c, head, (size_t)n);
        conn_send(s, c, clean, clean_length);
        conn_send(s, c, "\n\n", 2);
    }
    if (clean != small)
        free(clean);
    return fits ? 0 : -1;
}

/* Send what the stream has not had yet, as far as its queue takes it. */
void sse_push(struct server *s, struct session *se)
{
    struct conn *c = se->stream;
    if (c == NULL || c->state != CONN_OPEN)
        return;
    while (c->http->since < session_newest(se)) {
        unsigned long id = c->http->since + 1;
        if (send_event(s, c, se, id) < 0)
            return; /* a slow reader: the rest waits in the outbox */
        c->http->since = id;
        if (id > se->delivered)
            se->delivered = id;
    }
}

/* GET /events?session=S: the head, "retry:", the replay, and from then on every line
 * as it comes. */
void sse_start(struct server *s, struct conn *c, struct session *se,
               const char *last_event_id)
{
    if (se->stream != NULL) { /* one stream per session: the newer wins */
        struct conn *old = se->stream;
        session_detach(old);
        conn_close_gently(s, old, 0);
    }
    c->http->keep = 0; /* the body ends when the connection does */
    /* A stream that stops being read must show it soon (pushd.c). */
    conn_limit_kernel_buffer(c);
    http_queue_head(s, c, 200, "text/event-stream", -1, "Cache-Control: no-store\r\n");
    char text[64];
    int n = snprintf(text, sizeof text, "retry: %d\n\n", SSE_RETRY_MS);
    conn_send(s, c, text, (size_t)n);

    /* Where to start: after Last-Event-ID, or at the first line still kept. */
    unsigned long start = se->first_id - 1;
    char *end;
    if (last_event_id != NULL && last_event_id[0] >= '0' && last_event_id[0] <= '9') {
        unsigned long long asked = strtoull(last_event_id, &end, 10);
        if (*end == '\0') {
            start =
                asked > session_newest(se) ? session_newest(se) : (unsigned long)asked;
            if (start + 1 < se->first_id) {
                n = snprintf(text, sizeof text, "event: gap\ndata: %lu\n\n",
                             se->first_id - start - 1);
                conn_send(s, c, text, (size_t)n); /* how many lines were lost */
                start = se->first_id - 1;
            }
        }
    }
    c->http->stage = HTTP_STREAM;
    c->http->session = se;
    c->http->since = start;
    c->deadline_ms = 0; /* a stream is idle by nature: -t does not apply */
    se->stream = c;
    sse_push(s, se);
}

/* Every -K seconds, a comment on every stream: it keeps proxies from timing the
 * stream out, and a write to a vanished client fails, which is how we learn. */
void sse_ping(struct server *s)
{
    for (int i = 0; i < s->conn_count; i++) {
        struct conn *c = s->conns[i];
        if (c->kind == CONN_HTTP && c->state == CONN_OPEN &&
            c->http->stage == HTTP_STREAM && queue_room(&c->out) >= 8)
            conn_send(s, c, ": ping\n\n", 8);
    }
}
