/* suites.h: chapter 3's suites, and the helpers test_chatd.c shares with test_chat.c. */
#ifndef SUITES_H
#define SUITES_H

#include "harness.h"

#include <check.h>
#include <stddef.h>
#include <sys/types.h>

#define CH3_DIR PROJECT_ROOT "/chapters/03-select-chat"
#define CHATD   CH3_DIR "/chatd"
#define CHAT    CH3_DIR "/chat"

Suite *chatd_suite(void);   /* the server, over real sockets */
Suite *chat_suite(void);    /* the client, driven through pipes, against the server */
Suite *hostile_suite(void); /* the server against a 10 MB line and a connection storm */

/* One end of a conversation: a descriptor (a socket, or a pipe from ./chat) and the
 * bytes read from it that are not yet part of a complete line. */
#define PEER_BUFFER (64 * 1024)
struct peer {
    int fd;
    size_t length;
    char data[PEER_BUFFER];
};

/* Milliseconds to wait for a line that should come: 5 s times CK_TIMEOUT_MULTIPLIER. */
int line_wait_ms(void);

/* Start ./chatd -p 0 with extra arguments (NULL-terminated list). ck_asserts. */
void start_chatd(struct server_proc *server, const char *const extra[]);

/* Wrap a descriptor; connect a new peer to port (ck_asserts). */
struct peer *peer_from_fd(int fd);
struct peer *peer_connect(int port);
void peer_close(struct peer *p);

/* The next complete line (without its LF), waiting at most timeout_ms. Returns its
 * length, or -1 on time-out, end of file or error (*eof set to 1 for end of file or a
 * reset, when eof is not NULL). Lines longer than size-1 are cut. */
ssize_t read_line(struct peer *p, char *out, size_t size, int timeout_ms, int *eof);

/* ck_assert that the next line is exactly want (a C string). */
void expect_line(struct peer *p, const char *want);

/* ck_assert that the peer closes (EOF or reset) with no more lines. */
void expect_closed(struct peer *p);

/* Connect and read the welcome line; returns the peer. The guest name the server gave
 * is stored in name (room for 32 bytes) when name is not NULL. */
struct peer *join(int port, char *name);

#endif
