/* Reference answer to exercise 4.4: model_poll_delay_ms() in tool/model.c, the formula
 * compare prints as "expected mean delay, model". */
#include "exercises.h"

/* The tool's own code, compiled in here: the answer is the code compare runs. */
#include "../tool/model.c" // NOLINT(bugprone-suspicious-include)

double poll_delay_ms(double interval_ms, double one_way_ms)
{
    return model_poll_delay_ms(interval_ms, one_way_ms);
}
