/* test_regressions.c: what the fuzzers and the hostile-client tests found, kept.
 *
 * Two kinds of test:
 *   - the corpus of every fuzz target (tests/fuzz/corpus/NAME: the hand-written seeds,
 *     and every input that ever found a bug), replayed through the target by
 *     tests/fuzz/build/replay/NAME: the target's code and its properties, built with
 *     the same compiler and sanitizers as everything else, without libFuzzer. `make
 *     test` builds those programs (make -C tests/fuzz replay);
 *   - a unit test for each bug found, next to the fix it pins down.
 */
#include "harness.h"
#include "suites.h"

#include "http.h"
#include "io.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define FUZZ_DIR PROJECT_ROOT "/tests/fuzz"

static const char *const targets[] = {
    "fuzz_request_line", "fuzz_header_values", "fuzz_target_path", "fuzz_framing",
    "fuzz_chat_lines",   "fuzz_chat_command",  "fuzz_ws_frames",   "fuzz_utf8",
    "fuzz_ws_handshake", "fuzz_send_body",
};

/* The last line of text (for the name of the input that failed). */
static const char *last_line(char *text, size_t length)
{
    while (length > 0 && text[length - 1] == '\n')
        text[--length] = '\0';
    char *lf = strrchr(text, '\n');
    return lf != NULL ? lf + 1 : text;
}

START_TEST(fuzz_corpus_replays_clean)
{
    static char out[256 * 1024], err[16 * 1024];
    char program[512], corpus[512];
    snprintf(program, sizeof program, "%s/build/replay/%s", FUZZ_DIR, targets[_i]);
    snprintf(corpus, sizeof corpus, "%s/corpus/%s", FUZZ_DIR, targets[_i]);
    ck_assert_msg(access(program, X_OK) == 0,
                  "%s is not built: make -C tests/fuzz replay (make test does it)",
                  program);
    char *argv[] = {program, corpus, NULL};
    size_t length = 0;
    int status = run_program(argv, out, sizeof out, &length, err, sizeof err);
    ck_assert_msg(status == 0, "%s failed (status %d) on %s:\n%.2000s", targets[_i],
                  status, last_line(out, length), err);
    ck_assert_msg(strstr(out, "replayed ") != NULL, "%s ran no input", targets[_i]);
}
END_TEST

/* ---- Bugs found ----------------------------------------------------------------------
 */

/* Read one request head from bytes sent over a socketpair. */
static int read_head(const char *bytes, struct http_request *req)
{
    static struct io_reader reader;
    int fds[2];
    ck_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    send_text(fds[1], bytes);
    shutdown(fds[1], SHUT_WR);
    io_reader_init(&reader, fds[0]);
    int status = http_read_request(&reader, req, io_now_ms() + 5000);
    close(fds[0]);
    close(fds[1]);
    return status;
}

/* Found by tests/02-keep-alive/test_hostile.c (request smuggling) and, once it had
 * the property, by fuzz_framing: a POST (405, found before the headers' 400) with a
 * header line that does not parse, "Content-Length : 44", kept the connection open,
 * and chapter 2 answered the request hidden in what a proxy could take for its body.
 * http_read_request now says so in bad_header, and chapter 2's check_framing answers
 * 400 and closes. */
START_TEST(bad_header_behind_405_is_reported)
{
    static struct http_request req;
    static const char *const bad_lines[] = {
        "Content-Length : 44", " folded", "\tfolded", "Content\x01Length: 44", "No colon",
    };
    for (size_t i = 0; i < sizeof bad_lines / sizeof bad_lines[0]; i++) {
        char request[256];
        snprintf(request, sizeof request, "POST /f HTTP/1.1\r\nHost: t\r\n%s\r\n\r\n",
                 bad_lines[i]);
        ck_assert_int_eq(read_head(request, &req), 405); /* the order of checks holds */
        ck_assert_msg(req.complete && req.bad_header, "\"%s\" went unnoticed",
                      bad_lines[i]);
    }
    ck_assert_int_eq(
        read_head("POST /f HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\n", &req), 405);
    ck_assert(req.complete && !req.bad_header);
    ck_assert_int_eq(read_head("GET / HTTP/1.1\r\nX : y\r\n\r\n", &req), 400);
    ck_assert(req.bad_header);
}
END_TEST

Suite *regressions_suite(void)
{
    Suite *s = suite_create("regressions");
    TCase *tc = tcase_create("fuzz corpus");
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, fuzz_corpus_replays_clean, 0,
                        (int)(sizeof targets / sizeof targets[0]));
    suite_add_tcase(s, tc);
    tc = tcase_create("bugs found");
    tcase_add_test(tc, bad_header_behind_405_is_reported);
    suite_add_tcase(s, tc);
    return s;
}
