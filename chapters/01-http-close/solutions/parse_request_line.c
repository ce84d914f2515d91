/* Reference answer to exercise 1.2. The same rules as the server's
 * http_parse_request_line() in common/http_parse.c, written with the C library
 * alone, since your program links nothing else. */
#include "exercises.h"

#include <string.h>

/* tchar from RFC 9110 §5.6.2: the characters allowed in a method. */
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

/* Visible ASCII only: no spaces, no control bytes, nothing above 0x7E. */
static int is_valid_target(const char *target)
{
    if (*target == '\0')
        return 0;
    for (const unsigned char *p = (const unsigned char *)target; *p != '\0'; p++)
        if (*p <= 0x20 || *p >= 0x7f)
            return 0;
    return 1;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Methods RFC 9110 defines that a file server does not allow: 405. */
static int is_known_method(const char *method)
{
    static const char *const known[] = {"POST",  "PUT",   "DELETE", "OPTIONS",
                                        "TRACE", "PATCH", "CONNECT"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(method, known[i]) == 0)
            return 1;
    return 0;
}

int parse_request_line(char *line, struct request_line *out)
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
