/* tool/web.h: the tool around chapter 4's lesson, not the lesson.
 * The client side of chapter 5's HTTP transports, as experiments 2 and 3 need them:
 * a session (POST /join), an event stream (GET /events), a long poll (GET /poll)
 * and a WebSocket (GET /ws, upgraded), over a struct conn that counts its bytes.
 * Only what a reader of pushd's room needs: no masking, since we never send a frame.
 */
#ifndef WEB_H
#define WEB_H

#include "conn.h"

#define WEB_TOKEN_SIZE 33 /* pushd's session token: 32 hex digits, and the NUL */
#define WEB_FRAME_BAD  (-3)

/* POST /join on an open connection (kept open after): the new session's token.
 * Returns 0, or -1 with a message in why. */
int web_join(struct conn *c, const char *host, const char *port,
             char token[WEB_TOKEN_SIZE], char *why, size_t why_size);

/* GET /events?session=TOKEN and its head: from then on, the body is the stream.
 * Returns 0, or -1 with a message in why. */
int web_open_events(struct conn *c, const char *host, const char *port, const char *token,
                    char *why, size_t why_size);

/* GET /ws with the upgrade headers, and the 101 that answers it: from then on, the
 * connection carries frames. Returns 0, or -1 with a message in why. */
int web_upgrade(struct conn *c, const char *host, const char *port, char *why,
                size_t why_size);

/* Send GET /poll?session=TOKEN&since=SINCE. Returns 0, or -1 with errno. */
int web_send_poll(struct conn *c, const char *host, const char *port, const char *token,
                  unsigned long since);

/* The "next" of a long poll's answer, {"next":M,...}. Returns 0, or -1. */
int web_poll_next(const char *body, unsigned long *next);

/* Take one whole frame from what has arrived. A TEXT frame's payload goes into out
 * (NUL-terminated, cut to size - 1) and its length is returned; any other frame is
 * taken and 0 returned. Returns -1 while no whole frame is buffered, WEB_FRAME_BAD
 * for a frame this client cannot read (masked, or larger than its buffer). */
long web_take_frame(struct conn *c, char *out, size_t size);

#endif
