/* Homework 5.2: base64_encode_bytes(), against RFC 4648 §10's test vectors. */
#include "exercises.h"
#include "homework.h"

#include <string.h>

static void expect(const char *text, const char *want)
{
    char out[64];
    memset(out, '#', sizeof out);
    int n =
        base64_encode_bytes((const unsigned char *)text, strlen(text), out, sizeof out);
    hw_require_started(n != EXERCISE_NOT_STARTED, "base64_encode_bytes");
    ck_assert_msg(n == (int)strlen(want) && strcmp(out, want) == 0,
                  "base64 of \"%s\": got %d \"%.60s\", expected %zu \"%s\"", text, n,
                  n >= 0 ? out : "", strlen(want), want);
}

START_TEST(rfc4648_vectors)
{
    expect("", "");
    expect("f", "Zg==");
    expect("fo", "Zm8=");
    expect("foo", "Zm9v");
    expect("foob", "Zm9vYg==");
    expect("fooba", "Zm9vYmE=");
    expect("foobar", "Zm9vYmFy");
}
END_TEST

START_TEST(every_byte_value)
{
    const unsigned char bytes[] = {0x00, 0x10, 0x83, 0x10, 0x51, 0x87, 0x20, 0x92,
                                   0x8b, 0x30, 0xd3, 0x8f, 0xfb, 0xef, 0xbe, 0xff};
    char out[32];
    int n = base64_encode_bytes(bytes, sizeof bytes, out, sizeof out);
    hw_require_started(n != EXERCISE_NOT_STARTED, "base64_encode_bytes");
    ck_assert_msg(n == 24 && strcmp(out, "ABCDEFGHIJKLMNOP++++/w==") == 0,
                  "00 10 83 10 51 87 ... fb ef be ff: got %d \"%s\", expected 24 "
                  "\"ABCDEFGHIJKLMNOP++++/w==\"",
                  n, n >= 0 ? out : "");
    const unsigned char high[] = {0xfb, 0xff, 0xbf};
    n = base64_encode_bytes(high, sizeof high, out, sizeof out);
    ck_assert_msg(
        n == 4 && strcmp(out, "+/+/") == 0,
        "fb ff bf should be \"+/+/\" (the last two letters of the alphabet), got \"%s\"",
        n >= 0 ? out : "");
}
END_TEST

START_TEST(refuses_a_small_buffer)
{
    char out[9];
    int n = base64_encode_bytes((const unsigned char *)"foobar", 6, out, 9);
    hw_require_started(n != EXERCISE_NOT_STARTED, "base64_encode_bytes");
    ck_assert_msg(n == 8, "\"foobar\" in 9 bytes (8 and the NUL): got %d, expected 8", n);
    n = base64_encode_bytes((const unsigned char *)"foobar", 6, out, 8);
    ck_assert_msg(n == -1,
                  "\"foobar\" in 8 bytes (no room for the NUL): got %d, expected -1", n);
    n = base64_encode_bytes((const unsigned char *)"f", 1, out, 4);
    ck_assert_msg(n == -1, "\"f\" in 4 bytes (\"Zg==\" and no room for the NUL): got %d",
                  n);
}
END_TEST

TCase *hw_base64_encode_bytes(void)
{
    TCase *tc = hw_tcase("5.2 base64_encode_bytes");
    tcase_add_test(tc, rfc4648_vectors);
    tcase_add_test(tc, every_byte_value);
    tcase_add_test(tc, refuses_a_small_buffer);
    return tc;
}
