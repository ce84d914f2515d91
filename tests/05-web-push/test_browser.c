/* test_browser.c: a real browser in the room. Headless Chromium loads pushd's page
 * (www/index.html and chat.js) over each transport, ?t=ws, ?t=sse and ?t=poll, and
 * talks with a raw chat client both ways.
 *
 * The test drives Chromium over its DevTools protocol, which is JSON messages on a
 * WebSocket: the same frames pushd speaks, so the suite's small WebSocket client
 * (pd_ws_send, pd_ws_read) serves. Chromium prints "DevTools listening on
 * ws://127.0.0.1:PORT/devtools/browser/..." on stderr; GET /json/list on that port
 * names the page's own socket, and on it Page.navigate loads our page and
 * Runtime.evaluate runs JavaScript in it: to wait for the DOM to show a line (a
 * MutationObserver, bounded), or to type into the box and submit.
 *
 * Chromium is many processes. A keeper process leads a process group of its own and
 * starts Chromium in it; it holds the read end of a pipe whose only writer is the
 * test, and when that end reports EOF (the test finished, failed, or was killed for
 * taking too long) it kills the whole group, itself included. No browser outlives
 * its test.
 *
 * Without chromium on the PATH the tests pass and say "skipped: chromium not
 * installed", unless REQUIRE_CHROMIUM=1 (CI sets it: there a skip would hide a
 * failure).
 */
#include "suites.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEVTOOLS_BANNER "DevTools listening on ws://"
#define STDERR_KEEP     8192 /* the tail of Chromium's stderr, for a failure message */
#define CDP_MESSAGE_MAX (200 * 1024)

struct browser {
    pid_t keeper;  /* leads the process group Chromium runs in */
    int lifeline;  /* the test's end of the keeper's pipe: closing it ends them */
    int stderr_fd; /* Chromium's stderr, read as it comes (never let it fill) */
    char stderr_tail[STDERR_KEEP];
    size_t stderr_length;
    int devtools_port;
    char profile[64];     /* a fresh --user-data-dir */
    struct pd_peer *page; /* the page target's DevTools socket */
    int next_id;
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- Finding and starting Chromium ------------------------------------------------- */

/* Is there a browser to test with? Without one the test is skipped, or fails when
 * REQUIRE_CHROMIUM=1. */
static int have_chromium(char *path, size_t size, const char *test)
{
    if (pd_find_program("chromium", path, size))
        return 1;
    const char *required = getenv("REQUIRE_CHROMIUM");
    ck_assert_msg(required == NULL || strcmp(required, "1") != 0,
                  "chromium not installed, and REQUIRE_CHROMIUM=1");
    fprintf(stderr, "%s: skipped: chromium not installed\n", test);
    return 0;
}

static void set_cloexec(int fd)
{
    fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* The keeper: a process group of its own, Chromium in it, and when the test's end of
 * the lifeline closes, SIGKILL to the whole group. Never returns. */
static void run_keeper(const char *chromium, const char *profile, int lifeline,
                       int stderr_pipe)
{
    setpgid(0, 0);
    pid_t pid = fork();
    if (pid == 0) {
        char user_data[128];
        snprintf(user_data, sizeof user_data, "--user-data-dir=%s", profile);
        int null_fd = open("/dev/null", O_RDWR);
        dup2(null_fd, STDIN_FILENO);
        dup2(null_fd, STDOUT_FILENO);
        dup2(stderr_pipe, STDERR_FILENO);
        close(lifeline);
        char *argv[] = {(char *)chromium,
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-dev-shm-usage",
                        "--no-first-run",
                        "--disable-background-networking",
                        user_data,
                        "--remote-debugging-port=0",
                        "about:blank",
                        NULL};
        execv(chromium, argv);
        _exit(127);
    }
    close(stderr_pipe);
    char byte;
    while (read(lifeline, &byte, 1) != 0 && (errno == EINTR || errno == EAGAIN))
        ;
    kill(0, SIGKILL); /* the group: Chromium, its helpers, and this process */
    _exit(0);
}

/* Keep what Chromium has written on stderr (its tail), without waiting. */
static void drain_stderr(struct browser *b)
{
    char chunk[STDERR_KEEP / 2];
    ssize_t n;
    while ((n = read(b->stderr_fd, chunk, sizeof chunk)) > 0) {
        /* chunk is smaller than the tail: drop the oldest bytes to make room. */
        size_t add = (size_t)n;
        size_t room = sizeof b->stderr_tail - 1;
        if (b->stderr_length + add > room) {
            size_t drop = b->stderr_length + add - room;
            memmove(b->stderr_tail, b->stderr_tail + drop, b->stderr_length - drop);
            b->stderr_length -= drop;
        }
        memcpy(b->stderr_tail + b->stderr_length, chunk, add);
        b->stderr_length += add;
        b->stderr_tail[b->stderr_length] = '\0';
    }
}

/* Wait for "DevTools listening on ws://127.0.0.1:PORT/..." and note PORT. */
static void wait_for_devtools(struct browser *b)
{
    long long deadline = now_ms() + 4 * pd_wait_ms();
    for (;;) {
        drain_stderr(b);
        const char *banner = strstr(b->stderr_tail, DEVTOOLS_BANNER);
        const char *colon =
            banner != NULL ? strchr(banner + strlen(DEVTOOLS_BANNER), ':') : NULL;
        if (colon != NULL && strchr(colon, '\n') != NULL) {
            b->devtools_port = atoi(colon + 1);
            ck_assert_msg(b->devtools_port > 0, "no port in: %s", banner);
            return;
        }
        long long left = deadline - now_ms();
        ck_assert_msg(left > 0, "chromium printed no DevTools address; its stderr:\n%s",
                      b->stderr_tail);
        struct pollfd pfd = {.fd = b->stderr_fd, .events = POLLIN};
        int ready = poll(&pfd, 1, (int)left);
        ck_assert_msg(ready >= 0 || errno == EINTR, "poll: %s", strerror(errno));
        ck_assert_msg(!(ready > 0 && (pfd.revents & POLLHUP) && !(pfd.revents & POLLIN)),
                      "chromium exited; its stderr:\n%s", b->stderr_tail);
    }
}

static void browser_start(struct browser *b, const char *chromium)
{
    memset(b, 0, sizeof *b);
    b->next_id = 1;
    make_temp_dir(b->profile);
    int lifeline[2], err[2];
    ck_assert_msg(pipe(lifeline) == 0 && pipe(err) == 0, "pipe: %s", strerror(errno));
    set_cloexec(lifeline[1]); /* pushd, started later, must not hold it */
    set_cloexec(err[0]);
    b->keeper = fork();
    ck_assert_msg(b->keeper >= 0, "fork: %s", strerror(errno));
    if (b->keeper == 0) {
        close(lifeline[1]);
        close(err[0]);
        run_keeper(chromium, b->profile, lifeline[0], err[1]);
    }
    setpgid(b->keeper, b->keeper); /* also here: whichever runs first */
    close(lifeline[0]);
    close(err[1]);
    b->lifeline = lifeline[1];
    b->stderr_fd = err[0];
    fcntl(b->stderr_fd, F_SETFL, fcntl(b->stderr_fd, F_GETFL) | O_NONBLOCK);
    wait_for_devtools(b);
}

/* End Chromium and every process it started, and remove its profile. */
static void browser_stop(struct browser *b)
{
    pd_close(b->page);
    b->page = NULL;
    close(b->lifeline);        /* the keeper kills the group ... */
    kill(-b->keeper, SIGKILL); /* ... and so do we, not to depend on it */
    waitpid(b->keeper, NULL, 0);
    close(b->stderr_fd);
    remove_tree(b->profile);
}

/* ---- The DevTools protocol ----------------------------------------------------------
 */

/* The page target's socket path ("/devtools/page/ID") from GET /json/list. The
 * answer has a Content-Length, and the connection may stay open: read just that. */
static void find_page_target(struct browser *b, char *path, size_t size)
{
    char request[256], head[2048], length_text[32];
    static char body[64 * 1024];
    snprintf(request, sizeof request,
             "GET /json/list HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n", b->devtools_port);
    struct pd_peer *http = pd_connect(b->devtools_port);
    pd_say(http, request);
    int status = pd_read_head(http, head, sizeof head);
    ck_assert_msg(status == 200, "GET /json/list got:\n%s", head);
    ck_assert_msg(
        response_header(head, "Content-Length", length_text, sizeof length_text) == 0,
        "GET /json/list without a length:\n%s", head);
    size_t length = (size_t)atol(length_text);
    ck_assert_msg(length < sizeof body, "a target list of %zu bytes", length);
    pd_read_exact(http, body, length);
    body[length] = '\0';
    pd_close(http);
    const char *url = strstr(body, "/devtools/page/");
    ck_assert_msg(url != NULL, "no page target in:\n%s", body);
    size_t path_length = strcspn(url, "\"");
    ck_assert_msg(path_length < size, "a long target path");
    memcpy(path, url, path_length);
    path[path_length] = '\0';
}

/* Open the page target's WebSocket (no Origin: DevTools refuses foreign pages). */
static void connect_page(struct browser *b)
{
    char path[256], request[512], head[2048];
    find_page_target(b, path, sizeof path);
    b->page = pd_connect(b->devtools_port);
    snprintf(request, sizeof request,
             "GET %s HTTP/1.1\r\n"
             "Host: 127.0.0.1:%d\r\n"
             "Upgrade: websocket\r\n"
             "Connection: Upgrade\r\n"
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
             "Sec-WebSocket-Version: 13\r\n\r\n",
             path, b->devtools_port);
    pd_say(b->page, request);
    int status = pd_read_head(b->page, head, sizeof head);
    ck_assert_msg(status == 101, "DevTools refused the upgrade:\n%s", head);
}

/* Call method with params (a JSON object) and wait for its answer, skipping any
 * event on the way; the answer goes to reply (NUL-terminated). */
static void cdp_call(struct browser *b, const char *method, const char *params,
                     char *reply, size_t size, int timeout_ms)
{
    static char message[CDP_MESSAGE_MAX];
    int id = b->next_id++;
    int n = snprintf(message, sizeof message,
                     "{\"id\":%d,\"method\":\"%s\",\"params\":%s}", id, method, params);
    ck_assert_msg(n > 0 && (size_t)n < sizeof message, "a DevTools call too long");
    pd_ws_send(b->page, 1, 1, message, (size_t)n, 1);
    char want[32];
    int want_length = snprintf(want, sizeof want, "{\"id\":%d,", id);
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        drain_stderr(b);
        long long left = deadline - now_ms();
        ck_assert_msg(left > 0, "no answer to %s", method);
        int opcode;
        ssize_t got =
            pd_ws_read(b->page, &opcode, (unsigned char *)reply, size - 1, (int)left);
        ck_assert_msg(got >= 0, "no answer to %s (browser stderr:\n%s)", method,
                      b->stderr_tail);
        reply[got] = '\0';
        if (opcode == 1 && strncmp(reply, want, (size_t)want_length) == 0)
            return;
    }
}

/* text as a JSON string: only the characters the tests' JavaScript may hold. */
static void json_string(const char *text, char *out, size_t size)
{
    size_t at = 0;
    out[at++] = '"';
    for (const char *c = text; *c != '\0'; c++) {
        ck_assert_msg(at + 3 < size, "a script too long");
        if (*c == '"' || *c == '\\')
            out[at++] = '\\';
        out[at++] = *c == '\n' ? ' ' : *c;
    }
    out[at++] = '"';
    out[at] = '\0';
}

/* Run a JavaScript expression in the page (awaiting it if it is a promise); its
 * value, as JSON, goes to value. Returns 0, or -1 when the page could not run it
 * (most often: it was navigating, and its old document went away mid-call). */
static int page_evaluate(struct browser *b, const char *script, char *value, size_t size,
                         int timeout_ms)
{
    static char params[CDP_MESSAGE_MAX / 2], quoted[CDP_MESSAGE_MAX / 2];
    static char reply[CDP_MESSAGE_MAX];
    json_string(script, quoted, sizeof quoted);
    snprintf(params, sizeof params,
             "{\"expression\":%s,\"awaitPromise\":true,\"returnByValue\":true}", quoted);
    cdp_call(b, "Runtime.evaluate", params, reply, sizeof reply, timeout_ms);
    const char *found = strstr(reply, "\"value\":");
    if (strstr(reply, "\"exceptionDetails\"") != NULL || found == NULL)
        return -1;
    found += strlen("\"value\":");
    size_t length = strcspn(found, "}");
    snprintf(value, size, "%.*s", (int)length, found);
    return 0;
}

/* Wait until the JavaScript condition holds in the page: the page checks it now and
 * after every change to its DOM (a MutationObserver), for at most a few seconds. */
static int page_wait_for(struct browser *b, const char *condition)
{
    static char script[8192];
    int wait = pd_wait_ms();
    snprintf(script, sizeof script,
             "new Promise(function (done) {"
             "  function holds() { try { return !!(%s); } catch (e) { return false; } }"
             "  if (holds()) return done(true);"
             "  var watch = new MutationObserver(function () {"
             "    if (holds()) { watch.disconnect(); done(true); } });"
             "  watch.observe(document, {subtree: true, childList: true,"
             "                           characterData: true, attributes: true});"
             "  setTimeout(function () { watch.disconnect(); done(holds()); }, %d);"
             "})",
             condition, wait);
    /* Right after a navigation the old document may answer, or vanish mid-call:
     * ask again, within the same bound. */
    long long deadline = now_ms() + 2 * wait;
    char value[64];
    while (now_ms() < deadline) {
        if (page_evaluate(b, script, value, sizeof value, 2 * wait) == 0)
            return strcmp(value, "true") == 0;
    }
    return 0;
}

/* A string the page computes, unquoted (the tests' strings hold no escapes). */
static void page_string(struct browser *b, const char *expression, char *out, size_t size)
{
    char value[256];
    ck_assert_msg(page_evaluate(b, expression, value, sizeof value, pd_wait_ms()) == 0,
                  "the page could not evaluate %s", expression);
    size_t length = strlen(value);
    ck_assert_msg(length >= 2 && value[0] == '"' && value[length - 1] == '"',
                  "%s is not a string: %s", expression, value);
    snprintf(out, size, "%.*s", (int)(length - 2), value + 1);
}

/* A condition: the page's list holds a line with exactly this text. */
static void line_shown(const char *text, char *condition, size_t size)
{
    snprintf(condition, size,
             "Array.prototype.some.call(document.querySelectorAll('#lines li'),"
             " function (li) { return li.textContent === '%s'; })",
             text);
}

/* Type text into the page's box and submit the form, as a user would. */
static void page_type(struct browser *b, const char *text)
{
    char script[1024], value[64];
    snprintf(script, sizeof script,
             "(function () { document.getElementById('text').value = '%s';"
             " document.getElementById('say').requestSubmit(); return true; })()",
             text);
    ck_assert_msg(page_evaluate(b, script, value, sizeof value, pd_wait_ms()) == 0 &&
                      strcmp(value, "true") == 0,
                  "could not type into the page");
}

/* ---- The tests ----------------------------------------------------------------------
 */

/* The page over one transport and a raw client talk both ways, and the page hears
 * the server shut down. */
static void page_talks_with_a_raw_client(const char *transport, const char *shown_as)
{
    char chromium[4096];
    if (!have_chromium(chromium, sizeof chromium, transport))
        return;
    struct server_proc server;
    pd_start(&server, NULL);
    char raw_name[32];
    struct pd_peer *raw = pd_raw_join(server.port2, raw_name);

    struct browser b;
    browser_start(&b, chromium);
    connect_page(&b);
    char params[256], reply[4096];
    snprintf(params, sizeof params, "{\"url\":\"http://127.0.0.1:%d/?t=%s\"}",
             server.port, transport);
    cdp_call(&b, "Page.navigate", params, reply, sizeof reply, 2 * pd_wait_ms());
    ck_assert_msg(strstr(reply, "errorText") == NULL, "navigation failed: %s", reply);

    /* Joined: the welcome is shown, and the page says which transport and nick. */
    ck_assert_msg(page_wait_for(&b, "document.getElementById('status').textContent"
                                    " === 'connected' && /^\\* welcome to pushd, you are "
                                    "guest[0-9]+;/.test(document.getElementById('lines')"
                                    ".textContent)"),
                  "the page did not join over %s (browser stderr:\n%s)", transport,
                  b.stderr_tail);
    char nick[64], shown[64], expect[512];
    page_string(&b, "document.getElementById('nick').textContent", nick, sizeof nick);
    page_string(&b, "document.getElementById('transport').textContent", shown,
                sizeof shown);
    ck_assert_str_eq(shown, shown_as);
    snprintf(expect, sizeof expect, "* %s joined", nick);
    pd_expect_line(raw, expect);

    /* Raw to page, shown as text (the markup is not HTML to the page). */
    char said[256], condition[1024], typed[512];
    snprintf(said, sizeof said, "hello from nc <b>over</b> %s & co", transport);
    snprintf(typed, sizeof typed, "%s\n", said);
    pd_say(raw, typed);
    snprintf(expect, sizeof expect, "%s: %s", raw_name, said);
    line_shown(expect, condition, sizeof condition);
    ck_assert_msg(page_wait_for(&b, condition), "the page did not show \"%s\"", expect);
    ck_assert_msg(page_wait_for(&b, "document.querySelector('#lines b') === null"),
                  "a line became markup");

    /* Page to raw. */
    snprintf(said, sizeof said, "hello from the page over %s", transport);
    page_type(&b, said);
    snprintf(expect, sizeof expect, "%s: %s", nick, said);
    pd_expect_line(raw, expect);

    /* The server's last words reach the page too. */
    pd_close(raw);
    server_stop_clean(&server, "pushd");
    line_shown("* server shutting down", condition, sizeof condition);
    ck_assert_msg(page_wait_for(&b, condition), "the page did not hear the shutdown");
    browser_stop(&b);
}

START_TEST(websocket_page_talks_with_a_raw_client)
{
    page_talks_with_a_raw_client("ws", "WebSocket");
}
END_TEST

START_TEST(server_sent_events_page_talks_with_a_raw_client)
{
    page_talks_with_a_raw_client("sse", "server-sent events");
}
END_TEST

START_TEST(long_polling_page_talks_with_a_raw_client)
{
    page_talks_with_a_raw_client("poll", "long polling");
}
END_TEST

Suite *browser_suite(void)
{
    Suite *s = suite_create("browser");
    TCase *tc = tcase_create("chromium");
    tcase_set_timeout(tc, 90); /* a browser starting on a busy machine */
    tcase_add_test(tc, websocket_page_talks_with_a_raw_client);
    tcase_add_test(tc, server_sent_events_page_talks_with_a_raw_client);
    tcase_add_test(tc, long_polling_page_talks_with_a_raw_client);
    suite_add_tcase(s, tc);
    return s;
}
