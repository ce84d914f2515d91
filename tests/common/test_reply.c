/* test_reply.c: sending responses (common/reply.c) into a socket pair. */
#include "harness.h"
#include "http.h"
#include "log.h"
#include "net.h"
#include "reply.h"
#include "suites.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int pair[2];
static char root[64];

static void setup(void)
{
    signal(SIGPIPE, SIG_IGN);
    ck_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);
    make_temp_dir(root);
}

static void teardown(void)
{
    close(pair[0]);
    close(pair[1]);
    remove_tree(root);
}

static char reply_buffer[REPLY_CHUNK_SIZE];

static struct http_reply reply_on(int fd)
{
    struct http_reply reply = {
        .buffer = reply_buffer,
        .buffer_size = sizeof reply_buffer,
        .fd = fd,
        .version = "HTTP/1.0",
        .server = "test",
        .connection = "close",
        .timeout_ms = 2000,
        .body_bytes = -1,
    };
    return reply;
}

/* Open root/name as http_open_file would. */
static struct http_file open_in_root(const char *name)
{
    char real_root[PATH_MAX];
    char path[PATH_MAX];
    struct http_file f;
    ck_assert(http_real_root(root, real_root) == 0);
    snprintf(path, sizeof path, "/%s", name);
    ck_assert_int_eq(http_open_file(real_root, path, &f), 0);
    return f;
}

/* Everything the other end of the pair received (after closing our end). */
static size_t received(char *buf, size_t size)
{
    close(pair[0]);
    pair[0] = -1;
    ssize_t n = recv_until_close(pair[1], buf, size, 2000);
    ck_assert(n >= 0);
    return (size_t)n;
}

START_TEST(file_gets_head_then_exact_body)
{
    write_file(root, "a.txt", "hello, world\n", 13);
    struct http_file f = open_in_root("a.txt");
    struct http_reply reply = reply_on(pair[0]);
    ck_assert_int_eq(http_send_file(&reply, &f), 0);
    close(f.fd);
    ck_assert_int_eq(reply.status, 200);
    ck_assert_int_eq(reply.body_bytes, 13);

    static char buf[4096];
    size_t n = received(buf, sizeof buf);
    char value[128];
    ck_assert_int_eq(response_status(buf), 200);
    ck_assert(strncmp(buf, "HTTP/1.0 200 OK\r\n", 17) == 0);
    ck_assert(response_header(buf, "Content-Type", value, sizeof value) == 0);
    ck_assert_str_eq(value, "text/plain; charset=utf-8");
    ck_assert(response_header(buf, "Content-Length", value, sizeof value) == 0);
    ck_assert_str_eq(value, "13");
    ck_assert(response_header(buf, "Connection", value, sizeof value) == 0);
    ck_assert_str_eq(value, "close");
    ck_assert(response_header(buf, "Last-Modified", value, sizeof value) == 0);
    size_t body_length;
    const char *body = response_body(buf, n, &body_length);
    ck_assert(body != NULL);
    ck_assert_uint_eq(body_length, 13);
    ck_assert(memcmp(body, "hello, world\n", 13) == 0);
}
END_TEST

START_TEST(head_only_sends_no_body)
{
    write_file(root, "a.txt", "hello", 5);
    struct http_file f = open_in_root("a.txt");
    struct http_reply reply = reply_on(pair[0]);
    reply.head_only = 1;
    ck_assert_int_eq(http_send_file(&reply, &f), 0);
    close(f.fd);
    ck_assert_int_eq(reply.body_bytes, -1);
    char buf[4096];
    size_t n = received(buf, sizeof buf);
    size_t body_length;
    ck_assert(response_body(buf, n, &body_length) != NULL);
    ck_assert_uint_eq(body_length, 0);
    char value[32];
    ck_assert(response_header(buf, "Content-Length", value, sizeof value) == 0);
    ck_assert_str_eq(value, "5"); /* the length the GET would have had */
}
END_TEST

START_TEST(large_file_arrives_byte_identical)
{
    size_t size = 3 * REPLY_CHUNK_SIZE + 12345; /* several chunks and a partial one */
    unsigned char *data = malloc(size);
    for (size_t i = 0; i < size; i++)
        data[i] = (unsigned char)(i * 31 + 7);
    write_file(root, "big.bin", data, size);
    struct http_file f = open_in_root("big.bin");

    pid_t child = fork(); /* the sender, so the test can read at the same time */
    ck_assert(child >= 0);
    if (child == 0) {
        close(pair[1]);
        struct http_reply reply = reply_on(pair[0]);
        _exit(http_send_file(&reply, &f) == 0 ? 0 : 1);
    }
    close(f.fd);
    close(pair[0]);
    pair[0] = -1;
    char *buf = malloc(size + 4096);
    ssize_t n = recv_until_close(pair[1], buf, size + 4096, 5000);
    ck_assert(n > 0);
    size_t body_length;
    const char *body = response_body(buf, (size_t)n, &body_length);
    ck_assert(body != NULL);
    ck_assert_uint_eq(body_length, size);
    ck_assert(memcmp(body, data, size) == 0);
    free(buf);
    free(data);
}
END_TEST

START_TEST(stalled_reader_times_out)
{
    size_t size = 8 * 1024 * 1024; /* far more than the socket buffers hold */
    char *data = calloc(1, size);
    write_file(root, "big.bin", data, size);
    free(data);
    struct http_file f = open_in_root("big.bin");
    ck_assert(net_set_nonblocking(pair[0], 1) == 0);
    struct http_reply reply = reply_on(pair[0]);
    reply.timeout_ms = 200;
    ck_assert_int_eq(http_send_file(&reply, &f), -1);
    ck_assert_int_eq(errno, ETIMEDOUT);
    ck_assert(reply.body_bytes < (long long)size);
    close(f.fd);
}
END_TEST

START_TEST(vanished_reader_gives_epipe)
{
    write_file(root, "a.txt", "hello", 5);
    struct http_file f = open_in_root("a.txt");
    close(pair[1]);
    pair[1] = -1;
    struct http_reply reply = reply_on(pair[0]);
    ck_assert_int_eq(http_send_file(&reply, &f), -1);
    ck_assert_int_eq(errno, EPIPE);
    close(f.fd);
}
END_TEST

START_TEST(status_page_with_location)
{
    struct http_reply reply = reply_on(pair[0]);
    ck_assert_int_eq(http_send_status(&reply, 301, "/dir/"), 0);
    ck_assert_int_eq(reply.status, 301);
    char buf[4096];
    size_t n = received(buf, sizeof buf);
    char value[64];
    ck_assert(strncmp(buf, "HTTP/1.0 301 Moved Permanently\r\n", 32) == 0);
    ck_assert(response_header(buf, "Location", value, sizeof value) == 0);
    ck_assert_str_eq(value, "/dir/");
    size_t body_length;
    const char *body = response_body(buf, n, &body_length);
    ck_assert(response_header(buf, "Content-Length", value, sizeof value) == 0);
    ck_assert_uint_eq((size_t)atoi(value), body_length);
    ck_assert_int_eq(reply.body_bytes, (long long)body_length);
    ck_assert(strstr(body, "301 Moved Permanently") != NULL);
}
END_TEST

/* The longest Location a server can produce still fits, with the whole page after it. */
START_TEST(status_with_longest_location)
{
    static char location[HTTP_LOCATION_SIZE];
    memset(location, 'a', sizeof location - 1);
    location[0] = '/';
    location[sizeof location - 1] = '\0';
    struct http_reply reply = reply_on(pair[0]);
    pid_t child = fork(); /* the sender, so the test can read at the same time */
    ck_assert(child >= 0);
    if (child == 0) {
        close(pair[1]);
        _exit(http_send_status(&reply, 301, location) == 0 ? 0 : 1);
    }
    close(pair[0]);
    pair[0] = -1;
    static char buf[HTTP_LOCATION_SIZE + 4096];
    ssize_t n = recv_until_close(pair[1], buf, sizeof buf, 5000);
    ck_assert(n > 0);
    static char value[HTTP_LOCATION_SIZE];
    ck_assert(response_header(buf, "Location", value, sizeof value) == 0);
    ck_assert_str_eq(value, location);
    size_t body_length;
    const char *body = response_body(buf, (size_t)n, &body_length);
    ck_assert(body != NULL && strstr(body, "</html>") != NULL);
}
END_TEST

START_TEST(status_405_carries_allow)
{
    struct http_reply reply = reply_on(pair[0]);
    ck_assert_int_eq(http_send_status(&reply, 405, NULL), 0);
    char buf[4096];
    received(buf, sizeof buf);
    char value[64];
    ck_assert(response_header(buf, "Allow", value, sizeof value) == 0);
    ck_assert_str_eq(value, "GET, HEAD");
    ck_assert(response_header(buf, "Location", value, sizeof value) < 0);
}
END_TEST

START_TEST(status_for_head_has_length_but_no_body)
{
    struct http_reply reply = reply_on(pair[0]);
    reply.head_only = 1;
    ck_assert_int_eq(http_send_status(&reply, 404, NULL), 0);
    ck_assert_int_eq(reply.body_bytes, -1);
    char buf[4096];
    size_t n = received(buf, sizeof buf);
    size_t body_length;
    ck_assert(response_body(buf, n, &body_length) != NULL);
    ck_assert_uint_eq(body_length, 0);
    char value[32];
    ck_assert(response_header(buf, "Content-Length", value, sizeof value) == 0);
    ck_assert(atoi(value) > 0);
}
END_TEST

/* The trace sees exactly the bytes that were sent, marked as sent. */
static char traced[4096];
static size_t traced_length;
static int traced_direction = -1;

static void record(int fd, int direction, const void *data, size_t length)
{
    (void)fd;
    traced_direction = direction;
    memcpy(traced + traced_length, data, length);
    traced_length += length;
}

START_TEST(trace_sees_every_byte_sent)
{
    struct http_reply reply = reply_on(pair[0]);
    reply.trace = record;
    ck_assert_int_eq(http_send_status(&reply, 404, NULL), 0);
    char buf[4096];
    size_t n = received(buf, sizeof buf);
    ck_assert_int_eq(traced_direction, LOG_SENT);
    ck_assert_uint_eq(traced_length, n);
    ck_assert(memcmp(traced, buf, n) == 0);
}
END_TEST

/* The buffer is the caller's: none, or one too small for the page, is ENOBUFS and
 * nothing is sent; a small file still goes out whole through a small buffer. */
START_TEST(buffer_is_the_callers)
{
    write_file(root, "a.txt", "hello, world\n", 13);
    struct http_reply reply = reply_on(pair[0]);
    reply.buffer = NULL;
    reply.buffer_size = 0;
    errno = 0;
    ck_assert_int_eq(http_send_status(&reply, 404, NULL), -1);
    ck_assert_int_eq(errno, ENOBUFS);
    char tiny[200]; /* room for a 404's head (about 160 bytes), not for its page */
    reply.buffer = tiny;
    reply.buffer_size = sizeof tiny;
    errno = 0;
    ck_assert_int_eq(http_send_status(&reply, 404, NULL), -1);
    ck_assert_int_eq(errno, ENOBUFS);
    char small[260]; /* a file's head (about 240 bytes), then the file in pieces */
    reply.buffer = small;
    reply.buffer_size = sizeof small;
    struct http_file f = open_in_root("a.txt");
    ck_assert_int_eq(http_send_file(&reply, &f), 0);
    close(f.fd);
    ck_assert_int_eq(reply.body_bytes, 13);
    char buf[4096];
    size_t n = received(buf, sizeof buf);
    ck_assert_int_eq(response_status(buf), 200);
    size_t body_length;
    const char *body = response_body(buf, n, &body_length);
    ck_assert(body != NULL && body_length == 13 &&
              memcmp(body, "hello, world\n", 13) == 0);
}
END_TEST

Suite *reply_suite(void)
{
    Suite *s = suite_create("reply");
    TCase *tc = tcase_create("sending responses");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, file_gets_head_then_exact_body);
    tcase_add_test(tc, head_only_sends_no_body);
    tcase_add_test(tc, large_file_arrives_byte_identical);
    tcase_add_test(tc, stalled_reader_times_out);
    tcase_add_test(tc, vanished_reader_gives_epipe);
    tcase_add_test(tc, status_page_with_location);
    tcase_add_test(tc, status_with_longest_location);
    tcase_add_test(tc, status_405_carries_allow);
    tcase_add_test(tc, status_for_head_has_length_but_no_body);
    tcase_add_test(tc, trace_sees_every_byte_sent);
    tcase_add_test(tc, buffer_is_the_callers);
    suite_add_tcase(s, tc);
    return s;
}
