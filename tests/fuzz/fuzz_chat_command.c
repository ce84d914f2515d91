/* fuzz_chat_command.c: chatd's command parser, chapters/03-select-chat/commands.c.
 *
 *   parse_command     "/msg bob  hi " -> "msg" and "bob  hi"
 *   split_first_word  "bob  hi"       -> "bob" and "hi"
 *   nick_is_valid     1-16 of A-Z a-z 0-9 _ -
 *
 * The input is one line (any bytes, NUL included: these work on lengths), in a heap
 * buffer of exactly its size. Every piece returned must lie inside the line, and match
 * a plain second reading of the rules (DESIGN.md §3.3: one space after the command,
 * arguments trimmed of spaces and tabs).
 */
#include "commands.h"

#include "fuzz.h"

static int rule_is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* p[0 .. length) lies inside line[0 .. line_length)? */
static int inside(const char *line, size_t line_length, const char *p, size_t length)
{
    return length == 0 || (p >= line && p + length <= line + line_length);
}

/* Trimmed text[0 .. *length): its start, and *length shortened. */
static const char *rule_trim(const char *text, size_t *length)
{
    while (*length > 0 && rule_is_blank(text[0])) {
        text++;
        (*length)--;
    }
    while (*length > 0 && rule_is_blank(text[*length - 1]))
        (*length)--;
    return text;
}

static void check_parse_command(const char *line, size_t length)
{
    struct command cmd;
    int rc = parse_command(line, length, &cmd);
    FUZZ_CHECK(rc == ((length > 0 && line[0] == '/') ? 0 : -1));
    if (rc != 0)
        return;
    /* the word: from after '/' up to the first space (tabs belong to the word) */
    const char *space = memchr(line, ' ', length);
    size_t word_end = space != NULL ? (size_t)(space - line) : length;
    FUZZ_CHECK(cmd.name == line + 1 && cmd.name_length == word_end - 1);
    /* the argument: after that one space, trimmed */
    size_t rest_length = word_end < length ? length - word_end - 1 : 0;
    const char *rest =
        rule_trim(line + (word_end < length ? word_end + 1 : length), &rest_length);
    FUZZ_CHECK(cmd.argument_length == rest_length);
    FUZZ_CHECK(rest_length == 0 || cmd.argument == rest);
    FUZZ_CHECK(inside(line, length, cmd.argument, cmd.argument_length));
    if (cmd.argument_length > 0)
        FUZZ_CHECK(!rule_is_blank(cmd.argument[0]) &&
                   !rule_is_blank(cmd.argument[cmd.argument_length - 1]));
}

static void check_split_first_word(const char *text, size_t length)
{
    struct command parts;
    split_first_word(text, length, &parts);
    FUZZ_CHECK(inside(text, length, parts.name, parts.name_length));
    FUZZ_CHECK(inside(text, length, parts.argument, parts.argument_length));
    for (size_t i = 0; i < parts.name_length; i++)
        FUZZ_CHECK(!rule_is_blank(parts.name[i]));
    size_t trimmed_length = length;
    const char *trimmed = rule_trim(text, &trimmed_length);
    FUZZ_CHECK(parts.name_length == 0 || parts.name == trimmed);
    FUZZ_CHECK((parts.name_length == 0) == (trimmed_length == 0));
    if (parts.argument_length > 0) {
        FUZZ_CHECK(!rule_is_blank(parts.argument[0]) &&
                   !rule_is_blank(parts.argument[parts.argument_length - 1]));
        FUZZ_CHECK(parts.argument > parts.name + parts.name_length);
        /* nothing but blanks between the word and the rest */
        for (const char *p = parts.name + parts.name_length; p < parts.argument; p++)
            FUZZ_CHECK(rule_is_blank(*p));
        FUZZ_CHECK(parts.argument + parts.argument_length == trimmed + trimmed_length);
    } else {
        FUZZ_CHECK(parts.name + parts.name_length == trimmed + trimmed_length);
    }
}

static void check_nick(const char *name, size_t length)
{
    int expected = length >= 1 && length <= NICK_MAX_BYTES;
    for (size_t i = 0; i < length && expected; i++) {
        char c = name[i];
        expected = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                   (c >= '0' && c <= '9') || c == '_' || c == '-';
    }
    FUZZ_CHECK(nick_is_valid(name, length) == expected);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = fuzz_copy(data, size);
    check_parse_command(line, size);
    check_split_first_word(line, size);
    check_nick(line, size);
    struct command cmd; /* the argument of a command, as chatd passes it on */
    if (parse_command(line, size, &cmd) == 0) {
        check_split_first_word(cmd.argument, cmd.argument_length);
        check_nick(cmd.argument, cmd.argument_length);
    }
    free(line);
    return 0;
}
