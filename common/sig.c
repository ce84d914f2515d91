/* sig.c: see sig.h. */
#include "sig.h"

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <sys/time.h>

volatile sig_atomic_t sig_stop_requested = 0;

/* The mask to sleep with, saved by sig_setup_stop for sig_sleep: signal state, set
 * once at start-up. */
static sigset_t sleep_mask;
#define SIG_POLL_SLICE_MS 200
static int have_sleep_mask;

/* Async-signal-safe: one store to a sig_atomic_t, nothing else. */
static void on_stop_signal(int signo)
{
    sig_stop_requested = signo;
}

int sig_setup_stop(sigset_t *wait_mask)
{
    struct sigaction sa;
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: a blocked call should return and let the loop look at the flag. */
    sa.sa_flags = 0;
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
        return -1;

    struct sigaction ignore;
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    ignore.sa_flags = 0;
    if (sigaction(SIGPIPE, &ignore, NULL) < 0)
        return -1;

    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &stop_signals, wait_mask) < 0)
        return -1;
    sigdelset(wait_mask, SIGINT);
    sigdelset(wait_mask, SIGTERM);
    sleep_mask = *wait_mask;
    have_sleep_mask = 1;
    return 0;
}

int sig_reset_for_child(void)
{
    struct sigaction sa;
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0 ||
        sigaction(SIGCHLD, &sa, NULL) < 0)
        return -1;
    have_sleep_mask = 0; /* nothing blocked any more: plain poll() will do */
    sigset_t none;
    sigemptyset(&none);
    return sigprocmask(SIG_SETMASK, &none, NULL);
}

/* pselect() on one descriptor. It installs wait_mask (stop signals unblocked) only
 * while it sleeps, so a signal is either handled before it starts sleeping or wakes
 * it with EINTR: never lost in between. */
static int pselect_one(int fd, int for_write, const sigset_t *wait_mask, int timeout_ms)
{
    if (fd < 0 || fd >= FD_SETSIZE) { /* FD_SET past FD_SETSIZE writes out of bounds */
        errno = EINVAL;
        return -1;
    }
    fd_set set;
    FD_ZERO(&set);
    FD_SET(fd, &set);
    struct timespec timeout = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
    return pselect(fd + 1, for_write ? NULL : &set, for_write ? &set : NULL, NULL,
                   timeout_ms >= 0 ? &timeout : NULL, wait_mask);
}

int sig_wait_readable(int fd, const sigset_t *wait_mask, int timeout_ms)
{
    if (sig_stop_requested)
        return 0;
    int rc = pselect_one(fd, 0, wait_mask, timeout_ms);
    if (rc < 0 && errno == EINTR)
        return 0;
    return rc;
}

int sig_sleep(int fd, int for_write, int timeout_ms)
{
    if (have_sleep_mask && fd < FD_SETSIZE)
        return pselect_one(fd, for_write, &sleep_mask, timeout_ms);
    struct pollfd pfd = {.fd = fd, .events = for_write ? POLLOUT : POLLIN};
    if (!have_sleep_mask) /* no stop signals blocked (a client): they interrupt poll() */
        return poll(&pfd, 1, timeout_ms);
    /* A descriptor past FD_SETSIZE, which pselect() cannot watch: poll() in short
     * slices, letting pending signals in between them, so a stop still ends the wait
     * within SIG_POLL_SLICE_MS. */
    int slice =
        timeout_ms < 0 || timeout_ms > SIG_POLL_SLICE_MS ? SIG_POLL_SLICE_MS : timeout_ms;
    int rc = poll(&pfd, 1, slice);
    if (rc != 0)
        return rc;
    sigset_t blocked;
    if (sigprocmask(SIG_SETMASK, &sleep_mask, &blocked) < 0 ||
        sigprocmask(SIG_SETMASK, &blocked, NULL) < 0)
        return -1;
    if (sig_stop_requested || slice != timeout_ms) {
        errno = EINTR; /* a stop, or only a slice of the wait: the caller decides */
        return -1;
    }
    return 0;
}
