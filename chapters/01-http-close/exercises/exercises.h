/* exercises.h: chapter 1's homework: your own HTTP/1.0 server, built stage by stage,
 * and five functions it calls.
 *
 * Your program is httpd.c in this folder: a skeleton that compiles and runs, with
 * main() and the flags written for you and a TODO for each piece of the chapter's
 * lesson (listen, accept, read a request, answer, write, close). The exercises are
 * functions in their own files here (parse_request_line.c, ...): open one, replace
 * its TODO with your code. Run `make homework CH=1` from the top of the project: it
 * tests each exercise on its own, then builds your server from every .c file in this
 * folder and runs each stage against it, in the order below, saying what it sent,
 * what it expected and what came back. `make homework EX=1.2` runs one exercise,
 * `make homework EX=1.s3` one stage, with every detail. Reference answers are in
 * ../solutions/ (try first!).
 *
 * Your server is built with the C library alone: no common/ helpers, so the sockets
 * are really yours.
 */
/* clang-format off */
/*
 * Links: libc only
 */
/* clang-format on */
/*
 * A function that still returns EXERCISE_NOT_STARTED is reported as "not started".
 */
#ifndef EXERCISES_H
#define EXERCISES_H

#include <stddef.h>
#include <sys/types.h>

#define EXERCISE_NOT_STARTED (-999)

/* Stage 1.s1: listens and accepts
 * Read: book/01-http-close.md, section "The accept loop"
 *
 * open_listener() (section "Listening: getaddrinfo(), socket(), bind(), listen()")
 * and the accept loop in httpd.c: the program prints its start line and accepts
 * connection after connection, closing each.
 */

/* Stage 1.s2: answers, then closes
 * Read: book/01-http-close.md, section "One connection"
 *
 * read_head(), and a fixed answer: serve() answers through functions you write later
 * (exercises 1.1 and 1.2), so for now write() "HTTP/1.0 200 OK", headers, an empty
 * line and a body where serve()'s TODO says, and return; then the connection is
 * closed (that is how HTTP/1.0 ends a response). Stage 1.s3 replaces the fixed answer.
 */

/* Exercise 1.1: write_all() in exercises/write_all.c
 * Read: book/01-http-close.md, section "Writing all the bytes"
 *
 * write() may write fewer bytes than you asked for (a short write), and may fail
 * with EINTR when a signal arrives first. Write all length bytes of buf to fd,
 * calling write() as often as it takes. Return length, or -1 (errno from write)
 * on a real error. fd is a blocking descriptor. Every answer of your server goes out
 * through it.
 */
ssize_t write_all(int fd, const void *buf, size_t length);

/* Exercise 1.2: parse_request_line() in exercises/parse_request_line.c
 * Read: book/01-http-close.md, section "The request line"
 *
 * Split an HTTP request line such as "GET /index.html HTTP/1.0" (line ending
 * already removed, NUL-terminated, yours to modify) into its three parts. Put NULs
 * where the two spaces were and point out->method, out->target and out->version at
 * the parts; set out->major and out->minor from the version. Return:
 *   400  not exactly "METHOD SP TARGET SP VERSION" with single spaces; a method that
 *        is not a token (letters, digits, !#$%&'*+-.^_`|~); a target that is empty or
 *        holds a byte <= 0x20 or >= 0x7F; a version not of the form HTTP/d.d
 *   505  a version whose major number is not 1
 *   0    for GET and HEAD
 *   405  for POST, PUT, DELETE, OPTIONS, TRACE, PATCH, CONNECT
 *   501  for any other method (methods are case-sensitive: "get" is 501)
 * checked in that order.
 */
struct request_line {
    char *method;
    char *target;
    char *version;
    int major;
    int minor;
};
int parse_request_line(char *line, struct request_line *out);

/* Stage 1.s3: the request line
 * Read: book/01-http-close.md, section "The request line"
 *
 * Answer 400, 405 (with Allow: GET, HEAD), 501 and 505 as parse_request_line() says.
 */

/* Exercise 1.3: percent_decode() in exercises/percent_decode.c
 * Read: book/01-http-close.md, section "From target to path"
 *
 * Decode in[0 .. in_length-1] once: "%41" becomes "A", "%2f" and "%2F" become "/",
 * every other byte is copied. Write the result to out, NUL-terminated. Return 0;
 * 400 for a '%' that is not followed by two hex digits, or that decodes to a NUL
 * byte ("%00"); 414 when the result and its NUL do not fit in out_size bytes.
 */
int percent_decode(const char *in, size_t in_length, char *out, size_t out_size);

/* Exercise 1.4: remove_dot_segments() in exercises/remove_dot_segments.c
 * Read: book/01-http-close.md, section "Staying inside the document root"
 *
 * path starts with '/'. Resolve its "." and ".." segments as RFC 3986 §5.2.4 does,
 * writing the result to out (NUL-terminated): "/a/./b/../c" gives "/a/c", "/a/."
 * gives "/a/", "/a/b/.." gives "/a/". Other segments, empty ones included, are kept
 * as they are ("//x" stays "//x"). A ".." that would climb above "/" must not be
 * dropped quietly: return 403. Return 414 when out_size is too small, else 0.
 */
int remove_dot_segments(const char *path, char *out, size_t out_size);

/* Exercise 1.5: mime_type() in exercises/mime_type.c
 * Read: book/01-http-close.md, section "Content-Type"
 *
 * Return the Content-Type for a file name, by the extension after its last dot
 * (ignoring case; a name that starts with its only dot, like ".profile", has no
 * extension; only the last path component counts):
 *   html htm -> "text/html; charset=utf-8"    css  -> "text/css; charset=utf-8"
 *   js       -> "text/javascript; charset=utf-8"
 *   json     -> "application/json"            txt  -> "text/plain; charset=utf-8"
 *   png      -> "image/png"                   jpg jpeg -> "image/jpeg"
 *   gif      -> "image/gif"                   svg  -> "image/svg+xml"
 *   ico      -> "image/x-icon"                pdf  -> "application/pdf"
 *   wasm     -> "application/wasm"
 *   anything else, or no extension -> "application/octet-stream"
 * (The stub returns NULL: not started.)
 */
const char *mime_type(const char *path);

/* Stage 1.s4: serves files
 * Read: book/01-http-close.md, section "The response: send_file()"
 *
 * GET and HEAD of files under -d: 200 with Content-Type (mime_type()) and
 * Content-Length, the file's bytes as the body (none for HEAD), "/" serves
 * index.html, 404 for a missing file.
 */

/* Stage 1.s5: stays inside the root
 * Read: book/01-http-close.md, section "Staying inside the document root"
 *
 * The target is percent-decoded (percent_decode()), its dot-segments removed
 * (remove_dot_segments()); a query is ignored, an absolute-form target
 * ("http://host/path") serves path; ".." above the root and a symlink that leads out
 * of it get 403, a bad escape 400.
 */

/* Stage 1.s6: requests in pieces, answers in pieces
 * Read: book/01-http-close.md, section "A request in pieces"
 *
 * A request that arrives one byte at a time is still read whole; a 5 MiB file reaches
 * a client that reads slowly intact (write_all()).
 */

/* Stage 1.s7: limits and the deadline
 * Read: book/01-http-close.md, section "Limits, and the deadline"
 *
 * A request line over 8,192 bytes gets 414; more than 100 header lines, or more than
 * 16,384 bytes of them, 431; a client that stops sending in the middle of its request
 * is dropped after -t seconds, and the next client is served.
 */

#endif
