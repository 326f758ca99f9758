/* vectors.c: writing and reading word vectors (word2vec.c's output, gensim's
 * load_word2vec_format). */
#include "vectors.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "sizes.h"

int w2v_is_binary_name(const char *path)
{
    size_t n = strlen(path);
    return n >= 4 && strcmp(path + n - 4, ".bin") == 0;
}

static int open_tmp(const char *path, char *tmp, size_t len, FILE **f)
{
    if ((size_t)snprintf(tmp, len, "%s.tmp", path) >= len)
        return cm_error(CM_EINVAL, "path too long: %s", path);
    if (!(*f = fopen(tmp, "wb")))
        return cm_error(CM_EIO, "cannot create %s: %s", tmp, strerror(errno));
    return CM_OK;
}

static int close_rename(FILE *f, const char *tmp, const char *path)
{
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        remove(tmp);
        return cm_error(CM_EIO, "error writing %s", tmp);
    }
    if (rename(tmp, path) != 0) {
        remove(tmp);
        return cm_error(CM_EIO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    }
    return CM_OK;
}

int w2v_write_text(const char *path, char *const *words, const double *vec, size_t V, size_t D)
{
    char tmp[4200];
    FILE *f;
    int st = open_tmp(path, tmp, sizeof tmp, &f);
    if (st) return st;
    fprintf(f, "%zu %zu\n", V, D);
    for (size_t w = 0; w < V; w++) {
        fputs(words[w], f);
        for (size_t d = 0; d < D; d++) fprintf(f, " %.6f", vec[w * D + d]);
        fputc('\n', f);
    }
    return close_rename(f, tmp, path);
}

int w2v_write_binary(const char *path, char *const *words, const double *vec, size_t V, size_t D)
{
    char tmp[4200];
    FILE *f;
    int st = open_tmp(path, tmp, sizeof tmp, &f);
    if (st) return st;
    float *row = cm_calloc(D, sizeof *row);
    if (!row) {
        fclose(f);
        remove(tmp);
        return CM_ENOMEM;
    }
    fprintf(f, "%zu %zu\n", V, D);
    for (size_t w = 0; w < V; w++) {
        for (size_t d = 0; d < D; d++) row[d] = (float)vec[w * D + d]; /* float32, as the tool */
        fprintf(f, "%s ", words[w]);
        fwrite(row, sizeof *row, D, f); /* little-endian on the machines we build for */
        fputc('\n', f);
    }
    free(row);
    return close_rename(f, tmp, path);
}

/* ---- in memory ------------------------------------------------------------------------------ */

static const w2v_kv *sort_kv; /* qsort has no context argument */
static int by_word(const void *a, const void *b)
{
    return strcmp(sort_kv->words[*(const size_t *)a], sort_kv->words[*(const size_t *)b]);
}

/* Normalizes the rows and builds the sorted index; kv->words and kv->unit are filled. */
static int finish_kv(w2v_kv *kv)
{
    for (size_t w = 0; w < kv->V; w++) {
        double *x = kv->unit + w * kv->D, n2 = 0;
        for (size_t d = 0; d < kv->D; d++) n2 += x[d] * x[d];
        if (n2 > 0)
            for (size_t d = 0; d < kv->D; d++) x[d] /= sqrt(n2);
    }
    if (!(kv->by_word = cm_calloc(kv->V, sizeof *kv->by_word))) return CM_ENOMEM;
    for (size_t w = 0; w < kv->V; w++) kv->by_word[w] = w;
    sort_kv = kv;
    qsort(kv->by_word, kv->V, sizeof *kv->by_word, by_word);
    return CM_OK;
}

static int kv_alloc(w2v_kv *kv, size_t V, size_t D)
{
    memset(kv, 0, sizeof *kv);
    kv->V = V;
    kv->D = D;
    if (cm_size_bytes("the vectors", V, D, sizeof *kv->unit, NULL) != CM_OK) return CM_ENOMEM;
    kv->words = cm_calloc(V, sizeof *kv->words);
    kv->unit = cm_calloc(V * D, sizeof *kv->unit);
    return kv->words && kv->unit ? CM_OK : CM_ENOMEM;
}

int w2v_kv_from(w2v_kv *kv, char *const *words, const double *vec, size_t V, size_t D)
{
    int st = kv_alloc(kv, V, D);
    for (size_t w = 0; w < V && st == CM_OK; w++)
        if (!(kv->words[w] = strdup(words[w]))) st = cm_error(CM_ENOMEM, "out of memory");
    if (st == CM_OK) {
        memcpy(kv->unit, vec, V * D * sizeof *vec);
        st = finish_kv(kv);
    }
    if (st != CM_OK) w2v_kv_free(kv);
    return st;
}

/* Reads a word: skips white space (the binary format's '\n' before each word), then bytes up
 * to a space. Returns its length, 0 at the end of the file, -1 when too long. */
static int read_word(FILE *f, char *buf, int cap)
{
    int ch, n = 0;
    while ((ch = fgetc(f)) == '\n' || ch == ' ' || ch == '\r' || ch == '\t') {
    }
    while (ch != EOF && ch != ' ' && ch != '\n') {
        if (n + 1 >= cap) return -1;
        buf[n++] = (char)ch;
        ch = fgetc(f);
    }
    buf[n] = '\0';
    if (ch == '\n') ungetc(ch, f); /* a text line with no numbers: let the reader see it */
    return n;
}

/* D numbers of text, all on the word's line. */
static int read_text_row(FILE *f, double *x, size_t D)
{
    for (size_t d = 0; d < D; d++) {
        int ch;
        while ((ch = fgetc(f)) == ' ' || ch == '\t') {
        }
        if (ch == '\n' || ch == '\r' || ch == EOF) return -1;
        ungetc(ch, f);
        if (fscanf(f, "%lf", &x[d]) != 1 || !isfinite(x[d])) return -1;
    }
    int ch;
    while ((ch = fgetc(f)) == ' ' || ch == '\t' || ch == '\r') {
    }
    return ch == '\n' || ch == EOF ? 0 : -1; /* more numbers than D: malformed */
}

int w2v_kv_load(w2v_kv *kv, const char *path)
{
    memset(kv, 0, sizeof *kv);
    FILE *f = fopen(path, "rb");
    if (!f) return cm_error(CM_EIO, "cannot open %s: %s", path, strerror(errno));
    int binary = w2v_is_binary_name(path);
    long V, D;
    char nl;
    int st = CM_OK;
    if (fscanf(f, "%ld %ld%c", &V, &D, &nl) != 3 || nl != '\n' || V < 1 || D < 1 || V > 100000000 ||
        D > 100000) {
        fclose(f);
        return cm_error(CM_EFORMAT, "%s: not a word2vec %s file (expected a first line \"V D\")",
                        path, binary ? "binary" : "text");
    }
    /* the header must not promise more than the file can hold: each word takes at least 2
     * bytes and each number 4 (binary) or 2 (text: a digit and a space); this refuses a forged
     * or truncated header before allocating V x D doubles */
    size_t fsize;
    if ((st = cm_file_fits(path, f, &fsize)) != CM_OK) goto done;
    double least = (double)V * (2.0 + (double)D * (binary ? 4.0 : 2.0));
    if (fsize > 0 && least > (double)fsize) {
        st = cm_error(CM_EFORMAT,
                      "%s: truncated: the header promises %ld words of %ld numbers, at least "
                      "%.0f bytes, the file holds %zu",
                      path, V, D, least, fsize);
        goto done;
    }
    if ((st = kv_alloc(kv, (size_t)V, (size_t)D)) != CM_OK) goto done;
    float *row = cm_calloc((size_t)D, sizeof *row);
    if (!row) {
        st = CM_ENOMEM;
        goto done;
    }
    char word[1024];
    for (long w = 0; w < V && st == CM_OK; w++) {
        int n = read_word(f, word, sizeof word);
        if (n <= 0) {
            st = n < 0 ? cm_error(CM_EFORMAT, "%s: word %ld is longer than %zu bytes", path, w + 1,
                                  sizeof word - 1)
                       : cm_error(CM_EFORMAT,
                                  "%s: truncated: the header promises %ld words, the file holds "
                                  "%ld",
                                  path, V, w);
            break;
        }
        if (!(kv->words[w] = strdup(word))) {
            st = cm_error(CM_ENOMEM, "out of memory");
            break;
        }
        double *x = kv->unit + (size_t)w * (size_t)D;
        if (binary) {
            if (fread(row, sizeof *row, (size_t)D, f) != (size_t)D)
                st = cm_error(CM_EFORMAT, "%s: truncated in the vector of '%s' (word %ld of %ld)",
                              path, word, w + 1, V);
            for (long d = 0; d < D && st == CM_OK; d++) {
                x[d] = row[d];
                if (!isfinite(x[d])) /* as the text reader: a NaN or an infinity is malformed */
                    st = cm_error(CM_EFORMAT, "%s: the vector of '%s' (word %ld of %ld) holds %g",
                                  path, word, w + 1, V, x[d]);
            }
        } else if (read_text_row(f, x, (size_t)D) != 0) {
            st = cm_error(CM_EFORMAT,
                          "%s: the line of '%s' (word %ld of %ld) does not hold %ld numbers%s",
                          path, word, w + 1, V, D, feof(f) ? " (the file is truncated)" : "");
        }
    }
    free(row);
    if (st == CM_OK) st = finish_kv(kv);
done:
    fclose(f);
    if (st != CM_OK) w2v_kv_free(kv);
    return st;
}

int w2v_kv_find(const w2v_kv *kv, const char *word)
{
    size_t lo = 0, hi = kv->V;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(kv->words[kv->by_word[mid]], word);
        if (c == 0) return (int)kv->by_word[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

void w2v_kv_free(w2v_kv *kv)
{
    for (size_t w = 0; kv->words && w < kv->V; w++) free(kv->words[w]);
    free(kv->words);
    free(kv->unit);
    free(kv->by_word);
    memset(kv, 0, sizeof *kv);
}
