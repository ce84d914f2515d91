/* tool/started_server.h: the tool around chapter 4's lesson, not the lesson.
 * Starting the chapters' servers, finding their ports, and stopping them.
 *
 * compare runs each server as a child process on port 0 and reads the port from the
 * one line every server prints first ("httpd: listening on http://127.0.0.1:PORT/";
 * pushd adds " and chat://127.0.0.1:PORT2/", its second port).
 * Every server runs in a process group of its own, so that Ctrl-C in the terminal
 * reaches compare alone, and compare ends its servers itself, in order, waiting for
 * each: chapter 2's server then ends its workers, and nothing is left behind.
 */
#ifndef STARTED_SERVER_H
#define STARTED_SERVER_H

#include "net.h"

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* A server compare measures: one it started as a child process, or one given on the
 * command line (--chN HOST:PORT) that it only connects to. Not a chapter's own
 * `struct server` (a server's state): this is compare's record of a process. */
struct started_server {
    const char *name;        /* "chapter 1's httpd", for messages */
    const char *make_target; /* "ch1": what builds it */
    char program[PATH_MAX];  /* the binary's path */
    pid_t pid;               /* > 0: we started it and it is not yet reaped */
    int given;               /* 1: a running server given with --chN HOST:PORT */
    char host[NET_ADDRSTRLEN];
    char port[8];
    char port2[8]; /* a second port (pushd's chat port), or "" */
};

/* Set the binary's path (root/relative) and check that it is there and executable.
 * Returns 0, or -1 with a message in why that says how to build it. */
int started_server_find(struct started_server *s, const char *root, const char *relative,
                        char *why, size_t why_size);

/* Use a server that is already running at "HOST:PORT" (or "[::1]:PORT"). Returns 0,
 * or -1 when the text is not of that form. */
int started_server_use(struct started_server *s, const char *host_port);

/* Start s->program with argv (argv[0] first, NULL-terminated), its stdout read
 * through a pipe until the listening line, its stderr sent to /dev/null unless
 * verbose. Returns 0 with host and port set, or -1 with a message in why (the server
 * is then stopped again). */
int started_server_start(struct started_server *s, char *const argv[], int verbose,
                         char *why, size_t why_size);

/* Is a server we started still running? Returns 1, or 0 with how it ended in why. A
 * given server counts as running: only connecting to it can tell. */
int started_server_running(const struct started_server *s, char *why, size_t why_size);

/* SIGTERM, wait for it to exit (then SIGKILL if it takes too long), end anything left
 * in its process group, reap it. Nothing for a given server. */
void started_server_stop(struct started_server *s);

#endif
