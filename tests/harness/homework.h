/* homework.h: helpers for the homework tests (tests/NN-.../homework/hw_*.c).
 *
 * Each exercise's stub returns a "not started" value. Every homework test first
 * checks for it with hw_require_started(), so that `make homework` can say "not
 * started" instead of showing a list of wrong answers.
 */
#ifndef HOMEWORK_H
#define HOMEWORK_H

#include <check.h>

/* The message prefix the homework runner looks for. */
#define HW_NOT_STARTED_MESSAGE "not started"

/* Fail the test with "not started: FUNCTION() still returns its TODO value" unless
 * started is true. */
#define hw_require_started(started, function)                                            \
    ck_assert_msg((started),                                                             \
                  HW_NOT_STARTED_MESSAGE ": %s() still returns its TODO value",          \
                  (function))

/* A TCase for an exercise: named like the exercise, tagged "homework", with a time
 * limit short enough that a stub which loops forever is reported as hung quickly. */
TCase *hw_tcase(const char *name);

#endif
