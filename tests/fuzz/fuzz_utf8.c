/* fuzz_utf8.c: chapter 5's UTF-8 validator and cleaner, chapters/05-web-push/utf8.c,
 * against a plain reading of RFC 3629.
 *
 * The reference below decodes code points with shifts and masks and then applies
 * the RFC's rules in words (no overlong form, no surrogate, nothing above
 * U+10FFFF), where utf8.c uses the RFC's table of byte ranges: two readings that
 * must agree. What must hold, for any bytes, cut anywhere:
 *   - utf8_feed() accepts exactly the inputs that are a prefix of valid UTF-8, fed
 *     whole or in two pieces, and utf8_complete() says whether no character is open;
 *   - utf8_clean() gives valid UTF-8 without a CR, the input unchanged when it was
 *     valid and had no CR.
 */
#include "utf8.h"

#include "fuzz.h"

/* Decode the character at in[0..length): its length, or 0 if none is valid there;
 * with partial set, a character cut short by the end of the input counts as valid
 * when some continuation bytes could complete it. */
static size_t rule_character(const unsigned char *in, size_t length, int partial)
{
    unsigned char b = in[0];
    size_t n;
    uint32_t value, smallest;
    if (b < 0x80)
        return 1;
    if ((b & 0xe0) == 0xc0) {
        n = 2, value = b & 0x1f, smallest = 0x80;
    } else if ((b & 0xf0) == 0xe0) {
        n = 3, value = b & 0x0f, smallest = 0x800;
    } else if ((b & 0xf8) == 0xf0) {
        n = 4, value = b & 0x07, smallest = 0x10000;
    } else {
        return 0; /* a continuation byte, or 0xF8..0xFF */
    }
    size_t have = length < n ? length : n;
    for (size_t k = 1; k < have; k++) {
        if ((in[k] & 0xc0) != 0x80)
            return 0;
        value = value << 6 | (in[k] & 0x3f);
    }
    if (have < n) {
        if (!partial)
            return 0;
        /* Could it still become valid? The free bits can take any value, so the
         * values reachable are [low, high]; is one of them a valid code point? */
        uint32_t low = value, high = value;
        for (size_t k = have; k < n; k++) {
            low = low << 6;
            high = high << 6 | 0x3f;
        }
        uint32_t from = low > smallest ? low : smallest;
        uint32_t to = high < 0x10ffff ? high : 0x10ffff;
        if (from > to || (from >= 0xd800 && to <= 0xdfff))
            return 0;
        return have;
    }
    if (value < smallest || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff))
        return 0;
    return n;
}

/* Is in[0..length) a prefix of valid UTF-8? *complete: is it all whole characters? */
static int rule_valid_prefix(const unsigned char *in, size_t length, int *complete)
{
    size_t at = 0;
    *complete = 1;
    while (at < length) {
        size_t n = rule_character(in + at, length - at, 1);
        if (n == 0)
            return 0;
        if (at + n == length && rule_character(in + at, length - at, 0) == 0)
            *complete = 0;
        at += n;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 100000)
        return 0;
    size_t cut = data[0] % (size);
    const unsigned char *text = data + 1;
    size_t length = size - 1;
    if (cut > length)
        cut = length;

    int complete;
    int valid = rule_valid_prefix(text, length, &complete);
    struct utf8_state u;
    utf8_init(&u);
    int rc = utf8_feed(&u, text, length);
    FUZZ_CHECK((rc == 0) == valid);
    if (valid)
        FUZZ_CHECK(utf8_complete(&u) == complete);

    /* In two pieces: the same verdict. */
    utf8_init(&u);
    rc = utf8_feed(&u, text, cut);
    if (rc == 0)
        rc = utf8_feed(&u, text + cut, length - cut);
    FUZZ_CHECK((rc == 0) == valid);
    if (valid)
        FUZZ_CHECK(utf8_complete(&u) == complete);

    /* Cleaning. */
    char *in = fuzz_copy(text, length);
    char *out = fuzz_buffer(UTF8_CLEAN_SIZE(length));
    size_t out_length = utf8_clean(in, length, out);
    FUZZ_CHECK(out_length <= UTF8_CLEAN_SIZE(length));
    int out_complete;
    FUZZ_CHECK(rule_valid_prefix((const unsigned char *)out, out_length, &out_complete));
    FUZZ_CHECK(out_complete);
    FUZZ_CHECK(out_length == 0 || memchr(out, '\r', out_length) == NULL);
    if (valid && complete && memchr(in, '\r', length) == NULL)
        FUZZ_CHECK(out_length == length && (length == 0 || memcmp(in, out, length) == 0));
    free(in);
    free(out);
    return 0;
}
