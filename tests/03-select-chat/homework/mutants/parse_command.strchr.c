/* Mistake: finds the space with strchr() and measures with strlen(), as if
 * the line were a C string: a NUL byte in the argument cuts it short. */
#include "exercises.h"

#include <string.h>

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
    const char *space = strchr(line, ' ');
    size_t end = (space != NULL && (size_t)(space - line) < length)
                     ? (size_t)(space - line)
                     : length;
    out->name = line + 1;
    out->name_length = end - 1;
    /* Skip the one space after the word; trim() takes care of any others. */
    size_t start = end < length ? end + 1 : length;
    out->argument_length = strnlen(line + start, length - start);
    out->argument = trim(line + start, &out->argument_length);
    return 0;
}
