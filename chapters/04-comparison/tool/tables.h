/* tool/tables.h: the tool around chapter 4's lesson, not the lesson.
 * The experiments' results (compare.h) turned into report tables: a column per style
 * or client, a row per quantity, the notes that say how each was measured, and the
 * model's figures (model.h) beside the measured ones, labelled "model".
 */
#ifndef TABLES_H
#define TABLES_H

#include "report.h"
#include "run.h"

/* A table for every experiment the run made (summing up a sample sorts it). */
void tables_fill(struct report *report, struct run *r);

#endif
