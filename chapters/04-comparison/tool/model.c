/* tool/model.c: the tool around chapter 4's lesson, not the lesson. See model.h.
 * Only the C library: the homework's answers #include this. */
#include "model.h"

long model_data_segments(size_t bytes, size_t mss)
{
    if (mss == 0)
        return -1;
    return (long)((bytes + mss - 1) / mss);
}

long model_exchange_segments(size_t request_bytes, size_t response_bytes,
                             int new_connection, size_t mss)
{
    if (mss == 0)
        return -1;
    long data = model_data_segments(request_bytes, mss) +
                model_data_segments(response_bytes, mss);
    long acks = data; /* one ACK per data segment: the upper bound */
    long connection = new_connection ? TCP_HANDSHAKE_SEGMENTS + TCP_CLOSE_SEGMENTS : 0;
    return data + acks + connection;
}

/* A fractional message size (an average over many exchanges) still needs whole
 * segments: round it up to whole bytes first. */
static size_t whole_bytes(double bytes)
{
    size_t whole = (size_t)bytes;
    return (double)whole < bytes ? whole + 1 : whole;
}

double model_run_segments(long exchanges, long connections, double request_bytes,
                          double response_bytes, size_t mss)
{
    long per_exchange = model_exchange_segments(whole_bytes(request_bytes),
                                                whole_bytes(response_bytes), 0, mss);
    return (double)exchanges * (double)per_exchange +
           (double)connections * (TCP_HANDSHAKE_SEGMENTS + TCP_CLOSE_SEGMENTS);
}

double model_header_bytes(double segments, double connections)
{
    return segments * TCP_IP_HEADER_BYTES + connections * 2 * TCP_SYN_EXTRA_BYTES;
}

double model_poll_delay_ms(double interval_ms, double one_way_ms)
{
    double round_trip = 2 * one_way_ms;
    double effective = interval_ms > round_trip ? interval_ms : round_trip;
    return effective / 2 + one_way_ms;
}
