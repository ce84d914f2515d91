/* Planted wrong answer for exercise websocket_accept: the GUID copied in lower case. */
#include "exercises.h"

#include <stdio.h>
#include <string.h>

#define WEBSOCKET_GUID "258eafa5-e914-47da-95ca-c5ab0dc85b11"

int websocket_accept(const char *key, char out[29])
{
    size_t length = strlen(key);
    if (length != 24 || key[22] != '=' || key[23] != '=')
        return -1; /* not base64 of 16 bytes */
    char joined[24 + sizeof WEBSOCKET_GUID];
    snprintf(joined, sizeof joined, "%s%s", key, WEBSOCKET_GUID);
    unsigned char digest[20];
    sha1_digest(joined, strlen(joined), digest);
    return base64_encode_bytes(digest, sizeof digest, out, 29) == 28 ? 0 : -1;
}
