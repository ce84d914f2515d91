/* Mistake: takes the whole interval as the wait, the worst case, instead of the
 * mean: an event at a random moment waits half an interval on average. */
#include "exercises.h"

double poll_delay_ms(double interval_ms, double one_way_ms)
{
    double round_trip = 2 * one_way_ms;
    double effective = interval_ms > round_trip ? interval_ms : round_trip;
    return effective + one_way_ms;
}
