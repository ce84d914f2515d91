/* Homework 5.4: ws_frame_header(). */
#include "exercises.h"
#include "homework.h"

#include <string.h>

static int parse(const unsigned char *bytes, size_t length, struct ws_frame_header *h)
{
    memset(h, 0x5a, sizeof *h);
    int n = ws_frame_header(bytes, length, h);
    hw_require_started(n != EXERCISE_NOT_STARTED, "ws_frame_header");
    return n;
}

START_TEST(a_small_masked_text_frame)
{
    const unsigned char frame[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
                                   0x7f, 0x9f, 0x4d, 0x51, 0x58};
    struct ws_frame_header h;
    int n = parse(frame, sizeof frame, &h);
    ck_assert_msg(n == 6, "81 85 + a mask: a header of 6 bytes, got %d", n);
    ck_assert_msg(
        h.fin == 1 && h.rsv == 0 && h.opcode == 1 && h.masked == 1,
        "81 85: FIN 1, RSV 0, TEXT (1), masked; got fin %d rsv %d opcode %d masked %d",
        h.fin, h.rsv, h.opcode, h.masked);
    ck_assert_msg(h.payload_length == 5, "length 5, got %llu",
                  (unsigned long long)h.payload_length);
    ck_assert_msg(memcmp(h.mask, frame + 2, 4) == 0, "the mask is bytes 2-5");
}
END_TEST

START_TEST(sixteen_and_sixty_four_bit_lengths)
{
    struct ws_frame_header h;
    const unsigned char f16[] = {0x82, 0x7e, 0x01, 0x00};
    ck_assert_msg(
        parse(f16, sizeof f16, &h) == 4 && h.payload_length == 256 && h.opcode == 2 &&
            h.masked == 0,
        "82 7e 01 00: an unmasked BINARY of 256 bytes, header 4 bytes (big-endian)");
    const unsigned char f16max[] = {0x02, 0xfe, 0xff, 0xfe, 1, 2, 3, 4};
    ck_assert_msg(parse(f16max, sizeof f16max, &h) == 8 && h.payload_length == 65534 &&
                      h.fin == 0 && h.mask[3] == 4,
                  "02 fe ff fe + mask: 65534 bytes, not FIN, header 8 bytes");
    const unsigned char f64[] = {0x81, 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 9, 9, 9, 9};
    ck_assert_msg(parse(f64, sizeof f64, &h) == 14 && h.payload_length == 4294967296ULL,
                  "81 ff 00 00 00 01 00 00 00 00 + mask: 2^32 bytes, header 14 bytes");
    const unsigned char rsv[] = {0x7a, 0x00};
    ck_assert_msg(parse(rsv, sizeof rsv, &h) == 2 && h.rsv == 7 && h.opcode == 10 &&
                      h.fin == 0,
                  "7a 00: RSV 7, opcode 10 (PONG)");
}
END_TEST

START_TEST(asks_for_more_bytes)
{
    struct ws_frame_header h;
    const unsigned char f64[] = {0x81, 0xff, 0, 0, 0, 0, 0, 1, 0, 0, 9, 9, 9, 9};
    for (size_t length = 0; length < sizeof f64; length++) {
        int n = parse(f64, length, &h);
        ck_assert_msg(
            n == 0,
            "the first %zu of a 14-byte header: got %d, expected 0 (more, please)",
            length, n);
    }
    const unsigned char masked[] = {0x81, 0x80, 1, 2, 3};
    ck_assert_msg(parse(masked, 5, &h) == 0,
                  "81 80 and 3 of the 4 mask bytes: expected 0");
}
END_TEST

START_TEST(refuses_the_top_bit)
{
    struct ws_frame_header h;
    const unsigned char f64[] = {0x81, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 1};
    int n = parse(f64, sizeof f64, &h);
    ck_assert_msg(n == -1, "a 64-bit length with its top bit set: got %d, expected -1",
                  n);
}
END_TEST

TCase *hw_ws_frame_header(void)
{
    TCase *tc = hw_tcase("5.4 ws_frame_header");
    tcase_add_test(tc, a_small_masked_text_frame);
    tcase_add_test(tc, sixteen_and_sixty_four_bit_lengths);
    tcase_add_test(tc, asks_for_more_bytes);
    tcase_add_test(tc, refuses_the_top_bit);
    return tc;
}
