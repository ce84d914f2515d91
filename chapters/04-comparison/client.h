/* client.h: the client side of every experiment: a connection that counts the bytes
 * it sends and receives, and the two protocols spoken over it (an HTTP GET, a line of
 * chat).
 *
 * The counts are payload bytes, what write() and read() saw: the bytes the protocol
 * itself costs. TCP and IP headers come on top; model.h estimates them.
 */
#ifndef CLIENT_H
#define CLIENT_H

#include "io.h"

#include <stddef.h>

#define CONN_EOF (-2) /* returned when the server closed the connection */

struct conn {
    int fd; /* -1 while closed */
    long long sent;
    long long received; /* bytes read and consumed */
    struct io_reader reader;
};

/* A closed connection with zero counts. */
void conn_init(struct conn *c);

/* Connect to host:port (blocking); turns Nagle's algorithm off, as the servers do,
 * so a small request leaves at once. Returns 0, or -1 with a message in why. */
int conn_open(struct conn *c, const char *host, const char *port, char *why,
              size_t why_size);

void conn_close(struct conn *c);

/* Write all bytes. Returns 0, or -1 with errno. */
int conn_send(struct conn *c, const void *data, size_t length);

/* Take one complete line (without its LF) that has already arrived, copying at most
 * size-1 bytes into out (NUL-terminated). Returns its length, or -1 if no whole line
 * is buffered yet. Reads nothing: for an event loop that polls the socket itself. */
long conn_take_line(struct conn *c, char *out, size_t size);

/* Read until one line is complete, waiting until deadline_ms at most. Returns its
 * length, CONN_EOF, or -1 with errno (ETIMEDOUT, ...). */
long conn_read_line(struct conn *c, char *out, size_t size, long long deadline_ms);

/* Why a conn_* call failed, in words: "the server closed the connection", or errno. */
const char *conn_error(long rc);

/* ---- HTTP ------------------------------------------------------------------------ */

#define ANSWER_BODY_MAX 256 /* body bytes kept for the caller; the rest is counted */

struct http_answer {
    int status;
    long long content_length; /* -1: none */
    int server_closes;        /* "Connection: close" */
    size_t body_length;       /* bytes kept in body */
    char body[ANSWER_BODY_MAX + 1];
};

/* Send "GET path" to the server at host:port. version_minor 0 sends HTTP/1.0, whose
 * connection closes after the answer (chapter 1); 1 sends HTTP/1.1, which keeps it
 * (chapter 2). Returns 0 or -1 with errno. */
int http_send_get(struct conn *c, const char *host, const char *port, const char *path,
                  int version_minor);

/* Read one answer: the head, then a body of Content-Length bytes; or, with
 * until_close, everything up to the server's close (how an HTTP/1.0 client knows the
 * answer is complete). Returns 0, CONN_EOF (closed before a whole answer), or -1 with
 * errno (EPROTO: not HTTP). */
int http_read_answer(struct conn *c, int until_close, struct http_answer *a,
                     long long deadline_ms);

#endif
