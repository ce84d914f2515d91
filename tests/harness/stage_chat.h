/* stage_chat.h: chat clients for the stages of the chat servers: chapter 3's chatd,
 * and chapter 5's pushd on its chat port, which speaks chapter 3's line protocol.
 *
 * A chat peer is one raw client, like nc: it sends text and reads the server's lines.
 * The checks wait (bounded) for the line they expect and, when something is wrong,
 * say who was talking, what happened before, what was expected, what came instead,
 * and where to look:
 *   guest2: guest1 sent "hello\n", expected the line "guest1: hello", got nothing in
 *   5 s (is the loop's select() watching every client?). Read book/03-...
 *
 * The flood (chat_expect_stalled_dropped) is the slow-client stage both chapters have:
 * one member never reads, and the server must drop it rather than wait for it.
 */
#ifndef STAGE_CHAT_H
#define STAGE_CHAT_H

#include "stage.h"

#include <stddef.h>
#include <sys/types.h>

/* The most a peer holds of what it has not taken yet: more than any line a stage
 * expects, so that a line is never cut short in a message. */
#define CHAT_PEER_MAX (64 * 1024)

struct chat_peer {
    int fd;
    const char *name; /* for messages: "guest2 (chat port)"; NULL when not connected */
    size_t length;    /* bytes read but not taken as lines yet */
    char data[CHAT_PEER_MAX];
};

/* Connect p to the chat server on 127.0.0.1:port, or fail the test saying so. name is
 * who p is in messages. Returns p. */
struct chat_peer *chat_connect(struct chat_peer *p, int port, const char *name);

/* The receive buffer chat_socket_small() asks for (the kernel may double it). */
#define CHAT_SMALL_BUFFER 4096

/* A socket with a small receive buffer (CHAT_SMALL_BUFFER), connected to port:
 * a client that never reads soon fills it, and the server finds its writes blocked.
 * Fails the test ("WHAT: could not connect to 127.0.0.1:N (...): is it listening?")
 * if it cannot connect. For a member on another transport (a WebSocket). */
int chat_socket_small(int port, const char *what);

/* chat_connect() with that small receive buffer. */
struct chat_peer *chat_connect_small(struct chat_peer *p, int port, const char *name);

/* Send text as it is (it carries its own LF). */
void chat_say(struct chat_peer *p, const char *text);

/* Close p's connection and forget it. */
void chat_close(struct chat_peer *p);

/* Close every connected one of count peers (for the end of a stage). */
void chat_close_all(struct chat_peer *peers, size_t count);

/* Fail unless p's next line (without its LF) is exactly want. after says what
 * happened before, for the message ("guest1 sent \"hi\\n\""); hint says where to
 * look. With skip_notices set, lines the check is not about are passed over: others'
 * "* guestN joined" and "* guestN left" (unless want is one), and p's own welcome
 * (unless want is one); a stage sets it when the server may or may not send them
 * yet, or when they are not what it tests. */
void chat_expect(struct chat_peer *p, const char *want, int skip_notices,
                 const char *after, const char *hint);

/* The same for a line of length bytes, which may hold NUL bytes. */
void chat_expect_bytes(struct chat_peer *p, const char *want, size_t length,
                       int skip_notices, const char *after, const char *hint);

/* The same for a line that starts with want (the message shows it as "want..."). */
void chat_expect_start(struct chat_peer *p, const char *want, int skip_notices,
                       const char *after, const char *hint);

/* Fail unless the server closes p's connection, after at most the one line may (NULL
 * for none) and any notices. */
void chat_expect_closed(struct chat_peer *p, const char *may, const char *after,
                        const char *hint);

/* The slow-client stage. Its clients, in the order they connect (hence their guest
 * numbers):
 *   guest1, a member that never reads, on whichever transport the chapter tests (from
 *     chat_connect_small() or chat_socket_small());
 *   guest2, a chat peer that reads everything (from chat_connect_small(): see
 *     chat_expect_stalled_dropped());
 *   guest3, a chat peer that writes numbered lines of 1000 bytes as fast as the
 *     server takes them, but never more than 32 lines ahead of guest2. */
struct chat_flood {
    int stalled_fd;           /* guest1's socket */
    const char *stalled;      /* guest1 in messages: "guest1", "guest1 (a WebSocket)" */
    struct chat_peer *reader; /* guest2, its welcome and "* guest3 joined" read */
    struct chat_peer *writer; /* guest3 (made non-blocking, with TCP_NODELAY, here) */
    const char *rule;         /* what the server must do: "A client whose output
                                 queue would pass 64 KiB must be dropped" */
    const char *hint;         /* where to look */
};

/* Flood until guest2 sees "* guest1 left", every line reaching guest2 whole and in
 * order; flood on, and every line after the drop reaches guest2 too; then guest1,
 * having read what was queued for it, finds its connection closed. Fails the test at
 * the first of these that does not happen, saying which and how far the flood got.
 * guest2's small receive buffer keeps the flood quick when the server leaves Nagle's
 * algorithm on (stage_chat.c, expect_small_buffer(), says why). */
void chat_expect_stalled_dropped(const struct chat_flood *setup);

#endif
