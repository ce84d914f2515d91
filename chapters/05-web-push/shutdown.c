/* shutdown.c: what pushd does on SIGINT or SIGTERM, once its loop has ended.
 *
 * Every member hears "* server shutting down" on its own transport: a raw line; a
 * TEXT frame followed by CLOSE 1001 ("going away"); an event on an SSE stream; the
 * answer to a parked poll. Then, as in chapter 3, the
 * queues get a moment to drain, and a WebSocket client a moment to echo our CLOSE;
 * plain HTTP connections are simply closed. Nothing waits longer than
 * SHUTDOWN_WAIT_MS: a server must stop within a second of being asked, whatever its
 * clients do.
 */
#include "pushd.h"

#include "io.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#define SHUTDOWN_WAIT_MS 750

/* The connections still busy: writable for those with output, readable for those
 * waiting for the peer's end. Returns the highest fd, or -1 if none is busy. */
static int busy_conns(struct server *s, fd_set *readable, fd_set *writable)
{
    int max_fd = -1;
    FD_ZERO(readable);
    FD_ZERO(writable);
    for (int i = 0; i < s->conn_count; i++) {
        struct conn *c = s->conns[i];
        if (c->state == CONN_CLOSING && c->out.start < c->out.end)
            FD_SET(c->fd, writable);
        else if (c->state == CONN_DRAINING)
            FD_SET(c->fd, readable);
        else
            continue;
        max_fd = c->fd > max_fd ? c->fd : max_fd;
    }
    return max_fd;
}

static void say_goodbye(struct server *s)
{
    send_text_to_all(s, "* server shutting down");
    for (int i = 0; i < s->conn_count; i++) {
        struct conn *c = s->conns[i];
        if (c->kind == CONN_WEBSOCKET)
            ws_close(s, c, WS_CLOSE_GOING_AWAY);
        else if (c->kind == CONN_RAW || c->out.start < c->out.end)
            conn_close_gently(s, c, SHUTDOWN_WAIT_MS); /* a line, an event, an answer */
        else if (c->state == CONN_OPEN)
            c->state = CONN_GONE; /* plain HTTP: nothing to say */
    }
}

void close_everything(struct server *s)
{
    say_goodbye(s);
    long long deadline = io_now_ms() + SHUTDOWN_WAIT_MS;
    for (;;) {
        flush_output(s); /* a drained queue moves its connection on to draining */
        fd_set readable, writable;
        int max_fd = busy_conns(s, &readable, &writable);
        int left_ms = io_ms_until(deadline);
        if (max_fd < 0 || left_ms == 0)
            break; /* all said and heard, or out of time */
        struct timeval tv = {left_ms / 1000, (left_ms % 1000) * 1000};
        int ready = select(max_fd + 1, &readable, &writable, NULL, &tv);
        if (ready < 0 && errno != EINTR)
            break;
        for (int i = 0; ready > 0 && i < s->conn_count; i++)
            if (FD_ISSET(s->conns[i]->fd, &readable))
                conn_drain(s->conns[i]);
    }
    for (int i = 0; i < s->conn_count; i++) {
        struct conn *c = s->conns[i];
        close(c->fd);
        free_conn(c);
    }
    s->conn_count = 0;
    for (int i = 0; i < s->member_count; i++) {
        if (s->members[i]->session != NULL)
            session_free(s->members[i]->session);
        free(s->members[i]);
    }
    s->member_count = 0;
}
