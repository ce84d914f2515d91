/* tool/conn.h: the tool around chapter 4's lesson, not the lesson.
 * The client side every experiment drives: a connection that counts what it costs,
 * and the two protocols spoken over it (an HTTP GET, a line of chat).
 *
 * The byte counts are payload bytes, what write() and read() saw: the bytes the
 * protocol itself costs. Under them, TCP carries the bytes in segments, each with its
 * IP and TCP headers. A program cannot see segments, but on Linux it can ask the
 * kernel how many it sent and received on a socket (conn_segments()); elsewhere the
 * count is unknown (-1) and compare falls back on model.h.
 */
#ifndef CONN_H
#define CONN_H

#include "io.h"

#include <stddef.h>

#define CONN_EOF (-2) /* returned when the server closed the connection */

struct conn {
    int fd; /* -1 while closed */
    long long sent;
    long long received; /* bytes read and consumed */
    long segments;      /* TCP segments of the connections already closed; -1: unknown */
    struct io_reader reader;
};

/* A closed connection with zero counts. */
void conn_init(struct conn *c);

/* Connect to host:port (blocking); turns Nagle's algorithm off, as the servers do,
 * so a small request leaves at once. The counts go on from where they were. Returns
 * 0, or -1 with a message in why. */
int conn_open(struct conn *c, const char *host, const char *port, char *why,
              size_t why_size);

/* Close at once. The segments the connection took so far are added to c->segments
 * (those of the close itself are not: nobody waits for them). */
void conn_close(struct conn *c);

/* The server has closed its side (or will): close ours, wait (100 ms at most) until
 * the server has acknowledged our FIN, and add every segment of the connection, the
 * close included, to c->segments. */
void conn_hang_up(struct conn *c);

/* Segments sent and received so far on this struct conn: its closed connections and
 * the open one, counted by the kernel (getsockopt TCP_INFO, Linux 4.2 and later).
 * -1 where the kernel does not count them for us (other systems, older Linux). */
long conn_segments(const struct conn *c);

/* Segment counts add up, and subtract; an unknown count (-1) makes the result -1. */
long conn_segments_plus(long a, long b);
long conn_segments_since(long now, long before);

/* Write all bytes. Returns 0, or -1 with errno. */
int conn_send(struct conn *c, const void *data, size_t length);

/* Hand the first n buffered bytes (n <= what is buffered) to the caller: that is when
 * they count as received. */
void conn_consume(struct conn *c, size_t n);

/* Take one complete line (without its LF) that has already arrived, copying at most
 * size-1 bytes into out (NUL-terminated). Returns its length, or -1 if no whole line
 * is buffered yet. Reads nothing: for an event loop that polls the socket itself. */
long conn_take_line(struct conn *c, char *out, size_t size);

/* Read until one line is complete, waiting until deadline_ms at most. Returns its
 * length, CONN_EOF, or -1 with errno (ETIMEDOUT, ...). */
long conn_read_line(struct conn *c, char *out, size_t size, long long deadline_ms);

/* Why a conn_* call failed, in words: "the server closed the connection", or errno. */
const char *conn_error(long rc);

#ifdef __linux__
#include <stdint.h>
/* The start of Linux's struct tcp_info (see kernel_segments() in conn.c). */
struct conn_linux_tcp_info {
    uint8_t state;              /* tcpi_state */
    uint8_t other_u8[7];        /* tcpi_ca_state .. the wscale and flag bits */
    uint32_t other_u32[24];     /* tcpi_rto .. tcpi_total_retrans */
    uint64_t other_u64[4];      /* tcpi_pacing_rate .. tcpi_bytes_received */
    uint32_t segs_out, segs_in; /* tcpi_segs_out, tcpi_segs_in (Linux 4.2) */
};
#define CONN_LINUX_TCP_CLOSE 7 /* tcpi_state of a connection that is over */
#endif

/* ---- Chat ------------------------------------------------------------------------ */

/* Connect to a chat server and read its welcome, "* welcome to chatd, you are
 * guest3; ..." (or pushd's), whose name goes into nick (10 s at most). Returns 0, or -1
 * (closed again) with a message in why. */
int conn_join_chat(struct conn *c, const char *host, const char *port, char *nick,
                   size_t nick_size, char *why, size_t why_size);

/* Read lines (10 s at most for each) until one equals want, or with
 * prefix_only starts with it. Other lines ("* guest3 joined") are part of a chat, and
 * skipped. Returns 0, or -1 with a message in why. */
int conn_wait_for_line(struct conn *c, const char *want, int prefix_only, char *why,
                       size_t why_size);

/* ---- HTTP ------------------------------------------------------------------------ */

#define ANSWER_BODY_MAX 4096 /* body bytes kept for the caller; the rest is counted */

struct conn_answer {
    int status;
    long long content_length; /* -1: none */
    int server_closes;        /* "Connection: close" */
    size_t body_length;       /* bytes kept in body */
    char body[ANSWER_BODY_MAX + 1];
};

/* Send "GET path" to the server at host:port. version_minor 0 sends HTTP/1.0, whose
 * connection closes after the answer (chapter 1); 1 sends HTTP/1.1, which keeps it
 * (chapter 2). Returns 0 or -1 with errno. */
int conn_send_get(struct conn *c, const char *host, const char *port, const char *path,
                  int version_minor);

/* Read one answer: the head, then a body of Content-Length bytes; or, with
 * until_close, everything up to the server's close (an HTTP/1.0 server closes after
 * every answer, and chapter 1's get reads until it does). Returns 0, CONN_EOF (closed
 * before a whole answer), or -1 with errno (EPROTO: not HTTP). */
int conn_read_answer(struct conn *c, int until_close, struct conn_answer *a,
                     long long deadline_ms);

/* Read only the head of an answer (a 101, or a response whose body never ends),
 * leaving what follows in the reader. Returns 0, CONN_EOF, or -1 with errno. */
int conn_read_head(struct conn *c, struct conn_answer *a, long long deadline_ms);

/* One whole exchange on an open connection: conn_send_get(), then conn_read_answer()
 * (up to the close for HTTP/1.0), which must say 200. Returns 0, or -1 with a message
 * in why. */
int conn_get(struct conn *c, const char *host, const char *port, const char *path,
             int version_minor, struct conn_answer *a, long long deadline_ms, char *why,
             size_t why_size);

#endif
