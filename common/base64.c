/* base64.c: see base64.h. */
#include "base64.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_encode(const void *data, size_t length, char *out, size_t out_size)
{
    const unsigned char *in = data;
    size_t need = (length + 2) / 3 * 4;
    if (out_size < need + 1 || need > (size_t)0x7fffffff)
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < length; i += 3) {
        /* Up to three bytes make 24 bits; each 6 of them pick one character. */
        size_t left = length - i;
        unsigned long bits = (unsigned long)in[i] << 16;
        if (left > 1)
            bits |= (unsigned long)in[i + 1] << 8;
        if (left > 2)
            bits |= in[i + 2];
        out[o++] = alphabet[(bits >> 18) & 63];
        out[o++] = alphabet[(bits >> 12) & 63];
        out[o++] = alphabet[(bits >> 6) & 63];
        out[o++] = alphabet[bits & 63];
        /* Fewer than three bytes: '=' stands for each character they do not fill. */
        if (left < 3)
            out[o - 1] = '=';
        if (left < 2)
            out[o - 2] = '=';
    }
    out[o] = '\0';
    return (int)o;
}

/* The 6-bit value of a character of the alphabet, or -1. Spelled out rather than
 * a 256-entry table: the alphabet is four ranges and two symbols. */
static int sextet(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int base64_decode(const char *text, size_t length, unsigned char *out, size_t out_size)
{
    if (length % 4 != 0)
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < length; i += 4) {
        int last = i + 4 == length;
        /* Padding: "xx==" or "xxx=", and only in the last group. */
        int padding = 0;
        if (last && text[i + 3] == '=')
            padding = text[i + 2] == '=' ? 2 : 1;
        unsigned long bits = 0;
        for (int k = 0; k < 4; k++) {
            int v = k < 4 - padding ? sextet(text[i + (size_t)k]) : 0;
            if (v < 0)
                return -1; /* outside the alphabet, or '=' in the wrong place */
            bits = bits << 6 | (unsigned long)v;
        }
        /* Non-canonical: bits that the padding says are unused must be zero. */
        if ((padding == 1 && (bits & 0xff) != 0) ||
            (padding == 2 && (bits & 0xffff) != 0))
            return -1;
        size_t bytes = 3 - (size_t)padding;
        if (out_size - o < bytes)
            return -1;
        out[o++] = (unsigned char)(bits >> 16);
        if (bytes > 1)
            out[o++] = (unsigned char)(bits >> 8);
        if (bytes > 2)
            out[o++] = (unsigned char)bits;
    }
    return (int)o;
}
