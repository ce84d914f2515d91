/* pushd.h: what the files of pushd share: the server, its connections, the room's
 * members, and the functions each file offers the others.
 *
 *   pushd.c      the core: one select() loop over two listeners and every
 *                connection, accepting, reading, flushing, closing
 *   room.c       chapter 3's room: notices, relay, commands, the tick
 *   web.c        the HTTP port: requests with chapter 2's rules, files sent as the
 *                socket drains, and the doors to the other transports (/ws)
 *   ws_member.c  a room member on a WebSocket: frames in, frames out, pings, close
 *   sessions.c   a room member over plain HTTP, named by a token: its outbox
 *   sse.c        GET /events: server-sent events from the outbox
 *   poll.c       GET /poll: long polling on the outbox
 *   shutdown.c   SIGINT/SIGTERM: a goodbye on every transport
 *
 * websocket.c and utf8.c are the protocol alone (no sockets: webchat and the tests
 * use them too); lines.c, commands.c and queue.c are chapter 3's.
 */
#ifndef PUSHD_H
#define PUSHD_H

#include "commands.h"
#include "http.h"
#include "lines.h"
#include "net.h"
#include "queue.h"
#include "websocket.h"

#include <signal.h>
#include <sys/select.h>
#include <stddef.h>
#include <sys/types.h>

#define PROGRAM_NAME  "pushd"
#define SERVER_HEADER "http-vs-sockets-ch5"

/* select() watches descriptors below FD_SETSIZE only. Besides the connections we
 * hold stdin, stdout, stderr, two listening sockets, /dev/urandom, and need one more
 * to accept a client we then refuse. */
#define RESERVED_FDS      7
#define MAX_CONNS         (FD_SETSIZE - RESERVED_FDS)
#define MAX_MEMBERS_LIMIT MAX_CONNS /* -m: each member holds a connection */

/* A member's line buffer: a whole line of the longest kind with its CR and LF, and
 * room to add a read's worth before cutting (chapter 3's INPUT_CAPACITY). */
#define LINE_BUFFER_CAPACITY (4 * LINE_MAX_BYTES)

/* What a connection reads into: a whole HTTP request head fits (http.h), and so do
 * many WebSocket frames. */
#define CONN_INPUT_CAPACITY (HTTP_MAX_HEAD_BYTES + 1024)

/* ---- The room ---------------------------------------------------------------------- */

/* How a member hears the room. */
enum transport {
    TRANSPORT_RAW,       /* the chat port: the connection is the member */
    TRANSPORT_WEBSOCKET, /* likewise, after the upgrade */
    TRANSPORT_SESSION,   /* HTTP: a token names the member, across requests */
};

/* As in chapter 3: in the room (ACTIVE) until it leaves (LEAVING: /quit, its end
 * closed, a CLOSE frame; what it has queued still goes out) or breaks (BROKEN: a
 * reset, a protocol error, an output queue that overflowed). */
enum member_state { MEMBER_ACTIVE, MEMBER_LEAVING, MEMBER_BROKEN };

struct conn;
struct session;

/* Chat input not yet cut into lines, as chapter 3 kept it for each client. A raw or
 * WebSocket member has one: its connection is one stream of lines. A session has
 * none of its own: each POST /send body has one, since two bodies for the same
 * session may arrive at once on two connections, and the lines of one must not run
 * into the lines of the other. */
struct line_input {
    int discarding; /* inside a too-long line: drop bytes up to the next LF */
    size_t length;
    char bytes[LINE_BUFFER_CAPACITY];
};

struct member {
    char nick[NICK_MAX_BYTES + 1];
    enum member_state state;
    enum transport transport;
    struct conn *conn;       /* the connection it speaks through (raw, WebSocket) */
    struct session *session; /* or its session (SSE, long polling, /send) */
    struct line_input input; /* raw and WebSocket: what it typed, not yet a line */
};

/* ---- Sessions (sessions.c) --------------------------------------------------------- */

/* A socket is its own identity: whatever arrives on it comes from the member it
 * carries. HTTP is stateless: each request may come on another connection, so a
 * member that speaks HTTP is named by a token it got from POST /join and sends with
 * every request. Its lines wait in an outbox, numbered, until a stream (SSE) or a
 * poll takes them, so a client that reconnects can say where it got to. */
#define SESSION_TOKEN_HEX 32          /* 128 random bits, as hex digits */
#define OUTBOX_MAX_LINES  256         /* lines kept per session */
#define OUTBOX_MAX_BYTES  (64 * 1024) /* and their bytes, at most */

struct session {
    char token[SESSION_TOKEN_HEX + 1];
    struct member *member;
    /* The outbox: lines first_id .. first_id + count - 1, oldest at ring[head]. */
    char *lines[OUTBOX_MAX_LINES];
    size_t lengths[OUTBOX_MAX_LINES];
    size_t head;
    unsigned long first_id;
    unsigned long count;
    size_t bytes;
    unsigned long delivered; /* the newest line handed to its client */
    struct conn *stream;     /* its open SSE stream, or NULL */
    struct conn *poll;       /* its parked long poll, or NULL */
    long long last_active_ms;
};

/* ---- Connections ------------------------------------------------------------------- */

enum conn_kind {
    CONN_RAW,       /* the chat port: chapter 3's protocol */
    CONN_HTTP,      /* the HTTP port: requests and files */
    CONN_WEBSOCKET, /* an HTTP connection after "101 Switching Protocols" */
};

/* Open, then closing: first the queue drains, then we send our FIN (shutdown) and
 * read until the peer's (or a deadline), so that unread bytes never turn our last
 * words into a reset. GONE: close now. */
enum conn_state { CONN_OPEN, CONN_CLOSING, CONN_DRAINING, CONN_GONE };

/* What an HTTP connection is doing (web.c). */
enum http_stage {
    HTTP_READING,      /* waiting for (the rest of) a request head */
    HTTP_SKIPPING,     /* reading and throwing away a request body */
    HTTP_SENDING_FILE, /* the response's file goes out as the socket drains */
    HTTP_RECEIVING,    /* POST /send: its body is chat input, read as it comes */
    HTTP_STREAM,       /* GET /events: an SSE stream, until either side closes */
    HTTP_PARKED,       /* GET /poll: waiting for a line, or for -L seconds */
};

struct http_state {
    enum http_stage stage;
    struct http_request request;
    long long body_left;     /* HTTP_SKIPPING: body bytes still to throw away */
    int keep;                /* keep the connection after this response */
    long served;             /* requests answered on this connection */
    int file_fd;             /* HTTP_SENDING_FILE: the file, or -1 */
    long long file_left;     /* its bytes not yet queued */
    int request_started;     /* bytes of a request have come: its -t deadline runs */
    struct session *session; /* RECEIVING, STREAM, PARKED: whose */
    unsigned long since;     /* STREAM: the last event sent; PARKED: the cursor */
    struct line_input body;  /* RECEIVING: the /send body, not yet lines */
};

/* The WebSocket side of a connection (ws_member.c). */
struct ws_state {
    struct ws_parser parser;
    long long last_heard_ms; /* when the client last sent anything */
    int close_sent;          /* our CLOSE is queued: nothing more after it */
};

struct conn {
    int fd;
    enum conn_kind kind;
    enum conn_state state;
    char peer[NET_ADDRSTRLEN];
    long long deadline_ms; /* HTTP: idle or request timeout; closing: the linger */
    struct member *member; /* the member it carries (raw, WebSocket), or NULL */
    struct http_state *http;
    struct ws_state *ws;
    size_t in_length;
    unsigned char in[CONN_INPUT_CAPACITY];
    struct queue out; /* what we said and it has not taken yet (64 KiB at most) */
};

/* Everything the server knows, in one place: no global variables except the signal
 * flag (sig.h). */
struct server {
    int http_fd, chat_fd;    /* the two listeners */
    char root[PATH_MAX];     /* -d, resolved */
    int max_members;         /* -m: members on every transport together */
    int idle_ms;             /* -t */
    int poll_secs;           /* -L: how long a poll is parked */
    int session_secs;        /* -E: a session idle this long expires */
    int random_fd;           /* /dev/urandom, for session tokens */
    int ping_secs;           /* -K */
    int tick_secs;           /* -T: 0 = no tick */
    int verbose;             /* -v */
    sigset_t wait_mask;      /* the signal mask while we sleep in pselect() (sig.h) */
    long long accept_after;  /* io_now_ms() before which we do not accept (EMFILE) */
    unsigned long guests;    /* guest numbers handed out so far */
    unsigned long ticks;     /* ticks sent so far */
    long long next_tick_ms;  /* when the next tick is due */
    long long next_ping_ms;  /* when the next WebSocket ping is due */
    int member_count;        /* members in the room */
    struct member **members; /* the room, in joining order (what /who shows) */
    int conn_count;          /* open connections, every kind */
    struct conn **conns;
};

/* pushd.c */
void conn_close_gently(struct server *s, struct conn *c, int linger_ms);
void conn_limit_kernel_buffer(struct conn *c);
void conn_send(struct server *s, struct conn *c, const void *bytes, size_t length);
struct member *member_join(struct server *s, struct conn *c, enum transport transport);
void member_input(struct server *s, struct member *m, struct line_input *in,
                  const char *bytes, size_t length);
void member_input_end(struct server *s, struct member *m, struct line_input *in);
int room_is_full(const struct server *s);
void flush_output(struct server *s);
void conn_drain(struct conn *c);
void free_conn(struct conn *c);

/* room.c */
void deliver(struct server *s, struct member *to, const char *line, size_t length);
void name_new_guest(struct server *s, struct member *m);
void send_text(struct server *s, struct member *to, const char *text);
void send_text_to_all(struct server *s, const char *text);
void welcome(struct server *s, struct member *m);
void announce_left(struct server *s, const char *nick);
void handle_line(struct server *s, struct member *m, const char *text, size_t length);
void send_tick_if_due(struct server *s);

/* web.c */
struct http_state *http_start(void);
void http_read(struct server *s, struct conn *c);
void http_continue(struct server *s, struct conn *c);
int http_wants_write(const struct conn *c);

/* sessions.c */
struct member *session_join(struct server *s);
struct session *session_find(struct server *s, const char *token);
void session_deliver(struct server *s, struct session *se, const char *line,
                     size_t length);
const char *session_line(const struct session *se, unsigned long id, size_t *length);
unsigned long session_newest(const struct session *se);
void session_expire(struct server *s);
long long session_next_expiry(const struct server *s);
void session_end(struct server *s, struct session *se);
void session_free(struct session *se);
void session_detach(struct conn *c);

/* sse.c */
void sse_start(struct server *s, struct conn *c, struct session *se,
               const char *last_event_id);
void sse_push(struct server *s, struct session *se);
void sse_ping(struct server *s);

/* poll.c */
void poll_start(struct server *s, struct conn *c, struct session *se,
                unsigned long since);
void poll_answer(struct server *s, struct session *se);
void poll_expire(struct server *s, struct conn *c);

/* web.c, for the session transports */
void http_queue_head(struct server *s, struct conn *c, int status, const char *type,
                     long long length, const char *extra);
void http_response_done(struct server *s, struct conn *c);

/* ws_member.c */
void ws_accepted(struct server *s, struct conn *c);
void ws_read(struct server *s, struct conn *c);
void ws_take_input(struct server *s, struct conn *c);
void ws_deliver(struct server *s, struct member *to, const char *line, size_t length);
void ws_close(struct server *s, struct conn *c, int code);
void ws_ping_all(struct server *s);

/* shutdown.c */
void close_everything(struct server *s);

#endif
