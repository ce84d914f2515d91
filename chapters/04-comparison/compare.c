/* compare.c: chapter 4, the three styles measured side by side, on real sockets.
 *
 * Chapters 1 to 3 built three servers: one that answers a request and hangs up
 * (HTTP/1.0), one that keeps the connection for the next request (HTTP/1.1
 * keep-alive), and a chat whose connections stay open so that either side may speak
 * at any moment. This program starts all three on free loopback ports, drives them
 * with real clients, and prints what each style costs:
 *
 *   1. round trip (roundtrip.c): the same small exchange N times, each way: latency,
 *      throughput, connections opened, bytes per exchange;
 *   2. push against polling (push.c): news made by the server side, delivered by a
 *      chat line, or found by clients that ask every P ms: delay and cost per event;
 *   3. idle cost (idle.c): what holding C quiet connections costs each server, in
 *      memory and descriptors.
 *
 * This file is the driver: options, starting and stopping the servers, the order of
 * the experiments, the output. Read book/04-comparison.md beside it.
 */
#include "compare.h"
#include "options.h"
#include "probe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#ifndef DEFAULT_ROOT /* the Makefile passes the project's top folder */
#define DEFAULT_ROOT "../.."
#endif
#ifndef BUILD_INFO /* and the compiler and flags everything was built with */
#define BUILD_INFO "unknown"
#endif

#define PROGRAM_NAME "compare"

/* The defaults, and the smaller --quick run that `make run` and the tests use. */
#define DEFAULT_EXCHANGES 2000
#define QUICK_EXCHANGES   1000
#define DEFAULT_EVENT_MS  100
#define DEFAULT_PUSH_SECS 20
#define QUICK_PUSH_SECS   5
#define MAX_EXCHANGES     10000000L
#define MAX_EVENT_MS      60000
#define MAX_PUSH_SECS     3600
#define MAX_POLL_MS       60000
#define MAX_IDLE          100000
static const long default_poll_ms[] = {50, 200, 1000};
static const long default_idle[] = {10, 100, 1000};
static const long quick_idle[] = {10, 100};

#define PROGRESS_EVERY_MS 100

/* The small file, served by chapters 1 and 2 from our temporary document root. */
#define SMALL_FILE_TEXT                                                                  \
    "Hello from compare. This is the small file every HTTP round trip fetches.\n"

static const char *const binaries[STYLE_COUNT] = {
    "chapters/01-http-close/httpd",
    "chapters/02-keep-alive/httpd",
    "chapters/03-select-chat/chatd",
};

/* ---- Options --------------------------------------------------------------------- */

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: %s [--quick] [-n N] [--event-ms MS] [--push-secs S] [--poll LIST]\n"
        "               [--idle LIST] [--chat who|relay] [--only LIST]\n"
        "               [--csv | --markdown | --json] [--svg FILE] [-v]\n"
        "               [--ch1 HOST:PORT] [--ch2 HOST:PORT] [--ch3 HOST:PORT]\n"
        "               [--docroot DIR] [--root DIR]\n"
        "Measures chapter 1's close-after-response HTTP, chapter 2's keep-alive and\n"
        "chapter 3's chat socket side by side, starting the servers itself.\n"
        "  --quick          small fixed counts, the whole run in about 15 s (make run)\n"
        "  -n N             round trips per style (default %d; --quick %d)\n"
        "  --event-ms MS    mean time between pushed/polled events (default %d)\n"
        "  --push-secs S    how long events are published (default %d; --quick %d)\n"
        "  --poll LIST      polling intervals in ms (default 50,200,1000)\n"
        "  --idle LIST      idle connection counts (default 10,100,1000; --quick "
        "10,100)\n"
        "  --chat MODE      ch3's round trip: who (/who and its answer, the default) or\n"
        "                   relay (a line from one client relayed to a second)\n"
        "  --only LIST      run only some experiments: roundtrip,push,idle\n"
        "  --csv, --markdown, --json   output format (default: an aligned text table)\n"
        "  --svg FILE       also draw the results as an SVG chart in FILE\n"
        "  --ch1 HOST:PORT  use a running chapter 1 server (likewise --ch2, --ch3)\n"
        "  --docroot DIR    with --ch2: its document root, where compare writes "
        "event.txt\n"
        "  --root DIR       the project's top folder, where the servers are built\n"
        "                   (default %s)\n"
        "  -v               show the servers' logs on stderr\n"
        "  -h, --help       show this help\n",
        PROGRAM_NAME, DEFAULT_EXCHANGES, QUICK_EXCHANGES, DEFAULT_EVENT_MS,
        DEFAULT_PUSH_SECS, QUICK_PUSH_SECS, DEFAULT_ROOT);
}

/* A comma-separated list of numbers, "50,200,1000", each in [min, max]. */
static int parse_list(const char *text, long min, long max, long *out, int capacity,
                      int *count)
{
    char copy[256];
    if (snprintf(copy, sizeof copy, "%s", text) >= (int)sizeof copy)
        return -1;
    *count = 0;
    char *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item != NULL;
         item = strtok_r(NULL, ",", &save)) {
        if (*count == capacity || option_number(item, min, max, &out[*count]) < 0)
            return -1;
        (*count)++;
    }
    return *count > 0 ? 0 : -1;
}

static int parse_experiments(const char *text, int *out)
{
    char copy[128];
    if (snprintf(copy, sizeof copy, "%s", text) >= (int)sizeof copy)
        return -1;
    *out = 0;
    char *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item != NULL;
         item = strtok_r(NULL, ",", &save)) {
        if (strcmp(item, "roundtrip") == 0)
            *out |= EXPERIMENT_ROUNDTRIP;
        else if (strcmp(item, "push") == 0)
            *out |= EXPERIMENT_PUSH;
        else if (strcmp(item, "idle") == 0)
            *out |= EXPERIMENT_IDLE;
        else
            return -1;
    }
    return *out != 0 ? 0 : -1;
}

/* One option that takes_value(), and its value. Returns 0, or -1 for a bad value
 * (with a message). */
static int apply_option(struct options *o, const char *name, const char *value)
{
    long number;
    int ok = 1;
    if (strcmp(name, "-n") == 0 || strcmp(name, "--exchanges") == 0) {
        ok = option_number(value, 1, MAX_EXCHANGES, &o->exchanges) == 0;
    } else if (strcmp(name, "--event-ms") == 0) {
        ok = option_number(value, 1, MAX_EVENT_MS, &o->event_ms) == 0;
    } else if (strcmp(name, "--push-secs") == 0) {
        ok = option_number(value, 1, MAX_PUSH_SECS, &o->push_secs) == 0;
    } else if (strcmp(name, "--poll") == 0) {
        ok = parse_list(value, 1, MAX_POLL_MS, o->poll_ms, MAX_POLL_INTERVALS,
                        &o->poll_count) == 0;
    } else if (strcmp(name, "--idle") == 0) {
        ok =
            parse_list(value, 1, MAX_IDLE, o->idle, MAX_IDLE_COUNTS, &o->idle_count) == 0;
    } else if (strcmp(name, "--chat") == 0) {
        ok = strcmp(value, "who") == 0 || strcmp(value, "relay") == 0;
        o->chat_relay = strcmp(value, "relay") == 0;
    } else if (strcmp(name, "--only") == 0) {
        ok = parse_experiments(value, &o->experiments) == 0;
    } else if (strcmp(name, "--svg") == 0) {
        /* Find out now, not after a run of half a minute, that FILE cannot be written. */
        FILE *f = fopen(value, "a");
        ok = f != NULL;
        if (f != NULL)
            fclose(f);
        o->svg_path = value;
    } else if (strcmp(name, "--root") == 0) {
        o->root = value;
    } else if (strcmp(name, "--docroot") == 0) {
        o->given_docroot = value;
    } else if (option_number(name + strlen("--ch"), 1, STYLE_COUNT, &number) == 0) {
        o->given[number - 1] = value; /* --ch1, --ch2, --ch3 */
    }
    if (!ok)
        fprintf(stderr, "%s: bad value for %s: %s\n", PROGRAM_NAME, name, value);
    return ok ? 0 : -1;
}

static int apply_flag(struct options *o, const char *name)
{
    if (strcmp(name, "--quick") == 0)
        o->quick = 1;
    else if (strcmp(name, "--csv") == 0)
        o->format = FORMAT_CSV;
    else if (strcmp(name, "--markdown") == 0)
        o->format = FORMAT_MARKDOWN;
    else if (strcmp(name, "--json") == 0)
        o->format = FORMAT_JSON;
    else if (strcmp(name, "-v") == 0)
        o->verbose = 1;
    else
        return -1;
    return 0;
}

/* What --quick or the defaults give to everything the command line left unset. */
static void fill_defaults(struct options *o)
{
    if (o->exchanges == 0)
        o->exchanges = o->quick ? QUICK_EXCHANGES : DEFAULT_EXCHANGES;
    if (o->event_ms == 0)
        o->event_ms = DEFAULT_EVENT_MS;
    if (o->push_secs == 0)
        o->push_secs = o->quick ? QUICK_PUSH_SECS : DEFAULT_PUSH_SECS;
    if (o->poll_count == 0) {
        o->poll_count = (int)(sizeof default_poll_ms / sizeof default_poll_ms[0]);
        memcpy(o->poll_ms, default_poll_ms, sizeof default_poll_ms);
    }
    if (o->idle_count == 0) {
        const long *list = o->quick ? quick_idle : default_idle;
        size_t size = o->quick ? sizeof quick_idle : sizeof default_idle;
        o->idle_count = (int)(size / sizeof list[0]);
        memcpy(o->idle, list, size);
    }
    if (o->experiments == 0)
        o->experiments = EXPERIMENT_ALL;
    if (o->root == NULL)
        o->root = DEFAULT_ROOT;
}

/* The options that take a value. */
static int takes_value(const char *name)
{
    static const char *const names[] = {
        "-n",        "--exchanges", "--event-ms", "--push-secs", "--poll",
        "--idle",    "--chat",      "--only",     "--svg",       "--root",
        "--docroot", "--ch1",       "--ch2",      "--ch3"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return 1;
    return 0;
}

/* POSIX getopt() knows only one-letter options, so we read argv ourselves: "--name
 * VALUE" or "--name=VALUE". Returns -1 to go on, or the exit status for main(): 0
 * after -h, 2 for a bad command line. */
static int parse_options(int argc, char **argv, struct options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (apply_flag(o, arg) == 0)
            continue;
        char name[64];
        const char *value = NULL;
        size_t name_length = strcspn(arg, "=");
        if (strncmp(arg, "--", 2) == 0 && arg[name_length] == '=')
            value = arg + name_length + 1;
        else
            name_length = strlen(arg);
        snprintf(name, sizeof name, "%.*s", (int)name_length, arg);
        if (!takes_value(name)) {
            fprintf(stderr, "%s: unknown option: %s\n", PROGRAM_NAME, arg);
            usage(stderr);
            return 2;
        }
        if (value == NULL && i + 1 == argc) {
            fprintf(stderr, "%s: %s needs a value\n", PROGRAM_NAME, name);
            usage(stderr);
            return 2;
        }
        if (value == NULL)
            value = argv[++i];
        if (apply_option(o, name, value) < 0) {
            usage(stderr);
            return 2;
        }
    }
    fill_defaults(o);
    return -1;
}

/* ---- Signals, progress and other shared helpers ---------------------------------- */

/* Ctrl-C must never leave a server behind. We block SIGINT and SIGTERM for the whole
 * run: the kernel keeps them pending, nothing is interrupted half-way, and between two
 * exchanges the experiments ask run_stopping(). Then main() stops the servers. */
static int block_stop_signals(struct run *r)
{
    sigemptyset(&r->stop_signals);
    sigaddset(&r->stop_signals, SIGINT);
    sigaddset(&r->stop_signals, SIGTERM);
    /* Writing to a server that has died must fail with EPIPE, not kill compare. */
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
        return -1;
    return sigprocmask(SIG_BLOCK, &r->stop_signals, NULL);
}

/* The stop signal waiting to be delivered, or 0. */
static int pending_stop_signal(const struct run *r)
{
    static const int signals[] = {SIGINT, SIGTERM};
    sigset_t pending;
    if (sigpending(&pending) < 0)
        return 0;
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
        if (sigismember(&r->stop_signals, signals[i]) &&
            sigismember(&pending, signals[i]))
            return signals[i];
    return 0;
}

int run_stopping(struct run *r)
{
    return pending_stop_signal(r) != 0;
}

long long clock_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

const char *style_label(enum style s)
{
    static const char *const labels[STYLE_COUNT] = {"ch1 close", "ch2 keep-alive",
                                                    "ch3 socket"};
    return labels[s];
}

const char *style_key(enum style s)
{
    static const char *const keys[STYLE_COUNT] = {"ch1-close", "ch2-keepalive",
                                                  "ch3-socket"};
    return keys[s];
}

void column_failed(struct run *r, enum style s, struct report_table *t, int column,
                   const char *what)
{
    char ended[256];
    if (!server_running(&r->servers[s], ended, sizeof ended))
        table_fail(t, column, "%s; %s", what, ended);
    else
        table_fail(t, column, "%s", what);
    r->any_failed = 1;
}

int server_ready(struct run *r, enum style s, struct report_table *t, int column)
{
    char ended[256];
    if (server_running(&r->servers[s], ended, sizeof ended))
        return 1;
    table_fail(t, column, "%s", ended);
    r->any_failed = 1;
    return 0;
}

void progress(struct run *r, const char *what, double fraction)
{
    long long now = clock_us() / 1000;
    if (!r->show_progress || now - r->progress_shown_ms < PROGRESS_EVERY_MS)
        return;
    r->progress_shown_ms = now;
    fprintf(stderr, "\r%s: %-40s %3d%%", PROGRAM_NAME, what, (int)(fraction * 100));
    fflush(stderr);
}

void progress_clear(struct run *r)
{
    if (r->show_progress)
        fprintf(stderr, "\r%60s\r", "");
}

/* ---- The servers ----------------------------------------------------------------- */

/* A temporary document root for chapters 1 and 2: the small file, and the event file
 * that experiment 2 rewrites. Our own files, so nothing in the project is touched. */
static int make_docroot(struct run *r)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(r->docroot, sizeof r->docroot, "%s/compare-XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (mkdtemp(r->docroot) == NULL) {
        fprintf(stderr, "%s: temporary folder %s: %s\n", PROGRAM_NAME, r->docroot,
                strerror(errno));
        r->docroot[0] = '\0';
        return -1;
    }
    r->made_docroot = 1;
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s%s", r->docroot, SMALL_FILE_PATH);
    FILE *f = fopen(path, "w");
    if (f == NULL || fputs(SMALL_FILE_TEXT, f) == EOF || fclose(f) != 0) {
        fprintf(stderr, "%s: %s: %s\n", PROGRAM_NAME, path, strerror(errno));
        return -1;
    }
    return 0;
}

static void remove_docroot(struct run *r)
{
    if (!r->made_docroot)
        return;
    /* Only the files we wrote; rmdir() fails, harmlessly, if someone added more. */
    static const char *const files[] = {SMALL_FILE_PATH, EVENT_FILE_PATH, "/.event.tmp"};
    char path[PATH_MAX + 32];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s%s", r->docroot, files[i]);
        unlink(path);
    }
    rmdir(r->docroot);
    r->made_docroot = 0;
}

static long largest(const long *values, int count)
{
    long max = 0;
    for (int i = 0; i < count; i++)
        if (values[i] > max)
            max = values[i];
    return max;
}

static int start_one(struct run *r, enum style s)
{
    const struct options *o = &r->opt;
    char n[32], t[32], c[32], m[32];
    long idle_max = largest(o->idle, o->idle_count);
    long children = idle_max + KEEPALIVE_SPARE_CHILDREN;
    long chat_clients = idle_max + CHAT_SPARE_CLIENTS;
    long idle_secs = o->push_secs + KEEPALIVE_SPARE_SECS;
    snprintf(n, sizeof n, "%ld", o->exchanges + KEEPALIVE_SPARE_REQUESTS);
    snprintf(t, sizeof t, "%ld",
             idle_secs < KEEPALIVE_MAX_IDLE_SECS ? idle_secs : KEEPALIVE_MAX_IDLE_SECS);
    snprintf(c, sizeof c, "%ld",
             children < KEEPALIVE_MAX_CHILDREN ? children : KEEPALIVE_MAX_CHILDREN);
    snprintf(m, sizeof m, "%ld",
             chat_clients < CHAT_MAX_CLIENTS ? chat_clients : CHAT_MAX_CLIENTS);

    struct server *server = &r->servers[s];
    char *program = server->program;
    char *ch1[] = {program, "-p", "0", "-d", r->docroot, NULL};
    char *ch2[] = {program, "-p", "0", "-d", r->docroot, "-n", n, "-t", t, "-c", c, NULL};
    char *ch3[] = {program, "-p", "0", "-m", m, NULL};
    char *const *argv = s == CH1 ? ch1 : s == CH2 ? ch2 : ch3;
    char why[512];
    if (server_start(server, argv, r->opt.verbose, why, sizeof why) < 0) {
        fprintf(stderr, "%s: cannot start %s: %s\n", PROGRAM_NAME, server->name, why);
        return -1;
    }
    fprintf(stderr, "%s: started %s, pid %ld, on %s port %s\n", PROGRAM_NAME,
            server->name, (long)server->pid, server->host, server->port);
    return 0;
}

/* Every server: one given on the command line, or ours, started now. Returns 0, or 1
 * (the exit status) when one is missing or will not start. */
static int prepare_servers(struct run *r)
{
    static const char *const names[STYLE_COUNT] = {"chapter 1's server (httpd)",
                                                   "chapter 2's server (httpd)",
                                                   "chapter 3's server (chatd)"};
    static const char *const targets[STYLE_COUNT] = {"ch1", "ch2", "ch3"};
    char why[PATH_MAX + 256];
    int missing = 0;
    for (int s = 0; s < STYLE_COUNT; s++) {
        struct server *server = &r->servers[s];
        server->name = names[s];
        server->make_target = targets[s];
        if (r->opt.given[s] != NULL) {
            if (server_use(server, r->opt.given[s]) < 0) {
                fprintf(stderr, "%s: --ch%d wants HOST:PORT, not %s\n", PROGRAM_NAME,
                        s + 1, r->opt.given[s]);
                return 2;
            }
        } else if (server_find(server, r->opt.root, binaries[s], why, sizeof why) < 0) {
            fprintf(stderr, "%s: %s\n", PROGRAM_NAME, why);
            missing = 1;
        }
    }
    if (missing)
        return 1;
    if (r->opt.given[CH2] != NULL && r->opt.given_docroot != NULL)
        snprintf(r->docroot, sizeof r->docroot, "%s", r->opt.given_docroot);
    else if ((r->opt.given[CH1] == NULL || r->opt.given[CH2] == NULL) &&
             make_docroot(r) < 0)
        return 1;
    for (int s = 0; s < STYLE_COUNT; s++)
        if (r->opt.given[s] == NULL && start_one(r, s) < 0)
            return 1;
    return 0;
}

static void stop_servers(struct run *r)
{
    for (int s = 0; s < STYLE_COUNT; s++)
        server_stop(&r->servers[s]);
}

/* Holding C connections open takes C descriptors here. Raise our soft limit toward the
 * hard one as far as the run needs (the servers, our children, inherit it). */
static void raise_descriptor_limit(struct run *r, struct report_machine *m)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) < 0) {
        r->fd_limit = m->fd_limit = m->fd_hard_limit = -1;
        return;
    }
    rlim_t wanted = (rlim_t)(largest(r->opt.idle, r->opt.idle_count) + FD_RESERVE);
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
        struct rlimit raised = limit;
        raised.rlim_cur = limit.rlim_max == RLIM_INFINITY || limit.rlim_max > wanted
                              ? wanted
                              : limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
            limit = raised;
    }
    r->fd_limit =
        limit.rlim_cur == RLIM_INFINITY ? MAX_IDLE + FD_RESERVE : (long)limit.rlim_cur;
    m->fd_limit = r->fd_limit;
    m->fd_hard_limit = limit.rlim_max == RLIM_INFINITY ? -1 : (long)limit.rlim_max;
}

/* ---- main ------------------------------------------------------------------------ */

static int finish_output(struct run *r, struct report *report)
{
    int status = r->any_failed ? 1 : 0;
    if (report_print(stdout, report, r->opt.format) < 0) {
        fprintf(stderr, "%s: writing the results: %s\n", PROGRAM_NAME, strerror(errno));
        status = 1;
    }
    if (r->opt.svg_path != NULL) {
        if (svg_write(r->opt.svg_path, report) < 0) {
            fprintf(stderr, "%s: %s: %s\n", PROGRAM_NAME, r->opt.svg_path,
                    strerror(errno));
            status = 1;
        } else {
            fprintf(stderr, "%s: chart written to %s\n", PROGRAM_NAME, r->opt.svg_path);
        }
    }
    return status;
}

int main(int argc, char **argv)
{
    static struct run run; /* large (paths, tables): not on the stack */
    static struct report report;
    struct run *r = &run;
    int status = parse_options(argc, argv, &r->opt);
    if (status >= 0)
        return status;
    if (block_stop_signals(r) < 0) {
        fprintf(stderr, "%s: signals: %s\n", PROGRAM_NAME, strerror(errno));
        return 1;
    }
    r->show_progress = isatty(STDERR_FILENO);
    probe_machine(&report.machine);
    snprintf(report.machine.build, sizeof report.machine.build, "%s", BUILD_INFO);
    raise_descriptor_limit(r, &report.machine);

    status = prepare_servers(r);
    if (status == 0 && (r->opt.experiments & EXPERIMENT_ROUNDTRIP) && !run_stopping(r))
        experiment_roundtrip(r, &report);
    if (status == 0 && (r->opt.experiments & EXPERIMENT_PUSH) && !run_stopping(r))
        experiment_push(r, &report);
    if (status == 0 && (r->opt.experiments & EXPERIMENT_IDLE) && !run_stopping(r))
        experiment_idle(r, &report);
    progress_clear(r);

    /* Whatever happened, nothing we started outlives us. */
    stop_servers(r);
    remove_docroot(r);
    int signal_number = pending_stop_signal(r);
    if (signal_number != 0) {
        fprintf(stderr, "%s: stopped by signal %d; every server it started is stopped\n",
                PROGRAM_NAME, signal_number);
        return 128 + signal_number;
    }
    if (status != 0)
        return status;
    return finish_output(r, &report);
}
