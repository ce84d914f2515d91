/* Homework 3.5: queue_flush(), over a real socket pair. */
#include "exercises.h"
#include "homework.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct queue q;
static int writer = -1; /* non-blocking: what queue_flush() writes to */
static int reader = -1; /* the other end, the "client" */

static void make_pair(void)
{
    int fds[2];
    ck_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    writer = fds[0];
    reader = fds[1];
    int small = 4096; /* a small buffer, so that the kernel soon takes no more */
    setsockopt(writer, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    int flags = fcntl(writer, F_GETFL);
    ck_assert(flags >= 0 && fcntl(writer, F_SETFL, flags | O_NONBLOCK) == 0);
    memset(&q, 0, sizeof q);
}

static void queue_bytes(const void *bytes, size_t length)
{
    memcpy(q.data + q.end, bytes, length);
    q.end += length;
}

static ssize_t flush(void)
{
    ssize_t n = queue_flush(&q, writer);
    hw_require_started(n != EXERCISE_NOT_STARTED, "queue_flush");
    return n;
}

/* Read exactly length bytes from the reader (blocking, with a time limit). */
static void read_exactly(char *buf, size_t length)
{
    size_t got = 0;
    while (got < length) {
        struct pollfd pfd = {.fd = reader, .events = POLLIN};
        ck_assert_msg(poll(&pfd, 1, 2000) == 1, "expected %zu more bytes", length - got);
        ssize_t n = read(reader, buf + got, length - got);
        ck_assert_msg(n > 0, "read: %s", n == 0 ? "end of file" : strerror(errno));
        got += (size_t)n;
    }
}

START_TEST(writes_a_short_queue_entirely)
{
    make_pair();
    queue_bytes("hello\n", 6);
    ck_assert_int_eq(flush(), 6);
    ck_assert_msg(q.start == 0 && q.end == 0,
                  "an empty queue: start and end must be 0, "
                  "they are %zu and %zu",
                  q.start, q.end);
    char buf[6];
    read_exactly(buf, 6);
    ck_assert(memcmp(buf, "hello\n", 6) == 0);
}
END_TEST

START_TEST(an_empty_queue_writes_nothing)
{
    make_pair();
    ck_assert_int_eq(flush(), 0);
}
END_TEST

START_TEST(stops_when_the_kernel_is_full_and_goes_on_later)
{
    static char sent[QUEUE_CAPACITY];
    static char got[QUEUE_CAPACITY];
    make_pair();
    for (size_t i = 0; i < sizeof sent; i++)
        sent[i] = (char)(i * 13 + (i >> 9));
    queue_bytes(sent, sizeof sent);
    ssize_t first = flush();
    ck_assert_msg(first > 0 && first < QUEUE_CAPACITY,
                  "the reader reads nothing, so a part must be written, not %zd", first);
    ck_assert_msg(q.start == (size_t)first && q.end == QUEUE_CAPACITY,
                  "after writing %zd bytes start must be %zd (it is %zu), end unchanged",
                  first, first, q.start);
    ck_assert_msg(flush() == 0, "the socket is still full: expected 0");
    /* The reader drains, the writer goes on, until every byte has arrived in order. */
    size_t total = (size_t)first;
    read_exactly(got, (size_t)first);
    while (total < sizeof sent) {
        ssize_t n = flush();
        ck_assert_msg(n >= 0, "flush failed: %s", strerror(errno));
        read_exactly(got + total, (size_t)n);
        total += (size_t)n;
        ck_assert_msg(n > 0 || total == sizeof sent, "no progress with an empty socket");
    }
    ck_assert_msg(memcmp(got, sent, sizeof sent) == 0, "bytes arrived out of order");
    ck_assert_msg(q.start == 0 && q.end == 0, "emptied: start and end must be 0");
}
END_TEST

START_TEST(reports_a_vanished_peer)
{
    make_pair();
    close(reader);
    queue_bytes("anyone?\n", 8);
    errno = 0;
    ck_assert_msg(flush() == -1, "writing to a closed peer must return -1");
    ck_assert_msg(errno == EPIPE || errno == ECONNRESET, "errno is %s, expected EPIPE",
                  strerror(errno));
}
END_TEST

TCase *hw_queue_flush(void)
{
    TCase *tc = hw_tcase("3.5 queue_flush");
    tcase_add_test(tc, writes_a_short_queue_entirely);
    tcase_add_test(tc, an_empty_queue_writes_nothing);
    tcase_add_test(tc, stops_when_the_kernel_is_full_and_goes_on_later);
    tcase_add_test(tc, reports_a_vanished_peer);
    return tc;
}
