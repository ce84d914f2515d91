/* http_parse.c: the half of http.h that only looks at text: request lines, headers,
 * percent-encoding, dot-segments, URLs, status texts, MIME types and dates.
 *
 * It depends on nothing but the C library: it only looks at text. The homework's
 * reference answers of chapters 1 and 2 (their solutions/ folders) follow the same
 * rules in their own code, since a learner's program is built from the learner's own
 * files. */
#include "http.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- Parsing the request line and headers ----------------------------------------- */

/* tchar from RFC 9110 §5.6.2: the characters allowed in methods and header names. */
static int is_token_char(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int is_token(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s != '\0'; s++)
        if (!is_token_char((unsigned char)*s))
            return 0;
    return 1;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Methods RFC 9110 defines that we recognise but do not allow on files: 405. */
static int is_known_method(const char *method)
{
    static const char *const known[] = {"POST",  "PUT",   "DELETE", "OPTIONS",
                                        "TRACE", "PATCH", "CONNECT"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(method, known[i]) == 0)
            return 1;
    return 0;
}

/* A request target is visible ASCII only: no spaces, no control bytes, no bytes
 * above 0x7E (those must arrive percent-encoded). */
static int is_valid_target(const char *target)
{
    if (*target == '\0')
        return 0;
    for (const unsigned char *p = (const unsigned char *)target; *p != '\0'; p++)
        if (*p <= 0x20 || *p >= 0x7f)
            return 0;
    return 1;
}

int http_parse_request_line(char *line, struct http_request_line *out)
{
    /* Exactly two single spaces separate the three parts. */
    char *space1 = strchr(line, ' ');
    char *space2 = space1 ? strchr(space1 + 1, ' ') : NULL;
    if (space1 == NULL || space2 == NULL || strchr(space2 + 1, ' ') != NULL)
        return 400;
    *space1 = '\0';
    *space2 = '\0';
    out->method = line;
    out->target = space1 + 1;
    out->version = space2 + 1;

    if (!is_token(out->method) || !is_valid_target(out->target))
        return 400;
    const char *v = out->version;
    if (strncmp(v, "HTTP/", 5) != 0 || !is_digit(v[5]) || v[6] != '.' ||
        !is_digit(v[7]) || v[8] != '\0')
        return 400;
    out->major = v[5] - '0';
    out->minor = v[7] - '0';
    if (out->major != 1)
        return 505;
    if (strcmp(out->method, "GET") == 0 || strcmp(out->method, "HEAD") == 0)
        return 0;
    return is_known_method(out->method) ? 405 : 501;
}

static int is_space_or_tab(char c)
{
    return c == ' ' || c == '\t';
}

int http_parse_header_line(char *line, struct http_header *out)
{
    if (is_space_or_tab(line[0]))
        return 400; /* obs-fold: a continuation line, a classic smuggling trick (RFC 9112
                       §5.2) */
    char *colon = strchr(line, ':');
    if (colon == NULL)
        return 400;
    *colon = '\0';
    if (!is_token(line)) /* also catches "Name : value", a space before the colon */
        return 400;

    char *value = colon + 1;
    while (is_space_or_tab(*value))
        value++;
    char *end = value + strlen(value);
    while (end > value && is_space_or_tab(end[-1]))
        end--;
    *end = '\0';
    for (const unsigned char *p = (const unsigned char *)value; *p != '\0'; p++)
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
            return 400; /* a bare CR or other control byte */
    out->name = line;
    out->value = value;
    return 0;
}

const char *http_header_value(const struct http_request *req, const char *name)
{
    for (size_t i = 0; i < req->header_count; i++)
        if (strcasecmp(req->headers[i].name, name) == 0)
            return req->headers[i].value;
    return NULL;
}

size_t http_header_count(const struct http_request *req, const char *name)
{
    size_t count = 0;
    for (size_t i = 0; i < req->header_count; i++)
        if (strcasecmp(req->headers[i].name, name) == 0)
            count++;
    return count;
}

/* text[0..*length) without the spaces and tabs around it: returns its new start and
 * shortens *length. */
static const char *trim(const char *text, size_t *length)
{
    size_t start = 0;
    size_t end = *length;
    while (start < end && is_space_or_tab(text[start]))
        start++;
    while (end > start && is_space_or_tab(text[end - 1]))
        end--;
    *length = end - start;
    return text + start;
}

/* Compare text[0..length) with token, ignoring case. */
static int token_equals(const char *text, size_t length, const char *token)
{
    return strlen(token) == length && strncasecmp(text, token, length) == 0;
}

int http_list_has_token(const char *value, const char *token)
{
    const char *p = value;
    while (*p != '\0') {
        size_t length = strcspn(p, ",");
        size_t item_length = length;
        const char *item = trim(p, &item_length);
        if (token_equals(item, item_length, token))
            return 1;
        p += length;
        if (*p == ',')
            p++;
    }
    return 0;
}

int http_header_has_token(const struct http_request *req, const char *name,
                          const char *token)
{
    for (size_t i = 0; i < req->header_count; i++)
        if (strcasecmp(req->headers[i].name, name) == 0 &&
            http_list_has_token(req->headers[i].value, token))
            return 1;
    return 0;
}

/* One run of digits as a number; -1 for none, or for a value too large to hold. */
static long long parse_digits(const char *text, size_t length)
{
    long long value = 0;
    if (length == 0)
        return -1;
    for (size_t i = 0; i < length; i++) {
        if (!is_digit(text[i]) || value > (LLONG_MAX - 9) / 10)
            return -1;
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

int http_parse_content_length(const char *value, long long *out)
{
    long long first = -1;
    const char *p = value;
    for (;;) {
        size_t length = strcspn(p, ",");
        size_t item_length = length;
        const char *item = trim(p, &item_length);
        long long number = parse_digits(item, item_length);
        if (number < 0 || (first >= 0 && number != first))
            return -1; /* not a number, or two different lengths: which one is true? */
        first = number;
        p += length;
        if (*p == '\0')
            break;
        p++; /* the comma */
    }
    *out = first;
    return 0;
}

/* ---- From target to path ----------------------------------------------------------- */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int http_percent_decode(const char *in, size_t in_length, char *out, size_t out_size)
{
    size_t used = 0;
    for (size_t i = 0; i < in_length; i++) {
        char c = in[i];
        if (c == '%') {
            if (in_length - i < 3)
                return 400;
            int h = hex_value(in[i + 1]);
            int l = hex_value(in[i + 2]);
            if (h < 0 || l < 0)
                return 400;
            c = (char)(h * 16 + l);
            if (c == '\0')
                return 400;
            i += 2;
        }
        /* Past the end of out, keep going without storing: a bad escape further on
         * is a 400, which comes before 414 in the order of checks. */
        if (used + 1 < out_size)
            out[used] = c;
        used++;
    }
    if (used + 1 > out_size)
        return 414;
    out[used] = '\0';
    return 0;
}

int http_target_path(const char *target, char *path, size_t path_size)
{
    const char *start = target;
    if (strncasecmp(target, "http://", 7) == 0) {
        /* absolute-form (RFC 9112 §3.2.2): skip the authority, keep the path */
        start = target + 7 + strcspn(target + 7, "/?#");
        if (*start != '/')
            return http_percent_decode("/", 1, path, path_size); /* "http://host" */
    } else if (target[0] != '/') {
        return 400; /* "*", authority-form and anything else: not a file */
    }
    size_t length = strcspn(start, "?#"); /* the query is not part of the path */
    return http_percent_decode(start, length, path, path_size);
}

int http_remove_dot_segments(const char *path, char *out, size_t out_size)
{
    size_t used = 0;
    const char *p = path;
    if (*p != '/')
        return 400;
    while (*p == '/') {
        const char *segment = p + 1;
        const char *next = strchr(segment, '/');
        if (next == NULL)
            next = segment + strlen(segment);
        size_t length = (size_t)(next - segment);
        int at_end = *next == '\0';
        int is_dot = length == 1 && segment[0] == '.';
        int is_dot_dot = length == 2 && segment[0] == '.' && segment[1] == '.';

        if (is_dot_dot) {
            if (used == 0)
                return 403; /* climbing above the root: an attack, not a typo */
            while (used > 0 && out[used - 1] != '/')
                used--;
            used--; /* and the slash before the removed segment */
        }
        if (is_dot || is_dot_dot) {
            if (at_end) { /* "/a/." and "/a/b/.." name a directory: keep its slash */
                if (used + 2 > out_size)
                    return 414;
                out[used++] = '/';
            }
        } else {
            if (used + 1 + length + 1 > out_size)
                return 414;
            out[used++] = '/';
            memcpy(out + used, segment, length);
            used += length;
        }
        p = next;
    }
    if (used == 0) {
        if (out_size < 2)
            return 414;
        out[used++] = '/';
    }
    out[used] = '\0';
    return 0;
}

int http_encode_path(const char *path, char *out, size_t out_size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t used = 0;
    for (const unsigned char *p = (const unsigned char *)path; *p != '\0'; p++) {
        int plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9') || strchr("-._~!$&'()*+,;=:@/", *p) != NULL;
        if (used + (plain ? 1 : 3) + 1 > out_size)
            return -1;
        if (plain) {
            out[used++] = (char)*p;
        } else {
            out[used++] = '%';
            out[used++] = hex[*p >> 4];
            out[used++] = hex[*p & 15];
        }
    }
    if (out_size == 0)
        return -1;
    out[used] = '\0';
    return 0;
}

/* ---- Names and dates ------------------------------------------------------------ */

const char *http_status_text(int status)
{
    switch (status) {
    case 101:
        return "Switching Protocols";
    case 200:
        return "OK";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 426:
        return "Upgrade Required";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Unknown";
    }
}

const char *http_mime_type(const char *path)
{
    static const struct {
        const char *extension;
        const char *type;
    } types[] = {
        {"html", "text/html; charset=utf-8"},
        {"htm", "text/html; charset=utf-8"},
        {"css", "text/css; charset=utf-8"},
        {"js", "text/javascript; charset=utf-8"},
        {"json", "application/json"},
        {"txt", "text/plain; charset=utf-8"},
        {"png", "image/png"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"gif", "image/gif"},
        {"svg", "image/svg+xml"},
        {"ico", "image/x-icon"},
        {"pdf", "application/pdf"},
        {"wasm", "application/wasm"},
    };
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    const char *dot = strrchr(name, '.');
    if (dot != NULL && dot != name)
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (strcasecmp(dot + 1, types[i].extension) == 0)
                return types[i].type;
    return "application/octet-stream";
}

int http_format_date(time_t t, char *out, size_t out_size)
{
    /* Names spelled out: strftime's %a and %b follow the locale, HTTP does not. */
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL)
        return -1;
    int n = snprintf(out, out_size, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                     days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
                     tm.tm_hour, tm.tm_min, tm.tm_sec);
    return (n < 0 || (size_t)n >= out_size) ? -1 : 0;
}

/* Days since 1970-01-01 of a date in the proleptic Gregorian calendar. The trick:
 * count years from March, so that February, with its leap day, comes last. */
static long long days_from_civil(int year, int month, int day)
{
    year -= month <= 2;
    long long era = (year >= 0 ? year : year - 399) / 400;
    long long year_of_era = year - era * 400; /* [0, 399] */
    long long day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    long long day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 +
                           day_of_year; /* [0, 146096] */
    return era * 146097 + day_of_era - 719468;
}

static int is_leap_year(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* The count digits at text, as a number (-1 if any is not a digit). */
static int digits_value(const char *text, int count)
{
    int value = 0;
    for (int i = 0; i < count; i++) {
        if (!is_digit(text[i]))
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

int http_parse_date(const char *text, time_t *out)
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
    int last_day = month_days[month - 1] + (month == 2 && is_leap_year(year));
    if (day > last_day)
        return -1;
    long long days_since_epoch = days_from_civil(year, month, day);
    if ((days_since_epoch + 4) % 7 != weekday)
        return -1; /* 1970-01-01 was a Thursday; a date must agree with its weekday */
    long long seconds = days_since_epoch * 86400 + hour * 3600 + minute * 60 + second;
    *out = (time_t)seconds;
    return 0;
}

/* ---- For clients ------------------------------------------------------------------- */

int http_parse_url(const char *url, struct http_url *out)
{
    if (strncasecmp(url, "http://", 7) != 0)
        return -1;
    const char *host = url + 7;
    const char *host_end;
    const char *after;
    if (*host == '[') { /* an IPv6 literal: "[::1]" */
        host++;
        host_end = strchr(host, ']');
        if (host_end == NULL)
            return -1;
        after = host_end + 1;
    } else {
        host_end = host + strcspn(host, ":/?#");
        after = host_end;
    }
    size_t host_length = (size_t)(host_end - host);
    if (host_length == 0 || host_length >= sizeof out->host)
        return -1;
    memcpy(out->host, host, host_length);
    out->host[host_length] = '\0';

    snprintf(out->port, sizeof out->port, "80");
    if (*after == ':') {
        size_t digits = strspn(after + 1, "0123456789");
        if (digits == 0 || digits > 5 || digits_value(after + 1, (int)digits) > 65535)
            return -1;
        memcpy(out->port, after + 1, digits);
        out->port[digits] = '\0';
        after += 1 + digits;
    }
    if (*after != '\0' && *after != '/' && *after != '?' && *after != '#')
        return -1;
    /* The path and query, "/" when there is no path; the fragment ("#...") never
     * leaves the client. */
    size_t length = strcspn(after, "#");
    int n = snprintf(out->path, sizeof out->path, "%s%.*s", *after == '/' ? "" : "/",
                     (int)length, after);
    return (n < 0 || (size_t)n >= sizeof out->path) ? -1 : 0;
}

int http_parse_status_line(const char *line, size_t length)
{
    /* "HTTP/d.d SP ddd" then SP reason (possibly empty) or the end of the line */
    if (length < 12 || strncmp(line, "HTTP/", 5) != 0 || !is_digit(line[5]) ||
        line[6] != '.' || !is_digit(line[7]) || line[8] != ' ')
        return -1;
    if (!is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11]))
        return -1;
    if (length > 12 && line[12] != ' ')
        return -1;
    return (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
}
