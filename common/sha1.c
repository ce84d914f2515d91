/* sha1.c: see sha1.h. The section numbers are FIPS 180-4's. */
#include "sha1.h"

#include <string.h>

/* §3.2: rotate left. n is 1, 5 or 30 here, never 0 or 32 (undefined shifts). */
static uint32_t rotl(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32 - n));
}

/* §4.2.1: the four round constants, one per 20 rounds. */
static const uint32_t round_constant[4] = {0x5a827999, 0x6ed9eba1, 0x8f1bbcdc,
                                           0xca62c1d6};

/* §4.1.1: the round function, which changes every 20 rounds. */
static uint32_t mix(unsigned round, uint32_t b, uint32_t c, uint32_t d)
{
    if (round < 20)
        return (b & c) ^ (~b & d); /* Ch: b chooses between c and d */
    if (round < 40 || round >= 60)
        return b ^ c ^ d;               /* Parity */
    return (b & c) ^ (b & d) ^ (c & d); /* Maj: the majority of the three bits */
}

/* §6.1.2: hash one 64-byte block into the state. The message is big-endian: each
 * word is built from its four bytes explicitly, so the host's byte order never
 * matters. */
static void hash_block(struct sha1 *h, const unsigned char *block)
{
    uint32_t w[80]; /* the message schedule */
    for (int t = 0; t < 16; t++)
        w[t] = (uint32_t)block[4 * t] << 24 | (uint32_t)block[4 * t + 1] << 16 |
               (uint32_t)block[4 * t + 2] << 8 | (uint32_t)block[4 * t + 3];
    for (int t = 16; t < 80; t++)
        w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);

    uint32_t a = h->state[0], b = h->state[1], c = h->state[2], d = h->state[3],
             e = h->state[4];
    for (unsigned t = 0; t < 80; t++) {
        uint32_t temp = rotl(a, 5) + mix(t, b, c, d) + e + round_constant[t / 20] + w[t];
        e = d;
        d = c;
        c = rotl(b, 30);
        b = a;
        a = temp;
    }
    h->state[0] += a;
    h->state[1] += b;
    h->state[2] += c;
    h->state[3] += d;
    h->state[4] += e;
}

void sha1_init(struct sha1 *h)
{
    /* §5.3.1: the initial hash value. */
    h->state[0] = 0x67452301;
    h->state[1] = 0xefcdab89;
    h->state[2] = 0x98badcfe;
    h->state[3] = 0x10325476;
    h->state[4] = 0xc3d2e1f0;
    h->length = 0;
    h->block_used = 0;
}

void sha1_update(struct sha1 *h, const void *data, size_t length)
{
    const unsigned char *bytes = data;
    h->length += length;
    while (length > 0) {
        size_t take = SHA1_BLOCK_SIZE - h->block_used;
        if (take > length)
            take = length;
        memcpy(h->block + h->block_used, bytes, take);
        h->block_used += take;
        bytes += take;
        length -= take;
        if (h->block_used == SHA1_BLOCK_SIZE) {
            hash_block(h, h->block);
            h->block_used = 0;
        }
    }
}

void sha1_final(struct sha1 *h, unsigned char digest[SHA1_DIGEST_SIZE])
{
    /* §5.1.1: a 1 bit, zeros up to 56 bytes into a block, then the message length
     * in bits as a 64-bit big-endian number. If the length does not fit after the
     * 1 bit, the padding takes one more block. */
    uint64_t bits = h->length * 8;
    h->block[h->block_used++] = 0x80;
    if (h->block_used > SHA1_BLOCK_SIZE - 8) {
        memset(h->block + h->block_used, 0, SHA1_BLOCK_SIZE - h->block_used);
        hash_block(h, h->block);
        h->block_used = 0;
    }
    memset(h->block + h->block_used, 0, SHA1_BLOCK_SIZE - 8 - h->block_used);
    for (int i = 0; i < 8; i++)
        h->block[SHA1_BLOCK_SIZE - 1 - i] = (unsigned char)(bits >> (8 * i));
    hash_block(h, h->block);
    for (int i = 0; i < 5; i++) {
        digest[4 * i] = (unsigned char)(h->state[i] >> 24);
        digest[4 * i + 1] = (unsigned char)(h->state[i] >> 16);
        digest[4 * i + 2] = (unsigned char)(h->state[i] >> 8);
        digest[4 * i + 3] = (unsigned char)h->state[i];
    }
}

void sha1(const void *data, size_t length, unsigned char digest[SHA1_DIGEST_SIZE])
{
    struct sha1 h;
    sha1_init(&h);
    sha1_update(&h, data, length);
    sha1_final(&h, digest);
}
