/* compare.h: what the lesson's four files (compare.c and the three experiments)
 * share: above all, the results each experiment fills. struct run, one run of
 * compare (its options, its servers, these results), is in tool/run.h.
 */
#ifndef COMPARE_H
#define COMPARE_H

#include "tool/conn.h"
#include "tool/probe.h"
#include "tool/stats.h"

/* The three styles, in the order of the chapters. */
enum style { CH1, CH2, CH3, STYLE_COUNT };

#define MAX_POLL_INTERVALS 6
#define MAX_IDLE_COUNTS    6

#define EXPERIMENT_ROUNDTRIP 1
#define EXPERIMENT_PUSH      2
#define EXPERIMENT_IDLE      4

/* The small file every HTTP round trip fetches, and the file polling reads. */
#define SMALL_FILE_PATH "/hello.txt"
#define EVENT_FILE_PATH "/event.txt"

/* How long any one answer may take before we call the server stuck. */
#define ANSWER_TIMEOUT_MS 10000

#define WHY_SIZE 256 /* room for why a measurement failed */

/* Experiment 1: what one style's round trips cost. */
struct roundtrip_result {
    char why[WHY_SIZE];       /* not empty: the style failed, and why */
    struct sample latency_ms; /* one per exchange */
    long exchanges;
    long connections;         /* TCP connections that carried them */
    long long sent, received; /* payload bytes */
    long segments;            /* TCP segments, counted by the kernel; -1: unknown */
    double total_s;
};

/* Experiment 2: what one client paid to learn of the events, and how late it did. */
struct delivery_result {
    char why[WHY_SIZE];
    long interval_ms; /* the poller's P; 0 for the push client */
    long delivered;   /* events it learned of */
    struct sample delay_ms;
    struct sample round_trip_ms; /* a poller's, from request to answer */
    long messages;               /* answers (polling) or messages (push) received */
    long empty;                  /* answers with nothing new */
    long long sent, received;
    long segments; /* counted by the kernel; -1: unknown */
    long connections;
};

/* Experiment 3: C quiet connections to one style's server, and the server's usage. */
struct idle_result {
    char why[WHY_SIZE];
    enum style style;
    int given;         /* a server given with --chN: not measured */
    long asked, count; /* the C asked for, and the C used (capped by cap_reason) */
    const char *cap_reason;
    struct usage before, after;
    double open_ms;
};

/* Microseconds on the monotonic clock: loopback round trips take tens of them. */
long long compare_now_us(void);

struct run; /* tool/run.h */

void experiment_roundtrip(struct run *r);
void experiment_push(struct run *r);
void experiment_idle(struct run *r);

#endif
