/* fuzz_ws_handshake.c: chapter 5's WebSocket handshake check, ws_check_handshake()
 * and ws_origin_matches_host() in chapters/05-web-push/websocket.c, on any request
 * head (parsed first by common's http_parse_head, as pushd does).
 *
 * What must hold:
 *   - the verdict is 0 (101), 400, 403 or 426, and 0 only for GET over HTTP/1.1 or
 *     later, with a key that is the base64 of 16 bytes, version 13, and an Origin
 *     (if any) naming Host's host and port; 403 only with an Origin;
 *   - Sec-WebSocket-Accept is base64(SHA-1(key + GUID)), 28 characters;
 *   - header names and the tokens compare without regard to case: the same head
 *     with every header name lower-cased, or upper-cased, gets the same verdict.
 */
#include "websocket.h"

#include "base64.h"
#include "sha1.h"

#include "fuzz.h"

#include <ctype.h>

static struct http_request first, second;

/* Rebuild the parsed head with header names in one case. Returns its length. */
static size_t recase(const struct http_request *req, int upper, char *out, size_t size)
{
    size_t o = 0;
    int n = snprintf(out, size, "%s %s %s\r\n", req->request_line.method,
                     req->request_line.target, req->request_line.version);
    if (n < 0 || (size_t)n >= size)
        return 0;
    o = (size_t)n;
    for (size_t i = 0; i < req->header_count; i++) {
        char name[HTTP_MAX_HEADER_BYTES];
        size_t k;
        for (k = 0; req->headers[i].name[k] != '\0' && k + 1 < sizeof name; k++) {
            unsigned char c = (unsigned char)req->headers[i].name[k];
            name[k] = (char)(upper ? toupper(c) : tolower(c));
        }
        name[k] = '\0';
        n = snprintf(out + o, size - o, "%s: %s\r\n", name, req->headers[i].value);
        if (n < 0 || (size_t)n >= size - o)
            return 0;
        o += (size_t)n;
    }
    if (o + 2 >= size)
        return 0;
    memcpy(out + o, "\r\n", 2);
    return o + 2;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > HTTP_MAX_HEAD_BYTES)
        return 0;
    char *text = fuzz_copy(data, size);
    http_request_init(&first);
    int status = http_parse_head(&first, text, size);
    if (status == HTTP_HEAD_INCOMPLETE || status == 400 || status == 414 ||
        status == 431 || status == 505 || !first.complete) {
        free(text);
        return 0; /* pushd answers these before it looks at /ws */
    }
    char accept[WS_ACCEPT_SIZE];
    int verdict = ws_check_handshake(&first, accept);
    FUZZ_CHECK(verdict == 0 || verdict == 400 || verdict == 403 || verdict == 426);
    const char *origin = http_header_value(&first, "Origin");
    if (verdict == 403)
        FUZZ_CHECK(origin != NULL);
    if (verdict == 0) {
        FUZZ_CHECK(strcmp(first.request_line.method, "GET") == 0);
        FUZZ_CHECK(first.request_line.major == 1 && first.request_line.minor >= 1);
        FUZZ_CHECK(strcmp(http_header_value(&first, "Sec-WebSocket-Version"), "13") == 0);
        const char *key = http_header_value(&first, "Sec-WebSocket-Key");
        unsigned char nonce[32];
        FUZZ_CHECK(base64_decode(key, strlen(key), nonce, sizeof nonce) == 16);
        FUZZ_CHECK(origin == NULL ||
                   ws_origin_matches_host(origin, http_header_value(&first, "Host")));
        /* The accept key, computed again the long way. */
        char joined[256];
        snprintf(joined, sizeof joined, "%s%s", key, WS_GUID);
        unsigned char digest[SHA1_DIGEST_SIZE];
        sha1(joined, strlen(joined), digest);
        char want[WS_ACCEPT_SIZE];
        FUZZ_CHECK(base64_encode(digest, sizeof digest, want, sizeof want) == 28);
        FUZZ_CHECK(strcmp(accept, want) == 0);
    }
    /* The same head, header names in one case, then the other. */
    static char again[HTTP_MAX_HEAD_BYTES + 4096];
    for (int upper = 0; upper < 2; upper++) {
        size_t length = recase(&first, upper, again, sizeof again);
        if (length == 0)
            continue;
        http_request_init(&second);
        if (http_parse_head(&second, again, length) != status || !second.complete)
            continue; /* the rebuilt head is another request (a header was dropped) */
        if (second.header_count != first.header_count)
            continue;
        char accept2[WS_ACCEPT_SIZE];
        FUZZ_CHECK(ws_check_handshake(&second, accept2) == verdict);
        if (verdict == 0)
            FUZZ_CHECK(strcmp(accept, accept2) == 0);
    }
    free(text);
    return 0;
}
