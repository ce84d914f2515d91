/* sig.h: stopping a server cleanly on Ctrl-C (SIGINT) or `kill` (SIGTERM).
 *
 * A signal can arrive at any instant, so its handler only sets a flag; the main
 * loop checks the flag at a moment of its choosing. The trap is the gap between
 * checking the flag and going to sleep in accept() or select(): a signal landing in
 * that gap would be noticed only when the next client arrives. The cure is to block
 * the two signals all the time, and to unblock them only inside pselect(), which
 * does both at once. sig_setup_stop() prepares exactly that; sig_wait_readable()
 * is the sleep.
 *
 * It also ignores SIGPIPE: writing to a peer that has gone away must fail with
 * EPIPE for that one connection, not kill the whole server.
 */
#ifndef SIG_H
#define SIG_H

#include <signal.h>
#include <sys/select.h>

/* Set by the handler when SIGINT or SIGTERM arrives: the signal number, else 0. */
extern volatile sig_atomic_t sig_stop_requested;

/* Install the handlers, ignore SIGPIPE, block SIGINT and SIGTERM, and store in
 * *wait_mask the signal mask to use while sleeping (the old mask, with the two
 * unblocked). Returns 0 or -1. */
int sig_setup_stop(sigset_t *wait_mask);

/* For a forked worker process: SIGINT, SIGTERM and SIGCHLD back to their defaults
 * (so the parent can end it with SIGTERM at once) and nothing blocked. SIGPIPE stays
 * ignored: the worker writes to a client that may vanish. Returns 0 or -1. */
int sig_reset_for_child(void);

/* Sleep until fd is readable or a stop signal arrives (or timeout_ms passes, if
 * >= 0). Returns 1 readable, 0 stopped or timed out (check sig_stop_requested), -1
 * on error. */
int sig_wait_readable(int fd, const sigset_t *wait_mask, int timeout_ms);

/* One sleep until fd is readable (for_write == 0) or writable, for at most
 * timeout_ms (< 0: no limit). In a process that called sig_setup_stop it sleeps in
 * pselect() with the saved wait mask, so a stop signal sent at any moment wakes it
 * (for a descriptor past FD_SETSIZE, in poll() slices of at most 200 ms with the
 * signals let in between); elsewhere (a client), in poll(). Returns >0 ready, 0 timed
 * out, -1 with errno (EINTR: a signal came, or a slice ended; look at
 * sig_stop_requested and wait again for what is left). io_wait() in io.c builds its waits
 * on this, which is how a server busy with one slow client still stops at once on Ctrl-C.
 */
int sig_sleep(int fd, int for_write, int timeout_ms);

#endif
