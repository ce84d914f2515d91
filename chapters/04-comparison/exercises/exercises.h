/* exercises.h: chapter 4's homework. The arithmetic behind the measurements.
 *
 * Each exercise is one function in its own file in this folder. Open the file,
 * replace the TODO with your code, and run `make homework CH=4` from the top of the
 * project (or `make homework EX=4.2` for one exercise, with every detail). The tests
 * are in tests/04-comparison/homework/; reference answers are in ../solutions/ (try
 * first!). Your files are compiled on their own, with only the C library.
 *
 * A function that still returns EXERCISE_NOT_STARTED is reported as "not started".
 */
#ifndef EXERCISES_H
#define EXERCISES_H

#include <stddef.h>

#define EXERCISE_NOT_STARTED (-999)

/* Exercise 4.1: percentile() in exercises/percentile.c
 * Read: book/04-comparison.md, section "Percentiles, not just the mean"
 *
 * sorted[0 .. count-1] holds measurements in ascending order. Store in *out their
 * p-th percentile by the nearest-rank method: the value at rank ceil(p/100 * count),
 * counting ranks from 1, and rank 1 when p is 0. Return 0; or -1, leaving *out
 * alone, when count is 0 or p is not within [0, 100] (a NaN p included).
 *   {15, 20, 35, 40, 50}: p=30 -> 20 (rank ceil(1.5) = 2), p=50 -> 35, p=100 -> 50
 * (compare uses the same rule: stats_percentile() in tool/stats.c.)
 */
int percentile(const double *sorted, size_t count, double p, double *out);

/* Exercise 4.2: poll_delay_ms() in exercises/poll_delay_ms.c
 * Read: book/04-comparison.md, section "Experiment 2: push against polling"
 *
 * Events happen at random moments; a client polls every interval_ms, and a message
 * takes one_way_ms to cross the network in either direction. Return the expected
 * (mean) delay from an event to the client learning of it: on average the event
 * waits half an interval until a poll reaches the server, then the answer takes one
 * one-way trip back. But a client waits for each answer before it asks again, so it
 * cannot poll more often than once per round trip (2 * one_way_ms): a shorter
 * interval behaves like a round trip.
 *   poll_delay_ms(1000, 0) -> 500;  poll_delay_ms(200, 25) -> 125;
 *   poll_delay_ms(0, 25) -> 50
 */
double poll_delay_ms(double interval_ms, double one_way_ms);

/* Exercise 4.3: exchange_segments() in exercises/exchange_segments.c
 * Read: book/04-comparison.md, section "Bytes on the wire"
 *
 * Estimate the TCP segments one request/response exchange puts on the wire, both
 * directions together: each message of n bytes travels in ceil(n / mss) data
 * segments (none for 0 bytes); every data segment is acknowledged by one ACK segment
 * of its own; and when new_connection is 1, add the three-way handshake (3
 * segments) and the close (4 segments). Return the count (-1 if mss is 0).
 *   exchange_segments(50, 300, 0, 1448) -> 4;  (50, 300, 1, 1448) -> 11;
 *   exchange_segments(50, 3000, 1, 1448) -> 15
 * This is a model, an upper bound: compare prints it as "TCP segments per exchange,
 * model", beside the kernel's own count on Linux (10 and 2 where the model says 11
 * and 4, since real ACKs ride along with data when they can).
 */
long exchange_segments(size_t request_bytes, size_t response_bytes, int new_connection,
                       size_t mss);

/* Exercise 4.4: transcript_bytes() in exercises/transcript_bytes.c
 * Read: book/04-comparison.md, section "Bytes on the wire"
 *
 * Every program in this project prints a wire trace with -v: one line per line of
 * traffic, "[fd 4] >>> " for bytes sent or "[fd 4] <<< " for bytes received, then the
 * bytes with these escapes: \r \n \t \\ for CR, LF, tab and backslash, \xHH (two
 * upper- or lower-case hex digits) for any other byte. Given such a transcript
 * (NUL-terminated; lines end with '\n', the last one may not; empty lines are
 * skipped), add up the real bytes each way into *sent and *received (both start at
 * 0) and return 0. Return -1 for a line that is not a trace line or holds a broken
 * escape (a backslash followed by anything else).
 *   [fd 3] >>> GET / HTTP/1.0\r\n
 *   [fd 3] >>> \r\n
 *   [fd 3] <<< HTTP/1.0 200 OK\r\n
 *     -> sent 18 (14 + CR LF, then CR LF), received 17
 * (in C source that transcript is "[fd 3] >>> GET / HTTP/1.0\\r\\n\n[fd 3] ...":
 * the trace holds a backslash and an 'r', where the wire held one CR byte)
 */
int transcript_bytes(const char *transcript, long *sent, long *received);

#endif
