/* fuzz_chat_lines.c: what chatd does with the bytes a client sends.
 *
 * The input is everything one client (guest1) types, sent over a real socket in
 * pieces cut by a seed (the input's first byte). It goes through the real code of
 * chapters/03-select-chat/chatd.c, included below with its main() renamed:
 * read_from_client() reads from the socket the way the select() loop does, and
 * handle_input() cuts lines with find_line() (lines.c) and runs them: relayed to a
 * second client (guest2, who only listens), or commands (room.c, parsed by commands.c).
 *
 * Properties:
 *   - the same lines whatever the cuts: both clients' output is the same when the
 *     bytes come in the seed's pieces and when they come all at once (unless an output
 *     queue overflowed, which depends on timing by design: that client is dropped);
 *   - after every read the input buffer holds less than a line's worth (at most
 *     LINE_MAX_BYTES + 1 bytes), so the next read always has room: a full buffer would
 *     make read() return 0, and the server would take that for the client leaving;
 *   - a client leaves only by "/quit" or at the real end of its stream;
 *   - find_line() keeps its contract on every buffer it is shown;
 *   - every line the server queues ends with LF, and nicknames stay valid and unique.
 */
#include "fuzz.h"

#include <poll.h>
#include <sys/socket.h>

#define main chatd_main
#include "../../chapters/03-select-chat/chatd.c"
#undef main

struct output {
    uint64_t hash;
    int said_bye; /* "* bye" was queued for this client */
};

/* Check what find_line() says about the front of buf against its contract. */
static void check_find_line(const char *buf, size_t length)
{
    struct line line = {0, 0};
    int found = find_line(buf, length, &line);
    const char *lf = memchr(buf, '\n', length);
    size_t text = lf != NULL ? (size_t)(lf - buf) : length;
    if (lf != NULL && text > 0 && buf[text - 1] == '\r')
        text--;
    if (found == LINE_COMPLETE) {
        FUZZ_CHECK(lf != NULL && line.next == (size_t)(lf - buf) + 1);
        FUZZ_CHECK(line.length == text && line.length <= LINE_MAX_BYTES);
    } else if (found == LINE_INCOMPLETE) {
        FUZZ_CHECK(lf == NULL && length <= LINE_MAX_BYTES + 1);
        /* 1025 bytes can still be a whole line only if the last is a CR */
        FUZZ_CHECK(length <= LINE_MAX_BYTES || buf[LINE_MAX_BYTES] == '\r');
    } else {
        FUZZ_CHECK(found == LINE_TOO_LONG);
        FUZZ_CHECK(text > LINE_MAX_BYTES || (lf == NULL && length >= LINE_MAX_BYTES + 1));
    }
}

/* Take what the server queued for c: fold it into out's fingerprint, check it is whole
 * lines, and empty the queue (as if the client had read it). */
static void take_output(struct client *c, struct output *out)
{
    size_t length = c->out.end - c->out.start;
    const char *bytes = c->out.data + c->out.start;
    FUZZ_CHECK(c->out.end <= QUEUE_CAPACITY && c->out.start <= c->out.end);
    if (length > 0)
        FUZZ_CHECK(bytes[length - 1] == '\n');
    for (size_t at = 0; at < length;) {
        const char *lf = memchr(bytes + at, '\n', length - at);
        size_t line = (size_t)(lf - (bytes + at));
        if (line == 5 && memcmp(bytes + at, "* bye", 5) == 0)
            out->said_bye = 1;
        at += line + 1;
    }
    out->hash = fuzz_hash(out->hash, bytes, length);
    c->out.start = c->out.end = 0;
}

static void check_nicks(struct server *s)
{
    for (int i = 0; i < s->count; i++) {
        const char *nick = s->clients[i]->nick;
        FUZZ_CHECK(nick_is_valid(nick, strlen(nick)));
        for (int j = 0; j < i; j++)
            FUZZ_CHECK(!same_name(nick, strlen(nick), s->clients[j]->nick,
                                  strlen(s->clients[j]->nick)));
    }
}

static int readable(int fd)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    return poll(&pfd, 1, 0) > 0;
}

/* Has the peer shut its end, with no byte left to read? */
static int at_end_of_stream(int fd)
{
    char c;
    return recv(fd, &c, 1, MSG_PEEK) == 0; /* non-blocking: EAGAIN gives -1 */
}

/* One run: guest1 sends the input in pieces (whole: in one write); returns whether a
 * client was dropped, and fills both clients' output fingerprints. */
static int run_room(const uint8_t *data, size_t size, uint32_t seed, int whole,
                    struct output outputs[2])
{
    static struct client clients[2]; /* 70 KiB each: not on the stack */
    static struct client *room[2];
    struct server s = {.listen_fd = -1, .max_clients = 2, .clients = room};
    int fds[2];
    FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    int sndbuf = 256 * 1024;
    setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    FUZZ_CHECK(net_set_nonblocking(fds[0], 1) == 0);
    for (int i = 0; i < 2; i++) {
        struct client *c = &clients[i];
        c->in_length = 0; /* everything but the two buffers, which these keep in check */
        c->discarding = 0;
        c->out.start = c->out.end = 0;
        c->fd = i == 0 ? fds[0] : -1; /* guest2 is never read from or written to */
        c->state = CLIENT_ACTIVE;
        name_new_guest(&s, c);
        s.clients[s.count++] = c;
        outputs[i] = (struct output){FUZZ_HASH_START, 0};
    }
    struct client *sender = s.clients[0];

    size_t pushed = 0;
    int dropped = 0;
    while (sender->state == CLIENT_ACTIVE) {
        if (!readable(sender->fd)) { /* it has read everything: the next piece */
            FUZZ_CHECK(pushed < size || size == 0);
            size_t n = whole ? size - pushed : fuzz_next_piece(&seed, size - pushed);
            if (n > 0)
                FUZZ_CHECK(write(fds[1], data + pushed, n) == (ssize_t)n);
            pushed += n;
            if (pushed == size)
                FUZZ_CHECK(shutdown(fds[1], SHUT_WR) == 0);
            continue;
        }
        check_find_line(sender->in, sender->in_length);
        read_from_client(&s, sender);
        for (int i = 0; i < 2; i++)
            take_output(s.clients[i], &outputs[i]);
        if (sender->state == CLIENT_ACTIVE)
            FUZZ_CHECK(sender->in_length <= LINE_MAX_BYTES + 1);
        if (sender->state == CLIENT_LEAVING && !outputs[0].said_bye)
            FUZZ_CHECK(pushed == size && at_end_of_stream(sender->fd)); /* a real EOF */
        for (int i = 0; i < 2; i++)
            dropped |= s.clients[i]->state == CLIENT_BROKEN;
        check_nicks(&s);
        if (s.clients[1]->state != CLIENT_ACTIVE)
            break;
    }
    close(fds[0]);
    close(fds[1]);
    return dropped;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint32_t seed = data[0];
    struct output in_pieces[2], in_one_write[2];
    int dropped = run_room(data + 1, size - 1, seed, 0, in_pieces);
    dropped |= run_room(data + 1, size - 1, 0, 1, in_one_write);
    if (!dropped)
        for (int i = 0; i < 2; i++)
            FUZZ_CHECK(in_pieces[i].hash == in_one_write[i].hash);
    return 0;
}
