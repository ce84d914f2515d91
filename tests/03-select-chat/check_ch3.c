/* check_ch3.c: runs chapter 3's suites. */
#include "harness.h"
#include "suites.h"

int main(void)
{
    Suite *suites[] = {chatd_suite(), chat_suite(), hostile_suite()};
    return run_suites(suites, sizeof suites / sizeof suites[0]);
}
