/* Homework 1.1: write_all().
 *
 * The bytes go over a real TCP connection on loopback, with small socket buffers and
 * a child process that reads slowly, so write() keeps waiting for room. A blocking
 * write() on Linux waits until it has taken every byte, unless a signal arrives
 * first: then it returns what it took so far (a short write), or fails with EINTR
 * when it took nothing. A 1 ms interval timer supplies the signals. (A socketpair()
 * would not do: a blocking write to one on Linux takes all 512 KiB at once.)
 */
#include "exercises.h"
#include "homework.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAYLOAD      (512 * 1024)
#define SMALL_BUFFER 4096
#define READ_PIECE   1000

static void fill_pattern(unsigned char *buf, size_t length)
{
    for (size_t i = 0; i < length; i++)
        buf[i] = (unsigned char)(i * 7 + i / 251);
}

/* Child: read everything from fd in small, slow pieces, with a longer pause now and
 * then (longer than the timer's interval, so that some signals find write() waiting
 * with nothing taken yet: EINTR). Three quarters in, it tells the writer to stop its
 * timer (SIGUSR1) and reads the rest at full speed: the last write() then runs
 * uninterrupted, and a write_all() that asks it for more than the rest sends bytes
 * from past the end of its buffer. Exit 0 if it is exactly the pattern, 1 at the
 * first wrong byte or one too many, 2 if it ends early. */
static void read_slowly_and_check(int fd, size_t expected)
{
    unsigned char *want = malloc(expected);
    unsigned char piece[READ_PIECE];
    const struct timespec pause = {0, 20000};        /* 20 us: slower than the writer */
    const struct timespec long_pause = {0, 3000000}; /* 3 ms, every 32 pieces */
    fill_pattern(want, expected);
    size_t got = 0;
    unsigned pieces = 0;
    int slow = 1;
    for (;;) {
        ssize_t n = read(fd, piece, sizeof piece);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (got + (size_t)n > expected || memcmp(piece, want + got, (size_t)n) != 0)
            _exit(1);
        got += (size_t)n;
        if (slow && got >= expected / 4 * 3) {
            kill(getppid(), SIGUSR1);
            slow = 0;
        }
        if (slow)
            nanosleep(++pieces % 32 == 0 ? &long_pause : &pause, NULL);
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

/* A TCP connection over loopback with small buffers on both ends: *writer is the
 * client end, *reader the accepted one. Both blocking. */
static void small_tcp_connection(int *writer, int *reader)
{
    int size = SMALL_BUFFER;
    struct sockaddr_in addr;
    socklen_t addr_length = sizeof addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert(listener >= 0);
    /* Set before listen()/connect(): the window is agreed in the handshake. */
    setsockopt(listener, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    ck_assert(bind(listener, (struct sockaddr *)&addr, sizeof addr) == 0);
    ck_assert(listen(listener, 1) == 0);
    ck_assert(getsockname(listener, (struct sockaddr *)&addr, &addr_length) == 0);
    *writer = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert(*writer >= 0);
    setsockopt(*writer, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    ck_assert(connect(*writer, (struct sockaddr *)&addr, sizeof addr) == 0);
    *reader = accept(listener, NULL, NULL);
    ck_assert(*reader >= 0);
    close(listener);
}

/* The timer's signal has one job: to interrupt write(). */
static void on_tick(int signo)
{
    (void)signo;
}

/* The reader's SIGUSR1: no more ticks. (sigaction() may be called in a handler;
 * setitimer() is not on POSIX's list of calls that may.) */
static void on_stop_ticking(int signo)
{
    (void)signo;
    struct sigaction ignore;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGALRM, &ignore, NULL);
}

/* SIGALRM every millisecond until the reader says stop. With restart set, a write()
 * that has taken nothing yet is restarted by the kernel (no EINTR), so the only
 * effect is short writes; without it, write() may also fail with EINTR. Called
 * before the reader is forked, which may send SIGUSR1 at once. */
static void start_ticking(int restart)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_flags = restart ? SA_RESTART : 0;
    sa.sa_handler = on_tick;
    sigaction(SIGALRM, &sa, NULL);
    sa.sa_handler = on_stop_ticking;
    sigaction(SIGUSR1, &sa, NULL);
    struct itimerval every_ms = {{0, 1000}, {0, 1000}};
    setitimer(ITIMER_REAL, &every_ms, NULL);
}

static void stop_ticking(void)
{
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
}

/* Send PAYLOAD bytes with write_all() to a slow reader while the timer ticks, and
 * check what write_all() returned and what the reader got. */
static void send_to_slow_reader(int restart, const char *hint)
{
    int writer;
    int reader;
    small_tcp_connection(&writer, &reader);
    /* Twice the payload, the second half zeros: a write() asked for bytes past the
     * payload sends them (wrong bytes), rather than stopping at unmapped memory. */
    unsigned char *data = calloc(2, PAYLOAD);
    ck_assert(data != NULL);
    fill_pattern(data, PAYLOAD);
    start_ticking(restart);
    pid_t child = fork();
    ck_assert(child >= 0);
    if (child == 0) {
        close(writer);
        read_slowly_and_check(reader, PAYLOAD);
    }
    close(reader);
    errno = 0;
    ssize_t n = write_all(writer, data, PAYLOAD);
    int error = errno;
    stop_ticking();
    hw_require_started(n != EXERCISE_NOT_STARTED, "write_all");
    close(writer);
    int status = exit_status_of(child);
    free(data);
    ck_assert_msg(n == PAYLOAD,
                  "write_all of %d bytes to a slow reader returned %zd (errno %s), "
                  "expected %d: %s",
                  PAYLOAD, n, strerror(error), PAYLOAD, hint);
    ck_assert_msg(status == 0, "write_all returned %d, but the reader %s: %s", PAYLOAD,
                  status == 1   ? "got wrong bytes (some twice, or from past the buffer)"
                  : status == 2 ? "got fewer bytes than that"
                                : "failed",
                  hint);
}

START_TEST(writes_everything_across_short_writes)
{
    send_to_slow_reader(1, "after a short write, move past the bytes written and "
                           "write() the rest, no more");
}
END_TEST

START_TEST(retries_after_a_signal)
{
    send_to_slow_reader(0, "when write() fails with EINTR, nothing was written: try "
                           "again (and after a short write, write the rest)");
}
END_TEST

START_TEST(writes_nothing_for_length_zero)
{
    int writer;
    int reader;
    small_tcp_connection(&writer, &reader);
    ssize_t n = write_all(writer, "", 0);
    hw_require_started(n != EXERCISE_NOT_STARTED, "write_all");
    ck_assert_msg(n == 0, "write_all of 0 bytes returned %zd, expected 0", n);
    close(writer);
    char byte;
    ck_assert_msg(read(reader, &byte, 1) == 0, "write_all of 0 bytes sent something");
    close(reader);
}
END_TEST

START_TEST(reports_a_closed_peer)
{
    /* A socketpair here: writing to one whose other end is closed fails at once. */
    int sv[2];
    ck_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
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
    TCase *tc = hw_tcase("1.1 write_all");
    tcase_add_test(tc, writes_everything_across_short_writes);
    tcase_add_test(tc, retries_after_a_signal);
    tcase_add_test(tc, writes_nothing_for_length_zero);
    tcase_add_test(tc, reports_a_closed_peer);
    return tc;
}
