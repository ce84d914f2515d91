/* log.c: see log.h. */
#include "log.h"

#include <errno.h>
#include <unistd.h>

#include <stdio.h>
#include <string.h>

/* Escape one byte into out (room for 5 bytes); returns the length written. */
static size_t escape_byte(unsigned char c, char *out, int escape_quotes)
{
    switch (c) {
    case '\r':
        return (size_t)snprintf(out, 5, "\\r");
    case '\n':
        return (size_t)snprintf(out, 5, "\\n");
    case '\t':
        return (size_t)snprintf(out, 5, "\\t");
    case '\\':
        return (size_t)snprintf(out, 5, "\\\\");
    case '"':
        if (escape_quotes)
            return (size_t)snprintf(out, 5, "\\\"");
        break;
    default:
        break;
    }
    if (c < 0x20 || c >= 0x7f)
        return (size_t)snprintf(out, 5, "\\x%02X", c);
    out[0] = (char)c;
    out[1] = '\0';
    return 1;
}

char *log_escape(const char *text, size_t length, char *out, size_t out_size)
{
    size_t used = 0;
    for (size_t i = 0; i < length; i++) {
        char piece[5];
        size_t n = escape_byte((unsigned char)text[i], piece, 1);
        if (used + n + 1 > out_size)
            break;
        memcpy(out + used, piece, n);
        used += n;
    }
    if (out_size > 0)
        out[used] = '\0';
    return out;
}

/* Room for one trace line: the prefix and escaped bytes. A longer protocol line is
 * written in pieces, still as one trace line. */
#define WIRE_LINE_SIZE 1024
#define WIRE_PIECE_MAX 6 /* more than the longest escaped byte, "\xFF" and its NUL */

void log_wire(int fd, int direction, const void *data, size_t length)
{
    const unsigned char *bytes = data;
    const char *arrow = direction == LOG_SENT ? ">>>" : "<<<";
    char line[WIRE_LINE_SIZE];
    size_t used = 0;
    int at_line_start = 1;
    /* One output line per input line, so a request reads as it was sent. stderr has
     * no buffer: printing byte by byte would cost a write() each, and the lines of two
     * processes tracing at once (chapter 2's children) would mix letter by letter. So
     * each line is built here and leaves in one write() (a line over 1 KiB, in a few). */
    for (size_t i = 0; i < length; i++) {
        if (at_line_start)
            used = (size_t)snprintf(line, sizeof line, "[fd %d] %s ", fd, arrow);
        used += escape_byte(bytes[i], line + used, 0);
        at_line_start = bytes[i] == '\n';
        if (at_line_start)
            line[used++] = '\n';
        if (at_line_start || used + WIRE_PIECE_MAX > sizeof line) {
            fwrite(line, 1, used, stderr);
            used = 0;
        }
    }
    if (!at_line_start) {
        line[used++] = '\n';
        fwrite(line, 1, used, stderr);
    }
    fflush(stderr);
}

/* The access lines waiting for log_flush(), when held (log_hold_lines). */
static struct {
    int hold;
    size_t used;
    char lines[LOG_HOLD_BYTES];
} held;

void log_hold_lines(int hold)
{
    log_flush();
    held.hold = hold;
}

void log_flush(void)
{
    size_t done = 0;
    while (done < held.used) {
        ssize_t n = write(STDERR_FILENO, held.lines + done, held.used - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* stderr is gone: the lines are lost, and there is no one to tell */
        done += (size_t)n;
    }
    held.used = 0;
}

int log_has_held_lines(void)
{
    return held.used > 0;
}

/* The log's time stamp, formatted once per second: a busy server logs thousands of
 * lines a second with the same stamp (gmtime_r and strftime are not free). */
static const char *log_time_stamp(time_t when)
{
    static time_t stamp_when = -1;
    static char stamp[64] = "-";
    if (when != stamp_when) {
        struct tm tm;
        if (gmtime_r(&when, &tm) == NULL ||
            strftime(stamp, sizeof stamp, "%d/%b/%Y:%H:%M:%S +0000", &tm) == 0)
            snprintf(stamp, sizeof stamp, "-");
        stamp_when = when;
    }
    return stamp;
}

void log_access(const char *client, time_t when, const char *request_line, int status,
                long long body_bytes)
{
    char request[512];
    char line[1024];
    const char *stamp = log_time_stamp(when);
    if (request_line[0] == '\0')
        request_line = "-"; /* nothing we could read as a request line */
    log_escape(request_line, strlen(request_line), request, sizeof request);
    char bytes[32] = "-";
    if (body_bytes >= 0)
        snprintf(bytes, sizeof bytes, "%lld", body_bytes);
    int n = snprintf(line, sizeof line, "%s - - [%s] \"%s\" %d %s\n", client, stamp,
                     request, status, bytes);
    size_t length = n < 0 ? 0 : (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    if (length > 0 && line[length - 1] != '\n')
        line[length - 1] = '\n'; /* cut short: still one line */
    if (held.hold && length <= sizeof held.lines) {
        if (held.used + length > sizeof held.lines)
            log_flush(); /* full: make room */
        memcpy(held.lines + held.used, line, length);
        held.used += length;
        return;
    }
    fflush(stderr); /* whatever stdio holds comes first */
    held.used = 0;
    memcpy(held.lines, line, length);
    held.used = length;
    log_flush();
}
