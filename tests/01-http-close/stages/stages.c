/* stages.c: chapter 1's stages, the tester for the learner's own HTTP/1.0 server.
 *
 * Each stage starts the program in STAGE_PROGRAM on port 0, talks HTTP/1.0 to it over
 * loopback the way curl or nc would, and says in plain words what it sent, what it
 * expected, what came back and which section of book/01-http-close.md to read. Only
 * what the server does on the wire is tested, never how it is written.
 */
#include "harness.h"
#include "stage.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define WWW          PROJECT_ROOT "/chapters/01-http-close/www"
#define BOOK         "book/01-http-close.md"
#define RESPONSE_MAX (64 * 1024)
#define BIG_FILE     (5 * 1024 * 1024)

static struct server_proc server;
static char response[RESPONSE_MAX];

/* Scratch roots for 1.s5 and 1.s6. An unchecked fixture makes and removes them in
 * Check's own process, so that they go away even when a test fails half-way (a failed
 * test's process ends at once, before its own clean-up). */
static char root[64], outside[64];

static void make_scratch(void)
{
    make_temp_dir(root);
    make_temp_dir(outside);
}

static void remove_scratch(void)
{
    remove_tree(root);
    remove_tree(outside);
}

/* ---- Helpers ------------------------------------------------------------------- */

/* Start the learner's server with -d root and the given extra flags. */
static void start(const char *root, const char *flag, const char *value)
{
    const char *args[] = {"-d", root, flag, value, NULL};
    stage_start(&server, args);
}

/* The bytes of a file of the chapter's www/. */
static size_t load(const char *name, char *out, size_t size)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", WWW, name);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "the test cannot read %s", path);
    size_t n = fread(out, 1, size, f);
    fclose(f);
    return n;
}

/* Send request on a new connection, read the whole response (to the close). */
static ssize_t ask(const char *what, const char *request)
{
    return stage_exchange(server.port, what, request, response, sizeof response);
}

/* Ask and expect status; returns the response length. */
static ssize_t expect(const char *request, int status, const char *hint)
{
    char what[128];
    snprintf(what, sizeof what, "%.*s", (int)strcspn(request, "\r\n"), request);
    if (strlen(request) > 100)
        snprintf(what, sizeof what, "a request line of %zu bytes",
                 strcspn(request, "\r\n"));
    ssize_t n = ask(what, request);
    stage_expect_status(what, response, status, hint);
    return n;
}

static void pause_ms(int ms)
{
    struct timespec pause = {0, (long)ms * 1000000L};
    nanosleep(&pause, NULL);
}

/* ---- 1.s1: listen, accept ----------------------------------------------------- */

START_TEST(accepts_connections)
{
    start(WWW, NULL, NULL);
    for (int i = 1; i <= 2; i++) {
        int fd = stage_connect(server.port, "connecting");
        send_text(fd, "GET / HTTP/1.0\r\n\r\n");
        struct pollfd ready = {.fd = fd, .events = POLLIN};
        ck_assert_msg(
            poll(&ready, 1, STAGE_WAIT_MS * timeout_multiplier()) == 1,
            "connection %d: connected and sent \"GET / HTTP/1.0\", but in %d s the "
            "server neither answered nor closed the connection: does the loop call "
            "accept(), and close() each connection? Read " BOOK ", \"The accept loop\"",
            i, STAGE_WAIT_MS / 1000);
        close(fd);
    }
    stage_stop(&server);
}
END_TEST

/* ---- 1.s2: a fixed answer, then close ----------------------------------------- */

START_TEST(answers_and_closes)
{
    start(WWW, NULL, NULL);
    for (int i = 0; i < 2; i++) {
        ssize_t n = ask("GET / HTTP/1.0", "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n");
        /* Any status will do (the fixed answer's 200, or a 404 while find_file() is
         * still the skeleton's): this stage is about the connection's life. */
        int status = response_status(response);
        ck_assert_msg(
            strncmp(response, "HTTP/1.0 ", 9) == 0 && status >= 100 && status <= 599,
            "GET / HTTP/1.0: expected a response starting \"HTTP/1.0 200 \", got "
            "\"%.*s\". Read " BOOK ", \"One connection\"",
            (int)strcspn(response, "\r\n"), response);
        ck_assert_msg(
            strstr(response, "\r\n\r\n") != NULL,
            "GET / HTTP/1.0: the response (%zd bytes) has no empty line (CRLF CRLF) "
            "after its headers. Read " BOOK ", \"The response: send_file()\"",
            n);
    }
    stage_stop(&server);
}
END_TEST

/* ---- 1.s3: the request line --------------------------------------------------- */

#define S3_HINT "Read " BOOK ", \"The request line\" (exercise 1.2)"

START_TEST(request_line_statuses)
{
    start(WWW, NULL, NULL);
    expect("GET /\r\n\r\n", 400, S3_HINT);
    expect("GET  / HTTP/1.0\r\n\r\n", 400, S3_HINT);
    expect("GET / HTTX/1.0\r\n\r\n", 400, S3_HINT);
    expect("GET / HTTP/2.0\r\n\r\n", 505, S3_HINT);
    expect("BREW / HTTP/1.0\r\n\r\n", 501, S3_HINT);
    expect("get / HTTP/1.0\r\n\r\n", 501, S3_HINT);
    expect("POST / HTTP/1.0\r\nContent-Length: 0\r\n\r\n", 405, S3_HINT);
    stage_expect_header("POST / HTTP/1.0", response, "Allow", "GET, HEAD", S3_HINT);
    /* HTTP/1.1 is answered as HTTP/1.0 would be: 200, or 404 while find_file() is
     * still the skeleton's (stage 1.s4). */
    ask("GET / HTTP/1.1", "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    int status = response_status(response);
    ck_assert_msg(status == 200 || status == 404,
                  "GET / HTTP/1.1: expected the answer an HTTP/1.0 request gets (200, or "
                  "404 before stage 1.s4), got \"%.*s\". " S3_HINT,
                  (int)strcspn(response, "\r\n"), response);
    stage_stop(&server);
}
END_TEST

/* ---- 1.s4: files ---------------------------------------------------------------- */

#define S4_HINT                                                                          \
    "Read " BOOK ", \"The response: send_file()\" and \"Content-Type\" (exercise 1.5)"

static void expect_file(const char *name, const char *type)
{
    static char want[RESPONSE_MAX];
    char request[256], what[128], length[32];
    size_t size = load(name, want, sizeof want);
    snprintf(request, sizeof request, "GET /%s HTTP/1.0\r\n\r\n", name);
    snprintf(what, sizeof what, "GET /%s", name);
    ssize_t n = expect(request, 200, S4_HINT);
    stage_expect_header(what, response, "Content-Type", type, S4_HINT);
    snprintf(length, sizeof length, "%zu", size);
    stage_expect_header(what, response, "Content-Length", length, S4_HINT);
    stage_expect_body(what, response, (size_t)n, want, size, S4_HINT);
}

START_TEST(serves_files)
{
    start(WWW, NULL, NULL);
    expect_file("hello.txt", "text/plain; charset=utf-8");
    expect_file("style.css", "text/css; charset=utf-8");
    expect_file("connection.png", "image/png");
    expect_file("index.html", "text/html; charset=utf-8");

    static char index[RESPONSE_MAX];
    size_t size = load("index.html", index, sizeof index);
    ssize_t n =
        expect("GET / HTTP/1.0\r\n\r\n", 200, "\"/\" serves index.html. " S4_HINT);
    stage_expect_body("GET /", response, (size_t)n, index, size,
                      "\"/\" serves index.html");

    n = expect("HEAD /hello.txt HTTP/1.0\r\n\r\n", 200, S4_HINT);
    size_t body = 0;
    response_body(response, (size_t)n, &body);
    ck_assert_msg(
        body == 0,
        "HEAD /hello.txt: expected the headers only, got %zu bytes of body too. "
        "Read " BOOK ", \"The response: send_file()\"",
        body);
    expect("GET /no-such-file.txt HTTP/1.0\r\n\r\n", 404, S4_HINT);
    stage_stop(&server);
}
END_TEST

/* ---- 1.s5: inside the root ------------------------------------------------------ */

#define S5_HINT                                                                          \
    "Read " BOOK ", \"From target to path\" and \"Staying inside the document root\" "   \
    "(exercises 1.3 and 1.4)"

START_TEST(stays_inside_the_root)
{
    char link_path[128], secret[128];
    write_file(root, "hello.txt", "hello\n", 6);
    write_file(outside, "secret.txt", "secret\n", 7);
    snprintf(secret, sizeof secret, "%s/secret.txt", outside);
    snprintf(link_path, sizeof link_path, "%s/leak.txt", root);
    ck_assert(symlink(secret, link_path) == 0);

    start(root, NULL, NULL);
    expect("GET /hel%6Co.txt HTTP/1.0\r\n\r\n", 200, S5_HINT);
    expect("GET /a/../hello.txt HTTP/1.0\r\n\r\n", 200, S5_HINT);
    expect("GET /./hello.txt?x=1 HTTP/1.0\r\n\r\n", 200, S5_HINT);
    expect("GET http://example.com/hello.txt HTTP/1.0\r\n\r\n", 200, S5_HINT);
    expect("GET /../hello.txt HTTP/1.0\r\n\r\n", 403, S5_HINT);
    expect("GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.0\r\n\r\n", 403, S5_HINT);
    expect("GET /a/%2E%2E/%2E%2E/hello.txt HTTP/1.0\r\n\r\n", 403, S5_HINT);
    expect("GET /%zz HTTP/1.0\r\n\r\n", 400, S5_HINT);
    expect("GET /hello%00.txt HTTP/1.0\r\n\r\n", 400, S5_HINT);
    expect(
        "GET /leak.txt HTTP/1.0\r\n\r\n", 403,
        "a symlink that leads out of the root must not be followed: compare realpath() "
        "of the file with the root's. " S5_HINT);
    stage_stop(&server);
}
END_TEST

/* ---- 1.s6: partial reads, short writes ------------------------------------------ */

#define S6_HINT "Read " BOOK ", \"A request in pieces\" and \"Writing all the bytes\""

START_TEST(request_one_byte_at_a_time)
{
    start(WWW, NULL, NULL);
    const char *request = "GET /hello.txt HTTP/1.0\r\nHost: localhost\r\n\r\n";
    const char *what = "GET /hello.txt, sent one byte at a time";
    int fd = stage_connect(server.port, what);
    int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on,
               sizeof on); /* each byte its own segment */
    for (const char *p = request; *p != '\0'; p++) {
        send_all(fd, p, 1);
        pause_ms(2); /* so that each read() on the server gets a piece, not the whole */
    }
    ssize_t n = stage_read_to_close(fd, what, response, sizeof response);
    close(fd);
    stage_expect_status(what, response, 200,
                        "read() returns what has arrived, maybe one byte: keep reading "
                        "until the empty line. " S6_HINT);
    static char want[RESPONSE_MAX];
    size_t size = load("hello.txt", want, sizeof want);
    stage_expect_body(what, response, (size_t)n, want, size, S6_HINT);
    stage_stop(&server);
}
END_TEST

START_TEST(big_file_to_a_slow_reader)
{
    unsigned char *big = malloc(BIG_FILE);
    ck_assert(big != NULL);
    for (size_t i = 0; i < BIG_FILE; i++)
        big[i] = (unsigned char)(i * 31 + i / 4093);
    write_file(root, "big.bin", big, BIG_FILE);
    start(root, NULL, NULL);

    const char *what = "GET /big.bin (5 MiB, read slowly)";
    int small = 4096;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small); /* before connect() */
    struct sockaddr_in to = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)server.port)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_msg(connect(fd, (struct sockaddr *)&to, sizeof to) == 0,
                  "%s: could not connect: is it listening?", what);
    send_text(fd, "GET /big.bin HTTP/1.0\r\n\r\n");
    pause_ms(300); /* the server's writes fill the buffers and stop short, or block */

    size_t capacity = BIG_FILE + 4096, used = 0;
    char *got = malloc(capacity);
    ck_assert(got != NULL);
    for (;;) {
        struct pollfd ready = {.fd = fd, .events = POLLIN};
        if (poll(&ready, 1, STAGE_WAIT_MS * timeout_multiplier()) != 1)
            break;
        ssize_t n = read(fd, got + used, capacity - 1 - used);
        if (n <= 0)
            break;
        used += (size_t)n;
        if (used % (256 * 1024) < (size_t)n)
            pause_ms(5); /* keep reading slowly */
    }
    close(fd);
    got[used] = '\0';
    stage_expect_status(what, got, 200, S6_HINT);
    stage_expect_header(what, got, "Content-Length", "5242880", S6_HINT);
    size_t body = 0;
    const char *at = response_body(got, used, &body);
    ck_assert_msg(
        at != NULL && body == BIG_FILE && memcmp(at, big, BIG_FILE) == 0,
        "%s: expected all 5242880 bytes of the file, intact, got %zu bytes%s. "
        "write() may write less than asked (a short write): write the rest too. " S6_HINT,
        what, body, body == BIG_FILE ? " that differ" : "");
    free(got);
    free(big);
    stage_stop(&server);
}
END_TEST

/* ---- 1.s7: bounded -------------------------------------------------------------- */

#define S7_HINT "Read " BOOK ", \"Limits, and the deadline\""

START_TEST(limits)
{
    start(WWW, "-t", "1");
    static char request[40 * 1024];
    /* A request line of 9,000 bytes: over the 8,192 allowed. */
    int n = snprintf(request, sizeof request, "GET /");
    memset(request + n, 'a', 9000);
    snprintf(request + n + 9000, sizeof request - (size_t)n - 9000, " HTTP/1.0\r\n\r\n");
    expect(request, 414, S7_HINT);

    /* 101 header lines: over the 100 allowed. */
    n = snprintf(request, sizeof request, "GET / HTTP/1.0\r\n");
    for (int i = 0; i < 101; i++)
        n += snprintf(request + n, sizeof request - (size_t)n, "X-%d: y\r\n", i);
    snprintf(request + n, sizeof request - (size_t)n, "\r\n");
    ck_assert_msg(ask("GET / with 101 header lines", request) > 0, "no answer");
    stage_expect_status("GET / with 101 header lines", response, 431, S7_HINT);

    /* 17,000 bytes of headers in three lines: over the 16,384 allowed. */
    n = snprintf(request, sizeof request, "GET / HTTP/1.0\r\n");
    for (int i = 0; i < 3; i++) {
        n += snprintf(request + n, sizeof request - (size_t)n, "X-%d: ", i);
        memset(request + n, 'v', 5700);
        n += 5700;
        n += snprintf(request + n, sizeof request - (size_t)n, "\r\n");
    }
    snprintf(request + n, sizeof request - (size_t)n, "\r\n");
    ask("GET / with 17,000 bytes of headers", request);
    stage_expect_status("GET / with 17,000 bytes of headers", response, 431, S7_HINT);
    stage_stop(&server);
}
END_TEST

START_TEST(stalled_client_times_out)
{
    start(WWW, "-t", "1");
    const char *what = "half a request (\"GET / HT\"), then nothing, with -t 1";
    int fd = stage_connect(server.port, what);
    send_text(fd, "GET / HT");
    struct pollfd ready = {.fd = fd, .events = POLLIN}; /* its close makes fd readable */
    ck_assert_msg(
        poll(&ready, 1, 4000 * timeout_multiplier()) == 1,
        "%s: expected the server to close the connection after about 1 s; it was "
        "still open after 4 s. Wait with poll() and a deadline. " S7_HINT,
        what);
    close(fd);
    expect("GET /hello.txt HTTP/1.0\r\n\r\n", 200,
           "after a stalled client the server must go on serving. " S7_HINT);
    stage_stop(&server);
}
END_TEST

/* ---- The stages, in the book's order ------------------------------------------- */

void add_stages(Suite *suite)
{
    TCase *tc = stage_tcase("1.s1");
    tcase_add_test(tc, accepts_connections);
    suite_add_tcase(suite, tc);

    tc = stage_tcase("1.s2");
    tcase_add_test(tc, answers_and_closes);
    suite_add_tcase(suite, tc);

    tc = stage_tcase("1.s3");
    tcase_add_test(tc, request_line_statuses);
    suite_add_tcase(suite, tc);

    tc = stage_tcase("1.s4");
    tcase_add_test(tc, serves_files);
    suite_add_tcase(suite, tc);

    tc = stage_tcase("1.s5");
    tcase_add_unchecked_fixture(tc, make_scratch, remove_scratch);
    tcase_add_test(tc, stays_inside_the_root);
    suite_add_tcase(suite, tc);

    tc = stage_tcase("1.s6");
    tcase_add_unchecked_fixture(tc, make_scratch, remove_scratch);
    tcase_add_test(tc, request_one_byte_at_a_time);
    tcase_add_test(tc, big_file_to_a_slow_reader);
    suite_add_tcase(suite, tc);

    tc = stage_tcase("1.s7");
    tcase_add_test(tc, limits);
    tcase_add_test(tc, stalled_client_times_out);
    suite_add_tcase(suite, tc);
}
