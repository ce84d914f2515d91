/* utf8.h: checking UTF-8 (RFC 3629), piece by piece, and cleaning lines for the web.
 *
 * A WebSocket TEXT message must be UTF-8 (RFC 6455 §8.1), and it may arrive in
 * fragments that cut a character in two: "é" is C3 A9, and C3 may end one fragment
 * and A9 start the next. So the validator keeps a little state between calls: how
 * many continuation bytes the open character still needs, and which values the next
 * one may take (the ranges that exclude overlong forms, surrogates and code points
 * above U+10FFFF). It fails on the first byte that cannot be right, not at the end.
 *
 * The other way, raw chat clients may send any bytes at all, and a browser would
 * reject a frame or an event that is not UTF-8. utf8_clean() makes a line safe for
 * the web transports: every byte that is not part of a valid character, and every
 * CR, becomes U+FFFD, the replacement character.
 *
 * This module depends on the C library only.
 */
#ifndef UTF8_H
#define UTF8_H

#include <stddef.h>

struct utf8_state {
    unsigned need;     /* continuation bytes the open character still needs */
    unsigned char low; /* the range the next continuation byte must be in */
    unsigned char high;
};

void utf8_init(struct utf8_state *u);

/* Check bytes[0..length) as the continuation of what came before. Returns 0 while
 * everything so far can be the start of valid UTF-8, -1 at the first byte that
 * cannot (the state is then meaningless). */
int utf8_feed(struct utf8_state *u, const unsigned char *bytes, size_t length);

/* 1 if no character is left half-way (the text so far is complete UTF-8), else 0. */
int utf8_complete(const struct utf8_state *u);

/* The worst case of utf8_clean: every byte becomes the three bytes of U+FFFD. */
#define UTF8_CLEAN_SIZE(n) (3 * (n))

/* Copy in[0..length) to out, replacing each byte that is not part of a valid UTF-8
 * character, and each CR, by U+FFFD (EF BF BD). out needs UTF8_CLEAN_SIZE(length)
 * bytes. Returns the bytes written. */
size_t utf8_clean(const char *in, size_t length, char *out);

#endif
