/* ordering.c: orderings of the variables (see ordering.h). */
#include "ordering.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

#include "error.h"

void ar_ordering_identity(size_t *o, size_t D)
{
    for (size_t d = 0; d < D; d++) o[d] = d;
}

void ar_ordering_random(gsl_rng *r, size_t *o, size_t D)
{
    ar_ordering_identity(o, D);
    gsl_ran_shuffle(r, o, D, sizeof *o);
}

void ar_ordering_inverse(const size_t *o, size_t D, size_t *pos)
{
    for (size_t d = 0; d < D; d++) pos[o[d]] = d;
}

int ar_ordering_check(const long *o, size_t n, size_t D)
{
    if (n != D)
        return cm_error(CM_EINVAL, "%zu numbers, a permutation of 0..%zu needs %zu", n, D - 1, D);
    unsigned char *seen = cm_calloc(D, 1);
    if (!seen) return CM_ENOMEM;
    int st = CM_OK;
    for (size_t d = 0; d < n && st == CM_OK; d++) {
        if (o[d] < 0 || (size_t)o[d] >= D)
            st = cm_error(CM_EINVAL, "%ld (number %zu) is outside 0..%zu", o[d], d + 1, D - 1);
        else if (seen[o[d]]++)
            st = cm_error(CM_EINVAL, "%ld appears twice (again as number %zu)", o[d], d + 1);
    }
    free(seen);
    return st;
}

/* Splits s into integers (separators: blanks, commas; '#' to the end of a line is a comment)
 * into o (at most cap of them, counting all in *n). CM_EINVAL naming a word that is not one. */
static int parse_numbers(const char *s, long *o, size_t cap, size_t *n)
{
    *n = 0;
    while (*s) {
        if (isspace((unsigned char)*s) || *s == ',') {
            s++;
            continue;
        }
        if (*s == '#') {
            while (*s && *s != '\n') s++;
            continue;
        }
        const char *w = s;
        while (*s && !isspace((unsigned char)*s) && *s != ',' && *s != '#') s++;
        char word[32];
        size_t len = (size_t)(s - w);
        char *end;
        errno = 0;
        long v = 0;
        if (len < sizeof word) {
            memcpy(word, w, len);
            word[len] = '\0';
            v = strtol(word, &end, 10);
        }
        if (len >= sizeof word || *end || errno ||
            !(isdigit((unsigned char)word[0]) || (word[0] == '-' && len > 1)))
            return cm_error(CM_EINVAL, "'%.*s' is not an integer", (int)(len < 40 ? len : 40), w);
        if (*n < cap) o[*n] = v;
        (*n)++;
    }
    return CM_OK;
}

static int parse_checked(const char *s, size_t D, size_t *o)
{
    long *v = cm_calloc(D, sizeof *v);
    if (!v) return CM_ENOMEM;
    size_t n;
    int st = parse_numbers(s, v, D, &n);
    if (st == CM_OK) st = ar_ordering_check(v, n, D);
    if (st == CM_OK)
        for (size_t d = 0; d < D; d++) o[d] = (size_t)v[d];
    free(v);
    return st;
}

int ar_ordering_read(const char *path, size_t D, size_t *o)
{
    FILE *f = fopen(path, "rb");
    if (!f) return cm_error(CM_EIO, "cannot open the ordering file %s: %s", path, strerror(errno));
    size_t cap = 1 << 16, len = 0;
    char *buf = cm_calloc(cap + 1, 1);
    if (!buf) {
        fclose(f);
        return CM_ENOMEM;
    }
    len = fread(buf, 1, cap, f);
    int big = len == cap && fgetc(f) != EOF;
    fclose(f);
    int st;
    if (big)
        st = cm_error(CM_EFORMAT, "ordering file %s: longer than 64 KiB, not an ordering", path);
    else if (memchr(buf, '\0', len))
        st = cm_error(CM_EFORMAT, "ordering file %s: not a text file (a NUL byte)", path);
    else if ((st = parse_checked(buf, D, o)) != CM_OK && st != CM_ENOMEM) {
        char why[256]; /* a copy: cm_error writes the buffer cm_errmsg returns */
        snprintf(why, sizeof why, "%s", cm_errmsg());
        st = cm_error(CM_EFORMAT, "ordering file %s: not a permutation of 0..%zu: %s", path, D - 1,
                      why);
    }
    free(buf);
    return st;
}

int ar_ordering_format(const size_t *o, size_t D, char *buf, size_t len)
{
    int ident = 1;
    for (size_t d = 0; d < D; d++) ident &= o[d] == d;
    if (ident) {
        snprintf(buf, len, "identity");
        return CM_OK;
    }
    size_t used = 0;
    for (size_t d = 0; d < D; d++) {
        int k = snprintf(buf + used, len - used, d ? ",%zu" : "%zu", o[d]);
        if (k < 0 || (size_t)k >= len - used)
            return cm_error(CM_EINVAL,
                            "an ordering of %zu variables does not fit in %zu characters", D, len);
        used += (size_t)k;
    }
    return CM_OK;
}

int ar_ordering_parse(const char *s, size_t D, size_t *o)
{
    if (!strcmp(s, "identity")) {
        ar_ordering_identity(o, D);
        return CM_OK;
    }
    return parse_checked(s, D, o);
}
