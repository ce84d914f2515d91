/* stages.c: chapter 2's stages, the tester for the learner's keep-alive server.
 *
 * Each stage starts the program in STAGE_PROGRAM on port 0 with the chapter's www/ as
 * its document root, talks HTTP/1.1 to it over loopback, and says in plain words what
 * it sent, what it expected, what came back and where in book/02-keep-alive.md to
 * look. Responses are read the way a keep-alive client must read them: by their
 * Content-Length, never by waiting for the close. Nothing here looks at how the
 * server is written, only at what it does on the wire (and, for zombies, at its
 * children in /proc where there is one).
 *
 * Every wait is bounded. The only pauses are a few milliseconds long, inside bounded
 * loops that poll for what the kernel gives no other way to wait for: a child
 * process ending, and its parent noticing.
 */
#include "harness.h"
#include "stage.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define WWW          PROJECT_ROOT "/chapters/02-keep-alive/www"
#define BOOK         "book/02-keep-alive.md"
#define RESPONSE_MAX (64 * 1024)
#define WAIT_SECS    5 /* for an answer, or a close, before we call it missing */
#define MIB          (1024 * 1024)

/* Where to read, stage by stage, when something is missing. */
#define S1_HINT                                                                          \
    "Read " BOOK ", \"One connection, many requests\": serve_connection() loops, and "   \
    "read_request() reads until find_request_end(), then takes that head out of the "    \
    "buffer."
#define S2_HINT                                                                          \
    "Read " BOOK ", \"One connection, many requests\": read_request() waits with "       \
    "io_wait(), at most -t for the first byte, and -t from it for the whole head."
#define S3_HINT                                                                          \
    "Read " BOOK ", \"Who closes the connection\": wants_keep_alive() and the "          \
    "Connection header of answer()."
#define S4_HINT                                                                          \
    "Read " BOOK ", \"Framing: where a body ends\": check_framing() reads "              \
    "Content-Length with parse_content_length(), discard_body() drops exactly that "     \
    "many bytes."
#define S5_HINT                                                                          \
    "Read " BOOK ", \"Pipelining\": the bytes after a head are a body or the next "      \
    "request; keep them, and wait for more only when they are not a whole request."
#define S6_HINT                                                                          \
    "Read " BOOK ", \"A process per connection\": fork() a child per connection in "     \
    "accept_one()."
#define S7_HINT "Read " BOOK ", \"Reaping: no zombies\"."
#define S8_HINT                                                                          \
    "Read " BOOK ", \"Over the cap: 503, at once\": with -c children serving, "          \
    "accept_one() answers 503 without reading the request, and closes."
#define S9_HINT                                                                          \
    "Read " BOOK ", \"304 Not Modified\": is_not_modified() reads If-Modified-Since "    \
    "with parse_http_date()."

/* ---- The site ---------------------------------------------------------------------- */

/* A file of the chapter's www/, as the server should send it. */
struct site_file {
    const char *path; /* "/hello.txt" */
    char bytes[4096];
    size_t length;
};

static struct site_file hello = {.path = "/hello.txt"};
static struct site_file style = {.path = "/style.css"};
static struct site_file png = {.path = "/connection.png"};

static void load(struct site_file *f)
{
    char path[512];
    snprintf(path, sizeof path, "%s%s", WWW, f->path);
    FILE *in = fopen(path, "rb");
    ck_assert_msg(in != NULL, "tester: cannot open %s: %s", path, strerror(errno));
    f->length = fread(f->bytes, 1, sizeof f->bytes, in);
    ck_assert_msg(feof(in) && !ferror(in), "tester: %s is over %zu bytes", path,
                  sizeof f->bytes);
    fclose(in);
}

static void load_site(void)
{
    load(&hello);
    load(&style);
    load(&png);
}

static int wait_ms(void)
{
    return WAIT_SECS * 1000 * timeout_multiplier();
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void pause_ms(int ms)
{
    struct timespec pause = {0, (long)ms * 1000000L};
    nanosleep(&pause, NULL);
}

/* ---- The server -------------------------------------------------------------------- */

static struct server_proc server;
/* What to read when a response does not come: the stage's book section. */
static const char *stage_hint = "";

/* Start the learner's server: -d www/ and the given flags (NULL-terminated). hint:
 * the book section to read when an answer does not come. */
static void start(const char *hint, const char *const flags[])
{
    stage_hint = hint;
    load_site();
    const char *args[16] = {"-d", WWW};
    size_t n = 2;
    for (size_t i = 0; flags != NULL && flags[i] != NULL; i++)
        args[n++] = flags[i];
    args[n] = NULL;
    stage_start(&server, args);
}

/* -t N, scaled like Check's own time limits (CK_TIMEOUT_MULTIPLIER). */
static const char *seconds(int n)
{
    static char text[16];
    snprintf(text, sizeof text, "%d", n * timeout_multiplier());
    return text;
}

/* ---- A client that keeps its connection -------------------------------------------- */

struct client {
    int fd;
    size_t used; /* bytes received, not yet taken as a response */
    char buf[RESPONSE_MAX * 4];
};

struct response {
    int status;
    char head[RESPONSE_MAX]; /* the status line and headers, NUL-terminated */
    size_t head_length;
    char body[RESPONSE_MAX];
    size_t body_length;
};

static struct client clients[3];
static struct response response;

/* Text for a message: CR, LF and other control bytes escaped, cut short. */
static const char *show(const char *text, size_t length)
{
    static char out[4][200];
    static int next;
    char *o = out[next++ % 4];
    size_t used = 0;
    size_t i = 0;
    for (; i < length && used + 8 < sizeof out[0]; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\r' || c == '\n')
            used += (size_t)sprintf(o + used, c == '\r' ? "\\r" : "\\n");
        else if (c < 0x20 || c >= 0x7f)
            used += (size_t)sprintf(o + used, "\\x%02X", c);
        else
            o[used++] = (char)c;
    }
    strcpy(o + used, i < length ? "..." : "");
    return o;
}

static struct client *connect_client(int slot)
{
    struct client *c = &clients[slot];
    c->used = 0;
    c->fd = tcp_connect(server.port);
    ck_assert_msg(c->fd >= 0,
                  "could not connect to port %d: %s. Is the server still listening?",
                  server.port, strerror(errno));
    return c;
}

static void hang_up(struct client *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

/* Send bytes, never blocking for more than the wait: a server that reads nothing
 * would otherwise hold the tester once the socket buffers are full. */
static void send_bytes(struct client *c, const char *what, const void *data,
                       size_t length)
{
    const char *p = data;
    int flags = fcntl(c->fd, F_GETFL);
    fcntl(c->fd, F_SETFL, flags | O_NONBLOCK);
    while (length > 0) {
        ssize_t n = write(c->fd, p, length);
        if (n > 0) {
            p += n;
            length -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        ck_assert_msg(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK),
                      "%s: sending failed after %zu bytes: %s (the server closed the "
                      "connection while we were still sending)",
                      what, (size_t)(p - (const char *)data), strerror(errno));
        struct pollfd pfd = {.fd = c->fd, .events = POLLOUT};
        ck_assert_msg(poll(&pfd, 1, wait_ms()) > 0,
                      "%s: the server stopped reading: %zu bytes still unsent after %d "
                      "s. Does it read (and drop) the whole body?",
                      what, length, WAIT_SECS);
    }
    fcntl(c->fd, F_SETFL, flags);
}

static void say(struct client *c, const char *what, const char *text)
{
    send_bytes(c, what, text, strlen(text));
}

/* Read more bytes. On silence, a close or a reset, fail in words that say which. */
static void receive_more(struct client *c, const char *what, const char *waiting_for)
{
    const char *hint = stage_hint;
    ck_assert_msg(c->used < sizeof c->buf, "%s: more than %zu bytes of answer", what,
                  sizeof c->buf);
    struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
    int ready;
    do
        ready = poll(&pfd, 1, wait_ms());
    while (ready < 0 && errno == EINTR);
    ck_assert_msg(ready > 0,
                  "%s: expected %s, got nothing in %d s (received so far: \"%s\"). Stuck "
                  "in read(), waiting for bytes that will not come? %s",
                  what, waiting_for, WAIT_SECS, show(c->buf, c->used), hint);
    ssize_t n;
    do
        n = read(c->fd, c->buf + c->used, sizeof c->buf - c->used);
    while (n < 0 && errno == EINTR);
    ck_assert_msg(n > 0,
                  "%s: expected %s, but the server %s the connection (received so "
                  "far: \"%s\"). %s",
                  what, waiting_for, n == 0 ? "closed" : "reset", show(c->buf, c->used),
                  hint);
    c->used += (size_t)n;
}

static long head_end(const char *buf, size_t length)
{
    for (size_t i = 0; i + 4 <= length; i++)
        if (memcmp(buf + i, "\r\n\r\n", 4) == 0)
            return (long)(i + 4);
    return -1;
}

/* A header's value in r, or NULL. */
static const char *header(const struct response *r, const char *name)
{
    static char value[4][512];
    static int next;
    char *out = value[next++ % 4];
    return response_header(r->head, name, out, sizeof value[0]) == 0 ? out : NULL;
}

/* Read the next response on c by its framing: the head up to the empty line, then
 * exactly Content-Length bytes (none for HEAD and 304). what: what we sent. */
static void read_response(struct client *c, const char *what, struct response *r,
                          int head_only)
{
    long end;
    while ((end = head_end(c->buf, c->used)) < 0)
        receive_more(c, what, "a response");
    ck_assert_msg((size_t)end < sizeof r->head, "%s: a %ld-byte response head", what,
                  end);
    memcpy(r->head, c->buf, (size_t)end);
    r->head[end] = '\0';
    r->head_length = (size_t)end;
    ck_assert_msg(strncmp(r->head, "HTTP/1.1 ", 9) == 0,
                  "%s: expected a response starting \"HTTP/1.1 \", got \"%s\"", what,
                  show(r->head, r->head_length));
    r->status = response_status(r->head);
    const char *length_text = header(r, "Content-Length");
    size_t length = 0;
    if (r->status != 304) {
        char *rest = NULL;
        unsigned long long value = length_text ? strtoull(length_text, &rest, 10) : 0;
        ck_assert_msg(length_text != NULL && *rest == '\0' && value < sizeof r->body,
                      "%s: a %d needs a Content-Length, the only way a kept connection "
                      "says where its body ends; got \"%s\"",
                      what, r->status, show(r->head, r->head_length));
        if (!head_only)
            length = (size_t)value;
    }
    while (c->used < r->head_length + length)
        receive_more(c, what, "the rest of the response body");
    memcpy(r->body, c->buf + r->head_length, length);
    r->body_length = length;
    size_t taken = r->head_length + length;
    memmove(c->buf, c->buf + taken, c->used - taken);
    c->used -= taken;
}

/* Send request, read its response into the shared `response`. */
static struct response *ask(struct client *c, const char *what, const char *request)
{
    say(c, what, request);
    read_response(c, what, &response, strncmp(request, "HEAD ", 5) == 0);
    return &response;
}

/* The status line of a response, for a message. */
static const char *status_line(const struct response *r)
{
    return show(r->head, strcspn(r->head, "\r\n"));
}

static void expect_status(const char *what, const struct response *r, int status,
                          const char *hint)
{
    ck_assert_msg(r->status == status, "%s: expected %d, got \"%s\". %s", what, status,
                  status_line(r), hint);
}

static void expect_file(const char *what, const struct response *r,
                        const struct site_file *f, const char *hint)
{
    expect_status(what, r, 200, hint);
    ck_assert_msg(
        r->body_length == f->length && memcmp(r->body, f->bytes, f->length) == 0,
        "%s: expected the %zu bytes of %s, got %zu bytes: \"%s\". %s", what, f->length,
        f->path, r->body_length, show(r->body, r->body_length), hint);
}

/* The response says the connection stays: no "Connection: close". */
static void expect_kept(const char *what, const struct response *r, const char *hint)
{
    const char *connection = header(r, "Connection");
    ck_assert_msg(connection == NULL || strcasecmp(connection, "close") != 0,
                  "%s: expected the connection kept, but the response says "
                  "\"Connection: %s\". %s",
                  what, connection, hint);
}

static void expect_close_header(const char *what, const struct response *r,
                                const char *hint)
{
    const char *connection = header(r, "Connection");
    ck_assert_msg(connection != NULL && strcasecmp(connection, "close") == 0,
                  "%s: the server's last response must say \"Connection: close\"; got "
                  "%s%s%s. %s",
                  what, connection ? "\"Connection: " : "no Connection header",
                  connection ? connection : "", connection ? "\"" : "", hint);
}

/* The server closes now: no byte after the last response, then end of file. */
static void expect_closed(struct client *c, const char *what, const char *hint)
{
    ck_assert_msg(c->used == 0, "%s: bytes after the last response: \"%s\"", what,
                  show(c->buf, c->used));
    struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
    int ready;
    do
        ready = poll(&pfd, 1, wait_ms());
    while (ready < 0 && errno == EINTR);
    ck_assert_msg(ready > 0,
                  "%s: expected the server to close the connection, but it "
                  "stayed open for %d s. %s",
                  what, WAIT_SECS, hint);
    char byte[256];
    ssize_t n = read(c->fd, byte, sizeof byte);
    ck_assert_msg(n <= 0, "%s: expected the close, got more bytes: \"%s\". %s", what,
                  show(byte, (size_t)n), hint);
}

/* "GET path HTTP/1.1", Host and the extra header lines (each ending in CRLF). */
static const char *get(const char *method, const char *path, const char *extra)
{
    static char request[4][1024];
    static int next;
    char *out = request[next++ % 4];
    snprintf(out, sizeof request[0], "%s %s HTTP/1.1\r\nHost: test\r\n%s\r\n", method,
             path, extra ? extra : "");
    return out;
}

/* ---- Stage 2.s1: two requests on one connection ------------------------------------ */

START_TEST(two_requests_on_one_connection)
{
    start(S1_HINT, NULL);
    struct client *c = connect_client(0);
    const char *what = "GET /hello.txt HTTP/1.1 (first request on a new connection)";
    struct response *r = ask(c, what, get("GET", hello.path, NULL));
    expect_file(what, r, &hello, S1_HINT);
    expect_kept(what, r, "HTTP/1.1 keeps the connection unless told otherwise.");

    what = "GET /style.css HTTP/1.1 (second request, same connection)";
    r = ask(c, what, get("GET", style.path, NULL));
    expect_file(what, r, &style, S1_HINT);
    expect_kept(what, r, "HTTP/1.1 keeps the connection unless told otherwise.");

    what = "HEAD /connection.png HTTP/1.1 (third request, same connection)";
    r = ask(c, what, get("HEAD", png.path, NULL));
    expect_status(what, r, 200, S1_HINT);
    char length[32];
    snprintf(length, sizeof length, "%zu", png.length);
    ck_assert_msg(header(r, "Content-Length") != NULL &&
                      strcmp(header(r, "Content-Length"), length) == 0,
                  "%s: expected Content-Length: %s (HEAD: the same head as GET, no "
                  "body), got \"%s\"",
                  what, length, show(r->head, r->head_length));
    hang_up(c);
    stage_stop(&server);
}
END_TEST

/* ---- Stage 2.s2: the idle timeout -------------------------------------------------- */

START_TEST(idle_connections_closed_silently)
{
    start(S2_HINT, (const char *const[]){"-t", seconds(1), NULL});
    struct client *kept = connect_client(0);
    struct client *silent = connect_client(1);
    struct client *half = connect_client(2);
    const char *what = "GET /hello.txt HTTP/1.1, then nothing more (with -t 1)";
    struct response *r = ask(kept, what, get("GET", hello.path, NULL));
    expect_file(what, r, &hello, S1_HINT);
    expect_kept(what, r, S1_HINT);
    say(half, "half a request", "GET /hello.txt HTTP/1.1\r\nHost: te");

    expect_closed(kept, what, S2_HINT);
    expect_closed(silent, "a connection that sent nothing (with -t 1)", S2_HINT);
    expect_closed(half, "half a request, then nothing (with -t 1)", S2_HINT);
    hang_up(kept);
    hang_up(silent);
    hang_up(half);

    struct client *c = connect_client(0);
    what = "GET /style.css HTTP/1.1 (after three connections timed out)";
    expect_file(what, ask(c, what, get("GET", style.path, NULL)), &style,
                "The server must go on serving after closing idle connections.");
    hang_up(c);
    stage_stop(&server);
}
END_TEST

/* ---- Stage 2.s3: who closes the connection ----------------------------------------- */

/* One request that must be answered and then closed. */
static void expect_answer_then_close(const char *what, const char *request)
{
    struct client *c = connect_client(0);
    struct response *r = ask(c, what, request);
    expect_file(what, r, &hello, S3_HINT);
    expect_close_header(what, r, S3_HINT);
    expect_closed(c, what, S3_HINT);
    hang_up(c);
}

START_TEST(connection_close_and_http10)
{
    start(S3_HINT, NULL);
    expect_answer_then_close("GET /hello.txt HTTP/1.1 with \"Connection: close\"",
                             get("GET", hello.path, "Connection: close\r\n"));
    expect_answer_then_close(
        "GET /hello.txt HTTP/1.1 with \"Connection: Upgrade, CLOSE\"",
        get("GET", hello.path, "Connection: Upgrade, CLOSE\r\n"));
    expect_answer_then_close("GET /hello.txt HTTP/1.0 (no Connection header)",
                             "GET /hello.txt HTTP/1.0\r\n\r\n");

    struct client *c = connect_client(0);
    const char *request = "GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
    for (int i = 1; i <= 2; i++) {
        const char *what = i == 1 ? "GET /hello.txt HTTP/1.0 with \"Connection: "
                                    "keep-alive\""
                                  : "the same HTTP/1.0 keep-alive request again, on the "
                                    "same connection";
        struct response *r = ask(c, what, request);
        expect_file(what, r, &hello, S3_HINT);
        const char *connection = header(r, "Connection");
        ck_assert_msg(connection != NULL && strcasecmp(connection, "keep-alive") == 0,
                      "%s: an HTTP/1.0 client that asked for keep-alive must hear "
                      "\"Connection: keep-alive\" back; got %s%s%s. %s",
                      what, connection ? "\"Connection: " : "no Connection header",
                      connection ? connection : "", connection ? "\"" : "", S3_HINT);
    }
    hang_up(c);
    stage_stop(&server);
}
END_TEST

START_TEST(max_requests_then_close)
{
    start(S3_HINT, (const char *const[]){"-n", "2", NULL});
    struct client *c = connect_client(0);
    const char *what = "GET /hello.txt HTTP/1.1, first of two allowed by -n 2";
    struct response *r = ask(c, what, get("GET", hello.path, NULL));
    expect_file(what, r, &hello, S3_HINT);
    expect_kept(what, r, "With -n 2, the first of two requests keeps the connection.");
    what = "GET /hello.txt HTTP/1.1, second of two allowed by -n 2";
    r = ask(c, what, get("GET", hello.path, NULL));
    expect_file(what, r, &hello, S3_HINT);
    expect_close_header(what, r, "-n is the number of requests on one connection.");
    expect_closed(c, what, "-n is the number of requests on one connection.");
    hang_up(c);
    stage_stop(&server);
}
END_TEST

/* ---- Stage 2.s4: framing ----------------------------------------------------------- */

/* POST /hello.txt with a body (405, kept), then GET /style.css (200) on one
 * connection; the body in the head's write or in its own. */
static void post_then_get(const char *what, const char *body, size_t body_length,
                          int separate)
{
    struct client *c = connect_client(0);
    char head[256];
    snprintf(head, sizeof head,
             "POST /hello.txt HTTP/1.1\r\nHost: test\r\nContent-Length: %zu\r\n\r\n",
             body_length);
    if (separate) {
        say(c, what, head);
        send_bytes(c, what, body, body_length);
    } else {
        char *all = malloc(strlen(head) + body_length);
        ck_assert(all != NULL);
        memcpy(all, head, strlen(head));
        memcpy(all + strlen(head), body, body_length);
        send_bytes(c, what, all, strlen(head) + body_length);
        free(all);
    }
    read_response(c, what, &response, 0);
    expect_status(what, &response, 405, S4_HINT);
    expect_kept(what, &response,
                "A 405 answers a request read to its end: the connection stays.");
    char then[512];
    snprintf(then, sizeof then, "GET /style.css after %s", what);
    expect_file(then, ask(c, then, get("GET", style.path, NULL)), &style, S4_HINT);
    hang_up(c);
}

START_TEST(body_read_and_dropped)
{
    start(S4_HINT, NULL);
    post_then_get("POST /hello.txt with a 5-byte body \"hello\", in one write", "hello",
                  5, 0);
    post_then_get("POST /hello.txt with a 5-byte body \"hello\" sent after the head",
                  "hello", 5, 1);
    char *big = malloc(MIB);
    ck_assert(big != NULL);
    memset(big, 'x', MIB);
    memcpy(big, "GET /index.html HTTP/1.1\r\n\r\n", 28); /* not a request: body bytes */
    post_then_get("POST /hello.txt with a body of exactly 1 MiB (the limit)", big, MIB,
                  1);
    free(big);
    stage_stop(&server);
}
END_TEST

/* A request whose framing the server must refuse: status, close. */
static void expect_refused(const char *what, const char *request, int status)
{
    struct client *c = connect_client(0);
    struct response *r = ask(c, what, request);
    expect_status(what, r, status, S4_HINT);
    expect_close_header(what, r,
                        "After this error the server cannot tell where the "
                        "next request starts, so it must close.");
    expect_closed(c, what, "After this error the server must close.");
    hang_up(c);
}

START_TEST(bad_framing_refused)
{
    start(S4_HINT, NULL);
    expect_refused(
        "POST /hello.txt with Content-Length: 1048577 (over 1 MiB)",
        "POST /hello.txt HTTP/1.1\r\nHost: test\r\nContent-Length: 1048577\r\n\r\n", 413);
    expect_refused("POST /hello.txt with two Content-Lengths, 5 and 6",
                   "POST /hello.txt HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n"
                   "Content-Length: 6\r\n\r\nhello!",
                   400);
    expect_refused("GET /hello.txt with Content-Length: +5",
                   "GET /hello.txt HTTP/1.1\r\nHost: test\r\nContent-Length: +5\r\n\r\n"
                   "hello",
                   400);
    expect_refused("POST /hello.txt with Transfer-Encoding: chunked",
                   "POST /hello.txt HTTP/1.1\r\nHost: test\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                   501);
    stage_stop(&server);
}
END_TEST

/* ---- Stage 2.s5: pipelining -------------------------------------------------------- */

START_TEST(three_requests_in_one_write)
{
    start(S5_HINT, NULL);
    struct client *c = connect_client(0);
    char requests[1024];
    snprintf(requests, sizeof requests, "%s%s%s", get("GET", hello.path, NULL),
             get("GET", png.path, NULL), get("GET", style.path, "Connection: close\r\n"));
    const char *what = "three GETs in one write (/hello.txt, /connection.png, "
                       "/style.css with Connection: close)";
    say(c, what, requests);
    read_response(c, "the 1st of three pipelined GETs, /hello.txt", &response, 0);
    expect_file("the 1st of three pipelined GETs, /hello.txt", &response, &hello,
                S5_HINT);
    read_response(c, "the 2nd of three pipelined GETs, /connection.png", &response, 0);
    expect_file("the 2nd of three pipelined GETs, /connection.png", &response, &png,
                S5_HINT);
    read_response(c, "the 3rd of three pipelined GETs, /style.css", &response, 0);
    expect_file("the 3rd of three pipelined GETs, /style.css", &response, &style,
                S5_HINT);
    expect_closed(c, what, S5_HINT);
    hang_up(c);
    stage_stop(&server);
}
END_TEST

START_TEST(body_and_request_in_one_write)
{
    start(S5_HINT, NULL);
    struct client *c = connect_client(0);
    char requests[1024];
    snprintf(requests, sizeof requests, "%s%s",
             "POST /hello.txt HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nhello",
             get("GET", style.path, NULL));
    const char *what = "POST /hello.txt with a 5-byte body and GET /style.css, in one "
                       "write";
    say(c, what, requests);
    read_response(c, what, &response, 0);
    expect_status("the POST of a POST and a GET sent in one write", &response, 405,
                  S5_HINT);
    read_response(c, what, &response, 0);
    expect_file("the GET of a POST and a GET sent in one write", &response, &style,
                S5_HINT);
    hang_up(c);
    stage_stop(&server);
}
END_TEST

START_TEST(request_cut_across_writes)
{
    start(S5_HINT, NULL);
    struct client *c = connect_client(0);
    const char *what = "GET /hello.txt and the first 9 bytes of a second GET, in one "
                       "write";
    say(c, what, "GET /hello.txt HTTP/1.1\r\nHost: test\r\n\r\nGET /styl");
    read_response(c, what, &response, 0);
    expect_file(what, &response, &hello, S5_HINT);
    what = "the rest of the second GET (/style.css), once the first was answered";
    say(c, what, "e.css HTTP/1.1\r\nHo");
    say(c, what, "st: test\r\n\r\n");
    read_response(c, what, &response, 0);
    expect_file(what, &response, &style, S5_HINT);
    hang_up(c);
    stage_stop(&server);
}
END_TEST

/* ---- Stage 2.s6: an idle client does not block a second one ------------------------ */

START_TEST(idle_client_does_not_block)
{
    start(S6_HINT, (const char *const[]){"-t", seconds(30), NULL});
    struct client *idle = connect_client(0);
    const char *what = "GET /hello.txt HTTP/1.1 from client A, which then says nothing";
    expect_file(what, ask(idle, what, get("GET", hello.path, NULL)), &hello, S1_HINT);
    struct client *silent = connect_client(1); /* connects and never sends a byte */
    struct client *other = connect_client(2);
    what = "GET /style.css HTTP/1.1 from client C, while client A idles on its kept "
           "connection and client B has sent nothing (-t 30)";
    say(other, what, get("GET", style.path, NULL));
    struct pollfd pfd = {.fd = other->fd, .events = POLLIN};
    ck_assert_msg(poll(&pfd, 1, wait_ms()) > 0,
                  "%s: expected an answer at once, got nothing in %d s. A server that "
                  "serves one connection at a time makes everyone wait for the idle "
                  "client. Read " BOOK ", \"A process per connection\": fork() a child "
                  "per connection in accept_one().",
                  what, WAIT_SECS);
    read_response(other, what, &response, 0);
    expect_file(what, &response, &style, "");
    what = "GET /hello.txt HTTP/1.1 from client A again, after C was served";
    expect_file(what, ask(idle, what, get("GET", hello.path, NULL)), &hello,
                "A's kept connection must still be served.");
    hang_up(idle);
    hang_up(silent);
    hang_up(other);
    stage_stop(&server);
}
END_TEST

/* ---- Stage 2.s7: no zombies -------------------------------------------------------- */

/* Children of a process, from /proc/PID/stat ("pid (name) state ppid ..."): how many,
 * and how many are zombies (state Z). Returns -1 where there is no /proc. */
static int count_children(pid_t parent, int *zombies)
{
    DIR *d = opendir("/proc");
    if (d == NULL)
        return -1;
    int count = 0;
    *zombies = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        char path[300];
        char stat[512];
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue; /* it ended while we looked */
        size_t n = fread(stat, 1, sizeof stat - 1, f);
        fclose(f);
        stat[n] = '\0';
        const char *name_end = strrchr(stat, ')'); /* the name may hold anything */
        char state;
        long ppid;
        if (name_end == NULL || sscanf(name_end + 1, " %c %ld", &state, &ppid) != 2 ||
            ppid != (long)parent)
            continue;
        count++;
        if (state == 'Z')
            (*zombies)++;
    }
    closedir(d);
    return count;
}

/* Reaping needs children: while a client holds a kept connection, one must be
 * serving it (stage 2.s6). Without this a server that never forks would pass. */
static void expect_a_child(const char *what)
{
    int zombies;
    int children = count_children(server.pid, &zombies);
    ck_assert_msg(children != 0,
                  "%s: answered, and the connection is still open, but the server has "
                  "no child process serving it. This stage is about ending children; "
                  "first fork() one per connection (stage 2.s6). %s",
                  what, S6_HINT);
}

START_TEST(children_reaped)
{
    int zombies;
    start(S7_HINT, NULL);
    struct client *kept = connect_client(1);
    const char *first = "GET /hello.txt HTTP/1.1 (connection kept)";
    expect_file(first, ask(kept, first, get("GET", hello.path, NULL)), &hello, S1_HINT);
    expect_a_child(first);
    hang_up(kept);
    for (int i = 0; i < 20; i++) {
        struct client *c = connect_client(0);
        if (i % 2 == 0) { /* the server closes */
            const char *what = "GET /hello.txt HTTP/1.0 (the server closes)";
            expect_file(what, ask(c, what, "GET /hello.txt HTTP/1.0\r\n\r\n"), &hello,
                        S3_HINT);
            expect_closed(c, what, S3_HINT);
        } else { /* the client closes */
            const char *what = "GET /hello.txt HTTP/1.1 (then the client closes)";
            expect_file(what, ask(c, what, get("GET", hello.path, NULL)), &hello,
                        S1_HINT);
        }
        hang_up(c);
    }
    if (count_children(getpid(), &zombies) < 0) {
        fprintf(stderr, "2.s7: children not counted: no /proc here\n");
        stage_stop(&server);
        return;
    }
    /* Each child ends when its connection does; its parent must notice at once,
     * without another client to wake it. Poll, for a bounded time. */
    long long deadline = now_ms() + wait_ms();
    int children;
    while ((children = count_children(server.pid, &zombies)) > 0 && now_ms() < deadline)
        pause_ms(10);
    ck_assert_msg(children == 0,
                  "20 connections came and went; %d s later the server still has %d "
                  "child%s, %d of them zombie%s (state Z in /proc/PID/stat): a child "
                  "that has exited stays a zombie until its parent calls waitpid(). "
                  "Read " BOOK ", \"Reaping: no zombies\": catch SIGCHLD so that it "
                  "wakes the accept loop, and reap with waitpid(-1, NULL, WNOHANG) in a "
                  "loop.",
                  WAIT_SECS, children, children == 1 ? "" : "ren", zombies,
                  zombies == 1 ? "" : "s");
    stage_stop(&server);
}
END_TEST

START_TEST(stop_ends_the_children)
{
    start(S7_HINT, (const char *const[]){"-t", seconds(30), NULL});
    struct client *c = connect_client(0);
    const char *what = "GET /hello.txt HTTP/1.1, then idle (-t 30)";
    expect_file(what, ask(c, what, get("GET", hello.path, NULL)), &hello, S1_HINT);
    expect_a_child(what);
    ck_assert_msg(kill(server.pid, SIGTERM) == 0, "tester: kill: %s", strerror(errno));
    struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
    ck_assert_msg(poll(&pfd, 1, wait_ms()) > 0,
                  "the server got SIGTERM while a client idled on its kept connection "
                  "(-t 30); %d s later that connection was still open: the child "
                  "serving it outlived the server. Read " BOOK ", \"Stopping\": kill() "
                  "each child with SIGTERM, and waitpid() for it, before main() returns.",
                  WAIT_SECS);
    hang_up(c);
    stage_stop(&server);
}
END_TEST

/* ---- Stage 2.s8: 503 over the cap -------------------------------------------------- */

START_TEST(over_the_cap_503)
{
    start(S8_HINT, (const char *const[]){"-c", "1", "-t", seconds(30), NULL});
    struct client *a = connect_client(0);
    const char *what = "GET /hello.txt HTTP/1.1 from client A, which keeps its "
                       "connection (-c 1)";
    expect_file(what, ask(a, what, get("GET", hello.path, NULL)), &hello, S1_HINT);

    static char text[RESPONSE_MAX];
    struct client *b = connect_client(1);
    what = "client B connected while A holds the only place (-c 1), and sent nothing";
    read_response(b, what, &response, 0);
    expect_status(what, &response, 503, S8_HINT);
    expect_close_header(what, &response, S8_HINT);
    expect_closed(b, what, S8_HINT);
    hang_up(b);

    what = "GET /hello.txt HTTP/1.1 from client A again, after B was refused";
    expect_file(what, ask(a, what, get("GET", hello.path, NULL)), &hello,
                "The refusal must not disturb the client being served.");
    hang_up(a);

    /* A has left; its child ends, and the parent must count it gone. It notices at its
     * own pace, so ask again for a bounded time. */
    long long deadline = now_ms() + wait_ms();
    int status;
    ssize_t n;
    do {
        struct client *c = connect_client(2);
        say(c, "GET /style.css", get("GET", style.path, "Connection: close\r\n"));
        n = recv_until_close(c->fd, text, sizeof text, wait_ms());
        hang_up(c);
        status = n > 0 ? response_status(text) : -1;
        if (status != 200)
            pause_ms(10);
    } while (status != 200 && now_ms() < deadline);
    ck_assert_msg(status == 200,
                  "GET /style.css after client A left (-c 1): expected 200 within %d s, "
                  "got \"%s\". The parent must count only the children still running: "
                  "one it has reaped frees its place. %s",
                  WAIT_SECS, show(text, n > 0 ? (size_t)n : 0), S8_HINT);
    stage_stop(&server);
}
END_TEST

/* ---- Stage 2.s9: 304 Not Modified -------------------------------------------------- */

START_TEST(not_modified)
{
    start(S9_HINT, NULL);
    struct client *c = connect_client(0);
    const char *what = "GET /hello.txt HTTP/1.1";
    struct response *r = ask(c, what, get("GET", hello.path, NULL));
    expect_file(what, r, &hello, S1_HINT);
    const char *modified = header(r, "Last-Modified");
    ck_assert_msg(modified != NULL, "%s: no Last-Modified header in \"%s\"", what,
                  show(r->head, r->head_length));
    char since[128];
    char request[512];
    snprintf(since, sizeof since, "If-Modified-Since: %s\r\n", modified);

    char said[256];
    snprintf(said, sizeof said,
             "GET /hello.txt with \"If-Modified-Since: %s\", its "
             "Last-Modified",
             modified);
    r = ask(c, said, get("GET", hello.path, since));
    expect_status(said, r, 304, S9_HINT);
    ck_assert_msg(header(r, "Content-Length") == NULL,
                  "%s: a 304 has no body, and no Content-Length", said);
    expect_kept(said, r, "A 304 keeps the connection.");

    snprintf(said, sizeof said, "HEAD /hello.txt with \"If-Modified-Since: %s\"",
             modified);
    expect_status(said, ask(c, said, get("HEAD", hello.path, since)), 304, S9_HINT);

    what = "GET /hello.txt with \"If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT\"";
    expect_file(what,
                ask(c, what,
                    get("GET", hello.path,
                        "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT\r\n")),
                &hello, "The file is newer than 1970: send it.");
    what = "GET /hello.txt with \"If-Modified-Since: yesterday\"";
    expect_file(what,
                ask(c, what, get("GET", hello.path, "If-Modified-Since: yesterday\r\n")),
                &hello, "A date that does not parse is ignored.");
    snprintf(request, sizeof request, "%sIf-None-Match: \"x\"\r\n", since);
    what = "GET /hello.txt with If-Modified-Since and If-None-Match: \"x\"";
    expect_file(what, ask(c, what, get("GET", hello.path, request)), &hello,
                "If-Modified-Since is ignored beside If-None-Match (RFC 9110 §13.1.3).");
    hang_up(c);
    stage_stop(&server);
}
END_TEST

/* ---- The stages, in the book's order ----------------------------------------------- */

void add_stages(Suite *suite)
{
    TCase *tc = stage_tcase("2.s1");
    tcase_add_test(tc, two_requests_on_one_connection);
    suite_add_tcase(suite, tc);

    tc = stage_tcase("2.s2");
    tcase_add_test(tc, idle_connections_closed_silently);
    suite_add_tcase(suite, tc);

    tc = stage_tcase("2.s3");
    tcase_add_test(tc, connection_close_and_http10);
    tcase_add_test(tc, max_requests_then_close);
    suite_add_tcase(suite, tc);

    tc = stage_tcase("2.s4");
    tcase_add_test(tc, body_read_and_dropped);
    tcase_add_test(tc, bad_framing_refused);
    suite_add_tcase(suite, tc);

    tc = stage_tcase("2.s5");
    tcase_add_test(tc, three_requests_in_one_write);
    tcase_add_test(tc, body_and_request_in_one_write);
    tcase_add_test(tc, request_cut_across_writes);
    suite_add_tcase(suite, tc);

    tc = stage_tcase("2.s6");
    tcase_add_test(tc, idle_client_does_not_block);
    suite_add_tcase(suite, tc);

    tc = stage_tcase("2.s7");
    tcase_add_test(tc, children_reaped);
    tcase_add_test(tc, stop_ends_the_children);
    suite_add_tcase(suite, tc);

    tc = stage_tcase("2.s8");
    tcase_add_test(tc, over_the_cap_503);
    suite_add_tcase(suite, tc);

    tc = stage_tcase("2.s9");
    tcase_add_test(tc, not_modified);
    suite_add_tcase(suite, tc);
}
