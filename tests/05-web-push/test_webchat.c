/* test_webchat.c: webchat in the room with a raw chat client, over each transport:
 * it prints the room's lines, sends its stdin's, -n renames it, and the end of its
 * stdin leaves the room and ends it. */
#include "suites.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define WEBCHAT CH5_DIR "/webchat"

struct webchat {
    pid_t pid;
    int to;               /* its stdin */
    struct pd_peer *from; /* its stdout, read like a peer */
};

static void webchat_start(struct webchat *w, const char *transport, int http_port)
{
    int in[2], out[2];
    ck_assert_int_eq(pipe(in), 0);
    ck_assert_int_eq(pipe(out), 0);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", http_port);
    w->pid = fork();
    ck_assert_int_ge(w->pid, 0);
    if (w->pid == 0) {
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        close(in[1]);
        close(out[0]);
        execl(WEBCHAT, "webchat", "-t", transport, "-n", "carol", url, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    w->to = in[1];
    w->from = malloc(sizeof *w->from); /* its stdout, read like a socket */
    ck_assert_ptr_nonnull(w->from);
    w->from->fd = out[0];
    w->from->length = 0;
}

/* Its exit status, once its stdout has ended (within the wait: else it is killed
 * and the test fails). */
static int webchat_wait(struct webchat *w)
{
    int status, eof;
    char line[256];
    ssize_t n;
    do /* "* bye" may come first (DESIGN.md: /quit) */
        n = pd_read_line(w->from, line, sizeof line, pd_wait_ms(), &eof);
    while (n >= 0 && strcmp(line, "* bye") == 0);
    if (n >= 0 || !eof)
        kill(w->pid, SIGKILL);
    waitpid(w->pid, &status, 0);
    ck_assert_msg(n < 0 && eof, "webchat went on: %s", n >= 0 ? line : "(no end)");
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

START_TEST(webchat_talks_with_a_raw_client)
{
    static const char *const transports[] = {"ws", "sse", "poll"};
    struct server_proc server;
    pd_start(&server, NULL);
    struct pd_peer *raw = pd_raw_join(server.port2, NULL); /* guest1 */
    struct webchat w;
    webchat_start(&w, transports[_i], server.port);
    pd_expect_line(w.from, "* welcome to pushd, you are guest2; /help for commands");
    pd_expect_line(raw, "* guest2 joined");
    pd_expect_line(w.from, "* guest2 is now known as carol");
    pd_expect_line(raw, "* guest2 is now known as carol");

    pd_say(raw, "hello carol\n");
    pd_expect_line(w.from, "guest1: hello carol");
    send_text(w.to, "hello raw\n");
    pd_expect_line(raw, "carol: hello raw");

    close(w.to); /* stdin ends: carol leaves */
    pd_expect_line(raw, "* carol left");
    ck_assert_int_eq(webchat_wait(&w), 0);
    pd_close(w.from);
    pd_close(raw);
    server_stop_clean(&server, "pushd");
}
END_TEST

START_TEST(webchat_ends_when_the_server_does)
{
    static const char *const transports[] = {"ws", "sse"};
    struct server_proc server;
    pd_start(&server, NULL);
    struct webchat w;
    webchat_start(&w, transports[_i], server.port);
    pd_expect_line(w.from, "* welcome to pushd, you are guest1; /help for commands");
    pd_expect_line(w.from, "* guest1 is now known as carol");
    server_stop_within(&server, SIGTERM, 2000 * timeout_multiplier(), "pushd");
    pd_expect_line(w.from, "* server shutting down");
    ck_assert_int_eq(webchat_wait(&w), 0);
    close(w.to);
    pd_close(w.from);
}
END_TEST

Suite *webchat_suite(void)
{
    Suite *s = suite_create("webchat");
    TCase *t = tcase_create("webchat");
    tcase_set_timeout(t, 30);
    tcase_add_loop_test(t, webchat_talks_with_a_raw_client, 0, 3);
    tcase_add_loop_test(t, webchat_ends_when_the_server_does, 0, 2);
    suite_add_tcase(s, t);
    return s;
}
