/* exercises.h: chapter 5's homework. Six pieces of a WebSocket and SSE server.
 *
 * Each exercise is one function in its own file in this folder. Open the file,
 * replace the TODO with your code, and run `make homework CH=5` from the top of the
 * project (or `make homework EX=5.2` for one exercise, with every detail). The tests
 * are in tests/05-web-push/homework/; reference answers are in ../solutions/ (try
 * first!). Your files are compiled on their own, with only the C library; the tests
 * of 5.3 give it the project's SHA-1 and base64 under the names of 5.1 and 5.2.
 *
 * A function that still returns EXERCISE_NOT_STARTED is reported as "not started".
 */
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

/* Exercise 5.6: sse_event() in exercises/sse_event.c
 * Read: book/05-web-push.md, section "Server-sent events"
 *
 * Format one server-sent event into out, NUL-terminated: "id: ID\ndata: LINE\n\n".
 * A line that holds a CR or an LF would end the data field early (the browser would
 * see two lines, or a field we did not mean): return -1 for it. Return the length
 * (without the NUL), or -1 when it does not fit in out_size bytes.
 */
int sse_event(long long id, const char *line, char *out, size_t out_size);

#endif
