/* tool/svg.h: the tool around chapter 4's lesson, not the lesson.
 * The results drawn as a chart in an SVG file (see svg.c).
 */
#ifndef SVG_H
#define SVG_H

#include "report.h"

/* Write the chart of report to path. Returns 0, or -1 with errno. */
int svg_write(const char *path, const struct report *report);

#endif
