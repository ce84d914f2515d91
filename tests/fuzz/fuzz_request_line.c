/* fuzz_request_line.c: the parsers of one line of an HTTP message, in common/.
 *
 * The input is one line, as http_read_request hands it over (without its line
 * ending), and goes to the three line parsers that read bytes from the network:
 *   http_parse_request_line  "GET /x HTTP/1.1"  (servers)
 *   http_parse_header_line   "Name: value"      (servers)
 *   http_parse_status_line   "HTTP/1.1 200 OK"  (the clients, reading a server)
 * Each works in a heap buffer of exactly the line's size, so a read past its end is
 * a crash. Besides not crashing, each must agree with a second, deliberately plain
 * reading of the rules below (RFC 9112 §3, §5; DESIGN.md §3.1), and what it returns
 * must point into the line and put it back together exactly.
 */
#include "http.h"

#include "fuzz.h"

#include <string.h>

/* ---- The rules, read plainly ------------------------------------------------------ */

static int rule_is_tchar(unsigned char c)
{
    static const char extra[] = "!#$%&'*+-.^_`|~";
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return 1;
    for (size_t i = 0; i < sizeof extra - 1; i++)
        if (c == (unsigned char)extra[i])
            return 1;
    return 0;
}

static int rule_is_token(const char *s, size_t length)
{
    if (length == 0)
        return 0;
    for (size_t i = 0; i < length; i++)
        if (!rule_is_tchar((unsigned char)s[i]))
            return 0;
    return 1;
}

static int rule_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The status http_parse_request_line must return for line[0 .. length). */
static int rule_request_line_status(const char *line, size_t length)
{
    size_t spaces[2];
    size_t count = 0;
    for (size_t i = 0; i < length; i++) {
        if (line[i] != ' ')
            continue;
        if (count == 2)
            return 400; /* a third space */
        spaces[count++] = i;
    }
    if (count != 2)
        return 400;
    const char *method = line;
    size_t method_length = spaces[0];
    const char *target = line + spaces[0] + 1;
    size_t target_length = spaces[1] - spaces[0] - 1;
    const char *version = line + spaces[1] + 1;
    size_t version_length = length - spaces[1] - 1;
    if (!rule_is_token(method, method_length) || target_length == 0)
        return 400;
    for (size_t i = 0; i < target_length; i++)
        if ((unsigned char)target[i] <= 0x20 || (unsigned char)target[i] >= 0x7f)
            return 400;
    if (version_length != 8 || memcmp(version, "HTTP/", 5) != 0 ||
        !rule_is_digit(version[5]) || version[6] != '.' || !rule_is_digit(version[7]))
        return 400;
    if (version[5] != '1')
        return 505;
    static const char *const allowed[] = {"GET", "HEAD"};
    static const char *const known[] = {"POST",  "PUT",   "DELETE", "OPTIONS",
                                        "TRACE", "PATCH", "CONNECT"};
    for (size_t i = 0; i < 2; i++)
        if (method_length == strlen(allowed[i]) &&
            memcmp(method, allowed[i], method_length) == 0)
            return 0;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (method_length == strlen(known[i]) &&
            memcmp(method, known[i], method_length) == 0)
            return 405;
    return 501;
}

static int rule_is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* The status http_parse_header_line must return, and where the value lies. */
static int rule_header_line_status(const char *line, size_t length, size_t *value_start,
                                   size_t *value_end)
{
    if (length > 0 && rule_is_blank(line[0]))
        return 400; /* obs-fold */
    const char *colon = memchr(line, ':', length);
    if (colon == NULL)
        return 400;
    size_t name_length = (size_t)(colon - line);
    if (!rule_is_token(line, name_length))
        return 400;
    size_t start = name_length + 1;
    size_t end = length;
    while (start < end && rule_is_blank(line[start]))
        start++;
    while (end > start && rule_is_blank(line[end - 1]))
        end--;
    for (size_t i = start; i < end; i++) {
        unsigned char c = (unsigned char)line[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return 400;
    }
    *value_start = start;
    *value_end = end;
    return 0;
}

/* The status code http_parse_status_line must return for line[0 .. length). */
static int rule_status_line_code(const char *line, size_t length)
{
    if (length < 12 || memcmp(line, "HTTP/", 5) != 0 || !rule_is_digit(line[5]) ||
        line[6] != '.' || !rule_is_digit(line[7]) || line[8] != ' ' ||
        !rule_is_digit(line[9]) || !rule_is_digit(line[10]) || !rule_is_digit(line[11]))
        return -1;
    if (length > 12 && line[12] != ' ')
        return -1;
    return (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
}

/* ---- The checks ---------------------------------------------------------------------
 */

static void check_request_line(const char *original, size_t length)
{
    char *line = fuzz_string((const uint8_t *)original, length);
    struct http_request_line out;
    memset(&out, 0, sizeof out);
    int status = http_parse_request_line(line, &out);
    FUZZ_CHECK(status == 0 || status == 400 || status == 405 || status == 501 ||
               status == 505);
    FUZZ_CHECK(status == rule_request_line_status(original, length));
    if (status != 400) {
        /* The three parts lie in the line, in order, and rebuild it exactly. */
        size_t m = strlen(out.method), t = strlen(out.target), v = strlen(out.version);
        FUZZ_CHECK(out.method == line);
        FUZZ_CHECK(out.target == line + m + 1);
        FUZZ_CHECK(out.version == out.target + t + 1);
        FUZZ_CHECK(m + 1 + t + 1 + v == length);
        FUZZ_CHECK(memcmp(original, out.method, m) == 0 && original[m] == ' ');
        FUZZ_CHECK(memcmp(original + m + 1, out.target, t) == 0);
        FUZZ_CHECK(original[m + 1 + t] == ' ');
        FUZZ_CHECK(memcmp(original + m + t + 2, out.version, v) == 0);
        FUZZ_CHECK(out.major == out.version[5] - '0' &&
                   out.minor == out.version[7] - '0');
        FUZZ_CHECK((status == 505) == (out.major != 1));
    }
    free(line);
}

static void check_header_line(const char *original, size_t length)
{
    char *line = fuzz_string((const uint8_t *)original, length);
    struct http_header out = {NULL, NULL};
    size_t value_start = 0, value_end = 0;
    int status = http_parse_header_line(line, &out);
    int expected = rule_header_line_status(original, length, &value_start, &value_end);
    FUZZ_CHECK(status == expected);
    if (status == 0) {
        size_t name_length = strlen(out.name);
        FUZZ_CHECK(out.name == line);
        FUZZ_CHECK(name_length < length && original[name_length] == ':');
        FUZZ_CHECK(out.value == line + value_start);
        FUZZ_CHECK(strlen(out.value) == value_end - value_start);
        FUZZ_CHECK(memcmp(out.value, original + value_start, value_end - value_start) ==
                   0);
    }
    free(line);
}

static void check_status_line(const uint8_t *data, size_t size)
{
    /* The clients pass a length: NUL bytes and a missing terminator are allowed. */
    char *line = fuzz_copy(data, size);
    int code = http_parse_status_line(line, size);
    FUZZ_CHECK(code == rule_status_line_code(line, size));
    FUZZ_CHECK(code == -1 || (code >= 0 && code <= 999));
    free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_status_line(data, size);
    /* http_read_request answers 400 to a line holding a NUL before it parses it: the
     * C-string parsers never see one. */
    if (memchr(data, '\0', size) != NULL)
        return 0;
    check_request_line((const char *)data, size);
    check_header_line((const char *)data, size);
    return 0;
}
