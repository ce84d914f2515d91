/* naive.c: chatd -B, the way many chat examples send (Beej's selectserver among
 * them), kept so that you can watch it fail: book/03-select-chat.md, "The slow
 * client".
 *
 * The line goes straight to the client's socket, and we wait until every byte of it
 * is out. When a client stops reading, its receive buffer fills, then our send
 * buffer for it, and then this wait lasts as long as the client does not read. The
 * server is one thread: while it waits here, nobody is read, written to or accepted.
 *
 * The socket itself stays non-blocking; the wait is io_write_all() with no time
 * limit (common/io.c), which does what a blocking write() does: write what fits,
 * sleep until there is room, write again. One difference, on purpose: it sleeps in
 * pselect() with SIGINT and SIGTERM let through, so Ctrl-C still ends the server
 * (the wait returns at once with EINTR, the client is dropped, the loop sees the
 * flag). A blocking write() would sleep with those signals blocked, as they are
 * everywhere outside a pselect(), and only kill -9 would end the server.
 */
#include "chatd.h"

#include "io.h"
#include "log.h"

/* Returns 0 when every byte is out, -1 when the client is gone or a stop signal came
 * (deliver() then drops the client). */
int send_and_wait(struct server *s, struct client *to, const char *bytes, size_t length)
{
    if (s->verbose)
        log_wire(to->fd, LOG_SENT, bytes, length);
    return io_write_all(to->fd, bytes, length, -1) < 0 ? -1 : 0;
}
