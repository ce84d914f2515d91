/* Mistake: compares the extension with strcmp(), so "PHOTO.JPG" is
 * served as application/octet-stream. */
#include "exercises.h"

#include <string.h>

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
            if (strcmp(dot + 1, types[i].extension) == 0)
                return types[i].type;
    return "application/octet-stream";
}
