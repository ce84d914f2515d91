/* stage.h: what the homework's stages share (tests/NN-.../stages/).
 *
 * A stage is a group of black-box tests of the learner's whole program: the runner
 * builds it from chapters/NN-.../exercises/ and names it in STAGE_PROGRAM; `make test`
 * names the chapter's reference program and the solution instead. A stage starts the
 * program on port 0, talks to it over loopback like any client, and when something
 * is wrong says so the way a tester would: what it sent, what it expected, what came
 * back, and where to look ("GET /hello.txt: expected 200, got 404").
 */
#ifndef STAGE_H
#define STAGE_H

#include "harness.h"

#include <check.h>
#include <stddef.h>
#include <sys/types.h>

/* How long a stage waits for the start line, and for an answer, before it says what
 * is missing (stretched by CK_TIMEOUT_MULTIPLIER). A stage as a whole has 10 s. */
#define STAGE_WAIT_MS   5000
#define STAGE_TIME_SECS 10

/* The monotonic clock in milliseconds, for a stage's deadlines. */
long long stage_now_ms(void);

/* STAGE_WAIT_MS stretched by CK_TIMEOUT_MULTIPLIER: how long a stage waits for what it
 * expects before it says what is missing. */
int stage_wait_ms(void);

/* Each chapter's stages file defines this: it adds the stages in the book's
 * order, each a TCase made by stage_tcase(). */
void add_stages(Suite *suite);

/* A TCase for stage id ("1.s3"), tagged "stage", with the stage time limit. */
TCase *stage_tcase(const char *id);

/* Start the program under test (STAGE_PROGRAM) as `PROGRAM -p 0 ARGS...` (args is
 * NULL-terminated; NULL for none) and wait for its start line. On failure the test
 * fails with what went wrong: "no start line on stdout within 5 s (expected
 * \"NAME: listening on ...PORT/\"): does main() print it, with fflush(stdout)?". */
void stage_start(struct server_proc *p, const char *const args[]);

/* Stop it with SIGTERM. Fails the test if it crashed, hung on SIGTERM, or left a
 * sanitizer report, saying which. */
void stage_stop(struct server_proc *p);

/* Connect to 127.0.0.1:port, or fail: "WHAT: could not connect to port N: is it
 * listening?". Returns the socket. */
int stage_connect(int port, const char *what);

/* Read one response, until the server closes the connection (at most STAGE_WAIT_MS
 * without a byte). Fails with "WHAT: connected, sent the request, no answer in 5 s:
 * stuck in accept() or read()?" when nothing came. Returns the length (response is
 * NUL-terminated). */
ssize_t stage_read_to_close(int fd, const char *what, char *response, size_t size);

/* One exchange on a new connection: connect, send request, read to the close. what
 * says what was sent, for messages ("GET /hello.txt"). */
ssize_t stage_exchange(int port, const char *what, const char *request, char *response,
                       size_t size);

/* Fail unless response (NUL-terminated) has status expected: "WHAT: expected 200,
 * got 404 (first line: \"HTTP/1.0 404 Not Found\")". hint, when not NULL, is added
 * on its own: where to look. */
void stage_expect_status(const char *what, const char *response, int expected,
                         const char *hint);

/* Fail unless the response has header name with exactly value (case-insensitive
 * name, exact value). */
void stage_expect_header(const char *what, const char *response, const char *name,
                         const char *value, const char *hint);

/* Fail unless the body (after the first empty line) is exactly the length bytes of
 * body: "WHAT: expected the file's 26 bytes as the body, got 0 bytes". */
void stage_expect_body(const char *what, const char *response, size_t response_length,
                       const void *body, size_t length, const char *hint);

#endif
