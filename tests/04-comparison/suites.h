/* suites.h: chapter 4's suites, and what they share. */
#ifndef SUITES_H
#define SUITES_H

#include "harness.h"

#include <check.h>
#include <stddef.h>

#define CH4_DIR PROJECT_ROOT "/chapters/04-comparison"
#define COMPARE CH4_DIR "/compare"

Suite *stats_suite(void);    /* statistics and the TCP model, as unit tests */
Suite *xml_suite(void);      /* the small XML checker the compare suite relies on */
Suite *compare_suite(void);  /* compare itself, against the real servers */
Suite *segments_suite(void); /* its copy of Linux's struct tcp_info */

/* Is text[0..length) well-formed XML as far as an SVG file needs: one root element,
 * tags balanced and properly nested, attributes quoted, no bare '<' or '&' in text?
 * Returns 1, or 0 with the reason (and the byte offset) in why. */
int xml_well_formed(const char *text, size_t length, char *why, size_t why_size);

#endif
