/* tool/cli.c: the tool around chapter 4's lesson, not the lesson. See cli.h.
 *
 * The same parse_options() as every program in this project (chapter 3's chatd.c is
 * the model): getopt, one case per option, numbers through option_number(), and a
 * bad value answered with "compare: -X wants ..." and exit status 2. compare has
 * more options than there are good letters, so it uses getopt_long(): getopt's
 * sibling for "--name VALUE" and "--name=VALUE". It is not in POSIX, but Linux's C
 * libraries (glibc, musl), macOS and the BSDs all have it, in <getopt.h>.
 */
#include "cli.h"

#include "options.h"
#include "report.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#ifndef DEFAULT_ROOT /* the Makefile passes the project's top folder */
#define DEFAULT_ROOT "../.."
#endif

#define PROGRAM_NAME "compare"

/* The defaults, and the smaller --quick run that `make run` and the tests use. */
#define DEFAULT_EXCHANGES 2000
#define QUICK_EXCHANGES   1000
#define DEFAULT_EVENT_MS  100
#define DEFAULT_PUSH_SECS 20
#define QUICK_PUSH_SECS   5
#define MAX_EXCHANGES     10000000L
#define MAX_EVENT_MS      60000
#define MAX_PUSH_SECS     3600
#define MAX_POLL_MS       60000
#define MAX_IDLE          100000
static const long default_poll_ms[] = {50, 200, 1000};
static const long default_idle[] = {10, 100, 1000};
static const long quick_idle[] = {10, 100};

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: %s [--quick] [-n N] [--event-ms MS] [--push-secs S] [--poll LIST]\n"
        "               [--idle LIST] [--chat who|relay] [--only LIST]\n"
        "               [--csv | --markdown | --json] [--svg FILE] [-v]\n"
        "               [--ch1 HOST:PORT] [--ch2 HOST:PORT] [--ch3 HOST:PORT]\n"
        "               [--docroot DIR] [--root DIR]\n"
        "Measures chapter 1's close-after-response HTTP, chapter 2's keep-alive and\n"
        "chapter 3's chat socket side by side, starting the servers itself; where\n"
        "chapter 5 is built, its long polling, SSE and WebSocket join experiments 2, 3.\n"
        "  --quick          small fixed counts, the whole run in about 6 s (make run)\n"
        "  -n N             round trips per style (default %d; --quick %d)\n"
        "  --event-ms MS    mean time between pushed/polled events (default %d)\n"
        "  --push-secs S    how long events are published (default %d; --quick %d)\n"
        "  --poll LIST      polling intervals in ms (default 50,200,1000)\n"
        "  --idle LIST      idle connection counts (default 10,100,1000; --quick "
        "10,100)\n"
        "  --chat MODE      ch3's round trip: who (/who and its answer, the default) or\n"
        "                   relay (a line from one client relayed to a second)\n"
        "  --only LIST      run only some experiments: roundtrip,push,idle\n"
        "  --csv, --markdown, --json   output format (default: an aligned text table)\n"
        "  --svg FILE       also draw the results as an SVG chart in FILE\n"
        "  --ch1 HOST:PORT  use a running chapter 1 server (likewise --ch2, --ch3)\n"
        "  --docroot DIR    with --ch2: its document root, where compare writes "
        "event.txt\n"
        "  --root DIR       the project's top folder, where the servers are built\n"
        "                   (default %s)\n"
        "  -v               show the servers' logs on stderr\n"
        "  -h, --help       show this help\n",
        PROGRAM_NAME, DEFAULT_EXCHANGES, QUICK_EXCHANGES, DEFAULT_EVENT_MS,
        DEFAULT_PUSH_SECS, QUICK_PUSH_SECS, DEFAULT_ROOT);
}

/* A comma-separated list of numbers, "50,200,1000", each in [min, max]. */
static int parse_list(const char *text, long min, long max, long *out, int capacity,
                      int *count)
{
    char copy[256];
    if (snprintf(copy, sizeof copy, "%s", text) >= (int)sizeof copy)
        return -1;
    *count = 0;
    char *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item != NULL;
         item = strtok_r(NULL, ",", &save)) {
        if (*count == capacity || option_number(item, min, max, &out[*count]) < 0)
            return -1;
        (*count)++;
    }
    return *count > 0 ? 0 : -1;
}

static int parse_experiments(const char *text, int *out)
{
    char copy[128];
    if (snprintf(copy, sizeof copy, "%s", text) >= (int)sizeof copy)
        return -1;
    *out = 0;
    char *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item != NULL;
         item = strtok_r(NULL, ",", &save)) {
        if (strcmp(item, "roundtrip") == 0)
            *out |= EXPERIMENT_ROUNDTRIP;
        else if (strcmp(item, "push") == 0)
            *out |= EXPERIMENT_PUSH;
        else if (strcmp(item, "idle") == 0)
            *out |= EXPERIMENT_IDLE;
        else
            return -1;
    }
    return *out != 0 ? 0 : -1;
}

/* Find out now, not after a run of half a minute, that FILE cannot be written. */
static int writable(const char *path)
{
    FILE *f = fopen(path, "a");
    if (f == NULL)
        return 0;
    fclose(f);
    return 1;
}

/* What --quick or the defaults give to everything the command line left unset. */
static void fill_defaults(struct options *o)
{
    if (o->exchanges == 0)
        o->exchanges = o->quick ? QUICK_EXCHANGES : DEFAULT_EXCHANGES;
    if (o->event_ms == 0)
        o->event_ms = DEFAULT_EVENT_MS;
    if (o->push_secs == 0)
        o->push_secs = o->quick ? QUICK_PUSH_SECS : DEFAULT_PUSH_SECS;
    if (o->poll_count == 0) {
        o->poll_count = (int)(sizeof default_poll_ms / sizeof default_poll_ms[0]);
        memcpy(o->poll_ms, default_poll_ms, sizeof default_poll_ms);
    }
    if (o->idle_count == 0) {
        const long *list = o->quick ? quick_idle : default_idle;
        size_t size = o->quick ? sizeof quick_idle : sizeof default_idle;
        o->idle_count = (int)(size / sizeof list[0]);
        memcpy(o->idle, list, size);
    }
    if (o->experiments == 0)
        o->experiments = EXPERIMENT_ROUNDTRIP | EXPERIMENT_PUSH | EXPERIMENT_IDLE;
    if (o->root == NULL)
        o->root = DEFAULT_ROOT;
}

/* "compare: --poll wants ...": the message for a bad value, and the exit status. */
static int wants(const char *option, const char *what)
{
    fprintf(stderr, "%s: %s wants %s\n", PROGRAM_NAME, option, what);
    return 2;
}

/* The options with no one-letter name get codes above any character. */
enum {
    OPT_QUICK = 256,
    OPT_EVENT_MS,
    OPT_PUSH_SECS,
    OPT_POLL,
    OPT_IDLE,
    OPT_CHAT,
    OPT_ONLY,
    OPT_CSV,
    OPT_MARKDOWN,
    OPT_JSON,
    OPT_SVG,
    OPT_CH1, /* OPT_CH1 + 1 is --ch2, + 2 is --ch3 */
    OPT_CH2,
    OPT_CH3,
    OPT_DOCROOT,
    OPT_ROOT,
};

static const struct option long_options[] = {
    {"quick", no_argument, NULL, OPT_QUICK},
    {"exchanges", required_argument, NULL, 'n'},
    {"event-ms", required_argument, NULL, OPT_EVENT_MS},
    {"push-secs", required_argument, NULL, OPT_PUSH_SECS},
    {"poll", required_argument, NULL, OPT_POLL},
    {"idle", required_argument, NULL, OPT_IDLE},
    {"chat", required_argument, NULL, OPT_CHAT},
    {"only", required_argument, NULL, OPT_ONLY},
    {"csv", no_argument, NULL, OPT_CSV},
    {"markdown", no_argument, NULL, OPT_MARKDOWN},
    {"json", no_argument, NULL, OPT_JSON},
    {"svg", required_argument, NULL, OPT_SVG},
    {"ch1", required_argument, NULL, OPT_CH1},
    {"ch2", required_argument, NULL, OPT_CH2},
    {"ch3", required_argument, NULL, OPT_CH3},
    {"docroot", required_argument, NULL, OPT_DOCROOT},
    {"root", required_argument, NULL, OPT_ROOT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int cli_parse_options(int argc, char **argv, struct options *o)
{
    int opt;
    while ((opt = getopt_long(argc, argv, "n:vh", long_options, NULL)) != -1) {
        switch (opt) {
        case OPT_QUICK:
            o->quick = 1;
            break;
        case 'n':
            if (option_number(optarg, 1, MAX_EXCHANGES, &o->exchanges) < 0)
                return wants("-n", "1 to 10000000 round trips");
            break;
        case OPT_EVENT_MS:
            if (option_number(optarg, 1, MAX_EVENT_MS, &o->event_ms) < 0)
                return wants("--event-ms", "1 to 60000 ms");
            break;
        case OPT_PUSH_SECS:
            if (option_number(optarg, 1, MAX_PUSH_SECS, &o->push_secs) < 0)
                return wants("--push-secs", "1 to 3600 s");
            break;
        case OPT_POLL:
            if (parse_list(optarg, 1, MAX_POLL_MS, o->poll_ms, MAX_POLL_INTERVALS,
                           &o->poll_count) < 0)
                return wants("--poll", "1 to 6 intervals of 1 to 60000 ms, as 50,200");
            break;
        case OPT_IDLE:
            if (parse_list(optarg, 1, MAX_IDLE, o->idle, MAX_IDLE_COUNTS,
                           &o->idle_count) < 0)
                return wants("--idle", "1 to 6 counts of 1 to 100000, as 10,100");
            break;
        case OPT_CHAT:
            if (strcmp(optarg, "who") != 0 && strcmp(optarg, "relay") != 0)
                return wants("--chat", "who or relay");
            o->chat_relay = strcmp(optarg, "relay") == 0;
            break;
        case OPT_ONLY:
            if (parse_experiments(optarg, &o->experiments) < 0)
                return wants("--only", "a list of roundtrip, push and idle");
            break;
        case OPT_CSV:
            o->format = FORMAT_CSV;
            break;
        case OPT_MARKDOWN:
            o->format = FORMAT_MARKDOWN;
            break;
        case OPT_JSON:
            o->format = FORMAT_JSON;
            break;
        case OPT_SVG:
            if (!writable(optarg))
                return wants("--svg", "a file it can write");
            o->svg_path = optarg;
            break;
        case OPT_CH1:
        case OPT_CH2:
        case OPT_CH3:
            o->given[opt - OPT_CH1] = optarg;
            break;
        case OPT_DOCROOT:
            o->given_docroot = optarg;
            break;
        case OPT_ROOT:
            o->root = optarg;
            break;
        case 'v':
            o->verbose = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default: /* getopt_long has said what was wrong */
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    fill_defaults(o);
    return -1;
}
