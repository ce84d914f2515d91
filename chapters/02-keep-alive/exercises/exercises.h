/* exercises.h: chapter 2's homework: your own keep-alive server, built stage by
 * stage, and four functions it calls.
 *
 * Your program is httpd.c in this folder, a skeleton that compiles and runs: main()
 * parses the flags and listens, and a TODO marks each piece of the chapter's lesson.
 * The exercises are functions in their own files here (list_has_token.c, ...): open
 * one, replace its TODO with your code. Run `make homework CH=2` from the top of the
 * project: it tests each exercise on its own, then builds your server from every .c
 * file in this folder and runs each stage against it, in the order below, saying what
 * it sent, what it expected and what came back. `make homework EX=2.3` runs one
 * exercise, `make homework EX=2.s1` one stage, with every detail. Reference answers
 * are in ../solutions/ (try first!).
 *
 * An exercise function that still returns EXERCISE_NOT_STARTED is reported as "not
 * started".
 */
/* clang-format off */
/* Your server is linked with these files of common/ and no others, so calling
 * anything else is a link error (tests/homework.mk reads this line, kept whole):
 * Links: common/http.c common/http_parse.c common/io.c common/reply.c common/net.c common/sig.c common/log.c common/options.c
 * They hold what chapter 1 taught: parsing a request head, finding and sending a
 * file or an error page, listening, Ctrl-C, logging, reading flags. They also hold
 * the reference server's answers to this chapter's lesson, which are yours to
 * write: http_read_request() and io_reader (reading requests while keeping what
 * follows them), http_list_has_token(), http_header_has_token(),
 * http_parse_content_length() and http_parse_date(). Do not call those (the end of
 * this file makes them a compile error): use your exercise answers and your own
 * loop.
 */
/* clang-format on */
#ifndef EXERCISES_H
#define EXERCISES_H

#include <stddef.h>
#include <time.h>

#define EXERCISE_NOT_STARTED (-999)

/* Exercise 2.1: list_has_token() in exercises/list_has_token.c
 * Read: book/02-keep-alive.md, section "Who closes the connection"
 *
 * A Connection header holds a comma-separated list of tokens, such as
 * "keep-alive, Upgrade" or "close". Return 1 if the NUL-terminated value lists
 * token, else 0. Items are separated by commas; spaces and tabs around an item are
 * ignored; an item must equal token as a whole ("closed" is not "close"), comparing
 * letters without regard to case ("Close" is "close"); empty items (",,", a comma at
 * either end, an empty value) list nothing. token is never empty.
 *   list_has_token("keep-alive, close", "close")  -> 1
 *   list_has_token(" \tCLOSE\t ", "close")         -> 1
 *   list_has_token("closed", "close")              -> 0
 */
int list_has_token(const char *value, const char *token);

/* Exercise 2.2: parse_content_length() in exercises/parse_content_length.c
 * Read: book/02-keep-alive.md, section "Framing: where a body ends"
 *
 * On a connection that stays open, Content-Length is the only thing that says where
 * a request body ends and the next request begins, so read it strictly: a wrong
 * guess lets one request hide inside another (request smuggling). value is the
 * header's NUL-terminated value. Accept:
 *   - one number: decimal digits only, leading zeros allowed ("007" is 7, "0" is 0);
 *   - a comma-separated list of numbers that are all equal ("5, 5" or "5,5,5" is 5):
 *     RFC 9110 §8.6 lets a recipient accept repeats of the same length;
 * with spaces and tabs around each number ignored. Then set *out and return 0.
 * Anything else returns -1 and leaves *out alone: an empty value or an empty item
 * ("", "5,", ",5"), a sign ("+5", "-1"), a space inside a number ("1 2"), any other
 * character ("abc", "5x", "0x10", "1.5"), numbers that differ ("5, 6"), and a number
 * too large for a long long (no overflow: "99999999999999999999" is -1).
 * Do not use strtol() or atoi(): both accept signs and leading spaces.
 */
int parse_content_length(const char *value, long long *out);

/* Exercise 2.3: find_request_end() in exercises/find_request_end.c
 * Read: book/02-keep-alive.md, section "Pipelining"
 *
 * A client may send several requests in one packet (pipelining), and a request may
 * also arrive in pieces, so a server reads bytes into a buffer and must find where
 * the first request's head ends. buf[0 .. length-1] holds the bytes received so far;
 * it starts with a request line, may contain NUL bytes and is not NUL-terminated
 * (use length, never strlen). A head is the request line and its header lines, up
 * to and including the first empty line. Lines end with CRLF or with a bare LF, and
 * one head may mix both; an empty line is a line with nothing before its ending.
 * Return the offset of the first byte after that empty line (where a body or the
 * next request starts), or 0 when the head is not complete yet. Never look at
 * buf[length] or beyond.
 *   "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /b ..."  -> 27
 *   "GET / HTTP/1.1\n\n"                            -> 16
 *   "GET / HTTP/1.1\r\nHost: a\r\n"                 -> 0 (more to come)
 * (The stub returns EXERCISE_NOT_STARTED.)
 */
long find_request_end(const char *buf, size_t length);

/* Stage 2.s1: two requests on one connection
 * Read: book/02-keep-alive.md, section "One connection, many requests"
 *
 * Needs exercise 2.3. The tester sends GET /hello.txt over HTTP/1.1, reads the
 * response by its Content-Length (not by waiting for the close), then sends a second
 * request on the same connection and expects that answer too: 200, the file's bytes,
 * no "Connection: close". In httpd.c: read_request() (read until find_request_end,
 * then http_parse_head), the loop in serve_connection(), and wants_keep_alive() for
 * HTTP/1.1's default.
 */

/* Stage 2.s2: the idle timeout
 * Read: book/02-keep-alive.md, section "One connection, many requests"
 *
 * Started with -t 1: a kept connection left silent after its answer, a connection
 * that never sends a byte, and one that stops half-way through its request are each
 * closed, without a byte (no 408), once -t has passed; the server goes on serving.
 * In httpd.c: read_request() waits with io_wait(), never past its deadline.
 */

/* Stage 2.s3: who closes the connection
 * Read: book/02-keep-alive.md, section "Who closes the connection"
 *
 * Needs exercise 2.1. "Connection: close" (also inside a list, in any case) gets its
 * answer with "Connection: close", then the close; HTTP/1.0 closes unless it asks
 * for keep-alive, which is echoed back ("Connection: keep-alive") and kept; with
 * -n 2 the second answer says close. In httpd.c: wants_keep_alive() and answer().
 */

/* Stage 2.s4: a body framed by Content-Length
 * Read: book/02-keep-alive.md, section "Framing: where a body ends"
 *
 * Needs exercise 2.2. A POST with a 5-byte body gets 405 and the GET behind it its
 * 200, whether the body comes with the head or after it; a body of 1 MiB is read and
 * dropped; one over 1 MiB gets 413, Content-Lengths that disagree or do not parse 400,
 * Transfer-Encoding 501, each with the close. In httpd.c: check_framing() and
 * discard_body().
 */

/* Stage 2.s5: pipelining
 * Read: book/02-keep-alive.md, section "Pipelining"
 *
 * Three requests in one write get three answers, in order; a POST with its body and
 * a GET in one write, too; and requests cut at odd places across writes. Nothing
 * read from the socket may be dropped. In httpd.c: read_request() keeps the bytes
 * after a head.
 */

/* Stage 2.s6: an idle client blocks no one
 * Read: book/02-keep-alive.md, section "A process per connection"
 *
 * One client gets its answer and stays connected, saying nothing (-t 30); a second
 * client must get its own answer meanwhile, and the first can still ask again. In
 * httpd.c: accept_one() forks a child per connection.
 */

/* Stage 2.s7: no zombies
 * Read: book/02-keep-alive.md, section "Reaping: no zombies"
 *
 * After twenty connections have come and gone, the server has no child left, dead
 * or alive (counted in /proc where there is one), without waiting for another
 * client; and SIGTERM ends the server and the children serving idle clients. In
 * httpd.c: SIGCHLD, waitpid() in the accept loop, and the end of main().
 */

/* Stage 2.s8: 503 over the cap
 * Read: book/02-keep-alive.md, section "Over the cap: 503, at once"
 *
 * Started with -c 1: while one client holds its connection, a second one, which has
 * sent nothing, gets "503 Service Unavailable" with Connection: close at once, and
 * the close. Once the first client leaves, new clients are served again. In httpd.c:
 * accept_one() counts its children and refuses without reading.
 */

/* Exercise 2.4: parse_http_date() in exercises/parse_http_date.c
 * Read: book/02-keep-alive.md, section "304 Not Modified"
 *
 * If-Modified-Since carries a date, which senders must write as the IMF-fixdate of
 * RFC 9110 §5.6.7, exactly 29 characters:
 *   "Sun, 06 Nov 1994 08:49:37 GMT"
 * day name (Mon Tue Wed Thu Fri Sat Sun), comma, space, two-digit day, space, month
 * name (Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec), space, four-digit year,
 * space, hh:mm:ss (two digits each), space, "GMT". Names are case-sensitive. Parse
 * it, set *out to the seconds since 1970-01-01 00:00:00 UTC and return 0. Compute
 * the number yourself (timegm() is not in POSIX; strptime() only in its XSI option):
 * count the days of the years and months before the date, leap days included (a year is
 * a leap year if divisible by 4, except centuries, except those divisible by 400:
 * 2000 and 2024 are, 1900, 2023 and 2100 are not).
 * Like the chapter's server, this function accepts only the IMF-fixdate. That is a
 * simplification, not what HTTP asks: RFC 9110 §5.6.7 says a recipient MUST also
 * accept two obsolete formats (RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT" and asctime
 * "Sun Nov  6 08:49:37 1994"), and a conforming server does. Leaving them out is
 * safe for If-Modified-Since (the client gets a full 200 instead of a 304), so here
 * they return -1, as does anything else: a zone other than GMT, extra or missing
 * characters, a year before 1970, an impossible date (day 00, 31 Apr, 29 Feb 2023),
 * an hour over 23, a minute over 59, a second over 60 (60 is a leap second), or a
 * day name that is not the weekday of that date (1970-01-01 was a Thursday).
 */
int parse_http_date(const char *text, time_t *out);

/* Stage 2.s9: 304 Not Modified
 * Read: book/02-keep-alive.md, section "304 Not Modified"
 *
 * Needs exercise 2.4. A GET with If-Modified-Since set to the file's Last-Modified
 * gets 304 with no body, and the connection stays; an older date, a date that does
 * not parse, or one beside If-None-Match gets the file. In httpd.c:
 * is_not_modified().
 */

/* The server's own versions of this chapter's lesson, in the common/ files linked
 * above, are not for your program: from here on, using one is a compile error. (So
 * include this file after common/'s headers, as httpd.c does.) */
#if defined(HTTP_H) && defined(IO_H)
#pragma GCC poison http_read_request http_list_has_token http_header_has_token
#pragma GCC poison http_parse_content_length http_parse_date io_read_line
#pragma GCC poison io_reader_init io_reader_fill io_reader_consume io_reader_bytes
#pragma GCC poison io_reader_length
#endif

#endif
