/* tool/started_server.c: the tool around chapter 4's lesson, not the lesson. See
 * started_server.h. */
#include "started_server.h"

#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define START_TIMEOUT_MS 10000 /* for the listening line */
#define STOP_TIMEOUT_MS  5000  /* after SIGTERM, before SIGKILL */
#define EXIT_POLL_MS     5     /* how often we look while waiting for an exit */
#define LISTEN_LINE_MAX  256
#define LISTENING_ON     "listening on "
#define EXEC_FAILED_CODE 127 /* what a shell reports for a program it could not run */

int started_server_find(struct started_server *s, const char *root, const char *relative,
                        char *why, size_t why_size)
{
    snprintf(s->program, sizeof s->program, "%s/%s", root, relative);
    if (access(s->program, X_OK) == 0)
        return 0;
    snprintf(why, why_size,
             "%s is missing: %s (%s)\n  build it with `make %s` at the top of the "
             "project, or `make` for everything",
             s->name, s->program, strerror(errno), s->make_target);
    return -1;
}

/* Split "HOST:PORT", "[IPv6]:PORT" into host and port. */
static int split_host_port(const char *text, char *host, size_t host_size, char *port,
                           size_t port_size)
{
    const char *host_start = text, *host_end, *colon;
    if (text[0] == '[') {
        host_start = text + 1;
        host_end = strchr(host_start, ']');
        if (host_end == NULL || host_end[1] != ':')
            return -1;
        colon = host_end + 1;
    } else {
        colon = strrchr(text, ':');
        host_end = colon;
    }
    if (colon == NULL || host_end == host_start)
        return -1;
    size_t host_length = (size_t)(host_end - host_start);
    size_t port_length = strspn(colon + 1, "0123456789");
    if (host_length >= host_size || port_length == 0 || port_length >= port_size ||
        (colon[1 + port_length] != '\0' && colon[1 + port_length] != '/'))
        return -1;
    memcpy(host, host_start, host_length);
    host[host_length] = '\0';
    memcpy(port, colon + 1, port_length);
    port[port_length] = '\0';
    return 0;
}

int started_server_use(struct started_server *s, const char *host_port)
{
    s->given = 1;
    s->pid = 0;
    return split_host_port(host_port, s->host, sizeof s->host, s->port, sizeof s->port);
}

/* In the child, between fork() and exec(): a process group of its own, and the signal
 * settings a program expects to start with. exec() keeps the signal mask and every
 * ignored signal, so what compare blocks or ignores must be undone here. */
static void exec_server(const char *program, char *const argv[], int out_fd, int verbose)
{
    setpgid(0, 0);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (dup2(out_fd, STDOUT_FILENO) < 0)
        _exit(EXEC_FAILED_CODE);
    close(out_fd);
    if (!verbose) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0 && null != STDERR_FILENO) {
            dup2(null, STDERR_FILENO);
            close(null);
        }
    }
    execv(program, argv);
    _exit(EXEC_FAILED_CODE);
}

/* The host and port of a URL, given from its "://": "://127.0.0.1:40123/ ...". */
static int split_url(const char *url, char *host, size_t host_size, char *port,
                     size_t port_size)
{
    char address[NET_ADDRSTRLEN + 16];
    const char *start = url + 3; /* after "://" */
    size_t length = strcspn(start, "/ ");
    if (length >= sizeof address)
        return -1;
    memcpy(address, start, length);
    address[length] = '\0';
    return split_host_port(address, host, host_size, port, port_size);
}

/* "httpd: listening on http://127.0.0.1:40123/": everything after "://". pushd
 * names a second port: "... and chat://127.0.0.1:40124/". */
static int parse_listening_line(struct started_server *s, const char *line)
{
    const char *at = strstr(line, LISTENING_ON);
    const char *scheme_end = at != NULL ? strstr(at, "://") : NULL;
    if (scheme_end == NULL ||
        split_url(scheme_end, s->host, sizeof s->host, s->port, sizeof s->port) < 0)
        return -1;
    const char *second = strstr(scheme_end + 3, "://");
    char host2[NET_ADDRSTRLEN];
    s->port2[0] = '\0';
    return second == NULL
               ? 0
               : split_url(second, host2, sizeof host2, s->port2, sizeof s->port2);
}

static int read_listening_line(struct started_server *s, int fd, char *why,
                               size_t why_size)
{
    struct io_reader *reader = malloc(sizeof *reader);
    if (reader == NULL) {
        snprintf(why, why_size, "%s", strerror(errno));
        return -1;
    }
    io_reader_init(reader, fd);
    struct io_line line;
    int rc =
        io_read_line(reader, 0, LISTEN_LINE_MAX, io_now_ms() + START_TIMEOUT_MS, &line);
    char text[LISTEN_LINE_MAX + 1] = "";
    if (rc == IO_OK) {
        memcpy(text, io_reader_bytes(reader), line.length);
        text[line.length] = '\0';
    }
    free(reader);
    if (rc == IO_OK && parse_listening_line(s, text) == 0)
        return 0;
    if (rc == IO_OK)
        snprintf(why, why_size, "%s said \"%s\", not where it listens", s->name, text);
    else if (rc == IO_EOF)
        snprintf(why, why_size,
                 "%s ended before it said where it listens (run it by "
                 "hand, or compare -v, to see why)",
                 s->name);
    else
        snprintf(why, why_size, "%s did not say where it listens within %d s", s->name,
                 START_TIMEOUT_MS / 1000);
    return -1;
}

int started_server_start(struct started_server *s, char *const argv[], int verbose,
                         char *why, size_t why_size)
{
    int out[2];
    if (pipe(out) < 0) {
        snprintf(why, why_size, "pipe: %s", strerror(errno));
        return -1;
    }
    fflush(NULL); /* or the child would inherit, and maybe repeat, buffered output */
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, why_size, "fork: %s", strerror(errno));
        close(out[0]);
        close(out[1]);
        return -1;
    }
    if (pid == 0) {
        close(out[0]);
        exec_server(s->program, argv, out[1], verbose);
    }
    /* Also here, so the group exists before we might signal it (whichever runs first). */
    setpgid(pid, pid);
    s->pid = pid;
    s->given = 0;
    close(out[1]);
    int rc = read_listening_line(s, out[0], why, why_size);
    /* The server may print more: with the pipe closed it gets EPIPE, which our
     * servers ignore (they print nothing else on stdout anyway). */
    close(out[0]);
    if (rc < 0)
        started_server_stop(s);
    return rc;
}

/* Has pid exited? Looks without reaping it (WNOWAIT): an exited child we have not
 * reaped keeps its pid, and its process-group id, from being reused. */
static int has_exited(pid_t pid, siginfo_t *info)
{
    memset(info, 0, sizeof *info);
    while (waitid(P_PID, (id_t)pid, info, WEXITED | WNOHANG | WNOWAIT) < 0)
        if (errno != EINTR)
            return 1; /* no such child: as good as gone */
    return info->si_pid != 0;
}

int started_server_running(const struct started_server *s, char *why, size_t why_size)
{
    siginfo_t info;
    if (s->pid <= 0)
        return s->given;
    if (!has_exited(s->pid, &info))
        return 1;
    if (info.si_code == CLD_EXITED)
        snprintf(why, why_size, "%s (pid %ld) exited with status %d", s->name,
                 (long)s->pid, info.si_status);
    else
        snprintf(why, why_size, "%s (pid %ld) was killed by signal %d", s->name,
                 (long)s->pid, info.si_status);
    return 0;
}

static int wait_for_exit(pid_t pid, int timeout_ms)
{
    long long deadline = io_now_ms() + timeout_ms;
    siginfo_t info;
    while (!has_exited(pid, &info)) {
        if (io_now_ms() > deadline)
            return -1;
        struct timespec pause = {0, EXIT_POLL_MS * 1000000L};
        nanosleep(&pause, NULL);
    }
    return 0;
}

void started_server_stop(struct started_server *s)
{
    if (s->pid <= 0)
        return;
    kill(s->pid, SIGTERM);
    if (wait_for_exit(s->pid, STOP_TIMEOUT_MS) < 0)
        kill(s->pid, SIGKILL);
    /* The server has exited (or is being killed) but is not reaped, so its group id is
     * still its own: end whatever is left in the group, such as a chapter 2 worker
     * whose parent died before it could stop it. ESRCH, nobody left, is the usual. */
    kill(-s->pid, SIGKILL);
    while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    s->pid = 0;
}
