/* test_httpd.c: chapter 2's server, the real ./httpd, over loopback sockets.
 *
 * Each test makes a fresh document root, starts httpd on port 0 to serve it, and
 * speaks raw HTTP/1.1 on connections that stay open: the contract of DESIGN.md §3.2.
 * A response is read the way a keep-alive client must read it, by its
 * Content-Length, never by waiting for the close, so a response with one byte too
 * many or too few shows up as garbage where the next response should start.
 *
 * Nothing sleeps to synchronise. Where a test is about time (the idle timeout, the
 * iterative server), it asserts the order of events, and the server's -t is scaled
 * with CK_TIMEOUT_MULTIPLIER like Check's own timeouts. The only pauses are a few
 * milliseconds long, inside bounded loops that poll for an event the kernel gives no
 * other way to wait for (a child process ending and its server noticing).
 */
#include "harness.h"
#include "suites.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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

#define HTTPD tested_program(CH2_DIR "/httpd")

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

#define MIB               (1024 * 1024)
#define PIPELINED         20         /* requests sent in one write */
#define FILE_MTIME        1700000000 /* Tue, 14 Nov 2023 22:13:20 GMT */
#define FILE_MTIME_TEXT   "Tue, 14 Nov 2023 22:13:20 GMT"
#define RESPONSE_MAX      (64 * 1024)
#define CONNECTION_BUFFER (256 * 1024)

/* ---- The document root ----------------------------------------------------------- */

static const char FILE_TXT[] = "hello from file.txt\n";
static const char INDEX_HTML[] = "<!DOCTYPE html><title>root index</title>\n";
static const char DIR_INDEX_HTML[] = "<!DOCTYPE html><title>dir index</title>\n";

/* The folder that holds every site of a TCase: made and removed by the runner (an
 * unchecked fixture), so that a test that fails half-way leaves nothing behind. */
static char sites_dir[64];
static char root[128]; /* this test's document root */
static struct server_proc server;

static void make_sites_dir(void)
{
    make_temp_dir(sites_dir);
}

static void remove_sites_dir(void)
{
    remove_tree(sites_dir);
}

/* The body of fNN.txt: each file different, and each a different length. */
static const char *numbered_body(int n)
{
    static char body[256];
    snprintf(
        body, sizeof body, "file %02d: %.*s\n", n, n * 5,
        "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"
        "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrst");
    return body;
}

/* root/: file.txt, index.html, dir/index.html, empty/ (no index: 403), f00..f19.txt. */
static void make_site(void)
{
    char path[256];
    snprintf(root, sizeof root, "%s/site-XXXXXX", sites_dir);
    ck_assert_msg(mkdtemp(root) != NULL, "mkdtemp: %s", strerror(errno));
    write_file(root, "file.txt", FILE_TXT, sizeof FILE_TXT - 1);
    write_file(root, "index.html", INDEX_HTML, sizeof INDEX_HTML - 1);
    snprintf(path, sizeof path, "%s/dir", root);
    ck_assert(mkdir(path, 0755) == 0);
    write_file(path, "index.html", DIR_INDEX_HTML, sizeof DIR_INDEX_HTML - 1);
    snprintf(path, sizeof path, "%s/empty", root);
    ck_assert(mkdir(path, 0755) == 0);
    for (int i = 0; i < PIPELINED; i++) {
        char name[16];
        const char *body = numbered_body(i);
        snprintf(name, sizeof name, "f%02d.txt", i);
        write_file(root, name, body, strlen(body));
    }
    /* file.txt gets a known modification time, for If-Modified-Since */
    struct timespec times[2] = {{FILE_MTIME, 0}, {FILE_MTIME, 0}};
    snprintf(path, sizeof path, "%s/file.txt", root);
    ck_assert_msg(utimensat(AT_FDCWD, path, times, 0) == 0, "utimensat: %s",
                  strerror(errno));
}

/* Start httpd on port 0 for the site, with extra arguments (NULL-terminated). */
static void start_httpd(char *const extra[])
{
    char *argv[16] = {HTTPD, "-p", "0", "-d", root};
    size_t argc = 5;
    for (size_t i = 0; extra != NULL && extra[i] != NULL; i++)
        argv[argc++] = extra[i];
    argv[argc] = NULL;
    ck_assert_msg(server_start(&server, HTTPD, argv) == 0,
                  "%s did not start (is it built?)", HTTPD);
}

/* A -t value: seconds, scaled like Check's own timeouts. */
static char *seconds(int n)
{
    static char text[4][16];
    static int next;
    char *out = text[next++ % 4];
    snprintf(out, sizeof text[0], "%d", n * timeout_multiplier());
    return out;
}

static void setup_site(void)
{
    memset(&server, 0, sizeof server);
    make_site();
}

static void setup_served_site(void)
{
    setup_site();
    start_httpd(NULL);
}

/* Every test ends by proving the server is still alive and stops cleanly: no crash,
 * no sanitizer report, exit status 0 on SIGTERM. */
static void teardown_site(void)
{
    remove_tree(root); /* first: a failed check below ends the teardown */
    if (server.pid > 0)
        server_stop_clean(&server, "httpd");
}

/* ---- Connections that stay open --------------------------------------------------- */

/* A client connection and the bytes received on it but not yet taken as a response. */
struct conn {
    int fd;
    size_t used;
    char buf[CONNECTION_BUFFER];
};

/* A response, as read by its framing. */
struct response {
    int status;
    char text[RESPONSE_MAX + 1]; /* head and body, NUL-terminated */
    size_t head_length;          /* up to and including the empty line */
    const char *body;
    size_t body_length;
};

static struct conn conns[4];

static struct conn *open_conn(int slot)
{
    struct conn *c = &conns[slot];
    c->used = 0;
    c->fd = tcp_connect(server.port);
    ck_assert_msg(c->fd >= 0, "connect to httpd: %s", strerror(errno));
    return c;
}

static int wait_ms(void)
{
    return 10000 * timeout_multiplier();
}

/* Text for a failure message: CR, LF and other control bytes escaped, cut short. */
static const char *show(const char *text, size_t length)
{
    static char buffers[4][160];
    static int next;
    char *out = buffers[next++ % 4];
    size_t used = 0;
    size_t i = 0;
    for (; i < length && used + 8 < sizeof buffers[0]; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\r' || ch == '\n')
            used += (size_t)sprintf(out + used, ch == '\r' ? "\\r" : "\\n");
        else if (ch < 0x20 || ch >= 0x7f)
            used += (size_t)sprintf(out + used, "\\x%02X", ch);
        else
            out[used++] = (char)ch;
    }
    strcpy(out + used, i < length ? "..." : "");
    return out;
}

/* Read more bytes into c's buffer; the server must send them within the time limit. */
static void receive_more(struct conn *c, const char *waiting_for)
{
    ck_assert_msg(c->used < sizeof c->buf, "more than %zu bytes buffered", sizeof c->buf);
    struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
    int ready;
    do
        ready = poll(&pfd, 1, wait_ms());
    while (ready < 0 && errno == EINTR);
    ck_assert_msg(ready > 0, "no %s within %d ms (have: \"%s\")", waiting_for, wait_ms(),
                  show(c->buf, c->used));
    ssize_t n;
    do
        n = read(c->fd, c->buf + c->used, sizeof c->buf - c->used);
    while (n < 0 && errno == EINTR);
    ck_assert_msg(n > 0, "connection %s before the whole %s arrived (have: \"%s\")",
                  n == 0 ? "closed" : "reset", waiting_for, show(c->buf, c->used));
    c->used += (size_t)n;
}

static long find_head_end(const char *buf, size_t length)
{
    for (size_t i = 0; i + 4 <= length; i++)
        if (memcmp(buf + i, "\r\n\r\n", 4) == 0)
            return (long)(i + 4);
    return -1;
}

/* A header's value in r, or NULL (in one of four buffers, reused in turn). */
static const char *header(const struct response *r, const char *name)
{
    static char value[4][1024];
    static int next;
    char *out = value[next++ % 4];
    return response_header(r->text, name, out, sizeof value[0]) == 0 ? out : NULL;
}

/* Read the next response on c, by its framing: the head up to its empty line, then
 * exactly Content-Length bytes of body (none for HEAD and 304). Every response must
 * be HTTP/1.1, and carry a Content-Length unless it is a 304, which must not. */
static void read_response(struct conn *c, struct response *r, int head_only)
{
    long head_end;
    while ((head_end = find_head_end(c->buf, c->used)) < 0)
        receive_more(c, "response head");
    ck_assert_msg(head_end <= RESPONSE_MAX, "a %ld-byte head", head_end);
    memcpy(r->text, c->buf, (size_t)head_end);
    r->text[head_end] = '\0';
    r->head_length = (size_t)head_end;
    ck_assert_msg(strncmp(r->text, "HTTP/1.1 ", 9) == 0,
                  "a response must start with \"HTTP/1.1 \", got \"%s\"",
                  show(r->text, r->head_length));
    r->status = response_status(r->text);
    ck_assert_msg(r->status >= 100, "no status in \"%s\"", show(r->text, r->head_length));
    ck_assert_msg(header(r, "Date") != NULL, "no Date header in \"%s\"",
                  show(r->text, r->head_length));

    const char *length_text = header(r, "Content-Length");
    size_t body_length = 0;
    if (r->status == 304) {
        ck_assert_msg(length_text == NULL, "a 304 with Content-Length: %s", length_text);
    } else {
        ck_assert_msg(length_text != NULL, "a %d without Content-Length: \"%s\"",
                      r->status, show(r->text, r->head_length));
        char *end;
        unsigned long long value = strtoull(length_text, &end, 10);
        ck_assert_msg(*end == '\0' && value <= RESPONSE_MAX - r->head_length,
                      "Content-Length: %s", length_text);
        if (!head_only)
            body_length = (size_t)value;
    }
    while (c->used < r->head_length + body_length)
        receive_more(c, "response body");
    memcpy(r->text + r->head_length, c->buf + r->head_length, body_length);
    r->text[r->head_length + body_length] = '\0';
    r->body = r->text + r->head_length;
    r->body_length = body_length;
    size_t taken = r->head_length + body_length;
    memmove(c->buf, c->buf + taken, c->used - taken);
    c->used -= taken;
}

static void expect_status(const struct response *r, int status)
{
    ck_assert_msg(r->status == status, "expected %d, got \"%s\"", status,
                  show(r->text, r->head_length));
}

/* A 200 with exactly this body. */
static void expect_body(const struct response *r, const char *body)
{
    expect_status(r, 200);
    ck_assert_msg(r->body_length == strlen(body) &&
                      memcmp(r->body, body, r->body_length) == 0,
                  "expected body \"%s\", got \"%s\"", show(body, strlen(body)),
                  show(r->body, r->body_length));
}

/* The server keeps the connection: no "Connection: close". */
static void expect_kept(const struct response *r)
{
    const char *connection = header(r, "Connection");
    ck_assert_msg(connection == NULL || strcasecmp(connection, "close") != 0,
                  "the server said it closes: \"%s\"", show(r->text, r->head_length));
}

static void expect_connection_close(const struct response *r)
{
    const char *connection = header(r, "Connection");
    ck_assert_msg(connection != NULL && strcmp(connection, "close") == 0,
                  "expected Connection: close in \"%s\"", show(r->text, r->head_length));
}

/* The server closes the connection now: no byte after the last response, then EOF. */
static void expect_eof(struct conn *c)
{
    ck_assert_msg(c->used == 0, "bytes after the last response: \"%s\"",
                  show(c->buf, c->used));
    ck_assert_msg(wait_closed(c->fd, wait_ms()) == 1,
                  "the server did not close the connection (or sent more bytes)");
}

/* The connection is open and quiet: nothing to read, no EOF, right now. */
static int is_open(struct conn *c)
{
    struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
    return c->used == 0 && poll(&pfd, 1, 0) == 0;
}

static void close_conn(struct conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

static void say(struct conn *c, const char *text)
{
    send_text(c->fd, text);
}

/* "GET path HTTP/1.1" with a Host and any extra header lines (each ending in CRLF). */
static const char *get(const char *path, const char *extra)
{
    static char request[4][1024];
    static int next;
    char *out = request[next++ % 4];
    snprintf(out, sizeof request[0], "GET %s HTTP/1.1\r\nHost: test\r\n%s\r\n", path,
             extra ? extra : "");
    return out;
}

/* Ask for path on c and expect a 200 with this body, the connection kept. */
static void get_kept(struct conn *c, const char *path, const char *body)
{
    struct response r;
    say(c, get(path, NULL));
    read_response(c, &r, 0);
    expect_body(&r, body);
    expect_kept(&r);
}

/* Send request on c and read its response into r. */
static void ask(struct conn *c, const char *request, struct response *r)
{
    say(c, request);
    read_response(c, r, strncmp(request, "HEAD ", 5) == 0);
}

static void no_nagle(int fd)
{
    int one = 1;
    ck_assert(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0);
}

/* An IMF-fixdate, written here independently of the server's own formatter. */
static const char *http_date(time_t t)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    static char text[4][64];
    static int next;
    char *out = text[next++ % 4];
    struct tm tm;
    ck_assert(gmtime_r(&t, &tm) != NULL);
    snprintf(out, sizeof text[0], "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday],
             tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
             tm.tm_sec);
    return out;
}

static void pause_ms(int ms)
{
    struct timespec pause = {0, (long)ms * 1000 * 1000};
    nanosleep(&pause, NULL);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- Persistent connections -------------------------------------------------------- */

/* HTTP/1.1 keeps the connection by default: three requests, one socket. */
START_TEST(http11_persistent_by_default)
{
    struct conn *c = open_conn(0);
    get_kept(c, "/file.txt", FILE_TXT);
    get_kept(c, "/index.html", INDEX_HTML);
    get_kept(c, "/dir/", DIR_INDEX_HTML); /* the third proves the socket stayed open */
    ck_assert_msg(is_open(c), "the connection should still be open and quiet");
    close_conn(c);
}
END_TEST

/* The listening line names the real port. */
START_TEST(listening_line_names_port)
{
    char expected[64];
    snprintf(expected, sizeof expected, "http://127.0.0.1:%d/", server.port);
    ck_assert_str_eq(server.url, expected);
}
END_TEST

/* A HEAD on a kept connection has a Content-Length but no body: the next response
 * starts right after the head. */
START_TEST(head_then_get_on_one_connection)
{
    struct conn *c = open_conn(0);
    struct response r;
    ask(c, "HEAD /file.txt HTTP/1.1\r\nHost: test\r\n\r\n", &r);
    expect_status(&r, 200);
    ck_assert_str_eq(header(&r, "Content-Length"), "20");
    ck_assert_uint_eq(r.body_length, 0);
    get_kept(c, "/file.txt", FILE_TXT);
    close_conn(c);
}
END_TEST

/* HTTP/1.0 closes after the response unless it asks for keep-alive. */
START_TEST(http10_closes_by_default)
{
    struct conn *c = open_conn(0);
    struct response r;
    ask(c, "GET /file.txt HTTP/1.0\r\n\r\n", &r);
    expect_body(&r, FILE_TXT);
    expect_connection_close(&r);
    expect_eof(c);
    close_conn(c);
}
END_TEST

/* HTTP/1.0 with "Connection: keep-alive" stays open, and the server says so. */
START_TEST(http10_keep_alive_when_asked)
{
    struct conn *c = open_conn(0);
    struct response r;
    ask(c, "GET /file.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &r);
    expect_body(&r, FILE_TXT);
    ck_assert_str_eq(header(&r, "Connection"), "keep-alive");
    ask(c, "GET /index.html HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &r);
    expect_body(&r, INDEX_HTML);
    ck_assert_str_eq(header(&r, "Connection"), "keep-alive");
    /* without it, the third request is the last */
    ask(c, "GET /dir/ HTTP/1.0\r\n\r\n", &r);
    expect_body(&r, DIR_INDEX_HTML);
    expect_connection_close(&r);
    expect_eof(c);
    close_conn(c);
}
END_TEST

/* "Connection: close" from the client: the response says close too, then EOF. */
START_TEST(connection_close_closes)
{
    struct conn *c = open_conn(0);
    struct response r;
    get_kept(c, "/file.txt", FILE_TXT);
    ask(c, get("/index.html", "Connection: close\r\n"), &r);
    expect_body(&r, INDEX_HTML);
    expect_connection_close(&r);
    expect_eof(c);
    close_conn(c);
}
END_TEST

/* "close" counts as a token of a list, in any case. */
START_TEST(connection_close_in_a_list)
{
    struct conn *c = open_conn(0);
    struct response r;
    ask(c, get("/file.txt", "Connection: TE, CLOSE\r\nTE: trailers\r\n"), &r);
    expect_body(&r, FILE_TXT);
    expect_connection_close(&r);
    expect_eof(c);
    close_conn(c);
}
END_TEST

/* -n 3: the third response says "Connection: close", and the server closes. */
START_TEST(max_requests_closes_after_n)
{
    start_httpd((char *[]){"-n", "3", NULL});
    struct conn *c = open_conn(0);
    struct response r;
    get_kept(c, "/f00.txt", numbered_body(0));
    get_kept(c, "/f01.txt", numbered_body(1));
    ask(c, get("/f02.txt", NULL), &r);
    expect_body(&r, numbered_body(2));
    expect_connection_close(&r);
    expect_eof(c);
    close_conn(c);
}
END_TEST

/* -n 3 with four requests in one write: three answers, then the close. */
START_TEST(max_requests_with_pipelining)
{
    start_httpd((char *[]){"-n", "3", NULL});
    char requests[1024] = "";
    for (int i = 0; i < 4; i++) {
        char path[16];
        snprintf(path, sizeof path, "/f%02d.txt", i);
        strcat(requests, get(path, NULL));
    }
    struct conn *c = open_conn(0);
    struct response r;
    say(c, requests);
    for (int i = 0; i < 3; i++) {
        read_response(c, &r, 0);
        expect_body(&r, numbered_body(i));
        if (i < 2)
            expect_kept(&r);
    }
    expect_connection_close(&r);
    expect_eof(c);
    close_conn(c);
}
END_TEST

/* The default -n is 100: the hundredth response on a connection is the last. */
START_TEST(default_max_requests_is_100)
{
    struct conn *c = open_conn(0);
    struct response r;
    for (int i = 1; i <= 100; i++) {
        ask(c, get("/file.txt", NULL), &r);
        expect_body(&r, FILE_TXT);
        if (i < 100)
            expect_kept(&r);
    }
    expect_connection_close(&r);
    expect_eof(c);
    close_conn(c);
}
END_TEST

/* ---- Time limits ---------------------------------------------------------------------
 */

/* -t 1: a kept connection left idle, a connection that never sends a byte, and one
 * that stops half-way through its request are all closed, silently: EOF, no bytes
 * (no 408). */
START_TEST(idle_timeout_closes_silently)
{
    start_httpd((char *[]){"-t", seconds(1), NULL});
    struct conn *kept = open_conn(0);
    struct conn *silent = open_conn(1);
    struct conn *half = open_conn(2);
    get_kept(kept, "/file.txt", FILE_TXT);
    say(half, "GET /file.txt HTTP/1.1\r\nHost: test\r\n");
    ck_assert_msg(wait_closed(kept->fd, wait_ms()) == 1,
                  "an idle kept connection was not closed silently");
    ck_assert_msg(wait_closed(silent->fd, wait_ms()) == 1,
                  "a connection that sent nothing was not closed silently");
    ck_assert_msg(wait_closed(half->fd, wait_ms()) == 1,
                  "a half-sent request was not closed silently");
    close_conn(kept);
    close_conn(silent);
    close_conn(half);
    /* and the server goes on serving */
    struct conn *c = open_conn(0);
    get_kept(c, "/index.html", INDEX_HTML);
    close_conn(c);
}
END_TEST

/* ---- Framing ------------------------------------------------------------------------
 */

/* Twenty requests in one write, for twenty different files: twenty responses, in
 * order, each with its own body; the last asked to close. */
START_TEST(pipelined_requests_answered_in_order)
{
    static char requests[PIPELINED * 128];
    size_t used = 0;
    for (int i = 0; i < PIPELINED; i++)
        used += (size_t)snprintf(requests + used, sizeof requests - used,
                                 "GET /f%02d.txt HTTP/1.1\r\nHost: test\r\n%s\r\n", i,
                                 i == PIPELINED - 1 ? "Connection: close\r\n" : "");
    struct conn *c = open_conn(0);
    send_all(c->fd, requests, used); /* one write */
    for (int i = 0; i < PIPELINED; i++) {
        struct response r;
        read_response(c, &r, 0);
        expect_body(&r, numbered_body(i));
        if (i < PIPELINED - 1)
            expect_kept(&r);
        else
            expect_connection_close(&r);
    }
    expect_eof(c);
    close_conn(c);
}
END_TEST

/* Pipelined requests with bare LF line endings, as nc sends them. */
START_TEST(pipelined_with_bare_lf)
{
    struct conn *c = open_conn(0);
    say(c, "GET /f03.txt HTTP/1.1\nHost: test\n\nGET /f04.txt HTTP/1.1\nHost: test\n\n");
    struct response r;
    read_response(c, &r, 0);
    expect_body(&r, numbered_body(3));
    read_response(c, &r, 0);
    expect_body(&r, numbered_body(4));
    close_conn(c);
}
END_TEST

/* A request in one-byte writes (no Nagle: each byte its own segment), twice. */
START_TEST(request_in_one_byte_writes)
{
    const char *request = get("/file.txt", NULL);
    struct conn *c = open_conn(0);
    no_nagle(c->fd);
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; request[i] != '\0'; i++)
            send_all(c->fd, request + i, 1);
        struct response r;
        read_response(c, &r, 0);
        expect_body(&r, FILE_TXT);
        expect_kept(&r);
    }
    close_conn(c);
}
END_TEST

/* A POST with a 10-byte body gets 405, and the GET after the body gets 200. The body
 * looks like a request itself: a server that did not skip it would answer it. */
START_TEST(post_body_skipped_then_get)
{
    struct conn *c = open_conn(0);
    struct response r;
    say(c, "POST /file.txt HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\n"
           "GET /a\r\n\r\n"
           "GET /index.html HTTP/1.1\r\nHost: test\r\n\r\n");
    read_response(c, &r, 0);
    expect_status(&r, 405);
    ck_assert_str_eq(header(&r, "Allow"), "GET, HEAD");
    expect_kept(&r);
    read_response(c, &r, 0);
    expect_body(&r, INDEX_HTML);
    close_conn(c);
}
END_TEST

/* The body in a write of its own, after the head: still skipped. */
START_TEST(body_in_a_separate_write)
{
    struct conn *c = open_conn(0);
    no_nagle(c->fd);
    struct response r;
    say(c, "POST /file.txt HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\n");
    say(c, "GET /a\r\n\r\n");
    say(c, get("/index.html", NULL));
    read_response(c, &r, 0);
    expect_status(&r, 405);
    expect_kept(&r);
    read_response(c, &r, 0);
    expect_body(&r, INDEX_HTML);
    close_conn(c);
}
END_TEST

/* A GET may carry a body too: it is skipped the same way. */
START_TEST(get_with_body)
{
    struct conn *c = open_conn(0);
    struct response r;
    say(c, "GET /file.txt HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\n\r\nabc");
    read_response(c, &r, 0);
    expect_body(&r, FILE_TXT);
    get_kept(c, "/index.html", INDEX_HTML);
    close_conn(c);
}
END_TEST

/* A body of exactly 1 MiB is accepted (read and skipped): 405, connection kept. */
START_TEST(body_of_1_mib_accepted)
{
    static char request[MIB + 256];
    int head = snprintf(
        request, sizeof request,
        "POST /file.txt HTTP/1.1\r\nHost: test\r\nContent-Length: %d\r\n\r\n", MIB);
    for (size_t i = 0; i < MIB; i++)
        request[(size_t)head + i] = (char)('a' + i % 26);
    struct conn *c = open_conn(0);
    struct response r;
    send_all(c->fd, request, (size_t)head + MIB);
    read_response(c, &r, 0);
    expect_status(&r, 405);
    expect_kept(&r);
    get_kept(c, "/file.txt", FILE_TXT);
    close_conn(c);
}
END_TEST

/* One byte more than 1 MiB: 413 at once (the body is never sent), then the close. */
START_TEST(body_over_1_mib_413)
{
    struct conn *c = open_conn(0);
    struct response r;
    ask(c, "POST /file.txt HTTP/1.1\r\nHost: test\r\nContent-Length: 1048577\r\n\r\n",
        &r);
    expect_status(&r, 413);
    expect_connection_close(&r);
    expect_eof(c);
    close_conn(c);
}
END_TEST

/* Transfer-Encoding (chunked) is not implemented: 501, then the close. */
START_TEST(chunked_501)
{
    struct conn *c = open_conn(0);
    struct response r;
    ask(c,
        "POST /file.txt HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n0\r\n\r\n",
        &r);
    expect_status(&r, 501);
    expect_connection_close(&r);
    expect_eof(c);
    close_conn(c);

    c = open_conn(0);
    ask(c, get("/file.txt", "Transfer-Encoding: chunked\r\n"), &r);
    expect_status(&r, 501);
    expect_connection_close(&r);
    expect_eof(c);
    close_conn(c);
}
END_TEST

/* Content-Length and Transfer-Encoding together: a smuggling attempt, 400. */
START_TEST(length_and_encoding_400)
{
    struct conn *c = open_conn(0);
    struct response r;
    ask(c,
        "POST /file.txt HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n"
        "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        &r);
    expect_status(&r, 400);
    expect_connection_close(&r);
    expect_eof(c);
    close_conn(c);
}
END_TEST

/* Two Content-Lengths that disagree: 400, whether in two headers or one list. */
static const char *const differing_lengths[] = {
    "Content-Length: 5\r\nContent-Length: 6\r\n",
    "Content-Length: 5, 6\r\n",
    "Content-Length: 6\r\nContent-Length: 5, 5\r\n",
};

START_TEST(differing_lengths_400)
{
    char request[512];
    snprintf(request, sizeof request,
             "POST /file.txt HTTP/1.1\r\nHost: test\r\n%s\r\nhello",
             differing_lengths[_i]);
    struct conn *c = open_conn(0);
    struct response r;
    ask(c, request, &r);
    expect_status(&r, 400);
    expect_connection_close(&r);
    expect_eof(c);
    close_conn(c);
}
END_TEST

/* The same Content-Length repeated is accepted: the 5-byte body is skipped. */
static const char *const identical_lengths[] = {
    "Content-Length: 5\r\nContent-Length: 5\r\n",
    "Content-Length: 5, 5\r\n",
    "Content-Length: 005\r\n",
};

START_TEST(identical_lengths_accepted)
{
    char request[512];
    snprintf(request, sizeof request,
             "POST /file.txt HTTP/1.1\r\nHost: test\r\n%s\r\nGET /"
             "GET /index.html HTTP/1.1\r\nHost: test\r\n\r\n",
             identical_lengths[_i]);
    struct conn *c = open_conn(0);
    struct response r;
    say(c, request);
    read_response(c, &r, 0);
    expect_status(&r, 405);
    expect_kept(&r);
    read_response(c, &r, 0);
    expect_body(&r, INDEX_HTML);
    close_conn(c);
}
END_TEST

/* A Content-Length that is not a plain number: 400, then the close. */
static const char *const malformed_lengths[] = {
    "abc", "-1", "+5", "1 2", "", "0x10", "5.0", "99999999999999999999",
};

START_TEST(malformed_length_400)
{
    char request[512];
    snprintf(request, sizeof request,
             "POST /file.txt HTTP/1.1\r\nHost: test\r\nContent-Length: %s\r\n\r\nhello",
             malformed_lengths[_i]);
    struct conn *c = open_conn(0);
    struct response r;
    ask(c, request, &r);
    expect_status(&r, 400);
    expect_connection_close(&r);
    expect_eof(c);
    close_conn(c);
}
END_TEST

/* Expect: 100-continue with a body we do not want: the final status at once (no
 * "100 Continue"), and the close, since the body may or may not follow. */
START_TEST(expect_100_continue_gets_final_status)
{
    struct conn *c = open_conn(0);
    struct response r;
    ask(c,
        "POST /file.txt HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\n"
        "Content-Length: 10\r\n\r\n",
        &r);
    expect_status(&r, 405);
    expect_connection_close(&r);
    expect_eof(c);
    close_conn(c);
}
END_TEST

/* ---- Host ------------------------------------------------------------------------- */

START_TEST(http11_without_host_400)
{
    struct conn *c = open_conn(0);
    struct response r;
    ask(c, "GET /file.txt HTTP/1.1\r\n\r\n", &r);
    expect_status(&r, 400);
    expect_connection_close(&r);
    expect_eof(c);
    close_conn(c);
}
END_TEST

START_TEST(http11_two_hosts_400)
{
    struct conn *c = open_conn(0);
    struct response r;
    ask(c, "GET /file.txt HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", &r);
    expect_status(&r, 400);
    expect_connection_close(&r);
    expect_eof(c);
    close_conn(c);
}
END_TEST

START_TEST(http10_without_host_ok)
{
    struct conn *c = open_conn(0);
    struct response r;
    ask(c, "GET /file.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &r);
    expect_body(&r, FILE_TXT);
    ask(c, "GET /index.html HTTP/1.0\r\n\r\n", &r);
    expect_body(&r, INDEX_HTML);
    expect_eof(c);
    close_conn(c);
}
END_TEST

/* ---- If-Modified-Since ------------------------------------------------------------- */

/* The date the server gave as Last-Modified: 304, no body, no Content-Length, and the
 * connection stays usable. */
START_TEST(not_modified_for_last_modified_date)
{
    struct conn *c = open_conn(0);
    struct response r;
    char extra[128];
    ask(c, get("/file.txt", NULL), &r);
    expect_body(&r, FILE_TXT);
    const char *last_modified = header(&r, "Last-Modified");
    ck_assert_msg(last_modified != NULL, "no Last-Modified");
    ck_assert_str_eq(last_modified, FILE_MTIME_TEXT);
    snprintf(extra, sizeof extra, "If-Modified-Since: %s\r\n", last_modified);

    ask(c, get("/file.txt", extra), &r);
    expect_status(&r, 304);
    ck_assert_msg(strncmp(r.text, "HTTP/1.1 304 Not Modified\r\n", 27) == 0, "got \"%s\"",
                  show(r.text, r.head_length));
    expect_kept(&r);
    get_kept(c, "/index.html", INDEX_HTML); /* no stray body in between */
    close_conn(c);
}
END_TEST

/* A date after the file's (but not in the future): not modified since then, 304. */
START_TEST(not_modified_for_later_date)
{
    struct conn *c = open_conn(0);
    struct response r;
    char extra[128];
    snprintf(extra, sizeof extra, "If-Modified-Since: %s\r\n",
             http_date(FILE_MTIME + 3600));
    ask(c, get("/file.txt", extra), &r);
    expect_status(&r, 304);
    get_kept(c, "/file.txt", FILE_TXT);
    close_conn(c);
}
END_TEST

/* One second before the file's date: it changed since, 200 with the body. */
START_TEST(modified_for_older_date)
{
    struct conn *c = open_conn(0);
    struct response r;
    char extra[128];
    snprintf(extra, sizeof extra, "If-Modified-Since: %s\r\n", http_date(FILE_MTIME - 1));
    ask(c, get("/file.txt", extra), &r);
    expect_body(&r, FILE_TXT);
    close_conn(c);
}
END_TEST

/* Dates the server must ignore (and answer 200): not IMF-fixdate, impossible, or in
 * the future (the client's clock is wrong). */
static const char *const ignored_dates[] = {
    "yesterday",
    "Tuesday, 14-Nov-23 22:13:20 GMT", /* RFC 850: obsolete */
    "Tue Nov 14 22:13:20 2023",        /* asctime: obsolete */
    "Mon, 14 Nov 2023 22:13:20 GMT",   /* the wrong weekday */
    "Tue, 14 Nov 2023 22:13:20 UTC",
    "Fri, 31 Dec 9999 23:59:59 GMT", /* far in the future */
    NULL,                            /* filled in: a week from now */
};

START_TEST(ignored_dates_get_200)
{
    const char *date = ignored_dates[_i];
    if (date == NULL)
        date = http_date(time(NULL) + 7 * 86400);
    char extra[128];
    snprintf(extra, sizeof extra, "If-Modified-Since: %s\r\n", date);
    struct conn *c = open_conn(0);
    struct response r;
    ask(c, get("/file.txt", extra), &r);
    ck_assert_msg(r.status == 200, "If-Modified-Since: %s gave %d, expected 200", date,
                  r.status);
    expect_body(&r, FILE_TXT);
    get_kept(c, "/file.txt", FILE_TXT);
    close_conn(c);
}
END_TEST

/* HEAD gets its 304 too. */
START_TEST(not_modified_for_head)
{
    struct conn *c = open_conn(0);
    struct response r;
    ask(c,
        "HEAD /file.txt HTTP/1.1\r\nHost: test\r\nIf-Modified-Since: " FILE_MTIME_TEXT
        "\r\n\r\n",
        &r);
    expect_status(&r, 304);
    get_kept(c, "/file.txt", FILE_TXT);
    close_conn(c);
}
END_TEST

/* If-None-Match takes precedence over If-Modified-Since (RFC 9110 §13.1.3), and no
 * entity tag can match a server that sends none: the file, not a 304. */
START_TEST(if_none_match_overrides_date)
{
    struct conn *c = open_conn(0);
    struct response r;
    ask(c,
        get("/file.txt",
            "If-None-Match: \"abc\"\r\nIf-Modified-Since: " FILE_MTIME_TEXT "\r\n"),
        &r);
    expect_body(&r, FILE_TXT);
    get_kept(c, "/file.txt", FILE_TXT);
    close_conn(c);
}
END_TEST

/* ---- Errors: which close, which keep -------------------------------------------------
 */

/* The errors after which the server cannot trust where the next request starts. */
struct closing_error {
    const char *name;
    int status;
    const char *request; /* NULL: too long to write here, made by long_request() */
};

static const struct closing_error closing_errors[] = {
    {"malformed request line", 400, "GET  /file.txt HTTP/1.1\r\nHost: test\r\n\r\n"},
    {"malformed header line", 400,
     "GET /file.txt HTTP/1.1\r\nHost: test\r\nNo colon here\r\n\r\n"},
    {"body too large", 413,
     "POST /file.txt HTTP/1.1\r\nHost: test\r\nContent-Length: 2000000\r\n\r\n"},
    {"request line too long", 414, NULL},
    {"header section too large", 431, NULL},
    {"unknown method", 501, "BREW /file.txt HTTP/1.1\r\nHost: test\r\n\r\n"},
    {"HTTP/2.0", 505, "GET /file.txt HTTP/2.0\r\nHost: test\r\n\r\n"},
};

/* A request line of 9,000 bytes (414), or a 17,000-byte header line (431). */
static const char *long_request(int status)
{
    static char request[32 * 1024];
    size_t used;
    if (status == 414) {
        used = (size_t)sprintf(request, "GET /");
        memset(request + used, 'a', 9000);
        strcpy(request + used + 9000, " HTTP/1.1\r\nHost: test\r\n\r\n");
    } else {
        used =
            (size_t)sprintf(request, "GET /file.txt HTTP/1.1\r\nHost: test\r\nX-Big: ");
        memset(request + used, 'b', 17000);
        strcpy(request + used + 17000, "\r\n\r\n");
    }
    return request;
}

/* After a good request on the same connection, each of these errors carries
 * "Connection: close" and is followed by EOF. */
START_TEST(errors_that_close)
{
    const struct closing_error *e = &closing_errors[_i];
    struct conn *c = open_conn(0);
    struct response r;
    get_kept(c, "/file.txt", FILE_TXT);
    ask(c, e->request != NULL ? e->request : long_request(e->status), &r);
    ck_assert_msg(r.status == e->status, "%s: expected %d, got \"%s\"", e->name,
                  e->status, show(r.text, r.head_length));
    expect_connection_close(&r);
    expect_eof(c);
    close_conn(c);
}
END_TEST

/* Errors found in the target, after the head was read in full: each closes the
 * connection like any other 400 or 414, even with a good request right behind it on
 * the same connection (pipelined), which must not be answered. */
struct target_error {
    const char *name;
    int status;
    const char *request_line; /* NULL: a path too long to write here */
};

static const struct target_error target_errors[] = {
    {"bad %-escape", 400, "GET /index%zz.html HTTP/1.1"},
    {"bad %-escape, HEAD", 400, "HEAD /index%zz.html HTTP/1.1"},
    {"%00 in the path", 400, "GET /file%00.txt HTTP/1.1"},
    {"truncated %-escape", 400, "GET /file.txt%4 HTTP/1.1"},
    {"asterisk-form", 400, "GET * HTTP/1.1"},
    {"no leading slash", 400, "GET file.txt HTTP/1.1"},
    {"authority-form", 400, "GET test:80 HTTP/1.1"},
    {"decoded path too long", 414, NULL},
};

START_TEST(target_errors_close)
{
    const struct target_error *e = &target_errors[_i];
    static char request[8192];
    if (e->request_line != NULL) {
        snprintf(request, sizeof request, "%s\r\nHost: test\r\n\r\n", e->request_line);
    } else { /* 5,000 bytes of path: a legal request line, a path over PATH_MAX */
        size_t used = (size_t)sprintf(request, "GET /");
        memset(request + used, 'a', 5000);
        strcpy(request + used + 5000, " HTTP/1.1\r\nHost: test\r\n\r\n");
    }
    size_t length = strlen(request);
    snprintf(request + length, sizeof request - length, "%s", get("/file.txt", NULL));
    struct conn *c = open_conn(0);
    struct response r;
    get_kept(c, "/file.txt", FILE_TXT);
    say(c, request); /* the bad request and a good one, in one write */
    read_response(c, &r, strncmp(request, "HEAD ", 5) == 0);
    ck_assert_msg(r.status == e->status, "%s: expected %d, got \"%s\"", e->name,
                  e->status, show(r.text, r.head_length));
    expect_connection_close(&r);
    expect_eof(c);
    close_conn(c);
}
END_TEST

struct keeping_error {
    const char *request_line;
    int status;
};

static const struct keeping_error keeping_errors[] = {
    {"GET /dir HTTP/1.1", 301},          {"GET /empty/ HTTP/1.1", 403},
    {"GET /../file.txt HTTP/1.1", 403},  {"GET /missing.txt HTTP/1.1", 404},
    {"POST /file.txt HTTP/1.1", 405},    {"DELETE /file.txt HTTP/1.1", 405},
    {"HEAD /missing.txt HTTP/1.1", 404},
};

/* These errors leave the connection usable: the next request gets its 200. */
START_TEST(errors_that_keep)
{
    const struct keeping_error *e = &keeping_errors[_i];
    char request[256];
    snprintf(request, sizeof request, "%s\r\nHost: test\r\n\r\n", e->request_line);
    struct conn *c = open_conn(0);
    struct response r;
    ask(c, request, &r);
    ck_assert_msg(r.status == e->status, "%s: expected %d, got \"%s\"", e->request_line,
                  e->status, show(r.text, r.head_length));
    expect_kept(&r);
    if (e->status == 301)
        ck_assert_str_eq(header(&r, "Location"), "/dir/");
    if (e->status == 405)
        ck_assert_str_eq(header(&r, "Allow"), "GET, HEAD");
    get_kept(c, "/file.txt", FILE_TXT);
    close_conn(c);
}
END_TEST

/* Every response but a 304 has a Content-Length equal to the bytes of its body: read
 * until the close, then count them. */
static const char *const framed_requests[] = {
    "GET /file.txt HTTP/1.0\r\n\r\n",
    "GET / HTTP/1.0\r\n\r\n",
    "GET /dir HTTP/1.0\r\n\r\n",
    "GET /empty/ HTTP/1.0\r\n\r\n",
    "GET /missing.txt HTTP/1.0\r\n\r\n",
    "POST /file.txt HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc",
    "GET  / HTTP/1.1\r\nHost: test\r\n\r\n",
    "GET / HTTP/1.1\r\n\r\n",
    "BREW / HTTP/1.1\r\nHost: test\r\n\r\n",
    "GET / HTTP/3.0\r\nHost: test\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 9999999\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: test\r\nContent-Length: x\r\n\r\n",
};

START_TEST(content_length_is_exact)
{
    static char response[RESPONSE_MAX];
    const char *request = framed_requests[_i];
    ssize_t n = http_exchange(server.port, request, response, sizeof response);
    ck_assert_msg(n > 0, "no response to \"%s\"", show(request, strlen(request)));
    size_t body_length;
    const char *body = response_body(response, (size_t)n, &body_length);
    ck_assert_msg(body != NULL, "no end of head in \"%s\"", show(response, (size_t)n));
    char value[32];
    ck_assert_msg(response_header(response, "Content-Length", value, sizeof value) == 0,
                  "no Content-Length in \"%s\"", show(response, (size_t)n));
    ck_assert_msg(strtoull(value, NULL, 10) == body_length,
                  "\"%s\": Content-Length %s but %zu bytes of body",
                  show(request, strlen(request)), value, body_length);
}
END_TEST

/* ---- Concurrency ------------------------------------------------------------------- */

/* One process per connection: while one client sits on an open connection (one idle
 * after a request, one that never sent a byte), another is served in full. */
START_TEST(idle_client_does_not_block_others)
{
    start_httpd((char *[]){"-t", seconds(5), NULL});
    struct conn *silent = open_conn(0);
    struct conn *idle = open_conn(1);
    get_kept(idle, "/file.txt", FILE_TXT);
    struct conn *other = open_conn(2);
    get_kept(other, "/index.html", INDEX_HTML);
    /* the others' idle timeout has not passed: they are still open */
    ck_assert_msg(is_open(idle),
                  "the idle client was closed before the other was served");
    ck_assert_msg(is_open(silent),
                  "the silent client was closed before the other was served");
    close_conn(silent);
    close_conn(idle);
    close_conn(other);
}
END_TEST

/* Wait until c has bytes to read (or EOF); fail after the time limit. */
static void wait_readable(struct conn *c, const char *what)
{
    struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
    int ready;
    do
        ready = poll(&pfd, 1, wait_ms());
    while (ready < 0 && errno == EINTR);
    ck_assert_msg(ready > 0, "no %s within %d ms", what, wait_ms());
}

/* -1, the iterative server: a second client is answered only after the first one's
 * connection is over. Asserted by order: when B's response arrives, A has EOF. */
static void check_iterative_order(int first_sends_request)
{
    start_httpd((char *[]){"-1", "-t", seconds(1), NULL});
    struct conn *a = open_conn(0);
    if (first_sends_request)
        get_kept(a, "/file.txt", FILE_TXT);
    struct conn *b = open_conn(1);
    say(b, get("/index.html", "Connection: close\r\n"));
    wait_readable(b, "response for the second client");
    ck_assert_msg(wait_closed(a->fd, 0) == 1,
                  "the second client was answered while the first was still connected");
    struct response r;
    read_response(b, &r, 0);
    expect_body(&r, INDEX_HTML);
    expect_eof(b);
    close_conn(a);
    close_conn(b);
}

START_TEST(iterative_waits_for_idle_client)
{
    check_iterative_order(1);
}
END_TEST

START_TEST(iterative_waits_for_silent_client)
{
    check_iterative_order(0);
}
END_TEST

/* Read everything until the server closes c (for responses that end the connection). */
static ssize_t read_until_close(struct conn *c, char *out, size_t size)
{
    return recv_until_close(c->fd, out, size, wait_ms());
}

/* -c 2: with two clients connected, a third gets 503 at once, without sending a byte,
 * and the close; once one of the two leaves, new clients are served again. */
START_TEST(over_the_cap_503)
{
    start_httpd((char *[]){"-c", "2", "-t", seconds(30), NULL});
    struct conn *a = open_conn(0);
    struct conn *b = open_conn(1);
    get_kept(a, "/file.txt", FILE_TXT); /* both children exist now */
    get_kept(b, "/file.txt", FILE_TXT);

    static char response[RESPONSE_MAX];
    struct conn *c = open_conn(2);
    ssize_t n = read_until_close(c, response, sizeof response);
    ck_assert_msg(n > 0, "the third client got nothing");
    const char *want = "HTTP/1.1 503 Service Unavailable\r\n";
    ck_assert_msg(strncmp(response, want, strlen(want)) == 0, "got \"%s\"",
                  show(response, (size_t)n));
    char value[32];
    ck_assert_msg(response_header(response, "Connection", value, sizeof value) == 0 &&
                      strcmp(value, "close") == 0,
                  "no Connection: close in \"%s\"", show(response, (size_t)n));
    size_t body_length;
    ck_assert(response_body(response, (size_t)n, &body_length) != NULL);
    ck_assert(response_header(response, "Content-Length", value, sizeof value) == 0);
    ck_assert_uint_eq(strtoull(value, NULL, 10), body_length);
    close_conn(c);
    ck_assert_msg(is_open(a) && is_open(b), "the 503 disturbed the clients being served");

    /* A leaves; its process ends and is reaped; then a new client gets its 200. The
     * parent notices at its own pace, so retry, for a bounded time. */
    close_conn(a);
    long long deadline = now_ms() + wait_ms();
    int attempts = 0;
    for (;;) {
        attempts++;
        struct conn *d = open_conn(2);
        say(d, get("/index.html", "Connection: close\r\n"));
        n = read_until_close(d, response, sizeof response);
        close_conn(d);
        int status = n > 0 ? response_status(response) : -1;
        if (status == 200)
            break;
        ck_assert_msg(status == 503 || status == -1, "got \"%s\"",
                      show(response, n > 0 ? (size_t)n : 0));
        ck_assert_msg(now_ms() < deadline, "still refused after %d attempts", attempts);
        pause_ms(5);
    }
    size_t length;
    const char *body = response_body(response, (size_t)n, &length);
    ck_assert(body != NULL && length == strlen(INDEX_HTML));
    get_kept(b, "/index.html", INDEX_HTML); /* B was never disturbed */
    close_conn(b);
}
END_TEST

/* The children of a process, from /proc/PID/stat: how many, how many of them are
 * zombies (state Z), and their pids. Returns -1 where there is no /proc. */
static int scan_children(pid_t parent, int *zombies, pid_t *pids, int max)
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
        char path[300], stat[512];
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue; /* it ended while we looked */
        size_t n = fread(stat, 1, sizeof stat - 1, f);
        fclose(f);
        stat[n] = '\0';
        /* "pid (name) state ppid ...": the name may hold spaces and parentheses */
        const char *name_end = strrchr(stat, ')');
        char state;
        long ppid;
        if (name_end == NULL || sscanf(name_end + 1, " %c %ld", &state, &ppid) != 2 ||
            ppid != (long)parent)
            continue;
        if (count < max)
            pids[count] = (pid_t)atol(e->d_name);
        count++;
        if (state == 'Z')
            (*zombies)++;
    }
    closedir(d);
    return count;
}

/* Wait (bounded) until the server has no children left; returns the zombie count
 * seen last, and fails if children remain. */
static void expect_no_children(void)
{
    pid_t pids[64];
    int zombies = 0;
    int children = 0;
    long long deadline = now_ms() + wait_ms();
    while ((children = scan_children(server.pid, &zombies, pids, 64)) > 0 &&
           now_ms() < deadline)
        pause_ms(5);
    ck_assert_msg(children == 0, "%d children left behind, %d of them zombies", children,
                  zombies);
}

/* 200 connections, each served by a child (some closed by the server, some by the
 * client): every child is reaped, none is left a zombie. */
START_TEST(no_zombies_after_200_connections)
{
    int zombies;
    pid_t pids[1];
    if (scan_children(getpid(), &zombies, pids, 1) < 0) {
        fprintf(stderr, "no_zombies_after_200_connections: skipped, no /proc here\n");
        return;
    }
    static char response[RESPONSE_MAX];
    for (int i = 0; i < 200; i++) {
        struct conn *c = open_conn(0);
        if (i % 2 == 0) { /* the server closes */
            say(c, "GET /file.txt HTTP/1.0\r\n\r\n");
            ssize_t n = read_until_close(c, response, sizeof response);
            ck_assert_msg(n > 0 && response_status(response) == 200, "connection %d: %s",
                          i, show(response, n > 0 ? (size_t)n : 0));
        } else { /* the client closes a kept connection */
            get_kept(c, "/file.txt", FILE_TXT);
        }
        close_conn(c);
    }
    expect_no_children();
}
END_TEST

/* Open descriptors of the server, once they have settled (bounded wait). */
static void expect_descriptors(int before)
{
    int after = count_open_fds(server.pid);
    long long deadline = now_ms() + wait_ms();
    while (after != before && now_ms() < deadline) {
        pause_ms(5);
        after = count_open_fds(server.pid);
    }
    ck_assert_msg(after == before, "httpd had %d descriptors open before, %d after",
                  before, after);
}

/* 1,000 requests over ten kept connections (100 each: the default -n, so the last
 * says close), then 1,000 connections of one request each: the server holds as many
 * descriptors as before. Both in the forking server and in the iterative one, which
 * serves connections in the process we count. */
static char *const server_modes[][3] = {{NULL}, {"-1", NULL}};

START_TEST(no_descriptor_leak)
{
    start_httpd(server_modes[_i]);
    int before = count_open_fds(server.pid);
    if (before < 0) {
        fprintf(stderr, "no_descriptor_leak: skipped, no /proc here\n");
        return;
    }
    static char requests[100 * 64];
    size_t used = 0;
    for (int i = 0; i < 100; i++)
        used += (size_t)snprintf(requests + used, sizeof requests - used,
                                 "GET /f%02d.txt HTTP/1.1\r\nHost: test\r\n\r\n", i % 20);
    for (int round = 0; round < 10; round++) {
        struct conn *c = open_conn(0);
        send_all(c->fd, requests, used); /* pipelined, to keep the test quick */
        struct response r;
        for (int i = 0; i < 100; i++) {
            read_response(c, &r, 0);
            expect_body(&r, numbered_body(i % 20));
        }
        expect_connection_close(&r);
        expect_eof(c);
        close_conn(c);
    }
    expect_descriptors(before);

    static char response[RESPONSE_MAX];
    for (int i = 0; i < 1000; i++) {
        struct conn *c = open_conn(0);
        say(c, "GET /file.txt HTTP/1.0\r\n\r\n");
        ssize_t n = read_until_close(c, response, sizeof response);
        ck_assert_msg(n > 0 && response_status(response) == 200, "request %d: %s", i,
                      show(response, n > 0 ? (size_t)n : 0));
        close_conn(c);
    }
    expect_descriptors(before);
}
END_TEST

/* ---- Signals ------------------------------------------------------------------------
 */

/* SIGTERM or SIGINT while a client idles on a kept connection (with a long -t): the
 * server ends its children, so the client sees EOF, and exits 0 promptly, leaving no
 * process behind. */
static const int stop_signals[] = {SIGTERM, SIGINT};

START_TEST(stop_signal_with_idle_client)
{
    start_httpd((char *[]){"-t", "60", NULL});
    struct conn *c = open_conn(0);
    get_kept(c, "/file.txt", FILE_TXT);
    pid_t children[64];
    int zombies;
    int count = scan_children(server.pid, &zombies, children, 64); /* -1: no /proc */
    ck_assert_msg(count != 0, "no process serves the idle client");

    ck_assert(kill(server.pid, stop_signals[_i]) == 0);
    ck_assert_msg(wait_closed(c->fd, wait_ms()) == 1,
                  "the idle client did not see EOF after the signal");
    close_conn(c);
    int status = server_stop(&server); /* waits for the exit, at most 10 s */
    ck_assert_msg(status == 0, "httpd exited with status %d after signal %d", status,
                  stop_signals[_i]);
    /* Its children are gone with it: none lingers on its idle timeout. */
    for (int i = 0; i < count && i < 64; i++) {
        long long deadline = now_ms() + wait_ms();
        while (kill(children[i], 0) == 0 && now_ms() < deadline)
            pause_ms(5);
        ck_assert_msg(kill(children[i], 0) < 0 && errno == ESRCH,
                      "child %ld of httpd is still there", (long)children[i]);
    }
}
END_TEST

/* A signal ends the server within 1 s whatever its clients are doing (DESIGN.md
 * §3): one client has sent half a request, one asked for a large file and never
 * reads it (so the socket buffers fill and the server's write waits), one idles on a
 * kept connection. Each in both modes: the forking server, whose parent ends its
 * children, and the iterative one (-1), which is itself busy with the client. -t is
 * long, so no timeout can be what ends the connection. */
enum busy_client { HALF_REQUEST, STALLED_READER, IDLE_KEPT };

struct stop_case {
    const char *name;
    int iterative;
    enum busy_client client;
    int signo;
};

static const struct stop_case stop_cases[] = {
    {"half a request", 0, HALF_REQUEST, SIGTERM},
    {"stalled reader", 0, STALLED_READER, SIGTERM},
    {"idle kept connection", 0, IDLE_KEPT, SIGTERM},
    {"-1, half a request", 1, HALF_REQUEST, SIGTERM},
    {"-1, stalled reader", 1, STALLED_READER, SIGTERM},
    {"-1, idle kept connection", 1, IDLE_KEPT, SIGTERM},
    {"-1, stalled reader, SIGINT", 1, STALLED_READER, SIGINT},
    {"stalled reader, SIGINT", 0, STALLED_READER, SIGINT},
};

#define LARGE_FILE_BYTES (16 * MIB) /* far more than the socket buffers hold */

/* Keep the client's receive buffer small, so that the server's side fills fast. */
static struct conn *open_small_window_conn(int slot)
{
    struct conn *c = &conns[slot];
    c->used = 0;
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert(c->fd >= 0);
    int size = 16 * 1024;
    ck_assert(setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size) == 0);
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((unsigned short)server.port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_msg(connect(c->fd, (struct sockaddr *)&sin, sizeof sin) == 0,
                  "connect to httpd: %s", strerror(errno));
    return c;
}

START_TEST(stop_within_1s_while_busy)
{
    const struct stop_case *k = &stop_cases[_i];
    if (k->client == STALLED_READER) {
        char *large = malloc(LARGE_FILE_BYTES);
        ck_assert(large != NULL);
        memset(large, 'x', LARGE_FILE_BYTES);
        write_file(root, "large.bin", large, LARGE_FILE_BYTES);
        free(large);
    }
    start_httpd(k->iterative ? (char *[]){"-1", "-t", "60", NULL}
                             : (char *[]){"-t", "60", NULL});
    struct conn *c;
    if (k->client == HALF_REQUEST) {
        c = open_conn(0);
        say(c, "GET /file.txt HTTP/1.1\r\nHost: te");
    } else if (k->client == STALLED_READER) {
        c = open_small_window_conn(0);
        say(c, get("/large.bin", NULL));
        wait_readable(c, "the start of the large response"); /* and never read it */
    } else {
        c = open_conn(0);
        get_kept(c, "/file.txt", FILE_TXT);
    }
    server_stop_within(&server, k->signo, 1000, k->name);
    close_conn(c);
}
END_TEST

/* ---- Command line ------------------------------------------------------------------ */

static char *const bad_options[][4] = {
    {"-Z", NULL},          {"-n", "0", NULL},    {"-c", "0", NULL},  {"-t", "0", NULL},
    {"-n", "x", NULL},     {"-c", "-1", NULL},   {"-t", "5s", NULL}, {"extra", NULL},
    {"-p", "70000", NULL}, {"-p", "http", NULL},
};

/* A bad flag or value: usage on stderr, exit 2, and no server. */
START_TEST(bad_option_exits_2)
{
    char *argv[12] = {HTTPD, "-p", "0", "-d", root};
    size_t argc = 5;
    for (size_t i = 0; bad_options[_i][i] != NULL; i++)
        argv[argc++] = bad_options[_i][i];
    argv[argc] = NULL;
    static char out[4096], err[4096];
    size_t out_length;
    int status = run_program(argv, out, sizeof out, &out_length, err, sizeof err);
    ck_assert_msg(status == 2, "%s %s: exit status %d, expected 2", bad_options[_i][0],
                  bad_options[_i][1] ? bad_options[_i][1] : "", status);
    ck_assert_msg(strstr(out, "listening") == NULL, "it started: %s", out);
    ck_assert_msg(err[0] != '\0', "nothing on stderr");
}
END_TEST

/* -h: usage on stdout, naming the chapter's new flags, exit 0. */
START_TEST(help_exits_0)
{
    char *argv[] = {HTTPD, "-h", NULL};
    static char out[4096];
    size_t out_length;
    ck_assert_int_eq(run_program(argv, out, sizeof out, &out_length, NULL, 0), 0);
    ck_assert_msg(strncmp(out, "usage: httpd", 12) == 0, "stdout: %s", out);
    ck_assert_msg(strstr(out, "-n") && strstr(out, "-c") && strstr(out, "-t") &&
                      strstr(out, "-1"),
                  "the usage should name -t, -n, -c and -1: %s", out);
}
END_TEST

/* ---- The suite --------------------------------------------------------------------- */

/* Every test here is tagged SOLUTION_TAG: the homework's solution program links the
 * same common/ parts as httpd.c and keeps the whole contract, and make test runs the
 * suite against it too. */

static TCase *served_tcase(const char *name, double timeout)
{
    TCase *tc = tcase_create(name);
    tcase_add_unchecked_fixture(tc, make_sites_dir, remove_sites_dir);
    tcase_add_checked_fixture(tc, setup_served_site, teardown_site);
    tcase_set_timeout(tc, timeout);
    tcase_set_tags(tc, SOLUTION_TAG);
    return tc;
}

static TCase *unserved_tcase(const char *name, double timeout)
{
    TCase *tc = tcase_create(name);
    tcase_add_unchecked_fixture(tc, make_sites_dir, remove_sites_dir);
    tcase_add_checked_fixture(tc, setup_site, teardown_site);
    tcase_set_timeout(tc, timeout);
    tcase_set_tags(tc, SOLUTION_TAG);
    return tc;
}

Suite *httpd_suite(void)
{
    Suite *s = suite_create("httpd (chapter 2)");

    TCase *tc = served_tcase("persistent connections", 10);
    tcase_add_test(tc, http11_persistent_by_default);
    tcase_add_test(tc, listening_line_names_port);
    tcase_add_test(tc, head_then_get_on_one_connection);
    tcase_add_test(tc, http10_closes_by_default);
    tcase_add_test(tc, http10_keep_alive_when_asked);
    tcase_add_test(tc, connection_close_closes);
    tcase_add_test(tc, connection_close_in_a_list);
    tcase_add_test(tc, default_max_requests_is_100);
    suite_add_tcase(s, tc);

    tc = unserved_tcase("request limit", 10);
    tcase_add_test(tc, max_requests_closes_after_n);
    tcase_add_test(tc, max_requests_with_pipelining);
    suite_add_tcase(s, tc);

    tc = unserved_tcase("idle timeout", 20);
    tcase_add_test(tc, idle_timeout_closes_silently);
    suite_add_tcase(s, tc);

    tc = served_tcase("framing", 15);
    tcase_add_test(tc, pipelined_requests_answered_in_order);
    tcase_add_test(tc, pipelined_with_bare_lf);
    tcase_add_test(tc, request_in_one_byte_writes);
    tcase_add_test(tc, post_body_skipped_then_get);
    tcase_add_test(tc, body_in_a_separate_write);
    tcase_add_test(tc, get_with_body);
    tcase_add_test(tc, body_of_1_mib_accepted);
    tcase_add_test(tc, body_over_1_mib_413);
    tcase_add_test(tc, chunked_501);
    tcase_add_test(tc, length_and_encoding_400);
    tcase_add_loop_test(tc, differing_lengths_400, 0, (int)COUNT(differing_lengths));
    tcase_add_loop_test(tc, identical_lengths_accepted, 0, (int)COUNT(identical_lengths));
    tcase_add_loop_test(tc, malformed_length_400, 0, (int)COUNT(malformed_lengths));
    tcase_add_test(tc, expect_100_continue_gets_final_status);
    suite_add_tcase(s, tc);

    tc = served_tcase("Host", 10);
    tcase_add_test(tc, http11_without_host_400);
    tcase_add_test(tc, http11_two_hosts_400);
    tcase_add_test(tc, http10_without_host_ok);
    suite_add_tcase(s, tc);

    tc = served_tcase("If-Modified-Since", 10);
    tcase_add_test(tc, not_modified_for_last_modified_date);
    tcase_add_test(tc, not_modified_for_later_date);
    tcase_add_test(tc, modified_for_older_date);
    tcase_add_loop_test(tc, ignored_dates_get_200, 0, (int)COUNT(ignored_dates));
    tcase_add_test(tc, not_modified_for_head);
    tcase_add_test(tc, if_none_match_overrides_date);
    suite_add_tcase(s, tc);

    tc = served_tcase("errors", 10);
    tcase_add_loop_test(tc, errors_that_close, 0, (int)COUNT(closing_errors));
    tcase_add_loop_test(tc, target_errors_close, 0, (int)COUNT(target_errors));
    tcase_add_loop_test(tc, errors_that_keep, 0, (int)COUNT(keeping_errors));
    tcase_add_loop_test(tc, content_length_is_exact, 0, (int)COUNT(framed_requests));
    suite_add_tcase(s, tc);

    tc = unserved_tcase("concurrency", 40);
    tcase_add_test(tc, idle_client_does_not_block_others);
    tcase_add_test(tc, iterative_waits_for_idle_client);
    tcase_add_test(tc, iterative_waits_for_silent_client);
    tcase_add_test(tc, over_the_cap_503);
    suite_add_tcase(s, tc);

    tc = served_tcase("processes", 30);
    tcase_add_test(tc, no_zombies_after_200_connections);
    suite_add_tcase(s, tc);

    tc = unserved_tcase("descriptors", 60);
    tcase_add_loop_test(tc, no_descriptor_leak, 0, (int)COUNT(server_modes));
    suite_add_tcase(s, tc);

    tc = unserved_tcase("signals", 30);
    tcase_add_loop_test(tc, stop_signal_with_idle_client, 0, (int)COUNT(stop_signals));
    tcase_add_loop_test(tc, stop_within_1s_while_busy, 0, (int)COUNT(stop_cases));
    suite_add_tcase(s, tc);

    tc = unserved_tcase("command line", 10);
    tcase_add_loop_test(tc, bad_option_exits_2, 0, (int)COUNT(bad_options));
    tcase_add_test(tc, help_exits_0);
    suite_add_tcase(s, tc);

    return s;
}
