/* homework_main.c: the main() of a one-exercise test program, built by
 * tests/homework.sh from the learner's file (or a stub) and that exercise's tests.
 *
 * EXERCISE_TCASE names the function that builds the exercise's TCase. With
 * HOMEWORK_VERIFY=1 in the environment it inverts the verdict: success means every
 * test failed, which is what the stubs as shipped must do (make homework-verify).
 */
#include "homework.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef EXERCISE_TCASE
#error "EXERCISE_TCASE must name the exercise's TCase function"
#endif

TCase *EXERCISE_TCASE(void);

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    Suite *suite = suite_create("homework");
    suite_add_tcase(suite, EXERCISE_TCASE());
    SRunner *runner = srunner_create(suite);
    srunner_set_fork_status(runner, CK_FORK); /* a crash or hang ends one test, not us */
    srunner_run_all(runner, CK_ENV);          /* CK_VERBOSITY=verbose shows every test */
    int run = srunner_ntests_run(runner);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    if (getenv("HOMEWORK_VERIFY") != NULL)
        return (run > 0 && failed == run) ? 0 : 1;
    return (run > 0 && failed == 0) ? 0 : 1;
}
