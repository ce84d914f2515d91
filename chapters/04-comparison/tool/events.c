/* tool/events.c: the tool around chapter 4's lesson, not the lesson. See events.h. */
#include "events.h"

#include "../compare.h"
#include "options.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RANDOM_SEED    0x9E3779B97F4A7C15ULL
#define EVENT_LINE_MAX 64

unsigned long long events_random(struct events *e)
{
    unsigned long long x = e->random_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    e->random_state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* Events come at random moments, E ms apart on average (uniformly E/2 to 3E/2). Were
 * they exactly periodic, a poller with an interval that divides E would always ask at
 * the same moment after each event, and measure a fixed delay instead of P/2. */
static long long random_gap_us(struct events *e)
{
    long long mean = (long long)e->mean_ms * 1000;
    return mean / 2 + (long long)(events_random(e) % (unsigned long long)(mean + 1));
}

int events_init(struct events *e, long mean_ms, long secs)
{
    e->count = 0;
    e->capacity = secs * 1000 * 2 / mean_ms + 2; /* gaps are at least E/2 */
    e->stamp_us = calloc((size_t)e->capacity, sizeof *e->stamp_us);
    e->mean_ms = mean_ms;
    e->random_state = RANDOM_SEED;
    e->next_us = 0;
    return e->stamp_us != NULL ? 0 : -1;
}

void events_start(struct events *e, long long start_us)
{
    e->next_us = start_us + random_gap_us(e);
}

void events_free(struct events *e)
{
    free(e->stamp_us);
    e->stamp_us = NULL;
}

/* rename() is atomic, so the server opens either the old file or the new one, never
 * half of one. */
int events_write_file(const char *docroot, const char *path, const char *text,
                      size_t length)
{
    char temp_path[PATH_MAX + 32], final_path[PATH_MAX + 32];
    snprintf(temp_path, sizeof temp_path, "%s%s", docroot, EVENTS_TEMP_PATH);
    snprintf(final_path, sizeof final_path, "%s%s", docroot, path);
    int fd = open(temp_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    int ok = io_write_all(fd, text, length, -1) >= 0;
    if (close(fd) < 0)
        ok = 0;
    return ok && rename(temp_path, final_path) == 0 ? 0 : -1;
}

int events_publish(struct events *e, const char *docroot, const char *path,
                   struct conn *const publishers[], int publisher_count, char *why,
                   size_t why_size)
{
    char text[EVENT_LINE_MAX];
    long k = e->count;
    if (k == e->capacity)
        return -1;
    long long stamp = compare_now_us();
    int n = snprintf(text, sizeof text, "event %ld %lld\n", k, stamp);
    if (docroot[0] != '\0' && events_write_file(docroot, path, text, (size_t)n) < 0) {
        fprintf(stderr, "compare: writing %s: %s\n", path, strerror(errno));
        return -1;
    }
    e->stamp_us[e->count++] = stamp;
    n = snprintf(text, sizeof text, "event %ld %lld\n", k, compare_now_us());
    for (int i = 0; i < publisher_count; i++) {
        struct conn *publisher = publishers[i];
        if (publisher->fd >= 0 && conn_send(publisher, text, (size_t)n) < 0) {
            snprintf(why, why_size, "publishing client: %s", strerror(errno));
            conn_close(publisher);
        }
    }
    e->next_us += random_gap_us(e);
    return 0;
}

/* option_scan_number() reads one number and moves past it. sscanf("%ld") would be
 * shorter, but its behaviour is undefined when a number does not fit, and these bytes
 * come from a socket. */
int events_parse(const char *text, long *k, long long *stamp)
{
    static const char prefix[] = "event ";
    if (strncmp(text, prefix, sizeof prefix - 1) != 0)
        return -1;
    const char *cursor = text + sizeof prefix - 1;
    long long number;
    if (option_scan_number(&cursor, &number) < 0 || number < 0 || number > LONG_MAX ||
        option_scan_number(&cursor, stamp) < 0)
        return -1;
    *k = (long)number;
    return 0;
}
