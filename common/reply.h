/* reply.h: sending an HTTP response: its head, then a file or a short error page.
 *
 * Chapter 1 introduces these and chapter 2 reuses them, so they live here. A reply
 * knows its connection, the version to answer with, and what to put in the
 * Connection header; the send functions fill in what happened, for the access log.
 * Nothing here prints: a function that fails returns -1 with errno (ETIMEDOUT: the
 * client stopped reading; EPIPE or ECONNRESET: it went away) and the server decides.
 */
#ifndef REPLY_H
#define REPLY_H

#include "http.h"

#include <stddef.h>
#include <time.h>

/* Files go out in pieces of this size, so memory use is the same for 1 KiB and 1 GiB. */
#define REPLY_CHUNK_SIZE (64 * 1024)

struct http_reply {
    int fd;                 /* the connection */
    const char *version;    /* "HTTP/1.0" or "HTTP/1.1" */
    const char *server;     /* the Server header */
    const char *connection; /* the Connection header: "close", "keep-alive" or NULL */
    int head_only;          /* answering HEAD: the same head, no body */
    int timeout_ms;         /* give up on a client that reads nothing for this long */
    /* NULL, or a function shown every byte sent (the -v trace: log_wire) */
    void (*trace)(int fd, int direction, const void *data, size_t length);
    /* Where the head and the file's pieces are put together before they are sent:
     * the caller's (a connection's), so nothing here hides a static buffer. A file
     * goes out in pieces of buffer_size; REPLY_CHUNK_SIZE is a good size, and a
     * status page needs room for its head (a Location may be long) and page. */
    char *buffer;
    size_t buffer_size;

    /* Filled in by the send functions: */
    int status;           /* the status sent */
    long long body_bytes; /* body bytes sent; -1 for none (the access log prints "-") */
};

/* Send 200 with the file's headers, then (unless head_only) its bytes. Returns 0, or
 * -1 with errno; after -1 the connection must be closed, since the head promised
 * bytes that did not all go out. */
int http_send_file(struct http_reply *reply, const struct http_file *file);

/* Send 304 Not Modified for a file the client already has: headers only, and no
 * Content-Length (RFC 9110 §15.4.5: a 304 never has a body). Returns 0 or -1. */
int http_send_not_modified(struct http_reply *reply, const struct http_file *file);

/* Send a status with a short HTML page explaining it (no page for HEAD); location,
 * if not NULL, becomes the Location header (for 301). Returns 0 or -1 with errno. */
int http_send_status(struct http_reply *reply, int status, const char *location);

/* Write bytes on the reply's connection, showing them to trace first. Returns 0 or -1
 * with errno. */
int http_send_bytes(struct http_reply *reply, const char *data, size_t length);

#endif
