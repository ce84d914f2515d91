/* stage.c: see stage.h. */
#include "stage.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long the program may take to exit after SIGTERM before we call it stuck. */
#define STAGE_STOP_MS 2000

TCase *stage_tcase(const char *id)
{
    TCase *tc = tcase_create(id);
    tcase_set_tags(tc, "stage");
    tcase_set_timeout(tc, STAGE_TIME_SECS);
    return tc;
}

long long stage_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int stage_wait_ms(void)
{
    return STAGE_WAIT_MS * timeout_multiplier();
}

/* The program under test, from STAGE_PROGRAM. */
static const char *program_under_test(void)
{
    const char *program = getenv("STAGE_PROGRAM");
    ck_assert_msg(
        program != NULL && program[0] != '\0',
        "STAGE_PROGRAM is not set: stages run from `make homework` or `make test`");
    return program;
}

/* Check runs each test in a process group of its own, and the server we start stays
 * in it. The runner (tests/homework.sh) names a file in STAGE_PGROUPS where we note
 * that group, so that on Ctrl-C it can stop the test and the learner's server with
 * one kill, whatever state they are in. */
static void record_process_group(void)
{
    const char *path = getenv("STAGE_PGROUPS");
    FILE *f = path != NULL ? fopen(path, "a") : NULL;
    if (f != NULL) {
        fprintf(f, "%ld\n", (long)getpgrp());
        fclose(f);
    }
}

/* The server under test can die while a test is still talking to it; the test only
 * sees a reset or silence. So we watch it: a SIGCHLD handler notes how it ended and
 * leaves that in STAGE_STDERR_DIR/server-ended, where the runner finds it and says
 * "your server crashed (signal 11, SEGV)" instead of a vague failure. */
static pid_t watched_pid;
static char ended_path[512];

/* Append the decimal digits of n to text (async-signal-safe). */
static size_t put_number(char *text, size_t at, int n)
{
    char digits[12];
    size_t count = 0;
    do {
        digits[count++] = (char)('0' + n % 10);
        n /= 10;
    } while (n > 0 && count < sizeof digits);
    while (count > 0)
        text[at++] = digits[--count];
    return at;
}

/* SIGCHLD: if the watched server has ended, write "signal N" or "exit N" to
 * ended_path. WNOWAIT only looks: the server stays a zombie for stage_stop() (or
 * whoever stops it) to reap as usual. Only async-signal-safe calls here. */
static void note_server_end(int signo)
{
    (void)signo;
    int saved_errno = errno;
    siginfo_t info;
    memset(&info, 0, sizeof info);
    if (watched_pid > 0 && ended_path[0] != '\0' &&
        waitid(P_PID, (id_t)watched_pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid == watched_pid) {
        char text[32];
        size_t length;
        if (info.si_code == CLD_EXITED) {
            memcpy(text, "exit ", 5);
            length = put_number(text, 5, info.si_status);
        } else {
            memcpy(text, "signal ", 7);
            length = put_number(text, 7, info.si_status);
        }
        text[length++] = '\n';
        int fd = open(ended_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            ssize_t written = write(fd, text, length);
            (void)written;
            close(fd);
        }
    }
    errno = saved_errno;
}

static void watch_server(pid_t pid)
{
    const char *dir = getenv("STAGE_STDERR_DIR");
    if (dir != NULL && dir[0] != '\0')
        snprintf(ended_path, sizeof ended_path, "%s/server-ended", dir);
    watched_pid = pid;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = note_server_end;
    action.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigemptyset(&action.sa_mask);
    sigaction(SIGCHLD, &action, NULL);
    note_server_end(SIGCHLD); /* it may have died before the handler was there */
}

/* A stage with several tests stops at its first failure: each test marks itself
 * unfinished in STAGE_STDERR_DIR when it starts the server, and stage_stop() clears
 * the mark once everything passed. A mark still there means the test before failed;
 * the next one then does not wait its own 5 s on the same broken server, so a stage
 * reports within its 10 s. (Only under the runner, which gives each stage a fresh
 * STAGE_STDERR_DIR; make test runs every test.) */
/* The mark's path in path; 0 when there is no STAGE_STDERR_DIR (not under the runner). */
static int unfinished_mark(char *path, size_t size)
{
    const char *dir = getenv("STAGE_STDERR_DIR");
    if (dir == NULL || dir[0] == '\0')
        return 0;
    snprintf(path, size, "%s/.test-unfinished", dir);
    return 1;
}

static void mark_test_unfinished(void)
{
    char path[512];
    if (!unfinished_mark(path, sizeof path))
        return;
    ck_assert_msg(access(path, F_OK) != 0,
                  "not run: an earlier test of this stage failed (see its message)");
    int fd = open(path, O_WRONLY | O_CREAT, 0644);
    if (fd >= 0)
        close(fd);
}

static void mark_test_finished(void)
{
    char path[512];
    if (unfinished_mark(path, sizeof path))
        unlink(path);
}

void stage_start(struct server_proc *p, const char *const args[])
{
    const char *program = program_under_test();
    char *argv[32] = {(char *)program, "-p", "0"};
    size_t n = 3;
    for (size_t i = 0; args != NULL && args[i] != NULL; i++) {
        ck_assert_msg(n + 1 < sizeof argv / sizeof argv[0], "stage_start: too many args");
        argv[n++] = (char *)args[i];
    }
    argv[n] = NULL;

    char command[512] = "";
    for (size_t i = 0; i < n; i++)
        snprintf(command + strlen(command), sizeof command - strlen(command), "%s%s",
                 i > 0 ? " " : "",
                 i == 0 ? (strrchr(program, '/') ? strrchr(program, '/') + 1 : program)
                        : argv[i]);
    record_process_group();
    mark_test_unfinished();
    char why[256];
    if (server_start_explained(p, program, argv, STAGE_WAIT_MS * timeout_multiplier(),
                               why, sizeof why) < 0)
        ck_abort_msg(
            "started `%s`: it %s (expected a first line like \"NAME: listening on "
            "...:PORT/\", then fflush(stdout); read the chapter's \"Try it\")",
            command, why);
    watch_server(p->pid);
}

void stage_stop(struct server_proc *p)
{
    static char log[256 * 1024];
    if (p->pid <= 0)
        return;
    watched_pid = 0; /* from here on, its end is ours: not a crash to report */
    int status = 0;
    int crashed_before = wait_for_exit(p->pid, 0, &status) == 0;
    if (!crashed_before)
        kill(p->pid, SIGTERM);
    int ended = crashed_before ||
                wait_for_exit(p->pid, STAGE_STOP_MS * timeout_multiplier(), &status) == 0;
    if (!ended) {
        kill(p->pid, SIGKILL);
        waitpid(p->pid, &status, 0);
    }
    p->pid = 0;
    server_stderr(p, log, sizeof log);
    close(p->stderr_fd);
    p->stderr_fd = -1;

    const char *report = sanitizer_report(log);
    ck_assert_msg(report == NULL, "the server's stderr has a sanitizer report:\n%.1500s",
                  report ? report : "");
    if (crashed_before)
        ck_assert_msg(
            !WIFSIGNALED(status),
            "the server crashed (signal %d, %s) during the test: run it by hand, "
            "or under gdb, with the request the test sent",
            WTERMSIG(status), strsignal(WTERMSIG(status)));
    /* Exit status 0 before we stopped it is fine: a test may send SIGTERM itself (2.s7),
     * and a server that quits early is caught by the exchanges that follow its end. */
    ck_assert_msg(!crashed_before || (WIFEXITED(status) && WEXITSTATUS(status) == 0),
                  "the server exited (status %d) during the test; a server keeps serving "
                  "until SIGINT or SIGTERM",
                  WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    ck_assert_msg(ended,
                  "the server did not exit within %d s of SIGTERM (stuck in a loop "
                  "that ignores the signal?)",
                  STAGE_STOP_MS / 1000);
    /* Ended by SIGTERM's default action, or by its own handler with exit(0): both fine.
     */
    ck_assert_msg(!WIFSIGNALED(status) || WTERMSIG(status) == SIGTERM,
                  "the server crashed (signal %d, %s) during the test or on SIGTERM",
                  WTERMSIG(status), strsignal(WTERMSIG(status)));
    ck_assert_msg((WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
                      (WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM),
                  "after SIGTERM the server %s %d (expected exit status 0)",
                  WIFEXITED(status) ? "exited with status" : "died of signal",
                  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    mark_test_finished();
}

static int server_crash_signal(int ms);

int stage_connect(int port, const char *what)
{
    int fd = tcp_connect(port);
    int crash = fd < 0 ? server_crash_signal(200) : 0;
    ck_assert_msg(crash == 0,
                  "%s: could not connect to 127.0.0.1:%d: the server had crashed "
                  "(signal %d, %s)",
                  what, port, crash, strsignal(crash));
    ck_assert_msg(fd >= 0,
                  "%s: could not connect to 127.0.0.1:%d (%s): is it listening? "
                  "(socket(), bind(), listen())",
                  what, port, strerror(errno));
    return fd;
}

/* If the watched server has died of a signal, or does within ms (a crash resets its
 * connections a moment before its parent hears of it), that signal; else 0. */
static int server_crash_signal(int ms)
{
    for (int waited = 0; watched_pid > 0 && waited <= ms; waited += 10) {
        siginfo_t info;
        memset(&info, 0, sizeof info);
        if (waitid(P_PID, (id_t)watched_pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
            info.si_pid == watched_pid) {
            note_server_end(SIGCHLD); /* leave it for the runner too */
            return info.si_code == CLD_EXITED ? 0 : info.si_status;
        }
        struct timespec pause = {0, 10 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    return 0;
}

ssize_t stage_read_to_close(int fd, const char *what, char *response, size_t size)
{
    size_t used = 0;
    int timed_out = 0, reset = 0;
    while (used + 1 < size) {
        struct pollfd ready = {.fd = fd, .events = POLLIN};
        int n_ready = poll(&ready, 1, STAGE_WAIT_MS * timeout_multiplier());
        if (n_ready < 0 && errno == EINTR)
            continue;
        if (n_ready <= 0) {
            timed_out = 1;
            break;
        }
        ssize_t n = read(fd, response + used, size - 1 - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            reset = n < 0;
            break;
        }
        used += (size_t)n;
    }
    response[used] = '\0';
    /* A connection that ended without a whole answer: a crash is the likeliest why. */
    int signo = timed_out ? 0 : server_crash_signal(reset || used == 0 ? 500 : 0);
    ck_assert_msg(signo == 0,
                  "%s: the server crashed (signal %d, %s) after %zu bytes of answer: run "
                  "it by hand with that request, or under gdb",
                  what, signo, strsignal(signo), used);
    ck_assert_msg(!(timed_out && used == 0),
                  "%s: connected, sent the request, no answer in %d s: stuck in accept() "
                  "or read()?",
                  what, STAGE_WAIT_MS / 1000);
    ck_assert_msg(
        !reset,
        "%s: the connection was reset after %zu bytes of answer: did the server "
        "close() before reading the whole request, or exit?",
        what, used);
    ck_assert_msg(used > 0,
                  "%s: connected, sent the request; the server closed the connection "
                  "without a byte of answer: did it write() one before close()? (a "
                  "function still a TODO writes nothing)",
                  what);
    return (ssize_t)used;
}

ssize_t stage_exchange(int port, const char *what, const char *request, char *response,
                       size_t size)
{
    int fd = stage_connect(port, what);
    send_text(fd, request);
    ssize_t n = stage_read_to_close(fd, what, response, size);
    close(fd);
    return n;
}

/* The first line of response, for messages. */
static const char *first_line(const char *response, char *line, size_t size)
{
    size_t length = strcspn(response, "\r\n");
    snprintf(line, size, "%.*s", (int)(length < size ? length : size - 1), response);
    return line;
}

void stage_expect_status(const char *what, const char *response, int expected,
                         const char *hint)
{
    char line[160];
    int status = response_status(response);
    ck_assert_msg(status == expected, "%s: expected %d, got %d (first line: \"%s\")%s%s",
                  what, expected, status, first_line(response, line, sizeof line),
                  hint ? ". " : "", hint ? hint : "");
}

void stage_expect_header(const char *what, const char *response, const char *name,
                         const char *value, const char *hint)
{
    char got[256];
    int found = response_header(response, name, got, sizeof got) == 0;
    ck_assert_msg(found && strcmp(got, value) == 0,
                  "%s: expected the header \"%s: %s\", %s%s%s%s", what, name, value,
                  found ? "got \"" : "there was none", found ? got : "",
                  found ? "\"" : "", hint ? hint : "");
}

void stage_expect_body(const char *what, const char *response, size_t response_length,
                       const void *body, size_t length, const char *hint)
{
    size_t got = 0;
    const char *at = response_body(response, response_length, &got);
    ck_assert_msg(at != NULL,
                  "%s: expected a body of %zu bytes after the head's empty line, "
                  "but the response has no empty line%s%s",
                  what, length, hint ? ". " : "", hint ? hint : "");
    ck_assert_msg(
        got == length && memcmp(at, body, length) == 0,
        "%s: expected the %zu bytes of the file as the body, got %zu bytes%s%s%s", what,
        length, got, got == length ? " that differ" : "", hint ? ". " : "",
        hint ? hint : "");
}
