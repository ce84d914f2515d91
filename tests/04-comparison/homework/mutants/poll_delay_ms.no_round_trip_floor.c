/* Mistake: half the interval plus one trip, whatever the interval, forgetting that a
 * client waits for each answer before it asks again: an interval shorter than a
 * round trip cannot make the delay shorter than the round trip allows. */
#include "exercises.h"

double poll_delay_ms(double interval_ms, double one_way_ms)
{
    return interval_ms / 2 + one_way_ms;
}
