/* exercises.h: chapter 4's homework. The arithmetic behind the measurements, and the
 * probe that takes them.
 *
 * Each exercise is one function in its own file in this folder. Open the file,
 * replace the TODO with your code, and run `make homework CH=4` from the top of the
 * project (or `make homework EX=4.1` for one exercise, with every detail). The tests
 * are in tests/04-comparison/homework/; reference answers are in ../solutions/ (try
 * first!). Your files are compiled on their own, with only the C library. Exercise
 * 4.1's tests start the chapter 1, 2 and 3 servers: build them first with `make`.
 *
 * A function that still returns EXERCISE_NOT_STARTED is reported as "not started".
 */
#ifndef EXERCISES_H
#define EXERCISES_H

#include <stddef.h>

#define EXERCISE_NOT_STARTED (-999)

/* Exercise 4.1: round_trip() in exercises/round_trip.c
 * Read: book/04-comparison.md, section "Experiment 1: the same round trip, three ways"
 *
 * The probe behind compare's first experiment: one exchange with a server, timed the
 * way compare times chapter 1's. Connect to host:port over TCP (getaddrinfo(),
 * socket(), connect(): try each address until one connects), write all
 * request_length bytes of request, then read the reply until the server closes the
 * connection (read() returns 0), and close. The reply may come in any number of
 * pieces, far apart: only the close says it is complete. Store its first reply_size
 * bytes in reply (no NUL added) and count the rest without storing them. Set
 * *elapsed_ms to the time from just before connect() to the server's close, from
 * clock_gettime(CLOCK_MONOTONIC) (not time(): whole seconds; not gettimeofday(): the
 * wall clock may jump). Return the reply's length in bytes, all of it (also what did
 * not fit in reply); or -1 when the name does not resolve, the connection is refused,
 * or a write or read fails (and *elapsed_ms is then left alone).
 * Every server in this project closes after a reply when asked to:
 *   chapter 1   "GET /hello.txt HTTP/1.0\r\n\r\n"                 (after any request)
 *   chapter 2   "GET /hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
 *   chapter 3   "/who\n/quit\n"          (the reply: the welcome, the list, "* bye")
 * (The stub returns EXERCISE_NOT_STARTED.)
 */
long round_trip(const char *host, const char *port, const void *request,
                size_t request_length, char *reply, size_t reply_size,
                double *elapsed_ms);

/* Exercise 4.2: percentile() in exercises/percentile.c
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

/* Exercise 4.4: poll_delay_ms() in exercises/poll_delay_ms.c
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

#endif
