/* Reference answer to exercise 3.3: nick_is_valid(), as chatd itself runs it, from
 * ../commands.c.
 *
 * There is one implementation, the server's, compiled right here: commands.c needs
 * nothing but the C library, so this file also builds if you copy it into
 * exercises/ (from there, "../commands.c" is still the server's file).
 */
#include "exercises.h"

#include "../commands.c"
