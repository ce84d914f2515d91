/* lines.h: finding the lines in what a client has sent so far.
 *
 * Chapter 3's file, copied unchanged: a chapter links only common/ and the C
 * library, never another chapter (DESIGN.md §2), and these are chapter 3's lesson
 * and homework, so they stay in its folder rather than move to common/.
 *
 * TCP delivers a stream of bytes, not messages: one read() may return half a line, or
 * a hundred lines and the start of the next. So the server keeps each client's bytes
 * in a buffer and asks, after every read: is there a complete line at the front?
 *
 * This module depends on the C library only (it is also exercise 3.1).
 */
#ifndef LINES_H
#define LINES_H

#include <stddef.h>

/* The longest line a client may send, not counting its LF or a CR right before it. */
#define LINE_MAX_BYTES 1024

/* What find_line() saw at the front of the buffer. */
#define LINE_INCOMPLETE 0 /* no LF yet, and still short enough: read more */
#define LINE_COMPLETE   1 /* a whole line: see struct line */
#define LINE_TOO_LONG   2 /* more than LINE_MAX_BYTES before any LF */

struct line {
    size_t length; /* bytes of text, without the LF and a CR right before it */
    size_t next;   /* where the next line starts: one past the LF */
};

/* Look for the first line in buf[0 .. length-1]. A line ends with LF; a CR right
 * before the LF is not part of the text. Returns LINE_COMPLETE with *line filled,
 * LINE_INCOMPLETE, or LINE_TOO_LONG as soon as the text is certain to exceed
 * LINE_MAX_BYTES, without waiting for the LF. NUL is an ordinary byte. */
int find_line(const char *buf, size_t length, struct line *line);

#endif
