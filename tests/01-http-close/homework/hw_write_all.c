/* Homework 1.5: write_all(). The tests use a socket pair with tiny buffers, so that
 * write() really does return short counts, and a child process that reads slowly. */
#include "exercises.h"
#include "homework.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAYLOAD (512 * 1024)

static void fill_pattern(unsigned char *buf, size_t length)
{
    for (size_t i = 0; i < length; i++)
        buf[i] = (unsigned char)(i * 7 + i / 251);
}

/* Child: read everything from fd in small pieces and exit 0 if it matches the pattern. */
static void read_and_check(int fd, size_t expected)
{
    unsigned char *want = malloc(expected);
    unsigned char piece[1000];
    fill_pattern(want, expected);
    size_t got = 0;
    for (;;) {
        ssize_t n = read(fd, piece, sizeof piece);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (got + (size_t)n > expected || memcmp(piece, want + got, (size_t)n) != 0)
            _exit(1);
        got += (size_t)n;
    }
    _exit(got == expected ? 0 : 2);
}

/* waitpid(), again if a signal interrupts it; returns the exit status. */
static int exit_status_of(pid_t child)
{
    int status;
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int small_socket_pair(int sv[2])
{
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        return -1;
    int size = 4096;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    return 0;
}

START_TEST(writes_everything_across_short_writes)
{
    int sv[2];
    ck_assert(small_socket_pair(sv) == 0);
    pid_t child = fork();
    ck_assert(child >= 0);
    if (child == 0) {
        close(sv[0]);
        read_and_check(sv[1], PAYLOAD);
    }
    close(sv[1]);
    unsigned char *data = malloc(PAYLOAD);
    fill_pattern(data, PAYLOAD);
    ssize_t n = write_all(sv[0], data, PAYLOAD);
    hw_require_started(n != EXERCISE_NOT_STARTED, "write_all");
    close(sv[0]);
    int status = exit_status_of(child);
    free(data);
    ck_assert_msg(n == PAYLOAD, "write_all returned %zd, expected %d", n, PAYLOAD);
    ck_assert_msg(status == 0,
                  "the reader did not get exactly the bytes that were written: "
                  "did you advance the buffer after a short write?");
}
END_TEST

START_TEST(writes_nothing_for_length_zero)
{
    int sv[2];
    ck_assert(small_socket_pair(sv) == 0);
    ssize_t n = write_all(sv[0], "", 0);
    hw_require_started(n != EXERCISE_NOT_STARTED, "write_all");
    ck_assert_msg(n == 0, "write_all of 0 bytes returned %zd, expected 0", n);
    close(sv[0]);
    close(sv[1]);
}
END_TEST

static void on_alarm(int signo)
{
    (void)signo;
}

START_TEST(retries_after_a_signal)
{
    /* A timer signal keeps interrupting the writer, whose handler does not restart
     * system calls: write() fails with EINTR, and write_all must try again. */
    int sv[2];
    ck_assert(small_socket_pair(sv) == 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    pid_t child = fork();
    ck_assert(child >= 0);
    if (child == 0) {
        close(sv[0]);
        read_and_check(sv[1], PAYLOAD);
    }
    close(sv[1]);
    pid_t pinger = fork();
    ck_assert(pinger >= 0);
    if (pinger == 0) {
        pid_t parent = getppid();
        struct timespec millisecond = {0, 1000000};
        for (int i = 0; i < 200; i++) {
            kill(parent, SIGALRM);
            nanosleep(&millisecond, NULL);
        }
        _exit(0);
    }
    unsigned char *data = malloc(PAYLOAD);
    fill_pattern(data, PAYLOAD);
    ssize_t n = write_all(sv[0], data, PAYLOAD);
    hw_require_started(n != EXERCISE_NOT_STARTED, "write_all");
    close(sv[0]);
    int error = errno;
    int status = exit_status_of(child);
    kill(pinger, SIGKILL);
    exit_status_of(pinger);
    free(data);
    ck_assert_msg(n == PAYLOAD,
                  "write_all returned %zd (errno %s), expected %d: "
                  "retry when write() fails with EINTR",
                  n, strerror(error), PAYLOAD);
    ck_assert_msg(status == 0,
                  "the reader did not get exactly the bytes that were written");
}
END_TEST

START_TEST(reports_a_closed_peer)
{
    int sv[2];
    ck_assert(small_socket_pair(sv) == 0);
    signal(SIGPIPE, SIG_IGN);
    close(sv[1]);
    ssize_t n = write_all(sv[0], "hello", 5);
    hw_require_started(n != EXERCISE_NOT_STARTED, "write_all");
    ck_assert_msg(n == -1, "writing to a closed peer returned %zd, expected -1", n);
    ck_assert_msg(errno == EPIPE, "errno should be EPIPE from write(), is %s",
                  strerror(errno));
    close(sv[0]);
}
END_TEST

TCase *hw_write_all(void)
{
    TCase *tc = hw_tcase("1.5 write_all");
    tcase_add_test(tc, writes_everything_across_short_writes);
    tcase_add_test(tc, writes_nothing_for_length_zero);
    tcase_add_test(tc, retries_after_a_signal);
    tcase_add_test(tc, reports_a_closed_peer);
    return tc;
}
