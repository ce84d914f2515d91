/* Reference answer to exercise 4.3: model_exchange_segments() in tool/model.c, which
 * compare's segment model is built on. */
#include "exercises.h"

/* The tool's own code, compiled in here: the answer is the code compare runs. */
#include "../tool/model.c" // NOLINT(bugprone-suspicious-include)

long exchange_segments(size_t request_bytes, size_t response_bytes, int new_connection,
                       size_t mss)
{
    return model_exchange_segments(request_bytes, response_bytes, new_connection, mss);
}
