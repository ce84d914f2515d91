/* Reference answer to exercise 3.2: parse_command(), the same code chatd runs from
 * ../commands.c, copied here because your program is built from your own files: the
 * chapter's lesson is not a library you may link. */
#include "exercises.h"

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
