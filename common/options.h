/* options.h: checking numbers given on the command line.
 *
 * atoi("8o01") is 8 and atoi("") is 0: a typo becomes a different port without a
 * word. strtol() with its end pointer checked catches both.
 */
#ifndef OPTIONS_H
#define OPTIONS_H

/* Parse text as a whole decimal number in [min, max]. Returns 0 with *out set, or -1
 * (empty, trailing characters, out of range). */
int option_number(const char *text, long min, long max, long *out);

#endif
