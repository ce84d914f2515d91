/* utf8.c: see utf8.h. The table is RFC 3629 §4's, read byte by byte. */
#include "utf8.h"

/* What a lead byte starts: how many continuation bytes follow, and the range of the
 * first of them (the later ones are always 80..BF). Returns 0 for a byte that can
 * never start a character: a continuation byte, C0 and C1 (they could only start
 * overlong forms), or F5..FF (beyond U+10FFFF). */
static unsigned lead_byte(unsigned char b, unsigned char *low, unsigned char *high)
{
    *low = 0x80;
    *high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf)
        return 1;
    if (b == 0xe0) {
        *low = 0xa0; /* E0 80..9F would be overlong */
        return 2;
    }
    if (b == 0xed) {
        *high = 0x9f; /* ED A0..BF would be a UTF-16 surrogate, D800..DFFF */
        return 2;
    }
    if (b >= 0xe1 && b <= 0xef)
        return 2;
    if (b == 0xf0) {
        *low = 0x90; /* F0 80..8F would be overlong */
        return 3;
    }
    if (b == 0xf4) {
        *high = 0x8f; /* F4 90.. would be above U+10FFFF */
        return 3;
    }
    if (b >= 0xf1 && b <= 0xf3)
        return 3;
    return 0;
}

void utf8_init(struct utf8_state *u)
{
    u->need = 0;
    u->low = 0x80;
    u->high = 0xbf;
}

int utf8_feed(struct utf8_state *u, const unsigned char *bytes, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        unsigned char b = bytes[i];
        if (u->need > 0) {
            if (b < u->low || b > u->high)
                return -1;
            u->need--;
            u->low = 0x80; /* only the first continuation byte has a special range */
            u->high = 0xbf;
        } else if (b >= 0x80) {
            u->need = lead_byte(b, &u->low, &u->high);
            if (u->need == 0)
                return -1;
        }
    }
    return 0;
}

int utf8_complete(const struct utf8_state *u)
{
    return u->need == 0;
}

/* The length of the valid character at in[0..length), or 0 if there is none. */
static size_t valid_character(const unsigned char *in, size_t length)
{
    if (in[0] < 0x80)
        return 1;
    unsigned char low, high;
    unsigned need = lead_byte(in[0], &low, &high);
    if (need == 0 || need >= length)
        return 0;
    for (unsigned k = 1; k <= need; k++) {
        if (in[k] < low || in[k] > high)
            return 0;
        low = 0x80;
        high = 0xbf;
    }
    return need + 1;
}

size_t utf8_clean(const char *in, size_t length, char *out)
{
    const unsigned char *bytes = (const unsigned char *)in;
    size_t o = 0;
    size_t i = 0;
    while (i < length) {
        size_t n = bytes[i] == '\r' ? 0 : valid_character(bytes + i, length - i);
        if (n == 0) {
            out[o++] = (char)0xef; /* U+FFFD, the replacement character */
            out[o++] = (char)0xbf;
            out[o++] = (char)0xbd;
            i++;
            continue;
        }
        for (size_t k = 0; k < n; k++)
            out[o++] = in[i + k];
        i += n;
    }
    return o;
}
