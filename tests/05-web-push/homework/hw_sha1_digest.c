/* Homework 5.1: sha1_digest(), against FIPS 180-4's examples and lengths around the
 * padding's edges (checked against the project's own SHA-1). */
#include "exercises.h"
#include "homework.h"

#include <stdio.h>
#include <string.h>

/* The digest of text as 40 hex digits. */
static void hex_digest(const void *data, size_t length, char hex[41])
{
    unsigned char digest[20];
    memset(digest, 0, sizeof digest);
    int rc = sha1_digest(data, length, digest);
    hw_require_started(rc != EXERCISE_NOT_STARTED, "sha1_digest");
    ck_assert_msg(rc == 0, "sha1_digest returned %d, expected 0", rc);
    for (int i = 0; i < 20; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

static void expect(const char *text, size_t length, const char *want)
{
    char hex[41];
    hex_digest(text, length, hex);
    ck_assert_msg(strcmp(hex, want) == 0,
                  "SHA-1 of %zu bytes (\"%.20s...\"): got %s, expected %s", length, text,
                  hex, want);
}

START_TEST(published_examples)
{
    expect("abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d");
    expect("", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    expect("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
           "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}
END_TEST

/* 55 bytes leave room for the length in the last block; 56 to 63 do not: the
 * padding then takes a second block. */
START_TEST(lengths_around_a_block)
{
    static const struct {
        size_t length;
        const char *digest;
    } table[] = {
        {55, "c1c8bbdc22796e28c0e15163d20899b65621d65a"},
        {56, "c2db330f6083854c99d4b5bfb6e8f29f201be699"},
        {63, "03f09f5b158a7a8cdad920bddc29b81c18a551f5"},
        {64, "0098ba824b5c16427bd7a1122a5a442a25ec644d"},
        {65, "11655326c708d70319be2610e8a57d9a5b959d3b"},
    };
    char text[70];
    memset(text, 'a', sizeof text);
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        expect(text, table[i].length, table[i].digest);
}
END_TEST

START_TEST(many_blocks)
{
    static char text[1000];
    memset(text, 'a', sizeof text);
    expect(text, sizeof text, "291e9a6c66994949b57ba5e650361e98fc36b1ba");
}
END_TEST

TCase *hw_sha1_digest(void)
{
    TCase *tc = hw_tcase("5.1 sha1_digest");
    tcase_add_test(tc, published_examples);
    tcase_add_test(tc, lengths_around_a_block);
    tcase_add_test(tc, many_blocks);
    return tc;
}
