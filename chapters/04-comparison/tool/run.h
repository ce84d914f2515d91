/* tool/run.h: the tool around chapter 4's lesson, not the lesson.
 * The life of one run of compare around its experiments: Ctrl-C, the servers it
 * starts and stops, its descriptor limit, the progress line, and the results
 * written out at the end.
 */
#ifndef RUN_H
#define RUN_H

#include "../compare.h"
#include "report.h"
#include "started_server.h"

#include <signal.h>

/* What to measure: tool/cli.c fills it from the command line. */
struct options {
    int quick;
    long exchanges; /* experiment 1: round trips per style */
    long event_ms;  /* experiment 2: mean time between events */
    long push_secs; /* experiment 2: how long events are published */
    long poll_ms[MAX_POLL_INTERVALS];
    int poll_count;
    long idle[MAX_IDLE_COUNTS]; /* experiment 3: idle connection counts */
    int idle_count;
    int chat_relay; /* ch3's exchange: 0 = /who and its answer, 1 = relayed line */
    int experiments;
    enum report_format format;
    const char *svg_path;
    const char *root;               /* the project's top folder */
    const char *given[STYLE_COUNT]; /* --ch1 HOST:PORT, ...: servers already running */
    const char *given_docroot;      /* --docroot: the --ch2 server's document root */
    int verbose;
};

/* One run of compare: what it was asked, what it started, what it measured. */
struct run {
    struct options opt;
    struct started_server servers[SERVER_COUNT]; /* ch1-3, then ch5's pushd */
    int web; /* chapter 5's pushd is built and started: experiments 2 and 3 add it */
    char docroot[PATH_MAX]; /* holds hello.txt and event.txt; "" when we have none */
    int made_docroot;       /* 1: a temporary folder we remove at the end */
    sigset_t stop_signals;  /* SIGINT and SIGTERM: blocked, and checked by run_stopping */
    int show_progress;      /* stderr is a terminal */
    long long progress_shown_ms;
    long fd_limit;  /* our RLIMIT_NOFILE soft limit (raised as far as needed) */
    int any_failed; /* an experiment failed: exit status 1 */

    struct roundtrip_result roundtrip[STYLE_COUNT];
    long events; /* experiment 2: published */
    /* push (ch3), the short pollers, then ch5's raw, long poll, SSE and WebSocket */
    struct delivery_result delivery[1 + MAX_POLL_INTERVALS + WEB_TRANSPORT_COUNT];
    int delivery_count;
    char push_note[WHY_SIZE]; /* not empty: why polling was not measured */
    struct idle_result idle[STYLE_COUNT * MAX_IDLE_COUNTS + WEB_TRANSPORT_COUNT];
    int idle_count;
};

/* Block SIGINT and SIGTERM (run_stopping() looks for them), ignore SIGPIPE, describe
 * the machine, raise the descriptor limit as far as the run needs. Returns 0, or -1
 * with errno. */
int run_begin(struct run *r, struct report_machine *machine);

/* Every server: one given on the command line, or ours, started now; chapter 5's
 * too, where it is built (r->web). Returns 0, or the exit status: 1 when one of
 * chapters 1-3 is missing or will not start, 2 for a bad --chN. */
int run_start_servers(struct run *r);

/* Stop server s and start it again, fresh (one we started). Returns 0, or -1 with a
 * message on stderr. */
int run_restart_server(struct run *r, enum style s);

/* Stop every server we started, and everything it forked; remove our files. */
void run_stop_servers(struct run *r);

/* Has SIGINT or SIGTERM arrived? They stay blocked and pending, so the experiments
 * can stop at a moment of their choosing: between two exchanges. */
int run_stopping(struct run *r);

/* The stop signal waiting to be delivered, or 0. */
int run_stop_signal(const struct run *r);

/* Is this style's server still there? Returns 1, or 0 with how it ended in why (and
 * the run will exit 1). */
int run_server_alive(struct run *r, enum style s, char *why, size_t why_size);

/* A measurement failed with why: add how the server ended, if that is the reason,
 * and remember to exit 1. */
void run_failed(struct run *r, enum style s, char *why, size_t why_size);

/* The most idle connections style s can hold here, and what sets that limit. */
long run_idle_capacity(const struct run *r, enum style s, const char **reason);

/* A progress line on stderr, on a terminal only: "round trip: ch1 close  45%". */
void run_progress(struct run *r, const char *what, double fraction);
void run_progress_clear(struct run *r);

/* The results as tables on stdout in the chosen format, and the chart if asked.
 * Returns the exit status. */
int run_report(struct run *r, struct report *report);

#endif
