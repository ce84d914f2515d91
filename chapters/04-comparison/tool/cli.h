/* tool/cli.h: the tool around chapter 4's lesson, not the lesson.
 * compare's command line.
 */
#ifndef CLI_H
#define CLI_H

#include "run.h"

/* Fill o from the command line, with the defaults (or --quick's) for what it leaves
 * unset. Returns -1 to go on, or the exit status for main(): 0 after -h, 2 after a
 * bad option or value (with a message on stderr). */
int cli_parse_options(int argc, char **argv, struct options *o);

#endif
