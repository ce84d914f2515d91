/* tool/web.c: the tool around chapter 4's lesson, not the lesson. See web.h. */
#include "web.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define REQUEST_MAX    512
#define WEB_TIMEOUT_MS 10000
/* Any 16 bytes in base64 will do: we check the 101, not the accept key (chapter 5's
 * tests do). This one is RFC 6455's example. */
#define WS_SAMPLE_KEY "dGhlIHNhbXBsZSBub25jZQ=="
#define WS_OP_TEXT    1

/* Send "METHOD PATH HTTP/1.1", Host and the extra header lines. Returns 0, or -1. */
static int send_request(struct conn *c, const char *method, const char *host,
                        const char *port, const char *path, const char *extra)
{
    char request[REQUEST_MAX];
    int ipv6 = strchr(host, ':') != NULL;
    int n = snprintf(request, sizeof request,
                     "%s %s HTTP/1.1\r\n"
                     "Host: %s%s%s:%s\r\n"
                     "%s"
                     "\r\n",
                     method, path, ipv6 ? "[" : "", host, ipv6 ? "]" : "", port, extra);
    if (n < 0 || (size_t)n >= sizeof request) {
        errno = EMSGSIZE;
        return -1;
    }
    return conn_send(c, request, (size_t)n);
}

/* A request, and the head of its answer, which must have the status wanted. */
static int request_head(struct conn *c, const char *method, const char *host,
                        const char *port, const char *path, const char *extra, int want,
                        struct conn_answer *a, char *why, size_t why_size)
{
    int rc = send_request(c, method, host, port, path, extra);
    if (rc == 0)
        rc = conn_read_head(c, a, io_now_ms() + WEB_TIMEOUT_MS);
    if (rc != 0) {
        snprintf(why, why_size, "%s %s: %s", method, path, conn_error(rc));
        return -1;
    }
    if (a->status != want) {
        snprintf(why, why_size, "%s %s: status %d", method, path, a->status);
        return -1;
    }
    return 0;
}

int web_join(struct conn *c, const char *host, const char *port,
             char token[WEB_TOKEN_SIZE], char *why, size_t why_size)
{
    struct conn_answer a;
    int rc = send_request(c, "POST", host, port, "/join", "Content-Length: 0\r\n");
    if (rc == 0)
        rc = conn_read_answer(c, 0, &a, io_now_ms() + WEB_TIMEOUT_MS);
    if (rc != 0 || a.status != 200) {
        snprintf(why, why_size, "POST /join: %s", rc != 0 ? conn_error(rc) : "not 200");
        return -1;
    }
    /* {"session":"<32 hex digits>","nick":"guest3"} */
    static const char key[] = "\"session\":\"";
    const char *at = strstr(a.body, key);
    size_t digits = at != NULL ? strspn(at + sizeof key - 1, "0123456789abcdef") : 0;
    if (digits != WEB_TOKEN_SIZE - 1) {
        snprintf(why, why_size, "POST /join: no session in %.100s", a.body);
        return -1;
    }
    memcpy(token, at + sizeof key - 1, digits);
    token[digits] = '\0';
    return 0;
}

int web_open_events(struct conn *c, const char *host, const char *port, const char *token,
                    char *why, size_t why_size)
{
    char path[128];
    struct conn_answer a;
    snprintf(path, sizeof path, "/events?session=%s", token);
    return request_head(c, "GET", host, port, path, "", 200, &a, why, why_size);
}

int web_upgrade(struct conn *c, const char *host, const char *port, char *why,
                size_t why_size)
{
    struct conn_answer a;
    return request_head(c, "GET", host, port, "/ws",
                        "Upgrade: websocket\r\n"
                        "Connection: Upgrade\r\n"
                        "Sec-WebSocket-Version: 13\r\n"
                        "Sec-WebSocket-Key: " WS_SAMPLE_KEY "\r\n",
                        101, &a, why, why_size);
}

int web_send_poll(struct conn *c, const char *host, const char *port, const char *token,
                  unsigned long since)
{
    char path[128];
    snprintf(path, sizeof path, "/poll?session=%s&since=%lu", token, since);
    return send_request(c, "GET", host, port, path, "");
}

int web_poll_next(const char *body, unsigned long *next)
{
    static const char key[] = "{\"next\":";
    if (strncmp(body, key, sizeof key - 1) != 0)
        return -1;
    const char *digits = body + sizeof key - 1;
    unsigned long value = 0;
    size_t count = strspn(digits, "0123456789");
    if (count == 0 || count > 9)
        return -1;
    for (size_t i = 0; i < count; i++)
        value = value * 10 + (unsigned long)(digits[i] - '0');
    *next = value;
    return 0;
}

long web_take_frame(struct conn *c, char *out, size_t size)
{
    /* RFC 6455 §5.2: FIN, opcode; MASK, a 7-bit length (126: 16 bits follow, 127: 64). */
    const unsigned char *bytes = (const unsigned char *)io_reader_bytes(&c->reader);
    size_t buffered = io_reader_length(&c->reader);
    if (buffered < 2)
        return -1;
    if (bytes[1] & 0x80)
        return WEB_FRAME_BAD; /* a server never masks */
    size_t header = 2;
    unsigned long long length = bytes[1] & 0x7f;
    if (length >= 126) {
        size_t extra = length == 126 ? 2 : 8;
        if (buffered < 2 + extra)
            return -1;
        length = 0;
        for (size_t i = 0; i < extra; i++)
            length = length << 8 | bytes[2 + i];
        header += extra;
    }
    if (length > IO_READER_CAPACITY - header)
        return WEB_FRAME_BAD;
    if (buffered < header + length)
        return -1;
    long taken = 0;
    out[0] = '\0';
    if ((bytes[0] & 0x0f) == WS_OP_TEXT) {
        size_t copy = length < size - 1 ? (size_t)length : size - 1;
        memcpy(out, bytes + header, copy);
        out[copy] = '\0';
        taken = (long)copy;
    }
    conn_consume(c, header + (size_t)length);
    return taken;
}
