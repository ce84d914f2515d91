/* homework.c: see homework.h. */
#include "homework.h"

#define HW_TIMEOUT_SECONDS 5

TCase *hw_tcase(const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_set_tags(tc, "homework");
    tcase_set_timeout(tc, HW_TIMEOUT_SECONDS);
    return tc;
}
