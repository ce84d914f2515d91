/* suites.h: chapter 2's suites. */
#ifndef SUITES_H
#define SUITES_H

#include <check.h>

/* Where chapter 2's programs are built (PROJECT_ROOT comes from tests/Makefile). */
#ifndef CH2_DIR
#define CH2_DIR PROJECT_ROOT "/chapters/02-keep-alive"
#endif

Suite *httpd_suite(void);   /* the keep-alive server, over real sockets */
Suite *get_suite(void);     /* the many-URLs client, against the real server */
Suite *hostile_suite(void); /* slowloris, connection storms, request smuggling */

#endif
