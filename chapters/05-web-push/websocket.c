/* websocket.c: see websocket.h. Section numbers are RFC 6455's. */
#include "websocket.h"

#include "base64.h"
#include "sha1.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- The handshake ----------------------------------------------------------------- */

int ws_accept_key(const char *key, char accept[WS_ACCEPT_SIZE])
{
    /* §4.2.2: the key as sent (its base64 text, not the decoded bytes), then the GUID;
     * SHA-1 of that; base64 of the digest. */
    size_t key_length = strlen(key);
    if (key_length > 256)
        return -1;
    struct sha1 h;
    sha1_init(&h);
    sha1_update(&h, key, key_length);
    sha1_update(&h, WS_GUID, strlen(WS_GUID));
    unsigned char digest[SHA1_DIGEST_SIZE];
    sha1_final(&h, digest);
    return base64_encode(digest, sizeof digest, accept, WS_ACCEPT_SIZE) < 0 ? -1 : 0;
}

/* Split "host:port", "[v6]:port" or "host" into the host's text and the port (80
 * when absent). Returns 0, or -1 when the port is not a number. */
static int split_host_port(const char *text, size_t length, const char **host,
                           size_t *host_length, long *port)
{
    const char *end = text + length;
    const char *colon = NULL;
    if (length > 0 && text[0] == '[') {
        const char *close = memchr(text, ']', length);
        if (close == NULL)
            return -1;
        colon = close + 1 < end && close[1] == ':' ? close + 1 : NULL;
        if (colon == NULL && close + 1 != end)
            return -1;
    } else {
        for (const char *c = text; c < end; c++)
            if (*c == ':')
                colon = c;
    }
    *host = text;
    *host_length = colon != NULL ? (size_t)(colon - text) : length;
    *port = 80;
    if (colon == NULL)
        return 0;
    if (colon + 1 == end || end - colon > 6)
        return -1;
    long value = 0;
    for (const char *c = colon + 1; c < end; c++) {
        if (*c < '0' || *c > '9')
            return -1;
        value = value * 10 + (*c - '0');
    }
    *port = value;
    return 0;
}

int ws_origin_matches_host(const char *origin, const char *host)
{
    /* An Origin is "scheme://host[:port]" (RFC 6454); "null" comes from a sandboxed
     * frame or a local file, pages whose site we cannot know. */
    const char *slashes = strstr(origin, "://");
    if (slashes == NULL || strcmp(origin, "null") == 0)
        return 0;
    const char *authority = slashes + 3;
    size_t authority_length = strcspn(authority, "/");
    if (authority[authority_length] != '\0')
        return 0; /* an Origin has no path */
    const char *o_host, *h_host;
    size_t o_length, h_length;
    long o_port, h_port;
    if (split_host_port(authority, authority_length, &o_host, &o_length, &o_port) < 0 ||
        split_host_port(host, strlen(host), &h_host, &h_length, &h_port) < 0)
        return 0;
    return o_port == h_port && o_length == h_length && o_length > 0 &&
           strncasecmp(o_host, h_host, o_length) == 0;
}

/* Is key the base64 of exactly 16 bytes (§4.1: a random nonce)? */
static int key_is_valid(const char *key)
{
    unsigned char nonce[17]; /* one more than needed: a longer key does not fit */
    return base64_decode(key, strlen(key), nonce, sizeof nonce) == 16;
}

int ws_check_handshake(const struct http_request *req, char accept[WS_ACCEPT_SIZE])
{
    const struct http_request_line *line = &req->request_line;
    if (line->method == NULL || strcmp(line->method, "GET") != 0 || line->major != 1 ||
        line->minor < 1)
        return 400;
    if (http_header_count(req, "Host") != 1 ||
        !http_header_has_token(req, "Upgrade", "websocket") ||
        !http_header_has_token(req, "Connection", "upgrade"))
        return 400; /* a plain GET of /ws, or a proxy that dropped the headers */
    if (http_header_count(req, "Content-Length") > 0 ||
        http_header_count(req, "Transfer-Encoding") > 0)
        return 400; /* the bytes after the head are frames, not a body */
    const char *version = http_header_value(req, "Sec-WebSocket-Version");
    if (version == NULL)
        return 400;
    if (strcmp(version, "13") != 0 || http_header_count(req, "Sec-WebSocket-Version") > 1)
        return 426; /* §4.4: answer with the version we speak */
    const char *key = http_header_value(req, "Sec-WebSocket-Key");
    if (key == NULL || http_header_count(req, "Sec-WebSocket-Key") != 1 ||
        !key_is_valid(key))
        return 400;
    /* §10.2: a browser sends the page's Origin. A page on another site must not
     * open a socket with the visitor's cookies (cross-site WebSocket hijacking);
     * a non-browser client sends none, and cannot be told apart from anyone. */
    const char *origin = http_header_value(req, "Origin");
    if (origin != NULL &&
        (http_header_count(req, "Origin") != 1 ||
         !ws_origin_matches_host(origin, http_header_value(req, "Host"))))
        return 403;
    return ws_accept_key(key, accept) < 0 ? 400 : 0;
}

/* ---- The parser -------------------------------------------------------------------- */

void ws_parser_init(struct ws_parser *p, int expect_masked)
{
    memset(p, 0, sizeof *p);
    p->expect_masked = expect_masked;
    p->stage = WS_STAGE_HEADER;
    utf8_init(&p->utf8);
}

int ws_close_code_valid(int code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
}

static int is_control(int opcode)
{
    return (opcode & 0x8) != 0;
}

static size_t fail(struct ws_parser *p, struct ws_event *ev, int code, size_t used)
{
    p->stage = WS_STAGE_FAILED;
    ev->type = WS_FAIL;
    ev->code = code;
    return used;
}

/* The whole header's size, once its first two bytes are known. */
static size_t header_size(const struct ws_parser *p)
{
    unsigned length7 = p->header[1] & 0x7f;
    size_t size = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0);
    return size + ((p->header[1] & 0x80) ? 4 : 0);
}

/* The rules that the first two bytes alone decide. Returns 0 or a close code. */
static int check_first_bytes(struct ws_parser *p)
{
    int fin = (p->header[0] & 0x80) != 0;
    int rsv = p->header[0] & 0x70;
    int opcode = p->header[0] & 0x0f;
    int masked = (p->header[1] & 0x80) != 0;
    unsigned length7 = p->header[1] & 0x7f;
    if (rsv != 0)
        return WS_CLOSE_PROTOCOL_ERROR; /* no extension was agreed (§5.2) */
    if ((opcode > WS_OP_BINARY && opcode < WS_OP_CLOSE) || opcode > WS_OP_PONG)
        return WS_CLOSE_PROTOCOL_ERROR; /* reserved opcode */
    if (is_control(opcode) && (!fin || length7 > WS_MAX_CONTROL_PAYLOAD))
        return WS_CLOSE_PROTOCOL_ERROR; /* §5.5: control frames are whole and small */
    if (masked != p->expect_masked)
        return WS_CLOSE_PROTOCOL_ERROR; /* §5.1: clients mask, servers do not */
    if (opcode == WS_OP_CONTINUATION && !p->message_open)
        return WS_CLOSE_PROTOCOL_ERROR; /* nothing to continue */
    if ((opcode == WS_OP_TEXT || opcode == WS_OP_BINARY) && p->message_open)
        return WS_CLOSE_PROTOCOL_ERROR; /* §5.4: messages do not interleave */
    if (opcode == WS_OP_BINARY)
        return WS_CLOSE_UNSUPPORTED; /* the chat is text */
    return 0;
}

/* The header is complete: decode the length and the mask, and judge the length
 * before a single payload byte is read. Returns 0 or a close code. */
static int finish_header(struct ws_parser *p)
{
    p->fin = (p->header[0] & 0x80) != 0;
    p->opcode = p->header[0] & 0x0f;
    p->masked = (p->header[1] & 0x80) != 0;
    unsigned length7 = p->header[1] & 0x7f;
    size_t at = 2;
    uint64_t length = length7;
    if (length7 >= 126) {
        size_t bytes = length7 == 126 ? 2 : 8;
        length = 0;
        for (size_t i = 0; i < bytes; i++)
            length = length << 8 | p->header[at + i];
        at += bytes;
        /* §5.2: the most significant bit of a 64-bit length must be 0. Such a
         * frame would be 8 EiB long: too big, like any over our limit. */
        if (bytes == 8 && (p->header[2] & 0x80) != 0)
            return WS_CLOSE_TOO_BIG;
    }
    if (p->masked)
        memcpy(p->mask, p->header + at, 4);
    p->length = length;
    p->done = 0;
    if (!is_control(p->opcode)) {
        /* Summed over the fragments, in a way that cannot overflow. */
        if (length > WS_MAX_MESSAGE_BYTES - p->message_bytes)
            return WS_CLOSE_TOO_BIG;
        if (p->opcode == WS_OP_TEXT) {
            p->message_open = 1;
            p->message_bytes = 0;
            utf8_init(&p->utf8);
        }
        p->message_bytes += length;
    }
    return 0;
}

/* A control frame is complete: report it. */
static void control_event(struct ws_parser *p, struct ws_event *ev)
{
    ev->data = p->control;
    ev->length = (size_t)p->length;
    if (p->opcode == WS_OP_PING) {
        ev->type = WS_PING;
        return;
    }
    if (p->opcode == WS_OP_PONG) {
        ev->type = WS_PONG;
        return;
    }
    /* CLOSE (§5.5.1): nothing, or a 2-byte code and a UTF-8 reason. */
    ev->type = WS_CLOSE;
    ev->code = WS_CLOSE_NO_STATUS;
    if (p->length == 0)
        return;
    struct utf8_state reason;
    utf8_init(&reason);
    int code = p->control[0] << 8 | p->control[1];
    if (p->length == 1 || !ws_close_code_valid(code) ||
        utf8_feed(&reason, p->control + 2, (size_t)p->length - 2) < 0 ||
        !utf8_complete(&reason)) {
        p->stage = WS_STAGE_FAILED;
        ev->type = WS_FAIL;
        ev->code = WS_CLOSE_PROTOCOL_ERROR;
        return;
    }
    ev->code = code;
    ev->data = p->control + 2;
    ev->length = (size_t)p->length - 2;
}

/* The end of a frame's payload: back to reading headers; at the end of a message,
 * check that no character was left cut in two. Returns 0 or a close code. */
static int end_of_frame(struct ws_parser *p)
{
    p->stage = WS_STAGE_HEADER;
    p->header_have = 0;
    if (is_control(p->opcode) || !p->fin)
        return 0;
    if (!utf8_complete(&p->utf8))
        return WS_CLOSE_INVALID_DATA;
    p->message_open = 0;
    p->message_bytes = 0;
    p->end_pending = 1;
    return 0;
}

/* Gather header bytes. Returns the bytes used; *code is set when the header broke a
 * rule; p->stage becomes WS_STAGE_PAYLOAD once it is complete. */
static size_t read_header(struct ws_parser *p, const unsigned char *bytes, size_t length,
                          int *code)
{
    size_t used = 0;
    *code = 0;
    while (used < length) {
        size_t want = p->header_have < 2 ? 2 : header_size(p);
        size_t take = want - p->header_have;
        if (take > length - used)
            take = length - used;
        memcpy(p->header + p->header_have, bytes + used, take);
        p->header_have += take;
        used += take;
        if (p->header_have < want)
            break;
        if (want == 2) {
            *code = check_first_bytes(p);
            if (*code != 0)
                return used;
            if (header_size(p) > 2)
                continue; /* the extended length and the mask follow */
        }
        *code = finish_header(p);
        if (*code == 0)
            p->stage = WS_STAGE_PAYLOAD;
        return used;
    }
    return used;
}

/* One step of ws_parse: up to the end of a header, a frame or the bytes. */
static size_t parse_step(struct ws_parser *p, unsigned char *bytes, size_t length,
                         struct ws_event *ev)
{
    ev->type = WS_NEED_MORE;
    ev->data = NULL;
    ev->length = 0;
    ev->code = 0;
    if (p->stage == WS_STAGE_FAILED)
        return fail(p, ev, WS_CLOSE_PROTOCOL_ERROR, 0);
    if (p->end_pending) {
        p->end_pending = 0;
        ev->type = WS_MESSAGE_END;
        return 0;
    }
    size_t used = 0;
    if (p->stage == WS_STAGE_HEADER) {
        int code;
        used = read_header(p, bytes, length, &code);
        if (code != 0)
            return fail(p, ev, code, used);
        if (p->stage == WS_STAGE_HEADER)
            return used; /* WS_NEED_MORE: the header is not complete */
    }

    /* The payload: as much of it as is here. */
    uint64_t left = p->length - p->done;
    size_t take = left < length - used ? (size_t)left : length - used;
    unsigned char *payload = bytes + used;
    if (p->masked)
        ws_mask(payload, take, p->mask, p->done);
    used += take;
    if (is_control(p->opcode)) {
        memcpy(p->control + p->done, payload, take);
        p->done += take;
        if (p->done < p->length)
            return used;
        int code = end_of_frame(p);
        (void)code; /* a control frame ends no message */
        control_event(p, ev);
        return used;
    }
    /* A piece of a TEXT message (this frame or a continuation). */
    if (utf8_feed(&p->utf8, payload, take) < 0)
        return fail(p, ev, WS_CLOSE_INVALID_DATA, used); /* fail fast (§8.1) */
    p->done += take;
    if (p->done == p->length) {
        int code = end_of_frame(p);
        if (code != 0)
            return fail(p, ev, code, used);
    }
    if (take > 0) {
        ev->type = WS_TEXT_DATA;
        ev->data = payload;
        ev->length = take;
    } else if (p->end_pending) {
        p->end_pending = 0;
        ev->type = WS_MESSAGE_END;
    }
    return used;
}

size_t ws_parse(struct ws_parser *p, unsigned char *bytes, size_t length,
                struct ws_event *ev)
{
    /* A step can end with nothing to report and bytes left (an empty fragment in
     * the middle of a message): go on until there is news or the bytes are used. */
    size_t used = 0;
    for (;;) {
        used += parse_step(p, bytes + used, length - used, ev);
        if (ev->type != WS_NEED_MORE || used == length)
            return used;
    }
}

/* ---- The encoder ------------------------------------------------------------------- */

size_t ws_frame_header(unsigned char *out, int fin, int opcode, uint64_t length,
                       const unsigned char *mask)
{
    size_t at = 0;
    out[at++] = (unsigned char)((fin ? 0x80 : 0) | (opcode & 0x0f));
    unsigned char mask_bit = mask != NULL ? 0x80 : 0;
    if (length <= 125) {
        out[at++] = (unsigned char)(mask_bit | length);
    } else if (length <= 0xffff) {
        out[at++] = mask_bit | 126;
        out[at++] = (unsigned char)(length >> 8);
        out[at++] = (unsigned char)length;
    } else {
        out[at++] = mask_bit | 127;
        for (int i = 7; i >= 0; i--)
            out[at++] = (unsigned char)(length >> (8 * i));
    }
    if (mask != NULL) {
        memcpy(out + at, mask, 4);
        at += 4;
    }
    return at;
}

void ws_mask(unsigned char *bytes, size_t length, const unsigned char mask[4],
             uint64_t offset)
{
    for (size_t i = 0; i < length; i++)
        bytes[i] ^= mask[(offset + i) % 4];
}
