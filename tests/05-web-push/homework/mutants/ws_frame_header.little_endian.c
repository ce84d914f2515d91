/* Planted wrong answer for exercise ws_frame_header: reads the extended length
 * little-endian. */
#include "exercises.h"

int ws_frame_header(const unsigned char *bytes, size_t length,
                    struct ws_frame_header *out)
{
    if (length < 2)
        return 0;
    size_t size = 2;
    uint64_t payload = bytes[1] & 0x7f;
    size_t extra = payload == 126 ? 2 : payload == 127 ? 8 : 0;
    int masked = bytes[1] >> 7;
    if (length < size + extra + (masked ? 4 : 0))
        return 0;
    if (extra > 0) {
        payload = 0;
        for (size_t i = 0; i < extra; i++)
            payload |= (uint64_t)bytes[size + i] << (8 * i);
        if (extra == 8 && payload >> 63)
            return -1; /* RFC 6455 §5.2: the most significant bit MUST be 0 */
        size += extra;
    }
    out->fin = bytes[0] >> 7;
    out->rsv = bytes[0] >> 4 & 7;
    out->opcode = bytes[0] & 15;
    out->masked = masked;
    out->payload_length = payload;
    for (int i = 0; i < 4; i++)
        out->mask[i] = masked ? bytes[size + (size_t)i] : 0;
    return (int)(size + (masked ? 4 : 0));
}
