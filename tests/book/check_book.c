/* check_book.c: the book and the code cannot drift apart.
 *
 * Every code excerpt in book/ names its source file in the fence's info string:
 *
 *     ```c chapters/01-http-close/httpd.c
 *     static void linger_close(int fd)
 *     ...
 *     ```
 *
 * and must appear in that file verbatim: its lines, consecutive and in order. A line
 * holding only "..." skips any number of lines of the file, so an excerpt can show a
 * function's start and end. A failure names the book file and line of the fence.
 * A ```diff fence whose "--- PATH" and "+++ PATH" labels name files (anything after
 * the path is a note) is checked too: its removed and context lines must be lines of
 * the first file, its added and context lines lines of the second.
 *
 * Also checked: every chapter folder has its book file, and the introduction exists;
 * each chapter reads in one sitting (its main path, up to a final "## Going further",
 * is at most MAX_MAIN_PATH_WORDS words, counted as wc -w counts them); and at least
 * two thirds of a chapter's C excerpts quote that chapter's own folder, so the
 * learner reads the chapter's code, not the shared helpers (DESIGN.md section 5).
 */
#include "harness.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BOOK_DIR            PROJECT_ROOT "/book"
#define MAX_FILES           32
#define MAX_LINES           20000
#define LINE_LENGTH         1024
#define MAX_MAIN_PATH_WORDS 5000

/* A text file as an array of lines (newlines removed). */
struct text {
    char *lines[MAX_LINES];
    size_t count;
};

static int load(const char *path, struct text *t)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    char buf[LINE_LENGTH];
    t->count = 0;
    while (t->count < MAX_LINES && fgets(buf, sizeof buf, f) != NULL) {
        buf[strcspn(buf, "\n")] = '\0';
        t->lines[t->count++] = strdup(buf);
    }
    fclose(f);
    return 0;
}

static void unload(struct text *t)
{
    for (size_t i = 0; i < t->count; i++)
        free(t->lines[i]);
    t->count = 0;
}

static int is_skip_line(const char *line)
{
    line += strspn(line, " \t");
    return strcmp(line, "...") == 0;
}

/* Find lines [from, to) of the excerpt, consecutively, in src at or after *at.
 * On success *at moves past the match. */
static int find_chunk(struct text *src, size_t *at, char **lines, size_t count)
{
    if (count == 0)
        return 1;
    for (size_t i = *at; i + count <= src->count; i++) {
        size_t k = 0;
        while (k < count && strcmp(src->lines[i + k], lines[k]) == 0)
            k++;
        if (k == count) {
            *at = i + count;
            return 1;
        }
    }
    return 0;
}

/* Check one excerpt: lines [first, last) of the book file, quoting path. Returns NULL
 * or a description of the first mismatch. */
static const char *check_excerpt(const char *path, char **lines, size_t count, char *why,
                                 size_t why_size)
{
    static struct text src;
    char full[512];
    snprintf(full, sizeof full, "%s/%s", PROJECT_ROOT, path);
    if (load(full, &src) < 0) {
        snprintf(why, why_size, "names %s, which does not exist", path);
        return why;
    }
    size_t at = 0;
    size_t start = 0;
    const char *result = NULL;
    for (size_t i = 0; i <= count && result == NULL; i++) {
        if (i < count && !is_skip_line(lines[i]))
            continue;
        if (!find_chunk(&src, &at, lines + start, i - start)) {
            snprintf(why, why_size,
                     "its lines from \"%.60s\" on are not in %s (in this order)",
                     lines[start], path);
            result = why;
        }
        start = i + 1;
    }
    unload(&src);
    return result;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* The Markdown files of book/, sorted by name. */
static size_t book_files(char names[][256])
{
    size_t count = 0;
    DIR *d = opendir(BOOK_DIR);
    if (d == NULL)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && count < MAX_FILES) {
        size_t length = strlen(e->d_name);
        if (length > 3 && strcmp(e->d_name + length - 3, ".md") == 0)
            snprintf(names[count++], 256, "%s", e->d_name);
    }
    closedir(d);
    qsort(names, count, 256, compare_names);
    return count;
}

/* Is line a line of the file at path (relative to the project)? -1 if no such file. */
static int file_has_line(const char *path, const char *line)
{
    static struct text src;
    char full[512];
    snprintf(full, sizeof full, "%s/%s", PROJECT_ROOT, path);
    if (load(full, &src) < 0)
        return -1;
    int found = 0;
    for (size_t i = 0; i < src.count && !found; i++)
        found = strcmp(src.lines[i], line) == 0;
    unload(&src);
    return found;
}

/* Check a diff excerpt, lines [0, count) after its fence. Returns NULL or why not. */
static const char *check_diff(char **lines, size_t count, char *why, size_t why_size)
{
    char old_path[256] = "";
    char new_path[256] = "";
    for (size_t i = 0; i < count; i++) {
        const char *line = lines[i];
        if (sscanf(line, "--- %255s", old_path) == 1 ||
            sscanf(line, "+++ %255s", new_path) == 1 || strncmp(line, "@@", 2) == 0)
            continue;
        if (old_path[0] == '\0' || new_path[0] == '\0') {
            snprintf(why, why_size, "diff without --- and +++ file labels");
            return why;
        }
        int in_old = line[0] != '+';
        int in_new = line[0] != '-';
        const char *text = line[0] == '\0' ? line : line + 1;
        if ((in_old && file_has_line(old_path, text) != 1) ||
            (in_new && file_has_line(new_path, text) != 1)) {
            snprintf(why, why_size, "diff line \"%.60s\" is not in %s", line,
                     in_old && file_has_line(old_path, text) != 1 ? old_path : new_path);
            return why;
        }
    }
    return NULL;
}

START_TEST(every_excerpt_matches_its_source)
{
    static char names[MAX_FILES][256];
    static struct text book;
    size_t files = book_files(names);
    ck_assert_msg(files > 0, "no Markdown files in %s", BOOK_DIR);
    int excerpts = 0;
    int failures = 0;
    char first_failure[1024] = "";
    for (size_t f = 0; f < files; f++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%.255s", BOOK_DIR, names[f]);
        ck_assert_msg(load(path, &book) == 0, "cannot read %s", path);
        for (size_t i = 0; i < book.count; i++) {
            char source[256];
            /* An opening fence with a path: ```c chapters/01-http-close/httpd.c */
            int is_diff = strcmp(book.lines[i], "```diff") == 0;
            if (!is_diff && sscanf(book.lines[i], "```%*[a-z] %255s", source) != 1)
                continue;
            size_t end = i + 1;
            while (end < book.count && strncmp(book.lines[end], "```", 3) != 0)
                end++;
            char why[512];
            excerpts++;
            const char *wrong =
                is_diff ? check_diff(book.lines + i + 1, end - i - 1, why, sizeof why)
                        : check_excerpt(source, book.lines + i + 1, end - i - 1, why,
                                        sizeof why);
            if (wrong != NULL) {
                fprintf(stderr, "book/%s:%zu: excerpt %s\n", names[f], i + 1, why);
                if (failures++ == 0)
                    snprintf(first_failure, sizeof first_failure,
                             "book/%.255s:%zu: excerpt %.500s", names[f], i + 1, why);
            }
            i = end;
        }
        unload(&book);
    }
    ck_assert_msg(failures == 0, "%d of %d excerpts differ from the code; first: %s",
                  failures, excerpts, first_failure);
    ck_assert_msg(excerpts > 0, "the book quotes no code at all");
}
END_TEST

/* Is this book file a chapter's ("01-http-close.md"), not the introduction? */
static int is_chapter_file(const char *name)
{
    return isdigit((unsigned char)name[0]) && isdigit((unsigned char)name[1]) &&
           strncmp(name, "00", 2) != 0;
}

/* Words as wc -w counts them: runs of non-space characters. */
static size_t count_words(const char *line)
{
    size_t words = 0;
    for (int in_word = 0; *line != '\0'; line++) {
        int space = isspace((unsigned char)*line);
        if (!space && !in_word)
            words++;
        in_word = !space;
    }
    return words;
}

START_TEST(every_chapter_reads_in_one_sitting)
{
    static char names[MAX_FILES][256];
    static struct text book;
    size_t files = book_files(names);
    char too_long[2048] = "";
    for (size_t f = 0; f < files; f++) {
        if (!is_chapter_file(names[f]))
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%.255s", BOOK_DIR, names[f]);
        ck_assert_msg(load(path, &book) == 0, "cannot read %s", path);
        size_t words = 0;
        for (size_t i = 0; i < book.count; i++) {
            if (strncmp(book.lines[i], "## Going further", 16) == 0)
                break;
            words += count_words(book.lines[i]);
        }
        unload(&book);
        if (words > MAX_MAIN_PATH_WORDS) {
            size_t used = strlen(too_long);
            snprintf(too_long + used, sizeof too_long - used, " book/%.64s: %zu words;",
                     names[f], words);
        }
    }
    ck_assert_msg(too_long[0] == '\0',
                  "main path (up to '## Going further') over %d words:%s",
                  MAX_MAIN_PATH_WORDS, too_long);
}
END_TEST

START_TEST(chapters_quote_their_own_code)
{
    static char names[MAX_FILES][256];
    static struct text book;
    size_t files = book_files(names);
    char failing[2048] = "";
    for (size_t f = 0; f < files; f++) {
        if (!is_chapter_file(names[f]))
            continue;
        char path[512];
        char own[300];
        snprintf(path, sizeof path, "%s/%.255s", BOOK_DIR, names[f]);
        /* "01-http-close.md" quotes "chapters/01-http-close/..." */
        snprintf(own, sizeof own, "chapters/%.*s/", (int)(strlen(names[f]) - 3),
                 names[f]);
        ck_assert_msg(load(path, &book) == 0, "cannot read %s", path);
        int total = 0;
        int own_count = 0;
        for (size_t i = 0; i < book.count; i++) {
            char source[256];
            /* "```c path": the space is checked too, or "```console" would count. */
            if (strncmp(book.lines[i], "```c ", 5) != 0 ||
                sscanf(book.lines[i] + 5, "%255s", source) != 1)
                continue;
            total++;
            own_count += strncmp(source, own, strlen(own)) == 0;
        }
        unload(&book);
        if (3 * own_count < 2 * total) {
            size_t used = strlen(failing);
            snprintf(failing + used, sizeof failing - used, " book/%.64s: %d of %d;",
                     names[f], own_count, total);
        }
    }
    ck_assert_msg(
        failing[0] == '\0',
        "fewer than two thirds of the C excerpts quote the chapter's own folder:%s",
        failing);
}
END_TEST

START_TEST(every_chapter_has_its_book_file)
{
    char path[512];
    snprintf(path, sizeof path, "%s/00-introduction.md", BOOK_DIR);
    ck_assert_msg(access(path, R_OK) == 0, "book/00-introduction.md is missing");
    DIR *d = opendir(PROJECT_ROOT "/chapters");
    ck_assert_msg(d != NULL, "no chapters/ folder");
    struct dirent *e;
    int chapters = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        chapters++;
        snprintf(path, sizeof path, "%s/%s.md", BOOK_DIR, e->d_name);
        ck_assert_msg(access(path, R_OK) == 0, "chapters/%s has no book/%s.md", e->d_name,
                      e->d_name);
    }
    closedir(d);
    ck_assert_msg(chapters > 0, "no chapter folders found");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("book");
    TCase *tc = tcase_create("excerpts");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, every_excerpt_matches_its_source);
    tcase_add_test(tc, every_chapter_has_its_book_file);
    suite_add_tcase(s, tc);
    tc = tcase_create("teaching");
    tcase_add_test(tc, every_chapter_reads_in_one_sitting);
    tcase_add_test(tc, chapters_quote_their_own_code);
    suite_add_tcase(s, tc);
    Suite *suites[] = {s};
    return run_suites(suites, 1);
}
