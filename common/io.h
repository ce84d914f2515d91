/* io.h: reading and writing sockets correctly, the part every toy server skips.
 *
 * A write() may send fewer bytes than asked (a short write), any call may be
 * interrupted by a signal (EINTR), and a read() returns whatever happened to
 * arrive: half a line, or three requests at once. These helpers absorb all of that.
 * They work on blocking and on non-blocking descriptors; time limits are enforced
 * with poll(), so a silent peer can never hold a caller forever.
 */
#ifndef IO_H
#define IO_H

#include <stddef.h>
#include <sys/types.h>

/* Milliseconds on a clock that never jumps (CLOCK_MONOTONIC), for deadlines. */
long long io_now_ms(void);

/* Milliseconds left until deadline_ms (0 once it has passed), as a poll() timeout. */
int io_ms_until(long long deadline_ms);

/* Wait until fd is readable (for_write == 0) or writable, for at most timeout_ms
 * (< 0: no limit). Returns 1 when ready, 0 on time-out, -1 on error. A signal does
 * not cut the wait short (it resumes with the time that is left), except SIGINT or
 * SIGTERM in a server that called sig_setup_stop (sig.h): then -1 with errno EINTR,
 * at once, so every function here gives up and the server can stop. */
int io_wait(int fd, int for_write, int timeout_ms);

/* Write all len bytes, across short writes and EINTR. On a non-blocking socket it
 * waits for room when the kernel's send buffer is full (EAGAIN), for at most
 * timeout_ms (< 0: no limit); the clock restarts whenever bytes go out, so the limit
 * bounds a stalled peer, not a long transfer. Returns len, or -1 with errno
 * (ETIMEDOUT for a stall; EPIPE or ECONNRESET for a peer that went away). */
ssize_t io_write_all(int fd, const void *buf, size_t len, int timeout_ms);

/* Before closing a socket that may hold unread bytes from the peer: send our end of
 * the stream (shutdown), then read and discard what still arrives, for at most
 * timeout_ms or max_bytes, until the peer closes too (once a stop signal has come,
 * only what has already arrived, without waiting). The caller then close()s. */
void io_linger(int fd, int timeout_ms, size_t max_bytes);

/* The buffered reader: bytes read from a descriptor and not yet consumed. Bytes
 * beyond the current message stay buffered for the next one (HTTP pipelining), so
 * nothing read from the socket is ever dropped. Its size bounds what a peer can make
 * us hold: a message that does not fit is refused, not grown into. */
#define IO_READER_CAPACITY (32 * 1024)

struct io_reader {
    int fd;
    /* NULL, or a function to show every chunk read (the -v wire trace: log_wire) */
    void (*trace)(int fd, int direction, const void *data, size_t length);
    size_t start; /* first byte not yet consumed */
    size_t end;   /* one past the last byte read */
    char data[IO_READER_CAPACITY];
};

void io_reader_init(struct io_reader *r, int fd);

/* The unconsumed bytes: io_reader_bytes(r)[0 .. io_reader_length(r) - 1]. */
char *io_reader_bytes(struct io_reader *r);
size_t io_reader_length(const struct io_reader *r);

/* Read once, appending to the buffer. With deadline_ms >= 0 (an io_now_ms() value)
 * it first waits until data arrives or the deadline passes; with deadline_ms < 0 it
 * reads straight away (on a non-blocking socket that may fail with EAGAIN).
 * Returns the bytes added, 0 at end of file, -1 with errno (ETIMEDOUT, or ENOBUFS
 * when the buffer is full of unconsumed bytes). May move the unconsumed bytes to the
 * front of the buffer: keep offsets from io_reader_bytes(), not pointers. */
ssize_t io_reader_fill(struct io_reader *r, long long deadline_ms);

/* Drop the first n unconsumed bytes (n <= io_reader_length). */
void io_reader_consume(struct io_reader *r, size_t n);

/* A line found in the reader, as offsets from io_reader_bytes(). */
struct io_line {
    size_t offset; /* first byte of the line */
    size_t length; /* bytes before the line ending */
    size_t next;   /* first byte after the line ending */
};

#define IO_OK         0
#define IO_ERROR      (-1) /* errno says why: ETIMEDOUT, ECONNRESET, ... */
#define IO_EOF        (-2) /* the peer closed before the line was complete */
#define IO_TOO_LONG   (-3) /* the line is longer than max_length */
#define IO_INCOMPLETE (-4) /* no line ending yet, and the line may still fit */

/* Find the line that starts at offset `from` of bytes[0..length), without reading:
 * IO_OK with *line filled, IO_TOO_LONG (decided as soon as max_length is passed), or
 * IO_INCOMPLETE when the rest of the line has not arrived. A line ends with LF or
 * CRLF; the ending is not part of its length. io_read_line and http_parse_head both
 * cut their lines with it. */
int io_find_line(const char *bytes, size_t length, size_t from, size_t max_length,
                 struct io_line *line);

/* Read until the line that starts at offset `from` is complete, reading more as
 * needed until deadline_ms. A line ends with LF or CRLF (so both `nc` and `curl`
 * work); the ending is not part of its length. Returns IO_OK with *line filled, or
 * IO_ERROR, IO_EOF, IO_TOO_LONG (decided as soon as max_length is passed, without
 * waiting for the rest). */
int io_read_line(struct io_reader *r, size_t from, size_t max_length,
                 long long deadline_ms, struct io_line *line);

#endif
