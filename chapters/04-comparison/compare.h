/* compare.h: what the lesson's four files (compare.c and the three experiments)
 * share: above all, the results each experiment fills. struct run, one run of
 * compare (its options, its servers, these results), is in tool/run.h.
 */
#ifndef COMPARE_H
#define COMPARE_H

#include "tool/conn.h"
#include "tool/probe.h"
#include "tool/stats.h"

/* The three styles, in the order of the chapters; then chapter 5's server, which
 * experiments 2 and 3 add where it is built (it is no fourth style: it serves HTTP
 * and a chat socket together, and is measured transport by transport). */
enum style { CH1, CH2, CH3, STYLE_COUNT, CH5 = STYLE_COUNT, SERVER_COUNT };

/* How a client of experiment 2 learns of the events. */
enum delivery_kind {
    DELIVERY_PUSH,       /* ch3: a chat client that only reads */
    DELIVERY_SHORT_POLL, /* ch2: GET event.txt every P ms */
    DELIVERY_RAW,        /* ch5's chat port: as ch3, in pushd's room */
    DELIVERY_LONG_POLL,  /* ch5: GET /poll, answered when a line comes */
    DELIVERY_SSE,        /* ch5: GET /events, a response that never ends */
    DELIVERY_WEBSOCKET,  /* ch5: GET /ws, upgraded; one TEXT frame per line */
};

/* Chapter 5's transports, in the order of its book; experiment 3 measures each. */
enum web_transport {
    WEB_RAW,
    WEB_LONG_POLL,
    WEB_SSE,
    WEB_WEBSOCKET,
    WEB_TRANSPORT_COUNT
};

#define MAX_POLL_INTERVALS 6
#define WEB_IDLE_MAX       200 /* experiment 3: idle members of pushd per transport */
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
    enum delivery_kind kind;
    long interval_ms; /* the poller's P; 0 for the others */
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
    enum web_transport transport; /* CH5: which of its transports */
    int given;                    /* a server given with --chN: not measured */
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
