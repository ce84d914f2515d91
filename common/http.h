/* http.h: the pieces of HTTP/1.x that chapters 1, 2 and 4 share.
 *
 * Reading a request with hard limits, parsing its request line and headers,
 * turning its target into a file under the document root without ever leaving
 * that root, and writing a response head: status texts, dates, MIME types.
 *
 * Functions that judge a request return 0 when it is fine and otherwise the HTTP
 * status code to answer with (400, 403, 404, 414, ...), so a server's code reads as
 * "if (status != 0) send_error(status)". References: RFC 9110 (semantics), RFC 9112
 * (HTTP/1.1 message syntax), RFC 3986 (URIs).
 *
 * Two source files implement it: http_parse.c, the text-only parts that need nothing
 * but the C library (the homework's reference answers compile it directly), and
 * http.c, the parts that read sockets and open files.
 */
#ifndef HTTP_H
#define HTTP_H

#include "io.h"

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#ifndef PATH_MAX /* POSIX lets a system leave it undefined */
#define PATH_MAX 4096
#endif

/* The limits: what a client may send us, and what it gets past them. */
#define HTTP_MAX_REQUEST_LINE 8192     /* bytes, without the line ending; else 414 */
#define HTTP_MAX_HEADER_BYTES 16384    /* header lines with their endings; else 431 */
#define HTTP_MAX_HEADERS      100      /* header lines; else 431 */
#define HTTP_MAX_PATH         PATH_MAX /* a decoded path longer than this: 414 */
/* Empty lines before a request line are skipped (RFC 9112 §2.2), up to this many
 * bytes of them; more is a 400. */
#define HTTP_MAX_EMPTY_LINE_BYTES 1024

/* Returned by http_read_request when there is nothing to answer: the client went
 * away, reset the connection, or sent nothing in time. Close without a response. */
#define HTTP_NO_RESPONSE (-1)

/* Returned by http_parse_head while the head is neither complete nor over a limit:
 * read more bytes and call it again. */
#define HTTP_HEAD_INCOMPLETE (-2)

/* The most bytes a head can take before http_parse_head has decided: the empty
 * lines it skips, the request line, the header allowance, and their line endings.
 * A buffer this big never fills before a verdict. */
#define HTTP_MAX_HEAD_BYTES                                                              \
    (HTTP_MAX_EMPTY_LINE_BYTES + 2 + HTTP_MAX_REQUEST_LINE + 2 + HTTP_MAX_HEADER_BYTES + \
     2)

struct http_header {
    char *name;  /* as sent; compare without regard to case */
    char *value; /* with leading and trailing spaces and tabs removed */
};

struct http_request_line {
    char *method;  /* "GET"; methods are case-sensitive */
    char *target;  /* "/index.html" or "http://host/index.html" */
    char *version; /* "HTTP/1.1" */
    int major, minor;
};

struct http_request {
    char line[HTTP_MAX_REQUEST_LINE + 1]; /* the request line as received, for the log */
    struct http_request_line request_line;
    struct http_header headers[HTTP_MAX_HEADERS];
    size_t header_count;
    int complete; /* 1 when the whole head, up to its empty line, was read */
    /* 1 when a header line did not parse, even if the status returned is an earlier
     * error (405, 501): see http_read_request. */
    int bad_header;
    /* Lines are copied here out of the reader, which may then move its bytes. */
    char storage[HTTP_MAX_REQUEST_LINE + 1 + HTTP_MAX_HEADER_BYTES];
    size_t storage_used;

    /* Where http_parse_head has got to, so that each call goes on from there. */
    size_t parsed;       /* offset of the first line not parsed yet */
    size_t head_length;  /* once decided: the bytes the head took (all, if incomplete) */
    int have_line;       /* the request line is parsed */
    int line_status;     /* its verdict: 0, 405, 501 or 505 */
    int header_status;   /* the first bad header's: 0 or 400 */
    size_t header_bytes; /* header lines so far, with their endings */
    size_t header_lines;
};

/* Make req ready for http_parse_head (a new request). */
void http_request_init(struct http_request *req);

/* Parse the request head that has arrived so far, bytes[0..length), going on from
 * where the last call on the same bytes stopped (the caller only ever appends). It
 * does no I/O: chapter 1 reads the socket itself and calls this after every read.
 * Returns HTTP_HEAD_INCOMPLETE (read more, then call again) or the verdict, as
 * http_read_request describes it: 0 for a request to serve, or an error status;
 * then req->head_length says how many bytes the head took. Empty lines before the
 * request line are skipped (RFC 9112 §2.2), up to HTTP_MAX_EMPTY_LINE_BYTES of them;
 * more is a 400. */
int http_parse_head(struct http_request *req, const char *bytes, size_t length);

/* Read one request head (request line and headers, up to the empty line) from r,
 * enforcing the limits above, and parse it (http_parse_head, after every read). The whole
 * head must arrive before deadline_ms. Consumes the head from the reader; bytes after it
 * (a body, or the next pipelined request) stay buffered. Returns 0 for a request to
 * serve, an error status (the first that applies, in this order: 400/414 request line,
 * 505 version, 501/405 method, 431/400 headers) or HTTP_NO_RESPONSE. After 400 or 414 for
 * the request line, or 431, req->complete is 0: the rest of the head was not read. A
 * header line that does not parse is left out of req->headers but sets req->bad_header,
 * also when the status returned is an earlier 405 or 501: a server must not keep such a
 * connection, since that line may have framed a body (a Content-Length) for another
 * server on the way. */
int http_read_request(struct io_reader *r, struct http_request *req,
                      long long deadline_ms);

/* Split "METHOD SP TARGET SP HTTP/d.d" in place (the spaces become NULs). Returns 0
 * for GET and HEAD; 400 for a malformed line or version; 505 for a major version other
 * than 1; 405 for a known method we do not allow; 501 for any other method. */
int http_parse_request_line(char *line, struct http_request_line *out);

/* Split "Name: value" in place. Returns 0 or 400 (no colon, a space before it, a name
 * that is not a token, a line folded onto the previous one, control bytes). */
int http_parse_header_line(char *line, struct http_header *out);

/* The value of the first header with this name (any case), or NULL. */
const char *http_header_value(const struct http_request *req, const char *name);

/* How many headers have this name (any case). */
size_t http_header_count(const struct http_request *req, const char *name);

/* Does a comma-separated header value ("keep-alive, Upgrade") list token? Spaces
 * and tabs around each item are ignored; tokens compare without regard to case.
 * Returns 1 or 0. */
int http_list_has_token(const char *value, const char *token);

/* Does any header named `name` list `token` (http_list_has_token)? Returns 1 or 0. */
int http_header_has_token(const struct http_request *req, const char *name,
                          const char *token);

/* Parse a Content-Length value strictly: digits only ("12"), or a list of identical
 * values ("12, 12", which RFC 9110 §8.6 lets a recipient accept). No sign, no spaces
 * inside a number, no overflow. Returns 0 with *out set, or -1. */
int http_parse_content_length(const char *value, long long *out);

/* Percent-decode in[0..in_length) once ("%2F" becomes "/") into out, NUL-terminated.
 * Returns 0; 400 for a '%' not followed by two hex digits or for "%00" (a NUL would
 * cut the path short when it reaches the C library); 414 if out_size is too small. */
int http_percent_decode(const char *in, size_t in_length, char *out, size_t out_size);

/* The path of a request target, decoded: origin-form "/a%20b?q" gives "/a b";
 * absolute-form "http://host/a" gives "/a" (the host is ignored). The query is
 * dropped, not decoded. Returns 0, 400 (another form, or bad encoding) or 414. */
int http_target_path(const char *target, char *path, size_t path_size);

/* Resolve "." and ".." segments of an absolute path, as RFC 3986 §5.2.4 does:
 * "/a/./b/../c" gives "/a/c". Unlike the RFC, a ".." that would climb above "/" is
 * not silently dropped: it returns 403. Returns 0, 403, or 414 if out is too small. */
int http_remove_dot_segments(const char *path, char *out, size_t out_size);

/* A file opened for a request. */
struct http_file {
    int fd;
    off_t size;
    time_t modified;
    char real_path[PATH_MAX]; /* with symlinks resolved; its extension picks the MIME type
                               */
};

/* Resolve a document root given on the command line to the real path that
 * http_open_file() wants (out needs PATH_MAX bytes). Returns 0, or -1 with errno
 * (ENOTDIR if it is not a directory). */
int http_real_root(const char *dir, char *out);

/* Open the file that a clean path (from http_remove_dot_segments) names under root,
 * (A limit worth knowing: the check and the open() are two steps, so someone who can
 * write inside the root could swap in a symlink between them. Fine for a root that
 * only the operator writes to; openat() with O_NOFOLLOW per component closes it.)
 * which must itself be a real path (from realpath()). A directory serves its
 * index.html. Returns 0 with f->fd open for reading; 301 for a directory named without
 * its trailing slash; 403 when the real path (symlinks followed) leaves the root, for
 * anything but a regular file, for a directory without index.html, or for a file we
 * may not read; 404 when it does not exist (or cannot: a name too long); 500. */
int http_open_file(const char *root, const char *path, struct http_file *f);

/* Room for a Location header's value: a path plus "/", every byte percent-encoded. */
#define HTTP_LOCATION_SIZE (3 * (HTTP_MAX_PATH + 2))

/* From a request target to an open file under root, in three steps that must come in
 * this order: decode the target (http_target_path), resolve its dot-segments
 * (http_remove_dot_segments), then look at the disk (http_open_file). Returns 0 with
 * f->fd open; 301 with location (HTTP_LOCATION_SIZE bytes) set to the directory's
 * path plus "/", encoded; or the error status. */
int http_find_file(const char *root, const char *target, struct http_file *f,
                   char *location, size_t location_size);

/* Percent-encode a path for a Location header: bytes other than letters, digits,
 * "-._~!$&'()*+,;=:@/" become %XX. Returns 0, or -1 if out is too small. */
int http_encode_path(const char *path, char *out, size_t out_size);

/* "Not Found" for 404, and so on; "Unknown" for codes we never send. */
const char *http_status_text(int status);

/* The Content-Type for a file name, by extension: "text/html; charset=utf-8",
 * "image/png", ...; application/octet-stream when unknown. */
const char *http_mime_type(const char *path);

/* Format t as an IMF-fixdate, "Sun, 29 Nov 2026 14:02:03 GMT" (RFC 9110 §5.6.7).
 * out needs HTTP_DATE_SIZE bytes. Returns 0 or -1. */
#define HTTP_DATE_SIZE 30
int http_format_date(time_t t, char *out, size_t out_size);

/* Parse an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") into *out, computing the
 * time_t by hand (timegm() is not in POSIX 2008; strptime() is only in its XSI option).
 * Other date formats and impossible dates return -1. */
int http_parse_date(const char *text, time_t *out);

/* What goes into a response head. */
struct http_head {
    const char *version; /* "HTTP/1.0" */
    int status;
    const char *server;       /* the Server header */
    const char *content_type; /* NULL: none */
    long long content_length; /* < 0: no Content-Length header */
    time_t last_modified;     /* 0: no Last-Modified header */
    const char *location;     /* NULL: none */
    const char *allow;        /* NULL: none */
    const char *connection;   /* "close", "keep-alive"; NULL: none */
};

/* Format the status line and headers, ending with the empty line, into buf. Returns
 * the length, or -1 if buf is too small. */
int http_format_head(const struct http_head *head, char *buf, size_t size);

/* A short HTML page explaining an error status. Returns its length, or -1. */
int http_error_body(int status, char *buf, size_t size);

/* An http:// URL split for a client: "http://[::1]:8001/a?b" gives host "::1",
 * port "8001", path "/a?b". The port defaults to 80, the path to "/". */
struct http_url {
    char host[256];
    char port[8];
    char path[HTTP_MAX_REQUEST_LINE + 1];
};

/* Returns 0, or -1 for anything that is not such a URL. */
int http_parse_url(const char *url, struct http_url *out);

/* The status code of a response's status line, "HTTP/1.0 200 OK", or -1. */
int http_parse_status_line(const char *line, size_t length);

#endif
