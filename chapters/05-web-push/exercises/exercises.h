/* exercises.h: chapter 5's homework: your own WebSocket chat server, built stage by
 * stage, and six functions it calls.
 *
 * Your program is pushd.c in this folder: a skeleton that compiles and runs, with
 * main(), the flags, both listeners, the start line, chapter 3's room on the chat
 * port and the reading of HTTP request heads written for you, and a TODO for each
 * piece of this chapter's lesson (the upgrade, frames out, frames in, PING and CLOSE,
 * the close codes, the Origin check). The exercises are functions in their own files
 * here (sha1_digest.c, ...): open one, replace its TODO with your code. Run `make
 * homework CH=5` from the top of the project: it tests each exercise on its own (the
 * tests of 5.3 give it the project's SHA-1 and base64 under the names of 5.1 and
 * 5.2), then builds your server from every .c file in this folder and runs each
 * stage against it, in the order below, saying what it sent, what it expected and
 * what came back. `make homework EX=5.2` runs one exercise, `make homework EX=5.s1`
 * one stage, with every detail. Reference answers are in ../solutions/ (try first!).
 *
 * A function that still returns EXERCISE_NOT_STARTED is reported as "not started".
 */
/* clang-format off */
/* Your server is linked with these files of common/ and no others, so calling
 * anything else is a link error (tests/homework.mk reads this line, kept whole):
 * Links: common/http.c common/http_parse.c common/io.c common/net.c common/sig.c common/options.c common/log.c
 * They hold what earlier chapters taught: parsing a request head (http_parse_head,
 * http_header_value, http_header_has_token), listening, Ctrl-C, flags and the wire
 * trace. SHA-1 and base64 (common/sha1.c, base64.c) are not linked: your exercises
 * 5.1-5.3 replace them. The handshake, the frames and UTF-8 (the reference's
 * websocket.c, utf8.c, ws_member.c) are this chapter's lesson: yours to write; the
 * end of this file makes their functions a compile error in your program.
 */
/* clang-format on */
#ifndef EXERCISES_H
#define EXERCISES_H

#include <stddef.h>
#include <stdint.h>

#define EXERCISE_NOT_STARTED (-999)

/* Exercise 5.1: sha1_digest() in exercises/sha1_digest.c
 * Read: book/05-web-push.md, section "The WebSocket upgrade"
 *
 * The SHA-1 digest (FIPS 180-4) of data[0 .. length-1] into digest: pad the message
 * (a 1 bit, zeros, the length in bits as a 64-bit big-endian number) to a multiple of
 * 64 bytes, then run the 80 rounds over each 64-byte block. Return 0.
 * SHA-1 of "abc" is a9993e36 4706816a ba3e2571 7850c26c 9cd0d89d.
 */
int sha1_digest(const void *data, size_t length, unsigned char digest[20]);

/* Exercise 5.2: base64_encode_bytes() in exercises/base64_encode_bytes.c
 * Read: book/05-web-push.md, section "The WebSocket upgrade"
 *
 * Base64 (RFC 4648 §4, the standard alphabet A-Z a-z 0-9 + /, with '=' padding) of
 * data[0 .. length-1] into out, NUL-terminated. Return the number of characters
 * (without the NUL), or -1 when they and the NUL do not fit in out_size bytes.
 * "foobar" is "Zm9vYmFy", "fooba" is "Zm9vYmE=", "foob" is "Zm9vYg==".
 */
int base64_encode_bytes(const unsigned char *data, size_t length, char *out,
                        size_t out_size);

/* Exercise 5.3: websocket_accept() in exercises/websocket_accept.c
 * Read: book/05-web-push.md, section "The WebSocket upgrade"
 *
 * The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key (RFC 6455 §4.2.2):
 * base64 of the SHA-1 of the key followed by "258EAFA5-E914-47DA-95CA-C5AB0DC85B11".
 * Call your sha1_digest() and base64_encode_bytes(). The key must be base64 of 16
 * bytes: 24 characters, the last two "==" (else return -1, out untouched). Write the
 * 28 characters and a NUL into out; return 0.
 * "dGhlIHNhbXBsZSBub25jZQ==" gives "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".
 */
int websocket_accept(const char *key, char out[29]);

/* Stage 5.s1: answers the upgrade
 * Read: book/05-web-push.md, section "The WebSocket upgrade"
 *
 * check_handshake() and send_upgrade() in pushd.c, with websocket_accept()
 * (exercise 5.3): GET /ws with "Upgrade: websocket", "Connection: Upgrade",
 * "Sec-WebSocket-Version: 13" and a key gets "101 Switching Protocols" with
 * "Upgrade: websocket", "Connection: Upgrade" and the right Sec-WebSocket-Accept;
 * header names and tokens in any case ("upgrade: WebSocket", "Connection:
 * keep-alive, Upgrade") work too. The chat port keeps working beside it.
 */

/* Stage 5.s2: refuses bad handshakes
 * Read: book/05-web-push.md, section "The WebSocket upgrade"
 *
 * check_handshake(): a plain GET /ws, a PUT, HTTP/1.0, no Sec-WebSocket-Version, a
 * key that is not 24 characters ending in "==": 400; "Sec-WebSocket-Version: 8": 426
 * with "Sec-WebSocket-Version: 13" (answer_request() adds that header).
 */

/* Stage 5.s3: sends room lines as frames
 * Read: book/05-web-push.md, section "Frames and masking"
 *
 * ws_send_frame() and send_upgrade()'s join: after the 101 the client is a member,
 * and each room line reaches it as one unmasked TEXT frame with FIN set, the line
 * without its LF: the welcome "* welcome to pushd, you are guest1; /help for
 * commands", "* guest2 joined" when a raw client comes, "guest2: hello" when it
 * speaks, its "caf\xe9 \r ok" as "guest2: caf\xef\xbf\xbd \xef\xbf\xbd ok" (what is
 * not UTF-8 becomes U+FFFD: make_valid_utf8(), written for you), and its line of
 * 1000 bytes (a frame with a 16-bit length).
 */

/* Exercise 5.4: ws_frame_header() in exercises/ws_frame_header.c
 * Read: book/05-web-push.md, section "Frames and masking"
 *
 * Read the header of a WebSocket frame (RFC 6455 §5.2) from the first length bytes
 * of bytes: FIN (bit 7 of byte 0), RSV1-3 (bits 6-4, as one number 0-7), the opcode
 * (bits 3-0), MASK (bit 7 of byte 1) and the payload length: bits 6-0 of byte 1, or,
 * when they are 126, the next 2 bytes, or, when 127, the next 8 (both big-endian);
 * then, when MASK is set, the 4-byte masking key. Return the header's size (2 to 14)
 * with *out filled, 0 when length is too short to hold the whole header (more bytes
 * must arrive first; *out untouched), or -1 when a 64-bit length has its top bit set.
 */
struct ws_frame_header {
    int fin;
    int rsv;
    int opcode;
    int masked;
    uint64_t payload_length;
    unsigned char mask[4];
};
int ws_frame_header(const unsigned char *bytes, size_t length,
                    struct ws_frame_header *out);

/* Exercise 5.5: utf8_check() in exercises/utf8_check.c
 * Read: book/05-web-push.md, section "Frames and masking"
 *
 * Validate UTF-8 (RFC 3629) that arrives in pieces: a character may be split between
 * two calls. *state carries what is needed between calls (0 at the start; your own
 * encoding, e.g. the bytes still expected and the range the next one must be in).
 * Return -1 at the first byte that cannot be part of valid UTF-8 (an overlong form,
 * a surrogate U+D800-DFFF, above U+10FFFF, a stray continuation byte, 0xC0, 0xC1,
 * 0xF5-0xFF) without reading further, 1 when all is valid so far but the last
 * character is not complete yet, 0 when all is valid and complete.
 */
int utf8_check(unsigned int *state, const unsigned char *bytes, size_t length);

/* Stage 5.s4: reads masked frames
 * Read: book/05-web-push.md, section "Frames and masking"
 *
 * take_frames(), on_frame() and on_text() with ws_frame_header() and utf8_check()
 * (exercises 5.4 and 5.5): a masked TEXT frame "hi from the web" reaches the raw
 * client as "guest1: hi from the web", and never comes back to guest1; a message
 * holding "one\ntwo" is two lines; a message in two fragments (TEXT without FIN,
 * then CONTINUATION with FIN) is one line.
 */

/* Stage 5.s5: reads frames in any pieces
 * Read: book/05-web-push.md, section "Frames and masking"
 *
 * take_frames(): a frame written one byte at a time, a short payload in the 16-bit
 * and the 64-bit length forms, a 300-byte payload (16 bits), and three frames in one
 * write all decode the same. A frame cut short waits in c->in for the next read.
 */

/* Stage 5.s6: answers PING, echoes CLOSE
 * Read: book/05-web-push.md, section "The close handshake"
 *
 * on_frame() and ws_close(): PING "are you there" gets PONG with the same payload,
 * also between the two fragments of a message (which then still arrives whole); a
 * PONG gets nothing; CLOSE 1000 "bye" gets CLOSE 1000 back, then the server closes
 * the connection and the others hear "* guest1 left"; a CLOSE with no payload gets
 * CLOSE 1000.
 */

/* Stage 5.s7: closes with the right code
 * Read: book/05-web-push.md, section "The close handshake"
 *
 * frame_error(), on_text() and on_close(), each on a new connection: an unmasked
 * frame, an RSV bit, opcode 3, a CONTINUATION with no message open, a PING of 126
 * bytes, a CLOSE of 1 byte or with code 1005 or 5000: CLOSE 1002; BINARY: 1003; TEXT
 * that is not UTF-8: 1007; a header announcing 70,000 bytes (decided from the header,
 * before the payload comes): 1009. Then the server closes the connection.
 */

/* Stage 5.s8: drops a stalled WebSocket reader
 * Read: book/05-web-push.md, section "One loop for everything"
 *
 * deliver() with ws_send_frame(): guest1, a WebSocket client that never reads, is
 * dropped when its frames would pass 64 KiB in its queue ("* guest1 left"), while
 * guest3 floods the room from the chat port and guest2 gets every line, in order.
 */

/* Stage 5.s9: checks the Origin
 * Read: book/05-web-push.md, section "The Origin check"
 *
 * check_handshake() and same_site(): "Origin: http://127.0.0.1:PORT" (the page's own
 * site) gets 101; an Origin of another host, of another port, or "null" gets 403.
 */

/* Exercise 5.6: sse_event() in exercises/sse_event.c
 * Read: book/05-web-push.md, section "Server-sent events"
 *
 * Format one server-sent event into out, NUL-terminated: "id: ID\ndata: LINE\n\n".
 * A line that holds a CR or an LF would end the data field early (the browser would
 * see two lines, or a field we did not mean): return -1 for it. Return the length
 * (without the NUL), or -1 when it does not fit in out_size bytes.
 */
int sse_event(long long id, const char *line, char *out, size_t out_size);

/* The reference's own WebSocket and UTF-8 code (../websocket.h, ../utf8.h) is this
 * chapter's lesson, not for your program: using it is a compile error. (So include
 * this file after any other header, as pushd.c does.) */
#ifdef WEBSOCKET_H
#pragma GCC poison ws_accept_key ws_check_handshake ws_origin_matches_host ws_parse
#pragma GCC poison ws_parser_init ws_close_code_valid ws_mask
#endif
#ifdef UTF8_H
#pragma GCC poison utf8_init utf8_feed utf8_complete utf8_clean
#endif

#endif
