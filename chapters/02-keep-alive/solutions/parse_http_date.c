/* Reference answer to exercise 2.4. The server has its own, http_parse_date() in
 * common/http_parse.c (with a shorter day count); this one stands alone, since your
 * program links that file as well. */
#include "exercises.h"

#include <string.h>

/* The count digits at text, as a number, or -1 if one of them is not a digit. */
static int digits(const char *text, int count)
{
    int value = 0;
    for (int i = 0; i < count; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

/* The position of the three letters at text among names ("SunMon..."), or -1. */
static int name_index(const char *names, int count, const char *text)
{
    for (int i = 0; i < count; i++)
        if (strncmp(names + 3 * i, text, 3) == 0)
            return i;
    return -1;
}

static int is_leap_year(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int parse_http_date(const char *text, time_t *out)
{
    /* "Sun, 06 Nov 1994 08:49:37 GMT": every field at a fixed place. */
    static const int month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(text) != 29 || strncmp(text + 3, ", ", 2) != 0 || text[7] != ' ' ||
        text[11] != ' ' || text[16] != ' ' || text[19] != ':' || text[22] != ':' ||
        strcmp(text + 25, " GMT") != 0)
        return -1;
    int weekday = name_index("SunMonTueWedThuFriSat", 7, text); /* Sunday is 0 */
    int month = name_index("JanFebMarAprMayJunJulAugSepOctNovDec", 12, text + 8);
    int day = digits(text + 5, 2);
    int year = digits(text + 12, 4);
    int hour = digits(text + 17, 2);
    int minute = digits(text + 20, 2);
    int second = digits(text + 23, 2);
    if (weekday < 0 || month < 0 || year < 1970 || hour < 0 || hour > 23 || minute < 0 ||
        minute > 59 || second < 0 || second > 60)
        return -1;
    int last_day = month_days[month] + (month == 1 && is_leap_year(year));
    if (day < 1 || day > last_day)
        return -1;

    long long days = day - 1; /* whole days since 1970-01-01 */
    for (int y = 1970; y < year; y++)
        days += is_leap_year(y) ? 366 : 365;
    for (int m = 0; m < month; m++)
        days += month_days[m] + (m == 1 && is_leap_year(year));
    if ((days + 4) % 7 != weekday)
        return -1; /* 1970-01-01 was a Thursday (4): the name must match the date */
    *out = (time_t)(days * 86400 + hour * 3600 + minute * 60 + second);
    return 0;
}
