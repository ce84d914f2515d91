/* stages.c: chapter 3's stages, the tester for the learner's own chat server.
 *
 * Each stage starts the program in STAGE_PROGRAM on port 0, connects clients over
 * loopback the way nc or ./chat would, speaks the line protocol and says in plain
 * words what it sent, what it expected, what came back and which section of
 * book/03-select-chat.md to read. Only what the server does on the wire is tested.
 * Nothing sleeps to synchronise: a stage waits (bounded) for the line it expects, and
 * proves that a line did NOT come by seeing a later one arrive first.
 */
#include "stage.h"
#include "stage_chat.h"

#include <string.h>
#include <time.h>

#define BOOK     "book/03-select-chat.md"
#define WELCOME1 "* welcome to chatd, you are guest1; /help for commands"
#define TOO_LONG "! line too long (max 1024 bytes)"

static struct server_proc server;
static struct chat_peer peers[4];

static struct chat_peer *connect_peer(int i, const char *name)
{
    return chat_connect(&peers[i], server.port, name);
}

static void start(const char *flag, const char *value)
{
    const char *args[] = {flag, value, NULL};
    stage_start(&server, args);
}

static void stop(void)
{
    chat_close_all(peers, sizeof peers / sizeof peers[0]);
    stage_stop(&server);
}

/* ---- 3.s1: the start line and the welcome ----------------------------------------- */

#define S1_HINT "Read " BOOK ", \"The loop\" and \"The server speaks first\""

START_TEST(welcomes_each_client)
{
    start(NULL, NULL);
    struct chat_peer *a = connect_peer(0, "the first client");
    chat_expect(a, WELCOME1, 1, "connected and sent nothing", S1_HINT);
    /* The first one stays connected and silent: a server blocked in read() on it
     * would never greet the second. */
    struct chat_peer *b = connect_peer(1, "a second client");
    chat_expect(b, "* welcome to chatd, you are guest2; /help for commands", 1,
                "connected while guest1 stays connected and silent", S1_HINT);
    stop();
}
END_TEST

/* ---- 3.s2: relay to the others, no echo ------------------------------------------- */

#define S2_HINT "Read " BOOK ", \"The loop\": a line goes to every client but its sender"

START_TEST(relays_without_echo)
{
    start(NULL, NULL);
    struct chat_peer *a = connect_peer(0, "guest1");
    chat_expect(a, WELCOME1, 1, "connected", S1_HINT);
    struct chat_peer *b = connect_peer(1, "guest2");
    chat_expect(b, "* welcome to chatd, you are guest2; /help for commands", 1,
                "connected", S1_HINT);
    struct chat_peer *c = connect_peer(2, "guest3");
    chat_expect(c, "* welcome to chatd, you are guest3; /help for commands", 1,
                "connected", S1_HINT);
    chat_say(a, "hello from guest1\n");
    chat_expect(b, "guest1: hello from guest1", 1, "guest1 sent \"hello from guest1\\n\"",
                S2_HINT);
    chat_expect(c, "guest1: hello from guest1", 1, "guest1 sent \"hello from guest1\\n\"",
                S2_HINT);
    chat_say(b, "hi from guest2\n");
    chat_expect(
        a, "guest2: hi from guest2", 1,
        "guest1 sent \"hello from guest1\\n\" (no echo expected), then guest2 sent "
        "\"hi from guest2\\n\"",
        S2_HINT);
    stop();
}
END_TEST

/* ---- 3.s3: lines in pieces, many lines in one read, long lines --------------------- */

#define S3_HINT "Read " BOOK ", \"Lines arrive in pieces\" (exercise 3.1)"

static void pause_ms(int ms)
{
    struct timespec pause = {0, (long)ms * 1000000L};
    nanosleep(&pause, NULL);
}

START_TEST(cuts_lines_from_the_stream)
{
    start(NULL, NULL);
    struct chat_peer *a = connect_peer(0, "guest1");
    chat_expect(a, WELCOME1, 1, "connected", S1_HINT);
    struct chat_peer *b = connect_peer(1, "guest2");
    chat_expect(b, "* welcome to chatd, you are guest2; /help for commands", 1,
                "connected", S1_HINT);

    /* One line in three pieces, apart in time, so that they arrive in three reads. */
    const char *pieces[] = {"in ", "three pie", "ces\r\n"};
    for (int i = 0; i < 3; i++) {
        chat_say(a, pieces[i]);
        pause_ms(30);
    }
    chat_expect(
        b, "guest1: in three pieces", 1,
        "guest1 sent \"in \", \"three pie\" and \"ces\\r\\n\" in three writes (the CR "
        "before the LF is not part of the line)",
        S3_HINT);

    /* Four lines in one write: an empty one is ignored, a NUL is an ordinary byte. */
    const char many[] = "one\ntwo\r\n\nthr\0ee\n";
    send_all(a->fd, many, sizeof many - 1);
    const char *after = "guest1 sent \"one\\ntwo\\r\\n\\nthr\\0ee\\n\" in one write";
    chat_expect(b, "guest1: one", 1, after, S3_HINT);
    chat_expect(b, "guest1: two", 1, after, S3_HINT);
    chat_expect_bytes(b, "guest1: thr\0ee", 14, 1, after,
                      "An empty line says nothing, and NUL is a byte like any other: use "
                      "lengths, never strlen(). " S3_HINT);

    /* The longest line allowed passes; one byte more gets the error, once. */
    static char line[3000], want[3000];
    memset(line, 'x', 1024);
    memcpy(line + 1024, "\n", 2);
    chat_say(a, line);
    memcpy(want, "guest1: ", 8);
    memcpy(want + 8, line, 1024);
    want[8 + 1024] = '\0';
    chat_expect(b, want, 1, "guest1 sent a line of 1024 bytes (the limit)", S3_HINT);
    memset(line, 'y', 2000);
    memcpy(line + 2000, "\nafter the long line\n", 22);
    chat_say(a, line);
    chat_expect(
        a, TOO_LONG, 1, "guest1 sent a line of 2000 bytes",
        "Longer than 1024 bytes: one error line, the rest of the line thrown away "
        "up to its LF, and the client stays. " S3_HINT);
    chat_expect(
        b, "guest1: after the long line", 1,
        "guest1 sent a line of 2000 bytes, then \"after the long line\\n\"",
        "The too-long line reaches nobody, and the next one is read as usual. " S3_HINT);
    stop();
}
END_TEST

/* ---- 3.s4: joined and left --------------------------------------------------------- */

#define S4_HINT "Read " BOOK ", \"Leaving\" and \"The server speaks first\""

START_TEST(announces_joins_and_leaves)
{
    start(NULL, NULL);
    struct chat_peer *a = connect_peer(0, "guest1");
    chat_expect(a, WELCOME1, 0, "connected", S1_HINT);
    struct chat_peer *b = connect_peer(1, "guest2");
    chat_expect(b, "* welcome to chatd, you are guest2; /help for commands", 0,
                "connected", S1_HINT);
    chat_expect(a, "* guest2 joined", 0, "guest2 connected", S4_HINT);
    chat_say(a, "welcome, guest2\n");
    chat_expect(b, "guest1: welcome, guest2", 0,
                "guest2 connected (the joiner itself gets no \"* guest2 joined\"), then "
                "guest1 sent \"welcome, guest2\\n\"",
                S4_HINT);
    chat_close(b);
    chat_expect(a, "* guest2 left", 0, "guest2 closed its connection",
                "read() returned 0: that client has gone. " S4_HINT);
    struct chat_peer *c = connect_peer(2, "the next client");
    chat_expect(c, "* welcome to chatd, you are guest3; /help for commands", 0,
                "guest1 and guest2 came, guest2 left, then a new client connected",
                "Guest numbers are never reused. " S4_HINT);
    chat_expect(a, "* guest3 joined", 0, "guest3 connected", S4_HINT);
    stop();
}
END_TEST

/* ---- 3.s5: a stalled reader is dropped, the room flows ----------------------------- */

#define S5_HINT                                                                          \
    "Read " BOOK ", \"The slow client\" and \"The bounded output queue\" (exercises "    \
    "3.4 and 3.5)"

START_TEST(drops_a_stalled_reader)
{
    start(NULL, NULL);
    struct chat_flood flood = {
        .stalled = "guest1",
        .rule = "A client whose output queue would pass 64 KiB must be dropped",
        .hint = S5_HINT,
    };
    /* Both with a small receive buffer: guest1 fills it, guest2 reads it (see
     * chat_expect_stalled_dropped()). */
    flood.stalled_fd =
        chat_connect_small(&peers[0], server.port, "guest1 (never reads)")->fd;
    flood.reader = chat_connect_small(&peers[1], server.port, "guest2");
    chat_expect(flood.reader, "* welcome to chatd, you are guest2; /help for commands", 0,
                "connected", S1_HINT);
    flood.writer = connect_peer(2, "guest3");
    chat_expect(flood.reader, "* guest3 joined", 0, "guest3 connected", S4_HINT);
    chat_expect_stalled_dropped(&flood);
    stop();
}
END_TEST

/* ---- 3.s6: the client limit ------------------------------------------------------- */

#define S6_HINT "Read " BOOK ", \"A full room, and FD_SETSIZE\""

START_TEST(refuses_clients_over_the_limit)
{
    start("-m", "2");
    struct chat_peer *a = connect_peer(0, "guest1");
    chat_expect(a, WELCOME1, 0, "connected to a server started with -m 2", S1_HINT);
    struct chat_peer *b = connect_peer(1, "guest2");
    chat_expect(b, "* welcome to chatd, you are guest2; /help for commands", 0,
                "connected as the second of -m 2", S6_HINT);
    struct chat_peer *c = connect_peer(2, "a third client");
    chat_expect(c, "! server full", 0, "connected as the third with -m 2", S6_HINT);
    chat_expect_closed(c, NULL, "got \"! server full\"", S6_HINT);
    chat_expect(a, "* guest2 joined", 0, "guest2 connected", S4_HINT);
    chat_say(a, "still here\n");
    chat_expect(b, "guest1: still here", 0,
                "a third client was refused, then guest1 sent \"still here\\n\"",
                "The refused client joins nobody and nobody hears of it. " S6_HINT);
    chat_close(b);
    chat_expect(a, "* guest2 left", 0, "guest2 closed its connection", S4_HINT);
    struct chat_peer *d = connect_peer(3, "a client after a place came free");
    chat_expect(d, "* welcome to chatd, you are guest3; /help for commands", 0,
                "guest2 left, so one place of -m 2 is free; then a client connected",
                "A refused client uses no guest number. " S6_HINT);
    stop();
}
END_TEST

/* ---- 3.s7: commands --------------------------------------------------------------- */

#define S7_HINT "Read " BOOK ", \"Commands\" (exercises 3.2 and 3.3)"

START_TEST(runs_commands)
{
    start(NULL, NULL);
    struct chat_peer *a = connect_peer(0, "guest1");
    chat_expect(a, WELCOME1, 0, "connected", S1_HINT);
    struct chat_peer *b = connect_peer(1, "guest2");
    chat_expect(b, "* welcome to chatd, you are guest2; /help for commands", 0,
                "connected", S1_HINT);
    chat_expect(a, "* guest2 joined", 0, "guest2 connected", S4_HINT);

    chat_say(a, "/nick  alice \n");
    const char *renamed = "* guest1 is now known as alice";
    chat_expect(
        a, renamed, 0, "guest1 sent \"/nick  alice \\n\"",
        "Everyone gets the notice, the sender too; the argument is trimmed. " S7_HINT);
    chat_expect(b, renamed, 0, "guest1 sent \"/nick  alice \\n\"", S7_HINT);
    chat_say(a, "hello\n");
    chat_expect(b, "alice: hello", 0, "alice (was guest1) sent \"hello\\n\"", S7_HINT);

    chat_say(b, "/nick b@d\n");
    chat_expect(b, "! invalid nick: b@d", 0, "guest2 sent \"/nick b@d\\n\"",
                "A nick is 1-16 of A-Z a-z 0-9 _ -. " S7_HINT);
    chat_say(b, "/nick ALICE\n");
    chat_expect(b, "! nick taken: ALICE", 0,
                "guest2 sent \"/nick ALICE\\n\" (alice is online)",
                "Nicks are unique ignoring case. " S7_HINT);
    chat_say(b, "/frob it\n");
    chat_expect(b, "! unknown command: /frob", 0, "guest2 sent \"/frob it\\n\"", S7_HINT);
    chat_say(b, "/quit\nnot sent\n");
    chat_expect_closed(b, "* bye", "guest2 sent \"/quit\\nnot sent\\n\"",
                       "After /quit (and maybe \"* bye\") the server closes. " S7_HINT);
    chat_close(b);
    chat_expect(a, "* guest2 left", 0, "guest2 sent \"/quit\\nnot sent\\n\"",
                "Nothing after /quit is relayed. " S7_HINT);
    stop();
}
END_TEST

/* ---- 3.s8: the tick ---------------------------------------------------------------- */

#define S8_HINT                                                                          \
    "Read " BOOK ", \"The server speaks first\": the time left until the next tick is "  \
    "pselect()'s timeout, so the loop wakes with nothing to read and sends it"

START_TEST(speaks_first_with_the_tick)
{
    start("-T", "1");
    struct chat_peer *a = connect_peer(0, "guest1");
    chat_expect(a, WELCOME1, 0, "connected to a server started with -T 1", S1_HINT);
    /* Nobody sends anything: only the loop's own timeout can wake it. */
    chat_expect(a, "* tick 1", 0,
                "connected to a server started with -T 1, then sent nothing", S8_HINT);
    struct chat_peer *b = connect_peer(1, "guest2");
    chat_expect(b, "* welcome to chatd, you are guest2; /help for commands", 0,
                "connected after the first tick", S1_HINT);
    chat_expect(a, "* guest2 joined", 0, "guest2 connected", S4_HINT);
    const char *after =
        "the first tick came, then guest2 connected; nobody sent anything";
    chat_expect(a, "* tick 2", 0, after, "Ticks are numbered 1, 2, 3, ... " S8_HINT);
    chat_expect(b, "* tick 2", 0, after, "Every client gets every tick. " S8_HINT);
    stop();
}
END_TEST

void add_stages(Suite *suite)
{
    TCase *tc = stage_tcase("3.s1");
    tcase_add_test(tc, welcomes_each_client);
    suite_add_tcase(suite, tc);
    tc = stage_tcase("3.s2");
    tcase_add_test(tc, relays_without_echo);
    suite_add_tcase(suite, tc);
    tc = stage_tcase("3.s3");
    tcase_add_test(tc, cuts_lines_from_the_stream);
    suite_add_tcase(suite, tc);
    tc = stage_tcase("3.s4");
    tcase_add_test(tc, announces_joins_and_leaves);
    suite_add_tcase(suite, tc);
    tc = stage_tcase("3.s5");
    tcase_add_test(tc, drops_a_stalled_reader);
    suite_add_tcase(suite, tc);
    tc = stage_tcase("3.s6");
    tcase_add_test(tc, refuses_clients_over_the_limit);
    suite_add_tcase(suite, tc);
    tc = stage_tcase("3.s7");
    tcase_add_test(tc, runs_commands);
    suite_add_tcase(suite, tc);
    tc = stage_tcase("3.s8");
    tcase_add_test(tc, speaks_first_with_the_tick);
    suite_add_tcase(suite, tc);
}
