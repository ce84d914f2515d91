/* reply.c: see reply.h. */
#include "reply.h"
#include "io.h"
#include "log.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* Format the head of a response into buf and record its status. Returns its length,
 * or 0 if it does not fit. */
static size_t format_head(struct http_reply *reply, int status, const char *type,
                          long long length, time_t modified, const char *location,
                          char *buf, size_t size)
{
    struct http_head resp = {
        .version = reply->version,
        .status = status,
        .server = reply->server,
        .content_type = type,
        .content_length = length,
        .last_modified = modified,
        .location = location,
        .allow = status == 405 ? "GET, HEAD" : NULL,
        .connection = reply->connection,
    };
    int n = http_format_head(&resp, buf, size);
    reply->status = status;
    return n < 0 ? 0 : (size_t)n;
}

int http_send_bytes(struct http_reply *reply, const char *data, size_t length)
{
    if (reply->trace != NULL)
        reply->trace(reply->fd, LOG_SENT, data, length);
    return io_write_all(reply->fd, data, length, reply->timeout_ms) < 0 ? -1 : 0;
}

/* The head and the first piece of the file leave in a single write, so a small file
 * is one packet, not two (and never waits on Nagle's algorithm, see chapter 2). */
int http_send_file(struct http_reply *reply, const struct http_file *file)
{
    static char buf[REPLY_CHUNK_SIZE];
    size_t used =
        format_head(reply, 200, http_mime_type(file->real_path), (long long)file->size,
                    file->modified, NULL, buf, sizeof buf);
    if (used == 0) {
        errno = ENOBUFS;
        return -1;
    }
    reply->body_bytes = -1;
    if (reply->head_only)
        return http_send_bytes(reply, buf, used);

    long long left = (long long)file->size;
    reply->body_bytes = 0;
    while (left > 0 || used > 0) {
        size_t room = sizeof buf - used;
        size_t want = (long long)room < left ? room : (size_t)left;
        ssize_t n = want > 0 ? read(file->fd, buf + used, want) : 0;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0 && used == 0) {
            /* The file shrank under us. The head promised more bytes than we can
             * send; the caller closes the connection, which tells the client. */
            errno = EIO;
            return -1;
        }
        left -= n;
        if (http_send_bytes(reply, buf, used + (size_t)n) < 0)
            return -1;
        reply->body_bytes += n; /* only once sent: the log counts what left */
        used = 0;
    }
    return 0;
}

int http_send_not_modified(struct http_reply *reply, const struct http_file *file)
{
    char head[1024];
    size_t used =
        format_head(reply, 304, NULL, -1, file->modified, NULL, head, sizeof head);
    if (used == 0) {
        errno = ENOBUFS;
        return -1;
    }
    reply->body_bytes = -1;
    return http_send_bytes(reply, head, used);
}

/* An error page (or a 301 with its Location) is small: head and body in one write.
 * Small, but not tiny: a Location may hold a whole encoded path (HTTP_LOCATION_SIZE). */
int http_send_status(struct http_reply *reply, int status, const char *location)
{
    char body[512];
    static char response[1024 + HTTP_LOCATION_SIZE + sizeof body];
    int body_length = http_error_body(status, body, sizeof body);
    if (body_length < 0)
        body_length = 0;
    size_t used = format_head(reply, status, "text/html; charset=utf-8", body_length, 0,
                              location, response, sizeof response);
    if (used == 0) {
        errno = ENOBUFS;
        return -1;
    }
    reply->body_bytes = -1;
    if (!reply->head_only) {
        if ((size_t)body_length > sizeof response - used) {
            errno = ENOBUFS; /* cannot happen with the sizes above; never write past */
            return -1;
        }
        memcpy(response + used, body, (size_t)body_length);
        used += (size_t)body_length;
        reply->body_bytes = body_length;
    }
    return http_send_bytes(reply, response, used);
}
