/* Homework 3.4: queue_append(). */
#include "exercises.h"
#include "homework.h"

#include <stdlib.h>
#include <string.h>

static struct queue q; /* 64 KiB: static, not on the stack */

static int append(const void *bytes, size_t length)
{
    int rc = queue_append(&q, bytes, length);
    hw_require_started(rc != EXERCISE_NOT_STARTED, "queue_append");
    return rc;
}

/* After the calls described by after, the waiting bytes must be exactly
 * want[0 .. length-1]. */
static void expect_waiting(const char *after, const char *want, size_t length)
{
    ck_assert_msg(q.start <= q.end && q.end <= QUEUE_CAPACITY,
                  "after %s: start %zu and end %zu are out of order or out of bounds",
                  after, q.start, q.end);
    ck_assert_msg(q.end - q.start == length, "after %s: %zu bytes waiting, expected %zu",
                  after, q.end - q.start, length);
    ck_assert_msg(memcmp(q.data + q.start, want, length) == 0,
                  "after %s: the waiting bytes are not the ones appended, in order",
                  after);
}

/* Bytes that differ from one position to the next, so a shift shows. */
static void pattern(char *buf, size_t length, int seed)
{
    for (size_t i = 0; i < length; i++)
        buf[i] = (char)(i * 7 + (size_t)seed);
}

START_TEST(appends_to_an_empty_queue)
{
    memset(&q, 0, sizeof q);
    ck_assert_int_eq(append("hello\n", 6), 0);
    ck_assert_int_eq(append("world\n", 6), 0);
    expect_waiting("appending 6 bytes, then 6, to an empty queue", "hello\nworld\n", 12);
    ck_assert_int_eq(append("", 0), 0);
    expect_waiting("appending 0 bytes more", "hello\nworld\n", 12);
}
END_TEST

START_TEST(fills_to_capacity_exactly)
{
    static char big[QUEUE_CAPACITY];
    memset(&q, 0, sizeof q);
    pattern(big, sizeof big, 1);
    ck_assert_int_eq(append(big, QUEUE_CAPACITY - 1), 0);
    ck_assert_int_eq(append(big + QUEUE_CAPACITY - 1, 1), 0);
    expect_waiting("appending QUEUE_CAPACITY - 1 bytes, then 1, to an empty queue", big,
                   QUEUE_CAPACITY);
}
END_TEST

START_TEST(refuses_all_or_nothing)
{
    static char big[QUEUE_CAPACITY];
    memset(&q, 0, sizeof q);
    pattern(big, sizeof big, 2);
    ck_assert_int_eq(append(big, QUEUE_CAPACITY - 3), 0);
    ck_assert_msg(append("12345", 5) == -1,
                  "5 bytes do not fit in the last 3: expected -1");
    /* unchanged: no partial append */
    expect_waiting("appending QUEUE_CAPACITY - 3 bytes, then 5 that do not fit", big,
                   QUEUE_CAPACITY - 3);
    ck_assert_int_eq(append("123", 3), 0);
    ck_assert_msg(append("x", 1) == -1, "a full queue takes nothing: expected -1");
}
END_TEST

START_TEST(makes_room_by_moving_the_waiting_bytes)
{
    static char waiting[6000];
    static char more[20000];
    static char want[26000];
    pattern(waiting, sizeof waiting, 3);
    pattern(more, sizeof more, 4);
    memset(&q, 0, sizeof q);
    /* 6000 bytes wait at the very end of data: the front was written already. */
    q.start = QUEUE_CAPACITY - sizeof waiting;
    q.end = QUEUE_CAPACITY;
    memcpy(q.data + q.start, waiting, sizeof waiting);
    ck_assert_msg(append(more, sizeof more) == 0,
                  "6000 waiting + 20000 new fit in %d bytes: expected 0", QUEUE_CAPACITY);
    memcpy(want, waiting, sizeof waiting);
    memcpy(want + sizeof waiting, more, sizeof more);
    expect_waiting("appending 20000 bytes to 6000 waiting at the end of data", want,
                   sizeof want);
}
END_TEST

START_TEST(counts_the_waiting_bytes_not_the_end)
{
    static char chunk[40000];
    pattern(chunk, sizeof chunk, 5);
    memset(&q, 0, sizeof q);
    q.start = 30000; /* 30000 bytes written, 10000 still waiting */
    q.end = 40000;
    memcpy(q.data + q.start, chunk, 10000);
    ck_assert_msg(append(chunk, 40000) == 0, "10000 + 40000 fit: expected 0");
    ck_assert_msg(append(chunk, 20000) == -1, "50000 + 20000 do not fit: expected -1");
}
END_TEST

START_TEST(keeps_nul_bytes)
{
    memset(&q, 0, sizeof q);
    ck_assert_int_eq(append("a\0b\n", 4), 0);
    expect_waiting("appending \"a\\0b\\n\" to an empty queue", "a\0b\n", 4);
}
END_TEST

TCase *hw_queue_append(void)
{
    TCase *tc = hw_tcase("3.4 queue_append");
    tcase_add_test(tc, appends_to_an_empty_queue);
    tcase_add_test(tc, fills_to_capacity_exactly);
    tcase_add_test(tc, refuses_all_or_nothing);
    tcase_add_test(tc, makes_room_by_moving_the_waiting_bytes);
    tcase_add_test(tc, counts_the_waiting_bytes_not_the_end);
    tcase_add_test(tc, keeps_nul_bytes);
    return tc;
}
