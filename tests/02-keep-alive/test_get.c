/* test_get.c: chapter 2's client, the real ./get, against the real ./httpd.
 *
 * get fetches many URLs over one connection and says on stderr how many requests it
 * sent on how many connections (DESIGN.md §3.2). Each test serves a fresh document
 * root with httpd on port 0, runs get to completion and asserts on its exact stdout,
 * its stderr and its exit status.
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
#include <sys/stat.h>
#include <unistd.h>

#define GET   CH2_DIR "/get"
#define HTTPD CH2_DIR "/httpd"

#define FILES 10

static char sites_dir[64];
static char root[128];
static struct server_proc server;

/* ---- Fixture: ten small files, served -------------------------------------------- */

static void make_sites_dir(void)
{
    make_temp_dir(sites_dir);
}

static void remove_sites_dir(void)
{
    remove_tree(sites_dir);
}

/* The body of pN.txt: each one different, and a different length. */
static const char *body_of(int n)
{
    static char bodies[4][128]; /* so that a call may use up to four */
    static int next;
    char *body = bodies[next++ % 4];
    snprintf(body, sizeof bodies[0], "page %d%.*s\n", n, n * 3,
             "==============================");
    return body;
}

static void setup_site(void)
{
    memset(&server, 0, sizeof server);
    snprintf(root, sizeof root, "%s/site-XXXXXX", sites_dir);
    ck_assert_msg(mkdtemp(root) != NULL, "mkdtemp: %s", strerror(errno));
    for (int i = 0; i < FILES; i++) {
        char name[16];
        snprintf(name, sizeof name, "p%d.txt", i);
        write_file(root, name, body_of(i), strlen(body_of(i)));
    }
    write_file(root, "index.html", "<p>index</p>\n", 13);
}

static void start_server(char *const extra[])
{
    char *argv[12] = {HTTPD, "-p", "0", "-d", root};
    size_t argc = 5;
    for (size_t i = 0; extra != NULL && extra[i] != NULL; i++)
        argv[argc++] = extra[i];
    argv[argc] = NULL;
    ck_assert_msg(server_start(&server, HTTPD, argv) == 0, "%s did not start", HTTPD);
}

static void setup_served_site(void)
{
    setup_site();
    start_server(NULL);
}

static void teardown_site(void)
{
    int status = server.pid > 0 ? server_stop(&server) : 0;
    remove_tree(root);
    ck_assert_msg(status == 0, "httpd did not exit 0 on SIGTERM (status %d)", status);
}

/* ---- Running get ------------------------------------------------------------------ */

static char out[64 * 1024]; /* get's stdout */
static size_t out_length;
static char err[16 * 1024]; /* get's stderr */

/* The test server's URL for this path; each call has its own buffer (up to 16). */
static char *url(const char *path)
{
    static char buffers[16][256];
    static int next;
    char *buf = buffers[next++ % 16];
    snprintf(buf, sizeof buffers[0], "%s%s", server.url,
             path[0] == '/' ? path + 1 : path);
    return buf;
}

/* Run get with these arguments (NULL-terminated); returns its exit status. */
static int run_get(char *const args[])
{
    char *argv[32] = {GET};
    size_t argc = 1;
    for (size_t i = 0; args[i] != NULL; i++)
        argv[argc++] = args[i];
    argv[argc] = NULL;
    return run_program(argv, out, sizeof out, &out_length, err, sizeof err);
}

/* get p0.txt ... p9.txt; returns the exit status. */
static int get_ten(void)
{
    char *args[FILES + 1];
    for (int i = 0; i < FILES; i++) {
        char path[16];
        snprintf(path, sizeof path, "/p%d.txt", i);
        args[i] = url(path);
    }
    args[FILES] = NULL;
    return run_get(args);
}

/* The ten bodies, in order. */
static const char *ten_bodies(void)
{
    static char all[4096];
    all[0] = '\0';
    for (int i = 0; i < FILES; i++)
        strcat(all, body_of(i));
    return all;
}

/* ---- Tests ------------------------------------------------------------------------ */

/* Ten URLs: the ten bodies in order on stdout, and one connection for all. */
START_TEST(ten_urls_one_connection)
{
    ck_assert_int_eq(get_ten(), 0);
    ck_assert_str_eq(out, ten_bodies());
    ck_assert_str_eq(err, "get: 10 requests on 1 connection\n");
}
END_TEST

/* One URL: singular words. */
START_TEST(one_url)
{
    ck_assert_int_eq(run_get((char *[]){url("/p3.txt"), NULL}), 0);
    ck_assert_str_eq(out, body_of(3));
    ck_assert_str_eq(err, "get: 1 request on 1 connection\n");
}
END_TEST

/* The same URL several times is fetched every time. */
START_TEST(same_url_twice)
{
    ck_assert_int_eq(run_get((char *[]){url("/p1.txt"), url("/p1.txt"), NULL}), 0);
    char want[256];
    snprintf(want, sizeof want, "%s%s", body_of(1), body_of(1));
    ck_assert_str_eq(out, want);
    ck_assert_str_eq(err, "get: 2 requests on 1 connection\n");
}
END_TEST

/* A server that closes after three requests (-n 3): get reconnects, and says so. */
START_TEST(server_limit_means_more_connections)
{
    start_server((char *[]){"-n", "3", NULL});
    ck_assert_int_eq(get_ten(), 0);
    ck_assert_str_eq(out, ten_bodies());
    ck_assert_str_eq(err, "get: 10 requests on 4 connections\n");
}
END_TEST

/* A 404 among them: exit 22, and the other URLs are still fetched, on the same
 * connection (a 404 does not close it). */
START_TEST(not_found_among_them_exits_22)
{
    static char page[4096];
    ssize_t n = http_exchange(server.port, "GET /missing.txt HTTP/1.0\r\n\r\n", page,
                              sizeof page);
    ck_assert(n > 0);
    size_t page_length;
    const char *error_page = response_body(page, (size_t)n, &page_length);
    ck_assert(error_page != NULL && page_length > 0);

    int status =
        run_get((char *[]){url("/p0.txt"), url("/missing.txt"), url("/p2.txt"), NULL});
    ck_assert_int_eq(status, 22);
    char want[8192];
    snprintf(want, sizeof want, "%s%s%s", body_of(0), error_page, body_of(2));
    ck_assert_str_eq(out, want);
    ck_assert_str_eq(err, "get: 3 requests on 1 connection\n");
}
END_TEST

/* URLs naming different servers cannot share a connection: exit 2, nothing fetched. */
START_TEST(different_hosts_exit_2)
{
    char other_host[128], other_port[128];
    snprintf(other_host, sizeof other_host, "http://localhost:%d/p1.txt", server.port);
    snprintf(other_port, sizeof other_port, "http://127.0.0.1:%d/p1.txt",
             server.port == 65535 ? 1 : server.port + 1);
    ck_assert_int_eq(run_get((char *[]){url("/p0.txt"), other_host, NULL}), 2);
    ck_assert_uint_eq(out_length, 0);
    ck_assert_msg(err[0] != '\0', "no message on stderr");
    ck_assert_int_eq(run_get((char *[]){url("/p0.txt"), other_port, NULL}), 2);
    ck_assert_uint_eq(out_length, 0);
}
END_TEST

/* A port with nothing listening: exit 1, and a message on stderr. */
START_TEST(connection_refused_exits_1)
{
    struct sockaddr_in sin = {.sin_family = AF_INET};
    socklen_t len = sizeof sin;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert(fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0);
    ck_assert(getsockname(fd, (struct sockaddr *)&sin, &len) == 0);
    close(fd); /* the port is free again, and nobody listens on it */

    char first[64], second[64];
    snprintf(first, sizeof first, "http://127.0.0.1:%d/", ntohs(sin.sin_port));
    snprintf(second, sizeof second, "http://127.0.0.1:%d/x", ntohs(sin.sin_port));
    ck_assert_int_eq(run_get((char *[]){first, second, NULL}), 1);
    ck_assert_msg(strncmp(err, "get: ", 5) == 0, "stderr: %s", err);
    ck_assert_uint_eq(out_length, 0);
}
END_TEST

/* -i: each response's status line and headers, then its body, in order; the last
 * request asked to close, so the last response says so. */
START_TEST(include_heads)
{
    ck_assert_int_eq(run_get((char *[]){"-i", url("/p1.txt"), url("/p2.txt"), NULL}), 0);
    const char *p = out;
    for (int i = 1; i <= 2; i++) {
        ck_assert_msg(strncmp(p, "HTTP/1.1 200 OK\r\n", 17) == 0, "response %d: %s", i,
                      p);
        const char *end = strstr(p, "\r\n\r\n");
        ck_assert_msg(end != NULL, "no end of head: %s", p);
        char head[1024];
        size_t head_length = (size_t)(end + 4 - p);
        ck_assert(head_length < sizeof head);
        memcpy(head, p, head_length);
        head[head_length] = '\0';
        char value[64];
        ck_assert_int_eq(response_header(head, "Content-Length", value, sizeof value), 0);
        ck_assert_uint_eq(strtoul(value, NULL, 10), strlen(body_of(i)));
        int closes = response_header(head, "Connection", value, sizeof value) == 0 &&
                     strcmp(value, "close") == 0;
        ck_assert_msg(closes == (i == 2), "response %d: Connection: close %s expected", i,
                      i == 2 ? "" : "not");
        p = end + 4;
        ck_assert_msg(strncmp(p, body_of(i), strlen(body_of(i))) == 0, "body %d: %s", i,
                      p);
        p += strlen(body_of(i));
    }
    ck_assert_msg(*p == '\0', "more after the last body: %s", p);
}
END_TEST

/* -v: the HTTP/1.1 requests (>>>) and responses (<<<) escaped on stderr; the bodies
 * still on stdout. */
START_TEST(wire_trace)
{
    ck_assert_int_eq(run_get((char *[]){"-v", url("/"), url("/p0.txt"), NULL}), 0);
    ck_assert_msg(strstr(err, ">>> GET / HTTP/1.1\\r\\n") != NULL, "stderr: %s", err);
    ck_assert_msg(strstr(err, ">>> GET /p0.txt HTTP/1.1\\r\\n") != NULL, "stderr: %s",
                  err);
    ck_assert_msg(strstr(err, "<<< HTTP/1.1 200 OK\\r\\n") != NULL, "stderr: %s", err);
    ck_assert_msg(strstr(err, "get: 2 requests on 1 connection\n") != NULL, "stderr: %s",
                  err);
    char want[256];
    snprintf(want, sizeof want, "<p>index</p>\n%s", body_of(0));
    ck_assert_str_eq(out, want);
}
END_TEST

/* One URL that is not http://: exit 2, naming it, before fetching anything. */
START_TEST(bad_url_exits_2)
{
    ck_assert_int_eq(run_get((char *[]){"http://127.0.0.1:1/", "ftp://x", NULL}), 2);
    ck_assert_msg(strstr(err, "ftp://x") != NULL, "stderr: %s", err);
    ck_assert_uint_eq(out_length, 0);
}
END_TEST

START_TEST(bad_flag_exits_2)
{
    ck_assert_int_eq(run_get((char *[]){"-Z", "http://127.0.0.1:1/", NULL}), 2);
    ck_assert_msg(strstr(err, "usage: get") != NULL, "stderr: %s", err);
    ck_assert_uint_eq(out_length, 0);
}
END_TEST

START_TEST(no_url_exits_2)
{
    ck_assert_int_eq(run_get((char *[]){NULL}), 2);
    ck_assert_msg(strstr(err, "usage: get") != NULL, "stderr: %s", err);
}
END_TEST

START_TEST(help_exits_0)
{
    ck_assert_int_eq(run_get((char *[]){"-h", NULL}), 0);
    ck_assert_msg(strncmp(out, "usage: get", 10) == 0, "stdout: %s", out);
}
END_TEST

Suite *get_suite(void)
{
    Suite *s = suite_create("get (chapter 2)");

    TCase *tc = tcase_create("against httpd");
    tcase_add_unchecked_fixture(tc, make_sites_dir, remove_sites_dir);
    tcase_add_checked_fixture(tc, setup_served_site, teardown_site);
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, ten_urls_one_connection);
    tcase_add_test(tc, one_url);
    tcase_add_test(tc, same_url_twice);
    tcase_add_test(tc, not_found_among_them_exits_22);
    tcase_add_test(tc, different_hosts_exit_2);
    tcase_add_test(tc, include_heads);
    tcase_add_test(tc, wire_trace);
    suite_add_tcase(s, tc);

    tc = tcase_create("against httpd -n 3");
    tcase_add_unchecked_fixture(tc, make_sites_dir, remove_sites_dir);
    tcase_add_checked_fixture(tc, setup_site, teardown_site);
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, server_limit_means_more_connections);
    suite_add_tcase(s, tc);

    tc = tcase_create("without a server");
    tcase_add_unchecked_fixture(tc, make_sites_dir, remove_sites_dir);
    tcase_add_checked_fixture(tc, setup_site, teardown_site);
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, connection_refused_exits_1);
    tcase_add_test(tc, bad_url_exits_2);
    tcase_add_test(tc, bad_flag_exits_2);
    tcase_add_test(tc, no_url_exits_2);
    tcase_add_test(tc, help_exits_0);
    suite_add_tcase(s, tc);

    return s;
}
