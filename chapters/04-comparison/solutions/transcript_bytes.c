/* Reference answer to exercise 4.4: reading back what log_wire() (common/log.c)
 * writes. */
#include "exercises.h"

#include <string.h>

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return 1;
    return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Count the bytes that text[0 .. length) stands for; -1 for a broken escape. */
static long unescaped_length(const char *text, size_t length)
{
    long bytes = 0;
    size_t i = 0;
    while (i < length) {
        if (text[i] != '\\') {
            i++;
        } else if (i + 1 < length && strchr("rnt\\", text[i + 1]) != NULL) {
            i += 2;
        } else if (i + 3 < length && text[i + 1] == 'x' && hex_digit(text[i + 2]) &&
                   hex_digit(text[i + 3])) {
            i += 4;
        } else {
            return -1;
        }
        bytes++;
    }
    return bytes;
}

/* "[fd 12] >>> " or "[fd 12] <<< ": the length of the prefix, and the direction
 * (1 sent, 0 received); -1 if the line does not start that way. */
static int trace_prefix(const char *line, size_t length, int *sent)
{
    size_t i = 4;
    if (length < 4 || memcmp(line, "[fd ", 4) != 0)
        return -1;
    while (i < length && line[i] >= '0' && line[i] <= '9')
        i++;
    if (i == 4 || length - i < 6 || line[i] != ']' || line[i + 1] != ' ' ||
        line[i + 5] != ' ')
        return -1;
    if (memcmp(line + i + 2, ">>>", 3) == 0)
        *sent = 1;
    else if (memcmp(line + i + 2, "<<<", 3) == 0)
        *sent = 0;
    else
        return -1;
    return (int)(i + 6);
}

int transcript_bytes(const char *transcript, long *sent, long *received)
{
    *sent = 0;
    *received = 0;
    const char *line = transcript;
    while (*line != '\0') {
        size_t length = strcspn(line, "\n");
        if (length > 0) {
            int outgoing;
            int prefix = trace_prefix(line, length, &outgoing);
            if (prefix < 0)
                return -1;
            long bytes = unescaped_length(line + prefix, length - (size_t)prefix);
            if (bytes < 0)
                return -1;
            *(outgoing ? sent : received) += bytes;
        }
        line += length;
        if (*line == '\n')
            line++;
    }
    return 0;
}
