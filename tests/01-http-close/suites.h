/* suites.h: chapter 1's suites. */
#ifndef SUITES_H
#define SUITES_H

#include <check.h>

Suite *httpd_suite(void);   /* the server, over real sockets */
Suite *get_suite(void);     /* the client, against the real server */
Suite *hostile_suite(void); /* the server against slowloris and connection storms */

#endif
