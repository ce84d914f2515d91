/* stage_main.c: the main() of a chapter's stage program (tests/build/stages_NN-...),
 * built from tests/NN-.../stages/, whose files define add_stages().
 *
 * It tests the program named in STAGE_PROGRAM. CK_RUN_CASE=1.s3 (Check's own
 * variable) runs one stage. With HOMEWORK_VERIFY=1 the verdict is inverted: success
 * means every stage failed, which is what the shipped skeleton must do (make
 * homework-verify), so that no stage passes by doing nothing.
 */
#include "stage.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Did every stage (TCase) that ran have at least one failed test? Names those that
 * did not. */
static int every_stage_failed(SRunner *runner)
{
    TestResult **results = srunner_results(runner);
    int count = srunner_ntests_run(runner);
    int all_failed = 1;
    for (int i = 0; i < count; i++) {
        const char *stage = tr_tcname(results[i]);
        int failed = 0;
        for (int j = 0; j < count; j++)
            if (strcmp(tr_tcname(results[j]), stage) == 0 &&
                tr_rtype(results[j]) != CK_PASS)
                failed = 1;
        if (!failed && (i == 0 || strcmp(tr_tcname(results[i - 1]), stage) != 0)) {
            printf("stage %s passes against the shipped skeleton\n", stage);
            all_failed = 0;
        }
    }
    free(results);
    return all_failed;
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    Suite *suite = suite_create("stages");
    add_stages(suite);
    SRunner *runner = srunner_create(suite);
    srunner_set_fork_status(runner, CK_FORK); /* a crash or hang ends one test, not us */
    srunner_run_all(runner, CK_ENV);
    int run = srunner_ntests_run(runner);
    int failed = srunner_ntests_failed(runner);
    int ok = getenv("HOMEWORK_VERIFY") != NULL ? run > 0 && every_stage_failed(runner)
                                               : run > 0 && failed == 0;
    srunner_free(runner);
    return ok ? 0 : 1;
}
