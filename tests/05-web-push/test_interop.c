/* test_interop.c: a second, independent WebSocket client. Our own test clients were
 * written from the same reading of RFC 6455 as pushd, so a misreading could pass them
 * both; the `ws` package for Node.js was not. interop_ws.js drives it against pushd
 * (with a raw chat client beside it): handshake, messages both ways, fragments, a
 * character split across fragments, PING, the close handshake, 1009, 1007, 1003, and
 * the Origin check. ws fails the connection on any frame that breaks the RFC.
 *
 * Optional: without node, or without its ws package (npm install ws, or Debian's
 * node-ws, which lives in /usr/share/nodejs), the test passes and says "skipped".
 */
#include "suites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCRIPT PROJECT_ROOT "/tests/05-web-push/interop_ws.js"

/* Debian installs Node packages in /usr/share/nodejs, where a node from elsewhere
 * (nodejs.org, NodeSource) does not look unless told. */
static void add_debian_node_path(void)
{
    const char *old = getenv("NODE_PATH");
    char path[4096];
    snprintf(path, sizeof path, "%s%s/usr/share/nodejs", old != NULL ? old : "",
             old != NULL && old[0] != '\0' ? ":" : "");
    setenv("NODE_PATH", path, 1);
}

/* Is there a node that can load ws? */
static int have_node_ws(char *node, size_t size)
{
    if (!pd_find_program("node", node, size))
        return 0;
    add_debian_node_path();
    char *argv[] = {node, "-e", "require('ws')", NULL};
    char out[256];
    return run_program(argv, out, sizeof out, NULL, NULL, 0) == 0;
}

START_TEST(the_ws_package_talks_with_pushd)
{
    char node[1024];
    if (!have_node_ws(node, sizeof node)) {
        fprintf(stderr, "interop: skipped: node and its ws package not installed\n");
        return;
    }
    struct server_proc server;
    pd_start(&server, NULL);
    char http_port[16], chat_port[16];
    snprintf(http_port, sizeof http_port, "%d", server.port);
    snprintf(chat_port, sizeof chat_port, "%d", server.port2);
    char *argv[] = {node, SCRIPT, http_port, chat_port, NULL};
    static char out[16384], err[4096];
    size_t length = 0;
    int status = run_program(argv, out, sizeof out - 1, &length, err, sizeof err);
    out[length] = '\0';
    ck_assert_msg(status == 0, "interop_ws.js exited with %d:\n%s%s", status, out, err);
    ck_assert_msg(strstr(out, " checks passed") != NULL, "no summary line:\n%s", out);
    server_stop_clean(&server, "pushd");
}
END_TEST

Suite *interop_suite(void)
{
    Suite *s = suite_create("interop");
    TCase *tc = tcase_create("ws package");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, the_ws_package_talks_with_pushd);
    suite_add_tcase(s, tc);
    return s;
}
