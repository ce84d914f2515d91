/* test_pushd_http.c: pushd's start line, its command line, and its HTTP port: the
 * static files with chapter 2's rules, served from inside chapter 3's loop, so that
 * a large file to a client that never reads holds up nobody. */
#include "suites.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define BIG_FILE_BYTES (8 * 1024 * 1024)

static struct server_proc server;
static char root[64];

/* A document root: a page, a text file, a folder with its own index, a big file. */
static void start_with_files(const char *const extra[])
{
    make_temp_dir(root);
    write_file(root, "index.html", "<p>home</p>\n", 12);
    write_file(root, "a.txt", "alpha\n", 6);
    char sub[128];
    snprintf(sub, sizeof sub, "%s/sub", root);
    ck_assert(mkdir(sub, 0755) == 0);
    write_file(root, "sub/index.html", "<p>sub</p>\n", 11);
    char *big = malloc(BIG_FILE_BYTES);
    ck_assert_ptr_nonnull(big);
    for (size_t i = 0; i < BIG_FILE_BYTES; i++)
        big[i] = (char)('a' + i % 26);
    write_file(root, "big.bin", big, BIG_FILE_BYTES);
    free(big);
    const char *argv[16] = {"-d", root};
    int n = 2;
    for (int i = 0; extra != NULL && extra[i] != NULL && n < 15; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    pd_start(&server, argv);
}

static void stop(void)
{
    server_stop_clean(&server, "pushd");
    remove_tree(root);
}

/* GET path on p, and the status; the head goes to head, the body (Content-Length
 * bytes) to body (NUL-terminated). */
static int get(struct pd_peer *p, const char *method, const char *path, char *head,
               size_t head_size, char *body, size_t body_size)
{
    char request[512];
    snprintf(request, sizeof request, "%s %s HTTP/1.1\r\nHost: x\r\n\r\n", method, path);
    pd_say(p, request);
    int status = pd_read_head(p, head, head_size);
    char value[32];
    size_t length = 0;
    if (strcmp(method, "HEAD") != 0 && status != 304 &&
        response_header(head, "Content-Length", value, sizeof value) == 0)
        length = (size_t)atol(value);
    ck_assert_msg(length < body_size, "a body of %zu bytes", length);
    pd_read_exact(p, body, length);
    body[length] = '\0';
    return status;
}

/* ---- The start line and the command line ------------------------------------------ */

START_TEST(start_line_names_both_ports)
{
    pd_start(&server, NULL);
    char want[128];
    snprintf(want, sizeof want, "http://127.0.0.1:%d/ and chat://127.0.0.1:%d/",
             server.port, server.port2);
    ck_assert_str_eq(server.url, want);
    ck_assert_int_ne(server.port, server.port2);
    server_stop_clean(&server, "pushd");
}
END_TEST

START_TEST(listens_on_ipv6)
{
    const char *extra[] = {"-b", "::1", NULL};
    pd_start(&server, extra);
    char want[128];
    snprintf(want, sizeof want, "http://[::1]:%d/ and chat://[::1]:%d/", server.port,
             server.port2);
    ck_assert_str_eq(server.url, want);
    server_stop_clean(&server, "pushd");
}
END_TEST

static int run_pushd(const char *const args[], char *err, size_t err_size)
{
    char *argv[16] = {PUSHD};
    int n = 1;
    for (int i = 0; args[i] != NULL && n < 15; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    static char out[8192];
    size_t length;
    return run_program(argv, out, sizeof out, &length, err, err_size);
}

START_TEST(command_line)
{
    char err[4096];
    const char *help[] = {"-h", NULL};
    ck_assert_int_eq(run_pushd(help, err, sizeof err), 0);
    const char *bad_flag[] = {"-Z", NULL};
    ck_assert_int_eq(run_pushd(bad_flag, err, sizeof err), 2);
    ck_assert_msg(strstr(err, "usage:") != NULL, "no usage on stderr: %s", err);
    const char *extra_argument[] = {"-p", "0", "-P", "0", "extra", NULL};
    ck_assert_int_eq(run_pushd(extra_argument, err, sizeof err), 2);
    const char *bad_port[] = {"-P", "80x", NULL};
    ck_assert_int_eq(run_pushd(bad_port, err, sizeof err), 2);
    const char *zero_members[] = {"-m", "0", NULL};
    ck_assert_int_eq(run_pushd(zero_members, err, sizeof err), 2);
    char too_many[32];
    snprintf(too_many, sizeof too_many, "%d", FD_SETSIZE);
    const char *over_fd_setsize[] = {"-p", "0", "-P", "0", "-m", too_many, NULL};
    ck_assert_int_eq(run_pushd(over_fd_setsize, err, sizeof err), 2);
    ck_assert_msg(strstr(err, "FD_SETSIZE") != NULL, "-m %s: %s", too_many, err);
    const char *bad_ping[] = {"-K", "0", NULL};
    ck_assert_int_eq(run_pushd(bad_ping, err, sizeof err), 2);
    const char *bad_tick[] = {"-T", "-1", NULL};
    ck_assert_int_eq(run_pushd(bad_tick, err, sizeof err), 2);
}
END_TEST

/* ---- Files, with chapter 2's rules ------------------------------------------------- */

START_TEST(files_on_one_kept_connection)
{
    start_with_files(NULL);
    struct pd_peer *p = pd_connect(server.port);
    char head[4096], body[4096], value[64];
    ck_assert_int_eq(get(p, "GET", "/a.txt", head, sizeof head, body, sizeof body), 200);
    ck_assert_str_eq(body, "alpha\n");
    ck_assert_int_eq(response_header(head, "Content-Type", value, sizeof value), 0);
    ck_assert_str_eq(value, "text/plain; charset=utf-8");
    ck_assert_msg(strncmp(head, "HTTP/1.1 200 OK\r\n", 17) == 0, "%s", head);
    ck_assert_int_eq(get(p, "GET", "/", head, sizeof head, body, sizeof body), 200);
    ck_assert_str_eq(body, "<p>home</p>\n");
    ck_assert_int_eq(get(p, "HEAD", "/a.txt", head, sizeof head, body, sizeof body), 200);
    ck_assert_int_eq(response_header(head, "Content-Length", value, sizeof value), 0);
    ck_assert_str_eq(value, "6");
    ck_assert_int_eq(get(p, "GET", "/sub/", head, sizeof head, body, sizeof body), 200);
    ck_assert_str_eq(body, "<p>sub</p>\n");
    ck_assert_int_eq(get(p, "GET", "/sub", head, sizeof head, body, sizeof body), 301);
    ck_assert_int_eq(response_header(head, "Location", value, sizeof value), 0);
    ck_assert_str_eq(value, "/sub/");
    ck_assert_int_eq(get(p, "GET", "/nope", head, sizeof head, body, sizeof body), 404);
    ck_assert_int_eq(
        get(p, "GET", "/../etc/passwd", head, sizeof head, body, sizeof body), 403);
    ck_assert_int_eq(get(p, "DELETE", "/a.txt", head, sizeof head, body, sizeof body),
                     405);
    ck_assert_int_eq(response_header(head, "Allow", value, sizeof value), 0);
    ck_assert_str_eq(value, "GET, HEAD");
    /* After all those, the same connection still serves. */
    ck_assert_int_eq(get(p, "GET", "/a.txt", head, sizeof head, body, sizeof body), 200);
    pd_close(p);
    stop();
}
END_TEST

START_TEST(if_modified_since_gets_304)
{
    start_with_files(NULL);
    struct pd_peer *p = pd_connect(server.port);
    char head[4096], body[64], date[64];
    ck_assert_int_eq(get(p, "GET", "/a.txt", head, sizeof head, body, sizeof body), 200);
    ck_assert_int_eq(response_header(head, "Last-Modified", date, sizeof date), 0);
    char request[256];
    snprintf(request, sizeof request,
             "GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: %s\r\n\r\n", date);
    pd_say(p, request);
    ck_assert_int_eq(pd_read_head(p, head, sizeof head), 304);
    ck_assert_int_eq(get(p, "GET", "/a.txt", head, sizeof head, body, sizeof body), 200);
    ck_assert_str_eq(body, "alpha\n");
    pd_close(p);
    stop();
}
END_TEST

START_TEST(pipelined_requests_and_a_skipped_body)
{
    start_with_files(NULL);
    struct pd_peer *p = pd_connect(server.port);
    /* A POST with a body (405, the body read and thrown away), then two GETs, all
     * in one write. */
    pd_say(p, "POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
              "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
              "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    char head[4096], body[4096];
    ck_assert_int_eq(pd_read_head(p, head, sizeof head), 405);
    char value[32];
    ck_assert_int_eq(response_header(head, "Content-Length", value, sizeof value), 0);
    pd_read_exact(p, body, (size_t)atol(value));
    ck_assert_int_eq(pd_read_head(p, head, sizeof head), 200);
    pd_read_exact(p, body, 6);
    ck_assert(memcmp(body, "alpha\n", 6) == 0);
    ck_assert_int_eq(pd_read_head(p, head, sizeof head), 200);
    ck_assert_int_eq(response_header(head, "Connection", value, sizeof value), 0);
    ck_assert_str_eq(value, "close");
    pd_read_exact(p, body, 12);
    pd_expect_closed(p);
    pd_close(p);
    stop();
}
END_TEST

START_TEST(errors_that_close)
{
    start_with_files(NULL);
    char response[4096];
    /* HTTP/1.1 without Host: 400 and close. */
    ck_assert(http_exchange(server.port, "GET / HTTP/1.1\r\n\r\n", response,
                            sizeof response) > 0);
    ck_assert_int_eq(response_status(response), 400);
    /* A body over 1 MiB: 413. Transfer-Encoding: 501. */
    ck_assert(
        http_exchange(server.port,
                      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n",
                      response, sizeof response) > 0);
    ck_assert_int_eq(response_status(response), 413);
    ck_assert(
        http_exchange(server.port,
                      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
                      response, sizeof response) > 0);
    ck_assert_int_eq(response_status(response), 501);
    /* HTTP/1.0 closes after its answer unless it asks. */
    ck_assert(http_exchange(server.port, "GET /a.txt HTTP/1.0\r\n\r\n", response,
                            sizeof response) > 0);
    ck_assert_int_eq(response_status(response), 200);
    stop();
}
END_TEST

/* -t: an HTTP connection that sends nothing is closed; a WebSocket is not. */
START_TEST(idle_http_is_closed_and_a_websocket_is_exempt)
{
    const char *extra[] = {"-t", "1", NULL};
    start_with_files(extra);
    struct pd_peer *ws = pd_ws_join(server.port, NULL);
    struct pd_peer *idle = pd_connect(server.port);
    pd_expect_closed(idle); /* after -t: so the WebSocket too has been idle that long */
    pd_ws_send(ws, 1, 1, "/who", 4, 1);
    pd_ws_expect_text(ws, "* online: guest1");
    pd_close(idle);
    pd_close(ws);
    stop();
}
END_TEST

/* A client asks for 8 MiB and reads nothing. The file waits in its 64 KiB queue
 * and the kernel's buffers, and the room goes on; then the client reads it all. */
START_TEST(a_large_file_to_a_stalled_reader_never_delays_the_room)
{
    /* -t 60: the reader stalls while 100 lines go round, which on a loaded machine can
     * take longer than the default 5 s after which a stalled download is dropped. */
    start_with_files((const char *const[]){"-t", "60", NULL});
    struct pd_peer *slow = pd_connect(server.port);
    pd_say(slow, "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n");
    struct pd_peer *a = pd_raw_join(server.port2, NULL);
    struct pd_peer *b = pd_raw_join(server.port2, NULL);
    pd_expect_line(a, "* guest2 joined");
    for (int i = 0; i < 100; i++) {
        char line[64], want[64];
        snprintf(line, sizeof line, "line %d\n", i);
        snprintf(want, sizeof want, "guest1: line %d", i);
        pd_say(a, line);
        pd_expect_line(b, want);
    }
    char head[4096], value[32];
    ck_assert_int_eq(pd_read_head(slow, head, sizeof head), 200);
    ck_assert_int_eq(response_header(head, "Content-Length", value, sizeof value), 0);
    ck_assert_int_eq(atol(value), BIG_FILE_BYTES);
    static char body[64 * 1024];
    size_t got = 0;
    while (got < BIG_FILE_BYTES) {
        size_t n =
            BIG_FILE_BYTES - got < sizeof body ? BIG_FILE_BYTES - got : sizeof body;
        pd_read_exact(slow, body, n);
        for (size_t i = 0; i < n; i++)
            ck_assert_msg(body[i] == (char)('a' + (got + i) % 26), "byte %zu differs",
                          got + i);
        got += n;
    }
    pd_close(slow);
    pd_close(a);
    pd_close(b);
    stop();
}
END_TEST

Suite *pushd_http_suite(void)
{
    Suite *s = suite_create("pushd_http");
    TCase *tc = tcase_create("start");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, start_line_names_both_ports);
    tcase_add_test(tc, listens_on_ipv6);
    tcase_add_test(tc, command_line);
    suite_add_tcase(s, tc);
    tc = tcase_create("files");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, files_on_one_kept_connection);
    tcase_add_test(tc, if_modified_since_gets_304);
    tcase_add_test(tc, pipelined_requests_and_a_skipped_body);
    tcase_add_test(tc, errors_that_close);
    tcase_add_test(tc, idle_http_is_closed_and_a_websocket_is_exempt);
    tcase_add_test(tc, a_large_file_to_a_stalled_reader_never_delays_the_room);
    suite_add_tcase(s, tc);
    return s;
}
