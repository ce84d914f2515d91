/* Planted wrong answer for exercise websocket_accept: does not check the key. */
#include "exercises.h"

#include <stdio.h>
#include <string.h>

#define WEBSOCKET_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

int websocket_accept(const char *key, char out[29])
{
    size_t length = strlen(key);
    (void)length;
    char joined[24 + sizeof WEBSOCKET_GUID];
    snprintf(joined, sizeof joined, "%s%s", key, WEBSOCKET_GUID);
    unsigned char digest[20];
    sha1_digest(joined, strlen(joined), digest);
    return base64_encode_bytes(digest, sizeof digest, out, 29) == 28 ? 0 : -1;
}
