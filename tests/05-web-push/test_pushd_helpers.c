/* test_pushd_helpers.c: talking to pushd from the tests: lines on the chat port,
 * HTTP heads, and a small WebSocket client that sends exactly the frames a test
 * asks for (declared in suites.h). */
#include "suites.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WELCOME_PREFIX "* welcome to pushd, you are "
#define WELCOME_SUFFIX "; /help for commands"

int pd_wait_ms(void)
{
    return 5000 * timeout_multiplier();
}

void pd_start(struct server_proc *server, const char *const extra[])
{
    char *argv[32] = {"pushd", "-p", "0", "-P", "0"};
    int argc = 5;
    for (int i = 0; extra != NULL && extra[i] != NULL && argc < 31; i++)
        argv[argc++] = (char *)extra[i];
    argv[argc] = NULL;
    ck_assert_msg(server_start(server, PUSHD, argv) == 0, "pushd did not start");
    ck_assert_msg(server->port > 0 && server->port2 > 0, "pushd named no ports: %s",
                  server->url);
}

struct pd_peer *pd_connect(int port)
{
    int fd = tcp_connect(port);
    ck_assert_msg(fd >= 0, "connect to port %d: %s", port, strerror(errno));
    struct pd_peer *p = malloc(sizeof *p);
    ck_assert_msg(p != NULL, "out of memory");
    p->fd = fd;
    p->length = 0;
    return p;
}

void pd_close(struct pd_peer *p)
{
    if (p != NULL) {
        close(p->fd);
        free(p);
    }
}

void pd_send(struct pd_peer *p, const void *data, size_t length)
{
    send_all(p->fd, data, length);
}

void pd_say(struct pd_peer *p, const char *text)
{
    send_all(p->fd, text, strlen(text));
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One poll() and read() until deadline. Returns 1 with bytes added, 0 on time-out,
 * -1 at the end of the connection or on an error. */
static int fill(struct pd_peer *p, long long deadline)
{
    ck_assert_msg(p->length < sizeof p->data, "the test's buffer is full");
    long long left = deadline - now_ms();
    if (left <= 0)
        return 0;
    struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
    int ready = poll(&pfd, 1, (int)left);
    if (ready < 0 && errno == EINTR)
        return 0;
    if (ready <= 0)
        return ready;
    ssize_t n = read(p->fd, p->data + p->length, sizeof p->data - p->length);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    if (n <= 0)
        return -1;
    p->length += (size_t)n;
    return 1;
}

/* Wait until at least n bytes are buffered. Returns 0, or -1 (*eof set at the end
 * of the connection). */
static int want_bytes(struct pd_peer *p, size_t n, long long deadline, int *eof)
{
    *eof = 0;
    while (p->length < n) {
        if (now_ms() >= deadline)
            return -1;
        int rc = fill(p, deadline);
        if (rc < 0) {
            *eof = 1;
            return -1;
        }
    }
    return 0;
}

static void take(struct pd_peer *p, void *out, size_t n)
{
    if (out != NULL)
        memcpy(out, p->data, n);
    memmove(p->data, p->data + n, p->length - n);
    p->length -= n;
}

ssize_t pd_read_line(struct pd_peer *p, char *out, size_t size, int timeout_ms, int *eof)
{
    long long deadline = now_ms() + timeout_ms;
    if (eof != NULL)
        *eof = 0;
    for (;;) {
        unsigned char *lf = memchr(p->data, '\n', p->length);
        if (lf != NULL) {
            size_t length = (size_t)(lf - p->data);
            size_t copy = length < size - 1 ? length : size - 1;
            memcpy(out, p->data, copy);
            out[copy] = '\0';
            take(p, NULL, length + 1);
            return (ssize_t)length;
        }
        out[0] = '\0';
        if (now_ms() >= deadline)
            return -1;
        if (fill(p, deadline) < 0) {
            if (eof != NULL)
                *eof = 1;
            return -1;
        }
    }
}

void pd_expect_line(struct pd_peer *p, const char *want)
{
    char got[4096];
    int eof;
    ssize_t n = pd_read_line(p, got, sizeof got, pd_wait_ms(), &eof);
    ck_assert_msg(n >= 0, "expected \"%s\", got %s", want,
                  eof ? "end of connection" : "nothing (timed out)");
    ck_assert_msg((size_t)n == strlen(want) && memcmp(got, want, (size_t)n) == 0,
                  "expected \"%s\", got \"%s\"", want, got);
}

void pd_expect_closed(struct pd_peer *p)
{
    long long deadline = now_ms() + pd_wait_ms();
    ck_assert_msg(p->length == 0, "expected the end, got %zu more bytes", p->length);
    int rc;
    while ((rc = fill(p, deadline)) == 0 && now_ms() < deadline)
        ;
    ck_assert_msg(rc<0, p->length> 0 ? "expected the end, got more bytes"
                                     : "expected the end, the connection stayed open");
}

int pd_read_head(struct pd_peer *p, char *out, size_t size)
{
    long long deadline = now_ms() + pd_wait_ms();
    for (;;) {
        for (size_t i = 0; i + 3 < p->length; i++) {
            if (memcmp(p->data + i, "\r\n\r\n", 4) == 0) {
                size_t n = i + 4;
                ck_assert_msg(n < size, "a response head of %zu bytes", n);
                take(p, out, n);
                out[n] = '\0';
                return response_status(out);
            }
        }
        int rc = fill(p, deadline);
        ck_assert_msg(rc > 0, "no complete response head (got %zu bytes)", p->length);
    }
}

void pd_read_exact(struct pd_peer *p, void *out, size_t n)
{
    int eof;
    ck_assert_msg(want_bytes(p, n, now_ms() + pd_wait_ms(), &eof) == 0,
                  "expected %zu bytes, got %zu and %s", n, p->length,
                  eof ? "the end" : "nothing more");
    take(p, out, n);
}

/* The guest name in a welcome line, checking the rest of it. */
static void check_welcome(const char *line, size_t n, char *name)
{
    size_t prefix = strlen(WELCOME_PREFIX);
    size_t suffix = strlen(WELCOME_SUFFIX);
    ck_assert_msg(n > prefix + suffix && strncmp(line, WELCOME_PREFIX, prefix) == 0 &&
                      strcmp(line + n - suffix, WELCOME_SUFFIX) == 0,
                  "not a welcome line: \"%s\"", line);
    if (name != NULL)
        snprintf(name, 32, "%.*s", (int)(n - prefix - suffix), line + prefix);
}

struct pd_peer *pd_raw_join(int chat_port, char *name)
{
    struct pd_peer *p = pd_connect(chat_port);
    char line[256];
    ssize_t n = pd_read_line(p, line, sizeof line, pd_wait_ms(), NULL);
    ck_assert_msg(n > 0, "no welcome line");
    check_welcome(line, (size_t)n, name);
    return p;
}

int pd_ws_handshake(struct pd_peer *p, int http_port, const char *extra, char *head,
                    size_t size)
{
    char request[2048];
    snprintf(request, sizeof request,
             "GET /ws HTTP/1.1\r\n"
             "Host: 127.0.0.1:%d\r\n"
             "Upgrade: websocket\r\n"
             "Connection: Upgrade\r\n"
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
             "Sec-WebSocket-Version: 13\r\n"
             "%s\r\n",
             http_port, extra != NULL ? extra : "");
    pd_say(p, request);
    return pd_read_head(p, head, size);
}

struct pd_peer *pd_ws_join(int http_port, char *name)
{
    struct pd_peer *p = pd_connect(http_port);
    char head[2048];
    int status = pd_ws_handshake(p, http_port, NULL, head, sizeof head);
    ck_assert_msg(status == 101, "the handshake got %d:\n%s", status, head);
    unsigned char text[512];
    int opcode;
    ssize_t n = pd_ws_read(p, &opcode, text, sizeof text - 1, pd_wait_ms());
    ck_assert_msg(n > 0 && opcode == 1, "no welcome frame (%zd, opcode %d)", n, opcode);
    text[n] = '\0';
    check_welcome((const char *)text, (size_t)n, name);
    return p;
}

void pd_ws_send(struct pd_peer *p, int fin, int opcode, const void *payload,
                size_t length, int mask)
{
    static unsigned char frame[14 + 128 * 1024];
    ck_assert_msg(length <= 128 * 1024, "a test frame too long");
    size_t at = 0;
    frame[at++] = (unsigned char)((fin ? 0x80 : 0) | opcode);
    unsigned char mask_bit = mask ? 0x80 : 0;
    if (length <= 125) {
        frame[at++] = (unsigned char)(mask_bit | length);
    } else if (length <= 0xffff) {
        frame[at++] = mask_bit | 126;
        frame[at++] = (unsigned char)(length >> 8);
        frame[at++] = (unsigned char)length;
    } else {
        frame[at++] = mask_bit | 127;
        for (int i = 7; i >= 0; i--)
            frame[at++] = (unsigned char)((uint64_t)length >> (8 * i));
    }
    unsigned char key[4] = {0x37, 0xfa, 0x21, 0x3d};
    if (mask) {
        memcpy(frame + at, key, 4);
        at += 4;
    }
    const unsigned char *bytes = payload;
    for (size_t i = 0; i < length; i++)
        frame[at + i] = mask ? bytes[i] ^ key[i % 4] : bytes[i];
    pd_send(p, frame, at + length);
}

ssize_t pd_ws_read(struct pd_peer *p, int *opcode, unsigned char *out, size_t size,
                   int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    int eof;
    if (want_bytes(p, 2, deadline, &eof) < 0)
        return -1;
    size_t length = p->data[1] & 0x7f;
    size_t header = 2;
    if (length == 126)
        header = 4;
    else if (length == 127)
        header = 10;
    ck_assert_msg((p->data[1] & 0x80) == 0, "a server frame must not be masked");
    if (want_bytes(p, header, deadline, &eof) < 0)
        return -1;
    if (header > 2) {
        length = 0;
        for (size_t i = 2; i < header; i++)
            length = length << 8 | p->data[i];
    }
    ck_assert_msg(length <= size, "a frame of %zu bytes", length);
    if (want_bytes(p, header + length, deadline, &eof) < 0)
        return -1;
    *opcode = p->data[0] & 0x0f;
    ck_assert_msg((p->data[0] & 0x80) != 0, "the server sent a fragment");
    take(p, NULL, header);
    take(p, out, length);
    return (ssize_t)length;
}

void pd_ws_expect_text(struct pd_peer *p, const char *want)
{
    unsigned char got[4096];
    int opcode = -1;
    ssize_t n = pd_ws_read(p, &opcode, got, sizeof got - 1, pd_wait_ms());
    ck_assert_msg(n >= 0, "expected a TEXT frame \"%s\", got nothing", want);
    got[n] = '\0';
    ck_assert_msg(opcode == 1, "expected TEXT \"%s\", got opcode %d", want, opcode);
    ck_assert_msg((size_t)n == strlen(want) && memcmp(got, want, (size_t)n) == 0,
                  "expected TEXT \"%s\", got \"%s\"", want, (char *)got);
}

void pd_ws_expect_close(struct pd_peer *p, int code)
{
    unsigned char got[256];
    int opcode = -1;
    ssize_t n = pd_ws_read(p, &opcode, got, sizeof got, pd_wait_ms());
    ck_assert_msg(n >= 0, "expected CLOSE %d, got nothing", code);
    ck_assert_msg(opcode == 8, "expected CLOSE %d, got opcode %d", code, opcode);
    ck_assert_msg(n >= 2, "a CLOSE without a code");
    ck_assert_int_eq(got[0] << 8 | got[1], code);
    pd_expect_closed(p);
}

int pd_find_program(const char *name, char *path, size_t size)
{
    const char *search = getenv("PATH");
    char dirs[4096];
    snprintf(dirs, sizeof dirs, "%s", search != NULL ? search : "/usr/bin:/bin");
    for (char *save = NULL, *dir = strtok_r(dirs, ":", &save); dir != NULL;
         dir = strtok_r(NULL, ":", &save)) {
        snprintf(path, size, "%s/%s", dir, name);
        if (access(path, X_OK) == 0)
            return 1;
    }
    return 0;
}
