/* wsclient.c: a raw WebSocket client for tests (see wsclient.h), from RFC 6455. */
#include "wsclient.h"

#include "harness.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A fixed key with no zero byte, so a masked payload never equals the plain one. */
static const unsigned char client_mask[4] = {0x37, 0xfa, 0x21, 0x3d};

struct wsclient *wsc_connect(int port)
{
    int fd = tcp_connect(port);
    if (fd < 0)
        return NULL;
    struct wsclient *c = calloc(1, sizeof *c);
    if (c == NULL) {
        close(fd);
        return NULL;
    }
    c->fd = fd;
    return c;
}

void wsc_close(struct wsclient *c)
{
    if (c == NULL)
        return;
    close(c->fd);
    free(c);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read more bytes into the buffer before the deadline: 1, 0 on time-out, -1 at the
 * end of the connection. */
static int fill(struct wsclient *c, long long deadline)
{
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0)
            return 0;
        struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
        int ready = poll(&pfd, 1, (int)left);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            return ready < 0 ? -1 : 0;
        if (c->have == sizeof c->buffer)
            return -1; /* a test never lets this much pile up */
        ssize_t n = read(c->fd, c->buffer + c->have, sizeof c->buffer - c->have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        c->have += (size_t)n;
        return 1;
    }
}

static void take(struct wsclient *c, size_t n)
{
    memmove(c->buffer, c->buffer + n, c->have - n);
    c->have -= n;
}

int wsc_handshake(struct wsclient *c, int port, const char *path,
                  const char *extra_headers, int full, char *head, size_t size)
{
    char request[4096];
    int n;
    if (full)
        n = snprintf(
            request, sizeof request,
            "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n%s\r\n",
            path, port, extra_headers ? extra_headers : "");
    else
        n = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\n%s\r\n", path,
                     extra_headers ? extra_headers : "");
    if (n < 0 || (size_t)n >= sizeof request || wsc_send_bytes(c, request, (size_t)n) < 0)
        return -1;
    long long deadline = now_ms() + 5000LL * timeout_multiplier();
    for (;;) {
        for (size_t i = 3; i < c->have; i++) {
            if (memcmp(c->buffer + i - 3, "\r\n\r\n", 4) != 0)
                continue;
            size_t length = i + 1 < size ? i + 1 : size - 1;
            memcpy(head, c->buffer, length);
            head[length] = '\0';
            take(c, i + 1);
            return response_status(head);
        }
        if (fill(c, deadline) <= 0)
            return -1;
    }
}

size_t wsc_encode(const struct wsc_frame *f, unsigned char *out)
{
    uint64_t length = f->claim_length ? f->claimed_length : f->length;
    enum wsc_length_form form = f->form;
    if (form == WSC_LEN_MINIMAL)
        form = length <= 125 ? WSC_LEN_7 : length <= 0xffff ? WSC_LEN_16 : WSC_LEN_64;
    size_t n = 0;
    out[n++] =
        (unsigned char)((f->fin ? 0x80 : 0) | (f->rsv & 7) << 4 | (f->opcode & 15));
    unsigned char mask_bit = f->masked ? 0x80 : 0;
    if (form == WSC_LEN_7) {
        out[n++] = (unsigned char)(mask_bit | (length & 0x7f));
    } else if (form == WSC_LEN_16) {
        out[n++] = mask_bit | 126;
        out[n++] = (unsigned char)(length >> 8);
        out[n++] = (unsigned char)length;
    } else {
        out[n++] = mask_bit | 127;
        for (int shift = 56; shift >= 0; shift -= 8)
            out[n++] = (unsigned char)(length >> shift);
    }
    if (f->masked) {
        memcpy(out + n, client_mask, 4);
        n += 4;
    }
    const unsigned char *payload = f->payload;
    for (size_t i = 0; i < f->length; i++)
        out[n++] = f->masked ? payload[i] ^ client_mask[i % 4] : payload[i];
    return n;
}

int wsc_send_bytes(struct wsclient *c, const void *bytes, size_t length)
{
    const unsigned char *p = bytes;
    while (length > 0) {
        ssize_t n = write(c->fd, p, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        length -= (size_t)n;
    }
    return 0;
}

int wsc_send_bytewise(struct wsclient *c, const void *bytes, size_t length)
{
    const unsigned char *p = bytes;
    for (size_t i = 0; i < length; i++)
        if (wsc_send_bytes(c, p + i, 1) < 0)
            return -1;
    return 0;
}

int wsc_send(struct wsclient *c, const struct wsc_frame *f)
{
    unsigned char *wire = malloc(f->length + 14);
    if (wire == NULL)
        return -1;
    int result = wsc_send_bytes(c, wire, wsc_encode(f, wire));
    free(wire);
    return result;
}

int wsc_send_simple(struct wsclient *c, int opcode, const void *payload, size_t length)
{
    struct wsc_frame f = {
        .fin = 1, .opcode = opcode, .masked = 1, .payload = payload, .length = length};
    return wsc_send(c, &f);
}

int wsc_send_text(struct wsclient *c, const char *text)
{
    return wsc_send_simple(c, 0x1, text, strlen(text));
}

/* A whole frame at the start of the buffer: its size, or 0 if more bytes must come.
 * m is filled when it is whole. -1 for a frame too large for m. */
static long decode(struct wsclient *c, struct wsc_message *m)
{
    if (c->have < 2)
        return 0;
    const unsigned char *b = c->buffer;
    size_t at = 2;
    uint64_t length = b[1] & 0x7f;
    if (length == 126) {
        if (c->have < 4)
            return 0;
        length = (uint64_t)b[2] << 8 | b[3];
        at = 4;
    } else if (length == 127) {
        if (c->have < 10)
            return 0;
        length = 0;
        for (int i = 0; i < 8; i++)
            length = length << 8 | b[2 + i];
        at = 10;
    }
    int masked = (b[1] & 0x80) != 0;
    if (length > WSC_MAX_PAYLOAD)
        return -1;
    size_t total = at + (masked ? 4 : 0) + (size_t)length;
    if (c->have < total)
        return 0;
    m->fin = (b[0] & 0x80) != 0;
    m->rsv = (b[0] >> 4) & 7;
    m->opcode = b[0] & 15;
    m->masked = masked;
    m->length = (size_t)length;
    const unsigned char *key = b + at;
    const unsigned char *payload = b + at + (masked ? 4 : 0);
    for (size_t i = 0; i < m->length; i++)
        m->payload[i] = masked ? payload[i] ^ key[i % 4] : payload[i];
    m->payload[m->length] = '\0';
    return (long)total;
}

int wsc_read(struct wsclient *c, struct wsc_message *m, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        long size = decode(c, m);
        if (size < 0)
            return -1;
        if (size > 0) {
            take(c, (size_t)size);
            return 1;
        }
        int got = fill(c, deadline);
        if (got <= 0)
            return got;
    }
}

int wsc_wait_closed(struct wsclient *c, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    struct wsc_message *m = malloc(sizeof *m);
    if (m == NULL)
        return 0;
    int closed = 0;
    for (;;) {
        long left = (long)(deadline - now_ms());
        int got = wsc_read(c, m, left > 0 ? (int)left : 0);
        if (got == 1)
            continue;
        closed = got < 0 && c->have == 0;
        break;
    }
    free(m);
    return closed;
}

int wsc_close_code(const struct wsc_message *m)
{
    if (m->length < 2)
        return -1;
    return m->payload[0] << 8 | m->payload[1];
}
