/* test_websocket.c: pushd's WebSocket door case by case, each named after the
 * Autobahn|Testsuite category it follows (1 framing, 2 pings and pongs, 3 reserved
 * bits, 4 reserved opcodes, 5 fragmentation, 6 UTF-8, 7 closing, 9 limits), written
 * from RFC 6455 and DESIGN.md §3.5, with the handshake's statuses before them.
 *
 * Every case puts a raw chat client (chapter 3's protocol) and a WebSocket client
 * built with wsclient.h (not the chapter's own frame code) in the room, so what the
 * server made of a frame is seen where it lands: on the raw client's screen. */
#include "suites.h"
#include "wsclient.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct server_proc server;
static struct pd_peer *raw; /* guest1, on the chat port */
static struct wsclient *ws; /* guest2, on /ws */
static struct wsc_message *frame;

enum { OP_CONT = 0, OP_TEXT = 1, OP_BINARY = 2, OP_CLOSE = 8, OP_PING = 9, OP_PONG = 10 };

/* Start pushd; raw joins, then ws, and raw sees ws join. */
static void enter_room(void)
{
    pd_start(&server, NULL);
    raw = pd_raw_join(server.port2, NULL);
    ws = wsc_connect(server.port);
    ck_assert_ptr_nonnull(ws);
    char head[4096];
    ck_assert_int_eq(wsc_handshake(ws, server.port, "/ws", NULL, 1, head, sizeof head),
                     101);
    frame = malloc(sizeof *frame);
    ck_assert_ptr_nonnull(frame);
    ck_assert_int_eq(wsc_read(ws, frame, pd_wait_ms()), 1);
    ck_assert_int_eq(frame->opcode, OP_TEXT);
    ck_assert_str_eq((char *)frame->payload,
                     "* welcome to pushd, you are guest2; /help for commands");
    pd_expect_line(raw, "* guest2 joined");
}

static void leave_room(void)
{
    wsc_close(ws);
    pd_close(raw);
    free(frame);
    server_stop_clean(&server, "pushd");
}

/* The next server frame must be this opcode with this payload. */
static void expect_frame(int opcode, const void *payload, size_t length)
{
    ck_assert_msg(wsc_read(ws, frame, pd_wait_ms()) == 1,
                  "no frame came (opcode %d wanted)", opcode);
    ck_assert_int_eq(frame->opcode, opcode);
    ck_assert_int_eq(frame->fin, 1);
    ck_assert_int_eq(frame->rsv, 0);
    ck_assert_int_eq(frame->masked, 0); /* a server never masks (§5.1) */
    ck_assert_uint_eq(frame->length, length);
    ck_assert(memcmp(frame->payload, payload, length) == 0);
}

/* The server fails the connection: CLOSE with this code, then the end of TCP. */
static void expect_close(int code)
{
    ck_assert_msg(wsc_read(ws, frame, pd_wait_ms()) == 1, "no CLOSE %d came", code);
    ck_assert_msg(frame->opcode == OP_CLOSE, "opcode %d (\"%s\") instead of CLOSE %d",
                  frame->opcode, frame->payload, code);
    ck_assert_int_eq(wsc_close_code(frame), code);
    ck_assert_msg(wsc_wait_closed(ws, pd_wait_ms()), "still open after CLOSE %d", code);
}

/* A failed member leaves the room: raw sees it go. */
static void expect_left(void)
{
    pd_expect_line(raw, "* guest2 left");
}

static void send_frame(int fin, int rsv, int opcode, const void *payload, size_t length)
{
    struct wsc_frame f = {.fin = fin,
                          .rsv = rsv,
                          .opcode = opcode,
                          .masked = 1,
                          .payload = payload,
                          .length = length};
    ck_assert_int_eq(wsc_send(ws, &f), 0);
}

/* A text of n bytes: 'a'..'z' repeated, with an LF after every 1023 bytes of line
 * so that it stays within chapter 3's 1024-byte line limit. */
static char *make_text(size_t n)
{
    char *text = malloc(n + 1);
    ck_assert_ptr_nonnull(text);
    for (size_t i = 0; i < n; i++)
        text[i] = (i % 1024 == 1023) ? '\n' : (char)('a' + i % 26);
    text[n] = '\0';
    return text;
}

/* raw must receive text (as make_text cut it) from guest2, line by line. */
static void expect_relayed(const char *text, size_t n)
{
    static char want[2048];
    size_t start = 0;
    while (start < n) {
        const char *lf = memchr(text + start, '\n', n - start);
        size_t length = lf ? (size_t)(lf - (text + start)) : n - start;
        snprintf(want, sizeof want, "guest2: %.*s", (int)length, text + start);
        pd_expect_line(raw, want);
        start += length + 1;
    }
}

/* A TEXT of this size in this length form reaches raw whole. */
static void text_of_size(size_t n, enum wsc_length_form form, int bytewise)
{
    enter_room();
    char *text = make_text(n);
    struct wsc_frame f = {.fin = 1,
                          .opcode = OP_TEXT,
                          .masked = 1,
                          .form = form,
                          .payload = text,
                          .length = n};
    unsigned char *wire = malloc(n + 14);
    ck_assert_ptr_nonnull(wire);
    size_t size = wsc_encode(&f, wire);
    if (bytewise)
        ck_assert_int_eq(wsc_send_bytewise(ws, wire, size), 0);
    else
        ck_assert_int_eq(wsc_send_bytes(ws, wire, size), 0);
    ck_assert_int_eq(wsc_send_text(ws, "after"), 0);
    if (n > 0)
        expect_relayed(text, n);
    pd_expect_line(raw, "guest2: after"); /* an empty message is an empty line: ignored */
    free(wire);
    free(text);
    leave_room();
}

/* ---- The handshake (§4.2) --------------------------------------------------------- */

static int handshake_status(const char *path, const char *headers, int full, char *head,
                            size_t size)
{
    struct wsclient *c = wsc_connect(server.port);
    ck_assert_ptr_nonnull(c);
    int status = wsc_handshake(c, server.port, path, headers, full, head, size);
    wsc_close(c);
    return status;
}

START_TEST(handshake_101_with_the_accept_key)
{
    pd_start(&server, NULL);
    char head[4096], value[64];
    ck_assert_int_eq(handshake_status("/ws", NULL, 1, head, sizeof head), 101);
    ck_assert_int_eq(response_header(head, "Sec-WebSocket-Accept", value, sizeof value),
                     0);
    ck_assert_str_eq(value, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="); /* RFC 6455 §1.3 */
    server_stop_clean(&server, "pushd");
}
END_TEST

START_TEST(handshake_426_names_version_13)
{
    pd_start(&server, NULL);
    char head[4096], value[64];
    const char *request =
        "Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 8\r\n";
    ck_assert_int_eq(handshake_status("/ws", request, 0, head, sizeof head), 426);
    ck_assert_int_eq(response_header(head, "Sec-WebSocket-Version", value, sizeof value),
                     0);
    ck_assert_str_eq(value, "13");
    server_stop_clean(&server, "pushd");
}
END_TEST

START_TEST(handshake_400s)
{
    pd_start(&server, NULL);
    char head[4096];
    static const char *const bad[] = {
        /* no version */
        "Host: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n",
        /* a plain GET */
        "Host: h\r\n",
        /* no Upgrade */
        "Host: h\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
        "dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n",
        /* a key of 15 bytes */
        "Host: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25j\r\nSec-WebSocket-Version: 13\r\n",
        /* no Host */
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(handshake_status("/ws", bad[i], 0, head, sizeof head) == 400,
                      "case %zu: %s", i, head);
    /* POST with every upgrade header */
    struct pd_peer *p = pd_connect(server.port);
    pd_say(p,
           "POST /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
           "Content-Length: 0\r\n\r\n");
    ck_assert_int_eq(pd_read_head(p, head, sizeof head), 400);
    pd_close(p);
    server_stop_clean(&server, "pushd");
}
END_TEST

START_TEST(handshake_origin_rules)
{
    pd_start(&server, NULL);
    char head[4096], origin[128];
    ck_assert_int_eq(handshake_status("/ws", "Origin: http://evil.example:8005\r\n", 1,
                                      head, sizeof head),
                     403);
    ck_assert_int_eq(handshake_status("/ws", "Origin: null\r\n", 1, head, sizeof head),
                     403);
    /* the same host, another port */
    snprintf(origin, sizeof origin, "Origin: http://127.0.0.1:%d\r\n", server.port + 1);
    ck_assert_int_eq(handshake_status("/ws", origin, 1, head, sizeof head), 403);
    /* the page's own origin */
    snprintf(origin, sizeof origin, "Origin: http://127.0.0.1:%d\r\n", server.port);
    ck_assert_int_eq(handshake_status("/ws", origin, 1, head, sizeof head), 101);
    server_stop_clean(&server, "pushd");
}
END_TEST

/* ---- 1.x framing: payload sizes and length forms ----------------------------------- */

START_TEST(case_1_1_1_text_0_bytes)
{
    text_of_size(0, WSC_LEN_MINIMAL, 0);
}
END_TEST

START_TEST(case_1_1_2_text_125_bytes_7_bit_length)
{
    text_of_size(125, WSC_LEN_MINIMAL, 0);
}
END_TEST

START_TEST(case_1_1_3_text_126_bytes_16_bit_length)
{
    text_of_size(126, WSC_LEN_MINIMAL, 0);
}
END_TEST

START_TEST(case_1_1_4_text_65535_bytes_16_bit_length)
{
    text_of_size(65535, WSC_LEN_MINIMAL, 0);
}
END_TEST

START_TEST(case_1_1_5_text_65536_bytes_64_bit_length)
{
    text_of_size(65536, WSC_LEN_MINIMAL, 0);
}
END_TEST

START_TEST(case_1_1_6_text_125_bytes_one_byte_per_write)
{
    text_of_size(125, WSC_LEN_MINIMAL, 1);
}
END_TEST

START_TEST(case_1_1_7_text_300_bytes_64_bit_length_one_byte_per_write)
{
    text_of_size(300, WSC_LEN_64, 1);
}
END_TEST

START_TEST(case_1_1_8_lengths_not_minimal_are_read_as_written)
{
    /* §5.2 asks a sender for the shortest form; a receiver that reads the length it
     * is given understands the longer forms too. */
    enter_room();
    struct wsc_frame f = {.fin = 1,
                          .opcode = OP_TEXT,
                          .masked = 1,
                          .payload = "sixteen",
                          .length = 7,
                          .form = WSC_LEN_16};
    ck_assert_int_eq(wsc_send(ws, &f), 0);
    f.form = WSC_LEN_64;
    f.payload = "sixty-four";
    f.length = 10;
    ck_assert_int_eq(wsc_send(ws, &f), 0);
    pd_expect_line(raw, "guest2: sixteen");
    pd_expect_line(raw, "guest2: sixty-four");
    leave_room();
}
END_TEST

START_TEST(case_1_1_9_several_frames_in_one_write)
{
    enter_room();
    unsigned char wire[256];
    size_t size = 0;
    const char *const texts[] = {"one", "two", "three"};
    for (int i = 0; i < 3; i++) {
        struct wsc_frame f = {.fin = 1,
                              .opcode = OP_TEXT,
                              .masked = 1,
                              .payload = texts[i],
                              .length = strlen(texts[i])};
        size += wsc_encode(&f, wire + size);
    }
    ck_assert_int_eq(wsc_send_bytes(ws, wire, size), 0);
    pd_expect_line(raw, "guest2: one");
    pd_expect_line(raw, "guest2: two");
    pd_expect_line(raw, "guest2: three");
    leave_room();
}
END_TEST

START_TEST(case_1_1_10_room_lines_come_as_unmasked_text_frames)
{
    enter_room();
    pd_say(raw, "hello from raw\n");
    expect_frame(OP_TEXT, "guest1: hello from raw", 22);
    leave_room();
}
END_TEST

START_TEST(case_1_2_1_binary_gets_1003)
{
    enter_room();
    send_frame(1, 0, OP_BINARY, "\x00\x01\x02", 3);
    expect_close(1003);
    expect_left();
    leave_room();
}
END_TEST

START_TEST(case_1_3_1_unmasked_client_frame_gets_1002)
{
    enter_room();
    struct wsc_frame f = {
        .fin = 1, .opcode = OP_TEXT, .masked = 0, .payload = "bare", .length = 4};
    ck_assert_int_eq(wsc_send(ws, &f), 0);
    expect_close(1002);
    expect_left();
    leave_room();
}
END_TEST

/* ---- 2.x pings and pongs ----------------------------------------------------------- */

START_TEST(case_2_1_ping_without_payload)
{
    enter_room();
    send_frame(1, 0, OP_PING, "", 0);
    expect_frame(OP_PONG, "", 0);
    leave_room();
}
END_TEST

START_TEST(case_2_3_ping_with_binary_payload)
{
    enter_room();
    unsigned char payload[8] = {0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff};
    send_frame(1, 0, OP_PING, payload, sizeof payload);
    expect_frame(OP_PONG, payload, sizeof payload);
    leave_room();
}
END_TEST

START_TEST(case_2_4_ping_with_125_bytes)
{
    enter_room();
    unsigned char payload[125];
    for (int i = 0; i < 125; i++)
        payload[i] = (unsigned char)(i * 7);
    send_frame(1, 0, OP_PING, payload, sizeof payload);
    expect_frame(OP_PONG, payload, sizeof payload);
    leave_room();
}
END_TEST

START_TEST(case_2_5_ping_with_126_bytes_gets_1002)
{
    enter_room();
    unsigned char payload[126] = {0};
    send_frame(1, 0, OP_PING, payload, sizeof payload);
    expect_close(1002);
    expect_left();
    leave_room();
}
END_TEST

START_TEST(case_2_6_ping_one_byte_per_write)
{
    enter_room();
    unsigned char wire[64];
    struct wsc_frame f = {
        .fin = 1, .opcode = OP_PING, .masked = 1, .payload = "slowly", .length = 6};
    ck_assert_int_eq(wsc_send_bytewise(ws, wire, wsc_encode(&f, wire)), 0);
    expect_frame(OP_PONG, "slowly", 6);
    leave_room();
}
END_TEST

START_TEST(case_2_7_unsolicited_pong_is_ignored)
{
    enter_room();
    send_frame(1, 0, OP_PONG, "unasked", 7);
    send_frame(1, 0, OP_PING, "still here", 10);
    expect_frame(OP_PONG, "still here", 10); /* nothing before it */
    leave_room();
}
END_TEST

START_TEST(case_2_10_ten_pings_in_one_write_get_ten_pongs_in_order)
{
    enter_room();
    unsigned char wire[512];
    char payloads[10][8];
    size_t size = 0;
    for (int i = 0; i < 10; i++) {
        snprintf(payloads[i], sizeof payloads[i], "ping %d", i);
        struct wsc_frame f = {.fin = 1,
                              .opcode = OP_PING,
                              .masked = 1,
                              .payload = payloads[i],
                              .length = strlen(payloads[i])};
        size += wsc_encode(&f, wire + size);
    }
    ck_assert_int_eq(wsc_send_bytes(ws, wire, size), 0);
    for (int i = 0; i < 10; i++)
        expect_frame(OP_PONG, payloads[i], strlen(payloads[i]));
    leave_room();
}
END_TEST

START_TEST(case_2_11_fragmented_ping_gets_1002)
{
    enter_room();
    send_frame(0, 0, OP_PING, "half", 4);
    expect_close(1002);
    leave_room();
}
END_TEST

/* ---- 3.x reserved bits (no extension was agreed, so every RSV bit must be 0) ------- */

START_TEST(case_3_1_rsv1_on_text_gets_1002)
{
    enter_room();
    send_frame(1, 4, OP_TEXT, "rsv1", 4);
    expect_close(1002);
    expect_left();
    leave_room();
}
END_TEST

START_TEST(case_3_2_rsv2_after_a_good_text)
{
    enter_room();
    send_frame(1, 0, OP_TEXT, "good", 4);
    send_frame(1, 2, OP_TEXT, "rsv2", 4);
    pd_expect_line(raw, "guest2: good");
    expect_close(1002);
    expect_left();
    leave_room();
}
END_TEST

START_TEST(case_3_3_rsv3_on_ping_gets_1002_without_pong)
{
    enter_room();
    send_frame(1, 1, OP_PING, "rsv3", 4);
    expect_close(1002);
    leave_room();
}
END_TEST

START_TEST(case_3_7_all_rsv_bits_on_close_gets_1002)
{
    enter_room();
    send_frame(1, 7, OP_CLOSE, "\x03\xe8", 2);
    expect_close(1002);
    leave_room();
}
END_TEST

/* ---- 4.x reserved opcodes ---------------------------------------------------------- */

static void reserved_opcode(int opcode, size_t length)
{
    enter_room();
    send_frame(1, 0, opcode, "reserved opcode", length);
    expect_close(1002);
    expect_left();
    leave_room();
}

START_TEST(case_4_1_1_opcode_3_gets_1002)
{
    reserved_opcode(3, 0);
}
END_TEST

START_TEST(case_4_1_5_opcode_7_with_payload_gets_1002)
{
    reserved_opcode(7, 15);
}
END_TEST

START_TEST(case_4_2_1_opcode_11_gets_1002)
{
    reserved_opcode(11, 0);
}
END_TEST

START_TEST(case_4_2_5_opcode_15_with_payload_gets_1002)
{
    reserved_opcode(15, 15);
}
END_TEST

/* ---- 5.x fragmentation ------------------------------------------------------------- */

START_TEST(case_5_3_text_in_two_fragments)
{
    enter_room();
    send_frame(0, 0, OP_TEXT, "frag", 4);
    send_frame(1, 0, OP_CONT, "mented", 6);
    pd_expect_line(raw, "guest2: fragmented");
    leave_room();
}
END_TEST

START_TEST(case_5_6_ping_between_fragments_is_answered_first)
{
    enter_room();
    send_frame(0, 0, OP_TEXT, "before ", 7);
    send_frame(1, 0, OP_PING, "between", 7);
    expect_frame(OP_PONG, "between", 7); /* answered while the message is open */
    send_frame(1, 0, OP_CONT, "after", 5);
    pd_expect_line(raw, "guest2: before after");
    leave_room();
}
END_TEST

START_TEST(case_5_8_fragments_and_ping_in_one_write_one_byte_each)
{
    enter_room();
    unsigned char wire[128];
    size_t size = 0;
    struct wsc_frame parts[] = {
        {.fin = 0, .opcode = OP_TEXT, .masked = 1, .payload = "a", .length = 1},
        {.fin = 0, .opcode = OP_CONT, .masked = 1, .payload = "b", .length = 1},
        {.fin = 1, .opcode = OP_PING, .masked = 1, .payload = "p", .length = 1},
        {.fin = 0, .opcode = OP_CONT, .masked = 1, .payload = "", .length = 0},
        {.fin = 1, .opcode = OP_CONT, .masked = 1, .payload = "c", .length = 1},
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        size += wsc_encode(&parts[i], wire + size);
    ck_assert_int_eq(wsc_send_bytewise(ws, wire, size), 0);
    expect_frame(OP_PONG, "p", 1);
    pd_expect_line(raw, "guest2: abc");
    leave_room();
}
END_TEST

START_TEST(case_5_9_continuation_with_no_message_open_gets_1002)
{
    enter_room();
    send_frame(1, 0, OP_CONT, "orphan", 6);
    expect_close(1002);
    expect_left();
    leave_room();
}
END_TEST

START_TEST(case_5_18_new_text_while_a_message_is_open_gets_1002)
{
    enter_room();
    send_frame(0, 0, OP_TEXT, "first ", 6);
    send_frame(1, 0, OP_TEXT, "second", 6);
    expect_close(1002);
    expect_left();
    leave_room();
}
END_TEST

START_TEST(case_5_20_lines_inside_fragments_are_cut_at_lf)
{
    enter_room();
    send_frame(0, 0, OP_TEXT, "one\ntw", 6);
    send_frame(0, 0, OP_CONT, "o\nthr", 5);
    send_frame(1, 0, OP_CONT, "ee", 2);
    pd_expect_line(raw, "guest2: one");
    pd_expect_line(raw, "guest2: two");
    pd_expect_line(raw, "guest2: three"); /* the message's end ends its last line */
    leave_room();
}
END_TEST

/* ---- 6.x UTF-8 (RFC 3629) ---------------------------------------------------------- */

static void invalid_text(const char *bytes, size_t length)
{
    enter_room();
    send_frame(1, 0, OP_TEXT, bytes, length);
    expect_close(1007);
    expect_left();
    leave_room();
}

START_TEST(case_6_3_1_overlong_slash_gets_1007)
{
    invalid_text("ab\xc0\xafz", 5);
}
END_TEST

START_TEST(case_6_3_2_surrogate_gets_1007)
{
    invalid_text("\xed\xa0\x80", 3);
}
END_TEST

START_TEST(case_6_3_3_above_u10ffff_gets_1007)
{
    invalid_text("\xf4\x90\x80\x80", 4);
}
END_TEST

START_TEST(case_6_3_4_lone_continuation_byte_gets_1007)
{
    invalid_text("x\x80y", 3);
}
END_TEST

START_TEST(case_6_3_5_character_cut_at_the_message_end_gets_1007)
{
    invalid_text("euro \xe2\x82", 7);
}
END_TEST

START_TEST(case_6_2_1_characters_split_across_fragments)
{
    /* "€ 𝄞": E2 82 AC, a space, F0 9D 84 9E, cut inside both characters. */
    enter_room();
    send_frame(0, 0, OP_TEXT, "\xe2", 1);
    send_frame(0, 0, OP_CONT, "\x82\xac \xf0\x9d", 5);
    send_frame(1, 0, OP_CONT, "\x84\x9e", 2);
    pd_expect_line(raw, "guest2: \xe2\x82\xac \xf0\x9d\x84\x9e");
    leave_room();
}
END_TEST

START_TEST(case_6_4_1_fail_fast_on_the_first_bad_fragment)
{
    /* The message is still open: the server must not wait for its end. */
    enter_room();
    send_frame(0, 0, OP_TEXT, "good \xce\xba", 7);
    send_frame(0, 0, OP_CONT, "\xf4\x90\x80\x80", 4);
    expect_close(1007);
    leave_room();
}
END_TEST

START_TEST(case_6_4_2_fail_fast_inside_a_frame_not_yet_whole)
{
    /* A frame that claims 100 bytes, of which only the first 6 come, the 4th bad:
     * judged fragment by fragment, the server need not wait for the other 94. */
    enter_room();
    unsigned char wire[128];
    struct wsc_frame f = {.fin = 1,
                          .opcode = OP_TEXT,
                          .masked = 1,
                          .payload = "abc\xff\x00\x00",
                          .length = 6,
                          .claim_length = 1,
                          .claimed_length = 100};
    ck_assert_int_eq(wsc_send_bytes(ws, wire, wsc_encode(&f, wire)), 0);
    expect_close(1007);
    leave_room();
}
END_TEST

/* ---- 7.x closing ------------------------------------------------------------------- */

START_TEST(case_7_1_1_close_without_code_is_echoed_with_1000)
{
    enter_room();
    send_frame(1, 0, OP_CLOSE, "", 0);
    expect_close(1000);
    expect_left();
    leave_room();
}
END_TEST

START_TEST(case_7_1_2_close_with_reason_is_echoed)
{
    enter_room();
    send_frame(1, 0, OP_CLOSE,
               "\x03\xe8"
               "bye \xe2\x82\xac",
               9);
    expect_close(1000);
    expect_left();
    leave_room();
}
END_TEST

START_TEST(case_7_1_3_frames_after_close_are_ignored)
{
    enter_room();
    unsigned char wire[64];
    size_t size = 0;
    struct wsc_frame close = {
        .fin = 1, .opcode = OP_CLOSE, .masked = 1, .payload = "\x03\xe8", .length = 2};
    struct wsc_frame text = {
        .fin = 1, .opcode = OP_TEXT, .masked = 1, .payload = "ghost", .length = 5};
    size += wsc_encode(&close, wire);
    size += wsc_encode(&text, wire + size);
    ck_assert_int_eq(wsc_send_bytes(ws, wire, size), 0);
    expect_close(1000);
    expect_left(); /* and not "guest2: ghost" before it */
    leave_room();
}
END_TEST

START_TEST(case_7_3_1_close_with_one_byte_gets_1002)
{
    enter_room();
    send_frame(1, 0, OP_CLOSE, "\x03", 1);
    expect_close(1002);
    leave_room();
}
END_TEST

START_TEST(case_7_5_1_close_reason_not_utf8_gets_1002)
{
    enter_room();
    send_frame(1, 0, OP_CLOSE, "\x03\xe8\xce\xba\xc0\xaf", 6);
    expect_close(1002);
    leave_room();
}
END_TEST

static const int valid_codes[] = {1000, 1001, 1002, 1003, 1007, 1008, 1009,
                                  1010, 1011, 1014, 3000, 3999, 4000, 4999};
static const int invalid_codes[] = {0,    999,  1004, 1005, 1006, 1015,
                                    1016, 1100, 2000, 2999, 5000, 65535};

START_TEST(case_7_7_valid_close_codes_are_echoed)
{
    int code = valid_codes[_i];
    enter_room();
    unsigned char payload[2] = {(unsigned char)(code >> 8), (unsigned char)code};
    send_frame(1, 0, OP_CLOSE, payload, 2);
    expect_close(code);
    leave_room();
}
END_TEST

START_TEST(case_7_9_invalid_close_codes_get_1002)
{
    int code = invalid_codes[_i];
    enter_room();
    unsigned char payload[2] = {(unsigned char)(code >> 8), (unsigned char)code};
    send_frame(1, 0, OP_CLOSE, payload, 2);
    expect_close(1002);
    leave_room();
}
END_TEST

START_TEST(case_7_quit_gets_close_1000)
{
    enter_room();
    ck_assert_int_eq(wsc_send_text(ws, "/quit"), 0);
    /* "* bye" may come first */
    ck_assert_int_eq(wsc_read(ws, frame, pd_wait_ms()), 1);
    if (frame->opcode == OP_TEXT) {
        ck_assert_str_eq((char *)frame->payload, "* bye");
        ck_assert_int_eq(wsc_read(ws, frame, pd_wait_ms()), 1);
    }
    ck_assert_int_eq(frame->opcode, OP_CLOSE);
    ck_assert_int_eq(wsc_close_code(frame), 1000);
    expect_left();
    leave_room();
}
END_TEST

/* ---- 9.x limits (65,536 bytes a message, judged from the header) --------------------
 */

START_TEST(case_9_1_1_frame_of_65537_bytes_gets_1009_from_its_header)
{
    /* Only the header is sent: the verdict cannot wait for the payload. */
    enter_room();
    unsigned char wire[16];
    struct wsc_frame f = {.fin = 1,
                          .opcode = OP_TEXT,
                          .masked = 1,
                          .payload = "",
                          .length = 0,
                          .claim_length = 1,
                          .claimed_length = 65537};
    ck_assert_int_eq(wsc_send_bytes(ws, wire, wsc_encode(&f, wire)), 0);
    expect_close(1009);
    expect_left();
    leave_room();
}
END_TEST

START_TEST(case_9_1_2_fragments_summing_65537_bytes_get_1009)
{
    enter_room();
    char *text = make_text(32768);
    send_frame(0, 0, OP_TEXT, text, 32768);
    send_frame(0, 0, OP_CONT, text, 32768);
    send_frame(1, 0, OP_CONT, "x", 1);
    expect_close(1009);
    free(text);
    leave_room();
}
END_TEST

START_TEST(case_9_1_3_length_with_its_top_bit_set_gets_1009)
{
    enter_room();
    unsigned char wire[16];
    struct wsc_frame f = {.fin = 1,
                          .opcode = OP_TEXT,
                          .masked = 1,
                          .form = WSC_LEN_64,
                          .payload = "",
                          .claim_length = 1,
                          .claimed_length = UINT64_C(0x8000000000000005)};
    ck_assert_int_eq(wsc_send_bytes(ws, wire, wsc_encode(&f, wire)), 0);
    expect_close(1009);
    leave_room();
}
END_TEST

START_TEST(case_9_1_4_length_of_a_terabyte_gets_1009)
{
    enter_room();
    unsigned char wire[16];
    struct wsc_frame f = {.fin = 0,
                          .opcode = OP_TEXT,
                          .masked = 1,
                          .form = WSC_LEN_64,
                          .payload = "",
                          .claim_length = 1,
                          .claimed_length = UINT64_C(1) << 40};
    ck_assert_int_eq(wsc_send_bytes(ws, wire, wsc_encode(&f, wire)), 0);
    expect_close(1009);
    leave_room();
}
END_TEST

Suite *websocket_suite(void)
{
    Suite *s = suite_create("websocket");
    TCase *handshake = tcase_create("handshake");
    tcase_set_timeout(handshake, 20);
    tcase_add_test(handshake, handshake_101_with_the_accept_key);
    tcase_add_test(handshake, handshake_426_names_version_13);
    tcase_add_test(handshake, handshake_400s);
    tcase_add_test(handshake, handshake_origin_rules);
    suite_add_tcase(s, handshake);

    TCase *framing = tcase_create("framing");
    tcase_set_timeout(framing, 20);
    tcase_add_test(framing, case_1_1_1_text_0_bytes);
    tcase_add_test(framing, case_1_1_2_text_125_bytes_7_bit_length);
    tcase_add_test(framing, case_1_1_3_text_126_bytes_16_bit_length);
    tcase_add_test(framing, case_1_1_4_text_65535_bytes_16_bit_length);
    tcase_add_test(framing, case_1_1_5_text_65536_bytes_64_bit_length);
    tcase_add_test(framing, case_1_1_6_text_125_bytes_one_byte_per_write);
    tcase_add_test(framing, case_1_1_7_text_300_bytes_64_bit_length_one_byte_per_write);
    tcase_add_test(framing, case_1_1_8_lengths_not_minimal_are_read_as_written);
    tcase_add_test(framing, case_1_1_9_several_frames_in_one_write);
    tcase_add_test(framing, case_1_1_10_room_lines_come_as_unmasked_text_frames);
    tcase_add_test(framing, case_1_2_1_binary_gets_1003);
    tcase_add_test(framing, case_1_3_1_unmasked_client_frame_gets_1002);
    suite_add_tcase(s, framing);

    TCase *control = tcase_create("control");
    tcase_set_timeout(control, 20);
    tcase_add_test(control, case_2_1_ping_without_payload);
    tcase_add_test(control, case_2_3_ping_with_binary_payload);
    tcase_add_test(control, case_2_4_ping_with_125_bytes);
    tcase_add_test(control, case_2_5_ping_with_126_bytes_gets_1002);
    tcase_add_test(control, case_2_6_ping_one_byte_per_write);
    tcase_add_test(control, case_2_7_unsolicited_pong_is_ignored);
    tcase_add_test(control, case_2_10_ten_pings_in_one_write_get_ten_pongs_in_order);
    tcase_add_test(control, case_2_11_fragmented_ping_gets_1002);
    tcase_add_test(control, case_3_1_rsv1_on_text_gets_1002);
    tcase_add_test(control, case_3_2_rsv2_after_a_good_text);
    tcase_add_test(control, case_3_3_rsv3_on_ping_gets_1002_without_pong);
    tcase_add_test(control, case_3_7_all_rsv_bits_on_close_gets_1002);
    tcase_add_test(control, case_4_1_1_opcode_3_gets_1002);
    tcase_add_test(control, case_4_1_5_opcode_7_with_payload_gets_1002);
    tcase_add_test(control, case_4_2_1_opcode_11_gets_1002);
    tcase_add_test(control, case_4_2_5_opcode_15_with_payload_gets_1002);
    suite_add_tcase(s, control);

    TCase *fragments = tcase_create("fragments and UTF-8");
    tcase_set_timeout(fragments, 20);
    tcase_add_test(fragments, case_5_3_text_in_two_fragments);
    tcase_add_test(fragments, case_5_6_ping_between_fragments_is_answered_first);
    tcase_add_test(fragments, case_5_8_fragments_and_ping_in_one_write_one_byte_each);
    tcase_add_test(fragments, case_5_9_continuation_with_no_message_open_gets_1002);
    tcase_add_test(fragments, case_5_18_new_text_while_a_message_is_open_gets_1002);
    tcase_add_test(fragments, case_5_20_lines_inside_fragments_are_cut_at_lf);
    tcase_add_test(fragments, case_6_2_1_characters_split_across_fragments);
    tcase_add_test(fragments, case_6_3_1_overlong_slash_gets_1007);
    tcase_add_test(fragments, case_6_3_2_surrogate_gets_1007);
    tcase_add_test(fragments, case_6_3_3_above_u10ffff_gets_1007);
    tcase_add_test(fragments, case_6_3_4_lone_continuation_byte_gets_1007);
    tcase_add_test(fragments, case_6_3_5_character_cut_at_the_message_end_gets_1007);
    tcase_add_test(fragments, case_6_4_1_fail_fast_on_the_first_bad_fragment);
    tcase_add_test(fragments, case_6_4_2_fail_fast_inside_a_frame_not_yet_whole);
    suite_add_tcase(s, fragments);

    TCase *closing = tcase_create("closing and limits");
    tcase_set_timeout(closing, 20);
    tcase_add_test(closing, case_7_1_1_close_without_code_is_echoed_with_1000);
    tcase_add_test(closing, case_7_1_2_close_with_reason_is_echoed);
    tcase_add_test(closing, case_7_1_3_frames_after_close_are_ignored);
    tcase_add_test(closing, case_7_3_1_close_with_one_byte_gets_1002);
    tcase_add_test(closing, case_7_5_1_close_reason_not_utf8_gets_1002);
    tcase_add_loop_test(closing, case_7_7_valid_close_codes_are_echoed, 0,
                        (int)(sizeof valid_codes / sizeof valid_codes[0]));
    tcase_add_loop_test(closing, case_7_9_invalid_close_codes_get_1002, 0,
                        (int)(sizeof invalid_codes / sizeof invalid_codes[0]));
    tcase_add_test(closing, case_7_quit_gets_close_1000);
    tcase_add_test(closing, case_9_1_1_frame_of_65537_bytes_gets_1009_from_its_header);
    tcase_add_test(closing, case_9_1_2_fragments_summing_65537_bytes_get_1009);
    tcase_add_test(closing, case_9_1_3_length_with_its_top_bit_set_gets_1009);
    tcase_add_test(closing, case_9_1_4_length_of_a_terabyte_gets_1009);
    suite_add_tcase(s, closing);
    return s;
}
