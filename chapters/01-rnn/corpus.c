/* corpus.c: see corpus.h. */
#include "corpus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

int rnn_corpus_from_text(rnn_corpus *c, const char *text, size_t len, double held_out,
                         const char *name)
{
    memset(c, 0, sizeof *c);
    if (!(held_out >= 0.0 && held_out < 1.0))
        return cm_error(CM_EINVAL, "held-out fraction %g is not in [0, 1)", held_out);
    const char *nul = len ? memchr(text, '\0', len) : NULL;
    if (nul)
        return cm_error(CM_EINVAL, "%s: a NUL byte at offset %zu: not a text file", name,
                        (size_t)(nul - text));
    int rc = charvocab_build(&c->vocab, text, len);
    if (rc != CM_OK) return cm_error(CM_EINVAL, "%s: empty text", name);
    if (c->vocab.size < 2)
        return cm_error(CM_EINVAL,
                        "%s: the text has %zu distinct character%s; a language model "
                        "needs at least 2",
                        name, c->vocab.size, c->vocab.size == 1 ? "" : "s");
    size_t n_held = (size_t)((double)len * held_out);
    if (len < n_held + 2 || (held_out > 0.0 && n_held < 2))
        return cm_error(CM_EINVAL,
                        "%s: %zu characters are too few to train on and hold out "
                        "%.0f%%",
                        name, len, 100.0 * held_out);
    c->ids = cm_calloc(len, sizeof(int));
    if (!c->ids) return CM_ENOMEM;
    charvocab_encode(&c->vocab, text, len, c->ids);
    c->n = len;
    c->n_train = len - n_held;
    return CM_OK;
}

int rnn_corpus_load(rnn_corpus *c, const char *path, double held_out)
{
    char *text;
    size_t len;
    memset(c, 0, sizeof *c);
    int rc = text_read_file(path, &text, &len);
    if (rc != CM_OK) return rc;
    rc = rnn_corpus_from_text(c, text, len, held_out, path);
    free(text);
    return rc;
}

void rnn_corpus_free(rnn_corpus *c)
{
    free(c->ids);
    c->ids = NULL;
}

int rnn_streams_init(rnn_streams *s, const rnn_corpus *c, int held_out, size_t B, size_t T)
{
    size_t lo = held_out ? c->n_train : 0, hi = held_out ? c->n : c->n_train;
    memset(s, 0, sizeof *s);
    size_t n = hi - lo;
    if (n < 2 || (n - 1) / B == 0)
        return cm_error(CM_EINVAL,
                        "the %s part has %zu characters: too few for %zu streams "
                        "(--batch)",
                        held_out ? "held-out" : "training", n, B);
    s->ids = c->ids, s->lo = lo, s->B = B, s->T = T, s->L = (n - 1) / B;
    return CM_OK;
}

size_t rnn_streams_next(rnn_streams *s, int *x, int *y)
{
    size_t T = s->L - s->pos < s->T ? s->L - s->pos : s->T;
    for (size_t t = 0; t < T; t++)
        for (size_t b = 0; b < s->B; b++) {
            size_t i = s->lo + b * s->L + s->pos + t;
            x[t * s->B + b] = s->ids[i];
            y[t * s->B + b] = s->ids[i + 1];
        }
    s->pos += T;
    return T;
}

size_t rnn_streams_chunks(const rnn_streams *s)
{
    return (s->L + s->T - 1) / s->T;
}

void rnn_vocab_to_hex(const charvocab *v, char *hex)
{
    for (size_t i = 0; i < v->size; i++) sprintf(hex + 2 * i, "%02x", v->chars[i]);
    hex[2 * v->size] = '\0';
}

int rnn_vocab_from_hex(charvocab *v, const char *hex)
{
    size_t n = strlen(hex);
    if (n == 0 || n % 2 || n > 512) return cm_error(CM_EFORMAT, "vocabulary: bad length %zu", n);
    memset(v, 0, sizeof *v);
    for (int i = 0; i < 256; i++) v->id[i] = -1;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned int byte;
        if (sscanf(hex + 2 * i, "%2x", &byte) != 1 || !strchr("0123456789abcdef", hex[2 * i]) ||
            !strchr("0123456789abcdef", hex[2 * i + 1]))
            return cm_error(CM_EFORMAT, "vocabulary: '%.2s' at %zu is not a hex byte", hex + 2 * i,
                            2 * i);
        if (v->id[byte] >= 0 || (i > 0 && byte <= v->chars[i - 1]))
            return cm_error(CM_EFORMAT, "vocabulary: byte %02x out of order or repeated", byte);
        v->chars[i] = (unsigned char)byte;
        v->id[byte] = (int)i;
    }
    v->size = n / 2;
    return CM_OK;
}
