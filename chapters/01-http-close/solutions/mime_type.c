/* Reference answer to exercise 1.5. The same table as the server's
 * http_mime_type() in common/http_parse.c, written with the C library alone, since
 * your program links nothing else. */
#include "exercises.h"

#include <string.h>

/* strcasecmp() is POSIX, not C: compare ASCII letters without regard to case. */
static int same_ignoring_case(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        int x = (*a >= 'A' && *a <= 'Z') ? *a - 'A' + 'a' : *a;
        int y = (*b >= 'A' && *b <= 'Z') ? *b - 'A' + 'a' : *b;
        if (x != y)
            return 0;
    }
    return *a == *b;
}

const char *mime_type(const char *path)
{
    static const struct {
        const char *extension;
        const char *type;
    } types[] = {
        {"html", "text/html; charset=utf-8"},
        {"htm", "text/html; charset=utf-8"},
        {"css", "text/css; charset=utf-8"},
        {"js", "text/javascript; charset=utf-8"},
        {"json", "application/json"},
        {"txt", "text/plain; charset=utf-8"},
        {"png", "image/png"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"gif", "image/gif"},
        {"svg", "image/svg+xml"},
        {"ico", "image/x-icon"},
        {"pdf", "application/pdf"},
        {"wasm", "application/wasm"},
    };
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    const char *dot = strrchr(name, '.');
    if (dot != NULL && dot != name) /* ".profile" has no extension */
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (same_ignoring_case(dot + 1, types[i].extension))
                return types[i].type;
    return "application/octet-stream";
}
