/* Homework 2.4: parse_http_date(). */
#include "exercises.h"
#include "homework.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int parse(const char *text, time_t *out)
{
    *out = (time_t)-12345;
    int rc = parse_http_date(text, out);
    hw_require_started(rc != EXERCISE_NOT_STARTED, "parse_http_date");
    return rc;
}

static void expect_time(const char *text, long long want)
{
    time_t got;
    int rc = parse(text, &got);
    ck_assert_msg(rc == 0, "parse_http_date(\"%s\") returned %d, expected 0", text, rc);
    ck_assert_msg((long long)got == want,
                  "parse_http_date(\"%s\") set %lld, expected %lld", text, (long long)got,
                  want);
}

static void reject(const char *text)
{
    time_t got;
    int rc = parse(text, &got);
    ck_assert_msg(rc == -1, "parse_http_date(\"%s\") returned %d, expected -1", text, rc);
}

START_TEST(parses_the_epoch)
{
    expect_time("Thu, 01 Jan 1970 00:00:00 GMT", 0);
    expect_time("Thu, 01 Jan 1970 00:00:01 GMT", 1);
    expect_time("Fri, 02 Jan 1970 00:00:00 GMT", 86400);
}
END_TEST

START_TEST(parses_the_rfc_example)
{
    expect_time("Sun, 06 Nov 1994 08:49:37 GMT", 784111777);
}
END_TEST

START_TEST(counts_leap_days)
{
    expect_time("Fri, 31 Dec 1999 23:59:59 GMT", 946684799);
    expect_time("Sat, 01 Jan 2000 00:00:00 GMT", 946684800);
    expect_time("Tue, 29 Feb 2000 00:00:00 GMT", 951782400); /* 2000: divisible by 400 */
    expect_time("Thu, 29 Feb 2024 12:00:00 GMT", 1709208000);
    expect_time("Sun, 01 Mar 2020 00:00:00 GMT", 1583020800);
    expect_time("Tue, 28 Feb 2023 23:59:59 GMT", 1677628799);
    expect_time("Wed, 01 Mar 2023 00:00:00 GMT", 1677628800);
}
END_TEST

START_TEST(rejects_29_february_of_common_years)
{
    reject("Wed, 29 Feb 2023 00:00:00 GMT"); /* 2023: not divisible by 4 */
    reject("Thu, 29 Feb 1900 00:00:00 GMT"); /* 1900: a century (and before 1970) */
    reject("Mon, 29 Feb 2100 00:00:00 GMT"); /* 2100: a century, not divisible by 400 */
    reject("Tue, 30 Feb 2024 00:00:00 GMT");
}
END_TEST

START_TEST(parses_dates_after_2038)
{
    if (sizeof(time_t) < 8)
        return; /* a 32-bit time_t cannot hold them */
    expect_time("Tue, 19 Jan 2038 03:14:08 GMT", 2147483648LL);
    expect_time("Sun, 28 Feb 2100 00:00:00 GMT", 4107456000LL);
    expect_time("Mon, 01 Mar 2100 00:00:00 GMT", 4107542400LL); /* no 29 Feb in 2100 */
    expect_time("Fri, 31 Dec 9999 23:59:59 GMT", 253402300799LL);
}
END_TEST

/* Every day from 1970 to 2099 at a time of day that changes too: the answer must agree
 * with gmtime(), which turns seconds back into a date. */
START_TEST(agrees_with_gmtime_for_every_day)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    long long last = sizeof(time_t) < 8 ? 2147483647LL : 4102444799LL;
    for (long long t = 0; t <= last; t += 86400 + 3607) {
        time_t when = (time_t)t;
        struct tm tm;
        ck_assert(gmtime_r(&when, &tm) != NULL);
        char text[64];
        snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                 days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
                 tm.tm_hour, tm.tm_min, tm.tm_sec);
        expect_time(text, t);
    }
}
END_TEST

START_TEST(rejects_a_wrong_weekday)
{
    reject("Mon, 06 Nov 1994 08:49:37 GMT");
    reject("Sat, 06 Nov 1994 08:49:37 GMT");
    reject("Fri, 01 Jan 1970 00:00:00 GMT");
    reject("Xyz, 06 Nov 1994 08:49:37 GMT");
}
END_TEST

START_TEST(rejects_wrong_names)
{
    reject("Sun, 06 Nox 1994 08:49:37 GMT");
    reject("Sun, 06 nov 1994 08:49:37 GMT"); /* names are case-sensitive */
    reject("sun, 06 Nov 1994 08:49:37 GMT");
    reject("SUN, 06 NOV 1994 08:49:37 GMT");
}
END_TEST

START_TEST(rejects_other_formats)
{
    reject("Sunday, 06-Nov-94 08:49:37 GMT"); /* RFC 850, obsolete */
    reject("Sun Nov  6 08:49:37 1994");       /* asctime(), obsolete */
    reject("1994-11-06T08:49:37Z");           /* ISO 8601 */
    reject("784111777");
    reject("");
}
END_TEST

START_TEST(requires_gmt)
{
    reject("Sun, 06 Nov 1994 08:49:37 UTC");
    reject("Sun, 06 Nov 1994 08:49:37 gmt");
    reject("Sun, 06 Nov 1994 08:49:37 +0000");
    reject("Sun, 06 Nov 1994 08:49:37");
    reject("Sun, 06 Nov 1994 08:49:37 ");
    reject("Sun, 06 Nov 1994 08:49:37 GMTX");
    reject("Sun, 06 Nov 1994 08:49:37 GMT ");
}
END_TEST

START_TEST(rejects_misplaced_characters)
{
    reject("Sun, 6 Nov 1994 08:49:37 GMT");   /* the day has two digits */
    reject("Sun 06 Nov 1994 08:49:37 GMT");   /* no comma */
    reject("Sun,  06 Nov 1994 08:49:37 GMT"); /* two spaces */
    reject("Sun, 06 Nov 94 08:49:37 GMT");    /* a two-digit year */
    reject("Sun, 06 Nov 1994 8:49:37 GMT");   /* a one-digit hour */
    reject("Sun, 06 Nov 1994 08.49.37 GMT");  /* dots for colons */
    reject("Sun, 06 Nov 1994 08:49:3x GMT");  /* a letter for a digit */
    reject("Sun, 0x Nov 1994 08:49:37 GMT");
    reject("Sun, 06 Nov 19x4 08:49:37 GMT");
    reject(" Sun, 06 Nov 1994 08:49:37 GMT");  /* a space before */
    reject("Sun, 06 Nov 1994 08:49:37 GMT\r"); /* a CR after */
}
END_TEST

START_TEST(rejects_impossible_dates_and_times)
{
    reject("Wed, 00 Nov 1994 08:49:37 GMT");
    reject("Thu, 31 Apr 2025 00:00:00 GMT");
    reject("Sat, 32 Jan 2000 00:00:00 GMT");
    reject("Sun, 06 Nov 1994 24:00:00 GMT");
    reject("Sun, 06 Nov 1994 08:60:00 GMT");
    reject("Sun, 06 Nov 1994 08:49:61 GMT");
    reject("Sun, 06 Nov 1994 99:99:99 GMT");
    expect_time("Sat, 31 Dec 2016 23:59:60 GMT", 1483228800); /* a leap second */
}
END_TEST

START_TEST(rejects_years_before_1970)
{
    reject("Wed, 31 Dec 1969 23:59:59 GMT");
    reject("Mon, 01 Jan 0001 00:00:00 GMT");
    reject("Sat, 01 Jan 0000 00:00:00 GMT");
}
END_TEST

TCase *hw_parse_http_date(void)
{
    TCase *tc = hw_tcase("2.4 parse_http_date");
    tcase_add_test(tc, parses_the_epoch);
    tcase_add_test(tc, parses_the_rfc_example);
    tcase_add_test(tc, counts_leap_days);
    tcase_add_test(tc, rejects_29_february_of_common_years);
    tcase_add_test(tc, parses_dates_after_2038);
    tcase_add_test(tc, agrees_with_gmtime_for_every_day);
    tcase_add_test(tc, rejects_a_wrong_weekday);
    tcase_add_test(tc, rejects_wrong_names);
    tcase_add_test(tc, rejects_other_formats);
    tcase_add_test(tc, requires_gmt);
    tcase_add_test(tc, rejects_misplaced_characters);
    tcase_add_test(tc, rejects_impossible_dates_and_times);
    tcase_add_test(tc, rejects_years_before_1970);
    return tc;
}
