/* Mistake: adds a whole round trip after the wait, though the request is already at
 * the server when the event happens there: only the answer's one-way trip is left. */
#include "exercises.h"

double poll_delay_ms(double interval_ms, double one_way_ms)
{
    double round_trip = 2 * one_way_ms;
    double effective = interval_ms > round_trip ? interval_ms : round_trip;
    return effective / 2 + round_trip;
}
