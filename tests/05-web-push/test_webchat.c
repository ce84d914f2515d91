/* test_webchat.c: chapter 5's client, over each transport, against a real pushd and
 * a raw chat client: lines go both ways, stdin's end leaves the room, the server's
 * shutdown ends the client with status 0; and the command line. */
#include "suites.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define WEBCHAT CH5_DIR "/webchat"

static const char *const transports[] = {"ws", "sse", "poll"};

/* A running webchat: we write its stdin and read its stdout. */
struct webchat_proc {
    pid_t pid;
    int in;              /* its stdin */
    struct pd_peer *out; /* its stdout, read like a connection */
};

static void webchat_start(struct webchat_proc *w, const char *transport, int port)
{
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
    int in[2], out[2];
    ck_assert_msg(pipe(in) == 0 && pipe(out) == 0, "pipe: %s", strerror(errno));
    w->pid = fork();
    ck_assert_msg(w->pid >= 0, "fork: %s", strerror(errno));
    if (w->pid == 0) {
        int null_fd = open("/dev/null", O_WRONLY); /* "the server has gone": noise here */
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        dup2(null_fd, STDERR_FILENO);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        execl(WEBCHAT, "webchat", "-t", transport, url, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    w->in = in[1];
    w->out = calloc(1, sizeof *w->out);
    ck_assert_msg(w->out != NULL, "out of memory");
    w->out->fd = out[0];
}

/* The welcome on its stdout: its guest name into name (32 bytes). */
static void webchat_expect_welcome(struct webchat_proc *w, char *name)
{
    char line[256];
    ssize_t n = pd_read_line(w->out, line, sizeof line, pd_wait_ms(), NULL);
    ck_assert_msg(n > 0, "webchat printed no welcome");
    ck_assert_msg(sscanf(line, "* welcome to pushd, you are %31[^;];", name) == 1,
                  "not a welcome: \"%s\"", line);
}

/* Wait for webchat to end (its stdout closes, then it is reaped); its exit status. */
static int webchat_exit_status(struct webchat_proc *w)
{
    pd_expect_closed(w->out);
    int status;
    ck_assert_msg(waitpid(w->pid, &status, 0) == w->pid, "waitpid: %s", strerror(errno));
    pd_close(w->out);
    if (w->in >= 0)
        close(w->in);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Lines both ways with a raw client; stdin's end leaves the room, exit 0. */
START_TEST(relays_both_ways_and_eof_leaves)
{
    const char *transport = transports[_i];
    struct server_proc server;
    pd_start(&server, NULL);
    char raw_name[32], name[32], line[256];
    struct pd_peer *raw = pd_raw_join(server.port2, raw_name);
    struct webchat_proc w;
    webchat_start(&w, transport, server.port);
    webchat_expect_welcome(&w, name);
    snprintf(line, sizeof line, "* %s joined", name);
    pd_expect_line(raw, line);

    pd_say(raw, "hello from raw\n");
    snprintf(line, sizeof line, "%s: hello from raw", raw_name);
    pd_expect_line(w.out, line);

    snprintf(line, sizeof line, "hello over %s\n", transport);
    send_text(w.in, line);
    snprintf(line, sizeof line, "%s: hello over %s", name, transport);
    pd_expect_line(raw, line);

    /* A last line without its LF, then the end of stdin: the line is sent, and we
     * leave (a session says /quit, whose "* bye" it prints; a WebSocket closes). */
    send_text(w.in, "no newline");
    close(w.in);
    w.in = -1;
    snprintf(line, sizeof line, "%s: no newline", name);
    pd_expect_line(raw, line);
    snprintf(line, sizeof line, "* %s left", name);
    pd_expect_line(raw, line);
    if (strcmp(transport, "ws") != 0)
        pd_expect_line(w.out, "* bye");
    ck_assert_int_eq(webchat_exit_status(&w), 0);
    pd_close(raw);
    server_stop_clean(&server, "pushd");
}
END_TEST

/* The server shuts down: webchat prints its last words and exits 0. */
START_TEST(server_shutdown_ends_it_with_status_0)
{
    const char *transport = transports[_i];
    struct server_proc server;
    const char *const verbose[] = {"-v", NULL};
    pd_start(&server, verbose);
    char name[32];
    struct webchat_proc w;
    webchat_start(&w, transport, server.port);
    webchat_expect_welcome(&w, name);
    /* The session transports: be sure the stream or the poll is open, by hearing a
     * line that came after the welcome. */
    send_text(w.in, "/who\n");
    char line[256];
    ck_assert_msg(pd_read_line(w.out, line, sizeof line, pd_wait_ms(), NULL) > 0,
                  "no answer to /who");
    /* Long polling hears the shutdown only on a parked poll: wait until the next
     * poll (lines 1 and 2 had) has reached the server. */
    if (strcmp(transport, "poll") == 0)
        ck_assert_msg(server_stderr_wait(&server, "&since=2 HTTP/1.1", 5000),
                      "the next poll did not come");
    server_stop_clean(&server, "pushd");
    pd_expect_line(w.out, "* server shutting down");
    ck_assert_int_eq(webchat_exit_status(&w), 0);
}
END_TEST

/* -h: usage on stdout, status 0; a bad flag, transport or URL: status 2. */
START_TEST(help_and_bad_command_lines)
{
    char out[4096], err[4096];
    size_t length;
    char *help[] = {WEBCHAT, "-h", NULL};
    ck_assert_int_eq(run_program(help, out, sizeof out, &length, err, sizeof err), 0);
    ck_assert_msg(
        strncmp(out, "usage: webchat [-t ws|sse|poll] [-n NICK] [-v] URL\n", 51) == 0,
        "-h printed: %s", out);
    char *bad_flag[] = {WEBCHAT, "-x", "http://127.0.0.1:1/", NULL};
    ck_assert_int_eq(run_program(bad_flag, out, sizeof out, &length, err, sizeof err), 2);
    ck_assert_msg(strstr(err, "usage: webchat") != NULL, "stderr: %s", err);
    char *bad_transport[] = {WEBCHAT, "-t", "carrier-pigeon", "http://127.0.0.1:1/",
                             NULL};
    ck_assert_int_eq(
        run_program(bad_transport, out, sizeof out, &length, err, sizeof err), 2);
    ck_assert_msg(strstr(err, "-t wants ws, sse or poll") != NULL, "stderr: %s", err);
    char *bad_nick[] = {WEBCHAT, "-n", "no spaces", "http://127.0.0.1:1/", NULL};
    ck_assert_int_eq(run_program(bad_nick, out, sizeof out, &length, err, sizeof err), 2);
    char *bad_url[] = {WEBCHAT, "127.0.0.1:8005", NULL};
    ck_assert_int_eq(run_program(bad_url, out, sizeof out, &length, err, sizeof err), 2);
    ck_assert_msg(strstr(err, "URL wants http://HOST:PORT/") != NULL, "stderr: %s", err);
    char *no_url[] = {WEBCHAT, NULL};
    ck_assert_int_eq(run_program(no_url, out, sizeof out, &length, err, sizeof err), 2);
}
END_TEST

/* No server there: status 1, and a reason. */
START_TEST(no_server_exits_1)
{
    int fd = tcp_connect(1); /* nothing listens on port 1 */
    ck_assert_int_lt(fd, 0);
    for (int i = 0; i < 3; i++) {
        char out[4096], err[4096];
        size_t length;
        char *argv[] = {WEBCHAT, "-t", (char *)transports[i], "http://127.0.0.1:1/",
                        NULL};
        ck_assert_int_eq(run_program(argv, out, sizeof out, &length, err, sizeof err), 1);
        ck_assert_msg(strstr(err, "webchat: ") != NULL, "stderr: %s", err);
    }
}
END_TEST

Suite *webchat_suite(void)
{
    Suite *s = suite_create("webchat");
    TCase *tc = tcase_create("transports");
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, relays_both_ways_and_eof_leaves, 0, 3);
    tcase_add_loop_test(tc, server_shutdown_ends_it_with_status_0, 0, 3);
    suite_add_tcase(s, tc);
    tc = tcase_create("command line");
    tcase_add_test(tc, help_and_bad_command_lines);
    tcase_add_test(tc, no_server_exits_1);
    suite_add_tcase(s, tc);
    return s;
}
