/* suites.h: the unit-test suites for common/, one per module. */
#ifndef SUITES_H
#define SUITES_H

#include <check.h>

Suite *net_suite(void);
Suite *io_suite(void);
Suite *http_suite(void);
Suite *log_suite(void);
Suite *options_suite(void);
Suite *reply_suite(void);
Suite *sha1_base64_suite(void); /* SHA-1 and base64, for the WebSocket handshake */
Suite *regressions_suite(void); /* the fuzz corpus, and the bugs it found */

#endif
