/* logger.c: the CSV metrics log of a run (CONVENTIONS.md, "Files"): a header row, then one
 * row per call, flushed at once so that a run stopped by Ctrl-C or a NaN keeps its log. */
#include "logger.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

struct csvlog {
    FILE *f;
    size_t ncols;    /* columns in the header: every row has exactly this many values */
    char path[1024]; /* for error messages */
};

/* Reads the first line of an existing log (without its newline) into buf: 1 if read, 0 if the
 * file does not exist, -1 on another error (message set). */
static int read_header(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT) return 0;
        cm_error(CM_EIO, "cannot open log %s: %s", path, strerror(errno));
        return -1;
    }
    if (!fgets(buf, (int)len, f)) buf[0] = '\0';
    fclose(f);
    buf[strcspn(buf, "\r\n")] = '\0';
    return 1;
}

static csvlog *open_log(const char *path, const char *header, int append)
{
    if (!path || !*path) {
        cm_error(CM_EINVAL, "csvlog_open: empty path");
        return NULL;
    }
    if (!header || !*header || strchr(header, '\n')) {
        cm_error(CM_EINVAL, "csvlog_open %s: the header must be one non-empty line", path);
        return NULL;
    }
    int exists = 0;
    if (append) {
        char old[4096];
        exists = read_header(path, old, sizeof old);
        if (exists < 0) return NULL;
        if (exists && strcmp(old, header) != 0) {
            cm_error(CM_EFORMAT, "log %s has the header '%s', expected '%s'", path, old, header);
            return NULL;
        }
    }
    csvlog *l = cm_calloc(1, sizeof *l);
    if (!l) return NULL;
    snprintf(l->path, sizeof l->path, "%s", path);
    l->ncols = 1;
    for (const char *s = header; *s; s++) l->ncols += (*s == ',');
    l->f = fopen(path, exists ? "a" : "w");
    if (!l->f) {
        cm_error(CM_EIO, "cannot create log %s: %s", path, strerror(errno));
        free(l);
        return NULL;
    }
    if ((!exists && fprintf(l->f, "%s\n", header) < 0) || fflush(l->f) != 0) {
        cm_error(CM_EIO, "cannot write log %s: %s", path, strerror(errno));
        fclose(l->f);
        free(l);
        return NULL;
    }
    return l;
}

csvlog *csvlog_open(const char *path, const char *header)
{
    return open_log(path, header, 0);
}

csvlog *csvlog_append(const char *path, const char *header)
{
    return open_log(path, header, 1);
}

/* A value that is a whole number (a step, an epoch) prints without a decimal point, so that
 * the log reads "120,3,0.4213" rather than "120.0000,3.0000,...". */
static int print_value(FILE *f, double v)
{
    if (isfinite(v) && v == floor(v) && fabs(v) < 1e15) return fprintf(f, "%.0f", v == 0 ? 0 : v);
    return fprintf(f, "%.10g", v);
}

csvlog *csvlog_open_run(const char *path, const char *header, int resumed)
{
    return resumed ? csvlog_append(path, header) : csvlog_open(path, header);
}

int csvlog_row(csvlog *l, const double *vals, size_t n)
{
    if (!l || (!vals && n > 0)) return cm_error(CM_EINVAL, "csvlog_row: no log or no values");
    if (n != l->ncols)
        return cm_error(CM_EINVAL, "log %s: a row of %zu values, the header has %zu columns",
                        l->path, n, l->ncols);
    for (size_t i = 0; i < n; i++) {
        if ((i > 0 && fputc(',', l->f) == EOF) || print_value(l->f, vals[i]) < 0)
            return cm_error(CM_EIO, "cannot write log %s: %s", l->path, strerror(errno));
    }
    if (fputc('\n', l->f) == EOF || fflush(l->f) != 0)
        return cm_error(CM_EIO, "cannot write log %s: %s", l->path, strerror(errno));
    return CM_OK;
}

int csvlog_close(csvlog *l)
{
    if (!l) return CM_OK;
    int st = CM_OK;
    if (fclose(l->f) != 0)
        st = cm_error(CM_EIO, "cannot close log %s: %s", l->path, strerror(errno));
    free(l);
    return st;
}
