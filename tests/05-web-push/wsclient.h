/* wsclient.h: a raw WebSocket client for tests, written from RFC 6455 and
 * independent of the chapter's code (websocket.c), so that a bug there cannot hide
 * itself by being on both ends.
 *
 * It sends exactly the bytes a case asks for: any opcode and RSV bits, masked or
 * not, a length in the 7-, 16- or 64-bit form even when a shorter one would do, a
 * frame written one byte per write(), several frames in one write(). It reads the
 * server's frames with a time limit on every wait. */
#ifndef WSCLIENT_H
#define WSCLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* How a frame's length is written (§5.2): the shortest form, or a chosen one. */
enum wsc_length_form { WSC_LEN_MINIMAL, WSC_LEN_7, WSC_LEN_16, WSC_LEN_64 };

/* One frame to send. */
struct wsc_frame {
    int fin;    /* 1: the last (or only) fragment */
    int rsv;    /* the three RSV bits, 0-7 (RSV1 is 4) */
    int opcode; /* 0-15, reserved ones included */
    int masked; /* 1: as a client must (a fixed, non-zero key) */
    enum wsc_length_form form;
    uint64_t claimed_length; /* used when claim_length is set: a length that lies */
    int claim_length;
    const void *payload;
    size_t length;
};

/* A server frame as read. */
#define WSC_MAX_PAYLOAD (128 * 1024)
struct wsc_message {
    int fin, rsv, opcode, masked;
    size_t length;
    unsigned char payload[WSC_MAX_PAYLOAD + 1]; /* NUL after the payload */
};

/* A connection and the bytes read from it and not yet taken. */
#define WSC_BUFFER (256 * 1024)
struct wsclient {
    int fd;
    size_t have;
    unsigned char buffer[WSC_BUFFER];
};

/* Connect to 127.0.0.1:port. NULL on failure. */
struct wsclient *wsc_connect(int port);
void wsc_close(struct wsclient *c);

/* Send "GET path HTTP/1.1", Host 127.0.0.1:port, the usual upgrade headers with RFC
 * 6455 §1.3's key (unless extra_headers replaces them: pass full=0 to send only
 * extra_headers after the request line), and read the response head into head.
 * Returns the status, or -1. */
int wsc_handshake(struct wsclient *c, int port, const char *path,
                  const char *extra_headers, int full, char *head, size_t size);

/* Encode a frame into out (it must hold length + 14 bytes); returns its size. */
size_t wsc_encode(const struct wsc_frame *f, unsigned char *out);

/* Send bytes in one write, or one byte per write. Return 0, or -1 (peer gone). */
int wsc_send_bytes(struct wsclient *c, const void *bytes, size_t length);
int wsc_send_bytewise(struct wsclient *c, const void *bytes, size_t length);
/* Encode and send a frame (in one write). */
int wsc_send(struct wsclient *c, const struct wsc_frame *f);
/* A masked frame with FIN set and the minimal length: the common case. */
int wsc_send_simple(struct wsclient *c, int opcode, const void *payload, size_t length);
int wsc_send_text(struct wsclient *c, const char *text);

/* Read the next server frame within timeout_ms. Returns 1, or 0 on time-out, -1
 * when the connection ended (EOF or reset) before a whole frame came. */
int wsc_read(struct wsclient *c, struct wsc_message *m, int timeout_ms);

/* Does the server close the TCP connection within timeout_ms with nothing more than
 * whole frames it may still send (they are skipped)? 1 or 0. */
int wsc_wait_closed(struct wsclient *c, int timeout_ms);

/* A CLOSE frame's code, or -1 when its payload has none. */
int wsc_close_code(const struct wsc_message *m);

#endif
