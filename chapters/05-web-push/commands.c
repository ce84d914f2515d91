/* commands.c: see commands.h. */
#include "commands.h"

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Shrink text[0 .. *length-1] to drop blanks at both ends. Returns the new start. */
static const char *trim(const char *text, size_t *length)
{
    while (*length > 0 && is_blank(text[0])) {
        text++;
        (*length)--;
    }
    while (*length > 0 && is_blank(text[*length - 1]))
        (*length)--;
    return text;
}

int parse_command(const char *line, size_t length, struct command *out)
{
    if (length == 0 || line[0] != '/')
        return -1;
    size_t end = 1;
    while (end < length && line[end] != ' ')
        end++;
    out->name = line + 1;
    out->name_length = end - 1;
    /* Skip the one space after the word; trim() takes care of any others. */
    size_t start = end < length ? end + 1 : length;
    out->argument_length = length - start;
    out->argument = trim(line + start, &out->argument_length);
    return 0;
}

int nick_is_valid(const char *name, size_t length)
{
    if (length < 1 || length > NICK_MAX_BYTES)
        return 0;
    for (size_t i = 0; i < length; i++) {
        char c = name[i];
        /* Spelled out rather than isalnum(): that one depends on the locale. */
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!ok)
            return 0;
    }
    return 1;
}

void split_first_word(const char *text, size_t length, struct command *out)
{
    text = trim(text, &length);
    size_t end = 0;
    while (end < length && !is_blank(text[end]))
        end++;
    out->name = text;
    out->name_length = end;
    out->argument_length = length - end;
    out->argument = trim(text + end, &out->argument_length);
}
