/* test_get.c: chapter 1's client, the real ./get, against the real ./httpd.
 *
 * Each test serves a fresh document root with httpd on port 0, runs get to completion
 * and asserts on its exact stdout, its stderr and its exit status (DESIGN.md §3.1:
 * body to stdout, -i adds the head, 1 on connection failure, 22 on 4xx/5xx).
 */
#include "harness.h"
#include "suites.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define GET      CH1_DIR "/get"
#define HTTPD    CH1_DIR "/httpd"
#define BIG_SIZE (5 * 1024 * 1024)

static const char FILE_TXT[] = "hello from file.txt\n";
static const char INDEX_HTML[] = "<!DOCTYPE html><title>get's index</title>\n";

static char root[96];
static struct server_proc server;

/* ---- Fixture: a small site, served ----------------------------------------------- */

/* The folder that holds every site of a TCase. The runner process makes and removes
 * it (an unchecked fixture): a failed test ends at once, without its own teardown, and
 * must leave nothing behind either. */
static char sites_dir[64];

static void make_sites_dir(void)
{
    make_temp_dir(sites_dir);
}

static void remove_sites_dir(void)
{
    remove_tree(sites_dir);
}

/* A fresh folder for one test's site, inside sites_dir. */
static void make_site_dir(char *path, size_t size)
{
    snprintf(path, size, "%s/site-XXXXXX", sites_dir);
    ck_assert_msg(mkdtemp(path) != NULL, "mkdtemp: %s", strerror(errno));
}

static void start_server(const char *address)
{
    char *argv[] = {HTTPD, "-b", (char *)address, "-p", "0", "-d", root, NULL};
    ck_assert_msg(server_start(&server, HTTPD, argv) == 0, "%s did not start", HTTPD);
}

static void setup_site(void)
{
    memset(&server, 0, sizeof server);
    make_site_dir(root, sizeof root);
    write_file(root, "file.txt", FILE_TXT, sizeof FILE_TXT - 1);
    write_file(root, "index.html", INDEX_HTML, sizeof INDEX_HTML - 1);
}

static void setup_served_site(void)
{
    setup_site();
    start_server("127.0.0.1");
}

static void teardown_site(void)
{
    int status = server.pid > 0 ? server_stop(&server) : 0;
    remove_tree(root);
    ck_assert_msg(status == 0, "httpd did not exit 0 on SIGTERM (status %d)", status);
}

/* ---- Running get ------------------------------------------------------------------ */

static char small_out[64 * 1024];
static char *out = small_out; /* get's stdout */
static size_t out_size = sizeof small_out;
static size_t out_length;
static char err[16 * 1024]; /* get's stderr */

/* The test server's URL, "http://127.0.0.1:PORT/", with this path. */
static const char *url(const char *path)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "%s%s", server.url, path[0] == '/' ? path + 1 : path);
    return buf;
}

/* Run get with these arguments (NULL-terminated); returns its exit status. */
static int run_get(char *const args[])
{
    char *argv[8] = {GET};
    size_t argc = 1;
    for (size_t i = 0; args[i] != NULL; i++)
        argv[argc++] = args[i];
    argv[argc] = NULL;
    return run_program(argv, out, out_size, &out_length, err, sizeof err);
}

/* ---- Tests ------------------------------------------------------------------------ */

/* get URL: exactly the body on stdout, nothing on stderr, exit 0. */
START_TEST(body_on_stdout)
{
    ck_assert_int_eq(run_get((char *[]){(char *)url("/file.txt"), NULL}), 0);
    ck_assert_uint_eq(out_length, sizeof FILE_TXT - 1);
    ck_assert_str_eq(out, FILE_TXT);
    ck_assert_str_eq(err, "");
}
END_TEST

/* A query string goes to the server as part of the target. */
START_TEST(url_with_query)
{
    ck_assert_int_eq(run_get((char *[]){(char *)url("/file.txt?x=1"), NULL}), 0);
    ck_assert_str_eq(out, FILE_TXT);
}
END_TEST

/* get -i: the status line and headers as received, the empty line, then the body. */
START_TEST(include_head)
{
    char value[64];
    ck_assert_int_eq(run_get((char *[]){"-i", (char *)url("/file.txt"), NULL}), 0);
    ck_assert_msg(strncmp(out, "HTTP/1.0 200 OK\r\n", 17) == 0, "stdout: %s", out);
    ck_assert_int_eq(response_header(out, "Content-Type", value, sizeof value), 0);
    ck_assert_str_eq(value, "text/plain; charset=utf-8");
    ck_assert_int_eq(response_header(out, "Content-Length", value, sizeof value), 0);
    ck_assert_str_eq(value, "20");
    ck_assert_int_eq(response_header(out, "Connection", value, sizeof value), 0);
    ck_assert_str_eq(value, "close");
    size_t length;
    const char *body = response_body(out, out_length, &length);
    ck_assert_msg(body != NULL, "no empty line after the head: %s", out);
    ck_assert_uint_eq(length, sizeof FILE_TXT - 1);
    ck_assert_str_eq(body, FILE_TXT);
}
END_TEST

/* A 404: exit 22, and the server's error page, exactly, on stdout. */
START_TEST(not_found_exits_22)
{
    char reply[4096];
    size_t length;
    ssize_t n = http_exchange(server.port, "GET /missing.txt HTTP/1.0\r\n\r\n", reply,
                              sizeof reply);
    ck_assert(n > 0);
    const char *page = response_body(reply, (size_t)n, &length);
    ck_assert(page != NULL && length > 0);

    ck_assert_int_eq(run_get((char *[]){(char *)url("/missing.txt"), NULL}), 22);
    ck_assert_uint_eq(out_length, length);
    ck_assert_str_eq(out, page);
}
END_TEST

/* A port with nothing listening: exit 1, and a message saying so on stderr. */
START_TEST(connection_refused_exits_1)
{
    struct sockaddr_in sin = {.sin_family = AF_INET};
    socklen_t len = sizeof sin;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert(fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0);
    ck_assert(getsockname(fd, (struct sockaddr *)&sin, &len) == 0);
    close(fd); /* the port is free again, and nobody listens on it */

    char target[64], port[16];
    snprintf(port, sizeof port, "%d", ntohs(sin.sin_port));
    snprintf(target, sizeof target, "http://127.0.0.1:%s/", port);
    ck_assert_int_eq(run_get((char *[]){target, NULL}), 1);
    ck_assert_msg(strncmp(err, "get: ", 5) == 0 && strstr(err, port) != NULL,
                  "stderr: %s", err);
    ck_assert_uint_eq(out_length, 0);
}
END_TEST

/* A bad flag: usage on stderr, exit 2. */
START_TEST(bad_flag_exits_2)
{
    ck_assert_int_eq(run_get((char *[]){"-Z", "http://127.0.0.1:1/", NULL}), 2);
    ck_assert_msg(strstr(err, "usage: get") != NULL, "stderr: %s", err);
    ck_assert_uint_eq(out_length, 0);
}
END_TEST

/* No URL at all: usage, exit 2. */
START_TEST(no_url_exits_2)
{
    ck_assert_int_eq(run_get((char *[]){NULL}), 2);
    ck_assert_msg(strstr(err, "usage: get") != NULL, "stderr: %s", err);
}
END_TEST

/* -h: usage on stdout, exit 0. */
START_TEST(help_exits_0)
{
    ck_assert_int_eq(run_get((char *[]){"-h", NULL}), 0);
    ck_assert_msg(strncmp(out, "usage: get", 10) == 0, "stdout: %s", out);
}
END_TEST

/* Not an http:// URL: exit 2, naming it. */
START_TEST(bad_url_exits_2)
{
    ck_assert_int_eq(run_get((char *[]){"ftp://x", NULL}), 2);
    ck_assert_msg(strstr(err, "ftp://x") != NULL, "stderr: %s", err);
    ck_assert_uint_eq(out_length, 0);
}
END_TEST

/* -v: the request (>>>) and the response (<<<), escaped, on stderr; the body still on
 * stdout. */
START_TEST(wire_trace)
{
    ck_assert_int_eq(run_get((char *[]){"-v", (char *)url("/"), NULL}), 0);
    ck_assert_msg(strstr(err, ">>> GET / HTTP/1.0\\r\\n") != NULL, "stderr: %s", err);
    ck_assert_msg(strstr(err, "<<< HTTP/1.0 200 OK\\r\\n") != NULL, "stderr: %s", err);
    ck_assert_str_eq(out, INDEX_HTML);
}
END_TEST

/* A 5 MiB binary file arrives on stdout byte for byte. */
START_TEST(big_binary_file)
{
    char *data = malloc(BIG_SIZE);
    ck_assert(data != NULL);
    for (size_t i = 0; i < BIG_SIZE; i++)
        data[i] = (char)(i * 31 + (i >> 16));
    write_file(root, "big.bin", data, BIG_SIZE);
    out_size = BIG_SIZE + 4096;
    out = malloc(out_size);
    ck_assert(out != NULL);

    ck_assert_int_eq(run_get((char *[]){(char *)url("/big.bin"), NULL}), 0);
    ck_assert_uint_eq(out_length, BIG_SIZE);
    ck_assert_msg(memcmp(out, data, BIG_SIZE) == 0, "the file arrived changed");
    free(data);
}
END_TEST

/* get talks IPv6 too: http://[::1]:PORT/ (skipped where there is no IPv6 loopback). */
START_TEST(ipv6_url)
{
    struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6,
                                .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    int available = fd >= 0 && bind(fd, (struct sockaddr *)&sin6, sizeof sin6) == 0;
    if (fd >= 0)
        close(fd);
    if (!available) {
        fprintf(stderr, "ipv6_url: skipped, no IPv6 loopback here\n");
        return;
    }
    start_server("::1");
    ck_assert_msg(strncmp(server.url, "http://[::1]:", 13) == 0, "url %s", server.url);
    ck_assert_int_eq(run_get((char *[]){(char *)url("/file.txt"), NULL}), 0);
    ck_assert_str_eq(out, FILE_TXT);
}
END_TEST

Suite *get_suite(void)
{
    Suite *s = suite_create("get");

    TCase *tc = tcase_create("against httpd");
    tcase_add_unchecked_fixture(tc, make_sites_dir, remove_sites_dir);
    tcase_add_checked_fixture(tc, setup_served_site, teardown_site);
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, body_on_stdout);
    tcase_add_test(tc, url_with_query);
    tcase_add_test(tc, include_head);
    tcase_add_test(tc, not_found_exits_22);
    tcase_add_test(tc, wire_trace);
    tcase_add_test(tc, big_binary_file);
    suite_add_tcase(s, tc);

    tc = tcase_create("without a server");
    tcase_add_unchecked_fixture(tc, make_sites_dir, remove_sites_dir);
    tcase_add_checked_fixture(tc, setup_site, teardown_site);
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, connection_refused_exits_1);
    tcase_add_test(tc, bad_flag_exits_2);
    tcase_add_test(tc, no_url_exits_2);
    tcase_add_test(tc, help_exits_0);
    tcase_add_test(tc, bad_url_exits_2);
    tcase_add_test(tc, ipv6_url);
    suite_add_tcase(s, tc);

    return s;
}
