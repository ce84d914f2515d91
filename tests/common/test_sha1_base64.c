/* test_sha1_base64.c: SHA-1 (FIPS 180-4) and base64 (RFC 4648) against their
 * published test vectors, and the WebSocket accept key of RFC 6455 §1.3 that needs
 * both. */
#include "harness.h"
#include "suites.h"

#include "base64.h"
#include "sha1.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The digest of data as 40 lower-case hex digits. */
static void sha1_hex(const void *data, size_t length, char out[41])
{
    unsigned char digest[SHA1_DIGEST_SIZE];
    sha1(data, length, digest);
    for (int i = 0; i < SHA1_DIGEST_SIZE; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

static void expect_sha1(const char *text, const char *want)
{
    char got[41];
    sha1_hex(text, strlen(text), got);
    ck_assert_msg(strcmp(got, want) == 0, "SHA-1(\"%s\") = %s, want %s", text, got, want);
}

/* FIPS 180-4's examples (csrc.nist.gov, "SHA1.pdf") and the empty message. */
START_TEST(sha1_published_vectors)
{
    expect_sha1("abc", "a9993e364706816aba3e25717850c26c9cd0d89d");
    expect_sha1("", "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    expect_sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    expect_sha1("The quick brown fox jumps over the lazy dog",
                "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12");
}
END_TEST

/* One million 'a': many blocks, fed in uneven pieces, hashes like one call. */
START_TEST(sha1_million_a_in_pieces)
{
    size_t total = 1000000;
    char *a = malloc(total);
    ck_assert_ptr_nonnull(a);
    memset(a, 'a', total);
    struct sha1 h;
    sha1_init(&h);
    size_t done = 0, piece = 1;
    while (done < total) {
        size_t take = piece < total - done ? piece : total - done;
        sha1_update(&h, a + done, take);
        done += take;
        piece = piece * 3 % 1000 + 1; /* 1, 4, 13, 40, ...: never block-aligned */
    }
    unsigned char digest[SHA1_DIGEST_SIZE];
    sha1_final(&h, digest);
    char got[41];
    for (int i = 0; i < SHA1_DIGEST_SIZE; i++)
        snprintf(got + 2 * i, 3, "%02x", digest[i]);
    ck_assert_str_eq(got, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    free(a);
}
END_TEST

/* Messages of 55, 56, 63, 64 and 65 bytes: the padding's edge cases. */
START_TEST(sha1_padding_boundaries)
{
    static const struct {
        size_t length;
        const char *digest;
    } cases[] = {
        {55, "c1c8bbdc22796e28c0e15163d20899b65621d65a"},
        {56, "c2db330f6083854c99d4b5bfb6e8f29f201be699"},
        {63, "03f09f5b158a7a8cdad920bddc29b81c18a551f5"},
        {64, "0098ba824b5c16427bd7a1122a5a442a25ec644d"},
        {65, "11655326c708d70319be2610e8a57d9a5b959d3b"},
    };
    char text[65];
    memset(text, 'a', sizeof text);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char got[41];
        sha1_hex(text, cases[i].length, got);
        ck_assert_msg(strcmp(got, cases[i].digest) == 0, "%zu x 'a': %s, want %s",
                      cases[i].length, got, cases[i].digest);
    }
}
END_TEST

/* RFC 4648 §10. */
START_TEST(base64_rfc4648_vectors)
{
    static const char *const vectors[][2] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        char out[16];
        int n = base64_encode(vectors[i][0], strlen(vectors[i][0]), out, sizeof out);
        ck_assert_int_eq(n, (int)strlen(vectors[i][1]));
        ck_assert_str_eq(out, vectors[i][1]);
        unsigned char back[16];
        n = base64_decode(vectors[i][1], strlen(vectors[i][1]), back, sizeof back);
        ck_assert_int_eq(n, (int)strlen(vectors[i][0]));
        ck_assert(memcmp(back, vectors[i][0], (size_t)n) == 0);
    }
}
END_TEST

START_TEST(base64_every_byte_round_trips)
{
    unsigned char all[256], back[256];
    char text[BASE64_ENCODED_SIZE(256)];
    for (int i = 0; i < 256; i++)
        all[i] = (unsigned char)i;
    for (size_t length = 0; length <= 256; length += 17) {
        int n = base64_encode(all, length, text, sizeof text);
        ck_assert_int_ge(n, 0);
        ck_assert_int_eq(base64_decode(text, (size_t)n, back, sizeof back), (int)length);
        ck_assert(memcmp(all, back, length) == 0);
    }
}
END_TEST

START_TEST(base64_refuses_malformed_text)
{
    static const char *const bad[] = {
        "Zg=",      /* not a multiple of 4 */
        "Zg=a",     /* padding in the middle */
        "Z===",     /* three padding characters */
        "=Zg=",     /* padding first */
        "Zm9v\n",   /* a line break */
        "Zm 9",     /* a space */
        "Zh==",     /* unused bits not zero (non-canonical 'f') */
        "Zm9=",     /* likewise for two bytes */
        "Zg==Zg==", /* padding before the last group */
        "Zm-_",     /* the URL-safe alphabet is another encoding */
    };
    unsigned char out[16];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(base64_decode(bad[i], strlen(bad[i]), out, sizeof out) == -1,
                      "\"%s\" should be refused", bad[i]);
}
END_TEST

START_TEST(base64_buffers_too_small)
{
    char text[8];
    ck_assert_int_eq(base64_encode("foobar", 6, text, 8), -1); /* 8 + NUL needed */
    char exact[9];
    ck_assert_int_eq(base64_encode("foobar", 6, exact, sizeof exact), 8);
    unsigned char out[5];
    ck_assert_int_eq(base64_decode("Zm9vYmFy", 8, out, sizeof out), -1);
}
END_TEST

/* RFC 6455 §1.3: the example key and its Sec-WebSocket-Accept. */
START_TEST(websocket_accept_key_of_rfc6455)
{
    const char *key = "dGhlIHNhbXBsZSBub25jZQ==";
    const char *guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    struct sha1 h;
    sha1_init(&h);
    sha1_update(&h, key, strlen(key));
    sha1_update(&h, guid, strlen(guid));
    unsigned char digest[SHA1_DIGEST_SIZE];
    sha1_final(&h, digest);
    char accept[BASE64_ENCODED_SIZE(SHA1_DIGEST_SIZE)];
    ck_assert_int_eq(base64_encode(digest, sizeof digest, accept, sizeof accept), 28);
    ck_assert_str_eq(accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    unsigned char nonce[16];
    ck_assert_int_eq(base64_decode(key, strlen(key), nonce, sizeof nonce), 16);
    ck_assert(memcmp(nonce, "the sample nonce", 16) == 0);
}
END_TEST

Suite *sha1_base64_suite(void)
{
    Suite *s = suite_create("sha1_base64");
    TCase *tc = tcase_create("sha1");
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, sha1_published_vectors);
    tcase_add_test(tc, sha1_million_a_in_pieces);
    tcase_add_test(tc, sha1_padding_boundaries);
    suite_add_tcase(s, tc);
    tc = tcase_create("base64");
    tcase_set_timeout(tc, 5);
    tcase_add_test(tc, base64_rfc4648_vectors);
    tcase_add_test(tc, base64_every_byte_round_trips);
    tcase_add_test(tc, base64_refuses_malformed_text);
    tcase_add_test(tc, base64_buffers_too_small);
    tcase_add_test(tc, websocket_accept_key_of_rfc6455);
    suite_add_tcase(s, tc);
    return s;
}
