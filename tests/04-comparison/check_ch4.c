/* check_ch4.c: runs chapter 4's suites. */
#include "harness.h"
#include "suites.h"

int main(void)
{
    Suite *suites[] = {stats_suite(), xml_suite(), segments_suite(), compare_suite()};
    return run_suites(suites, sizeof suites / sizeof suites[0]);
}
