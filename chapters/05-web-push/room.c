/* room.c: what the chat room says, and to whom: chapter 3's room.c, with clients
 * become members, since a member may now hear the room over a raw socket or a
 * WebSocket. Every transport hands each complete line here (handle_line); this file
 * decides what it means (a plain line for the others, or a command), builds the
 * lines the room sends, and gives each to deliver(), which hands it to the member's
 * transport. Only deliver() knows there are several; nothing here touches a socket.
 *
 *   Joining and leaving   the welcome, "* guest1 joined", "* guest1 left", names
 *   Commands              /nick /who /msg /me /help /quit
 *   The tick              -T: "* tick K" every N seconds, although nobody asked
 */
#include "pushd.h"

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

/* Give one line (ending with LF) to a member, over its transport. A member whose
 * queue cannot take it has stopped reading, or reads slower than the room talks:
 * holding more would let one member make us hold unbounded memory, and waiting
 * would freeze everyone. So it goes (chapter 3's rule, on every transport). */
void deliver(struct server *s, struct member *to, const char *line, size_t length)
{
    if (to->state == MEMBER_BROKEN)
        return;
    if (to->transport == TRANSPORT_SESSION) {
        session_deliver(s, to->session, line, length); /* its outbox: sessions.c */
        return;
    }
    if (to->conn == NULL)
        return;
    if (to->transport == TRANSPORT_WEBSOCKET) {
        ws_deliver(s, to, line, length); /* one TEXT frame: ws_member.c */
        return;
    }
    if (queue_append(&to->conn->out, line, length) < 0) {
        fprintf(stderr, "%s: dropping %s: %d KiB of output waiting, it stopped reading\n",
                PROGRAM_NAME, to->nick, QUEUE_CAPACITY / 1024);
        to->state = MEMBER_BROKEN;
    }
}

static void send_line(struct server *s, struct member *to, const struct outgoing *o)
{
    deliver(s, to, o->data, o->length);
}

/* To everyone in the room except `from` (NULL: to everyone). */
static void send_to_others(struct server *s, struct member *from,
                           const struct outgoing *o)
{
    for (int i = 0; i < s->member_count; i++) {
        struct member *m = s->members[i];
        if (m != from && m->state == MEMBER_ACTIVE)
            send_line(s, m, o);
    }
}

static void send_to_all(struct server *s, const struct outgoing *o)
{
    send_to_others(s, NULL, o);
}

/* A notice ("* ...") or an error ("! ...") from fixed text, to one client. */
void send_text(struct server *s, struct member *to, const char *text)
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
static void send_error(struct server *s, struct member *to, const char *what,
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
static void announce(struct server *s, struct member *except, const char *nick,
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
static struct member *find_member(struct server *s, const char *name, size_t length)
{
    for (int i = 0; i < s->member_count; i++)
        if (same_name(s->members[i]->nick, strlen(s->members[i]->nick), name, length))
            return s->members[i];
    return NULL;
}

/* guest1, guest2, ...: numbers are never reused, and a name someone took with /nick
 * is skipped. */
void name_new_guest(struct server *s, struct member *m)
{
    do {
        s->guests++;
        snprintf(m->nick, sizeof m->nick, "guest%lu", s->guests % 100000000000UL);
    } while (find_member(s, m->nick, strlen(m->nick)) != NULL);
}

/* A newcomer: the server speaks first, and the others learn about it. */
void welcome(struct server *s, struct member *m)
{
    struct outgoing o;
    start_line(&o);
    add_text(&o, "* welcome to pushd, you are ");
    add_text(&o, m->nick);
    add_text(&o, "; /help for commands");
    end_line(&o);
    send_line(s, m, &o);
    announce(s, m, m->nick, " joined");
}

void announce_left(struct server *s, const char *nick)
{
    announce(s, NULL, nick, " left");
}

/* ---- Commands ---------------------------------------------------------------------- */

static void command_nick(struct server *s, struct member *m, const char *name,
                         size_t length)
{
    if (!nick_is_valid(name, length)) {
        send_error(s, m, "invalid nick: ", name, length);
        return;
    }
    if (length == strlen(m->nick) && memcmp(name, m->nick, length) == 0)
        return; /* your own name: nothing changes, nothing to say */
    struct member *holder = find_member(s, name, length);
    if (holder != NULL && holder != m) {
        send_error(s, m, "nick taken: ", name, length);
        return;
    }
    struct outgoing o;
    start_line(&o);
    add_text(&o, "* ");
    add_text(&o, m->nick);
    add_text(&o, " is now known as ");
    add_bytes(&o, name, length);
    end_line(&o);
    send_to_all(s, &o);
    memcpy(m->nick, name, length);
    m->nick[length] = '\0';
}

/* Up to a thousand names: more than an outgoing line holds. Chapter 3 queued the
 * answer in pieces; a WebSocket member must get it as one frame, so it is built
 * whole first. */
#define WHO_MAX (MAX_MEMBERS_LIMIT * (NICK_MAX_BYTES + 2) + 16)

static void command_who(struct server *s, struct member *m)
{
    char list[WHO_MAX];
    size_t length = 0;
    const char *separator = "* online: ";
    for (int i = 0; i < s->member_count; i++) {
        struct member *other = s->members[i];
        if (other->state != MEMBER_ACTIVE)
            continue;
        if (length + strlen(separator) + strlen(other->nick) + 1 > sizeof list)
            break; /* cannot happen: WHO_MAX counts every member */
        for (const char *t = separator; *t != '\0'; t++)
            list[length++] = *t;
        for (const char *t = other->nick; *t != '\0'; t++)
            list[length++] = *t;
        separator = ", ";
    }
    list[length++] = '\n';
    deliver(s, m, list, length);
}

static void command_msg(struct server *s, struct member *m, const char *argument,
                        size_t length)
{
    struct command parts; /* the recipient's name, then the text */
    split_first_word(argument, length, &parts);
    if (parts.name_length == 0 || parts.argument_length == 0) {
        send_text(s, m, "! usage: /msg NAME text");
        return;
    }
    struct member *to = find_member(s, parts.name, parts.name_length);
    if (to == NULL || to->state != MEMBER_ACTIVE) {
        send_error(s, m, "no such user: ", parts.name, parts.name_length);
        return;
    }
    struct outgoing o;
    start_line(&o);
    add_text(&o, m->nick);
    add_text(&o, " (private): ");
    add_bytes(&o, parts.argument, parts.argument_length);
    end_line(&o);
    send_line(s, to, &o);
}

static void command_me(struct server *s, struct member *m, const char *text,
                       size_t length)
{
    if (length == 0) {
        send_text(s, m, "! usage: /me text");
        return;
    }
    struct outgoing o;
    start_line(&o);
    add_text(&o, "* ");
    add_text(&o, m->nick);
    add_text(&o, " ");
    add_bytes(&o, text, length);
    end_line(&o);
    send_to_others(s, m, &o);
}

static void command_help(struct server *s, struct member *m)
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
        send_text(s, m, help[i]);
}

/* Is the command word exactly `name`? */
static int is_command(const struct command *cmd, const char *name)
{
    return cmd->name_length == strlen(name) &&
           memcmp(cmd->name, name, cmd->name_length) == 0;
}

static void run_command(struct server *s, struct member *m, const char *text,
                        size_t length)
{
    struct command cmd;
    parse_command(text, length, &cmd);
    if (is_command(&cmd, "nick")) {
        command_nick(s, m, cmd.argument, cmd.argument_length);
    } else if (is_command(&cmd, "who")) {
        command_who(s, m);
    } else if (is_command(&cmd, "msg")) {
        command_msg(s, m, cmd.argument, cmd.argument_length);
    } else if (is_command(&cmd, "me")) {
        command_me(s, m, cmd.argument, cmd.argument_length);
    } else if (is_command(&cmd, "help")) {
        command_help(s, m);
    } else if (is_command(&cmd, "quit")) {
        send_text(s, m, "* bye");
        m->state = MEMBER_LEAVING; /* the loop sends the bye, closes, tells the others */
    } else {
        send_error(s, m, "unknown command: /", cmd.name, cmd.name_length);
    }
}

/* One complete line from m, without its line ending (step 3 of the loop). */
void handle_line(struct server *s, struct member *m, const char *text, size_t length)
{
    if (length == 0)
        return; /* an empty line says nothing */
    if (text[0] == '/') {
        run_command(s, m, text, length);
        return;
    }
    /* A plain line: "alice: text" to everyone else (not back to alice). */
    struct outgoing o;
    start_line(&o);
    add_text(&o, m->nick);
    add_text(&o, ": ");
    add_bytes(&o, text, length);
    end_line(&o);
    send_to_others(s, m, &o);
}

/* ---- The tick ---------------------------------------------------------------------- */

/* With -T, everyone gets "* tick K" every N seconds, although nobody asked: over a
 * connection that stays open, the server may speak whenever it likes. The loop's
 * select() timeout (time_to_next_event in pushd.c) wakes us when one is due. */
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
