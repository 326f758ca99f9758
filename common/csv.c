/* csv.c: a numeric CSV file with a header row, as pandas.read_csv / np.loadtxt(skiprows=1)
 * would read it, but strict: every malformed line is an error that names the file, the line
 * and the column, because a silently misread data set is worse than no data set. */
#include "csv.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "matrix.h"

/* No line of a sane data file is longer; a longer one is a binary or corrupted file. */
#define CSV_MAX_LINE (1u << 20)

/* Reads one line into *buf (without its "\n" or "\r\n"). Returns 1 on a line, 0 at the end of
 * the file, -1 on error (message set). *too_long is set when the line exceeds CSV_MAX_LINE. */
static int read_line(FILE *f, char **buf, size_t *cap, size_t *len, int *too_long)
{
    size_t n = 0;
    int c;
    *too_long = 0;
    while ((c = getc(f)) != EOF && c != '\n') {
        if (n >= CSV_MAX_LINE) {
            *too_long = 1;
            break; /* the caller reports it and stops: no reading on through an endless line */
        }
        if (n + 1 >= *cap) {
            size_t nc = *cap ? 2 * *cap : 256;
            char *nb = realloc(*buf, nc);
            if (!nb) return cm_error(CM_ENOMEM, "out of memory reading a line"), -1;
            *buf = nb;
            *cap = nc;
        }
        (*buf)[n++] = (char)c;
    }
    if (c == EOF && n == 0 && !*too_long) return 0;
    if (!*buf) { /* an empty line before anything was allocated */
        *buf = malloc(1);
        if (!*buf) return cm_error(CM_ENOMEM, "out of memory reading a line"), -1;
        *cap = 1;
    }
    if (n > 0 && (*buf)[n - 1] == '\r') n--; /* CRLF line ends */
    (*buf)[n] = '\0';
    *len = n;
    return 1;
}

/* Strips leading and trailing blanks in place; returns the start. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t')) e--;
    *e = '\0';
    return s;
}

static int is_blank(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s)) return 0;
    return 1;
}

/* Splits s at commas in place: fields[0..] point into s. Returns the number of fields, which
 * may exceed max (then only max pointers are stored). */
static size_t split(char *s, char **fields, size_t max)
{
    size_t n = 0;
    for (;;) {
        char *comma = strchr(s, ',');
        if (comma) *comma = '\0';
        if (n < max) fields[n] = trim(s);
        n++;
        if (!comma) return n;
        s = comma + 1;
    }
}

static size_t count_fields(const char *s)
{
    size_t n = 1;
    for (; *s; s++) n += *s == ',';
    return n;
}

/* Parses one numeric field: strtod over the whole field, finite. */
static int parse_number(const char *path, long line, size_t col, const char *field, double *x)
{
    char *end;
    double v = strtod(field, &end);
    if (*field == '\0' || *end != '\0')
        return cm_error(CM_EFORMAT, "%s:%ld: column %zu: expected a number, got '%s'", path, line,
                        col, field);
    if (!isfinite(v)) /* "nan", "inf" and overflow (1e999) */
        return cm_error(CM_ENOTFINITE, "%s:%ld: column %zu: not a finite number: '%s'", path, line,
                        col, field);
    *x = v;
    return CM_OK;
}

void csv_free(csv_table *t)
{
    if (!t) return;
    if (t->names)
        for (size_t j = 0; j < t->cols; j++) free(t->names[j]);
    free(t->names);
    if (t->X) gsl_matrix_free(t->X);
    free(t);
}

/* The header row: column names, surrounding quotes removed, none empty. */
static int parse_header(const char *path, char *line, csv_table *t)
{
    size_t cols = count_fields(line);
    char **fields = cm_calloc(cols, sizeof *fields);
    t->names = cm_calloc(cols, sizeof *t->names);
    if (!fields || !t->names) return free(fields), CM_ENOMEM;
    t->cols = cols;
    split(line, fields, cols);
    int st = CM_OK;
    for (size_t j = 0; j < cols && st == CM_OK; j++) {
        char *name = fields[j];
        size_t n = strlen(name);
        if (n >= 2 && name[0] == '"' && name[n - 1] == '"') {
            name[n - 1] = '\0';
            name++;
        }
        if (*name == '\0') {
            st = cm_error(CM_EFORMAT, "%s:1: column %zu of the header has no name", path, j + 1);
            break;
        }
        t->names[j] = strdup(name);
        if (!t->names[j]) st = cm_error(CM_ENOMEM, "out of memory reading %s", path);
    }
    free(fields);
    return st;
}

/* pandas.read_csv(path).to_numpy(float), with the checks described in csv.h. */
int csv_read(const char *path, csv_table **out)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return cm_error(CM_EIO, "cannot open %s: %s", path, strerror(errno));

    csv_table *t = cm_calloc(1, sizeof *t);
    char *line = NULL, **fields = NULL;
    double *vals = NULL;
    size_t cap = 0, len = 0, vcap = 0, rows = 0;
    long lineno = 0;
    int too_long, st = CM_OK, r;
    if (!t) {
        fclose(f);
        return CM_ENOMEM;
    }

    /* the header: the first line, which must not be blank */
    r = read_line(f, &line, &cap, &len, &too_long);
    lineno = 1;
    if (r < 0) {
        st = CM_ENOMEM;
        goto done;
    }
    /* too long and NUL before blank: is_blank stops at a NUL and sees only a line's start */
    if (r == 1 && too_long) {
        st = cm_error(CM_EFORMAT, "%s:1: line longer than %u bytes", path, CSV_MAX_LINE);
        goto done;
    }
    if (r == 1 && memchr(line, '\0', len)) { /* a binary file: say so, not "empty file" */
        st = cm_error(CM_EFORMAT, "%s:1: not a text file (a NUL byte)", path);
        goto done;
    }
    if (r == 0 || is_blank(line)) {
        st = cm_error(CM_EFORMAT, "%s: empty file (expected a header row)", path);
        goto done;
    }
    if ((st = parse_header(path, line, t)) != CM_OK) goto done;
    fields = cm_calloc(t->cols, sizeof *fields);
    if (!fields) {
        st = CM_ENOMEM;
        goto done;
    }

    /* the rows; blank lines (a trailing empty line, say) are skipped */
    while ((r = read_line(f, &line, &cap, &len, &too_long)) == 1) {
        lineno++;
        if (too_long) {
            st = cm_error(CM_EFORMAT, "%s:%ld: line longer than %u bytes", path, lineno,
                          CSV_MAX_LINE);
            goto done;
        }
        if (memchr(line, '\0', len)) {
            st = cm_error(CM_EFORMAT, "%s:%ld: not a text file (a NUL byte)", path, lineno);
            goto done;
        }
        if (is_blank(line)) continue;
        size_t nf = split(line, fields, t->cols);
        if (nf != t->cols) {
            st = cm_error(CM_EFORMAT, "%s:%ld: %zu fields, the header has %zu", path, lineno, nf,
                          t->cols);
            goto done;
        }
        if ((rows + 1) * t->cols > vcap) {
            size_t nc = vcap ? 2 * vcap : 64 * t->cols;
            double *nv = realloc(vals, nc * sizeof *nv);
            if (!nv) {
                st = cm_error(CM_ENOMEM, "out of memory reading %s", path);
                goto done;
            }
            vals = nv;
            vcap = nc;
        }
        for (size_t j = 0; j < t->cols; j++) {
            st = parse_number(path, lineno, j + 1, fields[j], &vals[rows * t->cols + j]);
            if (st != CM_OK) goto done;
        }
        rows++;
    }
    if (r < 0) {
        st = CM_ENOMEM;
        goto done;
    }
    if (ferror(f)) {
        st = cm_error(CM_EIO, "error reading %s", path);
        goto done;
    }
    if (rows == 0) {
        st = cm_error(CM_EFORMAT, "%s: no data rows after the header", path);
        goto done;
    }

    t->rows = rows;
    t->X = cm_matrix_calloc(rows, t->cols);
    if (!t->X) {
        st = CM_ENOMEM;
        goto done;
    }
    memcpy(t->X->data, vals, rows * t->cols * sizeof *vals); /* tda == cols for a fresh matrix */

done:
    fclose(f);
    free(line);
    free(fields);
    free(vals);
    if (st != CM_OK) {
        csv_free(t);
        return st;
    }
    *out = t;
    return CM_OK;
}

int csv_column(const csv_table *t, const char *name)
{
    for (size_t j = 0; j < t->cols; j++)
        if (strcmp(t->names[j], name) == 0) return (int)j;
    return -1;
}

/* np.savetxt(path, X, delimiter=",", header=",".join(names), comments="", fmt="%.17g") */
int csv_write(const char *path, const gsl_matrix *X, const char *const *names)
{
    if (!X || !names) return cm_error(CM_EINVAL, "csv_write %s: no matrix or no names", path);
    /* a name that csv_read would split or strip would shift every column of the file */
    for (size_t j = 0; j < X->size2; j++)
        if (!names[j] || !*names[j] || strpbrk(names[j], ",\r\n"))
            return cm_error(CM_EINVAL,
                            "csv_write %s: column %zu name '%s' is empty or holds a "
                            "comma or a newline",
                            path, j + 1, names[j] ? names[j] : "");
    FILE *f = fopen(path, "w");
    if (!f) return cm_error(CM_EIO, "cannot write %s: %s", path, strerror(errno));
    for (size_t j = 0; j < X->size2; j++) fprintf(f, "%s%s", j ? "," : "", names[j]);
    fputc('\n', f);
    for (size_t i = 0; i < X->size1; i++) {
        for (size_t j = 0; j < X->size2; j++)
            fprintf(f, "%s%.17g", j ? "," : "", gsl_matrix_get(X, i, j));
        fputc('\n', f);
    }
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) return cm_error(CM_EIO, "error writing %s", path);
    return CM_OK;
}
