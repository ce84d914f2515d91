/* replay.c: run a fuzz target on files, without libFuzzer.
 *
 *     build/replay/fuzz_framing corpus/fuzz_framing [more files or folders...]
 *
 * Linked with one fuzz_*.c instead of libFuzzer, this main() feeds it every file
 * named (every regular file inside a folder), each in a heap buffer of exactly its
 * size. It prints each file's name before running it, so the last name printed is
 * the input that failed, and exits 0 after the last, saying how many ran. This is
 * how `make test` keeps every input that ever found a bug as a regression test, with
 * whatever compiler and sanitizers the rest of the tests use, and how anyone can
 * replay a crash on a machine without clang's libFuzzer.
 */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int ran;

static void replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        exit(2);
    }
    size_t size = 0, capacity = 4096;
    unsigned char *data = malloc(capacity);
    size_t n;
    while (data != NULL && (n = fread(data + size, 1, capacity - size, f)) > 0) {
        size += n;
        if (size == capacity)
            data = realloc(data, capacity *= 2);
    }
    fclose(f);
    if (data == NULL) {
        fprintf(stderr, "replay: %s: out of memory\n", path);
        exit(2);
    }
    /* exactly size bytes, so that reading one more is a sanitizer report */
    unsigned char *exact = malloc(size > 0 ? size : 1);
    if (exact == NULL)
        exit(2);
    memcpy(exact, data, size);
    free(data);
    printf("%s\n", path);
    fflush(stdout);
    LLVMFuzzerTestOneInput(exact, size);
    free(exact);
    ran++;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files in a folder, in name order (readdir's order varies). */
static void replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        exit(2);
    }
    char **names = NULL;
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char **more = realloc(names, (count + 1) * sizeof *names);
        size_t length = strlen(dir) + strlen(e->d_name) + 2;
        char *path = malloc(length);
        if (more == NULL || path == NULL)
            exit(2);
        names = more;
        snprintf(path, length, "%s/%s", dir, e->d_name);
        names[count++] = path;
    }
    closedir(d);
    if (count > 0)
        qsort(names, count, sizeof *names, by_name);
    for (size_t i = 0; i < count; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
            replay_file(names[i]);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE_OR_FOLDER...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
            replay_dir(argv[i]);
        else
            replay_file(argv[i]);
    }
    printf("replayed %d inputs\n", ran);
    return ran > 0 ? 0 : 1;
}
