/* exercises.h: chapter 1's homework. Five pieces of a real HTTP server.
 *
 * Each exercise is one function in its own file in this folder. Open the file,
 * replace the TODO with your code, and run `make homework CH=1` from the top of the
 * project (or `make homework EX=1.2` for one exercise, with every detail). The tests
 * are in tests/01-http-close/homework/; reference answers are in ../solutions/ (try
 * first!). Your files are compiled on their own, with only the C library: no
 * common/ helpers, so the work is really yours.
 *
 * A function that still returns EXERCISE_NOT_STARTED is reported as "not started".
 */
#ifndef EXERCISES_H
#define EXERCISES_H

#include <stddef.h>
#include <sys/types.h>

#define EXERCISE_NOT_STARTED (-999)

/* Exercise 1.1: parse_request_line() in exercises/parse_request_line.c
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

/* Exercise 1.2: percent_decode() in exercises/percent_decode.c
 * Read: book/01-http-close.md, section "From target to path"
 *
 * Decode in[0 .. in_length-1] once: "%41" becomes "A", "%2f" and "%2F" become "/",
 * every other byte is copied. Write the result to out, NUL-terminated. Return 0;
 * 400 for a '%' that is not followed by two hex digits, or that decodes to a NUL
 * byte ("%00"); 414 when the result and its NUL do not fit in out_size bytes.
 */
int percent_decode(const char *in, size_t in_length, char *out, size_t out_size);

/* Exercise 1.3: remove_dot_segments() in exercises/remove_dot_segments.c
 * Read: book/01-http-close.md, section "Staying inside the document root"
 *
 * path starts with '/'. Resolve its "." and ".." segments as RFC 3986 §5.2.4 does,
 * writing the result to out (NUL-terminated): "/a/./b/../c" gives "/a/c", "/a/."
 * gives "/a/", "/a/b/.." gives "/a/". Other segments, empty ones included, are kept
 * as they are ("//x" stays "//x"). A ".." that would climb above "/" must not be
 * dropped quietly: return 403. Return 414 when out_size is too small, else 0.
 */
int remove_dot_segments(const char *path, char *out, size_t out_size);

/* Exercise 1.4: mime_type() in exercises/mime_type.c
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

/* Exercise 1.5: write_all() in exercises/write_all.c
 * Read: book/01-http-close.md, section "Writing all the bytes"
 *
 * write() may write fewer bytes than you asked for (a short write), and may fail
 * with EINTR when a signal arrives first. Write all length bytes of buf to fd,
 * calling write() as often as it takes. Return length, or -1 (errno from write)
 * on a real error. fd is a blocking descriptor.
 */
ssize_t write_all(int fd, const void *buf, size_t length);

#endif
