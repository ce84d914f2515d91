/* test_xml.c: a small checker for well-formed XML, enough to vouch for compare's
 * SVG without a new dependency, and the tests that show it catches what it should.
 *
 * It checks the rules of XML 1.0 that a hand-written file is likely to break: one
 * root element; every start tag closed, in the right order (or self-closed); names
 * that are names; attribute values in matching quotes, each name at most once per
 * tag; and no bare '<' or '&' in text or values ('&' must start an entity such as
 * &amp; or &#60;). Comments and processing instructions (<?xml ...?>) are skipped;
 * a DOCTYPE is not supported (SVG needs none).
 */
#include "suites.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define MAX_DEPTH      64
#define MAX_NAME       64
#define MAX_ATTRIBUTES 32

struct xml {
    const char *text;
    size_t length, at;
    char stack[MAX_DEPTH][MAX_NAME + 1];
    int depth;
    int roots; /* top-level elements seen */
    char *why;
    size_t why_size;
};

static int reject(struct xml *x, const char *what)
{
    snprintf(x->why, x->why_size, "%s at byte %zu", what, x->at);
    return 0;
}

static int starts(const struct xml *x, const char *s)
{
    size_t n = strlen(s);
    return x->length - x->at >= n && memcmp(x->text + x->at, s, n) == 0;
}

static void skip_space(struct xml *x)
{
    while (x->at < x->length && isspace((unsigned char)x->text[x->at]))
        x->at++;
}

/* Skip up to and past `end` ("-->", "?>"). */
static int skip_past(struct xml *x, const char *end)
{
    const char *found = NULL;
    for (size_t i = x->at; i + strlen(end) <= x->length; i++)
        if (memcmp(x->text + i, end, strlen(end)) == 0) {
            found = x->text + i;
            break;
        }
    if (found == NULL)
        return reject(x, "unterminated comment or processing instruction");
    x->at = (size_t)(found - x->text) + strlen(end);
    return 1;
}

static int name_start(int c)
{
    return isalpha(c) || c == '_' || c == ':';
}

static int name_char(int c)
{
    return isalnum(c) || c == '_' || c == ':' || c == '-' || c == '.';
}

static int read_name(struct xml *x, char *out)
{
    size_t n = 0;
    if (x->at >= x->length || !name_start((unsigned char)x->text[x->at]))
        return reject(x, "expected a name");
    while (x->at < x->length && name_char((unsigned char)x->text[x->at])) {
        if (n == MAX_NAME)
            return reject(x, "name too long");
        out[n++] = x->text[x->at++];
    }
    out[n] = '\0';
    return 1;
}

/* At '&': one of the five named entities, or a numeric character reference. */
static int entity(struct xml *x)
{
    static const char *const named[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (starts(x, named[i])) {
            x->at += strlen(named[i]);
            return 1;
        }
    size_t i = x->at + 1;
    if (i < x->length && x->text[i] == '#') {
        i++;
        int hex = i < x->length && x->text[i] == 'x';
        i += hex;
        size_t digits = 0;
        while (i < x->length && (hex ? isxdigit((unsigned char)x->text[i])
                                     : isdigit((unsigned char)x->text[i]))) {
            i++;
            digits++;
        }
        if (digits > 0 && i < x->length && x->text[i] == ';') {
            x->at = i + 1;
            return 1;
        }
    }
    return reject(x, "'&' that does not start an entity");
}

static int attributes(struct xml *x, int *self_closing)
{
    char names[MAX_ATTRIBUTES][MAX_NAME + 1];
    int count = 0;
    for (;;) {
        size_t before = x->at;
        skip_space(x);
        if (starts(x, "/>")) {
            x->at += 2;
            *self_closing = 1;
            return 1;
        }
        if (starts(x, ">")) {
            x->at++;
            *self_closing = 0;
            return 1;
        }
        if (x->at == before)
            return reject(x, "expected a space before an attribute");
        if (count == MAX_ATTRIBUTES)
            return reject(x, "too many attributes");
        if (!read_name(x, names[count]))
            return 0;
        for (int i = 0; i < count; i++)
            if (strcmp(names[i], names[count]) == 0)
                return reject(x, "attribute given twice");
        count++;
        skip_space(x);
        if (!starts(x, "="))
            return reject(x, "attribute without '='");
        x->at++;
        skip_space(x);
        char quote = x->at < x->length ? x->text[x->at] : '\0';
        if (quote != '"' && quote != '\'')
            return reject(x, "attribute value not in quotes");
        x->at++;
        while (x->at < x->length && x->text[x->at] != quote) {
            if (x->text[x->at] == '<')
                return reject(x, "'<' in an attribute value");
            if (x->text[x->at] == '&') {
                if (!entity(x))
                    return 0;
            } else {
                x->at++;
            }
        }
        if (x->at == x->length)
            return reject(x, "unterminated attribute value");
        x->at++;
    }
}

static int start_tag(struct xml *x)
{
    x->at++; /* '<' */
    if (x->depth == 0 && x->roots++ > 0)
        return reject(x, "a second root element");
    if (x->depth == MAX_DEPTH)
        return reject(x, "nested too deeply");
    if (!read_name(x, x->stack[x->depth]))
        return 0;
    int self_closing;
    if (!attributes(x, &self_closing))
        return 0;
    if (!self_closing)
        x->depth++;
    return 1;
}

static int end_tag(struct xml *x)
{
    char name[MAX_NAME + 1];
    x->at += 2; /* "</" */
    if (!read_name(x, name))
        return 0;
    skip_space(x);
    if (!starts(x, ">"))
        return reject(x, "end tag without '>'");
    x->at++;
    if (x->depth == 0 || strcmp(x->stack[x->depth - 1], name) != 0)
        return reject(x, "end tag that does not match the open element");
    x->depth--;
    return 1;
}

int xml_well_formed(const char *text, size_t length, char *why, size_t why_size)
{
    static struct xml x;
    memset(&x, 0, sizeof x);
    x.text = text;
    x.length = length;
    x.why = why;
    x.why_size = why_size;
    while (x.at < x.length) {
        int ok;
        char c = text[x.at];
        if (starts(&x, "<!--")) {
            ok = skip_past(&x, "-->");
        } else if (starts(&x, "<?")) {
            ok = skip_past(&x, "?>");
        } else if (starts(&x, "</")) {
            ok = end_tag(&x);
        } else if (starts(&x, "<!")) {
            ok = reject(&x, "DOCTYPE or CDATA (not supported)");
        } else if (c == '<') {
            ok = start_tag(&x);
        } else if (c == '&') {
            ok = x.depth > 0 ? entity(&x) : reject(&x, "text outside the root element");
        } else if (x.depth == 0 && !isspace((unsigned char)c)) {
            ok = reject(&x, "text outside the root element");
        } else {
            x.at++;
            ok = 1;
        }
        if (!ok)
            return 0;
    }
    if (x.depth > 0)
        return reject(&x, "element left open at the end");
    if (x.roots == 0)
        return reject(&x, "no root element");
    return 1;
}

/* ---- Tests of the checker itself ----------------------------------------------------
 */

static int check(const char *text)
{
    char why[128];
    return xml_well_formed(text, strlen(text), why, sizeof why);
}

START_TEST(accepts_well_formed_svg)
{
    ck_assert(check("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<svg xmlns=\"http://www.w3.org/2000/svg\" width='10'>\n"
                    "<!-- a comment with <tags> in it -->\n"
                    "<title>a &amp; b &lt; c &#62; &#x3C;</title>\n"
                    "<rect x=\"1\" y = \"2\"/><g><text a=\"&quot;q&quot;\">t</text></g>\n"
                    "</svg>\n"));
}
END_TEST

START_TEST(rejects_broken_documents)
{
    ck_assert(!check(""));
    ck_assert(!check("<svg>"));                     /* never closed */
    ck_assert(!check("<a><b></a></b>"));            /* crossed */
    ck_assert(!check("<a></b>"));                   /* wrong name */
    ck_assert(!check("<a x=1></a>"));               /* unquoted */
    ck_assert(!check("<a x=\"1'></a>"));            /* mismatched quotes */
    ck_assert(!check("<a x=\"1\" x=\"2\"></a>"));   /* twice */
    ck_assert(!check("<a x=\"1\"y=\"2\"></a>"));    /* no space between */
    ck_assert(!check("<a>fish & chips</a>"));       /* bare & */
    ck_assert(!check("<a>1 < 2</a>"));              /* bare < */
    ck_assert(!check("<a x=\"<\"></a>"));           /* < in a value */
    ck_assert(!check("<a></a><b></b>"));            /* two roots */
    ck_assert(!check("<a></a>trailing"));           /* text after the root */
    ck_assert(!check("<a><!-- unterminated </a>")); /* comment never ends */
    ck_assert(!check("<1a></1a>"));                 /* not a name */
}
END_TEST

Suite *xml_suite(void)
{
    Suite *s = suite_create("04 xml checker");
    TCase *tc = tcase_create("xml");
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, accepts_well_formed_svg);
    tcase_add_test(tc, rejects_broken_documents);
    suite_add_tcase(s, tc);
    return s;
}
