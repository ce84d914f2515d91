/* harness.h: what the Check suites share: starting the real programs, talking to
 * them over loopback sockets, and a few file helpers.
 *
 * Servers are started on port 0 and the port is read from their first stdout line
 * ("httpd: listening on http://127.0.0.1:PORT/"), so suites never collide on a port.
 * Every wait has a time limit; nothing here sleeps to synchronise.
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <check.h>
#include <stddef.h>
#include <sys/types.h>

/* Where the built programs are: set by tests/Makefile. */
#ifndef PROJECT_ROOT
#error "PROJECT_ROOT must be defined by the Makefile"
#endif
#define CH1_DIR PROJECT_ROOT "/chapters/01-http-close"

/* The program a suite tests: reference, a chapter's own program (CH1_DIR "/httpd"),
 * unless TESTED_PROGRAM names another. run-suites.sh names the homework's
 * solution program there, and runs only the tests tagged SOLUTION_TAG: those whose
 * behaviour the homework's stages cover. */
char *tested_program(char *reference);
#define SOLUTION_TAG "solution"

/* A server process started for a test. */
struct server_proc {
    pid_t pid;
    int port;
    /* A server with two listeners names both: "pushd: listening on
     * http://127.0.0.1:8005/ and chat://127.0.0.1:8004/". port is the first URL's,
     * port2 the second's (0 when there is only one). */
    int port2;
    char url[128]; /* the URL(s) from its first line */
    int stderr_fd; /* its stderr: a temporary file, already unlinked */
};

/* Start program with argv (argv[0] included, NULL-terminated); wait for its
 * listening line (at most 10 s times CK_TIMEOUT_MULTIPLIER). Returns 0 or -1. */
int server_start(struct server_proc *p, const char *program, char *const argv[]);

/* The same, waiting at most timeout_ms (not stretched) for the start line; on failure
 * it writes why in plain words into why (unless NULL): "no start line on stdout within
 * 5 s", "exited with status 1 before printing its start line", "crashed (signal 11,
 * Segmentation fault) before printing its start line". */
int server_start_explained(struct server_proc *p, const char *program, char *const argv[],
                           int timeout_ms, char *why, size_t why_size);

/* waitpid() with a time limit, polling (there is no portable timed wait): 0 with
 * *status once pid has ended and is reaped, -1 if it has not within timeout_ms (0: look
 * once) or cannot be waited for. */
int wait_for_exit(pid_t pid, int timeout_ms, int *status);

/* SIGTERM, then wait (at most 10 s, then SIGKILL). Returns the exit status (0-255),
 * 128+signal if it died of a signal, or -1. */
int server_stop(struct server_proc *p);

/* Read the server's stderr so far into buf (NUL-terminated), before server_stop.
 * Returns its length. */
size_t server_stderr(const struct server_proc *p, char *buf, size_t size);

/* Wait until the server's stderr holds text (at most timeout_ms, stretched by
 * CK_TIMEOUT_MULTIPLIER): a way to know what it is doing, such as "<<< GET" in a -v
 * trace when it has read a request. Returns 1 when seen, 0 on time-out. */
int server_stderr_wait(const struct server_proc *p, const char *text, int timeout_ms);

/* The start of a sanitizer's report in a server's stderr (log), or NULL. */
const char *sanitizer_report(const char *log);

/* Stop the server and fail the test unless it ended well: no sanitizer report in its
 * stderr, and exit status 0 on SIGTERM (under VALGRIND=1: no valgrind error either).
 * name is for the failure message. */
void server_stop_clean(struct server_proc *p, const char *name);

/* Send signo (SIGTERM, SIGINT) and fail the test unless the server exits 0 within
 * limit_ms (stretched by CK_TIMEOUT_MULTIPLIER), with no sanitizer report. For the
 * contract "a signal ends the server within 1 s, whatever its clients are doing":
 * call it while a client holds the server busy (half a request sent, a response the
 * client never reads, an idle kept connection). name is for the failure message. */
void server_stop_within(struct server_proc *p, int signo, int limit_ms, const char *name);

/* Connect to 127.0.0.1:port. Returns a blocking socket, or -1. */
int tcp_connect(int port);

/* Send all bytes (ck_assert on failure). */
void send_all(int fd, const void *data, size_t length);
void send_text(int fd, const char *text);

/* Read until the peer closes, size-1 bytes arrive, or timeout_ms passes without
 * data. NUL-terminates. Returns the byte count, or -1 on a read error (after having
 * stored what arrived). */
ssize_t recv_until_close(int fd, char *buf, size_t size, int timeout_ms);

/* Is the connection closed by the peer within timeout_ms (EOF or reset, with no
 * data)? Returns 1 closed, 0 still open or data arrived. */
int wait_closed(int fd, int timeout_ms);

/* One complete exchange: connect, send request, read until close. Returns the
 * response length (response NUL-terminated). */
ssize_t http_exchange(int port, const char *request, char *response, size_t size);

/* The status code of a response held in text, or -1. */
int response_status(const char *response);

/* A header's value in a response (case-insensitive name), copied into out; 0 or -1. */
int response_header(const char *response, const char *name, char *out, size_t size);

/* The body: what follows the first empty line. NULL if there is none. */
const char *response_body(const char *response, size_t length, size_t *body_length);

/* Descriptors a process has open (from /proc/PID/fd), or -1 where there is no /proc. */
int count_open_fds(pid_t pid);

/* The same, once the count has held still for 100 ms (waiting at most 2 s): a server
 * may still be closing the connection a test has just finished with (a lingering
 * close waits for the client's FIN), and a count taken at once would include it. */
int count_open_fds_settled(pid_t pid);

/* A fresh temporary directory; path needs 64 bytes. ck_asserts on failure. */
void make_temp_dir(char *path);
/* Write a file dir/name (creating it) with the given bytes. */
void write_file(const char *dir, const char *name, const void *data, size_t length);
/* Remove a directory tree made by make_temp_dir (best effort). */
void remove_tree(const char *path);

/* Run a program to completion with stdout captured (stderr to /dev/null unless
 * err is given). Returns its exit status, 128+signal, or -1. */
int run_program(char *const argv[], char *out, size_t out_size, size_t *out_length,
                char *err, size_t err_size);

/* CK_TIMEOUT_MULTIPLIER as a number (1 when unset), to scale waits in tests. */
int timeout_multiplier(void);

/* Run suites in fork mode (so each test has its timeout), print Check's summary, and
 * return the exit status for main(): non-zero on any failure, or if no test ran. */
int run_suites(Suite **suites, size_t count);

#endif
