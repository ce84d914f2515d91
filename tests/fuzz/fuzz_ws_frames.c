/* fuzz_ws_frames.c: chapter 5's WebSocket frame parser, ws_parse() in
 * chapters/05-web-push/websocket.c, as a server runs it (client frames masked).
 *
 * The input's first four bytes choose how the rest is cut into reads; the rest is
 * the byte stream from a client. What must hold:
 *   - the events are the same however the stream is cut (a frame in any number of
 *     pieces, several frames in one read): the parser is truly incremental, and it
 *     uses every byte it is given before it asks for more. One difference is
 *     allowed: text that fails (1007, fail fast) may have had its earlier pieces
 *     delivered, as much as arrived in earlier reads, so the text right before a
 *     failure is left out of the comparison;
 *   - every complete TEXT message is valid UTF-8 (checked again here with utf8.c)
 *     and at most WS_MAX_MESSAGE_BYTES, a control payload at most 125 bytes, a
 *     CLOSE code one a peer may send, a failure one of the four codes;
 *   - re-encoded from what was parsed (each message as one masked TEXT frame, each
 *     control frame as itself), the stream parses to the same events again.
 */
#include "websocket.h"

#include "fuzz.h"

/* One event of a run: the pieces of a message are joined into one 'T' event. */
struct event {
    int tag; /* 'T' text, 'E' message end, 'P' ping, 'O' pong, 'C' close, 'F' fail */
    int code;
    size_t offset, length; /* payload in the run's data */
};

#define MAX_EVENTS 4096

struct run {
    struct event events[MAX_EVENTS];
    size_t count;
    unsigned char *data; /* every payload byte, in order */
    size_t data_length, data_capacity;
    int ended, failed;
    /* The message being received, followed across all its pieces: a PING may come
     * between two fragments, so its text is not always one event. */
    struct utf8_state message_utf8;
    size_t message_bytes;
};

static void add_data(struct run *r, const unsigned char *bytes, size_t length)
{
    if (r->data == NULL || r->data_length + length > r->data_capacity) {
        r->data_capacity = (r->data_length + length) * 2 + 64;
        r->data = realloc(r->data, r->data_capacity);
        if (r->data == NULL)
            abort();
    }
    if (length > 0)
        memcpy(r->data + r->data_length, bytes, length);
    r->data_length += length;
}

static void add_event(struct run *r, int tag, int code, const unsigned char *payload,
                      size_t length)
{
    if (tag == 'T' && r->count > 0 && r->events[r->count - 1].tag == 'T') {
        r->events[r->count - 1].length += length; /* the next piece of the message */
        add_data(r, payload, length);
        return;
    }
    if (r->count == MAX_EVENTS) {
        r->ended = 1; /* enough: the same limit applies to every run compared */
        return;
    }
    r->events[r->count++] = (struct event){tag, code, r->data_length, length};
    add_data(r, payload, length);
}

static void record(struct run *r, const struct ws_event *ev)
{
    switch (ev->type) {
    case WS_TEXT_DATA:
        /* What is delivered is always valid so far: the parser checks a piece
         * before it hands it over. */
        FUZZ_CHECK(utf8_feed(&r->message_utf8, ev->data, ev->length) == 0);
        r->message_bytes += ev->length;
        FUZZ_CHECK(r->message_bytes <= WS_MAX_MESSAGE_BYTES);
        add_event(r, 'T', 0, ev->data, ev->length);
        break;
    case WS_MESSAGE_END:
        FUZZ_CHECK(utf8_complete(&r->message_utf8)); /* no character cut at the end */
        utf8_init(&r->message_utf8);
        r->message_bytes = 0;
        add_event(r, 'E', 0, NULL, 0);
        break;
    case WS_PING:
    case WS_PONG:
        FUZZ_CHECK(ev->length <= WS_MAX_CONTROL_PAYLOAD);
        add_event(r, ev->type == WS_PING ? 'P' : 'O', 0, ev->data, ev->length);
        break;
    case WS_CLOSE:
        FUZZ_CHECK(ev->code == WS_CLOSE_NO_STATUS || ws_close_code_valid(ev->code));
        FUZZ_CHECK(ev->length <= WS_MAX_CONTROL_PAYLOAD - 2);
        add_event(r, 'C', ev->code, ev->data, ev->length);
        r->ended = 1;
        break;
    case WS_FAIL:
        if (r->count > 0 && r->events[r->count - 1].tag == 'T') {
            r->data_length = r->events[r->count - 1].offset; /* see the top */
            r->count--;
        }
        FUZZ_CHECK(ev->code == WS_CLOSE_PROTOCOL_ERROR ||
                   ev->code == WS_CLOSE_UNSUPPORTED ||
                   ev->code == WS_CLOSE_INVALID_DATA || ev->code == WS_CLOSE_TOO_BIG);
        add_event(r, 'F', ev->code, NULL, 0);
        r->ended = r->failed = 1;
        break;
    case WS_NEED_MORE:
        break;
    }
}

/* Parse stream[0..size), cut into reads by seed (0: one read), into r. */
static void parse(const uint8_t *stream, size_t size, uint32_t seed, struct run *r)
{
    struct ws_parser p;
    ws_parser_init(&p, 1);
    r->count = 0;
    r->data_length = 0;
    add_data(r, NULL, 0); /* so that r->data is never NULL */
    r->ended = r->failed = 0;
    utf8_init(&r->message_utf8);
    r->message_bytes = 0;
    size_t at = 0;
    while (!r->ended && at < size) {
        size_t piece = seed == 0 ? size - at : fuzz_next_piece(&seed, size - at);
        /* Each read in a buffer of its own, as a server's read() gives it (and a
         * copy: the parser unmasks in place). */
        unsigned char *buffer = (unsigned char *)fuzz_copy(stream + at, piece);
        size_t used = 0;
        while (!r->ended) {
            struct ws_event ev;
            size_t n = ws_parse(&p, buffer + used, piece - used, &ev);
            FUZZ_CHECK(n <= piece - used);
            used += n;
            if (ev.type == WS_NEED_MORE) {
                FUZZ_CHECK(used == piece); /* every byte given was used */
                break;
            }
            record(r, &ev);
        }
        free(buffer);
        at += piece;
    }
}

static int same_runs(const struct run *a, const struct run *b, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const struct event *x = &a->events[i], *y = &b->events[i];
        if (x->tag != y->tag || x->code != y->code || x->length != y->length ||
            (x->length > 0 &&
             memcmp(a->data + x->offset, b->data + y->offset, x->length) != 0))
            return 0;
    }
    return 1;
}

static void put_frame(unsigned char *out, size_t *o, int fin, int opcode,
                      const unsigned char *payload, size_t length)
{
    static const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
    *o += ws_frame_header(out + *o, fin, opcode, length, mask);
    if (length > 0)
        memcpy(out + *o, payload, length);
    ws_mask(out + *o, length, mask, 0);
    *o += length;
}

/* Re-encode a run: each piece of text as a fragment (TEXT, then CONTINUATION), the
 * end of a message as an empty final fragment, control frames as themselves, so the
 * events come back in the same order, up to a failure. Returns how many of r's
 * events the encoding stands for. */
static size_t reencode(const struct run *r, unsigned char *out, size_t *o)
{
    size_t i;
    int open = 0;
    *o = 0;
    for (i = 0; i < r->count; i++) {
        const struct event *e = &r->events[i];
        const unsigned char *payload = r->data + e->offset;
        if (e->tag == 'T') {
            put_frame(out, o, 0, open ? WS_OP_CONTINUATION : WS_OP_TEXT, payload,
                      e->length);
            open = 1;
        } else if (e->tag == 'E') {
            put_frame(out, o, 1, open ? WS_OP_CONTINUATION : WS_OP_TEXT, NULL, 0);
            open = 0;
        } else if (e->tag == 'P' || e->tag == 'O') {
            put_frame(out, o, 1, e->tag == 'P' ? WS_OP_PING : WS_OP_PONG, payload,
                      e->length);
        } else if (e->tag == 'C') {
            unsigned char close[WS_MAX_CONTROL_PAYLOAD];
            size_t n = 0;
            if (e->code != WS_CLOSE_NO_STATUS) {
                close[n++] = (unsigned char)(e->code >> 8);
                close[n++] = (unsigned char)e->code;
            }
            if (e->length > 0)
                memcpy(close + n, payload, e->length);
            put_frame(out, o, 1, WS_OP_CLOSE, close, n + e->length);
        } else {
            break; /* 'F': what failed cannot be re-encoded */
        }
    }
    return i;
}

static struct run whole, pieces, second;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4 || size > 400000)
        return 0;
    uint32_t seed = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
                    (uint32_t)data[3] << 24;
    data += 4;
    size -= 4;

    parse(data, size, 0, &whole);
    parse(data, size, seed | 1, &pieces);
    FUZZ_CHECK(whole.count == pieces.count && whole.failed == pieces.failed);
    FUZZ_CHECK(same_runs(&whole, &pieces, whole.count));

    /* At most 14 header bytes per event, plus the payloads. */
    unsigned char *again = malloc(whole.data_length + 14 * whole.count + 16);
    if (again == NULL)
        abort();
    size_t again_length;
    size_t stands_for = reencode(&whole, again, &again_length);
    parse(again, again_length, 0, &second);
    FUZZ_CHECK(!second.failed);
    FUZZ_CHECK(second.count == stands_for);
    FUZZ_CHECK(same_runs(&whole, &second, stands_for));
    free(again);
    return 0;
}
