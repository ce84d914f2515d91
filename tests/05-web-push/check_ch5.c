/* check_ch5.c: runs chapter 5's suites. */
#include "harness.h"
#include "suites.h"

int main(void)
{
    Suite *suites[] = {pushd_http_suite(),     pushd_room_suite(), pushd_ws_suite(),
                       pushd_sessions_suite(), websocket_suite(),  bridge_suite(),
                       webchat_suite(),        browser_suite(),    interop_suite()};
    return run_suites(suites, sizeof suites / sizeof suites[0]);
}
