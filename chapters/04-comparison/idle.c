/* idle.c: experiment 3, what quiet connections cost the server.
 *
 * A persistent connection costs the server something even when nobody says a word:
 * a descriptor, kernel socket buffers, and whatever the server keeps per client. How
 * much depends on the design:
 *
 *   ch1 close:      nothing, once it has answered: it hangs up. (A client that
 *                   connects while the server is busy waits in the kernel's listen
 *                   queue, which costs the server process nothing either.)
 *   ch2 keep-alive: one whole process per connection (fork), asleep in poll().
 *   ch3 socket:     one descriptor and one struct client in a single process.
 *
 * For each count C we open C connections, make each one do what an idle client of
 * that style has done (ch1 and ch2: one GET and its answer; ch3: join and read the
 * welcome), and then look at the server from outside (probe.c): its processes,
 * descriptors and resident memory, before and after. Then we close them all and wait
 * until the server is back where it started.
 */
#include "client.h"
#include "compare.h"
#include "probe.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SETTLE_TIMEOUT_MS 5000
#define SETTLE_POLL_MS    10
#define LINE_MAX_BYTES    4096
#define DRAIN_BUFFER      4096

static const char *const rows[][3] = {
    {"connections", "idle connections opened", ""},
    {"held", "connections the server holds", ""},
    {"processes", "server processes", ""},
    {"fds_before", "server descriptors before", ""},
    {"fds_after", "server descriptors after", ""},
    {"rss_before", "server memory (RSS) before", "KiB"},
    {"rss_after", "server memory (RSS) after", "KiB"},
    {"rss_per_connection", "RSS added per connection", "KiB"},
    {"pss_per_connection", "PSS added per connection", "KiB"},
    {"open_time", "time to open them all", "ms"},
};
static const int row_decimals[] = {0, 0, 0, 0, 0, 0, 0, 1, 1, 1};

static void pause_ms(long ms)
{
    struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&pause, NULL);
}

/* Wait until the server has let go of what earlier connections held: no worker
 * processes left (chapter 2), and its descriptor count back to `fds` (if known). */
static void settle(pid_t pid, long fds)
{
    long long deadline = io_now_ms() + SETTLE_TIMEOUT_MS;
    struct usage u;
    while (io_now_ms() < deadline) {
        if (probe_usage(pid, &u) < 0)
            return;
        int workers_gone = u.processes <= 1;
        int fds_back = fds < 0 || u.fds < 0 || u.fds <= fds;
        if (workers_gone && fds_back)
            return;
        pause_ms(SETTLE_POLL_MS);
    }
}

/* Open one connection and bring it to the idle state of its style. Returns the
 * descriptor, or -1 with a message in why. Bytes that arrive later (chat notices)
 * are left to drain_chat(). */
static int open_idle(struct run *r, enum style s, struct conn *c, char *why,
                     size_t why_size)
{
    struct server *server = &r->servers[s];
    char line[LINE_MAX_BYTES];
    struct http_answer answer;
    long long deadline = io_now_ms() + ANSWER_TIMEOUT_MS;
    conn_init(c);
    if (conn_open(c, server->host, server->port, why, why_size) < 0)
        return -1;
    long rc;
    if (s == CH3) {
        rc = conn_read_line(c, line, sizeof line, deadline);
    } else {
        rc = http_send_get(c, server->host, server->port, SMALL_FILE_PATH, s == CH2);
        if (rc == 0)
            rc = http_read_answer(c, s == CH1, &answer, deadline);
    }
    if (rc < 0) {
        snprintf(why, why_size, "connection %s: %s", s == CH3 ? "joining" : "GET",
                 conn_error(rc));
        conn_close(c);
        return -1;
    }
    return c->fd;
}

/* Chat clients hear "* guest7 joined" for everyone who came after them: read it all,
 * so the server's output queues are empty when we measure it. */
static void drain_chat(const int *fds, long count)
{
    char sink[DRAIN_BUFFER];
    for (long i = 0; i < count; i++) {
        struct pollfd pfd = {.fd = fds[i], .events = POLLIN};
        while (poll(&pfd, 1, 0) > 0 && read(fds[i], sink, sizeof sink) > 0)
            ;
    }
}

/* The most connections this style can hold here, and why not more. */
static long capacity(struct run *r, enum style s, const char **reason)
{
    long limit = r->fd_limit - FD_RESERVE;
    *reason = "compare's descriptor limit";
    if (s == CH3 && CHAT_MAX_CLIENTS - CHAT_SPARE_CLIENTS < limit) {
        limit = CHAT_MAX_CLIENTS - CHAT_SPARE_CLIENTS;
        *reason = "select()'s FD_SETSIZE, which caps chatd's clients";
    }
    if (s == CH2 && KEEPALIVE_MAX_CHILDREN - KEEPALIVE_SPARE_CHILDREN < limit) {
        limit = KEEPALIVE_MAX_CHILDREN - KEEPALIVE_SPARE_CHILDREN;
        *reason = "chapter 2's ceiling on -c";
    }
    return limit;
}

/* after - before; NaN (printed n/a) when this system could not tell us either. */
static double difference(long after, long before)
{
    return after < 0 || before < 0 ? NAN : (double)(after - before);
}

static double known(long value)
{
    return value < 0 ? NAN : (double)value;
}

static void record(struct report_table *t, int column, enum style s, long count,
                   const struct usage *before, const struct usage *after, double open_ms)
{
    double workers = after->processes < 0 ? NAN : (double)(after->processes - 1);
    table_set(t, "connections", column, (double)count);
    table_set(t, "held", column,
              s == CH2 ? workers : difference(after->fds, before->fds));
    table_set(t, "processes", column, known(after->processes));
    table_set(t, "fds_before", column, known(before->fds));
    table_set(t, "fds_after", column, known(after->fds));
    table_set(t, "rss_before", column, known(before->rss_kb));
    table_set(t, "rss_after", column, known(after->rss_kb));
    table_set(t, "rss_per_connection", column,
              difference(after->rss_kb, before->rss_kb) / (double)count);
    table_set(t, "pss_per_connection", column,
              difference(after->pss_kb, before->pss_kb) / (double)count);
    table_set(t, "open_time", column, open_ms);
}

/* One server, one count: open, measure, close. */
static void measure(struct run *r, enum style s, long count, long baseline_fds,
                    struct report_table *t, int column)
{
    pid_t pid = r->servers[s].pid;
    struct conn c; /* used by one connection at a time, while it gets going */
    struct usage before, after;
    char why[512] = "";
    int *fds = calloc((size_t)count, sizeof *fds);
    if (fds == NULL) {
        column_failed(r, s, t, column, "out of memory");
        return;
    }
    settle(pid, baseline_fds);
    if (probe_usage(pid, &before) < 0) {
        column_failed(r, s, t, column, "cannot see the server's process");
        free(fds);
        return;
    }
    long opened = 0;
    long long start = clock_us();
    while (opened < count && !run_stopping(r)) {
        fds[opened] = open_idle(r, s, &c, why, sizeof why);
        if (fds[opened] < 0)
            break;
        opened++;
        progress(r, "idle cost", (double)opened / (double)count);
    }
    double open_ms = (double)(clock_us() - start) / 1000;
    if (s == CH3)
        drain_chat(fds, opened);
    if (opened == count && probe_usage(pid, &after) == 0)
        record(t, column, s, count, &before, &after, open_ms);
    else if (!run_stopping(r))
        column_failed(r, s, t, column, why[0] ? why : "the server could not be measured");
    for (long i = 0; i < opened; i++)
        close(fds[i]);
    free(fds);
}

/* The counts to try for one style, capped to what it can hold; a note says so. */
static long capped(struct run *r, enum style s, long count, struct report_table *t)
{
    const char *reason;
    long limit = capacity(r, s, &reason);
    if (count <= limit)
        return count;
    table_note(t, "%s: C=%ld capped to %ld by %s", style_label(s), count, limit, reason);
    return limit;
}

static void run_style(struct run *r, enum style s, struct report_table *t)
{
    struct server *server = &r->servers[s];
    if (server->given) {
        table_note(t,
                   "%s not measured: it was given with --ch%d, and compare can look "
                   "only at servers it started",
                   style_label(s), s + 1);
        return;
    }
    /* Chapter 1 holds nothing whatever C is: one column, at the largest C, says so. */
    int first = s == CH1 ? r->opt.idle_count - 1 : 0;
    struct usage quiet;
    long baseline_fds = -1;
    char why[256];
    if (server_running(server, why, sizeof why)) {
        settle(server->pid, -1); /* workers left from experiment 2, if any, go first */
        if (probe_usage(server->pid, &quiet) == 0)
            baseline_fds = quiet.fds;
    }
    for (int i = first; i < r->opt.idle_count && !run_stopping(r); i++) {
        long count = capped(r, s, r->opt.idle[i], t);
        char parameter[32];
        snprintf(parameter, sizeof parameter, "C=%ld", count);
        int column = table_add_column(t, style_key(s), style_label(s), parameter);
        if (server_ready(r, s, t, column))
            measure(r, s, count, baseline_fds, t, column);
    }
    if (server_running(server, why, sizeof why))
        settle(server->pid, baseline_fds);
}

void experiment_idle(struct run *r, struct report *report)
{
    struct report_table *t = report_add_table(
        report, "idle", "Idle cost: C quiet connections held open, seen from the server");
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        table_add_row(t, rows[i][0], rows[i][1], rows[i][2], row_decimals[i]);
    for (int s = 0; s < STYLE_COUNT && !run_stopping(r); s++)
        run_style(r, s, t);

    table_note(t, "ch1 closes after every answer, so it holds none, whatever C is; "
                  "clients that arrive while it is busy wait in the kernel's listen "
                  "queue, not in the server");
    table_note(t, "held: ch2 counts its worker processes, one per connection; ch1 and "
                  "ch3 count descriptors added. ch2's numbers add up the parent and "
                  "every worker");
    table_note(t, "RSS counts pages shared by forked workers once per process; PSS "
                  "divides them among the sharers (Linux /proc/PID/smaps_rollup). "
                  "Kernel socket buffers are not in either");
}
