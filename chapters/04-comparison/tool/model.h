/* tool/model.h: the tool around chapter 4's lesson, not the lesson.
 * The arithmetic compare falls back on for what it cannot count.
 *
 * A program sees the bytes it writes and reads, not the TCP segments that carry them,
 * nor the IP and TCP headers on each. On Linux, compare asks the kernel how many
 * segments each connection took (conn_segments() in conn.c); elsewhere it has only
 * this model, and every figure that comes from it is labelled "model". The header
 * bytes are always a model, and so is everything about a real link (loopback has no
 * real round-trip time and a 64 KiB MTU): the book does that arithmetic for a 50 ms
 * round trip.
 *
 * The model of one exchange (a request and its answer):
 *   - each message travels in ceil(bytes / MSS) data segments;
 *   - each data segment is acknowledged by a segment of its own (an upper bound:
 *     delayed ACKs often ride along with the answer or the next request);
 *   - a new connection adds the three-way handshake (SYN, SYN+ACK, ACK) and the
 *     four-segment close (FIN, ACK, FIN, ACK).
 *
 * Only the C library: the homework's reference answers #include this file.
 */
#ifndef MODEL_H
#define MODEL_H

#include <stddef.h>

#define TCP_HANDSHAKE_SEGMENTS 3
#define TCP_CLOSE_SEGMENTS     4

/* Bytes of header on a segment of an open connection: IPv4 (20) + TCP (20), plus the
 * 12-byte timestamp option that Linux and macOS use by default (10 bytes and two
 * NOPs). Without timestamps it would be 40. Link-layer framing (Ethernet adds 38
 * more on the wire) is not counted. */
#define TCP_IP_HEADER_BYTES 52

/* The SYN and the SYN+ACK carry more options: MSS (4), SACK permitted (2), timestamps
 * (10), a NOP and window scale (3): 20 bytes, so 60 bytes of headers, 8 more than the
 * rest. (tcpdump -v on Linux's loopback shows "length 60" for both.) */
#define TCP_SYN_EXTRA_BYTES 8

/* Payload per segment on an Ethernet link: MTU 1500 - 40 bytes of headers - 12 of
 * timestamps. (Loopback's MTU is 65536, but the model is for a real network.) */
#define ETHERNET_MSS 1448

/* Data segments for a message of `bytes` bytes: ceil(bytes / mss); 0 for 0 bytes. */
long model_data_segments(size_t bytes, size_t mss);

/* Segments of one exchange, both directions, ACKs included, plus the handshake and the
 * close when new_connection is 1. */
long model_exchange_segments(size_t request_bytes, size_t response_bytes,
                             int new_connection, size_t mss);

/* Segments for `exchanges` exchanges of the given average sizes that used `connections`
 * connections: every exchange's data and ACKs, plus a handshake and a close for each
 * connection. For a new connection per request (connections == exchanges) that is
 * exchanges * model_exchange_segments(..., 1, mss). */
double model_run_segments(long exchanges, long connections, double request_bytes,
                          double response_bytes, size_t mss);

/* The TCP/IP header bytes of `segments` segments on `connections` connections: 52 on
 * each, and 8 more on each connection's SYN and SYN+ACK. */
double model_header_bytes(double segments, double connections);

/* The expected delay from an event, at a random moment, to a polling client learning
 * of it: the client asks every interval_ms, so the event waits half an interval on
 * average for the server to read it, then the answer takes one one-way trip to arrive.
 * A client cannot ask more often than one round trip (2 * one_way_ms) allows, since it
 * waits for each answer before asking again. */
double model_poll_delay_ms(double interval_ms, double one_way_ms);

#endif
