/* compare.c: chapter 4, the three styles measured side by side, on real sockets.
 *
 * Chapters 1 to 3 built three servers: one that answers a request and hangs up
 * (HTTP/1.0), one that keeps the connection for the next request (HTTP/1.1
 * keep-alive), and a chat whose connections stay open so that either side may speak
 * at any moment. This program starts all three on free loopback ports, drives them
 * with real clients, and prints what each style costs:
 *
 *   1. round trip (roundtrip.c): the same small exchange N times, each way: latency,
 *      throughput, connections opened, bytes and TCP segments per exchange;
 *   2. push against polling (push.c): news made by the server side, delivered by a
 *      chat line, or found by clients that ask every P ms: delay and cost per event;
 *   3. idle cost (idle.c): what holding C quiet connections costs each server, in
 *      memory and descriptors.
 *
 * Those four files are the lesson; read book/04-comparison.md beside them. The tool
 * around them (tool/) reads the command line, starts and stops the servers, looks at
 * their processes and prints the tables and the chart.
 */
#include "compare.h"

#include "tool/cli.h"
#include "tool/run.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

long long compare_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int main(int argc, char **argv)
{
    static struct run run; /* large (paths, samples): not on the stack */
    static struct report report;
    struct run *r = &run;
    int status = cli_parse_options(argc, argv, &r->opt);
    if (status >= 0)
        return status;
    /* SIGINT and SIGTERM stay blocked from here on: Ctrl-C is noticed between two
     * exchanges (run_stopping), so nothing is cut off half-way. */
    if (run_begin(r, &report.machine) < 0) {
        fprintf(stderr, "compare: signals: %s\n", strerror(errno));
        return 1;
    }

    status = run_start_servers(r);
    if (status == 0 && (r->opt.experiments & EXPERIMENT_ROUNDTRIP) && !run_stopping(r))
        experiment_roundtrip(r);
    if (status == 0 && (r->opt.experiments & EXPERIMENT_PUSH) && !run_stopping(r))
        experiment_push(r);
    if (status == 0 && (r->opt.experiments & EXPERIMENT_IDLE) && !run_stopping(r))
        experiment_idle(r);
    run_progress_clear(r);

    /* Whatever happened, nothing we started outlives us. */
    run_stop_servers(r);
    int signal_number = run_stop_signal(r);
    if (signal_number != 0) {
        fprintf(stderr,
                "compare: stopped by signal %d; every server it started is stopped\n",
                signal_number);
        return 128 + signal_number;
    }
    if (status != 0)
        return status;
    return run_report(r, &report);
}
