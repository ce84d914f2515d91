/* tool/svg.c: the tool around chapter 4's lesson, not the lesson.
 * The results as a chart, an SVG file written by hand.
 *
 * SVG is XML text: rectangles, lines and text at coordinates we compute, so a chart
 * needs no plotting library. This one has five panels, one above the other:
 *   1. round-trip latency per style (p50, p90, p99);
 *   2. bytes per exchange: payload, and the TCP/IP headers by the model;
 *   3. the delay from event to client against the polling interval, with push;
 *   4. bytes spent per event delivered, push and each polling interval;
 *   5. server memory added per idle connection (RSS and PSS);
 *   6. the delay from event to client of each way to push (ch3's chat, and where
 *      chapter 5 is built its raw socket, long polling, SSE and WebSocket).
 * Any browser opens it. Text uses the generic "sans-serif" font, and there are no
 * scripts and no external files. Every piece of text we write is escaped (& < > "),
 * since a note could contain any of them.
 */
#include "svg.h"

#include "options.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define WIDTH         760
#define PANEL_HEIGHT  270
#define PANEL_COUNT   6
#define HEADER_HEIGHT 56
#define MARGIN_LEFT   76
#define MARGIN_RIGHT  24
#define MARGIN_TOP    44 /* within a panel: its title */
#define MARGIN_BOTTOM 56 /* within a panel: the x labels and the axis title */
#define Y_TICKS       5
#define MAX_SERIES    3
#define MAX_GROUPS    REPORT_MAX_COLUMNS

/* The bars' series, in order; the fourth is push's line in panel 3. */
static const char *const colours[] = {"#4c78a8", "#f58518", "#54a24b", "#e45756"};
#define PUSH_COLOUR 3

/* The drawing area of one panel, in pixels, and the value at its top. */
struct plot {
    double left, top, width, height;
    double y_max;
};

/* Bars: groups (one per style) of up to MAX_SERIES values each. */
struct bars {
    int group_count, series_count;
    char group_label[MAX_GROUPS][REPORT_TEXT_SIZE];
    char group_parameter[MAX_GROUPS][REPORT_TEXT_SIZE];
    const char *series_label[MAX_SERIES];
    double value[MAX_GROUPS][MAX_SERIES]; /* NaN: no bar */
};

/* ---- Writing SVG ----------------------------------------------------------------- */

static void escaped(FILE *f, const char *text)
{
    for (const char *p = text; *p != '\0'; p++) {
        switch (*p) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(*p, f);
        }
    }
}

/* anchor: "start", "middle" or "end". */
static void text_at(FILE *f, double x, double y, const char *anchor, int size,
                    const char *text)
{
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">", x, y,
            anchor, size);
    escaped(f, text);
    fputs("</text>\n", f);
}

static void line(FILE *f, double x1, double y1, double x2, double y2, const char *colour,
                 const char *extra)
{
    fprintf(f,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" %s/>\n",
            x1, y1, x2, y2, colour, extra);
}

static void format_value(double v, char *out, size_t size)
{
    if (isnan(v))
        snprintf(out, size, "n/a");
    else if (v >= 100 || v == 0)
        snprintf(out, size, "%.0f", v);
    else
        snprintf(out, size, "%.3g", v);
}

/* ---- Axes ------------------------------------------------------------------------ */

/* A round step for about Y_TICKS ticks up to max: 1, 2 or 5 times a power of ten. */
static double nice_step(double max)
{
    double rough = max / Y_TICKS;
    double power = 1;
    while (power * 10 <= rough)
        power *= 10;
    while (power > rough)
        power /= 10;
    double step = power;
    if (step * 2 >= rough)
        step = power * 2;
    else if (step * 5 >= rough)
        step = power * 5;
    else
        step = power * 10;
    return step;
}

static double plot_y(const struct plot *p, double v)
{
    return p->top + p->height - v / p->y_max * p->height;
}

/* The y axis with round ticks and grid lines; sets p->y_max from the data's max. */
static void y_axis(FILE *f, struct plot *p, double max, const char *title)
{
    if (!(max > 0))
        max = 1;
    double step = nice_step(max);
    int ticks = 0;
    while (step * ticks < max)
        ticks++;
    p->y_max = step * ticks;
    char label[32];
    for (int i = 0; i <= ticks; i++) {
        double y = plot_y(p, step * i);
        line(f, p->left, y, p->left + p->width, y, "#dddddd", "");
        format_value(step * i, label, sizeof label);
        text_at(f, p->left - 6, y + 4, "end", 11, label);
    }
    line(f, p->left, p->top, p->left, p->top + p->height, "#333333", "");
    line(f, p->left, p->top + p->height, p->left + p->width, p->top + p->height,
         "#333333", "");
    fprintf(f,
            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\" "
            "transform=\"rotate(-90 %.1f %.1f)\">",
            p->left - 52, p->top + p->height / 2, p->left - 52, p->top + p->height / 2);
    escaped(f, title);
    fputs("</text>\n", f);
}

static struct plot panel_plot(FILE *f, int panel, const char *title)
{
    struct plot p;
    double top = HEADER_HEIGHT + panel * PANEL_HEIGHT;
    p.left = MARGIN_LEFT;
    p.top = top + MARGIN_TOP;
    p.width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
    p.height = PANEL_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM;
    p.y_max = 1;
    text_at(f, WIDTH / 2.0, top + 22, "middle", 14, title);
    return p;
}

static void legend(FILE *f, const struct plot *p, const char *const *labels, int count)
{
    double x = p->left + p->width - 130 * count;
    for (int i = 0; i < count; i++) {
        fprintf(f,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>\n",
                x + 130 * i, p->top - 16, colours[i]);
        text_at(f, x + 130 * i + 14, p->top - 7, "start", 11, labels[i]);
    }
}

/* ---- Bar charts ------------------------------------------------------------------ */

static void bar_chart(FILE *f, int panel, const char *title, const char *y_title,
                      const struct bars *b)
{
    struct plot p = panel_plot(f, panel, title);
    double max = 0;
    for (int g = 0; g < b->group_count; g++)
        for (int s = 0; s < b->series_count; s++)
            if (!isnan(b->value[g][s]) && b->value[g][s] > max)
                max = b->value[g][s];
    y_axis(f, &p, max, y_title);
    legend(f, &p, b->series_label, b->series_count);
    if (b->group_count == 0) {
        text_at(f, p.left + p.width / 2, p.top + p.height / 2, "middle", 12,
                "not measured in this run");
        return;
    }
    double group_width = p.width / b->group_count;
    double bar_width = group_width * 0.7 / b->series_count;
    char label[32];
    for (int g = 0; g < b->group_count; g++) {
        double group_left = p.left + g * group_width + group_width * 0.15;
        for (int s = 0; s < b->series_count; s++) {
            double v = b->value[g][s];
            double x = group_left + s * bar_width;
            double y = isnan(v) ? plot_y(&p, 0) : plot_y(&p, v > 0 ? v : 0);
            if (!isnan(v))
                fprintf(f,
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                        "fill=\"%s\"/>\n",
                        x, y, bar_width - 2, plot_y(&p, 0) - y, colours[s]);
            format_value(v, label, sizeof label);
            text_at(f, x + bar_width / 2 - 1, y - 3, "middle", 10, label);
        }
        text_at(f, p.left + (g + 0.5) * group_width, p.top + p.height + 16, "middle", 11,
                b->group_label[g]);
        text_at(f, p.left + (g + 0.5) * group_width, p.top + p.height + 30, "middle", 11,
                b->group_parameter[g]);
    }
}

static const struct report_table *find_table(const struct report *r, const char *id)
{
    for (int i = 0; i < r->table_count; i++)
        if (strcmp(r->tables[i].id, id) == 0)
            return &r->tables[i];
    return NULL;
}

/* One bar group per column of the table, with the rows named in keys as its series. */
static void bars_from_table(const struct report_table *t, const char *const *keys,
                            const char *const *labels, int series, struct bars *b)
{
    memset(b, 0, sizeof *b);
    b->series_count = series;
    for (int s = 0; s < series; s++)
        b->series_label[s] = labels[s];
    for (int c = 0; t != NULL && c < t->column_count && c < MAX_GROUPS; c++) {
        const struct report_column *col = &t->columns[c];
        snprintf(b->group_label[b->group_count], sizeof b->group_label[0], "%s",
                 col->label);
        snprintf(b->group_parameter[b->group_count], sizeof b->group_parameter[0], "%s",
                 col->parameter);
        for (int s = 0; s < series; s++)
            b->value[b->group_count][s] = report_get(t, keys[s], c);
        b->group_count++;
    }
}

/* Keep only the groups that are no poller's ("P=..." in their parameter). */
static void drop_pollers(struct bars *b)
{
    int kept = 0;
    for (int g = 0; g < b->group_count; g++) {
        if (strncmp(b->group_parameter[g], "P=", 2) == 0)
            continue;
        if (kept != g) {
            memcpy(b->group_label[kept], b->group_label[g], sizeof b->group_label[0]);
            memcpy(b->group_parameter[kept], b->group_parameter[g],
                   sizeof b->group_parameter[0]);
            memcpy(b->value[kept], b->value[g], sizeof b->value[0]);
        }
        kept++;
    }
    b->group_count = kept;
}

/* ---- The polling curve ----------------------------------------------------------- */

/* A poller's column parameter, "P=200ms", gives its interval in ms; push has none. */
static int poll_interval(const char *parameter, double *ms)
{
    const char *cursor = parameter;
    long long interval;
    if (strncmp(cursor, "P=", 2) != 0)
        return -1;
    cursor += 2;
    if (option_scan_number(&cursor, &interval) < 0 || interval <= 0 ||
        strcmp(cursor, "ms") != 0)
        return -1;
    *ms = (double)interval;
    return 0;
}

/* Measured mean and p99 delay against the interval P, the P/2 line, and push. */
static void delay_chart(FILE *f, int panel, const struct report_table *t)
{
    struct plot p =
        panel_plot(f, panel, "3. Delay from event to client: polling every P ms vs push");
    double xs[REPORT_MAX_COLUMNS], mean[REPORT_MAX_COLUMNS], p99[REPORT_MAX_COLUMNS];
    int count = 0;
    double x_max = 0, y_max = 0, push_mean = NAN;
    for (int c = 0; t != NULL && c < t->column_count; c++) {
        if (strcmp(t->columns[c].key, "ch3-push") == 0)
            push_mean = report_get(t, "delay_mean", c);
        if (poll_interval(t->columns[c].parameter, &xs[count]) < 0)
            continue;
        mean[count] = report_get(t, "delay_mean", c);
        p99[count] = report_get(t, "delay_p99", c);
        if (xs[count] > x_max)
            x_max = xs[count];
        if (!isnan(p99[count]) && p99[count] > y_max)
            y_max = p99[count];
        count++;
    }
    y_axis(f, &p, y_max > x_max / 2 ? y_max : x_max / 2, "delay (ms)");
    static const char *const labels[] = {"poll: mean", "poll: p99", "P/2 (model)",
                                         "push: mean"};
    legend(f, &p, labels, 4);
    if (count == 0) {
        text_at(f, p.left + p.width / 2, p.top + p.height / 2, "middle", 12,
                "polling not measured in this run");
        return;
    }
    double x_scale = p.width / x_max;
    char label[48];
    /* The x axis: a tick at every measured interval. */
    for (int i = 0; i < count; i++) {
        double x = p.left + xs[i] * x_scale;
        line(f, x, p.top + p.height, x, p.top + p.height + 4, "#333333", "");
        snprintf(label, sizeof label, "%.0f", xs[i]);
        text_at(f, x, p.top + p.height + 16, "middle", 11, label);
    }
    text_at(f, p.left + p.width / 2, p.top + p.height + 34, "middle", 11,
            "polling interval P (ms)");
    const double *series[] = {mean, p99};
    for (int s = 0; s < 2; s++) {
        fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
                colours[s]);
        for (int i = 0; i < count; i++)
            if (!isnan(series[s][i]))
                fprintf(f, "%.1f,%.1f ", p.left + xs[i] * x_scale,
                        plot_y(&p, series[s][i]));
        fputs("\"/>\n", f);
        for (int i = 0; i < count; i++)
            if (!isnan(series[s][i]))
                fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n",
                        p.left + xs[i] * x_scale, plot_y(&p, series[s][i]), colours[s]);
    }
    /* The model, over the measurements: a poller learns of an event half an interval
     * later on average. */
    line(f, p.left, plot_y(&p, 0), p.left + p.width, plot_y(&p, x_max / 2), colours[2],
         "stroke-dasharray=\"6 4\" stroke-width=\"1.5\"");
    if (!isnan(push_mean)) {
        double y = plot_y(&p, push_mean);
        line(f, p.left, y, p.left + p.width, y, colours[PUSH_COLOUR],
             "stroke-width=\"2\"");
        snprintf(label, sizeof label, "push (ch3): mean %.3f ms", push_mean);
        text_at(f, p.left + p.width - 4, y - 5, "end", 11, label);
    }
}

/* ---- The whole chart ------------------------------------------------------------- */

static void header(FILE *f, const struct report *r)
{
    const struct report_machine *m = &r->machine;
    char text[1024];
    fprintf(f,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n",
            WIDTH, HEADER_HEIGHT + PANEL_COUNT * PANEL_HEIGHT, WIDTH,
            HEADER_HEIGHT + PANEL_COUNT * PANEL_HEIGHT);
    fputs("<title>HTTP vs. sockets: compare</title>\n", f);
    fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", WIDTH,
            HEADER_HEIGHT + PANEL_COUNT * PANEL_HEIGHT);
    text_at(f, WIDTH / 2.0, 24, "middle", 17,
            "HTTP close vs keep-alive vs a chat socket, measured");
    snprintf(text, sizeof text, "%s, %ld cores, %s; built with %s", m->cpu, m->cores,
             m->os, m->build);
    text_at(f, WIDTH / 2.0, 44, "middle", 11, text);
}

int svg_write(const char *path, const struct report *report)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    struct bars b;
    header(f, report);

    static const char *const latency_keys[] = {"latency_p50", "latency_p90",
                                               "latency_p99"};
    static const char *const latency_labels[] = {"p50", "p90", "p99"};
    bars_from_table(find_table(report, "roundtrip"), latency_keys, latency_labels, 3, &b);
    bar_chart(f, 0, "1. Round-trip latency per exchange (lower is better)",
              "latency (ms)", &b);

    static const char *const byte_keys[] = {"bytes_sent", "bytes_received",
                                            "header_bytes_model"};
    static const char *const byte_labels[] = {"payload sent", "payload received",
                                              "TCP/IP headers (model)"};
    bars_from_table(find_table(report, "roundtrip"), byte_keys, byte_labels, 3, &b);
    bar_chart(f, 1, "2. Bytes per exchange (lower is better)", "bytes", &b);

    delay_chart(f, 2, find_table(report, "push"));

    static const char *const cost_keys[] = {"bytes_per_event", "wire_bytes_model"};
    static const char *const cost_labels[] = {"payload", "on the wire (model)"};
    bars_from_table(find_table(report, "push"), cost_keys, cost_labels, 2, &b);
    bar_chart(f, 3, "4. Bytes spent per event delivered (lower is better)", "bytes", &b);

    static const char *const idle_keys[] = {"rss_per_connection", "pss_per_connection"};
    static const char *const idle_labels[] = {"RSS", "PSS"};
    bars_from_table(find_table(report, "idle"), idle_keys, idle_labels, 2, &b);
    bar_chart(f, 4, "5. Server memory added per idle connection", "KiB", &b);

    static const char *const push_keys[] = {"delay_p50", "delay_mean", "delay_p99"};
    static const char *const push_labels[] = {"p50", "mean", "p99"};
    bars_from_table(find_table(report, "push"), push_keys, push_labels, 3, &b);
    drop_pollers(&b);
    bar_chart(f, 5, "6. Delay from event to client, pushed (lower is better)",
              "delay (ms)", &b);

    fputs("</svg>\n", f);
    int failed = ferror(f);
    if (fclose(f) != 0 || failed)
        return -1;
    return 0;
}
