/* tool/probe.c: the tool around chapter 4's lesson, not the lesson. See probe.h. */
#include "probe.h"
#include "io.h"
#include "options.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define PROC_LINE_SIZE    512
#define SETTLE_TIMEOUT_MS 5000
#define SETTLE_POLL_MS    10

/* The value of a "Name:   1234 kB" line in a /proc file, or -1. */
static long proc_field_kb(const char *path, const char *name)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    char line[PROC_LINE_SIZE];
    size_t length = strlen(name);
    long value = -1;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, name, length) == 0 && line[length] == ':') {
            value = strtol(line + length + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return value;
}

static long proc_rss_kb(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    return proc_field_kb(path, "VmRSS");
}

static long proc_pss_kb(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/smaps_rollup", (long)pid);
    return proc_field_kb(path, "Pss");
}

static long proc_fd_count(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/fd", (long)pid);
    DIR *d = opendir(path);
    if (d == NULL)
        return -1;
    long count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            count++;
    closedir(d);
    return count;
}

/* The parent and state of a process from /proc/PID/stat: "PID (COMM) STATE PPID ...".
 * COMM may hold spaces and parentheses, so we look after the last ')'. */
static int proc_parent(pid_t pid, pid_t *parent, char *state)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    char line[PROC_LINE_SIZE];
    int ok = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    /* After the last ')': a space, the state letter, a space, the parent's pid. */
    const char *end = ok ? strrchr(line, ')') : NULL;
    if (end == NULL || end[1] != ' ' || end[2] == '\0')
        return -1;
    *state = end[2];
    const char *cursor = end + 3;
    long long ppid;
    if (option_scan_number(&cursor, &ppid) < 0)
        return -1;
    *parent = (pid_t)ppid;
    return 0;
}

/* Call visit(child) for every living child of pid, from a scan of /proc. Returns the
 * number of children, or -1 without /proc. */
static long proc_for_each_child(pid_t pid, struct usage *sum,
                                void (*visit)(pid_t, struct usage *))
{
    DIR *d = opendir("/proc");
    if (d == NULL)
        return -1;
    long children = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        pid_t candidate = (pid_t)strtol(e->d_name, NULL, 10);
        pid_t parent;
        char state;
        /* A zombie has exited and holds no memory: it only waits to be reaped. */
        if (proc_parent(candidate, &parent, &state) == 0 && parent == pid &&
            state != 'Z') {
            children++;
            if (visit != NULL)
                visit(candidate, sum);
        }
    }
    closedir(d);
    return children;
}

/* Add one process's numbers to the sum; a number we cannot read makes the sum -1. */
static void add_field(long *total, long value)
{
    if (*total >= 0)
        *total = value < 0 ? -1 : *total + value;
}

static void add_process(pid_t pid, struct usage *sum)
{
    sum->processes++;
    add_field(&sum->rss_kb, proc_rss_kb(pid));
    add_field(&sum->pss_kb, proc_pss_kb(pid));
    add_field(&sum->fds, proc_fd_count(pid));
}

/* Without /proc: `ps` lists every process with its parent and resident size (kB). */
static int ps_usage(pid_t pid, struct usage *u)
{
    /* A fixed command, nothing of ours in it, so the shell popen() runs is harmless:
     * NOLINTNEXTLINE(cert-env33-c) */
    FILE *ps = popen("ps -A -o pid= -o ppid= -o rss= 2>/dev/null", "r");
    if (ps == NULL)
        return -1;
    char line[PROC_LINE_SIZE];
    int found = 0;
    *u = (struct usage){0, 0, -1, -1};
    while (fgets(line, sizeof line, ps) != NULL) {
        const char *cursor = line;
        long long p, parent, rss;
        if (option_scan_number(&cursor, &p) < 0 ||
            option_scan_number(&cursor, &parent) < 0 ||
            option_scan_number(&cursor, &rss) < 0)
            continue;
        if (p == (long long)pid || parent == (long long)pid) {
            u->processes++;
            u->rss_kb += (long)rss;
            found |= p == (long long)pid;
        }
    }
    pclose(ps);
    if (!found)
        *u = (struct usage){-1, -1, -1, -1};
    return found ? 0 : -1;
}

int probe_usage(pid_t pid, struct usage *u)
{
    if (proc_rss_kb(pid) < 0) /* no /proc, or no such process */
        return ps_usage(pid, u);
    *u = (struct usage){0, 0, 0, 0};
    add_process(pid, u);
    if (proc_for_each_child(pid, u, add_process) < 0)
        u->processes = u->rss_kb = u->pss_kb = u->fds = -1;
    return 0;
}

void probe_settle(pid_t pid, long fds)
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
        struct timespec pause = {0, SETTLE_POLL_MS * 1000000L};
        nanosleep(&pause, NULL);
    }
}

/* The first line of a command's output, or "" (for `sysctl` on macOS). */
static void first_output_line(const char *command, char *out, size_t size)
{
    out[0] = '\0';
    /* Only ever called with a fixed command written below, so the shell is harmless:
     * NOLINTNEXTLINE(cert-env33-c) */
    FILE *p = popen(command, "r");
    if (p == NULL)
        return;
    if (fgets(out, (int)size, p) == NULL)
        out[0] = '\0';
    out[strcspn(out, "\n")] = '\0';
    pclose(p);
}

/* The CPU's name from /proc/cpuinfo ("model name" on x86, other keys on ARM). */
static void cpu_model(char *out, size_t size)
{
    static const char *const keys[] = {"model name", "Hardware", "cpu model",
                                       "Processor"};
    out[0] = '\0';
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[PROC_LINE_SIZE];
    while (f != NULL && out[0] == '\0' && fgets(line, sizeof line, f) != NULL) {
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            size_t length = strlen(keys[k]);
            char *colon = strchr(line, ':');
            if (colon != NULL && strncmp(line, keys[k], length) == 0) {
                char *value = colon + 1 + strspn(colon + 1, " \t");
                value[strcspn(value, "\n")] = '\0';
                snprintf(out, size, "%s", value);
                break;
            }
        }
    }
    if (f != NULL)
        fclose(f);
    if (out[0] == '\0')
        first_output_line("sysctl -n machdep.cpu.brand_string 2>/dev/null", out, size);
    if (out[0] == '\0')
        snprintf(out, size, "unknown CPU");
}

void probe_machine(struct report_machine *m)
{
    cpu_model(m->cpu, sizeof m->cpu);
    m->cores = -1;
#ifdef _SC_NPROCESSORS_ONLN /* not POSIX, but Linux, macOS and the BSDs have it */
    m->cores = sysconf(_SC_NPROCESSORS_ONLN);
#endif
    struct utsname u;
    if (uname(&u) == 0)
        snprintf(m->os, sizeof m->os, "%s %s %s", u.sysname, u.release, u.machine);
    else
        snprintf(m->os, sizeof m->os, "unknown OS (%s)", strerror(errno));
}
