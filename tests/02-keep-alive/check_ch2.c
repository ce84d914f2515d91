/* check_ch2.c: runs chapter 2's suites. */
#include "harness.h"
#include "suites.h"

int main(void)
{
    Suite *suites[] = {httpd_suite(), get_suite(), hostile_suite()};
    return run_suites(suites, sizeof suites / sizeof suites[0]);
}
