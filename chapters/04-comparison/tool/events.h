/* tool/events.h: the tool around chapter 4's lesson, not the lesson.
 * Experiment 2's news: events made at random moments, each stamped with the time it
 * was made and published two ways at once, as a line of chat and as event.txt.
 */
#ifndef EVENTS_H
#define EVENTS_H

#include "conn.h"

#include <stddef.h>

#define EVENTS_TEMP_PATH "/.event.tmp" /* written, then renamed over event.txt */

struct events {
    long count, capacity; /* published so far: 0 .. count-1 */
    long long *stamp_us;  /* when each was made (compare_now_us) */
    long long next_us;    /* when the next one is due */
    long mean_ms;
    unsigned long long random_state;
};

/* Room for every event of secs seconds, mean_ms apart on average. Returns 0, or -1
 * (errno ENOMEM). */
int events_init(struct events *e, long mean_ms, long secs);
void events_free(struct events *e);

/* The clock starts: the first event is due a random gap after start_us. */
void events_start(struct events *e, long long start_us);

/* xorshift64*: a small pseudo-random generator. Seeded the same every run, it gives
 * the same pattern of event times every run. */
unsigned long long events_random(struct events *e);

/* Make the next event, "event K STAMP": written to docroot/path for the pollers
 * (unless docroot is ""), then sent by each publisher, a chat client (while it is
 * open; on an error it is closed, with why): one on chapter 3's server, one on
 * chapter 5's. Returns 0, or -1 when the file cannot be written (with a message on
 * stderr) or there is no room. */
int events_publish(struct events *e, const char *docroot, const char *path,
                   struct conn *const publishers[], int publisher_count, char *why,
                   size_t why_size);

/* Write text to docroot/path, whole: under another name first, then rename()d into
 * place. Returns 0, or -1 with errno. */
int events_write_file(const char *docroot, const char *path, const char *text,
                      size_t length);

/* "event K STAMP": K the event's number, STAMP when it was made. Returns 0, or -1 for
 * any other text. */
int events_parse(const char *text, long *k, long long *stamp);

#endif
