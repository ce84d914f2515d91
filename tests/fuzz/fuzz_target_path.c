/* fuzz_target_path.c: from a request target to a file, the way chapters 1 and 2 do it.
 *
 *   http_target_path          "/a%20b/../c?q" -> "/a b/../c"  (percent-decoding)
 *   http_remove_dot_segments  "/a b/../c"     -> "/c"         (or 403 above the root)
 *   http_open_file            root + "/c"     -> an open file (realpath() inside root)
 *   http_encode_path          "/c"            -> "/c"         (the Location of a 301)
 *   http_find_file            all of the above in one call, as the servers make it
 *
 * The property that matters most: whatever the target, a path that comes out clean has
 * no "." or ".." segment left, so joined to any root it cannot climb out of it; and
 * the file actually opened (symlinks followed) is inside the real root. The document
 * root used here is made once per process and holds the traps of a real one: symlinks
 * to a secret outside it, to a sibling folder whose name starts with the root's
 * ("www-secret"), to "..", to "/", and a symlink loop.
 *
 * The decoding and the dot-segment removal are also compared with a plain second
 * reading of the rules (RFC 3986 §2.1 and §5.2.4, DESIGN.md §3.1), and every output
 * buffer is exactly as large as the caller says, so a byte written past it crashes.
 */
#define _XOPEN_SOURCE 700 /* realpath() */
#include "http.h"

#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- The document root --------------------------------------------------------------
 */

static char parent_dir[256];     /* holds secret, www-secret/ and www/ */
static char real_root[PATH_MAX]; /* parent_dir/www, as a real path */

static void make_file(const char *name, const char *text)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", parent_dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    FUZZ_CHECK(fd >= 0);
    FUZZ_CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
}

static void make_dir(const char *name)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", parent_dir, name);
    FUZZ_CHECK(mkdir(path, 0755) == 0);
}

static void make_link(const char *target, const char *name)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", parent_dir, name);
    FUZZ_CHECK(symlink(target, path) == 0);
}

static void remove_parent_dir(void)
{
    static const char *const names[] = {
        "www/link-in",
        "www/link-sub",
        "www/link-out",
        "www/link-sib",
        "www/link-up",
        "www/link-root",
        "www/loop",
        "www/sub/b.txt",
        "www/sub/index.html",
        "www/index.html",
        "www/a.txt",
        "www/with space.txt",
        "www/100%.txt",
        "www/caf\xc3\xa9.txt",
        "www/.hidden",
        "www-secret/file",
        "secret",
    };
    static const char *const dirs[] = {"www/sub", "www/empty", "www", "www-secret", ""};
    char path[PATH_MAX];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", parent_dir, names[i]);
        unlink(path);
    }
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", parent_dir, dirs[i]);
        rmdir(path);
    }
}

static void make_root(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(parent_dir, sizeof parent_dir, "%s/hvs-fuzz-XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    FUZZ_CHECK(mkdtemp(parent_dir) != NULL);
    atexit(remove_parent_dir);
    make_file("secret", "SECRET\n");
    make_dir("www-secret");
    make_file("www-secret/file", "SECRET\n");
    make_dir("www");
    make_file("www/index.html", "<title>index</title>\n");
    make_file("www/a.txt", "a\n");
    make_file("www/with space.txt", "space\n");
    make_file("www/100%.txt", "percent\n");
    make_file("www/caf\xc3\xa9.txt", "utf-8\n");
    make_file("www/.hidden", "dot file\n");
    make_dir("www/sub");
    make_file("www/sub/index.html", "<title>sub</title>\n");
    make_file("www/sub/b.txt", "b\n");
    make_dir("www/empty");
    make_link("a.txt", "www/link-in");
    make_link("sub", "www/link-sub");
    make_link("../secret", "www/link-out");
    make_link("../www-secret/file", "www/link-sib");
    make_link("..", "www/link-up");
    make_link("/", "www/link-root");
    make_link("loop", "www/loop");
    char root[PATH_MAX];
    snprintf(root, sizeof root, "%s/www", parent_dir);
    FUZZ_CHECK(http_real_root(root, real_root) == 0);
}

/* ---- The rules, read plainly ------------------------------------------------------ */

static int rule_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode target the way http_target_path must: its status, and the path in out
 * (large enough). */
static int rule_target_path(const char *target, char *out)
{
    const char *start = target;
    if (strncasecmp(target, "http://", 7) == 0) {
        start = target + 7;
        while (*start != '\0' && *start != '/' && *start != '?' && *start != '#')
            start++;
        if (*start != '/') {
            strcpy(out, "/");
            return 0;
        }
    } else if (target[0] != '/') {
        return 400;
    }
    size_t used = 0;
    for (const char *p = start; *p != '\0' && *p != '?' && *p != '#'; p++) {
        char c = *p;
        if (c == '%') {
            /* '?', '#' and the final NUL are no hex digits: a cut-off escape fails */
            int high = rule_hex(p[1]);
            int low = high < 0 ? -1 : rule_hex(p[2]);
            if (high < 0 || low < 0)
                return 400;
            c = (char)(high * 16 + low);
            if (c == '\0')
                return 400;
            p += 2;
        }
        out[used++] = c;
    }
    out[used] = '\0';
    return 0;
}

/* RFC 3986 §5.2.4 on an absolute path, as a stack of segments, except that ".." with
 * nothing left to remove is a 403. out is large enough. */
static int rule_remove_dot_segments(const char *path, char *out)
{
    size_t used = 0; /* out[0 .. used) is "/seg/seg..." */
    const char *p = path;
    if (*p != '/')
        return 400;
    while (*p == '/') {
        const char *segment = p + 1;
        size_t length = strcspn(segment, "/");
        int last = segment[length] == '\0';
        int dot = length == 1 && segment[0] == '.';
        int dot_dot = length == 2 && segment[0] == '.' && segment[1] == '.';
        if (dot_dot) {
            if (used == 0)
                return 403;
            while (out[used - 1] != '/')
                used--;
            used--;
        }
        if (dot || dot_dot) {
            if (last)
                out[used++] = '/';
        } else {
            out[used++] = '/';
            memcpy(out + used, segment, length);
            used += length;
        }
        p = segment + length;
    }
    if (used == 0)
        out[used++] = '/';
    out[used] = '\0';
    return 0;
}

/* Is there a segment "." or ".." in path? */
static int has_dot_segment(const char *path)
{
    const char *p = path;
    while (*p != '\0') {
        while (*p == '/')
            p++;
        size_t length = strcspn(p, "/");
        if ((length == 1 && p[0] == '.') || (length == 2 && p[0] == '.' && p[1] == '.'))
            return 1;
        p += length;
    }
    return 0;
}

/* Join root and path and resolve them lexically, as the file system would with no
 * symlinks: empty segments and "." vanish, ".." climbs. Is the result inside root? */
static int lexically_inside(const char *root, const char *path)
{
    static char joined[2 * PATH_MAX + 8];
    static char resolved[2 * PATH_MAX + 8];
    snprintf(joined, sizeof joined, "%s/%s", root, path);
    size_t used = 0;
    const char *p = joined;
    while (*p != '\0') {
        while (*p == '/')
            p++;
        size_t length = strcspn(p, "/");
        if (length == 2 && p[0] == '.' && p[1] == '.') {
            while (used > 0 && resolved[used - 1] != '/')
                used--;
            if (used > 0)
                used--;
        } else if (length > 0 && !(length == 1 && p[0] == '.')) {
            resolved[used++] = '/';
            memcpy(resolved + used, p, length);
            used += length;
        }
        p += length;
    }
    resolved[used] = '\0';
    size_t root_length = strlen(root);
    return strncmp(resolved, root, root_length) == 0 &&
           (resolved[root_length] == '/' || resolved[root_length] == '\0');
}

static int is_inside(const char *root, const char *real)
{
    size_t length = strlen(root);
    return strncmp(real, root, length) == 0 &&
           (real[length] == '/' || real[length] == '\0');
}

/* ---- The checks ---------------------------------------------------------------------
 */

/* The same call with a buffer of fit bytes (enough: it must succeed) and one too
 * small for the result (414, without writing past it). */
static void check_buffer_sizes(int (*fn)(const char *, char *, size_t), const char *in,
                               const char *expected, size_t fit)
{
    char *out = fuzz_buffer(fit);
    FUZZ_CHECK(fn(in, out, fit) == 0);
    FUZZ_CHECK(strcmp(out, expected) == 0);
    free(out);
    size_t small = strlen(expected);
    out = fuzz_buffer(small);
    FUZZ_CHECK(fn(in, out, small) == 414);
    free(out);
}

static void check_encode_round_trip(const char *path)
{
    size_t size = 3 * strlen(path) + 1;
    char *encoded = fuzz_buffer(size);
    FUZZ_CHECK(http_encode_path(path, encoded, size) == 0);
    for (const char *p = encoded; *p != '\0'; p++)
        FUZZ_CHECK((unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f &&
                   strchr("\"<>\\^`{|}?# ", *p) == NULL);
    char *decoded = fuzz_buffer(strlen(path) + 1);
    FUZZ_CHECK(http_percent_decode(encoded, strlen(encoded), decoded, strlen(path) + 1) ==
               0);
    FUZZ_CHECK(strcmp(decoded, path) == 0);
    free(decoded);
    char *small = fuzz_buffer(strlen(encoded)); /* one byte short: -1, nothing past it */
    FUZZ_CHECK(http_encode_path(path, small, strlen(encoded)) == -1);
    free(small);
    free(encoded);
}

static int check_open(const char *clean)
{
    struct http_file file;
    int status = http_open_file(real_root, clean, &file);
    FUZZ_CHECK(status == 0 || status == 301 || status == 403 || status == 404);
    if (status == 0) {
        /* the property: what we opened is inside the root, whatever the symlinks */
        FUZZ_CHECK(is_inside(real_root, file.real_path));
        FUZZ_CHECK(strstr(file.real_path, "secret") == NULL);
        struct stat st;
        FUZZ_CHECK(fstat(file.fd, &st) == 0 && S_ISREG(st.st_mode));
        close(file.fd);
    }
    if (status == 301) /* only a directory named without its slash */
        FUZZ_CHECK(clean[strlen(clean) - 1] != '/');
    return status;
}

/* http_find_file, the three steps in one call as the servers make it: the same status
 * as the steps one by one, and for a 301 a Location that decodes to clean + "/". */
static void check_find_file(const char *target, int expected, const char *clean)
{
    struct http_file file;
    char *location = fuzz_buffer(HTTP_LOCATION_SIZE);
    int status = http_find_file(real_root, target, &file, location, HTTP_LOCATION_SIZE);
    FUZZ_CHECK(status == expected);
    if (status == 0) {
        FUZZ_CHECK(is_inside(real_root, file.real_path));
        close(file.fd);
    }
    if (status == 301) {
        size_t length = strlen(clean);
        char *decoded = fuzz_buffer(length + 2);
        FUZZ_CHECK(http_percent_decode(location, strlen(location), decoded, length + 2) ==
                   0);
        FUZZ_CHECK(strncmp(decoded, clean, length) == 0 && decoded[length] == '/' &&
                   decoded[length + 1] == '\0');
        free(decoded);
    }
    free(location);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (real_root[0] == '\0')
        make_root();
    /* A target comes from a request line: no NUL can be in it. */
    if (memchr(data, '\0', size) != NULL)
        return 0;
    char *target = fuzz_string(data, size);

    /* 1. Decode, in a buffer of the servers' size. */
    char *path = fuzz_buffer(HTTP_MAX_PATH + 1);
    char *expected = fuzz_buffer(size + 2);
    int status = http_target_path(target, path, HTTP_MAX_PATH + 1);
    int expected_status = rule_target_path(target, expected);
    FUZZ_CHECK(status == 0 || status == 400 || status == 414);
    if (expected_status == 0 && strlen(expected) > HTTP_MAX_PATH)
        expected_status = 414;
    FUZZ_CHECK(status == expected_status);
    if (status == 0) {
        FUZZ_CHECK(strcmp(path, expected) == 0);
        FUZZ_CHECK(path[0] == '/');
        /* decoding never needs more room than its result */
        check_buffer_sizes(http_target_path, target, path, strlen(path) + 1);
    }
    free(expected);

    /* 2. Resolve dot segments. */
    int expected_find = status; /* what http_find_file must say */
    if (status == 0) {
        char *clean = fuzz_buffer(HTTP_MAX_PATH + 1);
        char *rule = fuzz_buffer(strlen(path) + 2);
        int dots = http_remove_dot_segments(path, clean, HTTP_MAX_PATH + 1);
        expected_find = dots;
        FUZZ_CHECK(dots == 0 || dots == 403); /* the output is never longer */
        FUZZ_CHECK(dots == rule_remove_dot_segments(path, rule));
        if (dots == 0) {
            FUZZ_CHECK(strcmp(clean, rule) == 0);
            FUZZ_CHECK(clean[0] == '/');
            FUZZ_CHECK(!has_dot_segment(clean));
            /* (said the plain way too: "/..." and "/..x" are names, not climbs) */
            size_t length = strlen(clean);
            FUZZ_CHECK(strstr(clean, "/../") == NULL && strncmp(clean, "/../", 4) != 0);
            FUZZ_CHECK(!(length >= 3 && strcmp(clean + length - 3, "/..") == 0));
            FUZZ_CHECK(lexically_inside("/srv/www", clean));
            FUZZ_CHECK(lexically_inside(real_root, clean));
            /* ".." removes what was written before it: room for the input is enough */
            check_buffer_sizes(http_remove_dot_segments, path, clean, strlen(path) + 1);
            /* resolving again changes nothing */
            char *again = fuzz_buffer(strlen(clean) + 1);
            FUZZ_CHECK(http_remove_dot_segments(clean, again, strlen(clean) + 1) == 0);
            FUZZ_CHECK(strcmp(again, clean) == 0);
            free(again);
            /* 3. The file system, and the Location a 301 would carry. */
            expected_find = check_open(clean);
            check_encode_round_trip(clean);
        }
        check_find_file(target, expected_find, clean); /* clean is read only on 301 */
        free(rule);
        free(clean);
    } else {
        check_find_file(target, expected_find, "");
    }
    free(path);
    free(target);
    return 0;
}
