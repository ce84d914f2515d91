/* test_websocket.c: pushd's WebSocket, case by case, in the manner of the
 * Autobahn|Testsuite: each test is named after the suite's category (1 framing,
 * 2 pings, 3 reserved bits, 4 opcodes, 5 fragmentation, 6 UTF-8, 7 close, 9 limits)
 * and checks one rule of RFC 6455 over a real connection. test_pushd_ws.c has the
 * handshake and the first cases (an unmasked frame, BINARY, a bad byte, opcode 3, a
 * 64-bit length over the limit, a PING between fragments, close echoes); these do
 * not repeat them.
 *
 * How a case sees the server's side: a raw chat client sits in the room, so a line
 * the WebSocket member sends shows up there as "guest2: ...", and "* guest2 left"
 * when the server drops it. The frames are built here byte by byte, from the RFC's
 * §5.2 layout, so that a test can send what a correct client never would.
 */
#include "suites.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIN  0x80
#define RSV1 0x40
#define RSV2 0x20
#define RSV3 0x10

#define TEXT  0x1
#define CONT  0x0
#define CLOSE 0x8
#define PING  0x9
#define PONG  0xa

static struct server_proc server;

/* A WebSocket member, and a raw client that watches the room. */
struct room {
    struct pd_peer *ws;
    struct pd_peer *raw;
    char name[32]; /* the WebSocket member's */
};

static void start(void)
{
    pd_start(&server, NULL);
}

static void stop(void)
{
    server_stop_clean(&server, "pushd");
}

/* A new WebSocket member, in the room the raw client watches. */
static void join_ws(struct room *r)
{
    r->ws = pd_ws_join(server.port, r->name);
    char line[64];
    snprintf(line, sizeof line, "* %s joined", r->name);
    pd_expect_line(r->raw, line);
}

static void join(struct room *r)
{
    r->raw = pd_raw_join(server.port2, NULL);
    join_ws(r);
}

static void leave(struct room *r)
{
    pd_close(r->ws);
    pd_close(r->raw);
}

/* The raw client hears the WebSocket member say text. */
static void expect_said(struct room *r, const char *text)
{
    char line[2048];
    snprintf(line, sizeof line, "%s: %s", r->name, text);
    pd_expect_line(r->raw, line);
}

/* The member is still there and heard: a line it sends reaches the room. */
static void expect_alive(struct room *r)
{
    pd_ws_send(r->ws, 1, TEXT, "still here", 10, 1);
    expect_said(r, "still here");
}

/* The server closes with code, and the room hears the member left. */
static void expect_dropped(struct room *r, int code)
{
    pd_ws_expect_close(r->ws, code);
    char line[64];
    snprintf(line, sizeof line, "* %s left", r->name);
    pd_expect_line(r->raw, line);
}

/* A masked frame: first byte (FIN, RSV, opcode) as given, the length in `bytes`
 * bytes (1: 7 bits, 2: 126 and 16 bits, 8: 127 and 64 bits), whatever the payload's
 * size says (a test may want a length longer than needed). Returns its size. */
static size_t frame(unsigned char *out, unsigned first, const void *payload,
                    uint64_t length, int bytes)
{
    static const unsigned char key[4] = {0xa1, 0x07, 0x5e, 0xd2};
    size_t at = 0;
    out[at++] = (unsigned char)first;
    if (bytes == 1) {
        out[at++] = (unsigned char)(0x80 | length);
    } else {
        out[at++] = 0x80 | (bytes == 2 ? 126 : 127);
        for (int i = bytes - 1; i >= 0; i--)
            out[at++] = (unsigned char)(length >> (8 * i));
    }
    memcpy(out + at, key, 4);
    at += 4;
    const unsigned char *in = payload;
    for (uint64_t i = 0; payload != NULL && i < length; i++)
        out[at + i] = in[i] ^ key[i % 4];
    return at + (payload != NULL ? (size_t)length : 0);
}

/* The smallest length field for length, as §5.2 requires of a sender. */
static int minimal_bytes(size_t length)
{
    return length <= 125 ? 1 : length <= 0xffff ? 2 : 8;
}

static void send_frame(struct room *r, unsigned first, const void *payload, size_t length)
{
    static unsigned char out[14 + 70 * 1024];
    ck_assert(length <= 70 * 1024);
    pd_send(r->ws, out, frame(out, first, payload, length, minimal_bytes(length)));
}

/* A message of exactly `size` bytes that the room hears as one line, tag: all but
 * its last bytes are LFs, empty lines, which say nothing (chapter 3's rule). */
static char *padded_message(size_t size, const char *tag)
{
    size_t tag_length = strlen(tag);
    char *message = malloc(size);
    ck_assert(message != NULL && size >= tag_length);
    memset(message, '\n', size - tag_length);
    memcpy(message + size - tag_length, tag, tag_length);
    return message;
}

/* ---- 1 Framing -----------------------------------------------------------------------
 */

START_TEST(framing_1_1_1_empty_text_says_nothing)
{
    start();
    struct room r;
    join(&r);
    send_frame(&r, FIN | TEXT, "", 0);
    expect_alive(&r); /* the next line the room hears is this one */
    leave(&r);
    stop();
}
END_TEST

/* The lengths at the edges of each encoding (§5.2): 125 is the largest 7-bit one,
 * 126 the smallest 16-bit one, 65535 the largest; 65536 needs 64 bits (and is the
 * largest message pushd takes). Each header is checked byte by byte here. */
START_TEST(framing_1_1_2_lengths_at_the_edges_of_each_encoding)
{
    static const struct {
        size_t size;
        unsigned char length_byte; /* the second byte, mask bit cleared */
        size_t header;             /* without the mask */
    } cases[] = {{125, 125, 2}, {126, 126, 4}, {65535, 126, 4}, {65536, 127, 10}};
    start();
    struct room r;
    join(&r);
    static unsigned char out[14 + 65536];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char tag[32];
        snprintf(tag, sizeof tag, "payload %zu", cases[i].size);
        char *message = padded_message(cases[i].size, tag);
        size_t n =
            frame(out, FIN | TEXT, message, cases[i].size, minimal_bytes(cases[i].size));
        free(message);
        ck_assert_uint_eq(out[1] & 0x7f, cases[i].length_byte);
        ck_assert_uint_eq(n, cases[i].header + 4 + cases[i].size);
        pd_send(r.ws, out, n);
        expect_said(&r, tag);
    }
    leave(&r);
    stop();
}
END_TEST

/* The server's frames use the smallest length field: a line of 125 bytes goes with
 * a 7-bit length, one of 126 with a 16-bit one. */
START_TEST(framing_1_2_server_lengths_are_minimal)
{
    start();
    struct room r;
    join(&r);
    const char *prefix = "guest1: ";
    static const size_t sizes[] = {125, 126, 1000};
    for (size_t i = 0; i < 3; i++) {
        char line[1100];
        size_t text = sizes[i] - strlen(prefix);
        memset(line, 'a' + (char)i, text);
        line[text] = '\n';
        pd_send(r.raw, line, text + 1);
        unsigned char header[4];
        pd_read_exact(r.ws, header, 2);
        ck_assert_uint_eq(header[0], FIN | TEXT);
        if (sizes[i] <= 125) {
            ck_assert_uint_eq(header[1], sizes[i]); /* unmasked: servers do not mask */
        } else {
            ck_assert_uint_eq(header[1], 126);
            pd_read_exact(r.ws, header + 2, 2);
            ck_assert_uint_eq((size_t)(header[2] << 8 | header[3]), sizes[i]);
        }
        char payload[1100];
        pd_read_exact(r.ws, payload, sizes[i]);
        ck_assert(memcmp(payload, prefix, strlen(prefix)) == 0);
    }
    leave(&r);
    stop();
}
END_TEST

/* §5.2 asks a sender for the minimal length encoding; a receiver loses nothing by
 * reading a longer one, and pushd does. */
START_TEST(framing_1_3_non_minimal_lengths_are_read)
{
    start();
    struct room r;
    join(&r);
    unsigned char out[64];
    pd_send(r.ws, out, frame(out, FIN | TEXT, "sixteen", 7, 2));
    expect_said(&r, "sixteen");
    pd_send(r.ws, out, frame(out, FIN | TEXT, "sixty-four", 10, 8));
    expect_said(&r, "sixty-four");
    leave(&r);
    stop();
}
END_TEST

/* Control frames one byte per write decode like whole ones: a PING, then a CLOSE. */
START_TEST(framing_1_4_control_frames_one_byte_per_write)
{
    start();
    struct room r;
    join(&r);
    unsigned char out[64];
    size_t n = frame(out, FIN | PING, "bytewise", 8, 1);
    for (size_t i = 0; i < n; i++)
        pd_send(r.ws, out + i, 1);
    unsigned char pong[16];
    int opcode;
    ck_assert_int_eq(pd_ws_read(r.ws, &opcode, pong, sizeof pong, pd_wait_ms()), 8);
    ck_assert_int_eq(opcode, PONG);
    ck_assert(memcmp(pong, "bytewise", 8) == 0);
    unsigned char code[] = {0x03, 0xe8, 'b', 'y', 'e'}; /* 1000, "bye" */
    n = frame(out, FIN | CLOSE, code, sizeof code, 1);
    for (size_t i = 0; i < n; i++)
        pd_send(r.ws, out + i, 1);
    expect_dropped(&r, 1000);
    leave(&r);
    stop();
}
END_TEST

/* A frame and the first half of the next in one write, the rest later. */
START_TEST(framing_1_5_frames_cut_across_writes)
{
    start();
    struct room r;
    join(&r);
    unsigned char out[128];
    size_t first = frame(out, FIN | TEXT, "first", 5, 1);
    size_t second = frame(out + first, FIN | TEXT, "second", 6, 1);
    pd_send(r.ws, out, first + 3); /* the header of the second is cut */
    expect_said(&r, "first");
    pd_send(r.ws, out + first + 3, second - 3);
    expect_said(&r, "second");
    leave(&r);
    stop();
}
END_TEST

/* ---- 2 Pings and pongs
 * ------------------------------------------------------------------ */

START_TEST(pings_2_1_empty_ping_gets_empty_pong)
{
    start();
    struct room r;
    join(&r);
    send_frame(&r, FIN | PING, "", 0);
    unsigned char pong[8];
    int opcode;
    ck_assert_int_eq(pd_ws_read(r.ws, &opcode, pong, sizeof pong, pd_wait_ms()), 0);
    ck_assert_int_eq(opcode, PONG);
    leave(&r);
    stop();
}
END_TEST

/* The largest control payload, 125 bytes, any byte values: echoed exactly. */
START_TEST(pings_2_3_binary_payload_of_125_is_echoed)
{
    start();
    struct room r;
    join(&r);
    unsigned char payload[125], pong[125];
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (unsigned char)(255 - i);
    send_frame(&r, FIN | PING, payload, sizeof payload);
    int opcode;
    ck_assert_int_eq(pd_ws_read(r.ws, &opcode, pong, sizeof pong, pd_wait_ms()), 125);
    ck_assert_int_eq(opcode, PONG);
    ck_assert(memcmp(pong, payload, sizeof payload) == 0);
    leave(&r);
    stop();
}
END_TEST

/* §5.5: a control frame's payload is at most 125 bytes. */
START_TEST(pings_2_5_ping_of_126_bytes_closes_1002)
{
    start();
    struct room r;
    join(&r);
    unsigned char payload[126];
    memset(payload, 'p', sizeof payload);
    send_frame(&r, FIN | PING, payload, sizeof payload);
    expect_dropped(&r, 1002);
    leave(&r);
    stop();
}
END_TEST

/* §5.5.3: a PONG nobody asked for is allowed, and needs no answer. */
START_TEST(pings_2_7_unsolicited_pongs_are_ignored)
{
    start();
    struct room r;
    join(&r);
    send_frame(&r, FIN | PONG, "", 0);
    send_frame(&r, FIN | PONG, "unasked", 7);
    expect_alive(&r);
    /* Nothing came back for them: the next frame is the answer to this PING. */
    send_frame(&r, FIN | PING, "next", 4);
    unsigned char pong[8];
    int opcode;
    ck_assert_int_eq(pd_ws_read(r.ws, &opcode, pong, sizeof pong, pd_wait_ms()), 4);
    ck_assert_int_eq(opcode, PONG);
    ck_assert(memcmp(pong, "next", 4) == 0);
    leave(&r);
    stop();
}
END_TEST

START_TEST(pings_2_10_ten_pings_ten_pongs_in_order)
{
    start();
    struct room r;
    join(&r);
    unsigned char out[10 * 32];
    size_t n = 0;
    for (int i = 0; i < 10; i++) {
        char payload[8];
        snprintf(payload, sizeof payload, "ping %d", i);
        n += frame(out + n, FIN | PING, payload, strlen(payload), 1);
    }
    pd_send(r.ws, out, n); /* all in one write */
    for (int i = 0; i < 10; i++) {
        char want[8];
        unsigned char pong[16];
        int opcode;
        snprintf(want, sizeof want, "ping %d", i);
        ssize_t got = pd_ws_read(r.ws, &opcode, pong, sizeof pong, pd_wait_ms());
        ck_assert_int_eq(got, (ssize_t)strlen(want));
        ck_assert_int_eq(opcode, PONG);
        ck_assert(memcmp(pong, want, (size_t)got) == 0);
    }
    leave(&r);
    stop();
}
END_TEST

/* ---- 3 Reserved bits
 * ---------------------------------------------------------------------- */

/* §5.2: RSV1-3 must be 0 unless an extension says otherwise, and none was agreed. */
START_TEST(reserved_bits_3_1_any_rsv_bit_closes_1002)
{
    static const unsigned firsts[] = {
        FIN | RSV1 | TEXT, FIN | RSV2 | TEXT,
        FIN | RSV3 | TEXT, FIN | RSV1 | RSV2 | RSV3 | TEXT,
        FIN | RSV3 | PING, FIN | RSV2 | CLOSE,
    };
    start();
    struct room r;
    r.raw = pd_raw_join(server.port2, NULL);
    for (size_t i = 0; i < sizeof firsts / sizeof firsts[0]; i++) {
        join_ws(&r);
        send_frame(&r, firsts[i], "rsv", 3);
        expect_dropped(&r, 1002);
        pd_close(r.ws);
    }
    pd_close(r.raw);
    stop();
}
END_TEST

/* ---- 4 Opcodes
 * ---------------------------------------------------------------------------- */

/* 3-7 are reserved for data frames (3 is in test_pushd_ws.c). */
START_TEST(opcodes_4_1_reserved_data_opcodes_close_1002)
{
    start();
    struct room r;
    r.raw = pd_raw_join(server.port2, NULL);
    for (unsigned op = 4; op <= 7; op++) {
        join_ws(&r);
        send_frame(&r, FIN | op, "data?", 5);
        expect_dropped(&r, 1002);
        pd_close(r.ws);
    }
    pd_close(r.raw);
    stop();
}
END_TEST

/* 11-15 are reserved for control frames. */
START_TEST(opcodes_4_2_reserved_control_opcodes_close_1002)
{
    start();
    struct room r;
    r.raw = pd_raw_join(server.port2, NULL);
    for (unsigned op = 11; op <= 15; op++) {
        join_ws(&r);
        send_frame(&r, FIN | op, "", 0);
        expect_dropped(&r, 1002);
        pd_close(r.ws);
    }
    pd_close(r.raw);
    stop();
}
END_TEST

/* ---- 5 Fragmentation
 * ---------------------------------------------------------------------- */

/* §5.5: control frames must not be fragmented. */
START_TEST(fragmentation_5_1_fragmented_ping_closes_1002)
{
    start();
    struct room r;
    join(&r);
    send_frame(&r, PING, "half", 4); /* FIN clear */
    expect_dropped(&r, 1002);
    leave(&r);
    stop();
}
END_TEST

START_TEST(fragmentation_5_2_fragmented_pong_closes_1002)
{
    start();
    struct room r;
    join(&r);
    send_frame(&r, PONG, "half", 4);
    expect_dropped(&r, 1002);
    leave(&r);
    stop();
}
END_TEST

/* A message in fragments, empty ones included, is one message. */
START_TEST(fragmentation_5_3_text_in_fragments_with_empty_ones)
{
    start();
    struct room r;
    join(&r);
    send_frame(&r, TEXT, "frag", 4);
    send_frame(&r, CONT, "", 0);
    send_frame(&r, CONT, "men", 3);
    send_frame(&r, FIN | CONT, "ts", 2);
    expect_said(&r, "fragments");
    send_frame(&r, TEXT, "", 0);
    send_frame(&r, FIN | CONT, "late", 4);
    expect_said(&r, "late");
    leave(&r);
    stop();
}
END_TEST

/* §5.4: a continuation frame with no message begun. */
START_TEST(fragmentation_5_9_continuation_without_a_message_closes_1002)
{
    start();
    struct room r;
    join(&r);
    send_frame(&r, FIN | CONT, "orphan", 6);
    expect_dropped(&r, 1002);
    leave(&r);
    stop();
}
END_TEST

/* After a whole message, a continuation has nothing to continue either. */
START_TEST(fragmentation_5_10_continuation_after_the_last_fragment_closes_1002)
{
    start();
    struct room r;
    join(&r);
    send_frame(&r, TEXT, "done", 4);
    send_frame(&r, FIN | CONT, "", 0);
    expect_said(&r, "done");
    send_frame(&r, FIN | CONT, "more", 4);
    expect_dropped(&r, 1002);
    leave(&r);
    stop();
}
END_TEST

/* §5.4: messages do not interleave: a new TEXT while one is open. */
START_TEST(fragmentation_5_15_text_while_a_message_is_open_closes_1002)
{
    start();
    struct room r;
    join(&r);
    send_frame(&r, TEXT, "open", 4);
    send_frame(&r, FIN | TEXT, "again", 5);
    expect_dropped(&r, 1002);
    leave(&r);
    stop();
}
END_TEST

/* A CLOSE between fragments is answered at once (control frames may come between
 * fragments): the unfinished message is never said. */
START_TEST(fragmentation_5_19_close_between_fragments)
{
    start();
    struct room r;
    join(&r);
    send_frame(&r, TEXT, "never", 5);
    unsigned char code[] = {0x03, 0xe8};
    send_frame(&r, FIN | CLOSE, code, sizeof code);
    expect_dropped(&r, 1000); /* and no "guest2: never" before the left line */
    leave(&r);
    stop();
}
END_TEST

/* ---- 6 UTF-8
 * ------------------------------------------------------------------------------- */

START_TEST(utf8_6_2_valid_text_is_relayed_exactly)
{
    start();
    struct room r;
    join(&r);
    /* Two-, three- and four-byte characters, and the largest code point. */
    const char *text = "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5 \xe2\x82\xac "
                       "\xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf";
    send_frame(&r, FIN | TEXT, text, strlen(text));
    expect_said(&r, text);
    leave(&r);
    stop();
}
END_TEST

/* A character cut between fragments is fine (§8.1 judges the whole message): here
 * every byte of "é€😀" is a fragment of its own. */
START_TEST(utf8_6_3_characters_split_across_fragments)
{
    start();
    struct room r;
    join(&r);
    const char *text = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
    size_t length = strlen(text);
    for (size_t i = 0; i < length; i++)
        send_frame(&r, (i == 0 ? TEXT : CONT) | (i + 1 == length ? FIN : 0), text + i, 1);
    expect_said(&r, text);
    leave(&r);
    stop();
}
END_TEST

/* Fail fast: a fragment with a byte that can start nothing ends the connection at
 * once, without waiting for the message's end (which never comes here). */
START_TEST(utf8_6_4_fail_fast_on_the_first_bad_fragment)
{
    start();
    struct room r;
    join(&r);
    send_frame(&r, TEXT, "good ", 5);
    send_frame(&r, CONT, "then \xf8 bad", 10);
    expect_dropped(&r, 1007);
    leave(&r);
    stop();
}
END_TEST

/* Sequences that look like UTF-8 and are not (RFC 3629 §3): each closes 1007. */
START_TEST(utf8_6_5_invalid_sequences_close_1007)
{
    static const char *const bad[] = {
        "\xc0\xaf",         /* an overlong "/" */
        "\xe0\x80\xaf",     /* overlong in three bytes */
        "\xed\xa0\x80",     /* a UTF-16 surrogate, U+D800 */
        "\xf4\x90\x80\x80", /* above U+10FFFF */
        "\x80",             /* a continuation byte alone */
        "\xfe",             /* never valid */
        "a\xe2\x82",        /* a character cut by the end of the message */
    };
    start();
    struct room r;
    r.raw = pd_raw_join(server.port2, NULL);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        join_ws(&r);
        send_frame(&r, FIN | TEXT, bad[i], strlen(bad[i]));
        expect_dropped(&r, 1007);
        pd_close(r.ws);
    }
    pd_close(r.raw);
    stop();
}
END_TEST

/* ---- 7 Close
 * -------------------------------------------------------------------------------- */

/* §5.5.1: after a CLOSE the peer sends no more data; what comes is not read. */
START_TEST(close_7_1_data_after_close_is_ignored)
{
    start();
    struct room r;
    join(&r);
    unsigned char out[64];
    unsigned char code[] = {0x03, 0xe8};
    size_t n = frame(out, FIN | CLOSE, code, 2, 1);
    n += frame(out + n, FIN | TEXT, "too late", 8, 1);
    pd_send(r.ws, out, n);
    expect_dropped(&r, 1000); /* the next line after "joined" is "left" */
    leave(&r);
    stop();
}
END_TEST

/* A payload of 1 byte cannot hold a code (§5.5.1). */
START_TEST(close_7_3_1_one_byte_payload_closes_1002)
{
    start();
    struct room r;
    join(&r);
    send_frame(&r, FIN | CLOSE, "\x03", 1);
    expect_dropped(&r, 1002);
    leave(&r);
    stop();
}
END_TEST

/* A code and a reason, up to the 125-byte limit: the code is echoed. */
START_TEST(close_7_3_2_code_and_longest_reason_echoed)
{
    start();
    struct room r;
    join(&r);
    unsigned char payload[125];
    payload[0] = 0x03;
    payload[1] = 0xe9; /* 1001 */
    memset(payload + 2, 'r', sizeof payload - 2);
    send_frame(&r, FIN | CLOSE, payload, sizeof payload);
    expect_dropped(&r, 1001);
    leave(&r);
    stop();
}
END_TEST

/* The reason must be UTF-8 (§5.5.1). */
START_TEST(close_7_5_1_reason_not_utf8_closes_1002)
{
    start();
    struct room r;
    join(&r);
    unsigned char payload[] = {0x03, 0xe8, 'o', 'k', 0xc3, 0x28};
    send_frame(&r, FIN | CLOSE, payload, sizeof payload);
    expect_dropped(&r, 1002);
    leave(&r);
    stop();
}
END_TEST

/* Codes a peer may send (§7.4.1, and IANA's registry for 1012-1014; 3000-4999 for
 * libraries and applications): each is echoed. */
START_TEST(close_7_7_valid_codes_are_echoed)
{
    static const int codes[] = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010,
                                1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999};
    start();
    struct room r;
    r.raw = pd_raw_join(server.port2, NULL);
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        join_ws(&r);
        unsigned char payload[2] = {(unsigned char)(codes[i] >> 8),
                                    (unsigned char)codes[i]};
        send_frame(&r, FIN | CLOSE, payload, 2);
        expect_dropped(&r, codes[i]);
        pd_close(r.ws);
    }
    pd_close(r.raw);
    stop();
}
END_TEST

/* Codes no peer may send: never defined, reserved, or only for reporting (1005 "no
 * status", 1006 "abnormal", 1015 "TLS") (§7.4.1-2): each closes 1002. */
START_TEST(close_7_9_invalid_codes_close_1002)
{
    static const int codes[] = {0,    999,  1004, 1005, 1006, 1015,
                                1016, 1100, 2000, 2999, 5000, 65535};
    start();
    struct room r;
    r.raw = pd_raw_join(server.port2, NULL);
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        join_ws(&r);
        unsigned char payload[2] = {(unsigned char)(codes[i] >> 8),
                                    (unsigned char)codes[i]};
        send_frame(&r, FIN | CLOSE, payload, 2);
        expect_dropped(&r, 1002);
        pd_close(r.ws);
    }
    pd_close(r.raw);
    stop();
}
END_TEST

/* ---- 9 Limits
 * -------------------------------------------------------------------------------- */

/* 65,536 bytes in 64 fragments of 1 KiB: exactly the limit, taken. */
START_TEST(limits_9_1_a_message_at_the_limit_in_fragments)
{
    start();
    struct room r;
    join(&r);
    char *message = padded_message(65536, "sixty-four fragments");
    for (size_t i = 0; i < 64; i++)
        send_frame(&r, (i == 0 ? TEXT : CONT) | (i == 63 ? FIN : 0), message + i * 1024,
                   1024);
    free(message);
    expect_said(&r, "sixty-four fragments");
    leave(&r);
    stop();
}
END_TEST

/* Fragments whose sum passes the limit: 1009 at the header of the one that does,
 * before its payload is sent (nothing is allocated for it). */
START_TEST(limits_9_2_fragments_over_the_limit_close_1009)
{
    start();
    struct room r;
    join(&r);
    char *message = padded_message(40000, "never said");
    send_frame(&r, TEXT, message, 40000);
    free(message);
    unsigned char header[14];
    pd_send(r.ws, header, frame(header, FIN | CONT, NULL, 30000, 2));
    expect_dropped(&r, 1009);
    leave(&r);
    stop();
}
END_TEST

/* §5.2: the most significant bit of a 64-bit length must be 0. */
START_TEST(limits_9_3_sixty_four_bit_length_with_its_top_bit_closes_1009)
{
    start();
    struct room r;
    join(&r);
    unsigned char header[14];
    pd_send(r.ws, header, frame(header, FIN | TEXT, NULL, UINT64_C(1) << 63 | 5, 8));
    expect_dropped(&r, 1009);
    leave(&r);
    stop();
}
END_TEST

Suite *websocket_suite(void)
{
    Suite *s = suite_create("websocket");
    TCase *tc = tcase_create("framing");
    tcase_add_test(tc, framing_1_1_1_empty_text_says_nothing);
    tcase_add_test(tc, framing_1_1_2_lengths_at_the_edges_of_each_encoding);
    tcase_add_test(tc, framing_1_2_server_lengths_are_minimal);
    tcase_add_test(tc, framing_1_3_non_minimal_lengths_are_read);
    tcase_add_test(tc, framing_1_4_control_frames_one_byte_per_write);
    tcase_add_test(tc, framing_1_5_frames_cut_across_writes);
    suite_add_tcase(s, tc);

    tc = tcase_create("pings");
    tcase_add_test(tc, pings_2_1_empty_ping_gets_empty_pong);
    tcase_add_test(tc, pings_2_3_binary_payload_of_125_is_echoed);
    tcase_add_test(tc, pings_2_5_ping_of_126_bytes_closes_1002);
    tcase_add_test(tc, pings_2_7_unsolicited_pongs_are_ignored);
    tcase_add_test(tc, pings_2_10_ten_pings_ten_pongs_in_order);
    suite_add_tcase(s, tc);

    tc = tcase_create("reserved bits and opcodes");
    tcase_add_test(tc, reserved_bits_3_1_any_rsv_bit_closes_1002);
    tcase_add_test(tc, opcodes_4_1_reserved_data_opcodes_close_1002);
    tcase_add_test(tc, opcodes_4_2_reserved_control_opcodes_close_1002);
    suite_add_tcase(s, tc);

    tc = tcase_create("fragmentation");
    tcase_add_test(tc, fragmentation_5_1_fragmented_ping_closes_1002);
    tcase_add_test(tc, fragmentation_5_2_fragmented_pong_closes_1002);
    tcase_add_test(tc, fragmentation_5_3_text_in_fragments_with_empty_ones);
    tcase_add_test(tc, fragmentation_5_9_continuation_without_a_message_closes_1002);
    tcase_add_test(tc,
                   fragmentation_5_10_continuation_after_the_last_fragment_closes_1002);
    tcase_add_test(tc, fragmentation_5_15_text_while_a_message_is_open_closes_1002);
    tcase_add_test(tc, fragmentation_5_19_close_between_fragments);
    suite_add_tcase(s, tc);

    tc = tcase_create("utf-8");
    tcase_add_test(tc, utf8_6_2_valid_text_is_relayed_exactly);
    tcase_add_test(tc, utf8_6_3_characters_split_across_fragments);
    tcase_add_test(tc, utf8_6_4_fail_fast_on_the_first_bad_fragment);
    tcase_add_test(tc, utf8_6_5_invalid_sequences_close_1007);
    suite_add_tcase(s, tc);

    tc = tcase_create("close");
    tcase_add_test(tc, close_7_1_data_after_close_is_ignored);
    tcase_add_test(tc, close_7_3_1_one_byte_payload_closes_1002);
    tcase_add_test(tc, close_7_3_2_code_and_longest_reason_echoed);
    tcase_add_test(tc, close_7_5_1_reason_not_utf8_closes_1002);
    tcase_add_test(tc, close_7_7_valid_codes_are_echoed);
    tcase_add_test(tc, close_7_9_invalid_codes_close_1002);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_add_test(tc, limits_9_1_a_message_at_the_limit_in_fragments);
    tcase_add_test(tc, limits_9_2_fragments_over_the_limit_close_1009);
    tcase_add_test(tc, limits_9_3_sixty_four_bit_length_with_its_top_bit_closes_1009);
    suite_add_tcase(s, tc);
    return s;
}
