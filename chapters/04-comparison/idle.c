/* idle.c: experiment 3, what quiet connections cost the server.
 *
 * A persistent connection costs the server something even when nobody says a word:
 * a descriptor, kernel socket buffers, and whatever the server keeps per client. How
 * much depends on the design:
 *
 *   ch1 close:      nothing, once it has answered: it hangs up. (A client that
 *                   connects while the server is busy waits in the kernel's listen
 *                   queue, which costs the server process nothing either.)
 *   ch2 keep-alive: one whole process per connection (fork), asleep in poll().
 *   ch3 socket:     one descriptor and one struct client in a single process.
 *   ch5, per transport: a member of pushd's room on its chat port, a long poller
 *                   (a session whose poll is parked), an event stream or a
 *                   WebSocket, all in one process; a session also keeps its last
 *                   lines for replay.
 *
 * For each count C we open C connections, make each one do what an idle client of
 * that style has done (ch1 and ch2: one GET and its answer; ch3: join and read the
 * welcome; ch5: join over the transport), and then look at the server from outside
 * (tool/probe.c): its processes, descriptors and resident memory, before and after. Then
 * we close them all and wait until the server is back where it started.
 */
#include "compare.h"

#include "tool/run.h"
#include "tool/web.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DRAIN_BUFFER 4096

/* Chapter 5: a member of pushd's room over one transport. A long poller only joins
 * here: its poll is parked once everyone has joined (park_polls). */
static int open_web(struct started_server *server, enum web_transport transport,
                    struct conn *c, char token[WEB_TOKEN_SIZE], char *why,
                    size_t why_size)
{
    char nick[64];
    if (transport == WEB_RAW)
        return conn_join_chat(c, server->host, server->port2, nick, sizeof nick, why,
                              why_size);
    if (conn_open(c, server->host, server->port, why, why_size) < 0)
        return -1;
    if (transport == WEB_WEBSOCKET)
        return web_upgrade(c, server->host, server->port, why, why_size);
    if (web_join(c, server->host, server->port, token, why, why_size) < 0)
        return -1;
    if (transport == WEB_SSE)
        return web_open_events(c, server->host, server->port, token, why, why_size);
    return 0;
}

/* Open one connection and bring it to the idle state of its style. Returns the
 * descriptor, or -1 with a message in why. */
static int open_idle(struct run *r, const struct idle_result *res,
                     char token[WEB_TOKEN_SIZE], char *why, size_t why_size)
{
    enum style s = res->style;
    struct started_server *server = &r->servers[s];
    struct conn c;
    struct conn_answer answer;
    char nick[64];
    int rc;
    conn_init(&c);
    if (s == CH5) {
        rc = open_web(server, res->transport, &c, token, why, why_size);
        if (rc < 0)
            conn_close(&c);
        return rc < 0 ? -1 : c.fd;
    }
    if (s == CH3)
        return conn_join_chat(&c, server->host, server->port, nick, sizeof nick, why,
                              why_size) < 0
                   ? -1
                   : c.fd;
    rc = conn_open(&c, server->host, server->port, why, why_size);
    if (rc == 0)
        rc = conn_get(&c, server->host, server->port, SMALL_FILE_PATH, s == CH2, &answer,
                      io_now_ms() + ANSWER_TIMEOUT_MS, why, why_size);
    if (rc < 0)
        conn_close(&c);
    return rc < 0 ? -1 : c.fd; /* kept open: the struct conn goes, the socket stays */
}

/* Chat clients hear "* guest7 joined" for everyone who came after them: read it all,
 * so the server's output queues are empty when we measure it. */
static void drain_chat(const int *fds, long count)
{
    char sink[DRAIN_BUFFER];
    for (long i = 0; i < count; i++) {
        struct pollfd pfd = {.fd = fds[i], .events = POLLIN};
        while (poll(&pfd, 1, 0) > 0 && read(fds[i], sink, sizeof sink) > 0)
            ;
    }
}

/* Every long poller asks for what it has (the welcome, and everyone who joined after
 * it), then asks again from there: that poll stays parked. Returns 0, or -1 with why. */
static int park_polls(struct run *r, const int *fds, char (*tokens)[WEB_TOKEN_SIZE],
                      long count, char *why, size_t why_size)
{
    struct started_server *server = &r->servers[CH5];
    struct conn *c = malloc(sizeof *c); /* its reader is 32 KiB */
    struct conn_answer *answer = malloc(sizeof *answer);
    int rc = c != NULL && answer != NULL ? 0 : -1;
    for (long i = 0; i < count && rc == 0; i++) {
        unsigned long next;
        conn_init(c);
        c->fd = fds[i];
        io_reader_init(&c->reader, c->fd);
        rc = web_send_poll(c, server->host, server->port, tokens[i], 0);
        if (rc == 0)
            rc = conn_read_answer(c, 0, answer, io_now_ms() + ANSWER_TIMEOUT_MS);
        if (rc == 0 &&
            (answer->status != 200 || web_poll_next(answer->body, &next) < 0)) {
            snprintf(why, why_size, "GET /poll: status %d", answer->status);
            break;
        }
        if (rc == 0)
            rc = web_send_poll(c, server->host, server->port, tokens[i], next);
        if (rc != 0)
            snprintf(why, why_size, "a long poll: %s", conn_error(rc));
    }
    if (c == NULL || answer == NULL)
        snprintf(why, why_size, "out of memory");
    free(c);
    free(answer);
    return rc == 0 && why[0] == '\0' ? 0 : -1;
}

/* One server, one count: look at it, open C connections, look again, close them. */
static void measure(struct run *r, long baseline_fds, struct idle_result *res)
{
    pid_t pid = r->servers[res->style].pid;
    int *fds = calloc((size_t)res->count, sizeof *fds);
    char(*tokens)[WEB_TOKEN_SIZE] = calloc((size_t)res->count, sizeof *tokens);
    int polls = res->style == CH5 && res->transport == WEB_LONG_POLL;
    long opened = 0;
    probe_settle(pid, baseline_fds);
    if (fds == NULL || tokens == NULL || probe_usage(pid, &res->before) < 0) {
        snprintf(res->why, WHY_SIZE, "%s",
                 fds == NULL || tokens == NULL ? "out of memory"
                                               : "cannot see the server's process");
        run_failed(r, res->style, res->why, WHY_SIZE);
        free(fds);
        free(tokens);
        return;
    }
    long long start = compare_now_us();
    while (opened < res->count && !run_stopping(r)) {
        fds[opened] = open_idle(r, res, tokens[opened], res->why, WHY_SIZE);
        if (fds[opened] < 0)
            break;
        opened++;
        run_progress(r, "idle cost", (double)opened / (double)res->count);
    }
    int parked = 0;
    if (polls && opened == res->count)
        parked = park_polls(r, fds, tokens, opened, res->why, WHY_SIZE) == 0;
    res->open_ms = (double)(compare_now_us() - start) / 1000;
    if (res->style == CH3 || (res->style == CH5 && !polls))
        drain_chat(fds, opened); /* and "* guest7 joined" as lines, frames or events */
    if ((opened < res->count || (polls && !parked) ||
         probe_usage(pid, &res->after) < 0) &&
        !run_stopping(r)) {
        if (res->why[0] == '\0')
            snprintf(res->why, WHY_SIZE, "the server could not be measured");
        run_failed(r, res->style, res->why, WHY_SIZE);
    }
    for (long i = 0; i < opened; i++)
        close(fds[i]);
    free(fds);
    free(tokens);
}

static void run_style(struct run *r, enum style s)
{
    struct started_server *server = &r->servers[s];
    char why[WHY_SIZE];
    if (server->given) { /* we cannot look at a process we did not start */
        r->idle[r->idle_count++] = (struct idle_result){.style = s, .given = 1};
        return;
    }
    /* Workers left from experiment 2, if any, go first; then we know where it rests. */
    struct usage quiet;
    long baseline_fds = -1;
    if (started_server_running(server, why, sizeof why)) {
        probe_settle(server->pid, -1);
        if (probe_usage(server->pid, &quiet) == 0)
            baseline_fds = quiet.fds;
    }
    /* Chapter 1 holds nothing whatever C is: one column, at the largest C, says so. */
    for (int i = s == CH1 ? r->opt.idle_count - 1 : 0;
         i < r->opt.idle_count && !run_stopping(r); i++) {
        struct idle_result *res = &r->idle[r->idle_count++];
        res->style = s;
        res->asked = r->opt.idle[i];
        long limit = run_idle_capacity(r, s, &res->cap_reason);
        res->count = res->asked < limit ? res->asked : limit;
        if (run_server_alive(r, s, res->why, WHY_SIZE))
            measure(r, baseline_fds, res);
    }
    if (started_server_running(server, why, sizeof why))
        probe_settle(server->pid, baseline_fds);
}

/* Chapter 5: each transport at the largest C (capped: WEB_IDLE_MAX), each on a fresh
 * pushd. On the same one, a transport would find the memory the previous one freed
 * (malloc keeps it), and the sessions it left behind (a session outlives its
 * connections until it expires). */
static void run_web(struct run *r)
{
    struct started_server *server = &r->servers[CH5];
    for (int t = 0; t < WEB_TRANSPORT_COUNT && !run_stopping(r); t++) {
        struct usage quiet;
        long baseline_fds = -1;
        if (run_restart_server(r, CH5) == 0 && probe_usage(server->pid, &quiet) == 0)
            baseline_fds = quiet.fds;
        struct idle_result *res = &r->idle[r->idle_count++];
        res->style = CH5;
        res->transport = (enum web_transport)t;
        for (int i = 0; i < r->opt.idle_count; i++)
            if (r->opt.idle[i] > res->asked)
                res->asked = r->opt.idle[i];
        long limit = run_idle_capacity(r, CH5, &res->cap_reason);
        res->count = res->asked < limit ? res->asked : limit;
        if (run_server_alive(r, CH5, res->why, WHY_SIZE))
            measure(r, baseline_fds, res);
    }
}

void experiment_idle(struct run *r)
{
    for (int s = 0; s < STYLE_COUNT && !run_stopping(r); s++)
        run_style(r, s);
    if (r->web && !run_stopping(r))
        run_web(r);
}
