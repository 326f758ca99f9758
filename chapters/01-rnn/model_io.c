/* model_io.c: see model_io.h. */
#include "model_io.h"

#include <string.h>

#include "error.h"
#include "corpus.h"

int rnn_hparams_describe(hparams *h, const rnn_model *m, const charvocab *v)
{
    char hex[2 * 256 + 1];
    rnn_vocab_to_hex(v, hex);
    int rc = hparams_set_str(h, "cell", rnn_cell_name(m->cell));
    if (rc == CM_OK) rc = hparams_set_long(h, "vocab_size", (long)m->V);
    if (rc == CM_OK) rc = hparams_set_long(h, "hidden", (long)m->H);
    if (rc == CM_OK) rc = hparams_set_long(h, "layers", (long)m->L);
    if (rc == CM_OK) rc = hparams_set_str(h, "vocab", hex);
    return rc;
}

int rnn_load(const char *dir, rnn_model **out, charvocab *v, hparams *h)
{
    const char *cell_s, *hex;
    long V, H, L;
    rnn_cell cell;
    *out = NULL;
    int rc = ckpt_load_hparams(dir, h);
    if (rc != CM_OK) return rc;
    if ((rc = hparams_get_str(h, "cell", &cell_s)) != CM_OK ||
        (rc = hparams_get_long(h, "vocab_size", &V)) != CM_OK ||
        (rc = hparams_get_long(h, "hidden", &H)) != CM_OK ||
        (rc = hparams_get_long(h, "layers", &L)) != CM_OK ||
        (rc = hparams_get_str(h, "vocab", &hex)) != CM_OK)
        return cm_error(rc, "checkpoint %s: %s", dir, cm_errmsg());
    if (rnn_cell_parse(cell_s, &cell) != CM_OK)
        return cm_error(CM_EFORMAT, "checkpoint %s: %s", dir, cm_errmsg());
    if (rnn_vocab_from_hex(v, hex) != CM_OK)
        return cm_error(CM_EFORMAT, "checkpoint %s: %s", dir, cm_errmsg());
    if (V < 2 || (size_t)V != v->size || H < 1 || H > 100000 || L < 1 || L > RNN_MAX_LAYERS)
        return cm_error(CM_EFORMAT,
                        "checkpoint %s: sizes out of range or inconsistent (vocab_size %ld with "
                        "%zu characters, hidden %ld, layers %ld)",
                        dir, V, v->size, H, L);
    rnn_model *m = rnn_model_alloc(cell, (size_t)V, (size_t)H, (size_t)L);
    if (!m) return CM_ENOMEM;
    if ((rc = ckpt_load_params(dir, m->p)) != CM_OK) {
        rnn_model_free(m);
        return rc;
    }
    *out = m;
    return CM_OK;
}

static void describe(const rnn_model *m, char *buf, size_t len)
{
    snprintf(buf, len, "%s (hidden %zu, %zu layer%s, %zu characters)", rnn_cell_name(m->cell), m->H,
             m->L, m->L == 1 ? "" : "s", m->V);
}

int rnn_check_same(const char *dir, const rnn_model *want, const charvocab *want_vocab,
                   const rnn_model *got, const charvocab *got_vocab)
{
    char a[128], b[128];
    describe(got, a, sizeof a);
    describe(want, b, sizeof b);
    if (want->cell != got->cell || want->H != got->H || want->L != got->L || want->V != got->V)
        return cm_error(CM_ESHAPE, "checkpoint %s holds another model: %s; the command asks for %s",
                        dir, a, b);
    if (memcmp(want_vocab->chars, got_vocab->chars, want_vocab->size))
        return cm_error(CM_ESHAPE,
                        "checkpoint %s was trained on another text (its characters "
                        "differ from this one's)",
                        dir);
    return CM_OK;
}
