/* fuzz.h: what the fuzz targets share.
 *
 * Each fuzz_*.c in this folder defines LLVMFuzzerTestOneInput(data, size). libFuzzer
 * calls it with millions of inputs that it makes up and mutates, steering towards
 * inputs that reach code no earlier input reached; AddressSanitizer and
 * UndefinedBehaviorSanitizer turn a quiet memory or arithmetic error into a crash.
 * A crash alone is a weak test, so every target also checks properties that must
 * hold for any input at all (a mapped path never leaves the document root; a request
 * parses the same however its bytes are cut into reads) with FUZZ_CHECK.
 *
 * The same targets also run without libFuzzer: replay.c feeds them the files of the
 * corpus, and `make test` does that on every run (tests/common/test_regressions.c), so
 * an input that once found a bug stays a test.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Built with AddressSanitizer? (gcc says so one way, clang another.) */
#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_HAVE_ASAN 1
#endif
#endif
#ifdef FUZZ_HAVE_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property did not hold: say which, where, and crash so that libFuzzer saves the
 * input. The sanitizer's report channel still works when libFuzzer has silenced the
 * program's stderr (-close_fd_mask=2), so the message goes there too. */
static inline void fuzz_fail(const char *file, int line, const char *condition)
{
    char text[512];
    snprintf(text, sizeof text, "fuzz: property failed: %s:%d: %s", file, line,
             condition);
    fprintf(stderr, "%s\n", text);
#ifdef FUZZ_HAVE_ASAN
    __sanitizer_report_error_summary(text);
#endif
    abort();
}

#define FUZZ_CHECK(condition)                                                            \
    do {                                                                                 \
        if (!(condition))                                                                \
            fuzz_fail(__FILE__, __LINE__, #condition);                                   \
    } while (0)

/* The input as a C string in a buffer of exactly size + 1 bytes (on the heap, so
 * that AddressSanitizer catches a read one byte too far). The caller frees it. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL)
        abort();
    if (size > 0)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* A heap buffer of exactly size bytes (at least 1, so malloc(0) never comes up). */
static inline char *fuzz_buffer(size_t size)
{
    char *b = malloc(size > 0 ? size : 1);
    if (b == NULL)
        abort();
    return b;
}

/* The input's bytes in a heap buffer of exactly size bytes, for functions that take a
 * length and need no terminator. The caller frees it. */
static inline char *fuzz_copy(const uint8_t *data, size_t size)
{
    char *b = fuzz_buffer(size);
    b[0] = '\0'; /* for size 0: a byte nobody may read, but not an uninitialised one */
    if (size > 0)
        memcpy(b, data, size);
    return b;
}

/* How to cut a stream into reads, decided by a seed taken from the input: mostly
 * small pieces, sometimes single bytes, sometimes everything that is left. The same
 * seed always gives the same cuts, so a crash reproduces. */
static inline size_t fuzz_next_piece(uint32_t *state, size_t left)
{
    *state = *state * 1103515245u + 12345u;
    uint32_t r = (*state >> 8) & 0xffffff;
    size_t size;
    switch (r % 5) {
    case 0:
        size = 1;
        break;
    case 1:
        size = 1 + (r >> 3) % 8;
        break;
    case 2:
        size = 1 + (r >> 3) % 200;
        break;
    case 3:
        size = 1 + (r >> 3) % 5000;
        break;
    default:
        size = left;
        break;
    }
    return size < left ? size : left;
}

/* FNV-1a: a fingerprint of what a run did, to compare two runs. */
static inline uint64_t fuzz_hash(uint64_t hash, const void *bytes, size_t length)
{
    const unsigned char *p = bytes;
    for (size_t i = 0; i < length; i++) {
        hash ^= p[i];
        hash *= 1099511628211ull;
    }
    return hash;
}

static inline uint64_t fuzz_hash_number(uint64_t hash, long long number)
{
    return fuzz_hash(hash, &number, sizeof number);
}

#define FUZZ_HASH_START 14695981039346656037ull

#endif
