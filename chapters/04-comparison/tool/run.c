/* tool/run.c: the tool around chapter 4's lesson, not the lesson. See run.h. */
#include "run.h"

#include "svg.h"
#include "tables.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <unistd.h>

#ifndef BUILD_INFO /* the Makefile passes the compiler and flags everything was built    \
                      with */
#define BUILD_INFO "unknown"
#endif

#define PROGRAM_NAME      "compare"
#define PROGRESS_EVERY_MS 100

/* Chapter 2's server must measure keep-alive, not its own limits: more requests per
 * connection than we send (-n), an idle timeout longer than the run (-t), and room
 * for every idle connection we open (-c). */
#define KEEPALIVE_SPARE_REQUESTS 1000
#define KEEPALIVE_SPARE_SECS     120
#define KEEPALIVE_MAX_IDLE_SECS  3600
#define KEEPALIVE_SPARE_CHILDREN 16
#define KEEPALIVE_MAX_CHILDREN   4096 /* chapter 2's own ceiling for -c */

/* Chapter 3's select() server takes at most FD_SETSIZE - 5 clients (chatd.c); we
 * keep room for a few clients beyond the idle ones. */
#define CHAT_SPARE_CLIENTS 4
#define CHAT_MAX_CLIENTS   (FD_SETSIZE - 5)

/* Chapter 5's pushd: its room announces every newcomer to everyone (C * C lines for C
 * idle members) and a session keeps its last 256 lines, so experiment 3 holds at
 * most WEB_IDLE_MAX of each transport. Its pings and timeouts must outlast the run. */
#define WEB_SPARE_MEMBERS 8
#define WEB_PING_SECS     3600 /* -K: no pings, and nobody dropped for silence */

/* Descriptors compare keeps for itself beyond the idle connections it opens. */
#define FD_RESERVE 64
#define MAX_IDLE   100000 /* what tool/cli.c allows for one C */

/* The small file, served by chapters 1 and 2 from our temporary document root. */
#define SMALL_FILE_TEXT                                                                  \
    "Hello from compare. This is the small file every HTTP round trip fetches.\n"

static const char *const binaries[SERVER_COUNT] = {
    "chapters/01-http-close/httpd",
    "chapters/02-keep-alive/httpd",
    "chapters/03-select-chat/chatd",
    "chapters/05-web-push/pushd",
};

/* ---- Signals --------------------------------------------------------------------- */

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

int run_stop_signal(const struct run *r)
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
    return run_stop_signal(r) != 0;
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
    char n[32], t[32], c[32], m[32], m5[32], k[32];
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
    snprintf(m5, sizeof m5, "%d", WEB_IDLE_MAX + WEB_SPARE_MEMBERS);
    snprintf(k, sizeof k, "%d", WEB_PING_SECS);

    struct started_server *server = &r->servers[s];
    char *program = server->program;
    char *ch1[] = {program, "-p", "0", "-d", r->docroot, NULL};
    char *ch2[] = {program, "-p", "0", "-d", r->docroot, "-n", n, "-t", t, "-c", c, NULL};
    char *ch3[] = {program, "-p", "0", "-m", m, NULL};
    char *ch5[] = {program, "-p", "0",  "-P", "0",  "-m", m5,
                   "-t",    t,    "-E", t,    "-K", k,    NULL};
    char *const *argv = s == CH1 ? ch1 : s == CH2 ? ch2 : s == CH3 ? ch3 : ch5;
    char why[512];
    if (started_server_start(server, argv, r->opt.verbose, why, sizeof why) < 0) {
        fprintf(stderr, "%s: cannot start %s: %s\n", PROGRAM_NAME, server->name, why);
        return -1;
    }
    fprintf(stderr, "%s: started %s, pid %ld, on %s port %s%s%s\n", PROGRAM_NAME,
            server->name, (long)server->pid, server->host, server->port,
            server->port2[0] != '\0' ? " and " : "", server->port2);
    return 0;
}

int run_start_servers(struct run *r)
{
    static const char *const names[SERVER_COUNT] = {
        "chapter 1's server (httpd)", "chapter 2's server (httpd)",
        "chapter 3's server (chatd)", "chapter 5's server (pushd)"};
    static const char *const targets[SERVER_COUNT] = {"ch1", "ch2", "ch3", "ch5"};
    char why[PATH_MAX + 256];
    int missing = 0;
    for (int s = 0; s < STYLE_COUNT; s++) {
        struct started_server *server = &r->servers[s];
        server->name = names[s];
        server->make_target = targets[s];
        if (r->opt.given[s] != NULL) {
            if (started_server_use(server, r->opt.given[s]) < 0) {
                fprintf(stderr, "%s: --ch%d wants HOST:PORT, not %s\n", PROGRAM_NAME,
                        s + 1, r->opt.given[s]);
                return 2;
            }
        } else if (started_server_find(server, r->opt.root, binaries[s], why,
                                       sizeof why) < 0) {
            fprintf(stderr, "%s: %s\n", PROGRAM_NAME, why);
            missing = 1;
        }
    }
    if (missing)
        return 1;
    /* Chapter 5 is optional: where it is not built, its rows are left out. */
    r->servers[CH5].name = names[CH5];
    r->servers[CH5].make_target = targets[CH5];
    r->web = (r->opt.experiments & (EXPERIMENT_PUSH | EXPERIMENT_IDLE)) &&
             started_server_find(&r->servers[CH5], r->opt.root, binaries[CH5], why,
                                 sizeof why) == 0;
    if (r->opt.given[CH2] != NULL && r->opt.given_docroot != NULL)
        snprintf(r->docroot, sizeof r->docroot, "%s", r->opt.given_docroot);
    else if ((r->opt.given[CH1] == NULL || r->opt.given[CH2] == NULL) &&
             make_docroot(r) < 0)
        return 1;
    for (int s = 0; s < STYLE_COUNT; s++)
        if (r->opt.given[s] == NULL && start_one(r, s) < 0)
            return 1;
    if (r->web && start_one(r, CH5) < 0)
        return 1;
    return 0;
}

int run_restart_server(struct run *r, enum style s)
{
    started_server_stop(&r->servers[s]);
    return start_one(r, s);
}

void run_stop_servers(struct run *r)
{
    for (int s = 0; s < SERVER_COUNT; s++)
        started_server_stop(&r->servers[s]);
    remove_docroot(r);
}

int run_server_alive(struct run *r, enum style s, char *why, size_t why_size)
{
    if (started_server_running(&r->servers[s], why, why_size))
        return 1;
    r->any_failed = 1;
    return 0;
}

void run_failed(struct run *r, enum style s, char *why, size_t why_size)
{
    char ended[256];
    size_t length = strlen(why);
    if (!started_server_running(&r->servers[s], ended, sizeof ended))
        snprintf(why + length, why_size - length, "; %s", ended);
    r->any_failed = 1;
}

/* ---- Descriptors ----------------------------------------------------------------- */

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

long run_idle_capacity(const struct run *r, enum style s, const char **reason)
{
    long limit = r->fd_limit - FD_RESERVE;
    *reason = "compare's descriptor limit";
    if (s == CH3 && CHAT_MAX_CLIENTS - CHAT_SPARE_CLIENTS < limit) {
        limit = CHAT_MAX_CLIENTS - CHAT_SPARE_CLIENTS;
        *reason = "select()'s FD_SETSIZE, which caps chatd's clients";
    }
    if (s == CH5 && WEB_IDLE_MAX < limit) {
        limit = WEB_IDLE_MAX;
        *reason = "compare's cap for pushd, whose room announces every newcomer to all";
    }
    if (s == CH2 && KEEPALIVE_MAX_CHILDREN - KEEPALIVE_SPARE_CHILDREN < limit) {
        limit = KEEPALIVE_MAX_CHILDREN - KEEPALIVE_SPARE_CHILDREN;
        *reason = "chapter 2's ceiling on -c";
    }
    return limit;
}

int run_begin(struct run *r, struct report_machine *machine)
{
    if (block_stop_signals(r) < 0)
        return -1;
    r->show_progress = isatty(STDERR_FILENO);
    probe_machine(machine);
    snprintf(machine->build, sizeof machine->build, "%s", BUILD_INFO);
    raise_descriptor_limit(r, machine);
    return 0;
}

/* ---- Progress and output --------------------------------------------------------- */

void run_progress(struct run *r, const char *what, double fraction)
{
    long long now = io_now_ms();
    if (!r->show_progress || now - r->progress_shown_ms < PROGRESS_EVERY_MS)
        return;
    r->progress_shown_ms = now;
    fprintf(stderr, "\r%s: %-40s %3d%%", PROGRAM_NAME, what, (int)(fraction * 100));
    fflush(stderr);
}

void run_progress_clear(struct run *r)
{
    if (r->show_progress)
        fprintf(stderr, "\r%60s\r", "");
}

int run_report(struct run *r, struct report *report)
{
    tables_fill(report, r);
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
