/* progress.c: progress of long work on stderr (CONVENTIONS.md, "The command line").
 * On a terminal one line is redrawn in place with '\r' (at most 10 times a second, so that a
 * fast loop does not spend its time printing); otherwise (a log file, a pipe, CI) a plain line
 * every few seconds, so that the log stays readable. Quiet: nothing at all. */
#include "progress.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "timer.h"

#define PROGRESS_TTY_REDRAW  0.1 /* seconds between redraws of the terminal line */
#define PROGRESS_PLAIN_EVERY 5.0

struct progress {
    char label[64], unit[32];
    long total, done;
    double loss;        /* the last loss given, NaN: none */
    int quiet, tty;     /* tty: stderr is a terminal */
    double start, last; /* timer_now() at start and at the last line printed */
    double interval;    /* seconds between plain lines */
    int width;          /* length of the last terminal line, to blank what is left of it */
    long lines;         /* lines drawn so far */
};

progress *progress_start(const char *label, long total, const char *unit, int quiet)
{
    progress *p = cm_calloc(1, sizeof *p);
    if (!p) return NULL;
    snprintf(p->label, sizeof p->label, "%s", label ? label : "");
    snprintf(p->unit, sizeof p->unit, "%s", unit ? unit : "step");
    p->total = total;
    p->loss = NAN;
    p->quiet = quiet;
    p->tty = isatty(STDERR_FILENO);
    p->start = p->last = timer_now();
    p->interval = PROGRESS_PLAIN_EVERY;
    return p;
}

void progress_set_interval(progress *p, double seconds)
{
    if (p && seconds >= 0) p->interval = seconds;
}

/* 12.3, 4.6k, 1.25M: a rate short enough for one line. */
static void fmt_rate(char *buf, size_t len, double r)
{
    if (!isfinite(r))
        snprintf(buf, len, "-");
    else if (r >= 1e6)
        snprintf(buf, len, "%.2fM", r / 1e6);
    else if (r >= 1e4)
        snprintf(buf, len, "%.1fk", r / 1e3);
    else
        snprintf(buf, len, "%.1f", r);
}

/* 0:07, 12:45, 2:03:10 */
static void fmt_time(char *buf, size_t len, double s)
{
    /* beyond ~30000 years the ETA means nothing, and (long)(s + 0.5) would overflow (UB) */
    if (!isfinite(s) || s < 0 || s > 1e12) {
        snprintf(buf, len, "?");
        return;
    }
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

/* "train: 1200/5000 batch (24%)  340.2 batch/s  ETA 0:11  loss 0.4213" */
static int format_line(const progress *p, double now, int final, char *buf, size_t len)
{
    double el = now - p->start;
    double rate = el > 0 ? (double)p->done / el : NAN;
    char r[32], t[32];
    fmt_rate(r, sizeof r, rate);
    int n;
    if (p->total > 0)
        n = snprintf(buf, len, "%s: %ld/%ld %s (%d%%)  %s %s/s", p->label, p->done, p->total,
                     p->unit, (int)(100.0 * (double)p->done / (double)p->total), r, p->unit);
    else
        n = snprintf(buf, len, "%s: %ld %s  %s %s/s", p->label, p->done, p->unit, r, p->unit);
    if (n < 0 || (size_t)n >= len) return n;
    if (final) {
        fmt_time(t, sizeof t, el);
        n += snprintf(buf + n, len - (size_t)n, "  took %s", t);
    } else if (p->total > 0 && p->done > 0) {
        fmt_time(t, sizeof t, (double)(p->total - p->done) / rate);
        n += snprintf(buf + n, len - (size_t)n, "  ETA %s", t);
    }
    if ((size_t)n < len && !isnan(p->loss))
        n += snprintf(buf + n, len - (size_t)n, "  loss %.4g", p->loss);
    return n;
}

static void draw(progress *p, double now, int final)
{
    char line[256];
    int n = format_line(p, now, final, line, sizeof line);
    if (n < 0) return;
    if ((size_t)n >= sizeof line) n = (int)sizeof line - 1; /* truncated: what was printed */
    if (p->tty) {
        /* pad with spaces over the rest of a longer previous line */
        int pad = p->width > n ? p->width - n : 0;
        fprintf(stderr, "\r%s%*s", line, pad, "");
        if (pad) fprintf(stderr, "\r%s", line);
        p->width = n;
    } else {
        fprintf(stderr, "%s\n", line);
    }
    fflush(stderr);
    p->last = now;
    p->lines++;
}

void progress_update(progress *p, long done, double loss)
{
    if (!p) return;
    p->done = done;
    p->loss = loss;
    if (p->quiet) return;
    double now = timer_now();
    double every = p->tty ? PROGRESS_TTY_REDRAW : p->interval;
    if (now - p->last >= every) draw(p, now, 0);
}

/* The final line: on a terminal always (it replaces the moving one); in a log only when the
 * work was long enough to have printed a line already, so that the dozen short runs of a
 * demonstration do not each leave a line behind. */
void progress_finish(progress *p)
{
    if (!p) return;
    if (!p->quiet && (p->tty || p->lines > 0)) {
        draw(p, timer_now(), 1);
        if (p->tty) fputc('\n', stderr);
    }
    free(p);
}

void progress_abort(progress *p)
{
    if (!p) return;
    if (!p->quiet && p->tty && p->lines > 0) fputc('\n', stderr); /* the error starts a line */
    free(p);
}
