/* options.h: reading numbers from the command line, and from text we parse.
 *
 * atoi("8o01") is 8 and atoi("") is 0: a typo becomes a different port without a
 * word. sscanf("%ld") is no better: a number too big for a long is undefined
 * behaviour. strtoll() with its end pointer and errno checked catches all three.
 */
#ifndef OPTIONS_H
#define OPTIONS_H

/* Parse text as a whole decimal number in [min, max]. Returns 0 with *out set, or -1
 * (empty, trailing characters, out of range). */
int option_number(const char *text, long min, long max, long *out);

/* Read the decimal number at *cursor and move *cursor just past its last digit; what
 * follows is the caller's to check. Spaces and tabs before it are skipped; then it
 * must be digits, with an optional '-' before them (no '+'). For text with several
 * numbers: "event 17 123456". Returns 0 with *out set, or -1 (no number there, or
 * out of the range of a long long) leaving *cursor and *out alone. errno is kept. */
int option_scan_number(const char **cursor, long long *out);

#endif
