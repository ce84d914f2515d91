/* test_chat.c: chapter 3's client, the real ./chat, driven through pipes against the
 * real ./chatd, with a second client listening on a plain socket.
 *
 * The tests hold chat's stdin and stdout: they type into it, read what it prints,
 * and check what the other client hears.
 */
#include "suites.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct server_proc server;

/* ./chat running with its stdin and stdout connected to us. */
struct chat_proc {
    pid_t pid;
    int input;           /* what we write becomes chat's stdin */
    struct peer *output; /* chat's stdout */
};

static void chat_start(struct chat_proc *c, const char *nick)
{
    char port[16];
    snprintf(port, sizeof port, "%d", server.port);
    char *argv[8] = {"chat"};
    int argc = 1;
    if (nick != NULL) {
        argv[argc++] = "-n";
        argv[argc++] = (char *)nick;
    }
    argv[argc++] = "127.0.0.1";
    argv[argc++] = port;
    argv[argc] = NULL;

    int to_chat[2], from_chat[2];
    ck_assert(pipe(to_chat) == 0 && pipe(from_chat) == 0);
    c->pid = fork();
    ck_assert(c->pid >= 0);
    if (c->pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        dup2(to_chat[0], STDIN_FILENO);
        dup2(from_chat[1], STDOUT_FILENO);
        close(to_chat[0]);
        close(to_chat[1]);
        close(from_chat[0]);
        close(from_chat[1]);
        execv(CHAT, argv);
        _exit(127);
    }
    close(to_chat[0]);
    close(from_chat[1]);
    c->input = to_chat[1];
    c->output = peer_from_fd(from_chat[0]);
}

static void type(struct chat_proc *c, const char *text)
{
    send_all(c->input, text, strlen(text));
}

static void end_input(struct chat_proc *c)
{
    close(c->input);
    c->input = -1;
}

/* Wait for chat to exit (it must, within the line wait); returns its exit status. */
static int chat_wait(struct chat_proc *c)
{
    struct timespec pause = {0, 5 * 1000 * 1000};
    for (int waited = 0; waited < line_wait_ms(); waited += 5) {
        int status;
        pid_t r = waitpid(c->pid, &status, WNOHANG);
        if (r == c->pid) {
            c->pid = 0;
            if (c->input >= 0)
                close(c->input);
            peer_close(c->output);
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        nanosleep(&pause, NULL);
    }
    kill(c->pid, SIGKILL);
    waitpid(c->pid, NULL, 0);
    ck_abort_msg("chat did not exit");
    return -1;
}

static const char *WELCOME2 = "* welcome to chatd, you are guest2; /help for commands";

START_TEST(a_whole_session_from_a_pipe)
{
    start_chatd(&server, NULL);
    struct peer *bob = join(server.port, NULL);
    struct chat_proc chat;
    chat_start(&chat, NULL);
    type(&chat, "hi\n/quit\n");
    end_input(&chat);
    expect_line(chat.output, WELCOME2);
    expect_line(chat.output, "* bye");
    expect_closed(chat.output);
    ck_assert_int_eq(chat_wait(&chat), 0);
    expect_line(bob, "* guest2 joined");
    expect_line(bob, "guest2: hi");
    expect_line(bob, "* guest2 left");
    peer_close(bob);
    server_stop_clean(&server, "chatd");
}
END_TEST

START_TEST(nick_option_and_the_end_of_input)
{
    start_chatd(&server, NULL);
    struct peer *bob = join(server.port, NULL);
    struct chat_proc chat;
    chat_start(&chat, "alice");
    type(&chat, "hello\n");
    end_input(&chat); /* no /quit: the end of stdin is enough */
    expect_line(chat.output, WELCOME2);
    expect_line(chat.output, "* guest2 is now known as alice");
    expect_closed(chat.output);
    ck_assert_int_eq(chat_wait(&chat), 0);
    expect_line(bob, "* guest2 joined");
    expect_line(bob, "* guest2 is now known as alice");
    expect_line(bob, "alice: hello");
    expect_line(bob, "* alice left");
    peer_close(bob);
    server_stop_clean(&server, "chatd");
}
END_TEST

START_TEST(lines_arrive_while_the_user_is_silent)
{
    start_chatd(&server, NULL);
    struct peer *bob = join(server.port, NULL);
    struct chat_proc chat;
    chat_start(&chat, NULL);
    expect_line(chat.output, WELCOME2);
    expect_line(bob, "* guest2 joined");
    /* chat's stdin is open and silent: bob's line must still show up. */
    send_text(bob->fd, "anyone there?\n");
    expect_line(chat.output, "guest1: anyone there?");
    type(&chat, "yes, me\n");
    expect_line(bob, "guest2: yes, me");
    end_input(&chat);
    expect_line(bob, "* guest2 left");
    expect_closed(chat.output);
    ck_assert_int_eq(chat_wait(&chat), 0);
    peer_close(bob);
    server_stop_clean(&server, "chatd");
}
END_TEST

START_TEST(server_shutdown_ends_chat)
{
    start_chatd(&server, NULL);
    struct chat_proc chat;
    chat_start(&chat, NULL);
    expect_line(chat.output, "* welcome to chatd, you are guest1; /help for commands");
    server_stop_clean(&server, "chatd");
    expect_line(chat.output, "* server shutting down");
    expect_closed(chat.output);
    ck_assert_int_eq(chat_wait(&chat), 0);
}
END_TEST

START_TEST(connection_refused)
{
    /* A port bound but not listening: connect() is refused, deterministically. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof sin;
    ck_assert(bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0);
    ck_assert(getsockname(fd, (struct sockaddr *)&sin, &length) == 0);
    char port[16], out[256], err[1024];
    snprintf(port, sizeof port, "%d", ntohs(sin.sin_port));
    char *argv[] = {CHAT, "127.0.0.1", port, NULL};
    ck_assert_int_eq(run_program(argv, out, sizeof out, NULL, err, sizeof err), 1);
    ck_assert_msg(strstr(err, "chat: ") == err && strstr(err, port) != NULL,
                  "want a message naming the port, got: %s", err);
    close(fd);
}
END_TEST

START_TEST(command_line)
{
    char out[4096], err[4096];
    char *help[] = {CHAT, "-h", NULL};
    ck_assert_int_eq(run_program(help, out, sizeof out, NULL, err, sizeof err), 0);
    ck_assert_msg(strstr(out, "usage:") != NULL, "-h prints no usage: %s", out);
    char *bad_flag[] = {CHAT, "-Z", NULL};
    ck_assert_int_eq(run_program(bad_flag, out, sizeof out, NULL, err, sizeof err), 2);
    ck_assert_msg(strstr(err, "usage:") != NULL, "no usage on stderr: %s", err);
    char *too_many[] = {CHAT, "a", "1", "b", NULL};
    ck_assert_int_eq(run_program(too_many, out, sizeof out, NULL, err, sizeof err), 2);
    char *bad_port[] = {CHAT, "127.0.0.1", "port", NULL};
    ck_assert_int_eq(run_program(bad_port, out, sizeof out, NULL, err, sizeof err), 2);
}
END_TEST

Suite *chat_suite(void)
{
    Suite *s = suite_create("chat");
    TCase *tc = tcase_create("client");
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, a_whole_session_from_a_pipe);
    tcase_add_test(tc, nick_option_and_the_end_of_input);
    tcase_add_test(tc, lines_arrive_while_the_user_is_silent);
    tcase_add_test(tc, server_shutdown_ends_chat);
    tcase_add_test(tc, connection_refused);
    tcase_add_test(tc, command_line);
    suite_add_tcase(s, tc);
    return s;
}
