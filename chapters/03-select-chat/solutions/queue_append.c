/* Reference answer to exercise 3.4: queue_append(), as chatd itself runs it, from
 * ../queue.c.
 *
 * There is one implementation, the server's, compiled right here: queue.c needs
 * nothing but the C library, so this file also builds if you copy it into
 * exercises/ (from there, "../queue.c" is still the server's file).
 */
#include "exercises.h"

#include "../queue.c"
