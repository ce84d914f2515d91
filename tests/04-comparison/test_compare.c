/* test_compare.c: compare itself, run as a learner runs it, against the real servers.
 *
 * One short run (--quick, with smaller counts still) feeds most tests: its CSV must
 * parse and hold every experiment and style, its connection counts must be exactly
 * what each style implies, its SVG must be well-formed XML, and no server it started
 * may outlive it. Other tests interrupt a run with SIGINT, and give compare a missing
 * binary, a dead server and bad flags.
 */
#include "suites.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define QUICK_N        200 /* round trips per style in the shared run */
#define QUICK_N_TEXT   "200"
#define IDLE_C         10
#define IDLE_C_TEXT    "10"
#define OUT_SIZE       (256 * 1024)
#define ERR_SIZE       (64 * 1024)
#define SVG_SIZE       (512 * 1024)
#define MAX_ROWS       2000
#define FIELDS         6
#define FIELD_SIZE     192
#define MAX_PIDS       16  /* ch1-3, and pushd: started once, then once per transport */
#define RUN_LIMIT_SECS 120 /* the shared run, times CK_TIMEOUT_MULTIPLIER */

/* ---- The shared run
 * -------------------------------------------------------------------- */

struct csv_row {
    char field[FIELDS][FIELD_SIZE];
};

static struct {
    int status;
    char out[OUT_SIZE];
    char err[ERR_SIZE];
    char svg[SVG_SIZE];
    size_t svg_length;
    int svg_found;
    struct csv_row rows[MAX_ROWS];
    int row_count;
    int bad_line; /* the first line that did not have six fields, or 0 */
} quick;

/* Split one CSV line (RFC 4180 quoting) into fields. Returns the field count. */
static int split_csv(const char *line, struct csv_row *row)
{
    int count = 0;
    const char *p = line;
    for (;;) {
        char *out = count < FIELDS ? row->field[count] : NULL;
        size_t used = 0;
        if (*p == '"') {
            for (p++; *p != '\0'; p++) {
                if (*p == '"' && p[1] == '"')
                    p++;
                else if (*p == '"')
                    break;
                if (out != NULL && used + 1 < FIELD_SIZE)
                    out[used++] = *p;
            }
            if (*p == '"')
                p++;
        } else {
            for (; *p != '\0' && *p != ','; p++)
                if (out != NULL && used + 1 < FIELD_SIZE)
                    out[used++] = *p;
        }
        if (out != NULL)
            out[used] = '\0';
        count++;
        if (*p != ',')
            return count;
        p++;
    }
}

static void parse_csv(void)
{
    char *save = NULL;
    int line_number = 0;
    for (char *line = strtok_r(quick.out, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        line_number++;
        if (quick.row_count == MAX_ROWS)
            break;
        if (split_csv(line, &quick.rows[quick.row_count]) != FIELDS) {
            if (quick.bad_line == 0)
                quick.bad_line = line_number;
            continue;
        }
        quick.row_count++;
    }
}

static void read_svg(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    quick.svg_length = fread(quick.svg, 1, SVG_SIZE - 1, f);
    quick.svg[quick.svg_length] = '\0';
    quick.svg_found = 1;
    fclose(f);
}

/* Runs once, in Check's own process, before the tests that read its results. */
static void run_quick(void)
{
    char dir[64];
    make_temp_dir(dir);
    char svg_path[128];
    snprintf(svg_path, sizeof svg_path, "%s/chart.svg", dir);
    char *argv[] = {COMPARE,  "--quick",    "--csv",       "--svg", svg_path,
                    "-n",     QUICK_N_TEXT, "--push-secs", "2",     "--poll",
                    "50,200", "--idle",     IDLE_C_TEXT,   NULL};
    alarm(RUN_LIMIT_SECS * (unsigned)timeout_multiplier()); /* never hang the suite */
    quick.status =
        run_program(argv, quick.out, sizeof quick.out, NULL, quick.err, sizeof quick.err);
    alarm(0);
    read_svg(svg_path);
    remove_tree(dir);
    parse_csv();
}

/* The value of one metric, or NULL. parameter NULL matches any. */
static const char *csv_value(const char *experiment, const char *style,
                             const char *parameter, const char *metric)
{
    for (int i = 0; i < quick.row_count; i++) {
        const struct csv_row *r = &quick.rows[i];
        if (strcmp(r->field[0], experiment) == 0 && strcmp(r->field[1], style) == 0 &&
            (parameter == NULL || strcmp(r->field[2], parameter) == 0) &&
            strcmp(r->field[3], metric) == 0)
            return r->field[4];
    }
    return NULL;
}

static double number(const char *experiment, const char *style, const char *parameter,
                     const char *metric)
{
    const char *text = csv_value(experiment, style, parameter, metric);
    ck_assert_msg(text != NULL, "no %s for %s %s %s in the CSV", metric, experiment,
                  style, parameter ? parameter : "");
    char *end;
    double v = strtod(text, &end);
    ck_assert_msg(end != text && *end == '\0', "%s %s %s: \"%s\" is not a number",
                  experiment, style, metric, text);
    return v;
}

static void require_success(void)
{
    ck_assert_msg(quick.status == 0, "compare exited with %d; stderr:\n%s", quick.status,
                  quick.err);
}

/* The pids compare reports on stderr: "compare: started ..., pid 1234, on ...". */
static int started_pids(const char *err, pid_t *pids, int max)
{
    int count = 0;
    for (const char *p = strstr(err, ", pid "); p != NULL && count < max;
         p = strstr(p + 1, ", pid "))
        pids[count++] = (pid_t)strtol(p + strlen(", pid "), NULL, 10);
    return count;
}

/* Is anything left of what compare started? Each server led a process group of its
 * own, which chapter 2's workers share: an empty group means none is left. */
static void expect_gone(const pid_t *pids, int count)
{
    for (int i = 0; i < count; i++) {
        errno = 0;
        ck_assert_msg(kill(-pids[i], 0) < 0 && errno == ESRCH,
                      "process group %ld (a server compare started) still exists",
                      (long)pids[i]);
    }
}

START_TEST(quick_run_succeeds)
{
    require_success();
    ck_assert_msg(quick.bad_line == 0, "CSV line %d does not have %d fields",
                  quick.bad_line, FIELDS);
}
END_TEST

START_TEST(csv_has_every_experiment_and_style)
{
    require_success();
    const struct csv_row *header = &quick.rows[0];
    const char *names[FIELDS] = {"experiment", "style", "parameter",
                                 "metric",     "value", "unit"};
    for (int i = 0; i < FIELDS; i++)
        ck_assert_str_eq(header->field[i], names[i]);
    ck_assert_ptr_nonnull(csv_value("machine", "", "", "cpu"));
    ck_assert_ptr_nonnull(csv_value("machine", "", "", "os"));
    ck_assert(number("machine", "", "", "cores") >= 1);
    const char *styles[] = {"ch1-close", "ch2-keepalive", "ch3-socket"};
    for (int s = 0; s < 3; s++) {
        ck_assert_ptr_nonnull(csv_value("roundtrip", styles[s], "", "latency_p50"));
        ck_assert_ptr_nonnull(csv_value("idle", styles[s], "C=" IDLE_C_TEXT, "held"));
    }
    ck_assert_ptr_nonnull(csv_value("push", "ch3-push", "", "delay_mean"));
    ck_assert_ptr_nonnull(csv_value("push", "ch2-poll", "P=50ms", "delay_mean"));
    ck_assert_ptr_nonnull(csv_value("push", "ch2-poll", "P=200ms", "delay_mean"));
    for (int i = 0; i < quick.row_count; i++)
        ck_assert_msg(strcmp(quick.rows[i].field[3], "error") != 0, "%s %s failed: %s",
                      quick.rows[i].field[0], quick.rows[i].field[1],
                      quick.rows[i].field[4]);
}
END_TEST

START_TEST(connection_counts_hold_exactly)
{
    require_success();
    /* One connection per request for chapter 1, one for all of them otherwise. */
    ck_assert(number("roundtrip", "ch1-close", "", "connections") == QUICK_N);
    ck_assert(number("roundtrip", "ch2-keepalive", "", "connections") == 1);
    ck_assert(number("roundtrip", "ch3-socket", "", "connections") == 1);
    const char *styles[] = {"ch1-close", "ch2-keepalive", "ch3-socket"};
    for (int s = 0; s < 3; s++)
        ck_assert(number("roundtrip", styles[s], "", "exchanges") == QUICK_N);
    ck_assert(number("push", "ch3-push", "", "connections") == 1);
    ck_assert(number("push", "ch2-poll", "P=50ms", "connections") == 1);
    ck_assert(number("push", "ch2-poll", "P=200ms", "connections") == 1);
    /* Idle: chapter 1 holds none, chapter 2 one worker per connection, chapter 3 one
     * descriptor per client. */
    ck_assert(number("idle", "ch1-close", "C=" IDLE_C_TEXT, "held") == 0);
    ck_assert(number("idle", "ch2-keepalive", "C=" IDLE_C_TEXT, "held") == IDLE_C);
    ck_assert(number("idle", "ch2-keepalive", "C=" IDLE_C_TEXT, "processes") ==
              IDLE_C + 1);
    ck_assert(number("idle", "ch3-socket", "C=" IDLE_C_TEXT, "held") == IDLE_C);
    ck_assert(number("idle", "ch3-socket", "C=" IDLE_C_TEXT, "processes") == 1);
}
END_TEST

START_TEST(numbers_tell_a_consistent_story)
{
    require_success();
    const char *styles[] = {"ch1-close", "ch2-keepalive", "ch3-socket"};
    for (int s = 0; s < 3; s++) {
        double p50 = number("roundtrip", styles[s], "", "latency_p50");
        double p90 = number("roundtrip", styles[s], "", "latency_p90");
        double p99 = number("roundtrip", styles[s], "", "latency_p99");
        double max = number("roundtrip", styles[s], "", "latency_max");
        ck_assert_msg(p50 > 0 && p50 <= p90 && p90 <= p99 && p99 <= max,
                      "%s: p50 %g, p90 %g, p99 %g, max %g out of order", styles[s], p50,
                      p90, p99, max);
    }
    /* The same request line, "GET /hello.txt HTTP/1.x", and Host header. */
    ck_assert(number("roundtrip", "ch1-close", "", "bytes_sent") ==
              number("roundtrip", "ch2-keepalive", "", "bytes_sent"));
    ck_assert(number("roundtrip", "ch3-socket", "", "bytes_sent") == 5); /* "/who\n" */
    /* By the model, a new connection per request costs segments that keep-alive does
     * not: 11 against 4 (and one handshake and close shared by all the exchanges). */
    double kept = number("roundtrip", "ch2-keepalive", "", "segments_model");
    ck_assert(number("roundtrip", "ch1-close", "", "segments_model") == 11);
    ck_assert_msg(kept >= 4 && kept < 4.1, "ch2: %g segments by the model", kept);
    /* Push delivers every event, sooner than polling; faster polling costs more. */
    double events = number("push", "ch3-push", "", "events");
    ck_assert(events > 0);
    ck_assert(number("push", "ch3-push", "", "delivered") == events);
    ck_assert(number("push", "ch2-poll", "P=50ms", "delivered") == events);
    ck_assert(number("push", "ch3-push", "", "delay_mean") <
              number("push", "ch2-poll", "P=50ms", "delay_mean"));
    ck_assert(number("push", "ch2-poll", "P=50ms", "delay_mean") <
              number("push", "ch2-poll", "P=200ms", "delay_mean"));
    ck_assert(number("push", "ch2-poll", "P=50ms", "requests_per_event") >
              number("push", "ch2-poll", "P=200ms", "requests_per_event"));
    ck_assert(number("push", "ch3-push", "", "requests_per_event") == 0);
}
END_TEST

/* On Linux the kernel counts the segments (TCP_INFO), and the counts must say what a
 * capture with tcpdump says: about 10 for an HTTP/1.0 exchange on its own connection
 * (3 to connect, request, answer and their ACKs, 3 or 4 to close), about 2 for an
 * exchange on a kept connection (the ACKs ride on the next request). Elsewhere the
 * count is n/a, never a number the model made up. */
START_TEST(segments_are_counted_on_linux_and_only_there)
{
    require_success();
    const char *styles[] = {"ch1-close", "ch2-keepalive", "ch3-socket"};
#ifdef __linux__
    double ch1 = number("roundtrip", "ch1-close", "", "segments");
    double ch2 = number("roundtrip", "ch2-keepalive", "", "segments");
    double ch3 = number("roundtrip", "ch3-socket", "", "segments");
    ck_assert_msg(ch1 >= 7 && ch1 <= 11, "ch1: %g segments per exchange", ch1);
    ck_assert_msg(ch2 >= 1.5 && ch2 <= 4, "ch2: %g segments per exchange", ch2);
    ck_assert_msg(ch3 >= 1.5 && ch3 <= 4, "ch3: %g segments per exchange", ch3);
    ck_assert_msg(ch1 > 2 * ch2, "ch1 %g is not well above ch2 %g", ch1, ch2);
    /* Push: a message and (at most) its ACK per event. Polling every 50 ms: a request,
     * an answer and ACKs, about twice per event. */
    double push = number("push", "ch3-push", "", "segments_per_event");
    double poll = number("push", "ch2-poll", "P=50ms", "segments_per_event");
    ck_assert_msg(push >= 1 && push <= 2.5, "push: %g segments per event", push);
    ck_assert_msg(poll > push, "polling %g, push %g segments per event", poll, push);
#else
    for (int s = 0; s < 3; s++)
        ck_assert_str_eq(csv_value("roundtrip", styles[s], "", "segments"), "n/a");
#endif
    for (int s = 0; s < 3; s++) /* the model stays, labelled */
        ck_assert_ptr_nonnull(csv_value("roundtrip", styles[s], "", "segments_model"));
}
END_TEST

/* Chapter 5's rows (make test builds every chapter): its four ways to push beside the
 * others, each delivering every event once over one connection, and its idle
 * members held in one process. Without pushd, the report must say so. */
START_TEST(chapter5_rows_are_there_and_sane)
{
    require_success();
    if (access(PROJECT_ROOT "/chapters/05-web-push/pushd", X_OK) != 0) {
        ck_assert_ptr_nonnull(strstr(quick.out, "ch5 not measured"));
        return;
    }
    static const char *const keys[] = {"ch5-raw", "ch5-longpoll", "ch5-sse",
                                       "ch5-websocket"};
    double events = number("push", "ch3-push", "", "events");
    for (int i = 0; i < 4; i++) {
        ck_assert_msg(number("push", keys[i], "", "delivered") == events,
                      "%s did not deliver every event", keys[i]);
        /* pushd closes a kept connection after 100 requests: a long poller may
         * reconnect. */
        double connections = number("push", keys[i], "", "connections");
        ck_assert(i == 1 ? connections >= 1 : connections == 1);
        double p50 = number("push", keys[i], "", "delay_p50");
        double p99 = number("push", keys[i], "", "delay_p99");
        ck_assert_msg(p50 > 0 && p50 <= p99, "%s: p50 %g, p99 %g", keys[i], p50, p99);
        ck_assert(number("push", keys[i], "", "bytes_per_event") > 0);
        ck_assert(number("push", keys[i], "", "empty_answers") == 0);
        ck_assert(number("idle", keys[i], "C=" IDLE_C_TEXT, "held") == IDLE_C);
        ck_assert(number("idle", keys[i], "C=" IDLE_C_TEXT, "processes") == 1);
    }
    /* Pushed: one message per event, no request. Long polling: one answer per event at
     * most (an answer carries every line since the cursor), each a request. */
    static const char *const pushed[] = {"ch5-raw", "ch5-sse", "ch5-websocket"};
    for (int i = 0; i < 3; i++) {
        ck_assert(number("push", pushed[i], "", "requests_per_event") == 0);
        ck_assert(number("push", pushed[i], "", "messages_per_event") == 1);
    }
    double asks = number("push", "ch5-longpoll", "", "requests_per_event");
    ck_assert_msg(asks > 0 && asks <= (events + 1) / events + 0.01, "%g polls per event",
                  asks);
    /* A long poll's answer carries HTTP headers; a WebSocket frame two bytes. */
    ck_assert(number("push", "ch5-longpoll", "", "bytes_per_event") >
              number("push", "ch5-websocket", "", "bytes_per_event"));
    ck_assert_ptr_nonnull(strstr(quick.svg, "6. Delay from event to client, pushed"));
}
END_TEST

START_TEST(svg_is_well_formed)
{
    require_success();
    ck_assert_msg(quick.svg_found, "compare did not write the --svg file");
    char why[128];
    ck_assert_msg(xml_well_formed(quick.svg, quick.svg_length, why, sizeof why),
                  "the SVG is not well-formed: %s", why);
    ck_assert_ptr_nonnull(strstr(quick.svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
    ck_assert_ptr_nonnull(strstr(quick.svg, "</svg>"));
}
END_TEST

START_TEST(no_server_outlives_a_run)
{
    require_success();
    pid_t pids[MAX_PIDS];
    int count = started_pids(quick.err, pids, MAX_PIDS);
    /* Chapters 1-3, and pushd where it is built: once for experiment 2, then once per
     * transport for experiment 3 (each measured on a fresh server). */
    int pushd = access(PROJECT_ROOT "/chapters/05-web-push/pushd", X_OK) == 0;
    int expected = 3 + (pushd ? 5 : 0);
    ck_assert_msg(count == expected,
                  "expected %d \"started\" lines on stderr, got %d:\n%s", expected, count,
                  quick.err);
    expect_gone(pids, count);
}
END_TEST

/* ---- Interrupting a run
 * ------------------------------------------------------------------ */

/* compare with stdout to /dev/null and stderr into a pipe we read. */
static pid_t spawn_compare(char *const argv[], int *err_fd)
{
    int err[2];
    ck_assert(pipe(err) == 0);
    pid_t pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0) {
        signal(SIGTERM, SIG_DFL); /* Check's handler must not reach compare */
        signal(SIGINT, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        dup2(err[1], STDERR_FILENO);
        close(err[0]);
        close(err[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(err[1]);
    *err_fd = err[0];
    return pid;
}

/* Append what arrives on fd to buf until it holds `want` occurrences of needle. */
static int read_until(int fd, char *buf, size_t size, size_t *used, const char *needle,
                      int want, int timeout_ms)
{
    for (;;) {
        int found = 0;
        for (const char *p = strstr(buf, needle); p != NULL; p = strstr(p + 1, needle))
            found++;
        if (found >= want)
            return 1;
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (*used + 1 >= size || poll(&pfd, 1, timeout_ms) <= 0)
            return 0;
        ssize_t n = read(fd, buf + *used, size - 1 - *used);
        if (n <= 0)
            return 0;
        *used += (size_t)n;
        buf[*used] = '\0';
    }
}

/* Living children of pid, from /proc; -1 where there is no /proc. */
static int children_of(pid_t pid)
{
    DIR *d = opendir("/proc");
    if (d == NULL)
        return -1;
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        char path[300], line[512];
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue;
        const char *end = fgets(line, sizeof line, f) ? strrchr(line, ')') : NULL;
        char state;
        long parent;
        if (end != NULL && sscanf(end + 1, " %c %ld", &state, &parent) == 2 &&
            parent == (long)pid && state != 'Z')
            count++;
        fclose(f);
    }
    closedir(d);
    return count;
}

static int wait_exit(pid_t pid, int timeout_ms)
{
    for (int waited = 0; waited < timeout_ms; waited += 10) {
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        struct timespec pause = {0, 10 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

START_TEST(sigint_mid_run_stops_every_server)
{
    /* The idle experiment: chapter 2's server will have a worker per connection when
     * the signal comes, the hardest case for leaving nothing behind. */
    char *argv[] = {COMPARE, "--only", "idle", "--idle", "400", NULL};
    int err_fd;
    pid_t pid = spawn_compare(argv, &err_fd);
    static char err[ERR_SIZE];
    size_t used = 0;
    err[0] = '\0';
    int wait_ms = 10000 * timeout_multiplier();
    ck_assert_msg(
        read_until(err_fd, err, sizeof err, &used, "compare: started", 3, wait_ms),
        "compare did not start its three servers:\n%s", err);
    pid_t pids[MAX_PIDS];
    int count = started_pids(err, pids, MAX_PIDS);
    ck_assert_int_ge(count, 3); /* and pushd, if it was quick enough */
    /* Wait (by looking, not sleeping blindly) until chapter 2 has workers. */
    for (int waited = 0; waited < wait_ms && children_of(pids[1]) == 0; waited += 5) {
        struct timespec pause = {0, 5 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    ck_assert_int_eq(kill(pid, SIGINT), 0);
    int status = wait_exit(pid, wait_ms);
    read_until(err_fd, err, sizeof err, &used, "\n\n", 1, 100); /* the rest, if any */
    close(err_fd);
    ck_assert_msg(status == 128 + SIGINT, "exit status %d after SIGINT; stderr:\n%s",
                  status, err);
    ck_assert_ptr_nonnull(strstr(err, "stopped by signal"));
    count = started_pids(err, pids, MAX_PIDS); /* pushd too, if it had started */
    expect_gone(pids, count);
}
END_TEST

/* ---- Errors ---------------------------------------------------------------------------
 */

static int run_compare(char *const argv[], char *out, size_t out_size, char *err,
                       size_t err_size)
{
    return run_program(argv, out, out_size, NULL, err, err_size);
}

START_TEST(missing_binary_exits_1_and_says_how_to_build)
{
    static char out[4096], err[4096];
    char *argv[] = {COMPARE, "--quick", "--root", "/nonexistent-compare-root", NULL};
    ck_assert_int_eq(run_compare(argv, out, sizeof out, err, sizeof err), 1);
    ck_assert_ptr_nonnull(strstr(err, "chapter 1's server (httpd) is missing"));
    ck_assert_ptr_nonnull(strstr(err, "make ch1"));
    ck_assert_ptr_nonnull(strstr(err, "make ch3"));
    ck_assert_ptr_null(strstr(err, "started")); /* nothing was started */
}
END_TEST

START_TEST(bad_flags_exit_2_and_help_exits_0)
{
    static char out[8192], err[8192];
    /* An unknown option, or one without its value: getopt says so, then the usage. */
    char *bogus[] = {COMPARE, "--bogus", NULL};
    char *missing[] = {COMPARE, "--svg", NULL};
    char *extra[] = {COMPARE, "--quick", "more", NULL};
    char *const *unknown[] = {bogus, missing, extra};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        ck_assert_int_eq(run_compare(unknown[i], out, sizeof out, err, sizeof err), 2);
        ck_assert_msg(strstr(err, "usage:") != NULL, "%s: no usage on stderr",
                      unknown[i][1]);
    }
    /* A bad value: "compare: OPTION wants ..." on stderr, as in every program here. */
    char *zero[] = {COMPARE, "-n", "0", NULL};
    char *chat[] = {COMPARE, "--chat", "maybe", NULL};
    char *list[] = {COMPARE, "--poll", "50,,x", NULL};
    char *only[] = {COMPARE, "--only=everything", NULL};
    char *const *bad[] = {zero, chat, list, only};
    const char *says[] = {"compare: -n wants ", "compare: --chat wants ",
                          "compare: --poll wants ", "compare: --only wants "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(run_compare(bad[i], out, sizeof out, err, sizeof err), 2);
        ck_assert_msg(strstr(err, says[i]) != NULL, "%s: stderr says \"%s\"", bad[i][1],
                      err);
    }
    char *help[] = {COMPARE, "-h", NULL};
    ck_assert_int_eq(run_compare(help, out, sizeof out, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(out, "usage:"));
}
END_TEST

START_TEST(dead_server_fails_its_column_and_the_rest_still_runs)
{
    /* A port that refuses connections: bound but not listening, held while we run. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert(fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0);
    socklen_t length = sizeof sin;
    ck_assert(getsockname(fd, (struct sockaddr *)&sin, &length) == 0);
    char address[64];
    snprintf(address, sizeof address, "127.0.0.1:%d", ntohs(sin.sin_port));

    static char out[OUT_SIZE], err[ERR_SIZE];
    char *argv[] = {COMPARE, "--only", "roundtrip", "-n", "20",
                    "--csv", "--ch1",  address,     NULL};
    int status = run_compare(argv, out, sizeof out, err, sizeof err);
    close(fd);
    ck_assert_msg(status == 1, "exit status %d, expected 1; stderr:\n%s", status, err);
    ck_assert_ptr_nonnull(strstr(out, "roundtrip,ch1-close,,error,"));
    ck_assert_ptr_nonnull(strstr(out, "roundtrip,ch2-keepalive,,exchanges,20"));
    ck_assert_ptr_nonnull(strstr(out, "roundtrip,ch3-socket,,exchanges,20"));
}
END_TEST

/* A chapter 2 server given with --ch2 that closes after 10 requests (-n 10): compare
 * reconnects, counts the connections it really opened, and its note says so. */
START_TEST(given_server_that_closes_is_counted_and_said)
{
    struct server_proc server;
    char *server_argv[] = {
        PROJECT_ROOT "/chapters/02-keep-alive/httpd", "-p", "0", "-n", "10", NULL};
    ck_assert(server_start(&server, server_argv[0], server_argv) == 0);
    char address[64];
    snprintf(address, sizeof address, "127.0.0.1:%d", server.port);
    static char out[OUT_SIZE], err[ERR_SIZE];
    char *argv[] = {COMPARE,      "--only", "roundtrip", "-n", "100",
                    "--markdown", "--ch2",  address,     NULL};
    int status = run_compare(argv, out, sizeof out, err, sizeof err);
    server_stop_clean(&server, "chapter 2's httpd -n 10");
    ck_assert_msg(status == 0, "exit status %d; stderr:\n%s", status, err);
    ck_assert_msg(strstr(out, "| TCP connections opened | 100 | 10 | 1 |") != NULL,
                  "not 100, 10 and 1 connections:\n%s", out);
    ck_assert_msg(strstr(out, "opened a new one each time the server closed it") != NULL,
                  "the note does not say that ch2 reconnected:\n%s", out);
}
END_TEST

Suite *compare_suite(void)
{
    Suite *s = suite_create("04 compare");
    TCase *run = tcase_create("quick run");
    tcase_add_unchecked_fixture(run, run_quick, NULL);
    tcase_set_timeout(run, 20);
    tcase_add_test(run, quick_run_succeeds);
    tcase_add_test(run, csv_has_every_experiment_and_style);
    tcase_add_test(run, connection_counts_hold_exactly);
    tcase_add_test(run, numbers_tell_a_consistent_story);
    tcase_add_test(run, segments_are_counted_on_linux_and_only_there);
    tcase_add_test(run, chapter5_rows_are_there_and_sane);
    tcase_add_test(run, svg_is_well_formed);
    tcase_add_test(run, no_server_outlives_a_run);
    suite_add_tcase(s, run);

    TCase *signals = tcase_create("signals");
    tcase_set_timeout(signals, 40);
    tcase_add_test(signals, sigint_mid_run_stops_every_server);
    suite_add_tcase(s, signals);

    TCase *errors = tcase_create("errors");
    tcase_set_timeout(errors, 40);
    tcase_add_test(errors, missing_binary_exits_1_and_says_how_to_build);
    tcase_add_test(errors, bad_flags_exit_2_and_help_exits_0);
    tcase_add_test(errors, dead_server_fails_its_column_and_the_rest_still_runs);
    tcase_add_test(errors, given_server_that_closes_is_counted_and_said);
    suite_add_tcase(s, errors);
    return s;
}
