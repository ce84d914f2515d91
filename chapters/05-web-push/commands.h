/* commands.h: reading a command line such as "/msg bob see you at 6" and checking
 *
 * Chapter 3's file, copied unchanged: a chapter links only common/ and the C
 * library, never another chapter (DESIGN.md §2), and these are chapter 3's lesson
 * and homework, so they stay in its folder rather than move to common/.
 * nicknames.
 *
 * A line that starts with '/' is a command: the word after the slash, then one space,
 * then the argument. Lines may hold any byte, NUL included, so everything here works
 * on (pointer, length) pairs, never on strlen().
 *
 * This module depends on the C library only (it is also exercises 3.2 and 3.3).
 */
#ifndef COMMANDS_H
#define COMMANDS_H

#include <stddef.h>

/* A nickname is 1 to NICK_MAX_BYTES of A-Z a-z 0-9 _ - */
#define NICK_MAX_BYTES 16

/* Pieces of a line, pointing into it (not NUL-terminated). */
struct command {
    const char *name; /* the word after '/', up to the first space: "msg" */
    size_t name_length;
    const char *argument; /* after that space, without leading or trailing blanks */
    size_t argument_length;
};

/* Split line[0 .. length-1], which starts with '/', into its command word and its
 * argument. Blanks (spaces and tabs) around the argument are trimmed; a command
 * without an argument gets argument_length 0. Returns 0, or -1 for a line that
 * does not start with '/'. */
int parse_command(const char *line, size_t length, struct command *out);

/* 1 if name[0 .. length-1] is a valid nickname: 1 to NICK_MAX_BYTES bytes, each one
 * of A-Z a-z 0-9 _ -. Else 0. */
int nick_is_valid(const char *name, size_t length);

/* Split text at its first blank into a word and the rest, trimmed: "bob  hi there"
 * gives "bob" and "hi there". Either part may come out empty. */
void split_first_word(const char *text, size_t length, struct command *out);

#endif
