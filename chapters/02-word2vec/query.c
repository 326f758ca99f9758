/* query.c: cosine neighbours, analogies and the analogy test. */
#include "query.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "vecops.h"

size_t w2v_nearest(const w2v_kv *kv, const double *q, size_t restrict_to, const int *exclude,
                   size_t n_ex, w2v_hit *out, size_t n)
{
    size_t V = restrict_to && restrict_to < kv->V ? restrict_to : kv->V, found = 0;
    for (size_t w = 0; w < V; w++) {
        int skip = 0;
        for (size_t e = 0; e < n_ex; e++) skip |= exclude[e] == (int)w;
        if (skip) continue;
        double s = w2v_dot(kv->unit + w * kv->D, q, kv->D);
        /* insertion into the sorted top n; a tie keeps the more frequent (earlier) word first */
        size_t at = found < n ? found : n;
        while (at > 0 && out[at - 1].sim < s) at--;
        if (at >= n) continue;
        size_t last = found < n ? found : n - 1;
        memmove(out + at + 1, out + at, (last - at) * sizeof *out);
        out[at] = (w2v_hit){(int)w, s};
        if (found < n) found++;
    }
    return found;
}

size_t w2v_similar(const w2v_kv *kv, int word, w2v_hit *out, size_t n)
{
    return w2v_nearest(kv, kv->unit + (size_t)word * kv->D, 0, &word, 1, out, n);
}

int w2v_analogy(const w2v_kv *kv, int a, int b, int c, size_t restrict_to, double *sim)
{
    size_t D = kv->D;
    double *q = cm_calloc(D, sizeof *q);
    if (!q) return -1;
    /* 3CosAdd: b - a + c on unit vectors; the ranking by cosine does not depend on q's length */
    w2v_axpy(1.0, kv->unit + (size_t)b * D, q, D);
    w2v_axpy(-1.0, kv->unit + (size_t)a * D, q, D);
    w2v_axpy(1.0, kv->unit + (size_t)c * D, q, D);
    double n2 = w2v_dot(q, q, D);
    if (n2 > 0)
        for (size_t d = 0; d < D; d++) q[d] /= sqrt(n2);
    int ex[3] = {a, b, c};
    w2v_hit hit;
    size_t found = w2v_nearest(kv, q, restrict_to, ex, 3, &hit, 1);
    free(q);
    if (!found) return -1;
    if (sim) *sim = hit.sim;
    return hit.word;
}

/* The index of a word (lower-cased) if it is among the first restrict_to, else -1. */
static int find_lower(const w2v_kv *kv, char *word, size_t restrict_to)
{
    for (char *p = word; *p; p++) *p = (char)tolower((unsigned char)*p);
    int i = w2v_kv_find(kv, word);
    return i >= 0 && (size_t)i < restrict_to ? i : -1;
}

int w2v_evaluate(const w2v_kv *kv, const char *path, size_t restrict_to, w2v_eval *ev)
{
    memset(ev, 0, sizeof *ev);
    if (restrict_to == 0 || restrict_to > kv->V) restrict_to = kv->V;
    FILE *f = fopen(path, "r");
    if (!f) return cm_error(CM_EIO, "cannot open %s: %s", path, strerror(errno));
    char line[1024];
    long lineno = 0;
    w2v_section *sec = NULL;
    int st = CM_OK;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len == 0) { /* fgets stopped after a NUL byte */
            st = cm_error(CM_EFORMAT, "%s:%ld: not a text file (a NUL byte)", path, lineno);
            break;
        }
        if (line[len - 1] != '\n' && !feof(f)) {
            st = cm_error(CM_EFORMAT, "%s:%ld: line longer than %zu bytes, or not text", path,
                          lineno, sizeof line - 2);
            break;
        }
        if (line[0] == ':') {
            if (ev->n_sections == W2V_MAX_SECTIONS) {
                st = cm_error(CM_EFORMAT, "%s:%ld: more than %d sections", path, lineno,
                              W2V_MAX_SECTIONS);
                break;
            }
            sec = &ev->sec[ev->n_sections++];
            memset(sec, 0, sizeof *sec);
            sscanf(line + 1, " %63s", sec->name);
            continue;
        }
        char w[4][256];
        int n = sscanf(line, "%255s %255s %255s %255s", w[0], w[1], w[2], w[3]);
        if (n <= 0) continue; /* a blank line */
        if (n != 4 || !sec) {
            st = cm_error(CM_EFORMAT, "%s:%ld: expected four words after a ': section' line", path,
                          lineno);
            break;
        }
        ev->questions++;
        int id[4];
        int known = 1;
        for (int k = 0; k < 4; k++) known &= (id[k] = find_lower(kv, w[k], restrict_to)) >= 0;
        if (!known) continue;
        int got = w2v_analogy(kv, id[0], id[1], id[2], restrict_to, NULL);
        int right = got == id[3];
        sec->total++;
        sec->correct += right;
        int syntactic = strncmp(sec->name, "gram", 4) == 0;
        *(syntactic ? &ev->syntactic_total : &ev->semantic_total) += 1;
        *(syntactic ? &ev->syntactic_correct : &ev->semantic_correct) += right;
        ev->total++;
        ev->correct += right;
    }
    fclose(f);
    if (st == CM_OK && ev->questions == 0)
        st = cm_error(CM_EFORMAT, "%s: no analogy questions (expected lines of four words)", path);
    return st;
}
