/* Reference answer to exercise 4.2: model_poll_delay_ms() in model.c, the formula
 * compare prints as "expected mean delay". */
#include "exercises.h"

#include "../model.c"

double poll_delay_ms(double interval_ms, double one_way_ms)
{
    return model_poll_delay_ms(interval_ms, one_way_ms);
}
