/* exercises.h: chapter 3's homework: your own chat server, built stage by stage,
 * and five functions it calls.
 *
 * Your program is chatd.c in this folder: a skeleton that compiles and runs, with
 * main(), the flags, listening and the start line written for you, and a TODO for
 * each piece of the chapter's lesson (the select() loop, accepting, cutting lines,
 * relaying, joined and left, the bounded output queues, dropping slow readers, the
 * client limit, commands). The exercises are functions in their own files here
 * (find_line.c, ...): open one, replace its TODO with your code. Run `make homework
 * CH=3` from the top of the project: it tests each exercise on its own, then builds
 * your server from every .c file in this folder and runs each stage against it, in
 * the order below, saying what it sent, what it expected and what came back. `make
 * homework EX=3.1` runs one exercise, `make homework EX=3.s2` one stage, with every
 * detail. Reference answers are in ../solutions/ (try first!).
 *
 * A function that still returns EXERCISE_NOT_STARTED is reported as "not started".
 * The types and limits (struct line, LINE_MAX_BYTES, struct command, NICK_MAX_BYTES,
 * struct queue, QUEUE_CAPACITY) come from the server's own headers, included here.
 * The exercises come in the order the server needs them: the output queue (3.4,
 * 3.5) first, since even the welcome travels through it.
 */
/* clang-format off */
/* Your server is linked with these files of common/ and no others, so calling
 * anything else is a link error (tests/homework.mk reads this line, kept whole):
 * Links: common/net.c common/sig.c common/options.c common/log.c
 * They hold what earlier chapters taught: listening (net_listen, net_listen_url),
 * Ctrl-C (sig_setup_stop, sig_stop_requested), reading flags (option_number) and the
 * wire trace (log_wire). The select() loop, the input buffers and the output queues
 * are this chapter's lesson: yours to write.
 */
/* clang-format on */
#ifndef EXERCISES_H
#define EXERCISES_H

#include "../commands.h"
#include "../lines.h"
#include "../queue.h"

#include <stddef.h>
#include <sys/types.h>

#define EXERCISE_NOT_STARTED (-999)

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

/* Stage 3.s1: welcomes each client
 * Read: book/03-select-chat.md, section "The loop"
 *
 * main_loop(), accept_client(), deliver() and flush_client() in chatd.c: the
 * select() loop over the listening socket and every client; each newcomer is
 * accepted and hears first, through its output queue (exercises 3.4 and 3.5):
 * "* welcome to chatd, you are guest1; /help for commands". A second client is
 * welcomed while the first stays connected and silent.
 */

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

/* Stage 3.s2: relays lines to the others, no echo
 * Read: book/03-select-chat.md, section "The loop"
 *
 * read_from_client(), handle_input() with find_line() (exercise 3.1), handle_line()
 * and deliver_to_others(): a line from guest1 reaches every other client as
 * "guest1: text", and never guest1 itself.
 */

/* Stage 3.s3: cuts lines from the stream
 * Read: book/03-select-chat.md, section "Lines arrive in pieces"
 *
 * handle_input(): a line in three pieces, four lines in one read (a CRLF, an empty
 * line ignored, a NUL passed on), a line of exactly 1024 bytes, and a longer one:
 * "! line too long (max 1024 bytes)" once, the rest thrown away up to its LF, and
 * the client stays.
 */

/* Stage 3.s4: announces who joins and who leaves
 * Read: book/03-select-chat.md, section "Leaving"
 *
 * accept_client(), read_from_client() and drop_gone_clients(): the others (not
 * the joiner) get "* guest2 joined"; when guest2 closes, "* guest2 left"; guest
 * numbers are never reused.
 */

/* Stage 3.s5: drops a stalled reader, the room flows
 * Read: book/03-select-chat.md, section "The slow client"
 *
 * deliver() and the loop: guest1 never reads while guest3 floods the room. When
 * guest1's queue would pass 64 KiB, guest1 is dropped ("* guest1 left"), and guest2
 * gets every line, in order; nobody ever waits for guest1. Read "The bounded
 * output queue" too.
 */

/* Stage 3.s6: refuses clients over the limit
 * Read: book/03-select-chat.md, section "A full room, and FD_SETSIZE"
 *
 * accept_client() with -m 2: a third client gets "! server full" and is closed,
 * uses no guest number and is announced to nobody; once someone leaves, the next
 * one is welcome.
 */

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

/* Stage 3.s7: runs commands
 * Read: book/03-select-chat.md, section "Commands"
 *
 * handle_line() and command_nick() with parse_command() and nick_is_valid()
 * (exercises 3.2 and 3.3): "/nick alice" (everyone hears "* guest1 is now known as
 * alice"), "! invalid nick: b@d", "! nick taken: ALICE" (case is ignored),
 * "! unknown command: /frob", and /quit: closed, nothing after it relayed, and
 * "* guest2 left" for the others.
 */

/* Stage 3.s8: speaks first: the tick
 * Read: book/03-select-chat.md, section "The server speaks first"
 *
 * send_tick_if_due() and the loop's timeout: with -T 1, "* tick 1" reaches a client
 * that sent nothing, then "* tick 2" reaches everyone, one second apart.
 */

#endif
