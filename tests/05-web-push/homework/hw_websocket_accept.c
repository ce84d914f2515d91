/* Homework 5.3: websocket_accept(). Its SHA-1 and base64 come from the project
 * (common/), under the names of exercises 5.1 and 5.2, so this exercise stands on its
 * own. */
#include "exercises.h"
#include "homework.h"

#include "../../../common/base64.c"
#include "../../../common/sha1.c"

#include <string.h>

int sha1_digest(const void *data, size_t length, unsigned char digest[20])
{
    sha1(data, length, digest);
    return 0;
}

int base64_encode_bytes(const unsigned char *data, size_t length, char *out,
                        size_t out_size)
{
    return base64_encode(data, length, out, out_size);
}

static void expect(const char *key, const char *want)
{
    char out[29];
    memset(out, '#', sizeof out);
    int rc = websocket_accept(key, out);
    hw_require_started(rc != EXERCISE_NOT_STARTED, "websocket_accept");
    ck_assert_msg(rc == 0 && strcmp(out, want) == 0,
                  "key \"%s\": got %d \"%.28s\", expected \"%s\"", key, rc, out, want);
}

START_TEST(rfc6455_example)
{
    expect("dGhlIHNhbXBsZSBub25jZQ==", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}
END_TEST

START_TEST(other_keys)
{
    expect("AAAAAAAAAAAAAAAAAAAAAA==", "ICX+Yqv66kxgM0FcWaLWlFLwTAI=");
    expect("x3JJHMbDL1EzLkh9GBhXDw==", "HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
}
END_TEST

START_TEST(refuses_a_key_that_is_not_16_bytes)
{
    char out[29] = "untouched";
    int rc = websocket_accept("dGhlIHNhbXBsZSBub25jZQ=", out);
    hw_require_started(rc != EXERCISE_NOT_STARTED, "websocket_accept");
    ck_assert_msg(rc == -1, "a 23-character key: got %d, expected -1", rc);
    ck_assert_msg(websocket_accept("dGhlIHNhbXBsZSBub25jZQ==x", out) == -1,
                  "a 25-character key should give -1");
    ck_assert_msg(websocket_accept("dGhlIHNhbXBsZSBub25jZQab", out) == -1,
                  "24 characters without \"==\" (18 bytes) should give -1");
    ck_assert_msg(websocket_accept("", out) == -1, "an empty key should give -1");
    ck_assert_msg(strcmp(out, "untouched") == 0, "a refused key changed out");
}
END_TEST

TCase *hw_websocket_accept(void)
{
    TCase *tc = hw_tcase("5.3 websocket_accept");
    tcase_add_test(tc, rfc6455_example);
    tcase_add_test(tc, other_keys);
    tcase_add_test(tc, refuses_a_key_that_is_not_16_bytes);
    return tc;
}
