/* shutdown.c: what chatd does on SIGINT or SIGTERM, once its loop has ended.
 *
 * Everyone in the room gets "* server shutting down", then the end of the
 * connection. A client that reads gets the line at once. A client that stopped
 * reading cannot take it, and we will not wait for it: a server must stop within a
 * second of being asked, whatever its clients do. So the queues get SHUTDOWN_FLUSH_MS
 * to drain, and then every connection is closed, its queue sent or not.
 *
 * Nothing here waits longer than that. The select() below has a deadline, and the
 * waits of common/io.c give up at once now that a stop signal has come: with -B,
 * io_write_all() writes what the socket takes and drops a client that cannot take
 * the rest; io_linger() in close_client() sends the FIN and reads away only what has
 * already arrived, without waiting, so that unread input does not turn our end into
 * a reset.
 */
#include "chatd.h"

#include "io.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/select.h>

#define SHUTDOWN_FLUSH_MS 500 /* how long the queues may take to drain */

/* The clients with bytes still queued, in *writable; returns the highest fd, or -1. */
static int clients_with_output(struct server *s, fd_set *writable)
{
    int max_fd = -1;
    FD_ZERO(writable);
    for (int i = 0; i < s->count; i++) {
        struct client *c = s->clients[i];
        if (c->state == CLIENT_ACTIVE && c->out.start < c->out.end) {
            FD_SET(c->fd, writable);
            max_fd = c->fd > max_fd ? c->fd : max_fd;
        }
    }
    return max_fd;
}

void close_the_room(struct server *s)
{
    send_text_to_all(s, "* server shutting down");
    long long deadline = io_now_ms() + SHUTDOWN_FLUSH_MS;
    for (;;) {
        flush_output(s);
        fd_set writable;
        int max_fd = clients_with_output(s, &writable);
        int left_ms = io_ms_until(deadline);
        if (max_fd < 0 || left_ms == 0)
            break; /* all said, or out of time */
        struct timeval tv = {left_ms / 1000, (left_ms % 1000) * 1000};
        if (select(max_fd + 1, NULL, &writable, NULL, &tv) < 0 && errno != EINTR)
            break;
    }
    for (int i = 0; i < s->count; i++) {
        close_client(s->clients[i]->fd);
        free(s->clients[i]);
    }
    s->count = 0;
}
