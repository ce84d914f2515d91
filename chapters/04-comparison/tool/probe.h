/* tool/probe.h: the tool around chapter 4's lesson, not the lesson.
 * Looking at a running server from the outside: its memory, its descriptors,
 * its child processes; and describing the machine the numbers come from.
 *
 * On Linux all of it is in /proc: /proc/PID/status holds VmRSS (resident memory),
 * /proc/PID/smaps_rollup holds Pss (resident memory with shared pages divided among
 * the processes sharing them), /proc/PID/fd lists the open descriptors, and
 * /proc/PID/stat names the parent. Elsewhere (macOS) we ask `ps` for the memory and
 * say "n/a" for the rest. Nothing here is needed for the measurements themselves.
 */
#ifndef PROBE_H
#define PROBE_H

#include "report.h"

#include <sys/types.h>

/* What a server uses: the process and its living children (chapter 2 forks one per
 * connection), added up. -1 for what this system does not tell us. */
struct usage {
    long processes;
    long rss_kb;
    long pss_kb;
    long fds;
};

/* Measure pid and its children. Returns 0 (some fields may be -1), or -1 when even the
 * process itself cannot be found. */
int probe_usage(pid_t pid, struct usage *u);

/* Wait (5 s at most) until the server pid has let go of what earlier connections
 * held: no worker processes left (chapter 2), and its descriptor count back to fds
 * (-1: do not look at descriptors). */
void probe_settle(pid_t pid, long fds);

/* CPU model, core count and operating system, for the report. */
void probe_machine(struct report_machine *m);

#endif
