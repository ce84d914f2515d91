/* room.c: what the chat room says, and to whom. chatd.c's loop hands every complete
 * line here (handle_line); this file decides what it means (a plain line for the
 * others, or a command), builds the lines the room sends, and gives each to deliver()
 * (chatd.c), which queues it for one client. Nothing here touches a socket.
 *
 *   Joining and leaving   the welcome, "* guest1 joined", "* guest1 left", names
 *   Commands              /nick /who /msg /me /help /quit
 *   The tick              -T: "* tick K" every N seconds, although nobody asked
 */
#include "chatd.h"

#include "io.h"

#include <stdio.h>
#include <string.h>

/* The longest line we send: a nick, a few words, and a client's whole line. */
#define OUTGOING_MAX (NICK_MAX_BYTES + LINE_MAX_BYTES + 32)

/* A line we are about to send, assembled from pieces: lines can hold any byte,
 * NUL included, so we count lengths and never use strlen() on what clients sent. */
struct outgoing {
    size_t length;
    char data[OUTGOING_MAX];
};

static void start_line(struct outgoing *o)
{
    o->length = 0;
}

/* Append bytes, keeping one byte for the final LF (a line can never be longer than
 * OUTGOING_MAX, but we check rather than trust that). */
static void add_bytes(struct outgoing *o, const char *bytes, size_t length)
{
    size_t room = sizeof o->data - 1 - o->length;
    if (length > room)
        length = room;
    memcpy(o->data + o->length, bytes, length);
    o->length += length;
}

static void add_text(struct outgoing *o, const char *text)
{
    add_bytes(o, text, strlen(text));
}

static void end_line(struct outgoing *o)
{
    o->data[o->length++] = '\n';
}

static void send_line(struct server *s, struct client *to, const struct outgoing *o)
{
    deliver(s, to, o->data, o->length);
}

/* To everyone in the room except `from` (NULL: to everyone). */
static void send_to_others(struct server *s, struct client *from,
                           const struct outgoing *o)
{
    for (int i = 0; i < s->count; i++) {
        struct client *c = s->clients[i];
        if (c != from && c->state == CLIENT_ACTIVE)
            send_line(s, c, o);
    }
}

static void send_to_all(struct server *s, const struct outgoing *o)
{
    send_to_others(s, NULL, o);
}

/* A notice ("* ...") or an error ("! ...") from fixed text, to one client. */
void send_text(struct server *s, struct client *to, const char *text)
{
    struct outgoing o;
    start_line(&o);
    add_text(&o, text);
    end_line(&o);
    send_line(s, to, &o);
}

void send_text_to_all(struct server *s, const char *text)
{
    struct outgoing o;
    start_line(&o);
    add_text(&o, text);
    end_line(&o);
    send_to_all(s, &o);
}

/* An error that repeats what the client sent: "! nick taken: " + name. */
static void send_error(struct server *s, struct client *to, const char *what,
                       const char *bytes, size_t length)
{
    struct outgoing o;
    start_line(&o);
    add_text(&o, "! ");
    add_text(&o, what);
    add_bytes(&o, bytes, length);
    end_line(&o);
    send_line(s, to, &o);
}

/* A notice about someone to everyone: "* alice joined", "* alice left". */
static void announce(struct server *s, struct client *except, const char *nick,
                     const char *what)
{
    struct outgoing o;
    start_line(&o);
    add_text(&o, "* ");
    add_text(&o, nick);
    add_text(&o, what);
    end_line(&o);
    send_to_others(s, except, &o);
}

/* ---- Joining and leaving ---------------------------------------------------------- */

/* Compare two names ignoring ASCII case (nicks are ASCII; no locale involved). */
int same_name(const char *a, size_t a_length, const char *b, size_t b_length)
{
    if (a_length != b_length)
        return 0;
    for (size_t i = 0; i < a_length; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return 1;
}

/* The client in the room called name (ignoring case), or NULL. */
static struct client *find_client(struct server *s, const char *name, size_t length)
{
    for (int i = 0; i < s->count; i++)
        if (same_name(s->clients[i]->nick, strlen(s->clients[i]->nick), name, length))
            return s->clients[i];
    return NULL;
}

/* guest1, guest2, ...: numbers are never reused, and a name someone took with /nick
 * is skipped. */
void name_new_guest(struct server *s, struct client *c)
{
    do {
        s->guests++;
        snprintf(c->nick, sizeof c->nick, "guest%lu", s->guests % 100000000000UL);
    } while (find_client(s, c->nick, strlen(c->nick)) != NULL);
}

/* A newcomer: the server speaks first, and the others learn about it. */
void welcome(struct server *s, struct client *c)
{
    struct outgoing o;
    start_line(&o);
    add_text(&o, "* welcome to chatd, you are ");
    add_text(&o, c->nick);
    add_text(&o, "; /help for commands");
    end_line(&o);
    send_line(s, c, &o);
    announce(s, c, c->nick, " joined");
}

void announce_left(struct server *s, const char *nick)
{
    announce(s, NULL, nick, " left");
}

/* ---- Commands ---------------------------------------------------------------------- */

static void command_nick(struct server *s, struct client *c, const char *name,
                         size_t length)
{
    if (!nick_is_valid(name, length)) {
        send_error(s, c, "invalid nick: ", name, length);
        return;
    }
    if (length == strlen(c->nick) && memcmp(name, c->nick, length) == 0)
        return; /* your own name: nothing changes, nothing to say */
    struct client *holder = find_client(s, name, length);
    if (holder != NULL && holder != c) {
        send_error(s, c, "nick taken: ", name, length);
        return;
    }
    struct outgoing o;
    start_line(&o);
    add_text(&o, "* ");
    add_text(&o, c->nick);
    add_text(&o, " is now known as ");
    add_bytes(&o, name, length);
    end_line(&o);
    send_to_all(s, &o);
    memcpy(c->nick, name, length);
    c->nick[length] = '\0';
}

static void command_who(struct server *s, struct client *c)
{
    /* Up to a thousand names do not fit one outgoing line: queue in pieces. */
    deliver(s, c, "* online: ", strlen("* online: "));
    const char *separator = "";
    for (int i = 0; i < s->count; i++) {
        struct client *other = s->clients[i];
        if (other->state != CLIENT_ACTIVE)
            continue;
        deliver(s, c, separator, strlen(separator));
        deliver(s, c, other->nick, strlen(other->nick));
        separator = ", ";
    }
    deliver(s, c, "\n", 1);
}

static void command_msg(struct server *s, struct client *c, const char *argument,
                        size_t length)
{
    struct command parts; /* the recipient's name, then the text */
    split_first_word(argument, length, &parts);
    if (parts.name_length == 0 || parts.argument_length == 0) {
        send_text(s, c, "! usage: /msg NAME text");
        return;
    }
    struct client *to = find_client(s, parts.name, parts.name_length);
    if (to == NULL || to->state != CLIENT_ACTIVE) {
        send_error(s, c, "no such user: ", parts.name, parts.name_length);
        return;
    }
    struct outgoing o;
    start_line(&o);
    add_text(&o, c->nick);
    add_text(&o, " (private): ");
    add_bytes(&o, parts.argument, parts.argument_length);
    end_line(&o);
    send_line(s, to, &o);
}

static void command_me(struct server *s, struct client *c, const char *text,
                       size_t length)
{
    if (length == 0) {
        send_text(s, c, "! usage: /me text");
        return;
    }
    struct outgoing o;
    start_line(&o);
    add_text(&o, "* ");
    add_text(&o, c->nick);
    add_text(&o, " ");
    add_bytes(&o, text, length);
    end_line(&o);
    send_to_others(s, c, &o);
}

static void command_help(struct server *s, struct client *c)
{
    static const char *const help[] = {
        "* commands:",
        "* /nick NAME      change your name (1-16 of A-Z a-z 0-9 _ -)",
        "* /who            list who is online",
        "* /msg NAME text  send text to NAME only",
        "* /me text        say what you do: \"/me waves\" shows \"* alice waves\"",
        "* /quit           leave",
        "* /help           this list",
        "* any other line goes to everyone",
    };
    for (size_t i = 0; i < sizeof help / sizeof help[0]; i++)
        send_text(s, c, help[i]);
}

/* Is the command word exactly `name`? */
static int is_command(const struct command *cmd, const char *name)
{
    return cmd->name_length == strlen(name) &&
           memcmp(cmd->name, name, cmd->name_length) == 0;
}

static void run_command(struct server *s, struct client *c, const char *text,
                        size_t length)
{
    struct command cmd;
    parse_command(text, length, &cmd);
    if (is_command(&cmd, "nick")) {
        command_nick(s, c, cmd.argument, cmd.argument_length);
    } else if (is_command(&cmd, "who")) {
        command_who(s, c);
    } else if (is_command(&cmd, "msg")) {
        command_msg(s, c, cmd.argument, cmd.argument_length);
    } else if (is_command(&cmd, "me")) {
        command_me(s, c, cmd.argument, cmd.argument_length);
    } else if (is_command(&cmd, "help")) {
        command_help(s, c);
    } else if (is_command(&cmd, "quit")) {
        send_text(s, c, "* bye");
        c->state = CLIENT_LEAVING; /* step 5 sends the bye, closes, tells the others */
    } else {
        send_error(s, c, "unknown command: /", cmd.name, cmd.name_length);
    }
}

/* One complete line from c, without its line ending (step 3 of the loop). */
void handle_line(struct server *s, struct client *c, const char *text, size_t length)
{
    if (length == 0)
        return; /* an empty line says nothing */
    if (text[0] == '/') {
        run_command(s, c, text, length);
        return;
    }
    /* A plain line: "alice: text" to everyone else (not back to alice). */
    struct outgoing o;
    start_line(&o);
    add_text(&o, c->nick);
    add_text(&o, ": ");
    add_bytes(&o, text, length);
    end_line(&o);
    send_to_others(s, c, &o);
}

/* ---- The tick ---------------------------------------------------------------------- */

/* With -T, everyone gets "* tick K" every N seconds, although nobody asked: over a
 * connection that stays open, the server may speak whenever it likes. The loop's
 * select() timeout (time_to_next_event in chatd.c) wakes us when one is due. */
void send_tick_if_due(struct server *s)
{
    long long now = io_now_ms();
    if (s->tick_secs == 0 || now < s->next_tick_ms)
        return;
    s->ticks++;
    char text[64];
    snprintf(text, sizeof text, "* tick %lu", s->ticks);
    send_text_to_all(s, text);
    /* Keep the rhythm (tick K at start + K*N), unless we fell far behind. */
    s->next_tick_ms += (long long)s->tick_secs * 1000;
    if (s->next_tick_ms <= now)
        s->next_tick_ms = now + (long long)s->tick_secs * 1000;
}
