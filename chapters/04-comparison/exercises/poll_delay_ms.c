/* Exercise 4.4: see exercises.h and book/04-comparison.md, "Push against polling". */
#include "exercises.h"

double poll_delay_ms(double interval_ms, double one_way_ms)
{
    /* TODO: half the effective interval (never shorter than a round trip), plus one
     * one-way trip. Delete these lines and write your own. */
    (void)interval_ms;
    (void)one_way_ms;
    return EXERCISE_NOT_STARTED;
}
