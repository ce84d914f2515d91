/* compare.h: what compare.c (the driver) shares with the three experiments,
 * roundtrip.c, push.c and idle.c.
 */
#ifndef COMPARE_H
#define COMPARE_H

#include "report.h"
#include "servers.h"

#include <signal.h>
#include <sys/select.h>

/* The three styles, in the order of the chapters. */
enum style { CH1, CH2, CH3, STYLE_COUNT };

#define MAX_POLL_INTERVALS 6
#define MAX_IDLE_COUNTS    6

#define EXPERIMENT_ROUNDTRIP 1
#define EXPERIMENT_PUSH      2
#define EXPERIMENT_IDLE      4
#define EXPERIMENT_ALL       (EXPERIMENT_ROUNDTRIP | EXPERIMENT_PUSH | EXPERIMENT_IDLE)

/* The small file every HTTP round trip fetches, and the file polling reads. */
#define SMALL_FILE_PATH "/hello.txt"
#define EVENT_FILE_PATH "/event.txt"

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

/* Descriptors compare keeps for itself beyond the idle connections it opens. */
#define FD_RESERVE 64

/* How long any one answer may take before we call the server stuck. */
#define ANSWER_TIMEOUT_MS 10000

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

struct run {
    struct options opt;
    struct server servers[STYLE_COUNT];
    char docroot[PATH_MAX]; /* holds hello.txt and event.txt; "" when we have none */
    int made_docroot;       /* 1: a temporary folder we remove at the end */
    sigset_t stop_signals;  /* SIGINT and SIGTERM: blocked, and checked by run_stopping */
    int show_progress;      /* stderr is a terminal */
    long long progress_shown_ms;
    long fd_limit;  /* our RLIMIT_NOFILE soft limit (raised as far as needed) */
    int any_failed; /* an experiment failed: exit status 1 */
};

/* Has SIGINT or SIGTERM arrived? They stay blocked and pending, so the experiments
 * can stop at a moment of their choosing: between two exchanges. */
int run_stopping(struct run *r);

/* Microseconds on the monotonic clock: loopback round trips take tens of them. */
long long clock_us(void);

/* "ch2 keep-alive" and the like, for columns and messages. */
const char *style_label(enum style s);
const char *style_key(enum style s);

/* Is this style's server still there? If not, mark the column failed and return 0. */
int server_ready(struct run *r, enum style s, struct report_table *t, int column);

/* A column failed: say why (the server's end, if that is the reason) and remember to
 * exit 1. */
void column_failed(struct run *r, enum style s, struct report_table *t, int column,
                   const char *what);

/* A progress line on stderr, on a terminal only: "round trip, ch1 close  45%". */
void progress(struct run *r, const char *what, double fraction);
void progress_clear(struct run *r);

void experiment_roundtrip(struct run *r, struct report *report);
void experiment_push(struct run *r, struct report *report);
void experiment_idle(struct run *r, struct report *report);

/* The chart: svg.c. Returns 0, or -1 with errno. */
int svg_write(const char *path, const struct report *report);

#endif
