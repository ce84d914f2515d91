/* exercises.h: chapter 2's homework. Four pieces of a server that keeps its
 * connections open.
 *
 * Each exercise is one function in its own file in this folder. Open the file,
 * replace the TODO with your code, and run `make homework CH=2` from the top of the
 * project (or `make homework EX=2.3` for one exercise, with every detail). The tests
 * are in tests/02-keep-alive/homework/; reference answers are in ../solutions/ (try
 * first!). Your files are compiled on their own, with only the C library: no
 * common/ helpers, so the work is really yours.
 *
 * A function that still returns EXERCISE_NOT_STARTED is reported as "not started".
 */
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

#endif
