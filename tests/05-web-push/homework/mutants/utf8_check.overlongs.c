/* Planted wrong answer for exercise utf8_check: no narrower range after E0 and F0:
 * overlong forms pass. */
#include "exercises.h"

static unsigned int pack(unsigned int expected, unsigned int low, unsigned int high)
{
    return expected | low << 8 | high << 16;
}

int utf8_check(unsigned int *state, const unsigned char *bytes, size_t length)
{
    unsigned int s = *state;
    for (size_t i = 0; i < length; i++) {
        unsigned int b = bytes[i];
        unsigned int expected = s & 0xff;
        if (expected > 0) {
            if (b < (s >> 8 & 0xff) || b > (s >> 16 & 0xff))
                return -1;
            s = expected == 1 ? 0 : pack(expected - 1, 0x80, 0xbf);
        } else if (b < 0x80) {
            continue;
        } else if (b >= 0xc2 && b <= 0xdf) {
            s = pack(1, 0x80, 0xbf);
        } else if (b >= 0xe0 && b <= 0xef) {
            s = pack(2, 0x80, b == 0xed ? 0x9f : 0xbf);
        } else if (b >= 0xf0 && b <= 0xf4) {
            s = pack(3, b == 0xf0 ? 0x90 : 0x80, b == 0xf4 ? 0x8f : 0xbf);
        } else {
            return -1; /* a stray continuation byte, C0, C1, F5-FF */
        }
        *state = s;
    }
    *state = s;
    return s == 0 ? 0 : 1;
}
