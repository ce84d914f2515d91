/* poll.c: long polling, GET /poll?session=S&since=N.
 *
 * Short polling asks "anything new?" every few seconds and mostly hears "no". A long
 * poll asks the same, and the server does not answer until there is something (or
 * -L seconds pass): the request is parked, and the next line for the session answers
 * it. The client then asks again at once with the new cursor, `since`, so no line
 * falls between two polls: whatever came meanwhile waits in the outbox. The answer
 * is plain JSON with a Content-Length, and the connection stays open for the next
 * poll (keep-alive):
 *
 *     {"next":12,"lines":["* guest2 joined","guest2: hi"],"gap":false}
 */
#include "pushd.h"

#include "io.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room kept for the response head beside the body in the queue. */
#define HEAD_ROOM 1024

static size_t queue_room(const struct queue *q)
{
    return QUEUE_CAPACITY - (q->end - q->start);
}

/* One byte of a JSON string, escaped if it must be, into out (8 bytes). Returns its
 * length. Bytes from 0x80 up are left alone: the line is valid UTF-8 by now. */
static size_t json_escape(unsigned char b, char *out)
{
    int n;
    if (b == '"' || b == '\\')
        n = snprintf(out, 8, "\\%c", b);
    else if (b == '\n')
        n = snprintf(out, 8, "\\n");
    else if (b == '\t')
        n = snprintf(out, 8, "\\t");
    else if (b < 0x20)
        n = snprintf(out, 8, "\\u%04x", b);
    else
        n = snprintf(out, 8, "%c", b);
    return n > 0 ? (size_t)n : 0;
}

/* Append line as a JSON string (RFC 8259 §7): quotes and backslashes escaped,
 * control characters as \n, \t or \u00XX; the line is made valid UTF-8 first.
 * Returns the new length, or 0 if it does not fit in size. */
static size_t add_json_string(char *out, size_t at, size_t size, const char *line,
                              size_t length)
{
    char small[UTF8_CLEAN_SIZE(LINE_MAX_BYTES + 128)];
    char *clean =
        length <= LINE_MAX_BYTES + 128 ? small : malloc(UTF8_CLEAN_SIZE(length));
    if (clean == NULL)
        return 0;
    size_t n = utf8_clean(line, length, clean);
    size_t o = at;
    int ok = o < size;
    if (ok)
        out[o++] = '"';
    for (size_t i = 0; ok && i < n; i++) {
        char escaped[8];
        size_t e = json_escape((unsigned char)clean[i], escaped);
        ok = o + e + 1 < size;
        if (ok) {
            memcpy(out + o, escaped, e);
            o += e;
        }
    }
    if (ok)
        out[o++] = '"';
    if (clean != small)
        free(clean);
    return ok ? o : 0;
}

/* Answer a poll on c with the lines after `since`, as many as fit in its queue. */
static void reply(struct server *s, struct conn *c, struct session *se,
                  unsigned long since)
{
    size_t budget = queue_room(&c->out) > HEAD_ROOM ? queue_room(&c->out) - HEAD_ROOM : 0;
    char *lines = malloc(budget + 1);
    if (lines == NULL) {
        c->state = CONN_GONE;
        return;
    }
    size_t o = 0;
    unsigned long next = since; /* the last line in the answer */
    unsigned long id = since + 1 > se->first_id ? since + 1 : se->first_id;
    for (; id <= session_newest(se); id++) {
        size_t length;
        const char *line = session_line(se, id, &length);
        size_t at = o;
        if (next > since && at < budget)
            lines[at++] = ',';
        size_t end = add_json_string(lines, at, budget, line, length);
        if (end == 0)
            break; /* the rest waits for the next poll */
        o = end;
        next = id;
    }
    /* A gap: line since+1 existed and is no longer kept. */
    int gap = since + 1 < se->first_id;
    char open[64], close[32];
    snprintf(open, sizeof open, "{\"next\":%lu,\"lines\":[", next);
    snprintf(close, sizeof close, "],\"gap\":%s}", gap ? "true" : "false");
    size_t total = strlen(open) + o + strlen(close);
    if (next > se->delivered)
        se->delivered = next;
    http_queue_head(s, c, 200, "application/json", (long long)total, NULL);
    conn_send(s, c, open, strlen(open));
    conn_send(s, c, lines, o);
    conn_send(s, c, close, strlen(close));
    free(lines);
    se->last_active_ms = io_now_ms();
    if (se->poll == c)
        session_detach(c);
    http_response_done(s, c);
}

/* A new line for a session with a parked poll (or the session ends): answer it. */
void poll_answer(struct server *s, struct session *se)
{
    struct conn *c = se->poll;
    if (c != NULL && c->state == CONN_OPEN)
        reply(s, c, se, c->http->since);
}

/* -L seconds and nothing came: an empty answer; the client asks again. */
void poll_expire(struct server *s, struct conn *c)
{
    struct session *se = c->http->session;
    if (se != NULL)
        reply(s, c, se, c->http->since);
}

/* GET /poll: answer now if there is something after `since`; else park. A second
 * parked poll for the same session answers the first, empty. */
void poll_start(struct server *s, struct conn *c, struct session *se, unsigned long since)
{
    if (se->poll != NULL)
        poll_answer(s, se); /* nothing new for it: an empty list */
    if (session_newest(se) > since) {
        reply(s, c, se, since);
        return;
    }
    c->http->stage = HTTP_PARKED;
    c->http->session = se;
    c->http->since = since;
    c->deadline_ms = io_now_ms() + (long long)s->poll_secs * 1000;
    se->poll = c;
}
