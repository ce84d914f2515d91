/* sha1.h: the SHA-1 hash (FIPS 180-4), written out by hand.
 *
 * Chapter 5's WebSocket handshake proves that the server understood the upgrade by
 * hashing the client's key with a fixed GUID and sending the digest back, base64-
 * encoded (RFC 6455 §4.2.2). SHA-1 is no longer safe for signatures, and here it
 * does not need to be: the handshake only shows that the answer came from a server
 * that speaks WebSocket, not a cache replaying an old response. No crypto library
 * needed: the algorithm is 80 rounds of shifts and additions over 64-byte blocks.
 *
 * Streaming: sha1_init, then sha1_update as many times as the data needs (a message
 * in any number of pieces hashes the same), then sha1_final.
 */
#ifndef SHA1_H
#define SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_DIGEST_SIZE 20 /* bytes: 160 bits */
#define SHA1_BLOCK_SIZE  64 /* bytes: the algorithm eats 512 bits at a time */

struct sha1 {
    uint32_t state[5];                    /* H0..H4, the running digest */
    uint64_t length;                      /* message bytes hashed so far */
    unsigned char block[SHA1_BLOCK_SIZE]; /* bytes waiting for a whole block */
    size_t block_used;
};

void sha1_init(struct sha1 *h);
void sha1_update(struct sha1 *h, const void *data, size_t length);
/* Pad, hash the last block(s) and write the 20-byte digest; h must be re-initialised
 * before another use. */
void sha1_final(struct sha1 *h, unsigned char digest[SHA1_DIGEST_SIZE]);

/* The whole thing in one call, for data already in memory. */
void sha1(const void *data, size_t length, unsigned char digest[SHA1_DIGEST_SIZE]);

#endif
