/* harness.c: see harness.h. */
#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

int timeout_multiplier(void)
{
    const char *m = getenv("CK_TIMEOUT_MULTIPLIER");
    int value = m ? atoi(m) : 1;
    return value > 0 ? value : 1;
}

char *tested_program(char *reference)
{
    char *other = getenv("TESTED_PROGRAM");
    return other != NULL && other[0] != '\0' ? other : reference;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read one line from fd (unbuffered, byte by byte) within timeout_ms. */
static int read_first_line(int fd, char *buf, size_t size, int timeout_ms)
{
    size_t used = 0;
    long long deadline = now_ms() + timeout_ms;
    while (used + 1 < size) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        long long left = deadline - now_ms();
        if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
            return -1;
        char c;
        ssize_t n = read(fd, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        if (c == '\n')
            break;
        buf[used++] = c;
    }
    buf[used] = '\0';
    return 0;
}

/* The port of the URL that starts text ("http://[::1]:8002/ and ..."): the number
 * after the last colon before the first space. Returns 0 or -1. */
static int url_port(const char *text, int *port)
{
    size_t length = strcspn(text, " ");
    const char *colon = NULL;
    for (const char *c = text; c < text + length; c++)
        if (*c == ':')
            colon = c;
    return colon != NULL && sscanf(colon + 1, "%d", port) == 1 ? 0 : -1;
}

/* ---- Under valgrind ---------------------------------------------------------------
 *
 * With VALGRIND=1 in the environment (`make test VALGRIND=1`), server_start() runs
 * every server under valgrind's memcheck:
 *
 *     valgrind --error-exitcode=1 --leak-check=full --quiet --trace-children=no PROGRAM
 *
 * --quiet makes valgrind print nothing but errors, so any line of its own in the
 * server's stderr ("==PID== Invalid read of size 1", "==PID== 24 bytes ... definitely
 * lost") is a failure: server_stop() prints them and returns 1, valgrind's exit
 * status for errors, even when the error was in a forked child (chapter 2's workers
 * are valgrind's too: fork() does not leave it) whose exit status nobody sees.
 * Valgrind is slow: set CK_TIMEOUT_MULTIPLIER (10 is enough) so that Check's time
 * limits and the tests' waits stretch with it. The programs a test runs to
 * completion (run_program: clients, bad options) do not run under valgrind. */

static int under_valgrind(void)
{
    const char *v = getenv("VALGRIND");
    return v != NULL && strcmp(v, "1") == 0;
}

/* Is program on the PATH (or a path that exists)? */
static int on_path(const char *program)
{
    const char *path = getenv("PATH");
    char candidate[1024];
    if (strchr(program, '/') != NULL)
        return access(program, X_OK) == 0;
    while (path != NULL && *path != '\0') {
        size_t length = strcspn(path, ":");
        snprintf(candidate, sizeof candidate, "%.*s/%s", (int)length, path, program);
        if (length > 0 && access(candidate, X_OK) == 0)
            return 1;
        path += length;
        if (*path == ':')
            path++;
    }
    return 0;
}

#define VALGRIND_MAX_ARGS 64

/* The command line that runs program under valgrind (argv[0] included). */
static void valgrind_argv(const char *program, char *const argv[], char **out)
{
    static char *const prefix[] = {"valgrind", "--error-exitcode=1", "--leak-check=full",
                                   "--quiet", "--trace-children=no"};
    size_t n = 0;
    for (size_t i = 0; i < sizeof prefix / sizeof prefix[0]; i++)
        out[n++] = prefix[i];
    out[n++] = (char *)program;
    for (size_t i = 1; argv[i] != NULL && n < VALGRIND_MAX_ARGS - 1; i++)
        out[n++] = argv[i];
    out[n] = NULL;
}

/* If line is one valgrind wrote ("==1234== Invalid read of size 1"), count it and
 * print it (the first few) to our stderr, for the test's log. */
static void report_valgrind_line(const struct server_proc *p, const char *line,
                                 int *count)
{
    int length = 0;
    if (line[0] != '=' || line[1] != '=' || sscanf(line, "==%*d==%n", &length) != 0 ||
        length == 0)
        return;
    if (*count == 0)
        fprintf(stderr, "valgrind found errors in pid %ld (or its children):\n",
                (long)p->pid);
    if (*count < 60)
        fprintf(stderr, "  %s\n", line);
    (*count)++;
}

/* valgrind's own lines in the server's stderr. The whole file is read, in blocks:
 * the leak report comes at the very end, after however much access log. Returns how
 * many there were. */
static int valgrind_report(const struct server_proc *p)
{
    static char block[64 * 1024];
    char line[512];
    size_t line_length = 0;
    off_t offset = 0;
    int count = 0;
    ssize_t n;
    while ((n = pread(p->stderr_fd, block, sizeof block, offset)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        offset += n;
        for (ssize_t i = 0; i < n; i++) {
            if (block[i] == '\n') {
                line[line_length] = '\0';
                report_valgrind_line(p, line, &count);
                line_length = 0;
            } else if (line_length + 1 < sizeof line) {
                line[line_length++] = block[i];
            }
        }
    }
    line[line_length] = '\0'; /* a last line without its LF */
    report_valgrind_line(p, line, &count);
    return count;
}

/* A server a failing test leaves running is still stopped: Check runs each test in a
 * process group of its own and kills the whole group when the test ends (a failed
 * ck_assert ends the test with _exit(), so atexit() handlers would not run), and on
 * Linux PR_SET_PDEATHSIG kills the server too when its test process dies. */

/* A server that never said it was listening: kill it and clean up. */
static void abandon_server(struct server_proc *p)
{
    if (p->pid > 0) { /* 0 once explain_start_failure() has reaped it */
        kill(p->pid, SIGKILL);
        waitpid(p->pid, NULL, 0);
    }
    p->pid = 0;
    close(p->stderr_fd);
    p->stderr_fd = -1;
}

/* Where a started server's stderr goes: a temporary file we unlink at once (we keep a
 * descriptor to read it, and nothing is left in /tmp whatever happens), unless
 * STAGE_STDERR_DIR names a folder: then the file stays there, so that the homework
 * runner can show the tail of a learner's server's stderr after its test has ended. */
static int open_stderr_file(void)
{
    const char *keep_in = getenv("STAGE_STDERR_DIR");
    char path[512];
    snprintf(path, sizeof path, "%s/server-stderr-XXXXXX",
             keep_in != NULL && keep_in[0] != '\0' ? keep_in : "/tmp");
    int fd = mkstemp(path);
    if (fd >= 0 && (keep_in == NULL || keep_in[0] == '\0'))
        unlink(path);
    return fd;
}

/* Why a start failed, in plain words, into why (when why is not NULL). */
static void explain_start_failure(struct server_proc *p, const char *line, int timeout_ms,
                                  char *why, size_t why_size)
{
    if (why == NULL)
        return;
    /* A server that closed its stdout may still be on its way out: give it 500 ms. */
    int status;
    int gone = wait_for_exit(p->pid, 500, &status) == 0;
    if (gone)
        p->pid = 0; /* reaped: abandon_server() must not signal the number again */
    if (gone && WIFEXITED(status))
        snprintf(why, why_size, "exited with status %d before printing its start line",
                 WEXITSTATUS(status));
    else if (gone && WIFSIGNALED(status))
        snprintf(why, why_size, "crashed (signal %d, %s) before printing its start line",
                 WTERMSIG(status), strsignal(WTERMSIG(status)));
    else if (line != NULL)
        snprintf(why, why_size, "printed a first line with no port: \"%.120s\"", line);
    else
        snprintf(why, why_size, "printed no start line on stdout within %d s",
                 timeout_ms / 1000);
}

int server_start(struct server_proc *p, const char *program, char *const argv[])
{
    return server_start_explained(p, program, argv, 10000 * timeout_multiplier(), NULL,
                                  0);
}

int server_start_explained(struct server_proc *p, const char *program, char *const argv[],
                           int timeout_ms, char *why, size_t why_size)
{
    int out[2];
    char *valgrind[VALGRIND_MAX_ARGS];
    memset(p, 0, sizeof *p);
    p->stderr_fd = -1;
    if (under_valgrind()) {
        if (!on_path("valgrind")) {
            fprintf(stderr, "VALGRIND=1, but valgrind is not installed\n");
            return -1;
        }
        valgrind_argv(program, argv, valgrind);
    }
    int err_fd = open_stderr_file();
    if (err_fd < 0 || pipe(out) < 0) {
        if (why != NULL)
            snprintf(why, why_size, "the test could not start it: %s", strerror(errno));
        return -1;
    }
    p->stderr_fd = err_fd;
    p->pid = fork();
    if (p->pid < 0)
        return -1;
    if (p->pid == 0) {
        /* Check installs its own SIGTERM handler in forked tests: undo it, or
         * server_stop() could not stop us. */
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
#ifdef __linux__
        prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        dup2(out[1], STDOUT_FILENO);
        dup2(err_fd, STDERR_FILENO);
        close(out[0]);
        close(out[1]);
        close(err_fd);
        if (under_valgrind())
            execvp(valgrind[0], valgrind);
        else
            execv(program, argv);
        _exit(127);
    }
    close(out[1]);
    char line[256];
    int rc = read_first_line(out[0], line, sizeof line, timeout_ms);
    close(out[0]); /* the server may keep writing to stdout: it gets EPIPE, ignored */
    if (rc < 0) {
        explain_start_failure(p, NULL, timeout_ms, why, why_size);
        abandon_server(p);
        return -1;
    }
    const char *at = strstr(line, "listening on ");
    if (at == NULL || url_port(at + strlen("listening on "), &p->port) < 0) {
        explain_start_failure(p, line, timeout_ms, why, why_size);
        abandon_server(p);
        return -1;
    }
    const char *second = strstr(at, " and ");
    if (second != NULL && url_port(second + strlen(" and "), &p->port2) < 0) {
        explain_start_failure(p, line, timeout_ms, why, why_size);
        abandon_server(p);
        return -1;
    }
    snprintf(p->url, sizeof p->url, "%s", at + strlen("listening on "));
    return 0;
}

int wait_for_exit(pid_t pid, int timeout_ms, int *status)
{
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 0;
        if (r < 0 && errno != EINTR)
            return -1;
        if (now_ms() > deadline)
            return -1;
        struct timespec pause = {0, 5 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
}

int server_stop(struct server_proc *p)
{
    int status = 0;
    int result = -1;
    if (p->pid > 0) {
        kill(p->pid, SIGTERM);
        if (wait_for_exit(p->pid, 10000 * timeout_multiplier(), &status) < 0) {
            kill(p->pid, SIGKILL);
            waitpid(p->pid, &status, 0);
        } else if (WIFEXITED(status)) {
            result = WEXITSTATUS(status);
        } else if (WIFSIGNALED(status)) {
            result = 128 + WTERMSIG(status);
        }
        if (under_valgrind() && valgrind_report(p) > 0 && result == 0)
            result = 1; /* valgrind's --error-exitcode, for an error in a child too */
        p->pid = 0;
    }
    if (p->stderr_fd >= 0)
        close(p->stderr_fd);
    p->stderr_fd = -1;
    return result;
}

size_t server_stderr(const struct server_proc *p, char *buf, size_t size)
{
    size_t used = 0;
    while (p->stderr_fd >= 0 && used + 1 < size) {
        ssize_t n = pread(p->stderr_fd, buf + used, size - 1 - used, (off_t)used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        used += (size_t)n;
    }
    buf[used] = '\0';
    return used;
}

int server_stderr_wait(const struct server_proc *p, const char *text, int timeout_ms)
{
    static char log[512 * 1024];
    long long deadline = now_ms() + (long long)timeout_ms * timeout_multiplier();
    for (;;) {
        server_stderr(p, log, sizeof log);
        if (strstr(log, text) != NULL)
            return 1;
        if (now_ms() > deadline)
            return 0;
        struct timespec pause = {0, 5 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
}

const char *sanitizer_report(const char *log)
{
    const char *report = strstr(log, "Sanitizer");
    return report != NULL ? report : strstr(log, "runtime error");
}

void server_stop_clean(struct server_proc *p, const char *name)
{
    static char log[512 * 1024];
    server_stderr(p, log, sizeof log);
    const char *report = sanitizer_report(log);
    int status = server_stop(p);
    ck_assert_msg(report == NULL, "%s reported: %.600s", name, report);
    ck_assert_msg(status == 0, "%s did not exit 0 on SIGTERM (status %d)", name, status);
}

void server_stop_within(struct server_proc *p, int signo, int limit_ms, const char *name)
{
    static char log[512 * 1024];
    ck_assert_int_gt(p->pid, 0);
    long long sent = now_ms();
    kill(p->pid, signo);
    int status = 0;
    int limit = limit_ms * timeout_multiplier();
    int ended = wait_for_exit(p->pid, limit, &status) == 0;
    long long took = now_ms() - sent;
    if (!ended) {
        kill(p->pid, SIGKILL);
        waitpid(p->pid, &status, 0);
    }
    p->pid = 0;
    server_stderr(p, log, sizeof log);
    int valgrind_errors = under_valgrind() ? valgrind_report(p) : 0;
    close(p->stderr_fd);
    p->stderr_fd = -1;
    ck_assert_msg(valgrind_errors == 0, "%s: valgrind found errors (above)", name);
    ck_assert_msg(ended, "%s was still running %d ms after signal %d", name, limit,
                  signo);
    const char *report = sanitizer_report(log);
    ck_assert_msg(report == NULL, "%s reported: %.600s", name, report);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "%s did not exit 0 on signal %d (status 0x%x, after %lld ms)", name,
                  signo, (unsigned)status, took);
}

int tcp_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((unsigned short)port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sin, sizeof sin) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

void send_all(int fd, const void *data, size_t length)
{
    const char *p = data;
    while (length > 0) {
        ssize_t n = write(fd, p, length);
        if (n < 0 && errno == EINTR)
            continue;
        ck_assert_msg(n > 0, "send failed: %s", strerror(errno));
        p += n;
        length -= (size_t)n;
    }
}

void send_text(int fd, const char *text)
{
    send_all(fd, text, strlen(text));
}

ssize_t recv_until_close(int fd, char *buf, size_t size, int timeout_ms)
{
    size_t used = 0;
    ssize_t result = 0;
    while (used + 1 < size) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int ready = poll(&pfd, 1, timeout_ms);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            break;
        ssize_t n = read(fd, buf + used, size - 1 - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            result = -1;
            break;
        }
        if (n == 0)
            break;
        used += (size_t)n;
    }
    buf[used] = '\0';
    return result < 0 ? -1 : (ssize_t)used;
}

int wait_closed(int fd, int timeout_ms)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int ready;
    do
        ready = poll(&pfd, 1, timeout_ms);
    while (ready < 0 && errno == EINTR);
    if (ready <= 0)
        return 0;
    char c;
    ssize_t n = read(fd, &c, 1);
    return n == 0 || (n < 0 && errno == ECONNRESET);
}

ssize_t http_exchange(int port, const char *request, char *response, size_t size)
{
    int fd = tcp_connect(port);
    ck_assert_msg(fd >= 0, "connect to port %d failed: %s", port, strerror(errno));
    send_text(fd, request);
    ssize_t n = recv_until_close(fd, response, size, 10000 * timeout_multiplier());
    close(fd);
    return n;
}

int response_status(const char *response)
{
    int status;
    if (strncmp(response, "HTTP/", 5) != 0 || strlen(response) < 12 ||
        sscanf(response + 9, "%3d", &status) != 1)
        return -1;
    return status;
}

int response_header(const char *response, const char *name, char *out, size_t size)
{
    const char *end = strstr(response, "\r\n\r\n");
    size_t name_length = strlen(name);
    const char *line = strstr(response, "\r\n");
    while (line != NULL && line < end) {
        line += 2;
        if (strncasecmp(line, name, name_length) == 0 && line[name_length] == ':') {
            const char *value = line + name_length + 1;
            while (*value == ' ')
                value++;
            size_t length = strcspn(value, "\r\n");
            if (length >= size)
                return -1;
            memcpy(out, value, length);
            out[length] = '\0';
            return 0;
        }
        line = strstr(line, "\r\n");
    }
    return -1;
}

const char *response_body(const char *response, size_t length, size_t *body_length)
{
    for (size_t i = 0; i + 4 <= length; i++) {
        if (memcmp(response + i, "\r\n\r\n", 4) == 0) {
            *body_length = length - i - 4;
            return response + i + 4;
        }
    }
    return NULL;
}

/* Under valgrind: the descriptors at or above this number are valgrind's own. It
 * raises the soft RLIMIT_NOFILE by 12 (N_RESERVED_FDS in its m_main.c), keeps those
 * 12 at the top of the range for itself (its log, a pipe, the program's file, ...),
 * and shows the program the old limit. /proc/PID/limits has the raised one. */
static long valgrind_first_own_fd(pid_t pid)
{
    char path[64], line[256];
    long soft = -1;
    snprintf(path, sizeof path, "/proc/%ld/limits", (long)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "Max open files", 14) == 0)
            sscanf(line + 14, "%ld", &soft);
    fclose(f);
    return soft > 12 ? soft - 12 : -1;
}

int count_open_fds(pid_t pid)
{
    char path[64];
    long limit = -1;
    if (under_valgrind() && (limit = valgrind_first_own_fd(pid)) < 0)
        return -1; /* we cannot tell its descriptors from valgrind's: skip the check */
    snprintf(path, sizeof path, "/proc/%ld/fd", (long)pid);
    DIR *d = opendir(path);
    if (d == NULL)
        return -1;
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.' && (limit < 0 || atol(e->d_name) < limit))
            count++;
    closedir(d);
    return count;
}

int count_open_fds_settled(pid_t pid)
{
    struct timespec pause = {.tv_nsec = 20 * 1000000};
    long long deadline = now_ms() + 2000LL * timeout_multiplier();
    int count = count_open_fds(pid), same = 0;
    while (count >= 0 && same < 5 && now_ms() < deadline) {
        nanosleep(&pause, NULL);
        int again = count_open_fds(pid);
        same = again == count ? same + 1 : 0;
        count = again;
    }
    return count;
}

void make_temp_dir(char *path)
{
    strcpy(path, "/tmp/hvs-root-XXXXXX");
    ck_assert_msg(mkdtemp(path) != NULL, "mkdtemp: %s", strerror(errno));
}

void write_file(const char *dir, const char *name, const void *data, size_t length)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ck_assert_msg(fd >= 0, "create %s: %s", path, strerror(errno));
    const char *p = data;
    while (length > 0) {
        ssize_t n = write(fd, p, length);
        ck_assert_msg(n > 0, "write %s: %s", path, strerror(errno));
        p += n;
        length -= (size_t)n;
    }
    close(fd);
}

void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d != NULL) {
            struct dirent *e;
            while ((e = readdir(d)) != NULL) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                    continue;
                char child[1024];
                snprintf(child, sizeof child, "%s/%s", path, e->d_name);
                remove_tree(child);
            }
            closedir(d);
        }
        chmod(path, 0700);
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* Drain fd into buf (up to size-1 bytes; the rest is read and dropped). */
static size_t drain(int fd, char *buf, size_t size)
{
    size_t used = 0;
    char sink[4096];
    for (;;) {
        char *into = used + 1 < size ? buf + used : sink;
        size_t room = used + 1 < size ? size - 1 - used : sizeof sink;
        ssize_t n = read(fd, into, room);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (into == buf + used)
            used += (size_t)n;
    }
    if (size > 0)
        buf[used] = '\0';
    return used;
}

int run_program(char *const argv[], char *out, size_t out_size, size_t *out_length,
                char *err, size_t err_size)
{
    int out_pipe[2];
    char err_path[] = "/tmp/hvs-err-XXXXXX";
    int err_fd = mkstemp(err_path);
    if (err_fd < 0 || pipe(out_pipe) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        signal(SIGTERM, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        dup2(out_pipe[1], STDOUT_FILENO);
        dup2(err_fd, STDERR_FILENO);
        close(out_pipe[0]);
        close(out_pipe[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(out_pipe[1]);
    size_t length = drain(out_pipe[0], out, out_size);
    close(out_pipe[0]);
    if (out_length)
        *out_length = length;
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (err != NULL && err_size > 0) {
        lseek(err_fd, 0, SEEK_SET);
        drain(err_fd, err, err_size);
    }
    close(err_fd);
    unlink(err_path);
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}

int run_suites(Suite **suites, size_t count)
{
    signal(SIGPIPE, SIG_IGN); /* a server that closes first: EPIPE, not a dead test */
    SRunner *runner = srunner_create(suites[0]);
    for (size_t i = 1; i < count; i++)
        srunner_add_suite(runner, suites[i]);
    srunner_set_fork_status(runner, CK_FORK); /* timeouts need fork mode */
    srunner_run_all(runner, CK_NORMAL);
    int run = srunner_ntests_run(runner);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    if (run == 0) {
        fprintf(stderr, "no tests ran: that is a failure too\n");
        return 1;
    }
    return failed == 0 ? 0 : 1;
}
