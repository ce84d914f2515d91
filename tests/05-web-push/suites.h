/* suites.h: chapter 5's suites, and the helpers they share (test_pushd_helpers.c). */
#ifndef SUITES_H
#define SUITES_H

#include "harness.h"

#include <check.h>
#include <stddef.h>
#include <sys/types.h>

#define CH5_DIR PROJECT_ROOT "/chapters/05-web-push"
#define PUSHD   CH5_DIR "/pushd"

Suite *pushd_http_suite(void);     /* the start line, the command line, static files */
Suite *pushd_room_suite(void);     /* chapter 3's room on the raw port, and -m, -T */
Suite *pushd_ws_suite(void);       /* the handshake, a WebSocket member, -K, shutdown */
Suite *pushd_sessions_suite(void); /* /join, SSE, long polling, /send, -E */
Suite *websocket_suite(void);      /* Autobahn-style frame cases (test_websocket.c) */
Suite *bridge_suite(void);         /* one room across raw, WebSocket, SSE, polling */
Suite *webchat_suite(void);        /* webchat over each transport, its command line */
Suite *browser_suite(void);        /* headless Chromium runs www/ over each transport */
Suite *interop_suite(void);        /* Node's ws package as a second, strict client */

/* One end of a conversation with pushd: a socket and the bytes read from it that
 * are not yet taken. */
#define PD_BUFFER (256 * 1024)
struct pd_peer {
    int fd;
    size_t length;
    unsigned char data[PD_BUFFER];
};

/* Milliseconds to wait for something that should come: 5 s times
 * CK_TIMEOUT_MULTIPLIER. */
int pd_wait_ms(void);

/* Start ./pushd -p 0 -P 0 with extra arguments (NULL-terminated list): its HTTP
 * port is server->port, its chat port server->port2. ck_asserts. */
void pd_start(struct server_proc *server, const char *const extra[]);

struct pd_peer *pd_connect(int port);
void pd_close(struct pd_peer *p);
void pd_send(struct pd_peer *p, const void *data, size_t length);
void pd_say(struct pd_peer *p, const char *text);

/* The next line (without its LF) within timeout_ms: its length, or -1 (*eof set to
 * 1 at the end of the connection, when eof is not NULL). */
ssize_t pd_read_line(struct pd_peer *p, char *out, size_t size, int timeout_ms, int *eof);
void pd_expect_line(struct pd_peer *p, const char *want);
/* ck_assert that the peer closes (EOF or reset) with nothing more. */
void pd_expect_closed(struct pd_peer *p);

/* Read an HTTP response head (up to its empty line) into out; returns the status.
 * The body, if any, stays in the peer's buffer. */
int pd_read_head(struct pd_peer *p, char *out, size_t size);
/* Take exactly n bytes (waiting for them) into out. ck_asserts. */
void pd_read_exact(struct pd_peer *p, void *out, size_t n);

/* Raw chat: connect to the chat port and read the welcome; the guest name goes to
 * name (32 bytes) when not NULL. */
struct pd_peer *pd_raw_join(int chat_port, char *name);

/* WebSocket: send a handshake for GET /ws with these extra header lines (each
 * ending in CRLF, or NULL) and return the response's status, its head in head. */
int pd_ws_handshake(struct pd_peer *p, int http_port, const char *extra, char *head,
                    size_t size);
/* Connect, upgrade (no Origin) and read the welcome frame; the name as above. */
struct pd_peer *pd_ws_join(int http_port, char *name);
/* Send a frame, masked as a client must (mask 0 sends it unmasked). */
void pd_ws_send(struct pd_peer *p, int fin, int opcode, const void *payload,
                size_t length, int mask);
/* The next frame: returns its payload length, opcode in *opcode, payload in out
 * (size bytes at most); -1 on time-out or end of connection. */
ssize_t pd_ws_read(struct pd_peer *p, int *opcode, unsigned char *out, size_t size,
                   int timeout_ms);
/* ck_assert that the next frame is TEXT with exactly this payload. */
void pd_ws_expect_text(struct pd_peer *p, const char *want);
/* ck_assert that the next frame is CLOSE with this code, and that the server then
 * closes the connection. */
void pd_ws_expect_close(struct pd_peer *p, int code);

/* name's full path from $PATH into path: 1 when found (an executable file). */
int pd_find_program(const char *name, char *path, size_t size);

#endif
