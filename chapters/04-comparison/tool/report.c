/* tool/report.c: the tool around chapter 4's lesson, not the lesson. See report.h. */
#include "report.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define LABEL_SIZE  96 /* "latency p50 (ms)" and the like */
#define NUMBER_SIZE 64
#define MIN_GAP     3  /* spaces between text columns */
#define NOTE_WIDTH  88 /* notes are wrapped to fit this many columns */

struct report_table *report_add_table(struct report *r, const char *id, const char *title)
{
    if (r->table_count == REPORT_MAX_TABLES)
        return NULL;
    struct report_table *t = &r->tables[r->table_count++];
    memset(t, 0, sizeof *t);
    t->id = id;
    snprintf(t->title, sizeof t->title, "%s", title);
    return t;
}

int report_add_row(struct report_table *t, const char *key, const char *label,
                   const char *unit, int decimals)
{
    if (t->row_count == REPORT_MAX_ROWS)
        return -1;
    int row = t->row_count++;
    t->rows[row] = (struct report_row){key, label, unit, decimals};
    for (int c = 0; c < REPORT_MAX_COLUMNS; c++)
        t->values[row][c] = NAN;
    return row;
}

int report_add_column(struct report_table *t, const char *key, const char *label,
                      const char *parameter)
{
    if (t->column_count == REPORT_MAX_COLUMNS)
        return -1;
    struct report_column *c = &t->columns[t->column_count];
    memset(c, 0, sizeof *c);
    snprintf(c->key, sizeof c->key, "%s", key);
    snprintf(c->label, sizeof c->label, "%s", label);
    snprintf(c->parameter, sizeof c->parameter, "%s", parameter);
    return t->column_count++;
}

static int row_index(const struct report_table *t, const char *key)
{
    for (int i = 0; i < t->row_count; i++)
        if (strcmp(t->rows[i].key, key) == 0)
            return i;
    return -1;
}

void report_set(struct report_table *t, const char *key, int column, double value)
{
    int row = row_index(t, key);
    if (row >= 0 && column >= 0 && column < t->column_count)
        t->values[row][column] = value;
}

double report_get(const struct report_table *t, const char *key, int column)
{
    int row = row_index(t, key);
    if (row < 0 || column < 0 || column >= t->column_count)
        return NAN;
    return t->values[row][column];
}

void report_fail(struct report_table *t, int column, const char *format, ...)
{
    if (column < 0 || column >= t->column_count)
        return;
    va_list args;
    va_start(args, format);
    vsnprintf(t->columns[column].failure, sizeof t->columns[column].failure, format,
              args);
    va_end(args);
}

void report_note(struct report_table *t, const char *format, ...)
{
    if (t->note_count == REPORT_MAX_NOTES)
        return;
    va_list args;
    va_start(args, format);
    vsnprintf(t->notes[t->note_count++], REPORT_NOTE_SIZE, format, args);
    va_end(args);
}

/* ---- Text ------------------------------------------------------------------------ */

static void row_label(const struct report_row *row, char *out, size_t size)
{
    if (row->unit[0] != '\0')
        snprintf(out, size, "%s (%s)", row->label, row->unit);
    else
        snprintf(out, size, "%s", row->label);
}

/* A value as text people read: "n/a" for a missing one, "failed" in a failed column,
 * and 0 for one that rounds to zero (printf would say "-0.0" for -0.004). */
static void format_cell(const struct report_table *t, int row, int column, char *out,
                        size_t size)
{
    double v = t->values[row][column];
    double half_unit = 0.5; /* of the last digit shown */
    for (int d = 0; d < t->rows[row].decimals; d++)
        half_unit /= 10;
    if (t->columns[column].failure[0] != '\0' && isnan(v))
        snprintf(out, size, "failed");
    else if (isnan(v))
        snprintf(out, size, "n/a");
    else if (v < half_unit && v > -half_unit)
        snprintf(out, size, "%.*f", t->rows[row].decimals, 0.0);
    else
        snprintf(out, size, "%.*f", t->rows[row].decimals, v);
}

static size_t max_size(size_t a, size_t b)
{
    return a > b ? a : b;
}

/* A note as "  - text", wrapped at word boundaries to fit NOTE_WIDTH columns. */
static void print_wrapped(FILE *out, const char *text)
{
    const char *indent = "  - ";
    while (*text != '\0') {
        size_t room = NOTE_WIDTH - strlen(indent);
        size_t length = strlen(text);
        if (length > room) {
            length = room;
            while (length > 0 && text[length] != ' ')
                length--;
            if (length == 0) /* one word longer than the line: cut it */
                length = room;
        }
        fprintf(out, "%s%.*s\n", indent, (int)length, text);
        text += length;
        text += strspn(text, " ");
        indent = "    ";
    }
}

static void print_text_table(FILE *out, int number, const struct report_table *t)
{
    char text[LABEL_SIZE];
    size_t label_width = 0;
    for (int r = 0; r < t->row_count; r++) {
        row_label(&t->rows[r], text, sizeof text);
        label_width = max_size(label_width, strlen(text));
    }
    size_t widths[REPORT_MAX_COLUMNS] = {0};
    for (int c = 0; c < t->column_count; c++) {
        widths[c] =
            max_size(strlen(t->columns[c].label), strlen(t->columns[c].parameter));
        for (int r = 0; r < t->row_count; r++) {
            format_cell(t, r, c, text, sizeof text);
            widths[c] = max_size(widths[c], strlen(text));
        }
    }

    fprintf(out, "\n%d. %s\n\n", number, t->title);
    /* Two header lines: the style, then its parameter (interval, connections). */
    fprintf(out, "%-*s", (int)label_width, "");
    for (int c = 0; c < t->column_count; c++)
        fprintf(out, "%*s%*s", MIN_GAP, "", (int)widths[c], t->columns[c].label);
    fputc('\n', out);
    int any_parameter = 0;
    for (int c = 0; c < t->column_count; c++)
        any_parameter |= t->columns[c].parameter[0] != '\0';
    if (any_parameter) {
        fprintf(out, "%-*s", (int)label_width, "");
        for (int c = 0; c < t->column_count; c++)
            fprintf(out, "%*s%*s", MIN_GAP, "", (int)widths[c], t->columns[c].parameter);
        fputc('\n', out);
    }
    for (int r = 0; r < t->row_count; r++) {
        row_label(&t->rows[r], text, sizeof text);
        fprintf(out, "%-*s", (int)label_width, text);
        for (int c = 0; c < t->column_count; c++) {
            format_cell(t, r, c, text, sizeof text);
            fprintf(out, "%*s%*s", MIN_GAP, "", (int)widths[c], text);
        }
        fputc('\n', out);
    }
    for (int c = 0; c < t->column_count; c++)
        if (t->columns[c].failure[0] != '\0')
            fprintf(out, "  FAILED %s %s: %s\n", t->columns[c].label,
                    t->columns[c].parameter, t->columns[c].failure);
    for (int n = 0; n < t->note_count; n++)
        print_wrapped(out, t->notes[n]);
}

static void print_machine_text(FILE *out, const struct report_machine *m)
{
    fprintf(out, "machine: %s, %ld core%s, %s\n", m->cpu, m->cores,
            m->cores == 1 ? "" : "s", m->os);
    fprintf(out, "built with: %s\n", m->build);
    fprintf(out, "descriptor limit (RLIMIT_NOFILE): %ld (hard limit %ld)\n", m->fd_limit,
            m->fd_hard_limit);
}

/* ---- CSV ------------------------------------------------------------------------- */

/* RFC 4180: a field with a comma, a quote or a line break goes in double quotes, and
 * a quote inside is doubled. */
static void csv_field(FILE *out, const char *text)
{
    if (strpbrk(text, ",\"\r\n") == NULL) {
        fputs(text, out);
        return;
    }
    fputc('"', out);
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    fputc('"', out);
}

static void csv_line(FILE *out, const char *experiment, const char *style,
                     const char *parameter, const char *metric, const char *value,
                     const char *unit)
{
    const char *fields[] = {experiment, style, parameter, metric, value, unit};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (i > 0)
            fputc(',', out);
        csv_field(out, fields[i]);
    }
    fputc('\n', out);
}

static void print_csv(FILE *out, const struct report *r)
{
    const struct report_machine *m = &r->machine;
    char number[NUMBER_SIZE];
    csv_line(out, "experiment", "style", "parameter", "metric", "value", "unit");
    csv_line(out, "machine", "", "", "cpu", m->cpu, "");
    snprintf(number, sizeof number, "%ld", m->cores);
    csv_line(out, "machine", "", "", "cores", number, "count");
    csv_line(out, "machine", "", "", "os", m->os, "");
    csv_line(out, "machine", "", "", "build", m->build, "");
    snprintf(number, sizeof number, "%ld", m->fd_limit);
    csv_line(out, "machine", "", "", "fd_limit", number, "count");
    for (int i = 0; i < r->table_count; i++) {
        const struct report_table *t = &r->tables[i];
        for (int c = 0; c < t->column_count; c++) {
            const struct report_column *col = &t->columns[c];
            if (col->failure[0] != '\0')
                csv_line(out, t->id, col->key, col->parameter, "error", col->failure, "");
            for (int row = 0; row < t->row_count; row++) {
                double v = t->values[row][c];
                if (isnan(v))
                    snprintf(number, sizeof number, "n/a");
                else
                    snprintf(number, sizeof number, "%.*f", t->rows[row].decimals + 3, v);
                csv_line(out, t->id, col->key, col->parameter, t->rows[row].key, number,
                         t->rows[row].unit);
            }
        }
    }
}

/* ---- Markdown -------------------------------------------------------------------- */

/* A pipe inside a cell would end it: escape it. */
static void markdown_text(FILE *out, const char *text)
{
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == '|')
            fputc('\\', out);
        fputc(*p, out);
    }
}

static void print_markdown(FILE *out, const struct report *r)
{
    const struct report_machine *m = &r->machine;
    char text[LABEL_SIZE];
    fprintf(out, "Machine: %s, %ld cores, %s; built with `%s`.\n", m->cpu, m->cores,
            m->os, m->build);
    for (int i = 0; i < r->table_count; i++) {
        const struct report_table *t = &r->tables[i];
        fprintf(out, "\n### %d. ", i + 1);
        markdown_text(out, t->title);
        fprintf(out, "\n\n|");
        for (int c = 0; c < t->column_count; c++) {
            fputs(" | ", out);
            markdown_text(out, t->columns[c].label);
            if (t->columns[c].parameter[0] != '\0') {
                fputc(' ', out);
                markdown_text(out, t->columns[c].parameter);
            }
        }
        fprintf(out, " |\n|---|");
        for (int c = 0; c < t->column_count; c++)
            fputs("---:|", out);
        fputc('\n', out);
        for (int row = 0; row < t->row_count; row++) {
            row_label(&t->rows[row], text, sizeof text);
            fputs("| ", out);
            markdown_text(out, text);
            for (int c = 0; c < t->column_count; c++) {
                format_cell(t, row, c, text, sizeof text);
                fprintf(out, " | %s", text);
            }
            fputs(" |\n", out);
        }
        if (t->note_count > 0)
            fputc('\n', out);
        for (int c = 0; c < t->column_count; c++) {
            if (t->columns[c].failure[0] != '\0') {
                fprintf(out, "- **failed** %s: ", t->columns[c].label);
                markdown_text(out, t->columns[c].failure);
                fputc('\n', out);
            }
        }
        for (int n = 0; n < t->note_count; n++) {
            fputs("- ", out);
            markdown_text(out, t->notes[n]);
            fputc('\n', out);
        }
    }
}

/* ---- JSON ------------------------------------------------------------------------ */

static void json_string(FILE *out, const char *text)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

static void print_json(FILE *out, const struct report *r)
{
    const struct report_machine *m = &r->machine;
    fputs("{\n  \"machine\": {\"cpu\": ", out);
    json_string(out, m->cpu);
    fprintf(out, ", \"cores\": %ld, \"os\": ", m->cores);
    json_string(out, m->os);
    fputs(", \"build\": ", out);
    json_string(out, m->build);
    fprintf(out, ", \"fd_limit\": %ld},\n  \"experiments\": [", m->fd_limit);
    for (int i = 0; i < r->table_count; i++) {
        const struct report_table *t = &r->tables[i];
        fprintf(out, "%s\n    {\"id\": ", i > 0 ? "," : "");
        json_string(out, t->id);
        fputs(", \"title\": ", out);
        json_string(out, t->title);
        fputs(", \"styles\": [", out);
        for (int c = 0; c < t->column_count; c++) {
            const struct report_column *col = &t->columns[c];
            fprintf(out, "%s\n      {\"style\": ", c > 0 ? "," : "");
            json_string(out, col->key);
            fputs(", \"parameter\": ", out);
            json_string(out, col->parameter);
            if (col->failure[0] != '\0') {
                fputs(", \"error\": ", out);
                json_string(out, col->failure);
            }
            for (int row = 0; row < t->row_count; row++) {
                double v = t->values[row][c];
                fprintf(out, ", \"%s\": ", t->rows[row].key);
                if (isnan(v))
                    fputs("null", out);
                else
                    fprintf(out, "%.*f", t->rows[row].decimals + 3, v);
            }
            fputc('}', out);
        }
        fputs("],\n     \"notes\": [", out);
        for (int n = 0; n < t->note_count; n++) {
            if (n > 0)
                fputs(", ", out);
            json_string(out, t->notes[n]);
        }
        fputs("]}", out);
    }
    fputs("\n  ]\n}\n", out);
}

int report_print(FILE *out, const struct report *r, enum report_format format)
{
    switch (format) {
    case FORMAT_CSV:
        print_csv(out, r);
        break;
    case FORMAT_MARKDOWN:
        print_markdown(out, r);
        break;
    case FORMAT_JSON:
        print_json(out, r);
        break;
    case FORMAT_TEXT:
        print_machine_text(out, &r->machine);
        for (int i = 0; i < r->table_count; i++)
            print_text_table(out, i + 1, &r->tables[i]);
        break;
    }
    return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
