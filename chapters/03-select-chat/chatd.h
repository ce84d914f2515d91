/* chatd.h: what the files of chatd share: the server, its clients, and the functions
 * each file offers the others.
 *
 *   chatd.c     the core: the select() loop, accept, reading and cutting lines,
 *               delivering through the bounded queues, flushing, dropping clients
 *   room.c      what the room says: the notices, the relay, the commands, the tick
 *   naive.c     -B, the blocking sends that let one slow client freeze the room
 *   shutdown.c  SIGINT/SIGTERM: "* server shutting down" to everyone, then close
 *
 * lines.c, commands.c and queue.c are the pieces that are exercises too: they depend
 * on the C library only.
 */
#ifndef CHATD_H
#define CHATD_H

#include "commands.h"
#include "lines.h"
#include "queue.h"

#include <signal.h>
#include <stddef.h>

#define PROGRAM_NAME "chatd"

/* A client's input buffer: room for a whole line of the longest kind with its CR and
 * LF, and more, so that one read() can bring several lines. */
#define INPUT_CAPACITY (4 * LINE_MAX_BYTES)

/* A client is in the room (ACTIVE) until it leaves: it said /quit or closed its end
 * (LEAVING: we still try to send what it has queued), or it broke: a reset, an error,
 * an output queue that overflowed (BROKEN: we just close). Step 5 of the loop takes
 * LEAVING and BROKEN clients out of the room. */
enum client_state { CLIENT_ACTIVE, CLIENT_LEAVING, CLIENT_BROKEN };

struct client {
    int fd;
    enum client_state state;
    char nick[NICK_MAX_BYTES + 1];
    int discarding;   /* inside a too-long line: drop bytes up to the next LF */
    size_t in_length; /* bytes in `in` not yet part of a complete line */
    char in[INPUT_CAPACITY];
    struct queue out; /* what we said to this client and it has not taken yet */
};

/* Everything the server knows, in one place: no global variables except the signal
 * flag (sig.h). */
struct server {
    int listen_fd;
    int max_clients;         /* -m */
    int tick_secs;           /* -T: 0 = no tick */
    int verbose;             /* -v: trace every byte */
    int blocking_sends;      /* -B: the broken way, to see the slow-client problem */
    sigset_t wait_mask;      /* the signal mask while we sleep in pselect() (sig.h) */
    long long accept_after;  /* io_now_ms() before which we do not accept (EMFILE) */
    unsigned long guests;    /* guest numbers handed out so far */
    unsigned long ticks;     /* ticks sent so far */
    long long next_tick_ms;  /* when the next tick is due, on io_now_ms()'s clock */
    int count;               /* clients in the room */
    struct client **clients; /* the room, in joining order (what /who shows) */
};

/* chatd.c */
void deliver(struct server *s, struct client *to, const char *bytes, size_t length);
void flush_output(struct server *s);
void close_client(int fd);

/* room.c */
void name_new_guest(struct server *s, struct client *c);
int same_name(const char *a, size_t a_length, const char *b, size_t b_length);
void send_text(struct server *s, struct client *to, const char *text);
void send_text_to_all(struct server *s, const char *text);
void welcome(struct server *s, struct client *c);
void announce_left(struct server *s, const char *nick);
void handle_line(struct server *s, struct client *c, const char *text, size_t length);
void send_tick_if_due(struct server *s);

/* naive.c */
int send_and_wait(struct server *s, struct client *to, const char *bytes, size_t length);

/* shutdown.c */
void close_the_room(struct server *s);

#endif
