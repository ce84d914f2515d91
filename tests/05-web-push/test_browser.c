/* test_browser.c: a real browser in the room. Headless Chromium loads www/ with each
 * transport (?t=ws, sse, poll); a raw chat client on the chat port types a line that
 * must appear in the page, and a line typed into the page must reach the raw client.
 *
 * Chromium is driven over its DevTools protocol, which is JSON over a WebSocket: the
 * tests' own wsclient speaks it. Without chromium the test passes and says
 * "skipped: chromium not installed".
 *
 * Chromium starts many processes. A guardian process starts it in a process group of
 * its own and kills that group when the test ends: when the test closes its end of a
 * pipe, or dies (a failed assertion ends the test's process), which closes it too. */
#include "suites.h"
#include "wsclient.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <unistd.h>

/* Where chromium is: $CHROMIUM, else "chromium" on the PATH. NULL if absent. */
static const char *find_chromium(char *path, size_t size)
{
    const char *chosen = getenv("CHROMIUM");
    if (chosen != NULL && *chosen != '\0')
        return access(chosen, X_OK) == 0 ? chosen : NULL;
    const char *dirs = getenv("PATH");
    if (dirs == NULL)
        dirs = "/usr/bin:/bin";
    while (*dirs != '\0') {
        size_t length = strcspn(dirs, ":");
        snprintf(path, size, "%.*s/chromium", (int)length, dirs);
        if (length > 0 && access(path, X_OK) == 0)
            return path;
        dirs += length + (dirs[length] == ':');
    }
    return NULL;
}

struct browser {
    pid_t guardian;
    int life_fd;    /* the test's end of the guardian's pipe: close it to end */
    int port;       /* DevTools' port */
    char path[128]; /* its browser endpoint: /devtools/browser/ID */
    char dir[64];   /* the fresh --user-data-dir */
};

/* The guardian: start chromium, tell the test the DevTools line, keep its stderr
 * drained, and kill its process group when the life pipe ends. Never returns. */
static void guard(const char *program, const char *dir, int life_fd, int report_fd)
{
    int err[2];
    if (pipe(err) < 0)
        _exit(1);
#ifdef PR_SET_CHILD_SUBREAPER
    /* Chromium's helpers that outlive their parent become ours to reap. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
#endif
    char user_data[96];
    snprintf(user_data, sizeof user_data, "--user-data-dir=%s", dir);
    pid_t chromium = fork();
    if (chromium == 0) {
        setpgid(0, 0);
        dup2(err[1], STDERR_FILENO);
        int null = open("/dev/null", O_RDWR);
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        execl(program, program, "--headless", "--no-sandbox", "--disable-gpu",
              "--disable-dev-shm-usage", "--no-first-run",
              "--disable-background-networking", user_data, "--remote-debugging-port=0",
              "about:blank", (char *)NULL);
        _exit(127);
    }
    setpgid(chromium, chromium);
    close(err[1]);
    char line[1024];
    size_t have = 0;
    int reported = 0, stderr_open = 1;
    for (;;) {
        struct pollfd fds[2] = {{.fd = life_fd, .events = POLLIN},
                                {.fd = stderr_open ? err[0] : -1, .events = POLLIN}};
        if (poll(fds, 2, -1) < 0 && errno != EINTR)
            break;
        if (fds[0].revents != 0)
            break; /* the test ended (EOF) or died */
        if (fds[1].revents == 0)
            continue;
        char chunk[4096];
        ssize_t n = read(err[0], chunk, sizeof chunk);
        if (n <= 0) {
            stderr_open = 0;
            continue;
        }
        for (ssize_t i = 0; i < n && !reported; i++) {
            if (have < sizeof line - 1)
                line[have++] = chunk[i];
            if (chunk[i] != '\n')
                continue;
            line[have] = '\0';
            const char *url = strstr(line, "DevTools listening on ws://");
            if (url != NULL) {
                (void)!write(report_fd, url, strlen(url));
                close(report_fd);
                reported = 1;
            }
            have = 0;
        }
    }
    kill(-chromium, SIGKILL);
    alarm(10); /* a bound on the wait below: SIGALRM ends the guardian */
    while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
        continue; /* every process chromium started, down to the last */
    remove_tree(dir);
    _exit(0);
}

/* Start chromium; its DevTools port goes to b->port. ck_asserts. */
static void browser_start(struct browser *b, const char *program)
{
    make_temp_dir(b->dir);
    int life[2], report[2];
    ck_assert_int_eq(pipe(life), 0);
    ck_assert_int_eq(pipe(report), 0);
    b->guardian = fork();
    ck_assert_int_ge(b->guardian, 0);
    if (b->guardian == 0) {
        close(life[1]);
        close(report[0]);
        guard(program, b->dir, life[0], report[1]);
    }
    close(life[0]);
    close(report[1]);
    b->life_fd = life[1];
    /* The line "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID". */
    char url[512];
    size_t have = 0;
    struct pollfd pfd = {.fd = report[0], .events = POLLIN};
    while (have < sizeof url - 1 && poll(&pfd, 1, 30000 * timeout_multiplier()) > 0) {
        ssize_t n = read(report[0], url + have, sizeof url - 1 - have);
        if (n <= 0)
            break;
        have += (size_t)n;
    }
    url[have] = '\0';
    close(report[0]);
    const char *port = strstr(url, "127.0.0.1:");
    ck_assert_msg(port != NULL, "chromium gave no DevTools URL: \"%s\"", url);
    b->port = atoi(port + strlen("127.0.0.1:"));
    ck_assert_int_gt(b->port, 0);
    const char *path = strstr(port, "/devtools/");
    ck_assert_ptr_nonnull(path);
    snprintf(b->path, sizeof b->path, "%.*s", (int)strcspn(path, "\r\n"), path);
}

/* End chromium and every process it started: the guardian kills the group. */
static void browser_stop(struct browser *b)
{
    close(b->life_fd);
    waitpid(b->guardian, NULL, 0);
}

/* One DevTools command: send it with this id and copy the answer (the frame whose
 * "id" is ours) into answer. ck_asserts. */
static void devtools(struct wsclient *c, int id, const char *method, const char *params,
                     char *answer, size_t size, int timeout_ms)
{
    static char command[8192];
    snprintf(command, sizeof command, "{\"id\":%d,\"method\":\"%s\",\"params\":%s}", id,
             method, params);
    ck_assert_int_eq(wsc_send_text(c, command), 0);
    char want[32];
    snprintf(want, sizeof want, "{\"id\":%d,", id);
    struct wsc_message *m = malloc(sizeof *m);
    for (;;) {
        ck_assert_msg(wsc_read(c, m, timeout_ms) == 1, "no answer to %s", method);
        if (strncmp((char *)m->payload, want, strlen(want)) == 0)
            break; /* other frames are events */
    }
    size_t length = m->length < size - 1 ? m->length : size - 1;
    memcpy(answer, m->payload, length);
    answer[length] = '\0';
    free(m);
}

/* Run JavaScript in the page; an expression that is a promise is awaited. */
static void evaluate(struct wsclient *page, int id, const char *expression, char *answer,
                     size_t size)
{
    char params[4096];
    snprintf(params, sizeof params,
             "{\"expression\":\"%s\",\"awaitPromise\":true,\"returnByValue\":true}",
             expression);
    devtools(page, id, "Runtime.evaluate", params, answer, size, 2 * pd_wait_ms());
}

/* Does the page show a line containing text within the wait? The page waits, not
 * the test: a promise that resolves when the text appears, or false at the limit. */
static int page_shows(struct wsclient *page, int id, const char *text)
{
    char expression[2048], answer[8192];
    snprintf(expression, sizeof expression,
             "new Promise((ok) => { const lines = document.getElementById('lines');"
             " const has = () => lines.textContent.includes('%s');"
             " if (has()) return ok(true);"
             " new MutationObserver(() => { if (has()) ok(true); })"
             ".observe(lines, {childList: true, subtree: true});"
             " setTimeout(() => ok(false), %d); })",
             text, pd_wait_ms());
    evaluate(page, id, expression, answer, sizeof answer);
    return strstr(answer, "\"value\":true") != NULL;
}

static void one_transport(const char *chromium, const char *transport)
{
    struct server_proc server;
    pd_start(&server, NULL);
    struct pd_peer *raw = pd_raw_join(server.port2, NULL); /* guest1 */
    struct browser b;
    browser_start(&b, chromium);

    /* A new tab on the chat page, then a DevTools connection to that tab. */
    struct wsclient *root = wsc_connect(b.port);
    ck_assert_ptr_nonnull(root);
    char head[4096], answer[8192], params[512], path[256];
    ck_assert_int_eq(wsc_handshake(root, b.port, b.path, NULL, 1, head, sizeof head),
                     101);
    snprintf(params, sizeof params, "{\"url\":\"http://127.0.0.1:%d/?t=%s\"}",
             server.port, transport);
    devtools(root, 1, "Target.createTarget", params, answer, sizeof answer,
             2 * pd_wait_ms());
    const char *id = strstr(answer, "\"targetId\":\"");
    ck_assert_msg(id != NULL, "%s", answer);
    id += strlen("\"targetId\":\"");
    snprintf(path, sizeof path, "/devtools/page/%.*s", (int)strcspn(id, "\""), id);
    struct wsclient *page = wsc_connect(b.port);
    ck_assert_ptr_nonnull(page);
    ck_assert_int_eq(wsc_handshake(page, b.port, path, NULL, 1, head, sizeof head), 101);

    /* The page joins as guest2 and says which transport it uses. */
    pd_expect_line(raw, "* guest2 joined");
    ck_assert_msg(page_shows(page, 10, "you are guest2"), "no welcome in the page (%s)",
                  transport);
    evaluate(page, 11, "document.getElementById('transport').textContent", answer,
             sizeof answer);
    char shown[64];
    snprintf(shown, sizeof shown, "\"value\":\"%s\"", transport);
    ck_assert_msg(strstr(answer, shown) != NULL, "%s", answer);

    /* raw -> page */
    pd_say(raw, "hello from a raw socket\n");
    ck_assert_msg(page_shows(page, 12, "guest1: hello from a raw socket"),
                  "the raw line never reached the page (%s)", transport);

    /* page -> raw: typed into the box and submitted, as a person would */
    evaluate(page, 13,
             "(() => { document.getElementById('text').value = 'hello from the browser';"
             " document.getElementById('say').requestSubmit(); return true; })()",
             answer, sizeof answer);
    pd_expect_line(raw, "guest2: hello from the browser");
    printf("browser: chromium, transport %s: both ways\n", transport);

    wsc_close(page);
    wsc_close(root);
    browser_stop(&b);
    pd_close(raw);
    server_stop_clean(&server, "pushd");
}

static const char *const transports[] = {"ws", "sse", "poll"};

START_TEST(a_browser_chats_with_a_raw_client)
{
    char path[512];
    const char *chromium = find_chromium(path, sizeof path);
    if (chromium == NULL) {
        printf("browser (%s): skipped: chromium not installed\n", transports[_i]);
        return;
    }
    one_transport(chromium, transports[_i]);
}
END_TEST

Suite *browser_suite(void)
{
    Suite *s = suite_create("browser");
    TCase *t = tcase_create("chromium");
    tcase_set_timeout(t, 90);
    tcase_add_loop_test(t, a_browser_chats_with_a_raw_client, 0, 3);
    suite_add_tcase(s, t);
    return s;
}
