/* exercises.h: chapter 3's homework. Five pieces of the real chat server.
 *
 * Each exercise is one function in its own file in this folder, and each is a
 * function chatd itself calls: chatd.c uses find_line() from ../lines.c, and so on.
 * Open the file, replace the TODO with your code, and run `make homework CH=3` from
 * the top of the project (or `make homework EX=3.2` for one exercise, with every
 * detail). The tests are in tests/03-select-chat/homework/; reference answers are in
 * ../solutions/ (try first!). Your files are compiled on their own, with only the C
 * library.
 *
 * A function that still returns EXERCISE_NOT_STARTED is reported as "not started".
 * The types and limits (struct line, LINE_MAX_BYTES, struct command, NICK_MAX_BYTES,
 * struct queue, QUEUE_CAPACITY) come from the server's own headers, included here.
 */
#ifndef EXERCISES_H
#define EXERCISES_H

#include "../commands.h"
#include "../lines.h"
#include "../queue.h"

#include <stddef.h>
#include <sys/types.h>

#define EXERCISE_NOT_STARTED (-999)

/* Exercise 3.1: find_line() in exercises/find_line.c
 * Read: book/03-select-chat.md, section "Lines arrive in pieces"
 *
 * buf[0 .. length-1] holds what a client sent that we have not used yet: maybe a
 * part of a line, maybe several lines. Find the first line. It ends with an LF; a CR
 * right before the LF is not part of it. Return:
 *   LINE_COMPLETE    and set line->length (the text's bytes, without the LF and that
 *                    CR) and line->next (the offset just past the LF)
 *   LINE_TOO_LONG    when the text is longer than LINE_MAX_BYTES (1024); say so as soon
 *                    as that is certain, even before any LF has arrived: 1025 bytes
 *                    without an LF are too long, unless the 1025th is a CR (an LF
 *                    may follow it and make it a line ending)
 *   LINE_INCOMPLETE  when there is no LF yet and the text may still fit
 * Any byte but LF is text, NUL included: use lengths, never strlen(). Look at no
 * more than LINE_MAX_BYTES + 2 bytes, and never at buf[length] or beyond.
 */
int find_line(const char *buf, size_t length, struct line *line);

/* Exercise 3.2: parse_command() in exercises/parse_command.c
 * Read: book/03-select-chat.md, section "Commands"
 *
 * line[0 .. length-1] is a line from a client (no line ending; it may hold NULs). If
 * it does not start with '/', return -1. Otherwise fill *out and return 0:
 *   out->name, name_length          the bytes after '/' up to the first space (only
 *                                   a space ends it) or the end: "msg" in
 *                                   "/msg bob hi"; may be empty ("/")
 *   out->argument, argument_length  what follows that space, without spaces and tabs
 *                                   at either end: "bob hi"; length 0 if nothing
 * Both point into line (nothing is copied, nothing NUL-terminated).
 */
int parse_command(const char *line, size_t length, struct command *out);

/* Exercise 3.3: nick_is_valid() in exercises/nick_is_valid.c
 * Read: book/03-select-chat.md, section "Commands"
 *
 * Return 1 if name[0 .. length-1] may be a nickname: 1 to NICK_MAX_BYTES (16) bytes,
 * each a letter A-Z or a-z, a digit 0-9, '_' or '-'. Otherwise return 0. Do not use
 * isalpha() and friends: they depend on the locale.
 */
int nick_is_valid(const char *name, size_t length);

/* Exercise 3.4: queue_append() in exercises/queue_append.c
 * Read: book/03-select-chat.md, section "The bounded output queue"
 *
 * A struct queue holds the bytes waiting to be written to a client in
 * q->data[q->start .. q->end-1] (at most QUEUE_CAPACITY of them). Append length bytes
 * at end, all or nothing:
 *   - if the waiting bytes plus the new ones exceed QUEUE_CAPACITY, return -1 and
 *     change nothing;
 *   - if they fit, but not after q->end, first move the waiting bytes to the front
 *     (data[0 ..], start = 0) to make room (memmove: the areas may overlap);
 *   - copy the new bytes after the waiting ones and return 0.
 */
int queue_append(struct queue *q, const void *bytes, size_t length);

/* Exercise 3.5: queue_flush() in exercises/queue_flush.c
 * Read: book/03-select-chat.md, section "The bounded output queue"
 *
 * fd is a non-blocking socket. Write the waiting bytes of q to it with write(),
 * as many as the kernel takes now: call write() again after a short write, retry
 * after EINTR, and stop (that is not an error) when write() fails with EAGAIN or
 * EWOULDBLOCK: the socket's buffer is full. Advance q->start past what was written;
 * when the queue is empty set start and end to 0. Return the number of bytes
 * written (0 if none), or -1 (errno as write() left it) on any other error, such as
 * EPIPE for a peer that has gone. Move no bytes inside data.
 */
ssize_t queue_flush(struct queue *q, int fd);

#endif
