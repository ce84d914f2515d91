/* check_common.c: runs the unit tests of every common/ module. */
#include "harness.h"
#include "suites.h"

int main(void)
{
    Suite *suites[] = {net_suite(),         io_suite(),         http_suite(),
                       log_suite(),         options_suite(),    reply_suite(),
                       sha1_base64_suite(), regressions_suite()};
    return run_suites(suites, sizeof suites / sizeof suites[0]);
}
