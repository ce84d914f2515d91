/* websocket.h: the WebSocket protocol (RFC 6455), without any socket.
 *
 * Three pieces, each a pure function of bytes, so that pushd, webchat, the tests and
 * the fuzzers all run the same code:
 *
 *   the handshake   an HTTP/1.1 GET with "Upgrade: websocket" becomes a 101 whose
 *                   Sec-WebSocket-Accept proves the server read the client's key
 *   the parser      frames out of a byte stream, however TCP cut it: a frame may
 *                   arrive one byte at a time, several may arrive in one read()
 *   the encoder     frame headers: 7-, 16- or 64-bit lengths, masked or not
 *
 * A frame on the wire (§5.2):
 *
 *     byte 0   FIN | RSV1 RSV2 RSV3 | opcode (4 bits)
 *     byte 1   MASK | length (7 bits: 0-125, or 126: 16 bits follow, 127: 64 bits)
 *     then     the extended length, big-endian; the 4-byte mask if MASK; the payload
 *
 * A client masks every frame with a fresh random key (XOR, byte i with key[i % 4]) so
 * that a malicious page cannot choose the bytes a proxy sees on the wire (§10.3:
 * cache poisoning); a server never masks.
 */
#ifndef WEBSOCKET_H
#define WEBSOCKET_H

#include "http.h"
#include "utf8.h"

#include <stddef.h>
#include <stdint.h>

/* The limits. */
#define WS_MAX_CONTROL_PAYLOAD 125         /* §5.5: control frames are small */
#define WS_MAX_MESSAGE_BYTES   (64 * 1024) /* a message's fragments, summed; else 1009 */
#define WS_MAX_HEADER_BYTES    14          /* 2 + 8 (length) + 4 (mask) */

/* Opcodes (§5.2); 3-7 and 11-15 are reserved. */
#define WS_OP_CONTINUATION 0x0
#define WS_OP_TEXT         0x1
#define WS_OP_BINARY       0x2
#define WS_OP_CLOSE        0x8
#define WS_OP_PING         0x9
#define WS_OP_PONG         0xa

/* Close codes (§7.4.1). */
#define WS_CLOSE_NORMAL         1000
#define WS_CLOSE_GOING_AWAY     1001 /* the server stops, or a client went silent */
#define WS_CLOSE_PROTOCOL_ERROR 1002
#define WS_CLOSE_UNSUPPORTED    1003 /* BINARY: the chat speaks text only */
#define WS_CLOSE_NO_STATUS      1005 /* never sent: a CLOSE that carried no code */
#define WS_CLOSE_INVALID_DATA   1007 /* TEXT that is not UTF-8 */
#define WS_CLOSE_TOO_BIG        1009

/* ---- The handshake (§4.2) ---------------------------------------------------------- */

/* The GUID every server appends to the key before hashing (§1.3). */
#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

/* Sec-WebSocket-Accept: 28 base64 characters and a NUL. */
#define WS_ACCEPT_SIZE 29

/* base64(SHA-1(key + WS_GUID)) into accept. Returns 0, or -1 if key is too long. */
int ws_accept_key(const char *key, char accept[WS_ACCEPT_SIZE]);

/* Judge an upgrade request whose head has been parsed. Returns 0 for a valid
 * handshake, with accept filled in; 426 for a Sec-WebSocket-Version other than 13
 * (answer with "Sec-WebSocket-Version: 13"); 403 for an Origin of another site, or
 * "null"; 400 for anything else wrong: not GET, not HTTP/1.1 or later, no single
 * Host, no "websocket" in Upgrade or "upgrade" in Connection, no version, a key
 * that is not the base64 of 16 bytes, a body. */
int ws_check_handshake(const struct http_request *req, char accept[WS_ACCEPT_SIZE]);

/* Does Origin ("http://example.com:8005") name the same host and port as Host
 * ("example.com:8005")? Host names compare ignoring case; an absent port is 80.
 * "null" (a sandboxed page, a file) never matches. Returns 1 or 0. */
int ws_origin_matches_host(const char *origin, const char *host);

/* ---- The parser (§5) --------------------------------------------------------------- */

/* What ws_parse() found. */
enum ws_event_type {
    WS_NEED_MORE,   /* every byte given was used: call again when more arrive */
    WS_TEXT_DATA,   /* data/length: the next piece of a TEXT message, unmasked, UTF-8
                       checked so far (a character may still be cut at its end) */
    WS_MESSAGE_END, /* the TEXT message is complete (its last fragment ended) */
    WS_PING,        /* data/length: the payload, to send back in a PONG */
    WS_PONG,        /* data/length: the payload */
    WS_CLOSE,       /* code: the peer's close code (WS_CLOSE_NO_STATUS: none);
                       data/length: the reason, UTF-8 */
    WS_FAIL,        /* code: the protocol was broken; close with this code */
};

struct ws_event {
    enum ws_event_type type;
    const unsigned char *data;
    size_t length;
    int code;
};

enum ws_stage { WS_STAGE_HEADER, WS_STAGE_PAYLOAD, WS_STAGE_FAILED };

struct ws_parser {
    int expect_masked; /* 1 in a server (clients must mask), 0 in a client */
    enum ws_stage stage;
    /* The frame being read. */
    unsigned char header[WS_MAX_HEADER_BYTES];
    size_t header_have; /* bytes of it so far */
    int fin, opcode;
    uint64_t length; /* payload bytes of this frame */
    uint64_t done;   /* of which read so far */
    unsigned char mask[4];
    int masked;
    /* The message being read, across fragments. */
    int message_open;       /* a TEXT message has begun and not ended */
    uint64_t message_bytes; /* its fragments' lengths, summed */
    struct utf8_state utf8; /* UTF-8 state across its fragments */
    int end_pending;        /* the last fragment is read: report WS_MESSAGE_END */
    /* A control frame's payload, gathered (it may arrive in pieces too). */
    unsigned char control[WS_MAX_CONTROL_PAYLOAD];
};

/* Ready to read frames: expect_masked 1 for a server, 0 for a client. */
void ws_parser_init(struct ws_parser *p, int expect_masked);

/* Read from bytes[0..length) (unmasked in place, so it must be writable) up to the
 * next event, and return how many bytes were used; *ev says what happened. Call it
 * again on what is left, and also with length 0, until it says WS_NEED_MORE: a
 * message can end without a byte more (its last payload byte was the last one read).
 * Nothing is allocated: a frame's length is judged from its header (a message over
 * WS_MAX_MESSAGE_BYTES fails with 1009 before its payload is read), payloads are
 * handed out where they lie, and control payloads fit in the parser. After WS_FAIL
 * or WS_CLOSE, stop reading. */
size_t ws_parse(struct ws_parser *p, unsigned char *bytes, size_t length,
                struct ws_event *ev);

/* Is code one a peer may send in a CLOSE (§7.4: 1000-1003, 1007-1014, 3000-4999)? */
int ws_close_code_valid(int code);

/* ---- The encoder ------------------------------------------------------------------- */

/* Write the header of a frame with FIN set (or not), this opcode and payload length
 * into out (WS_MAX_HEADER_BYTES), masked with mask[4] when mask is not NULL (a
 * client's frame: the caller then masks the payload with ws_mask). Returns its size:
 * 2, 4 or 10 bytes, plus 4 with a mask. */
size_t ws_frame_header(unsigned char *out, int fin, int opcode, uint64_t length,
                       const unsigned char *mask);

/* XOR bytes[0..length) with the mask, as if they started at payload offset `offset`
 * (masking and unmasking are the same operation). */
void ws_mask(unsigned char *bytes, size_t length, const unsigned char mask[4],
             uint64_t offset);

#endif
