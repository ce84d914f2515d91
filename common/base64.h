/* base64.h: base64 (RFC 4648 §4), the standard alphabet with '=' padding.
 *
 * Three bytes become four characters from A-Z a-z 0-9 + /, so binary data (a random
 * key, a SHA-1 digest) can travel in a text header. The WebSocket handshake uses it
 * both ways: the client's Sec-WebSocket-Key must decode to exactly 16 bytes, and the
 * server's Sec-WebSocket-Accept is the base64 of a digest.
 */
#ifndef BASE64_H
#define BASE64_H

#include <stddef.h>

/* Characters needed to encode n bytes, plus the final NUL. */
#define BASE64_ENCODED_SIZE(n) (((n) + 2) / 3 * 4 + 1)

/* Encode data[0..length) into out as a NUL-terminated string. Returns the number of
 * characters (without the NUL), or -1 if out_size is too small. */
int base64_encode(const void *data, size_t length, char *out, size_t out_size);

/* Decode text[0..length) strictly: only the standard alphabet, a length that is a
 * multiple of 4, '=' only as the last one or two characters, and the unused bits
 * before the padding zero (so every byte string has one encoding, RFC 4648 §3.5).
 * Returns the number of bytes written to out, or -1 (malformed, or out too small). */
int base64_decode(const char *text, size_t length, unsigned char *out, size_t out_size);

#endif
