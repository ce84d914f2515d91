/* http.c: the half of http.h that does I/O: reading a request from a socket, finding
 * and opening the file it names, and formatting a response head. The text-only
 * parsing is in http_parse.c. */

/* realpath() is POSIX, but glibc declares it only when the X/Open (XSI) interfaces
 * are asked for. */
/* NOLINTNEXTLINE(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#define _XOPEN_SOURCE 700
#include "http.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- Reading a request ------------------------------------------------------------ */

/* Copy a line out of the received bytes into req->storage as a C string. The
 * caller has checked that it fits and holds no NUL byte. */
static char *store_line(struct http_request *req, const char *bytes, size_t length)
{
    char *copy = req->storage + req->storage_used;
    memcpy(copy, bytes, length);
    copy[length] = '\0';
    req->storage_used += length + 1;
    return copy;
}

void http_request_init(struct http_request *req)
{
    req->line[0] = '\0';
    memset(&req->request_line, 0, sizeof req->request_line);
    req->header_count = 0;
    req->complete = 0;
    req->bad_header = 0;
    req->storage_used = 0;
    req->parsed = 0;
    req->head_length = 0;
    req->have_line = 0;
    req->line_status = 0;
    req->header_status = 0;
    req->header_bytes = 0;
    req->header_lines = 0;
}

/* The request line, once it has arrived. RFC 9112 §2.2: a server should ignore empty
 * lines received before it (some old clients send a CRLF after a POST body). Returns
 * HTTP_HEAD_INCOMPLETE, 0 when it parsed (req->line_status holds its verdict), or
 * the status that ends the request: 400 or 414. */
static int parse_request_line(struct http_request *req, const char *bytes, size_t length)
{
    struct io_line line;
    for (;;) {
        int rc = io_find_line(bytes, length, req->parsed, HTTP_MAX_REQUEST_LINE, &line);
        if (rc == IO_INCOMPLETE)
            return HTTP_HEAD_INCOMPLETE;
        if (rc == IO_TOO_LONG)
            return 414;
        if (line.length > 0)
            break;
        req->parsed = line.next;
        if (req->parsed > HTTP_MAX_EMPTY_LINE_BYTES)
            return 400; /* a flood of empty lines is not a request */
    }
    memcpy(req->line, bytes + line.offset, line.length);
    req->line[line.length] = '\0';
    if (memchr(bytes + line.offset, '\0', line.length) != NULL)
        return 400;
    char *copy = store_line(req, bytes + line.offset, line.length);
    req->line_status = http_parse_request_line(copy, &req->request_line);
    if (req->line_status == 400)
        return 400; /* we cannot even tell where this request ends */
    req->parsed = line.next;
    req->have_line = 1;
    return 0;
}

/* The header lines, up to the empty line. Returns HTTP_HEAD_INCOMPLETE, or 0 when
 * the head has ended (complete, or cut short by 431). */
static int parse_header_lines(struct http_request *req, const char *bytes, size_t length)
{
    struct io_line line;
    for (;;) {
        /* A line may use what is left of the header allowance, and no more: checking
         * only the total after the fact would let one huge line fill the buffer. */
        int rc = io_find_line(bytes, length, req->parsed,
                              HTTP_MAX_HEADER_BYTES - req->header_bytes, &line);
        if (rc == IO_INCOMPLETE)
            return HTTP_HEAD_INCOMPLETE;
        if (rc == IO_TOO_LONG) {
            req->header_status = 431;
            return 0;
        }
        req->parsed = line.next;
        if (line.length == 0) { /* the empty line: the head is complete */
            req->complete = 1;
            return 0;
        }
        req->header_bytes += line.next - line.offset;
        if (req->header_bytes > HTTP_MAX_HEADER_BYTES ||
            ++req->header_lines > HTTP_MAX_HEADERS) {
            req->header_status = 431;
            return 0;
        }
        const char *start = bytes + line.offset;
        int status = 400;
        if (memchr(start, '\0', line.length) == NULL) {
            char *copy = store_line(req, start, line.length);
            status = http_parse_header_line(copy, &req->headers[req->header_count]);
        }
        if (status != 0)
            req->bad_header = 1; /* see http.h: chapter 2 must not keep the connection */
        if (status == 0)
            req->header_count++;
        else if (req->header_status == 0)
            req->header_status = status; /* keep going: the head's end is still wanted */
    }
}

int http_parse_head(struct http_request *req, const char *bytes, size_t length)
{
    int status = 0;
    if (!req->have_line)
        status = parse_request_line(req, bytes, length);
    if (status == 0)
        status = parse_header_lines(req, bytes, length);
    if (status == HTTP_HEAD_INCOMPLETE)
        return status;
    /* Decided. A head cut short leaves its rest unread: count all we have as its. */
    req->head_length = req->complete ? req->parsed : length;
    if (status != 0)
        return status; /* 400 or 414 for the request line */
    return req->line_status != 0 ? req->line_status : req->header_status;
}

/* The reader must hold a whole head: see http_read_request. */
_Static_assert(IO_READER_CAPACITY >= HTTP_MAX_HEAD_BYTES,
               "io_reader too small for a head");

int http_read_request(struct io_reader *r, struct http_request *req,
                      long long deadline_ms)
{
    http_request_init(req);
    for (;;) {
        int status = http_parse_head(req, io_reader_bytes(r), io_reader_length(r));
        if (status != HTTP_HEAD_INCOMPLETE) {
            io_reader_consume(r, req->head_length);
            return status;
        }
        /* The reader holds IO_READER_CAPACITY >= HTTP_MAX_HEAD_BYTES, so it never
         * fills before a verdict; it fails only on the peer's account. */
        if (io_reader_fill(r, deadline_ms) <= 0)
            return HTTP_NO_RESPONSE; /* closed, reset or silent: nobody to answer */
    }
}

/* ---- From path to file ------------------------------------------------------------- */

/* Is real (a path with no symlinks) the root itself or inside it? A plain prefix test
 * would let "/srv/www-secret" pass for root "/srv/www": the next byte must be a '/'. */
static int is_inside(const char *root, const char *real)
{
    size_t root_length = strlen(root);
    if (root_length == 1 && root[0] == '/')
        return 1;
    return strncmp(real, root, root_length) == 0 &&
           (real[root_length] == '/' || real[root_length] == '\0');
}

/* Map realpath()'s failure to a status: missing 404, forbidden 403. */
static int status_for_errno(int error)
{
    switch (error) {
    case ENOENT:
    case ENOTDIR:
    case ENAMETOOLONG: /* a name longer than the file system allows: no such file */
        return 404;
    case EACCES:
    case ELOOP:
        return 403;
    default:
        return 500;
    }
}

/* Resolve root + path to a real path inside root. Returns 0 or a status. */
static int resolve_inside(const char *root, const char *path, char *real)
{
    char joined[PATH_MAX];
    int n = snprintf(joined, sizeof joined, "%s%s", root, path);
    if (n < 0 || (size_t)n >= sizeof joined)
        return 404; /* no file can have a path this long */
    /* realpath() follows every symlink and removes every "." and "..": what it returns
     * is where the kernel would really go, so that is what we check against the root. */
    if (realpath(joined, real) == NULL)
        return status_for_errno(errno);
    return is_inside(root, real) ? 0 : 403;
}

int http_find_file(const char *root, const char *target, struct http_file *f,
                   char *location, size_t location_size)
{
    char path[HTTP_MAX_PATH + 1];
    char clean[HTTP_MAX_PATH + 2]; /* room for the slash a redirect adds */

    /* Decode the target once, resolve "." and "..", then look at the disk: in this
     * order, so that "%2e%2e/" is a ".." by the time we check for climbing out. */
    int status = http_target_path(target, path, sizeof path);
    if (status == 0)
        status = http_remove_dot_segments(path, clean, sizeof clean - 1);
    if (status == 0)
        status = http_open_file(root, clean, f);

    if (status == 301) {
        /* A directory asked for without its slash: send the browser to "dir/", so
         * that relative links inside dir/index.html resolve inside dir/. */
        size_t length = strlen(clean);
        clean[length] = '/';
        clean[length + 1] = '\0';
        if (http_encode_path(clean, location, location_size) < 0)
            return 414;
    }
    return status;
}

int http_real_root(const char *dir, char *out)
{
    struct stat st;
    if (realpath(dir, out) == NULL || stat(out, &st) < 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

/* Does path hold a "." or ".." segment? The servers resolve them first
 * (http_remove_dot_segments), but http_open_file() must be safe without that. */
static int has_dot_segment(const char *path)
{
    for (const char *p = path; (p = strstr(p, "/.")) != NULL; p++) {
        size_t dots = p[2] == '.' ? 2 : 1;
        if (p[1 + dots] == '/' || p[1 + dots] == '\0')
            return 1;
    }
    return 0;
}

/* Does a directory between root and the last component of joined (root + path) exist
 * as a symlink? lstat() each one: none for a file in the root itself. Returns 1, 0,
 * or -1 with errno (a component missing, say). */
static int symlink_below_root(char *joined, size_t root_length)
{
    struct stat st;
    for (char *slash = strchr(joined + root_length + 1, '/'); slash != NULL;
         slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        int rc = lstat(joined, &st);
        *slash = '/';
        if (rc < 0)
            return -1;
        if (S_ISLNK(st.st_mode))
            return 1;
    }
    return 0;
}

/* Open root + path for reading, inside the root, and fstat() it.
 *
 * The sure way is realpath() and a prefix check (resolve_inside), but it asks the
 * kernel about every component of the path, the root's own included, on every
 * request: three failing readlink() calls for /srv/www/a.txt. We can do with fewer.
 * The root is already real (http_real_root), and path has no "." or ".." left, so
 * only a symlink below the root can lead out of it. So: lstat() the directories
 * between root and file (none for a file in the root), then open the last component
 * with O_NOFOLLOW, which refuses to follow a symlink. No symlink (and no "..")
 * anywhere means that root + path is the real path, inside the root: two system
 * calls (open, fstat) for a file in the root instead of six. A symlink anywhere: the
 * sure way, as before.
 * O_NONBLOCK: a FIFO must not make open() wait for a writer (it is refused below);
 * O_NOCTTY: a terminal device must not become ours. */
static int open_inside(const char *root, const char *path, struct http_file *f,
                       struct stat *st)
{
    const int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY;
    size_t root_length = strlen(root);
    int n = snprintf(f->real_path, sizeof f->real_path, "%s%s", root, path);
    if (n < 0 || (size_t)n >= sizeof f->real_path)
        return 404; /* no file can have a path this long */
    int symlink =
        has_dot_segment(path) ? 1 : symlink_below_root(f->real_path, root_length);
    if (symlink < 0)
        return status_for_errno(errno);
    int fd = symlink ? -1 : open(f->real_path, flags | O_NOFOLLOW);
    if (fd < 0 && !symlink && errno != ELOOP && errno != EMLINK) /* EMLINK: BSD's ELOOP */
        return errno == EACCES ? 403 : status_for_errno(errno);
    if (fd < 0) { /* a symlink on the way: resolve it all and check where it leads */
        int status = resolve_inside(root, path, f->real_path);
        if (status != 0)
            return status;
        fd = open(f->real_path, flags);
        if (fd < 0)
            return errno == EACCES ? 403 : status_for_errno(errno);
    }
    if (fstat(fd, st) < 0) {
        close(fd);
        return 500;
    }
    f->fd = fd;
    return 0;
}

int http_open_file(const char *root, const char *path, struct http_file *f)
{
    struct stat st;
    int status = open_inside(root, path, f, &st);
    if (status != 0)
        return status;
    if (S_ISDIR(st.st_mode)) {
        close(f->fd);
        f->fd = -1;
        size_t length = strlen(path);
        if (length == 0 || path[length - 1] != '/')
            return 301; /* so that relative links in its index.html resolve */
        char index[PATH_MAX];
        int n = snprintf(index, sizeof index, "%sindex.html", path);
        if (n < 0 || (size_t)n >= sizeof index)
            return 403; /* no index.html can exist there */
        status = open_inside(root, index, f, &st);
        if (status == 404)
            return 403; /* a directory without index.html: we do not list directories */
        if (status != 0)
            return status;
    }
    if (!S_ISREG(st.st_mode)) {
        close(f->fd); /* a FIFO would block us, a device could be anything */
        f->fd = -1;
        return 403;
    }
    f->size = st.st_size;
    f->modified = st.st_mtime;
    return 0;
}

/* ---- Writing a response ------------------------------------------------------------ */

/* One sentence per error, for the error page: errors should teach too. */
static const char *status_explanation(int status)
{
    switch (status) {
    case 301:
        return "It has moved to the address in the Location header.";
    case 400:
        return "The request does not follow the HTTP syntax.";
    case 403:
        return "You may not read this path.";
    case 404:
        return "No file has this name.";
    case 405:
        return "This server only answers GET and HEAD.";
    case 413:
        return "The request body is larger than this server accepts.";
    case 414:
        return "The request target is longer than this server accepts.";
    case 426:
        return "This server speaks WebSocket version 13 only.";
    case 431:
        return "The request headers are larger than this server accepts.";
    case 500:
        return "The server failed while answering.";
    case 501:
        return "This server does not implement what the request asks (its method or its "
               "transfer coding).";
    case 503:
        return "The server is too busy; try again soon.";
    case 505:
        return "This server speaks HTTP/1.x only.";
    default:
        return "";
    }
}

/* Append text at *used; returns -1 once buf is full. A copy, not snprintf(): a head
 * is a dozen pieces, and formatting each one is most of what it costs to build. */
static int append(char *buf, size_t size, size_t *used, const char *text)
{
    size_t length = strlen(text);
    if (length >= size - *used)
        return -1;
    memcpy(buf + *used, text, length + 1);
    *used += length;
    return 0;
}

/* One header line, "Name: value\r\n". (|| and not |: || runs its operands left to
 * right, and the pieces must go in order; C leaves the order of | open.) */
static int append_header(char *buf, size_t size, size_t *used, const char *name,
                         const char *value)
{
    if (append(buf, size, used, name) < 0 || append(buf, size, used, ": ") < 0 ||
        append(buf, size, used, value) < 0 || append(buf, size, used, "\r\n") < 0)
        return -1;
    return 0;
}

/* A date, formatted at most once per second that it names: every response carries
 * the current second, and a file's Last-Modified is the same for every request for
 * it, so a busy server would otherwise format the same text thousands of times a
 * second (nginx keeps such a cached date too). Returns NULL if t cannot be formatted. */
struct date_cache {
    time_t when;
    char text[HTTP_DATE_SIZE];
};

static const char *cached_date(struct date_cache *cache, time_t t)
{
    if (cache->text[0] == '\0' || cache->when != t) {
        if (http_format_date(t, cache->text, sizeof cache->text) < 0) {
            cache->text[0] = '\0';
            return NULL;
        }
        cache->when = t;
    }
    return cache->text;
}

int http_format_head(const struct http_head *head, char *buf, size_t size)
{
    static struct date_cache now_cache, modified_cache;
    char number[32];
    size_t used = 0;
    const char *date = cached_date(&now_cache, time(NULL));
    if (size == 0 || date == NULL)
        return -1;
    buf[0] = '\0';
    snprintf(number, sizeof number, " %d ", head->status);
    int failed = append(buf, size, &used, head->version) < 0 ||
                 append(buf, size, &used, number) < 0 ||
                 append(buf, size, &used, http_status_text(head->status)) < 0 ||
                 append(buf, size, &used, "\r\n") < 0;
    failed |= append_header(buf, size, &used, "Date", date);
    failed |= append_header(buf, size, &used, "Server", head->server);
    if (head->content_type)
        failed |= append_header(buf, size, &used, "Content-Type", head->content_type);
    if (head->content_length >= 0) {
        snprintf(number, sizeof number, "%lld", head->content_length);
        failed |= append_header(buf, size, &used, "Content-Length", number);
    }
    if (head->last_modified != 0) {
        const char *modified = cached_date(&modified_cache, head->last_modified);
        if (modified == NULL)
            return -1;
        failed |= append_header(buf, size, &used, "Last-Modified", modified);
    }
    if (head->location)
        failed |= append_header(buf, size, &used, "Location", head->location);
    if (head->allow)
        failed |= append_header(buf, size, &used, "Allow", head->allow);
    if (head->connection)
        failed |= append_header(buf, size, &used, "Connection", head->connection);
    failed |= append(buf, size, &used, "\r\n");
    return failed ? -1 : (int)used;
}

int http_error_body(int status, char *buf, size_t size)
{
    char title[64];
    snprintf(title, sizeof title, "%d %s", status, http_status_text(status));
    int n = snprintf(buf, size,
                     "<!DOCTYPE html>\n<html><head><title>%s</title></head>\n"
                     "<body><h1>%s</h1><p>%s</p></body></html>\n",
                     title, title, status_explanation(status));
    return (n < 0 || (size_t)n >= size) ? -1 : n;
}
