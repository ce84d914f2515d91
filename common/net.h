/* net.h: opening TCP sockets by name, for IPv4 and IPv6 alike.
 *
 * Every chapter listens or connects; getaddrinfo() turns "127.0.0.1" or "::1" and
 * "8001" into socket addresses, so no code here cares which IP version it gets.
 * On failure these functions return -1, keep errno, and write a one-line reason
 * into `why` (for example "bind 127.0.0.1 port 8001: Address already in use"):
 * the program decides whether and how to print it.
 */
#ifndef NET_H
#define NET_H

#include <stddef.h>

/* Room for a numeric IPv6 address in brackets plus ":65535". */
#define NET_ADDRSTRLEN 64

/* The listen() backlog the servers ask for: how many connections the kernel may hold
 * for us, not yet accept()ed. It caps the number at its own limit (Linux:
 * net.core.somaxconn, 4096 by default; macOS: kern.ipc.somaxconn, 128). SOMAXCONN says
 * 4096 with glibc but 128 with musl and on macOS, and on Linux a backlog of 128 drops
 * an occasional SYN when connections come and go fast: that client's connect() then
 * waits a whole second for the retry. */
#define NET_LISTEN_BACKLOG 4096

/* Bind and listen on host:port (port "0" lets the kernel choose a free one). This is
 * chapter 1's open_listener() (chapters/01-http-close/httpd.c), with the reason for a
 * failure written into `why` for the caller instead of printed: SO_REUSEADDR, so a
 * restarted server can bind while old connections sit in TIME_WAIT, and O_NONBLOCK,
 * so that accept() never waits (a client may give up between select() and accept()).
 * Returns the listening descriptor or -1. */
int net_listen(const char *host, const char *port, int backlog, char *why,
               size_t why_size);

/* Connect to host:port, trying each address getaddrinfo returns: chapter 1's
 * connect_to() (chapters/01-http-close/get.c), with the reason for a failure written
 * into `why`, and a connect() that a signal interrupts finished rather than failed
 * (a program with signal handlers can see EINTR there). Blocking. Returns the
 * connected descriptor or -1. */
int net_connect(const char *host, const char *port, char *why, size_t why_size);

/* accept() for a server's loop. Returns the new connection, or -1 with errno. What
 * concerns one client only (ECONNABORTED: it gave up while queued) or a signal
 * (EINTR) comes back as EAGAIN, which the caller may ignore. Out of descriptors
 * (EMFILE, ENFILE) it first waits 100 ms: the listening socket stays readable, and
 * retrying at once would spin at full speed, printing errors, until one is free. */
int net_accept(int listen_fd);

/* The port a socket is bound to (after binding port 0, the one the kernel chose),
 * or -1. */
int net_local_port(int fd);

/* The URL a server prints when it starts: "SCHEME://127.0.0.1:PORT/", with the
 * address in brackets for IPv6 ("http://[::1]:8002/"). Returns 0 or -1. */
int net_listen_url(int fd, const char *scheme, char *buf, size_t size);

/* The numeric address of a peer, "127.0.0.1" or "::1", for logs. Returns 0 or -1. */
int net_peer_address(int fd, char *buf, size_t size);

/* Switch O_NONBLOCK on or off with fcntl() (portable, unlike Linux's SOCK_NONBLOCK).
 * Returns 0 or -1. */
int net_set_nonblocking(int fd, int on);

#endif
