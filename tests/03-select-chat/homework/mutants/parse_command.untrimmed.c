/* Mistake: takes everything after the space as the argument, without
 * trimming, so "/nick   alice  " asks for the nick "  alice  ". */
#include "exercises.h"

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
    out->argument = line + start;
    return 0;
}
