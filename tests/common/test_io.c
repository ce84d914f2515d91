/* test_io.c: short writes, time limits and the buffered line reader. */
#include "harness.h"
#include "suites.h"

#include "io.h"
#include "log.h"
#include "sig.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- Helpers ----------------------------------------------------------------------- */

#define ONE_MIB (1024 * 1024)

/* A deadline far beyond any test's time limit: a call that waits for it makes the test
 * time out, so returning at all proves that it did not wait. */
static long long far_deadline(void)
{
    return io_now_ms() + 3600 * 1000;
}

static void make_pair(int fds[2])
{
    ck_assert_msg(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0, "socketpair: %s",
                  strerror(errno));
}

static void set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    ck_assert_int_ge(flags, 0);
    ck_assert_int_eq(fcntl(fd, F_SETFL, flags | O_NONBLOCK), 0);
}

/* Shrink a socket's kernel buffers so that writes come out short. */
static void shrink_buffers(int fd)
{
    int size = 4096;
    ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size), 0);
    ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size), 0);
}

/* Small writes that fit in any socket buffer, done by the test itself. */
static void put(int fd, const char *text)
{
    size_t length = strlen(text);
    ck_assert_int_eq(write(fd, text, length), (ssize_t)length);
}

/* Larger data is written by a child process, so the test never depends on how much a
 * socket buffer holds (macOS: 8 KiB). The child writes data into fds[1]; if later is
 * given, it then waits for feed_go() and writes later too; with hold_open it keeps its
 * end open until we close ours (finish_feed). fds[0] stays ours. */
static pid_t feed(int fds[2], const void *data, size_t length, const char *later,
                  int hold_open)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        int ok = io_write_all(fds[1], data, length, -1) == (ssize_t)length;
        char c;
        if (ok && later != NULL && read(fds[1], &c, 1) == 1)
            ok = io_write_all(fds[1], later, strlen(later), -1) == (ssize_t)strlen(later);
        while (hold_open && read(fds[1], &c, 1) > 0)
            ;
        _exit(ok ? 0 : 1);
    }
    close(fds[1]);
    fds[1] = -1;
    return pid;
}

/* Tell the child of feed() to write its second part. */
static void feed_go(int fds[2])
{
    ck_assert_int_eq(write(fds[0], "g", 1), 1);
}

/* Close our end, so a held-open child finishes, and reap the child. Returns its exit
 * status (0: it wrote everything). */
static int finish_feed(int fds[2], pid_t pid)
{
    close(fds[0]);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* A byte pattern in which a lost, repeated or reordered piece shows. */
static unsigned char pattern_byte(size_t i)
{
    return (unsigned char)((i * 31) ^ (i >> 9) ^ (i >> 17));
}

/* The bytes of a line found by io_read_line, as a C string (for assertions). */
static const char *line_text(struct io_reader *r, const struct io_line *line)
{
    static char text[IO_READER_CAPACITY + 1];
    memcpy(text, io_reader_bytes(r) + line->offset, line->length);
    text[line->length] = '\0';
    return text;
}

/* ---- io_write_all ------------------------------------------------------------------ */

/* The setup below really does produce short writes: one write() of 1 MiB into a small
 * non-blocking socket sends only part of it. */
START_TEST(small_buffers_cause_short_writes)
{
    int fds[2];
    make_pair(fds);
    shrink_buffers(fds[0]);
    shrink_buffers(fds[1]);
    set_nonblocking(fds[0]);
    static char data[ONE_MIB];
    ssize_t n = write(fds[0], data, sizeof data);
    ck_assert_int_gt(n, 0);
    ck_assert_int_lt(n, (ssize_t)sizeof data);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

/* 1 MiB through a small non-blocking socket to a slow reader (a child reading 1000
 * bytes at a time) arrives complete, in order, unchanged. */
START_TEST(write_all_across_short_writes)
{
    static unsigned char data[ONE_MIB];
    static unsigned char got[ONE_MIB];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = pattern_byte(i);
    int fds[2];
    make_pair(fds);
    shrink_buffers(fds[0]);
    shrink_buffers(fds[1]);

    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) { /* the writer */
        close(fds[1]);
        set_nonblocking(fds[0]);
        ssize_t n = io_write_all(fds[0], data, sizeof data, 10000 * timeout_multiplier());
        _exit(n == (ssize_t)sizeof data ? 0 : 1);
    }
    close(fds[0]);
    size_t used = 0;
    for (;;) { /* a slow reader: 1000 bytes at a time */
        char chunk[1000];
        ssize_t n = read(fds[1], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        ck_assert_int_ge(n, 0);
        if (n == 0)
            break;
        ck_assert_uint_le(used + (size_t)n, sizeof got);
        memcpy(got + used, chunk, (size_t)n);
        used += (size_t)n;
    }
    close(fds[1]);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "io_write_all in the child failed");
    ck_assert_uint_eq(used, sizeof data);
    if (memcmp(got, data, sizeof data) != 0) {
        size_t i = 0;
        while (got[i] == data[i])
            i++;
        ck_abort_msg("byte %zu differs", i);
    }
}
END_TEST

/* A peer that never reads: the writer gives up with ETIMEDOUT instead of hanging. */
START_TEST(write_all_times_out_on_stalled_peer)
{
    static char data[ONE_MIB];
    int fds[2];
    make_pair(fds);
    shrink_buffers(fds[0]);
    shrink_buffers(fds[1]);
    set_nonblocking(fds[0]);
    errno = 0;
    ck_assert_int_eq(io_write_all(fds[0], data, sizeof data, 200), -1);
    ck_assert_int_eq(errno, ETIMEDOUT);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

/* A peer that went away: EPIPE for this call, not a SIGPIPE that kills the process. */
START_TEST(write_all_to_closed_peer_is_epipe)
{
    signal(SIGPIPE, SIG_IGN);
    int fds[2];
    make_pair(fds);
    close(fds[1]);
    errno = 0;
    ck_assert_int_eq(io_write_all(fds[0], "hello", 5, 1000), -1);
    ck_assert_int_eq(errno, EPIPE);

    /* the same with a non-blocking socket and more than fits at once */
    static char data[ONE_MIB];
    make_pair(fds);
    set_nonblocking(fds[0]);
    close(fds[1]);
    errno = 0;
    ck_assert_int_eq(io_write_all(fds[0], data, sizeof data, 1000), -1);
    ck_assert_int_eq(errno, EPIPE);
    close(fds[0]);
}
END_TEST

/* Nothing to write is done at once, and a small write returns its length. */
START_TEST(write_all_small_and_empty)
{
    int fds[2];
    make_pair(fds);
    ck_assert_int_eq(io_write_all(fds[0], "", 0, 0), 0);
    ck_assert_int_eq(io_write_all(fds[0], "abc", 3, 0), 3);
    char buf[8];
    ck_assert_int_eq(read(fds[1], buf, sizeof buf), 3);
    ck_assert_int_eq(memcmp(buf, "abc", 3), 0);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

/* ---- io_read_line: line endings ---------------------------------------------------- */

/* LF and CRLF both end a line; the ending is not part of the length; next skips it. */
START_TEST(lines_end_with_lf_or_crlf)
{
    int fds[2];
    make_pair(fds);
    put(fds[1], "one\ntwo\r\n\r\n\nthree\n");
    static struct io_reader r;
    io_reader_init(&r, fds[0]);
    struct io_line line;
    long long deadline = far_deadline();

    ck_assert_int_eq(io_read_line(&r, 0, 100, deadline, &line), IO_OK);
    ck_assert_uint_eq(line.offset, 0);
    ck_assert_uint_eq(line.length, 3);
    ck_assert_uint_eq(line.next, 4);
    ck_assert_str_eq(line_text(&r, &line), "one");
    io_reader_consume(&r, line.next);

    ck_assert_int_eq(io_read_line(&r, 0, 100, deadline, &line), IO_OK);
    ck_assert_uint_eq(line.length, 3);
    ck_assert_uint_eq(line.next, 5);
    ck_assert_str_eq(line_text(&r, &line), "two");
    io_reader_consume(&r, line.next);

    ck_assert_int_eq(io_read_line(&r, 0, 100, deadline, &line), IO_OK); /* "\r\n" */
    ck_assert_uint_eq(line.length, 0);
    ck_assert_uint_eq(line.next, 2);
    io_reader_consume(&r, line.next);

    ck_assert_int_eq(io_read_line(&r, 0, 100, deadline, &line), IO_OK); /* "\n" */
    ck_assert_uint_eq(line.length, 0);
    ck_assert_uint_eq(line.next, 1);
    io_reader_consume(&r, line.next);

    ck_assert_int_eq(io_read_line(&r, 0, 100, deadline, &line), IO_OK);
    ck_assert_str_eq(line_text(&r, &line), "three");
    io_reader_consume(&r, line.next);
    ck_assert_uint_eq(io_reader_length(&r), 0);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

/* Only a CR right before the LF belongs to the ending; other CRs are content. */
START_TEST(only_the_last_cr_is_an_ending)
{
    int fds[2];
    make_pair(fds);
    put(fds[1], "a\rb\r\r\n");
    static struct io_reader r;
    io_reader_init(&r, fds[0]);
    struct io_line line;
    ck_assert_int_eq(io_read_line(&r, 0, 100, far_deadline(), &line), IO_OK);
    ck_assert_uint_eq(line.length, 4);
    ck_assert_str_eq(line_text(&r, &line), "a\rb\r");
    ck_assert_uint_eq(line.next, 6);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

/* Several lines arriving in one read are all found in the buffer: the later ones need
 * no further read (a non-blocking socket with deadline -1 would fail with EAGAIN). */
START_TEST(several_lines_in_one_fill)
{
    int fds[2];
    make_pair(fds);
    set_nonblocking(fds[0]);
    put(fds[1], "a\nbb\r\nccc\n");
    static struct io_reader r;
    io_reader_init(&r, fds[0]);
    ck_assert_int_eq(io_reader_fill(&r, far_deadline()), 10);
    ck_assert_uint_eq(io_reader_length(&r), 10);

    struct io_line line;
    ck_assert_int_eq(io_read_line(&r, 0, 100, -1, &line), IO_OK);
    ck_assert_str_eq(line_text(&r, &line), "a");
    ck_assert_int_eq(io_read_line(&r, line.next, 100, -1, &line), IO_OK);
    ck_assert_uint_eq(line.offset, 2);
    ck_assert_str_eq(line_text(&r, &line), "bb");
    ck_assert_int_eq(io_read_line(&r, line.next, 100, -1, &line), IO_OK);
    ck_assert_uint_eq(line.offset, 6);
    ck_assert_str_eq(line_text(&r, &line), "ccc");
    ck_assert_uint_eq(line.next, 10);

    /* past the last line: nothing buffered, nothing to read yet */
    errno = 0;
    ck_assert_int_eq(io_read_line(&r, line.next, 100, -1, &line), IO_ERROR);
    ck_assert(errno == EAGAIN || errno == EWOULDBLOCK);
    ck_assert_uint_eq(io_reader_length(&r), 10); /* nothing consumed by the reader */
    close(fds[0]);
    close(fds[1]);
}
END_TEST

/* A line that trickles in one byte per read is kept across calls until its LF. */
START_TEST(line_arriving_one_byte_at_a_time)
{
    const char *request = "GET / HTTP/1.0\r\n";
    size_t length = strlen(request);
    int fds[2];
    make_pair(fds);
    set_nonblocking(fds[0]);
    static struct io_reader r;
    io_reader_init(&r, fds[0]);
    struct io_line line;
    for (size_t i = 0; i < length; i++) {
        ck_assert_int_eq(write(fds[1], request + i, 1), 1);
        int rc = io_read_line(&r, 0, 100, -1, &line);
        ck_assert_uint_eq(io_reader_length(&r), i + 1);
        if (i + 1 < length) {
            ck_assert_int_eq(rc, IO_ERROR);
            ck_assert(errno == EAGAIN || errno == EWOULDBLOCK);
        } else {
            ck_assert_int_eq(rc, IO_OK);
        }
    }
    ck_assert_uint_eq(line.length, 14);
    ck_assert_uint_eq(line.next, 16);
    ck_assert_str_eq(line_text(&r, &line), "GET / HTTP/1.0");
    close(fds[0]);
    close(fds[1]);
}
END_TEST

/* The same with a blocking socket and deadlines: a byte written, a call that times out
 * having taken it, the next byte, ... */
START_TEST(line_arriving_one_byte_at_a_time_with_deadlines)
{
    const char *text = "abc\n";
    int fds[2];
    make_pair(fds);
    static struct io_reader r;
    io_reader_init(&r, fds[0]);
    struct io_line line;
    for (size_t i = 0; i < 3; i++) {
        ck_assert_int_eq(write(fds[1], text + i, 1), 1);
        errno = 0;
        ck_assert_int_eq(io_read_line(&r, 0, 100, io_now_ms(), &line), IO_ERROR);
        ck_assert_int_eq(errno, ETIMEDOUT);
        ck_assert_uint_eq(io_reader_length(&r), i + 1);
    }
    ck_assert_int_eq(write(fds[1], "\n", 1), 1);
    ck_assert_int_eq(io_read_line(&r, 0, 100, far_deadline(), &line), IO_OK);
    ck_assert_str_eq(line_text(&r, &line), "abc");
    close(fds[0]);
    close(fds[1]);
}
END_TEST

/* The peer closing before the LF gives IO_EOF, whether part of a line came or none. */
START_TEST(eof_before_line_ends)
{
    int fds[2];
    make_pair(fds);
    put(fds[1], "abc");
    close(fds[1]);
    static struct io_reader r;
    io_reader_init(&r, fds[0]);
    struct io_line line;
    ck_assert_int_eq(io_read_line(&r, 0, 100, far_deadline(), &line), IO_EOF);
    ck_assert_uint_eq(io_reader_length(&r), 3); /* what came is still there */
    close(fds[0]);

    make_pair(fds);
    close(fds[1]);
    io_reader_init(&r, fds[0]);
    ck_assert_int_eq(io_read_line(&r, 0, 100, far_deadline(), &line), IO_EOF);
    close(fds[0]);

    /* a line that came whole is still delivered; the EOF shows on the next */
    make_pair(fds);
    put(fds[1], "whole\r\npart");
    close(fds[1]);
    io_reader_init(&r, fds[0]);
    ck_assert_int_eq(io_read_line(&r, 0, 100, far_deadline(), &line), IO_OK);
    ck_assert_str_eq(line_text(&r, &line), "whole");
    ck_assert_int_eq(io_read_line(&r, line.next, 100, far_deadline(), &line), IO_EOF);
    close(fds[0]);
}
END_TEST

/* ---- io_read_line: the length limit ------------------------------------------------ */

/* Read the first line of data (the peer then closes) with max_length 10. */
static int read_line_max10(const char *data, struct io_line *line)
{
    int fds[2];
    make_pair(fds);
    put(fds[1], data);
    close(fds[1]);
    static struct io_reader r;
    io_reader_init(&r, fds[0]);
    int rc = io_read_line(&r, 0, 10, far_deadline(), line);
    close(fds[0]);
    return rc;
}

/* Exactly max_length bytes is fine, one more is too long, whatever the ending. */
START_TEST(line_length_limit_boundaries)
{
    struct io_line line;
    ck_assert_int_eq(read_line_max10("0123456789\n", &line), IO_OK);
    ck_assert_uint_eq(line.length, 10);
    ck_assert_int_eq(read_line_max10("0123456789\r\n", &line), IO_OK);
    ck_assert_uint_eq(line.length, 10);
    ck_assert_int_eq(read_line_max10("0123456789A\n", &line), IO_TOO_LONG);
    ck_assert_int_eq(read_line_max10("0123456789A\r\n", &line), IO_TOO_LONG);
    ck_assert_int_eq(read_line_max10("\n", &line), IO_OK);
    ck_assert_uint_eq(line.length, 0);
}
END_TEST

/* The limit applies to the line starting at `from`, not to the buffer. */
START_TEST(line_length_limit_counts_from_offset)
{
    int fds[2];
    make_pair(fds);
    put(fds[1], "xxxxxxxxxxxxxxxxxxxx\n0123456789\nabcdefghijk\n");
    close(fds[1]);
    static struct io_reader r;
    io_reader_init(&r, fds[0]);
    struct io_line line;
    ck_assert_int_eq(io_read_line(&r, 0, 20, far_deadline(), &line), IO_OK);
    ck_assert_int_eq(io_read_line(&r, line.next, 10, far_deadline(), &line), IO_OK);
    ck_assert_uint_eq(line.offset, 21);
    ck_assert_str_eq(line_text(&r, &line), "0123456789");
    ck_assert_int_eq(io_read_line(&r, line.next, 10, far_deadline(), &line), IO_TOO_LONG);
    close(fds[0]);
}
END_TEST

/* max_length + 2 bytes without an LF can never become a valid line (even a CR plus LF
 * would not save it), so IO_TOO_LONG comes at once, while the peer is still sending.
 * max_length + 1 bytes could still be max_length and a CR: that one must wait. */
START_TEST(too_long_is_decided_without_waiting)
{
    int fds[2];
    make_pair(fds);
    static struct io_reader r;
    io_reader_init(&r, fds[0]);
    struct io_line line;

    put(fds[1], "0123456789\r"); /* max + 1 bytes */
    errno = 0;
    ck_assert_int_eq(io_read_line(&r, 0, 10, io_now_ms(), &line), IO_ERROR);
    ck_assert_int_eq(errno, ETIMEDOUT);
    put(fds[1], "\n"); /* ... and it was a good line after all */
    ck_assert_int_eq(io_read_line(&r, 0, 10, far_deadline(), &line), IO_OK);
    ck_assert_uint_eq(line.length, 10);
    io_reader_consume(&r, line.next);

    put(fds[1], "0123456789AB"); /* max + 2 bytes, the peer still connected */
    ck_assert_int_eq(io_read_line(&r, 0, 10, far_deadline(), &line), IO_TOO_LONG);

    io_reader_consume(&r, io_reader_length(&r)); /* the same for a line at an offset */
    put(fds[1], "ok\n0123456789\r\r");
    ck_assert_int_eq(io_read_line(&r, 0, 10, far_deadline(), &line), IO_OK);
    ck_assert_int_eq(io_read_line(&r, line.next, 10, far_deadline(), &line), IO_TOO_LONG);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

/* ---- io_read_line and io_reader_fill: time, leftovers, buffer space ---------------- */

/* Nothing arrives before the deadline: IO_ERROR with ETIMEDOUT; fill says the same. */
START_TEST(nothing_arrives_before_deadline)
{
    int fds[2];
    make_pair(fds);
    static struct io_reader r;
    io_reader_init(&r, fds[0]);
    struct io_line line;
    long long before = io_now_ms();
    errno = 0;
    ck_assert_int_eq(io_read_line(&r, 0, 100, before + 100, &line), IO_ERROR);
    ck_assert_int_eq(errno, ETIMEDOUT);
    ck_assert_int_ge(io_now_ms(), before + 100 - 1); /* it did wait for the deadline */

    errno = 0;
    ck_assert_int_eq(io_reader_fill(&r, io_now_ms()), -1);
    ck_assert_int_eq(errno, ETIMEDOUT);
    ck_assert_uint_eq(io_reader_length(&r), 0);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

/* Bytes after a line stay buffered for the next one (pipelining), never dropped. */
START_TEST(leftover_bytes_are_kept)
{
    int fds[2];
    make_pair(fds);
    put(fds[1], "one\ntwo\nthr");
    static struct io_reader r;
    io_reader_init(&r, fds[0]);
    struct io_line line;
    ck_assert_int_eq(io_read_line(&r, 0, 100, far_deadline(), &line), IO_OK);
    ck_assert_str_eq(line_text(&r, &line), "one");
    io_reader_consume(&r, line.next);
    ck_assert_uint_eq(io_reader_length(&r), 7);
    ck_assert_int_eq(memcmp(io_reader_bytes(&r), "two\nthr", 7), 0);

    ck_assert_int_eq(io_read_line(&r, 0, 100, far_deadline(), &line), IO_OK);
    ck_assert_str_eq(line_text(&r, &line), "two");
    io_reader_consume(&r, line.next);
    ck_assert_uint_eq(io_reader_length(&r), 3);
    ck_assert_int_eq(memcmp(io_reader_bytes(&r), "thr", 3), 0);

    put(fds[1], "ee\n");
    ck_assert_int_eq(io_read_line(&r, 0, 100, far_deadline(), &line), IO_OK);
    ck_assert_str_eq(line_text(&r, &line), "three");
    io_reader_consume(&r, line.next);
    ck_assert_uint_eq(io_reader_length(&r), 0);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

/* When the buffer's end is reached, the unconsumed bytes move to the front; a line
 * searched from an offset is still reported at that offset from io_reader_bytes(). */
START_TEST(compaction_keeps_offsets_valid)
{
    static char data[IO_READER_CAPACITY];
    size_t first = IO_READER_CAPACITY - 100; /* a long line, LF included */
    memset(data, 'x', first - 1);
    data[first - 1] = '\n';
    memcpy(data + first, "hello\n", 6);
    for (size_t i = first + 6; i < sizeof data; i++)
        data[i] = (char)('a' + i % 26); /* 94 bytes of a line still arriving */

    int fds[2];
    make_pair(fds);
    pid_t pid = feed(fds, data, sizeof data, "THE END\n", 1);
    static struct io_reader r;
    io_reader_init(&r, fds[0]);
    struct io_line line;
    ck_assert_int_eq(io_read_line(&r, 0, IO_READER_CAPACITY, far_deadline(), &line),
                     IO_OK);
    ck_assert_uint_eq(line.length, first - 1);
    io_reader_consume(&r, line.next);
    while (r.end < IO_READER_CAPACITY) /* take in everything the child sent */
        ck_assert_int_gt(io_reader_fill(&r, far_deadline()), 0);
    ck_assert_uint_eq(r.start, first);
    ck_assert_uint_eq(io_reader_length(&r), 100);

    ck_assert_int_eq(io_read_line(&r, 0, 100, far_deadline(), &line), IO_OK);
    ck_assert_str_eq(line_text(&r, &line), "hello");
    size_t from = line.next;

    /* the rest of the third line arrives; reading it needs room, so the bytes move */
    feed_go(fds);
    ck_assert_int_eq(io_read_line(&r, from, 200, far_deadline(), &line), IO_OK);
    ck_assert_uint_eq(r.start, 0); /* compacted */
    ck_assert_uint_eq(line.offset, from);
    ck_assert_uint_eq(line.length, 94 + 7);
    const char *text = line_text(&r, &line);
    for (size_t i = 0; i < 94; i++)
        ck_assert_int_eq(text[i], 'a' + (first + 6 + i) % 26);
    ck_assert_str_eq(text + 94, "THE END");
    ck_assert_int_eq(memcmp(io_reader_bytes(&r), "hello\n", 6), 0);
    ck_assert_int_eq(finish_feed(fds, pid), 0);
}
END_TEST

/* A buffer full of unconsumed bytes cannot take more: ENOBUFS, not an overflow, and
 * io_read_line with a limit beyond the buffer reports it as IO_ERROR. */
START_TEST(full_buffer_is_enobufs)
{
    static char data[IO_READER_CAPACITY + 100];
    memset(data, 'x', sizeof data);
    int fds[2];
    make_pair(fds);
    pid_t pid = feed(fds, data, sizeof data, NULL, 1);
    static struct io_reader r;
    io_reader_init(&r, fds[0]);
    while (io_reader_length(&r) < IO_READER_CAPACITY)
        ck_assert_int_gt(io_reader_fill(&r, far_deadline()), 0);
    ck_assert_uint_eq(io_reader_length(&r), IO_READER_CAPACITY);
    errno = 0;
    ck_assert_int_eq(io_reader_fill(&r, far_deadline()), -1);
    ck_assert_int_eq(errno, ENOBUFS);

    struct io_line line;
    errno = 0;
    ck_assert_int_eq(io_read_line(&r, 0, 2 * IO_READER_CAPACITY, far_deadline(), &line),
                     IO_ERROR);
    ck_assert_int_eq(errno, ENOBUFS);

    /* consuming one byte makes room for exactly one more */
    io_reader_consume(&r, 1);
    ck_assert_int_eq(io_reader_fill(&r, far_deadline()), 1);
    ck_assert_uint_eq(io_reader_length(&r), IO_READER_CAPACITY);
    ck_assert_int_eq(finish_feed(fds, pid), 0);
}
END_TEST

/* What the trace hook saw: every chunk read, with its descriptor and direction. */
static struct {
    int calls;
    int fd;
    int direction;
    char data[64];
    size_t length;
} traced;

static void record_trace(int fd, int direction, const void *data, size_t length)
{
    traced.calls++;
    traced.fd = fd;
    traced.direction = direction;
    ck_assert_uint_le(traced.length + length, sizeof traced.data);
    memcpy(traced.data + traced.length, data, length);
    traced.length += length;
}

/* The trace hook (log_wire for -v) is off after init and, once set, sees every byte
 * read, as received bytes, on the reader's descriptor. */
START_TEST(reader_trace_sees_bytes_read)
{
    int fds[2];
    make_pair(fds);
    static struct io_reader r;
    io_reader_init(&r, fds[0]);
    ck_assert(r.trace == NULL);

    put(fds[1], "hi\r\n");
    r.trace = record_trace;
    ck_assert_int_eq(io_reader_fill(&r, far_deadline()), 4);
    ck_assert_int_eq(traced.calls, 1);
    ck_assert_int_eq(traced.fd, fds[0]);
    ck_assert_int_eq(traced.direction, LOG_RECEIVED);
    ck_assert_uint_eq(traced.length, 4);
    ck_assert_int_eq(memcmp(traced.data, "hi\r\n", 4), 0);

    put(fds[1], "more\n");
    struct io_line line;
    ck_assert_int_eq(io_read_line(&r, 4, 100, far_deadline(), &line), IO_OK);
    ck_assert_uint_eq(traced.length, 9);
    ck_assert_int_eq(memcmp(traced.data, "hi\r\nmore\n", 9), 0);

    r.trace = NULL; /* off again: nothing more is seen */
    put(fds[1], "x");
    ck_assert_int_eq(io_reader_fill(&r, far_deadline()), 1);
    ck_assert_uint_eq(traced.length, 9);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

/* ---- io_wait and the clock --------------------------------------------------------- */

/* Readable once data (or EOF) is there; writable with room; 0 when the time runs out. */
START_TEST(wait_for_readiness_and_timeout)
{
    int fds[2];
    make_pair(fds);
    ck_assert_int_eq(io_wait(fds[0], 0, 0), 0);  /* nothing yet */
    ck_assert_int_eq(io_wait(fds[0], 0, 50), 0); /* nothing within 50 ms */
    ck_assert_int_eq(io_wait(fds[0], 1, 0), 1);  /* room to write */
    put(fds[1], "x");
    ck_assert_int_eq(io_wait(fds[0], 0, 0), 1);
    ck_assert_int_eq(io_wait(fds[0], 0, -1), 1); /* no limit, but ready already */
    char c;
    ck_assert_int_eq(read(fds[0], &c, 1), 1);
    ck_assert_int_eq(io_wait(fds[0], 0, 0), 0);
    close(fds[1]);
    ck_assert_int_eq(io_wait(fds[0], 0, 1000), 1); /* EOF counts as readable */
    close(fds[0]);
}
END_TEST

/* A full send buffer is not writable: io_wait times out. */
START_TEST(wait_for_write_on_full_buffer_times_out)
{
    int fds[2];
    make_pair(fds);
    shrink_buffers(fds[0]);
    set_nonblocking(fds[0]);
    static char data[65536];
    while (write(fds[0], data, sizeof data) > 0)
        ;
    ck_assert(errno == EAGAIN || errno == EWOULDBLOCK);
    ck_assert_int_eq(io_wait(fds[0], 1, 50), 0);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

/* The clock never goes back; io_ms_until is 0 once past and clamps far deadlines. */
START_TEST(clock_and_time_left)
{
    long long a = io_now_ms();
    long long b = io_now_ms();
    ck_assert_int_ge(b, a);
    ck_assert_int_eq(io_ms_until(a - 1000), 0);
    ck_assert_int_eq(io_ms_until(0), 0);
    int left = io_ms_until(io_now_ms() + 60000);
    ck_assert_int_gt(left, 0);
    ck_assert_int_le(left, 60000);
    ck_assert_int_eq(io_ms_until(io_now_ms() + 10LL * INT_MAX), INT_MAX);
}
END_TEST

/* In a server (sig_setup_stop called), a stop signal ends io_wait at once, even one
 * that arrived just before the wait began (blocked, so pending): on a descriptor
 * pselect() watches (_i == 0) and on one past FD_SETSIZE, which it cannot (_i == 1).
 * Runs in Check's forked child, so the handlers it installs die with it. */
START_TEST(stop_signal_ends_io_wait)
{
    int fds[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    int fd = fds[0];
    if (_i == 1) {
        struct rlimit limit;
        ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &limit), 0);
        rlim_t want = FD_SETSIZE + 8;
        if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < want) {
            fprintf(stderr, "stop_signal_ends_io_wait: skipped past FD_SETSIZE, "
                            "RLIMIT_NOFILE too low\n");
            return;
        }
        if (limit.rlim_cur < want) {
            limit.rlim_cur = want;
            ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &limit), 0);
        }
        fd = dup2(fds[0], FD_SETSIZE + 4);
        ck_assert_int_eq(fd, FD_SETSIZE + 4);
    }
    sigset_t wait_mask;
    ck_assert_int_eq(sig_setup_stop(&wait_mask), 0);
    ck_assert_int_eq(kill(getpid(), SIGTERM), 0); /* blocked: pending until we sleep */
    long long start = io_now_ms();
    errno = 0;
    ck_assert_int_eq(io_wait(fd, 0, 10000), -1);
    ck_assert_int_eq(errno, EINTR);
    ck_assert_int_eq(sig_stop_requested, SIGTERM);
    long long took = io_now_ms() - start;
    ck_assert_msg(took < 1000, "io_wait took %lld ms to see the stop", took);
}
END_TEST

Suite *io_suite(void)
{
    Suite *s = suite_create("io");

    /* io_write_all: every byte out across short writes, or a clear error. */
    TCase *write_all = tcase_create("io_write_all");
    tcase_set_timeout(write_all, 20);
    tcase_add_test(write_all, small_buffers_cause_short_writes);
    tcase_add_test(write_all, write_all_across_short_writes);
    tcase_add_test(write_all, write_all_times_out_on_stalled_peer);
    tcase_add_test(write_all, write_all_to_closed_peer_is_epipe);
    tcase_add_test(write_all, write_all_small_and_empty);
    suite_add_tcase(s, write_all);

    /* io_read_line: lines however the bytes arrive, ended by LF or CRLF. */
    TCase *lines = tcase_create("io_read_line");
    tcase_set_timeout(lines, 10);
    tcase_add_test(lines, lines_end_with_lf_or_crlf);
    tcase_add_test(lines, only_the_last_cr_is_an_ending);
    tcase_add_test(lines, several_lines_in_one_fill);
    tcase_add_test(lines, line_arriving_one_byte_at_a_time);
    tcase_add_test(lines, line_arriving_one_byte_at_a_time_with_deadlines);
    tcase_add_test(lines, eof_before_line_ends);
    suite_add_tcase(s, lines);

    /* The length limit: exact at its boundary, and decided without waiting. */
    TCase *limit = tcase_create("io_read_line limit");
    tcase_set_timeout(limit, 10);
    tcase_add_test(limit, line_length_limit_boundaries);
    tcase_add_test(limit, line_length_limit_counts_from_offset);
    tcase_add_test(limit, too_long_is_decided_without_waiting);
    suite_add_tcase(s, limit);

    /* The buffer: deadlines, leftovers kept, compaction, and a hard size. */
    TCase *buffer = tcase_create("io_reader");
    tcase_set_timeout(buffer, 10);
    tcase_add_test(buffer, nothing_arrives_before_deadline);
    tcase_add_test(buffer, leftover_bytes_are_kept);
    tcase_add_test(buffer, compaction_keeps_offsets_valid);
    tcase_add_test(buffer, full_buffer_is_enobufs);
    tcase_add_test(buffer, reader_trace_sees_bytes_read);
    suite_add_tcase(s, buffer);

    /* io_wait and the monotonic clock behind every deadline. */
    TCase *wait = tcase_create("io_wait");
    tcase_set_timeout(wait, 10);
    tcase_add_test(wait, wait_for_readiness_and_timeout);
    tcase_add_test(wait, wait_for_write_on_full_buffer_times_out);
    tcase_add_test(wait, clock_and_time_left);
    tcase_add_loop_test(wait, stop_signal_ends_io_wait, 0, 2);
    suite_add_tcase(s, wait);
    return s;
}
