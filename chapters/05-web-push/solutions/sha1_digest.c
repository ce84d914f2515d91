/* Reference answer to exercise 5.1: SHA-1 (FIPS 180-4 §6.1), the message in one piece.
 * The server's own, common/sha1.c, streams: it takes the message in any number of
 * pieces. */
#include "exercises.h"

#include <stdint.h>
#include <string.h>

static uint32_t rotate_left(uint32_t x, int n)
{
    return (x << n) | (x >> (32 - n));
}

/* One 64-byte block into the five state words h. */
static void sha1_block(uint32_t h[5], const unsigned char block[64])
{
    uint32_t w[80];
    for (int t = 0; t < 16; t++)
        w[t] = (uint32_t)block[4 * t] << 24 | (uint32_t)block[4 * t + 1] << 16 |
               (uint32_t)block[4 * t + 2] << 8 | (uint32_t)block[4 * t + 3];
    for (int t = 16; t < 80; t++)
        w[t] = rotate_left(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int t = 0; t < 80; t++) {
        uint32_t f, k;
        if (t < 20) {
            f = (b & c) | (~b & d);
            k = 0x5a827999;
        } else if (t < 40) {
            f = b ^ c ^ d;
            k = 0x6ed9eba1;
        } else if (t < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8f1bbcdc;
        } else {
            f = b ^ c ^ d;
            k = 0xca62c1d6;
        }
        uint32_t temp = rotate_left(a, 5) + f + e + k + w[t];
        e = d;
        d = c;
        c = rotate_left(b, 30);
        b = a;
        a = temp;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

int sha1_digest(const void *data, size_t length, unsigned char digest[20])
{
    uint32_t h[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
    const unsigned char *bytes = data;
    size_t whole = length - length % 64;
    for (size_t at = 0; at < whole; at += 64)
        sha1_block(h, bytes + at);
    /* The tail, a 1 bit, zeros, and the length in bits: one or two blocks. */
    unsigned char tail[128] = {0};
    size_t rest = length - whole;
    memcpy(tail, bytes + whole, rest);
    tail[rest] = 0x80;
    size_t tail_size = rest + 1 + 8 <= 64 ? 64 : 128;
    uint64_t bits = (uint64_t)length * 8;
    for (int i = 0; i < 8; i++)
        tail[tail_size - 1 - i] = (unsigned char)(bits >> (8 * i));
    for (size_t at = 0; at < tail_size; at += 64)
        sha1_block(h, tail + at);
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 4; j++)
            digest[4 * i + j] = (unsigned char)(h[i] >> (24 - 8 * j));
    return 0;
}
