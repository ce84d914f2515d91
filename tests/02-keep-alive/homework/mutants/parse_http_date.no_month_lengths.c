/* Mistake: checks only that the day is between 1 and 31, so "31 Apr" and
 * "29 Feb 2023" are accepted and become a date in the next month. */
#include "exercises.h"

#include <string.h>

static int is_leap_year(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* Days from 1970-01-01 to the first day of year-month-day (year >= 1970). */
static long long days_since_epoch(int year, int month, int day)
{
    static const int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    long long days = 0;
    for (int y = 1970; y < year; y++)
        days += is_leap_year(y) ? 366 : 365;
    for (int m = 1; m < month; m++)
        days += month_days[m - 1] + (m == 2 && is_leap_year(year));
    return days + day - 1;
}

/* The count digits at text, as a number (-1 if any is not a digit). */
static int digits_value(const char *text, int count)
{
    int value = 0;
    for (int i = 0; i < count; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

/* Index of the three letters at text in a run of three-letter names, or -1. */
static int name_index(const char *names, int count, const char *text)
{
    for (int i = 0; i < count; i++)
        if (strncmp(names + 3 * i, text, 3) == 0)
            return i;
    return -1;
}

int parse_http_date(const char *text, time_t *out)
{
    /* "Sun, 06 Nov 1994 08:49:37 GMT": every field at a fixed place. */
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    static const char days[] = "SunMonTueWedThuFriSat";
    static const int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(text) != 29 || text[3] != ',' || text[4] != ' ' || text[7] != ' ' ||
        text[11] != ' ' || text[16] != ' ' || text[19] != ':' || text[22] != ':' ||
        strcmp(text + 25, " GMT") != 0)
        return -1;
    int weekday = name_index(days, 7, text);
    int month = name_index(months, 12, text + 8) + 1;
    if (weekday < 0 || month == 0)
        return -1;
    int day = digits_value(text + 5, 2);
    int year = digits_value(text + 12, 4);
    int hour = digits_value(text + 17, 2);
    int minute = digits_value(text + 20, 2);
    int second = digits_value(text + 23, 2);
    if (day < 1 || year < 1970 || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
        second < 0 || second > 60)
        return -1;
    (void)month_days;
    if (day > 31)
        return -1;
    long long days_count = days_since_epoch(year, month, day);
    if ((days_count + 4) % 7 != weekday)
        return -1; /* 1970-01-01 was a Thursday; a date must agree with its weekday */
    *out = (time_t)(days_count * 86400 + hour * 3600 + minute * 60 + second);
    return 0;
}
