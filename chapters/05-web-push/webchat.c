/* webchat: chapter 3's room from a terminal, over one of HTTP's ways to push.
 *
 *   webchat [-t ws|sse|poll] [-n NICK] [-v] URL      e.g. http://127.0.0.1:8005/
 *
 *   ws    one WebSocket (GET /ws, upgraded): lines both ways as TEXT frames
 *   sse   POST /join for a session, GET /events for the lines, POST /send to talk
 *   poll  POST /join, then GET /poll?since=N again and again, POST /send to talk
 *
 * Every room line goes to stdout; every stdin line goes to the room. -n NICK sends
 * "/nick NICK" first. -v shows the frames and events on stderr. It exits when the
 * server ends the conversation; the end of stdin leaves the room (CLOSE 1000 on a
 * WebSocket, "/quit" for a session). Like chapter 3's chat, it multiplexes stdin and
 * the network with select(), so lines appear while you type. */
#include "base64.h"
#include "io.h"
#include "net.h"
#include "websocket.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#define MAX_LINE     1024
#define WAIT_MS      10000 /* for a request's answer (not a parked poll's) */
#define BUFFER_BYTES (128 * 1024)

static int verbose;
static char host[256], port[16];

/* ---- Plain HTTP: one request per connection (Connection: close) ------------------- */

/* Send a request; returns the connected socket or -1. */
static int http_send(const char *method, const char *target, const char *body)
{
    char why[256], request[MAX_LINE * 4 + 512];
    int fd = net_connect(host, port, why, sizeof why);
    if (fd < 0) {
        fprintf(stderr, "webchat: %s\n", why);
        return -1;
    }
    int n = snprintf(request, sizeof request,
                     "%s %s HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n"
                     "Content-Type: text/plain\r\nContent-Length: %zu\r\n\r\n%s",
                     method, target, host, port, strlen(body), body);
    if (n < 0 || (size_t)n >= sizeof request ||
        io_write_all(fd, request, (size_t)n, WAIT_MS) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Read a whole answer (until the server closes) into buf; its status, or -1. */
static int http_finish(int fd, char *buf, size_t size, int timeout_ms)
{
    size_t have = 0;
    long long deadline = io_now_ms() + timeout_ms;
    for (;;) {
        if (io_wait(fd, 0, io_ms_until(deadline)) <= 0 || have == size - 1)
            break;
        ssize_t n = read(fd, buf + have, size - 1 - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        have += (size_t)n;
    }
    close(fd);
    buf[have] = '\0';
    int status;
    return sscanf(buf, "HTTP/1.%*d %d", &status) == 1 ? status : -1;
}

static const char *body_of(const char *response)
{
    const char *end = strstr(response, "\r\n\r\n");
    return end ? end + 4 : "";
}

/* ---- Sessions (sse and poll) ---------------------------------------------------- */

static char session[40];

static int join_session(void)
{
    static char answer[4096];
    int fd = http_send("POST", "/join", "");
    if (fd < 0 || http_finish(fd, answer, sizeof answer, WAIT_MS) != 200) {
        fprintf(stderr, "webchat: POST /join failed\n");
        return -1;
    }
    const char *s = strstr(body_of(answer), "\"session\":\"");
    if (s == NULL || sscanf(s + strlen("\"session\":\""), "%32[0-9a-f]", session) != 1)
        return -1;
    return 0;
}

/* POST /send with these lines; 0, or -1 when the session is gone. */
static int send_lines(const char *lines)
{
    char target[96], answer[1024];
    snprintf(target, sizeof target, "/send?session=%s", session);
    if (verbose)
        fprintf(stderr, "> POST %s: %s", target, lines);
    int fd = http_send("POST", target, lines);
    return fd >= 0 && http_finish(fd, answer, sizeof answer, WAIT_MS) == 204 ? 0 : -1;
}

/* ---- Reading stdin a line at a time ---------------------------------------------- */

static char typed[MAX_LINE * 4];
static size_t typed_length;

/* Read what stdin has; call send_line for each whole line. Returns 0, or -1 at its
 * end (a last partial line is sent first). */
static int read_stdin(int (*send_line)(const char *line, size_t length))
{
    ssize_t n = read(STDIN_FILENO, typed + typed_length, sizeof typed - typed_length);
    if (n < 0 && errno == EINTR)
        return 0;
    if (n <= 0) {
        if (typed_length > 0)
            send_line(typed, typed_length);
        typed_length = 0;
        return -1;
    }
    typed_length += (size_t)n;
    char *lf;
    while ((lf = memchr(typed, '\n', typed_length)) != NULL) {
        send_line(typed, (size_t)(lf - typed));
        typed_length -= (size_t)(lf - typed) + 1;
        memmove(typed, lf + 1, typed_length);
    }
    if (typed_length == sizeof typed) { /* longer than any line: the server cuts it */
        send_line(typed, typed_length);
        typed_length = 0;
    }
    return 0;
}

/* ---- WebSocket ----------------------------------------------------------------------
 */

static int ws_fd = -1;

static int ws_send_frame(int opcode, const void *payload, size_t length)
{
    unsigned char header[WS_MAX_HEADER_BYTES], mask[4];
    int random = open("/dev/urandom", O_RDONLY);
    if (random < 0 || read(random, mask, 4) != 4) {
        if (random >= 0)
            close(random);
        return -1;
    }
    close(random);
    unsigned char *masked = malloc(length + 1);
    if (masked == NULL)
        return -1;
    memcpy(masked, payload, length);
    ws_mask(masked, length, mask, 0); /* a client always masks (§5.3) */
    size_t size = ws_frame_header(header, 1, opcode, length, mask);
    if (verbose)
        fprintf(stderr, "> frame opcode %d, %zu bytes, masked\n", opcode, length);
    int ok = io_write_all(ws_fd, header, size, WAIT_MS) >= 0 &&
             io_write_all(ws_fd, masked, length, WAIT_MS) >= 0;
    free(masked);
    return ok ? 0 : -1;
}

static int ws_send_line(const char *line, size_t length)
{
    return ws_send_frame(WS_OP_TEXT, line, length);
}

/* Connect and upgrade: 0, or -1. */
static int ws_open(void)
{
    unsigned char nonce[16];
    char key[32], accept[WS_ACCEPT_SIZE], request[512], why[256];
    int random = open("/dev/urandom", O_RDONLY);
    int got = random >= 0 && read(random, nonce, sizeof nonce) == (ssize_t)sizeof nonce;
    if (random >= 0)
        close(random);
    if (!got || base64_encode(nonce, sizeof nonce, key, sizeof key) < 0 ||
        ws_accept_key(key, accept) < 0)
        return -1;
    ws_fd = net_connect(host, port, why, sizeof why);
    if (ws_fd < 0) {
        fprintf(stderr, "webchat: %s\n", why);
        return -1;
    }
    int n = snprintf(request, sizeof request,
                     "GET /ws HTTP/1.1\r\nHost: %s:%s\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n",
                     host, port, key);
    if (io_write_all(ws_fd, request, (size_t)n, WAIT_MS) < 0)
        return -1;
    /* The answer's head, a byte at a time so that no frame is read with it. */
    char head[4096];
    size_t have = 0;
    while (have < sizeof head - 1 &&
           (have < 4 || memcmp(head + have - 4, "\r\n\r\n", 4))) {
        if (io_wait(ws_fd, 0, WAIT_MS) <= 0 || read(ws_fd, head + have, 1) != 1)
            return -1;
        have++;
    }
    head[have] = '\0';
    if (verbose)
        fprintf(stderr, "< %s", head);
    if (strncmp(head, "HTTP/1.1 101", 12) != 0 || strstr(head, accept) == NULL) {
        fprintf(stderr, "webchat: the server refused the upgrade: %.*s\n",
                (int)strcspn(head, "\r"), head);
        return -1;
    }
    return 0;
}

/* Handle what ws_parse found; 1 when the conversation is over. */
static int ws_event(const struct ws_event *ev)
{
    switch (ev->type) {
    case WS_TEXT_DATA:
        fwrite(ev->data, 1, ev->length, stdout);
        return 0;
    case WS_MESSAGE_END:
        putchar('\n');
        fflush(stdout);
        return 0;
    case WS_PING:
        ws_send_frame(WS_OP_PONG, ev->data, ev->length);
        return 0;
    case WS_CLOSE: {
        unsigned char code[2] = {(unsigned char)(ev->code >> 8), (unsigned char)ev->code};
        if (verbose)
            fprintf(stderr, "< CLOSE %d\n", ev->code);
        if (ev->code == WS_CLOSE_NO_STATUS)
            ws_send_frame(WS_OP_CLOSE, "", 0);
        else
            ws_send_frame(WS_OP_CLOSE, code, 2);
        return 1;
    }
    case WS_FAIL:
        fprintf(stderr, "webchat: the server broke the protocol (%d)\n", ev->code);
        return 1;
    default:
        return 0;
    }
}

static int run_ws(const char *nick)
{
    if (ws_open() < 0)
        return 1;
    if (nick != NULL) {
        char command[64];
        snprintf(command, sizeof command, "/nick %s", nick);
        ws_send_line(command, strlen(command));
    }
    static struct ws_parser parser;
    static unsigned char buffer[BUFFER_BYTES];
    ws_parser_init(&parser, 0);
    int stdin_open = 1;
    for (;;) {
        fd_set readable;
        FD_ZERO(&readable);
        FD_SET(ws_fd, &readable);
        if (stdin_open)
            FD_SET(STDIN_FILENO, &readable);
        if (select(ws_fd + 1, &readable, NULL, NULL, NULL) < 0) {
            if (errno == EINTR)
                continue;
            return 1;
        }
        if (stdin_open && FD_ISSET(STDIN_FILENO, &readable) &&
            read_stdin(ws_send_line) < 0) {
            stdin_open = 0; /* leave: the server echoes the CLOSE and ends */
            unsigned char normal[2] = {WS_CLOSE_NORMAL >> 8, WS_CLOSE_NORMAL & 0xff};
            ws_send_frame(WS_OP_CLOSE, normal, 2);
        }
        if (!FD_ISSET(ws_fd, &readable))
            continue;
        ssize_t n = read(ws_fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0; /* the server ended the conversation */
        size_t at = 0;
        struct ws_event ev;
        do {
            at += ws_parse(&parser, buffer + at, (size_t)n - at, &ev);
            if (ws_event(&ev))
                return ev.type == WS_FAIL;
        } while (ev.type != WS_NEED_MORE);
    }
}

/* ---- SSE and long polling -----------------------------------------------------------
 */

static int session_send_line(const char *line, size_t length)
{
    char body[MAX_LINE * 4 + 2];
    snprintf(body, sizeof body, "%.*s\n", (int)length, line);
    return send_lines(body);
}

/* Print one JSON string (at s, after its opening quote); returns where it ended. */
static const char *print_json_string(const char *s)
{
    for (; *s != '\0' && *s != '"'; s++) {
        if (*s != '\\') {
            putchar(*s);
            continue;
        }
        s++;
        if (*s == 'n')
            putchar('\n');
        else if (*s == 't')
            putchar('\t');
        else if (*s == 'r')
            putchar('\r');
        else if (*s == 'u') {
            unsigned code = 0;
            if (sscanf(s + 1, "%4x", &code) == 1)
                s += 4;
            if (code < 0x80) { /* the server escapes control bytes only */
                putchar((int)code);
            } else {
                putchar(0xe0 | (int)(code >> 12));
                putchar(0x80 | (int)((code >> 6) & 0x3f));
                putchar(0x80 | (int)(code & 0x3f));
            }
        } else if (*s != '\0')
            putchar(*s);
        else
            break;
    }
    return *s == '"' ? s + 1 : s;
}

/* Print a poll answer's lines; returns its "next", or -1. */
static long print_poll_answer(const char *body)
{
    const char *next = strstr(body, "\"next\":");
    const char *lines = strstr(body, "\"lines\":[");
    if (next == NULL || lines == NULL)
        return -1;
    for (const char *p = lines + strlen("\"lines\":["); *p == '"';) {
        p = print_json_string(p + 1);
        putchar('\n');
        if (*p == ',')
            p++;
    }
    fflush(stdout);
    return strtol(next + strlen("\"next\":"), NULL, 10);
}

/* Print the "data:" lines of whatever SSE text has arrived; keep a partial line. */
static void print_events(char *text, size_t *length)
{
    char *start = text, *lf;
    while ((lf = memchr(start, '\n', *length - (size_t)(start - text))) != NULL) {
        *lf = '\0';
        if (verbose)
            fprintf(stderr, "< %s\n", start);
        if (strncmp(start, "data: ", 6) == 0)
            printf("%s\n", start + 6);
        start = lf + 1;
    }
    fflush(stdout);
    *length -= (size_t)(start - text);
    memmove(text, start, *length);
}

static int open_stream(int polling, long since)
{
    char target[128];
    if (polling)
        snprintf(target, sizeof target, "/poll?session=%s&since=%ld", session, since);
    else
        snprintf(target, sizeof target, "/events?session=%s", session);
    if (verbose)
        fprintf(stderr, "> GET %s\n", target);
    return http_send("GET", target, "");
}

static int run_session(int polling, const char *nick)
{
    if (join_session() < 0)
        return 1;
    if (nick != NULL) {
        char command[64];
        snprintf(command, sizeof command, "/nick %s\n", nick);
        send_lines(command);
    }
    static char text[BUFFER_BYTES];
    size_t length = 0;
    long since = 0;
    int head_done = 0, stdin_open = 1;
    int fd = open_stream(polling, since);
    while (fd >= 0) {
        fd_set readable;
        FD_ZERO(&readable);
        FD_SET(fd, &readable);
        if (stdin_open)
            FD_SET(STDIN_FILENO, &readable);
        if (select(fd + 1, &readable, NULL, NULL, NULL) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (stdin_open && FD_ISSET(STDIN_FILENO, &readable) &&
            read_stdin(session_send_line) < 0) {
            stdin_open = 0;
            send_lines("/quit\n"); /* the session ends: its stream or poll with it */
        }
        if (!FD_ISSET(fd, &readable))
            continue;
        ssize_t n = read(fd, text + length, sizeof text - 1 - length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n > 0)
            length += (size_t)n;
        text[length] = '\0';
        char *body = strstr(text, "\r\n\r\n");
        if (!head_done && body != NULL) {
            if (strncmp(text, "HTTP/1.1 200", 12) != 0)
                break; /* 404: the session is over */
            head_done = 1;
            if (!polling) {
                length -= (size_t)(body + 4 - text);
                memmove(text, body + 4, length);
            }
        }
        if (head_done && !polling)
            print_events(text, &length);
        if (n > 0 && length < sizeof text - 1)
            continue;
        /* The connection ended: a poll's answer is whole; a stream is over. */
        close(fd);
        if (!polling || !head_done || (since = print_poll_answer(body + 4)) < 0)
            return 0;
        length = 0;
        head_done = 0;
        fd = open_stream(polling, since);
    }
    if (fd >= 0)
        close(fd);
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: webchat [-t ws|sse|poll] [-n NICK] [-v] URL\n");
    exit(2);
}

/* "http://HOST[:PORT][/...]" into host and port. */
static int parse_url(const char *url)
{
    if (strncmp(url, "http://", 7) != 0)
        return -1;
    url += 7;
    const char *end = url + strcspn(url, "/");
    const char *colon = memchr(url, ':', (size_t)(end - url));
    if (url[0] == '[') { /* [::1]:8005 */
        const char *close = memchr(url, ']', (size_t)(end - url));
        if (close == NULL)
            return -1;
        snprintf(host, sizeof host, "%.*s", (int)(close - url - 1), url + 1);
        colon = close[1] == ':' ? close + 1 : NULL;
    } else {
        const char *host_end = colon ? colon : end;
        snprintf(host, sizeof host, "%.*s", (int)(host_end - url), url);
    }
    if (colon != NULL)
        snprintf(port, sizeof port, "%.*s", (int)(end - colon - 1), colon + 1);
    else
        snprintf(port, sizeof port, "80");
    return host[0] != '\0' && port[0] != '\0' ? 0 : -1;
}

int main(int argc, char **argv)
{
    const char *transport = "ws", *nick = NULL;
    int opt;
    while ((opt = getopt(argc, argv, "t:n:v")) != -1) {
        if (opt == 't')
            transport = optarg;
        else if (opt == 'n')
            nick = optarg;
        else if (opt == 'v')
            verbose = 1;
        else
            usage();
    }
    if (optind != argc - 1 || parse_url(argv[optind]) < 0)
        usage();
    if (strcmp(transport, "ws") == 0)
        return run_ws(nick);
    if (strcmp(transport, "sse") == 0)
        return run_session(0, nick);
    if (strcmp(transport, "poll") == 0)
        return run_session(1, nick);
    usage();
}
