/* log.h: what a server tells its operator, on stderr.
 *
 * Two kinds of output: the access log (one line per request, in the Common Log
 * Format that Apache and nginx write, so the usual tools read it) and the wire
 * trace that `-v` turns on: every byte sent or received, with non-printing bytes
 * escaped, so you can watch the protocol itself scroll by:
 *
 *     [fd 4] <<< GET / HTTP/1.0\r\n
 *     [fd 4] >>> HTTP/1.0 200 OK\r\n
 *
 * Printing is this module's whole job; it is the one part of common/ that does.
 */
#ifndef LOG_H
#define LOG_H

#include <stddef.h>
#include <time.h>

#define LOG_RECEIVED 0 /* "<<<": bytes that came from the peer */
#define LOG_SENT     1 /* ">>>": bytes we sent to the peer */

/* Write data to stderr as escaped text lines, each prefixed with the descriptor and
 * the direction: \r \n \t \\ and \xHH for other bytes outside printable ASCII. */
void log_wire(int fd, int direction, const void *data, size_t length);

/* Escape text for a log line (quotes, backslashes, control and non-ASCII bytes
 * become \" \\ \xHH), truncating to fit out_size. Returns out. */
char *log_escape(const char *text, size_t length, char *out, size_t out_size);

/* One Common Log Format line on stderr:
 *   127.0.0.1 - - [29/Nov/2026:14:02:03 +0000] "GET / HTTP/1.0" 200 1043
 * request_line is escaped here; body_bytes < 0 prints "-" (no body sent). */
void log_access(const char *client, time_t when, const char *request_line, int status,
                long long body_bytes);

/* An access line costs a write() to stderr, one system call per request. A server
 * that answers many requests in a row can hold the lines instead: with
 * log_hold_lines(1) they wait in a buffer of LOG_HOLD_BYTES, and leave in one write()
 * when the buffer is full or at log_flush(), which the server calls when it goes idle
 * and before it exits, so no line is lost on a clean stop. log_hold_lines(0) flushes
 * and writes each line at once again (the default). */
#define LOG_HOLD_BYTES (16 * 1024)
void log_hold_lines(int hold);
void log_flush(void);
int log_has_held_lines(void); /* 1 when lines wait for log_flush() */

#endif
