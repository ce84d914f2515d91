/* Reference answer to exercise 5.2 (the server's own is common/base64.c). */
#include "exercises.h"

int base64_encode_bytes(const unsigned char *data, size_t length, char *out,
                        size_t out_size)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t needed = (length + 2) / 3 * 4;
    if (needed + 1 > out_size)
        return -1;
    char *o = out;
    for (size_t i = 0; i < length; i += 3) {
        unsigned long group = (unsigned long)data[i] << 16;
        if (i + 1 < length)
            group |= (unsigned long)data[i + 1] << 8;
        if (i + 2 < length)
            group |= data[i + 2];
        o[0] = alphabet[group >> 18 & 63];
        o[1] = alphabet[group >> 12 & 63];
        o[2] = alphabet[group >> 6 & 63];
        o[3] = alphabet[group & 63];
        /* Fewer than three bytes: '=' stands for each character they do not fill. */
        if (i + 1 >= length)
            o[2] = '=';
        if (i + 2 >= length)
            o[3] = '=';
        o += 4;
    }
    *o = '\0';
    return (int)needed;
}
