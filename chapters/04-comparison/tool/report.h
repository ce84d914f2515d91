/* tool/report.h: the tool around chapter 4's lesson, not the lesson.
 * The results as tables, printed as aligned text, CSV, Markdown or JSON.
 *
 * Each experiment fills one table. Its columns are the styles being compared ("ch1
 * close", "ch2 keep-alive", "ch3 socket", or one column per polling interval), its
 * rows the quantities measured ("latency p50 (ms)"), so a row reads across as a
 * comparison. A value may be missing (n/a: this system cannot tell us), and a whole
 * column may have failed (its server died, say), with the reason in the notes.
 *
 * CSV is written in "long" form, one value per line, which any spreadsheet can pivot:
 *     experiment,style,parameter,metric,value,unit
 *     roundtrip,ch1-close,,latency_p50,0.143,ms
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdio.h>

#define REPORT_MAX_COLUMNS 12
#define REPORT_MAX_ROWS    20
#define REPORT_MAX_NOTES   10
#define REPORT_MAX_TABLES  3
#define REPORT_NOTE_SIZE   320
#define REPORT_TEXT_SIZE   48

enum report_format { FORMAT_TEXT, FORMAT_CSV, FORMAT_MARKDOWN, FORMAT_JSON };

struct report_column {
    char key[REPORT_TEXT_SIZE];       /* "ch2-poll": for CSV and JSON */
    char label[REPORT_TEXT_SIZE];     /* "ch2 poll": for people */
    char parameter[REPORT_TEXT_SIZE]; /* "P=200ms", "C=100", or "" */
    char failure[REPORT_NOTE_SIZE];   /* not empty: this column failed, and why */
};

struct report_row {
    const char *key;   /* "latency_p50" */
    const char *label; /* "latency p50" */
    const char *unit;  /* "ms"; "" for a plain count */
    int decimals;      /* digits after the point in text output */
};

struct report_table {
    const char *id; /* "roundtrip", "push", "idle" */
    char title[REPORT_NOTE_SIZE];
    int column_count, row_count, note_count;
    struct report_column columns[REPORT_MAX_COLUMNS];
    struct report_row rows[REPORT_MAX_ROWS];
    double values[REPORT_MAX_ROWS][REPORT_MAX_COLUMNS]; /* NaN: not available */
    char notes[REPORT_MAX_NOTES][REPORT_NOTE_SIZE];
};

/* The machine the numbers come from: printed with every result. */
struct report_machine {
    char cpu[160];
    long cores; /* -1: unknown */
    char os[256];
    char build[160];
    long fd_limit, fd_hard_limit;
};

struct report {
    struct report_machine machine;
    int table_count;
    struct report_table tables[REPORT_MAX_TABLES];
};

/* A new, empty table in the report (NULL if there are too many). */
struct report_table *report_add_table(struct report *r, const char *id,
                                      const char *title);

/* Add a row (every value n/a until set); returns its index, or -1 if full. */
int report_add_row(struct report_table *t, const char *key, const char *label,
                   const char *unit, int decimals);

/* Add a column; returns its index, or -1 if full. */
int report_add_column(struct report_table *t, const char *key, const char *label,
                      const char *parameter);

/* Set or read the value in row `key`, column `column`. A missing row is ignored by
 * report_set; report_get returns NaN for it. */
void report_set(struct report_table *t, const char *key, int column, double value);
double report_get(const struct report_table *t, const char *key, int column);

/* Mark a column failed, with a reason (printf-style). */
void report_fail(struct report_table *t, int column, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Add a note printed under the table (printf-style); extra notes are dropped. */
void report_note(struct report_table *t, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Print the whole report. Returns 0, or -1 if writing failed. */
int report_print(FILE *out, const struct report *r, enum report_format format);

#endif
