/* fuzz_header_values.c: the parsers of header values, in common/http_parse.c.
 *
 *   http_parse_content_length  "12", "12, 12" (chapter 2's framing: a wrong answer
 *                              here is request smuggling, not just a wrong page)
 *   http_list_has_token        "keep-alive, Upgrade" has "upgrade"?
 *   http_parse_date            If-Modified-Since: "Sun, 06 Nov 1994 08:49:37 GMT"
 *
 * The input is one header value. Each parser's answer is compared with a plain
 * second reading of its rule (RFC 9110 §8.6, §5.6.1, §5.6.7), and dates must survive
 * the round trip through http_format_date in both directions.
 */
#include "http.h"

#include "fuzz.h"

#include <limits.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static int rule_is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* ---- Content-Length ---------------------------------------------------------------- */

/* 1 and *out for a valid value; 0 for an invalid one. *near_limit is set when a number
 * lies in the last ten below LLONG_MAX, where the parser may refuse what it could
 * hold (its overflow test is a digit early; no body is ever that long). */
static int rule_content_length(const char *value, long long *out, int *near_limit)
{
    long long first = -1;
    const char *p = value;
    *near_limit = 0;
    for (;;) {
        size_t length = strcspn(p, ",");
        size_t start = 0, end = length;
        while (start < end && rule_is_blank(p[start]))
            start++;
        while (end > start && rule_is_blank(p[end - 1]))
            end--;
        if (start == end)
            return 0;
        unsigned long long number = 0;
        for (size_t i = start; i < end; i++) {
            if (p[i] < '0' || p[i] > '9')
                return 0;
            unsigned digit = (unsigned)(p[i] - '0');
            if (number > ((unsigned long long)LLONG_MAX - digit) / 10)
                return 0; /* more than a long long holds */
            number = number * 10 + digit;
        }
        if (number >= (unsigned long long)LLONG_MAX - 9)
            *near_limit = 1;
        if (first >= 0 && (long long)number != first)
            return 0;
        first = (long long)number;
        p += length;
        if (*p == '\0')
            break;
        p++;
    }
    *out = first;
    return 1;
}

static void check_content_length(const char *value)
{
    long long parsed = -12345, expected = -1;
    int near_limit;
    int ok = http_parse_content_length(value, &parsed) == 0;
    int rule_ok = rule_content_length(value, &expected, &near_limit);
    if (near_limit && !ok)
        return;
    FUZZ_CHECK(ok == rule_ok);
    if (ok) {
        FUZZ_CHECK(parsed == expected);
        FUZZ_CHECK(parsed >= 0);
    }
}

/* ---- Lists of tokens ------------------------------------------------------------- */

static int rule_list_has_token(const char *value, const char *token)
{
    const char *p = value;
    size_t token_length = strlen(token);
    while (*p != '\0') {
        size_t length = strcspn(p, ",");
        size_t start = 0, end = length;
        while (start < end && rule_is_blank(p[start]))
            start++;
        while (end > start && rule_is_blank(p[end - 1]))
            end--;
        if (end - start == token_length &&
            strncasecmp(p + start, token, token_length) == 0)
            return 1;
        p += length;
        if (*p == ',')
            p++;
    }
    return 0;
}

static void check_tokens(const char *value)
{
    static const char *const tokens[] = {"close", "keep-alive", "100-continue", "chunked",
                                         "x"};
    for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++)
        FUZZ_CHECK(http_list_has_token(value, tokens[i]) ==
                   rule_list_has_token(value, tokens[i]));
}

/* ---- Dates --------------------------------------------------------------------------
 */

static void check_date_text(const char *text)
{
    time_t t;
    if (http_parse_date(text, &t) < 0)
        return;
    char formatted[HTTP_DATE_SIZE];
    FUZZ_CHECK(t >= 0);
    if (strcmp(text + 23, "60 GMT") == 0) {
        /* a leap second: one second after :59 of the same minute */
        char before[HTTP_DATE_SIZE];
        time_t t59;
        memcpy(before, text, 30);
        before[23] = '5';
        before[24] = '9';
        FUZZ_CHECK(http_parse_date(before, &t59) == 0 && t == t59 + 1);
        return;
    }
    FUZZ_CHECK(http_format_date(t, formatted, sizeof formatted) == 0);
    FUZZ_CHECK(strcmp(formatted, text) == 0); /* an IMF-fixdate has one spelling */
}

/* A time made of the input's first bytes, 1970 to 9999: formatted, it must parse
 * back to itself. */
static void check_date_round_trip(const uint8_t *data, size_t size)
{
    unsigned long long bits = 0;
    for (size_t i = 0; i < size && i < 8; i++)
        bits = bits << 8 | data[i];
    const unsigned long long end_of_9999 = 253402300799ull;
    time_t t = (time_t)(bits % (end_of_9999 + 1));
    char text[HTTP_DATE_SIZE];
    time_t parsed;
    FUZZ_CHECK(http_format_date(t, text, sizeof text) == 0);
    FUZZ_CHECK(http_parse_date(text, &parsed) == 0);
    FUZZ_CHECK(parsed == t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (sizeof(time_t) >= 8)
        check_date_round_trip(data, size);
    /* A header value never holds a NUL: http_read_request refuses the line first. */
    if (memchr(data, '\0', size) != NULL)
        return 0;
    char *value = fuzz_string(data, size);
    check_content_length(value);
    check_tokens(value);
    check_date_text(value);
    FUZZ_CHECK(http_mime_type(value) != NULL);
    free(value);
    return 0;
}
