/* sessions.c: room members that speak HTTP, named by a token.
 *
 * A raw or WebSocket member is its connection: when the connection ends, so does
 * the member. An HTTP client makes a request, gets an answer, and may come back on
 * another connection; nothing in the bytes says who it is, unless it says so. So
 * POST /join hands out a token, 128 bits from the system's random source (a
 * guessable token would let anyone read and write as someone else), and every later
 * request names it: GET /events?session=..., GET /poll?session=...&since=N, POST
 * /send?session=.... Lines for the member wait in its outbox, numbered 1, 2, 3, ...,
 * so a stream that reconnects, or a poll, can say which it has.
 *
 * The outbox keeps the last OUTBOX_MAX_LINES lines (and OUTBOX_MAX_BYTES): lines the
 * client has had may roll off (a reconnecting client then learns of a gap), but a
 * line it has not had yet never silently does: a session that falls that far behind
 * is dropped, like a chat client whose queue overflows. A session with no stream, no
 * parked poll and no request for -E seconds is gone too: HTTP never tells us that a
 * client has left, so silence has to.
 */
#include "pushd.h"

#include "io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 32 hex digits from /dev/urandom. Returns 0 or -1. */
static int new_token(struct server *s, char token[SESSION_TOKEN_HEX + 1])
{
    unsigned char bytes[SESSION_TOKEN_HEX / 2];
    size_t got = 0;
    while (got < sizeof bytes) {
        ssize_t n = read(s->random_fd, bytes + got, sizeof bytes - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    for (size_t i = 0; i < sizeof bytes; i++)
        snprintf(token + 2 * i, 3, "%02x", bytes[i]);
    return 0;
}

/* POST /join: a new member, with its session. Returns it, or NULL. */
struct member *session_join(struct server *s)
{
    struct session *se = calloc(1, sizeof *se);
    struct member *m = calloc(1, sizeof *m);
    if (se == NULL || m == NULL || new_token(s, se->token) < 0) {
        free(se);
        free(m);
        return NULL;
    }
    se->first_id = 1; /* the welcome will be line 1 */
    se->member = m;
    se->last_active_ms = io_now_ms();
    m->state = MEMBER_ACTIVE;
    m->transport = TRANSPORT_SESSION;
    m->session = se;
    name_new_guest(s, m);
    s->members[s->member_count++] = m;
    fprintf(stderr, "%s: %s joined (session)\n", PROGRAM_NAME, m->nick);
    welcome(s, m);
    return m;
}

/* The session whose token this is, or NULL. Tokens compare in full: no prefix, no
 * case folding. */
struct session *session_find(struct server *s, const char *token)
{
    if (strlen(token) != SESSION_TOKEN_HEX)
        return NULL;
    for (int i = 0; i < s->member_count; i++) {
        struct member *m = s->members[i];
        if (m->session != NULL && m->state == MEMBER_ACTIVE &&
            strcmp(m->session->token, token) == 0)
            return m->session;
    }
    return NULL;
}

unsigned long session_newest(const struct session *se)
{
    return se->first_id + se->count - 1; /* first_id - 1 while the outbox is empty */
}

/* Line id if it is still kept (its length in *length), or NULL. */
const char *session_line(const struct session *se, unsigned long id, size_t *length)
{
    if (id < se->first_id || id > session_newest(se))
        return NULL;
    size_t at = (se->head + (id - se->first_id)) % OUTBOX_MAX_LINES;
    *length = se->lengths[at];
    return se->lines[at];
}

static void drop_oldest(struct session *se)
{
    free(se->lines[se->head]);
    se->lines[se->head] = NULL;
    se->bytes -= se->lengths[se->head];
    se->head = (se->head + 1) % OUTBOX_MAX_LINES;
    se->first_id++;
    se->count--;
}

/* A room line (ending with LF) for a session: into its outbox, then to its stream or
 * its parked poll, if it has one. */
void session_deliver(struct server *s, struct session *se, const char *line,
                     size_t length)
{
    if (length > 0 && line[length - 1] == '\n')
        length--;
    /* Make room: lines already delivered may go; an undelivered one may not. */
    while (se->count > 0 &&
           (se->count == OUTBOX_MAX_LINES || se->bytes + length > OUTBOX_MAX_BYTES)) {
        if (se->first_id > se->delivered) {
            fprintf(stderr,
                    "%s: dropping %s: its outbox is full of lines it never took\n",
                    PROGRAM_NAME, se->member->nick);
            se->member->state = MEMBER_BROKEN;
            return;
        }
        drop_oldest(se);
    }
    char *copy = malloc(length > 0 ? length : 1);
    if (copy == NULL) {
        se->member->state = MEMBER_BROKEN;
        return;
    }
    memcpy(copy, line, length);
    size_t at = (se->head + se->count) % OUTBOX_MAX_LINES;
    se->lines[at] = copy;
    se->lengths[at] = length;
    se->count++;
    se->bytes += length;
    if (se->stream != NULL)
        sse_push(s, se);
    if (se->poll != NULL)
        poll_answer(s, se);
}

/* A connection that carried a stream or a poll for a session is finished: the
 * session no longer has it, and its -E clock starts now. */
void session_detach(struct conn *c)
{
    struct session *se = c->http != NULL ? c->http->session : NULL;
    if (se == NULL)
        return;
    if (se->stream == c)
        se->stream = NULL;
    if (se->poll == c)
        se->poll = NULL;
    se->last_active_ms = io_now_ms();
    c->http->session = NULL;
}

/* The session leaves the room (its member was dropped): its stream ends, a parked
 * poll is answered with what is left, and its token is forgotten. */
void session_end(struct server *s, struct session *se)
{
    if (se->poll != NULL)
        poll_answer(s, se);
    if (se->stream != NULL) {
        struct conn *c = se->stream;
        session_detach(c);
        if (se->member->state == MEMBER_BROKEN)
            c->state = CONN_GONE; /* it stopped reading: nothing more will go */
        else
            conn_close_gently(s, c, 0);
    }
    if (se->poll != NULL)
        session_detach(se->poll);
    /* A /send still reading its body must not feed a session that is gone. */
    for (int i = 0; i < s->conn_count; i++) {
        struct conn *c = s->conns[i];
        if (c->kind == CONN_HTTP && c->http->session == se)
            c->http->session = NULL;
    }
    session_free(se);
}

/* Its outbox and itself (at the very end, shutdown.c; or from session_end). */
void session_free(struct session *se)
{
    while (se->count > 0)
        drop_oldest(se);
    free(se);
}

static int idle(const struct session *se)
{
    return se->stream == NULL && se->poll == NULL;
}

/* When the next session expires (io_now_ms() time), or -1. */
long long session_next_expiry(const struct server *s)
{
    long long next = -1;
    for (int i = 0; i < s->member_count; i++) {
        const struct session *se = s->members[i]->session;
        if (se == NULL || !idle(se))
            continue;
        long long when = se->last_active_ms + (long long)s->session_secs * 1000;
        if (next < 0 || when < next)
            next = when;
    }
    return next;
}

/* -E: sessions nobody has asked about for that long leave the room. */
void session_expire(struct server *s)
{
    long long now = io_now_ms();
    for (int i = 0; i < s->member_count; i++) {
        struct member *m = s->members[i];
        struct session *se = m->session;
        if (se != NULL && idle(se) && m->state == MEMBER_ACTIVE &&
            now - se->last_active_ms >= (long long)s->session_secs * 1000) {
            fprintf(stderr, "%s: %s: no request for %d s, the session expires\n",
                    PROGRAM_NAME, m->nick, s->session_secs);
            m->state = MEMBER_LEAVING;
        }
    }
}
