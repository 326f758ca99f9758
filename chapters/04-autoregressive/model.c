/* model.c: one interface over FVSBN, NADE and MADE (see model.h). */
#include "model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "activations.h"
#include "bernoulli.h"
#include "cli.h"
#include "error.h"
#include "matrix.h"
#include "ordering.h"

const char *ar_kind_name(ar_kind k)
{
    static const char *names[] = {"fvsbn", "nade", "made"};
    return k < AR_N_KINDS ? names[k] : "?";
}

ar_model *ar_model_alloc(const ar_spec *s, size_t cap)
{
    if (s->D < 2 || cap < 1) {
        cm_error(CM_EINVAL, "a model needs at least 2 variables (got %zu) and a batch", s->D);
        return NULL;
    }
    if ((s->kind == AR_NADE && (s->n_hidden != 1 || s->hidden[0] < 1)) ||
        (s->kind == AR_MADE && s->n_hidden < 1)) {
        cm_error(CM_EINVAL, "%s: needs %s hidden layer with at least 1 unit", ar_kind_name(s->kind),
                 s->kind == AR_NADE ? "exactly one" : "at least one");
        return NULL;
    }
    if (s->kind != AR_MADE && s->orderings != 1) {
        cm_error(CM_EINVAL, "%s: one ordering only (--orderings is for made)",
                 ar_kind_name(s->kind));
        return NULL;
    }
    ar_model *m = cm_calloc(1, sizeof *m);
    if (!m) return NULL;
    m->spec = *s;
    m->D = s->D, m->K = s->orderings, m->cap = cap;
    m->order0 = cm_calloc(s->D, sizeof(size_t));
    m->Z = cm_matrix_calloc(cap, s->D);
    m->dZ = cm_matrix_calloc(cap, s->D);
    m->lpk = cm_calloc(cap * m->K, sizeof(double));
    if (!m->order0 || !m->Z || !m->dZ || !m->lpk) goto fail;
    if (s->order)
        memcpy(m->order0, s->order, s->D * sizeof(size_t));
    else
        ar_ordering_identity(m->order0, s->D);
    m->spec.order = m->order0;
    switch (s->kind) {
    case AR_FVSBN:
        if (!(m->fvsbn = ar_fvsbn_alloc(s->D, m->order0))) goto fail;
        m->p = m->fvsbn->p;
        break;
    case AR_NADE:
        if (!(m->nade = ar_nade_alloc(s->D, s->hidden[0], m->order0, cap))) goto fail;
        m->p = m->nade->p;
        break;
    default:
        if (!(m->made = ar_made_alloc(s->D, s->hidden, s->n_hidden, s->orderings, m->order0,
                                      s->conn, s->mask_seed, cap)))
            goto fail;
        m->p = m->made->p;
    }
    return m;
fail:
    ar_model_free(m);
    return NULL;
}

void ar_model_free(ar_model *m)
{
    if (!m) return;
    ar_fvsbn_free(m->fvsbn);
    ar_nade_free(m->nade);
    ar_made_free(m->made);
    cm_matrix_free(m->Z);
    cm_matrix_free(m->dZ);
    free(m->lpk);
    free(m->order0);
    free(m);
}

void ar_model_init(ar_model *m, gsl_rng *r)
{
    if (m->fvsbn) ar_fvsbn_init(m->fvsbn, r);
    if (m->nade) ar_nade_init(m->nade, r);
    if (m->made) ar_made_init(m->made, r);
}

size_t ar_model_n_formula(const ar_model *m)
{
    const size_t D = m->D;
    if (m->fvsbn) return D * (D + 1) / 2;
    if (m->nade) return ar_nade_n_params(D, m->spec.hidden[0]);
    size_t n = 0, in = D;
    for (size_t l = 0; l <= m->spec.n_hidden; l++) {
        size_t out = l < m->spec.n_hidden ? m->spec.hidden[l] : D;
        n += in * out + out;
        in = out;
    }
    return n;
}

void ar_model_describe(const ar_model *m, char *buf, size_t len)
{
    const size_t D = m->D, n = ar_model_n_formula(m);
    if (m->fvsbn) {
        snprintf(buf, len,
                 "FVSBN, D = %zu: %zu free parameters (article: D(D+1)/2 = %zu; %zu stored, the "
                 "weights above the diagonal held at 0)",
                 D, n, D * (D + 1) / 2, m->p->size);
    } else if (m->nade) {
        size_t H = m->spec.hidden[0];
        snprintf(buf, len, "NADE, D = %zu, H = %zu: %zu parameters (article: 2DH + D + H = %zu)", D,
                 H, m->p->size, 2 * D * H + D + H);
    } else {
        char hs[128] = "";
        size_t used = 0, wts = 0;
        for (size_t l = 0; l < m->spec.n_hidden; l++)
            used += (size_t)snprintf(hs + used, sizeof hs - used, l ? ",%zu" : "%zu",
                                     m->spec.hidden[l]);
        for (size_t l = 0; l <= m->spec.n_hidden; l++)
            wts += m->made->masks[l]->size1 * m->made->masks[l]->size2;
        snprintf(
            buf, len,
            "MADE, D = %zu, hidden %s, %zu ordering%s%s: %zu parameters (article: sum of "
            "in x out + out per layer = %zu%s); ordering 0's masks keep %zu of the %zu weights",
            D, hs, m->K, m->K > 1 ? "s" : "",
            m->spec.conn == AR_CONN_EVEN ? ", even connectivity" : "", m->p->size, n,
            m->spec.n_hidden == 1 ? ", 2DH + D + H with one layer" : "",
            ar_made_n_connected(m->made, 0), wts);
    }
}

const size_t *ar_model_order(const ar_model *m, size_t k)
{
    return m->made ? m->made->orders + k * m->D : m->order0;
}

void ar_model_logits(ar_model *m, const gsl_matrix *X, size_t k, gsl_matrix *Z)
{
    if (m->fvsbn)
        ar_fvsbn_forward(m->fvsbn, X, Z);
    else if (m->nade)
        ar_nade_forward(m->nade, X, Z);
    else
        ar_made_forward(m->made, X, k, Z);
}

void ar_model_logp(ar_model *m, const gsl_matrix *X, double *logp)
{
    const size_t B = X->size1, K = m->K;
    gsl_matrix_view Z = cm_matrix_rows(m->Z, B);
    for (size_t k = 0; k < K; k++) {
        ar_model_logits(m, X, k, &Z.matrix);
        ar_bern_nll_rows(&Z.matrix, X, m->lpk + k * B, NULL);
    }
    for (size_t r = 0; r < B; r++) {
        /* log((1/K) sum_k p_k) = max + log(sum_k exp(log p_k - max)) - log K; K = 1: -nll */
        double mx = -INFINITY;
        for (size_t k = 0; k < K; k++) mx = fmax(mx, -m->lpk[k * B + r]);
        double s = 0.0;
        for (size_t k = 0; k < K; k++) s += exp(-m->lpk[k * B + r] - mx);
        logp[r] = K == 1 ? -m->lpk[r] : mx + log(s) - log((double)K);
    }
}

/* NADE keeps h_d of every row and step for its backward pass: D H doubles a row, 32 KiB for
 * D = H = 64, 2 MiB for a batch of 64, more than a core's L2 cache. Its batch therefore goes
 * through forward and backward AR_NADE_CHUNK rows at a time (the gradients add up over the
 * chunks; each chunk's dZ is rescaled from its own mean to the batch's), so that the backward
 * pass finds h_d still in the cache: the same numbers up to rounding, and 10% less CPU time
 * (measured, the best of 5 runs of 10 epochs each: 220 ms against 245 ms). */
#define AR_NADE_CHUNK 8

double ar_model_loss_backward(ar_model *m, const gsl_matrix *X, size_t k)
{
    const size_t B = X->size1;
    gsl_matrix_view Z = cm_matrix_rows(m->Z, B), dZ = cm_matrix_rows(m->dZ, B);
    params_zero_grad(m->p);
    if (m->nade) {
        double L = 0.0;
        for (size_t i0 = 0; i0 < B; i0 += AR_NADE_CHUNK) {
            size_t n = B - i0 < AR_NADE_CHUNK ? B - i0 : AR_NADE_CHUNK;
            gsl_matrix_const_view Xc = gsl_matrix_const_submatrix(X, i0, 0, n, X->size2);
            gsl_matrix_view Zc = gsl_matrix_submatrix(m->Z, i0, 0, n, m->D),
                            dZc = gsl_matrix_submatrix(m->dZ, i0, 0, n, m->D); /* rows i0.. */
            ar_nade_forward(m->nade, &Xc.matrix, &Zc.matrix);
            L += (double)n * ar_bern_nll_rows(&Zc.matrix, &Xc.matrix, NULL, &dZc.matrix);
            gsl_matrix_scale(&dZc.matrix, (double)n / (double)B); /* d(chunk mean) -> d(mean) */
            ar_nade_backward(m->nade, &Xc.matrix, &dZc.matrix);
        }
        return L / (double)B;
    }
    ar_model_logits(m, X, k, &Z.matrix);
    double L = ar_bern_nll_rows(&Z.matrix, X, NULL, &dZ.matrix);
    if (m->fvsbn)
        ar_fvsbn_backward(m->fvsbn, X, &dZ.matrix);
    else
        ar_made_backward(m->made, X, &dZ.matrix, NULL);
    return L;
}

double ar_model_nll(ar_model *m, const gsl_matrix *X)
{
    double sum = 0.0;
    double *lp = cm_calloc(m->cap, sizeof(double));
    if (!lp) return NAN;
    for (size_t i0 = 0; i0 < X->size1; i0 += m->cap) {
        size_t B = X->size1 - i0 < m->cap ? X->size1 - i0 : m->cap;
        gsl_matrix_const_view Xb = gsl_matrix_const_submatrix(X, i0, 0, B, X->size2);
        ar_model_logp(m, &Xb.matrix, lp);
        for (size_t r = 0; r < B; r++) sum -= lp[r];
    }
    free(lp);
    return sum / (double)X->size1;
}

void ar_model_sample(ar_model *m, gsl_matrix *X, size_t n_given, size_t k, gsl_rng *r)
{
    const size_t B = X->size1;
    const size_t *o = ar_model_order(m, k);
    gsl_matrix_view Z = cm_matrix_rows(m->Z, B);
    /* BEGIN EXERCISE autoregressive-4: ancestral sampling */
    /* The variables not yet drawn are 0 while earlier ones are drawn: the model's logit for
     * x_{o_d} does not look at them (the autoregressive property), so any value would do. */
    for (size_t d = n_given; d < m->D; d++)
        for (size_t i = 0; i < B; i++) gsl_matrix_set(X, i, o[d], 0.0);
    for (size_t d = n_given; d < m->D; d++) {
        const size_t v = o[d];
        ar_model_logits(m, X, k, &Z.matrix); /* one full pass per variable: simple, O(D) passes */
        for (size_t i = 0; i < B; i++) {
            double p = act_sigmoid(gsl_matrix_get(&Z.matrix, i, v));
            gsl_matrix_set(X, i, v, gsl_rng_uniform(r) < p ? 1.0 : 0.0);
        }
    }
    /* END EXERCISE */
}

int ar_parse_hidden(const char *s, size_t *hidden, size_t *n)
{
    *n = 0;
    const char *p = s;
    for (;;) {
        char word[32];
        size_t len = strcspn(p, ",");
        if (len == 0 || len >= sizeof word)
            return cm_error(CM_EINVAL,
                            "expected sizes from 1 to 100000 separated by commas, "
                            "got '%s'",
                            s);
        memcpy(word, p, len);
        word[len] = '\0';
        long v;
        if (cli_parse_long(word, 1, 100000, &v) != CM_OK)
            return cm_error(CM_EINVAL,
                            "expected sizes from 1 to 100000 separated by commas, "
                            "got '%s'",
                            s);
        if (*n == AR_MADE_MAX_LAYERS)
            return cm_error(CM_EINVAL, "at most %d hidden layers, got '%s'", AR_MADE_MAX_LAYERS, s);
        hidden[(*n)++] = (size_t)v;
        p += len;
        if (!*p) return CM_OK;
        p++;
    }
}

int ar_spec_to_hparams(const ar_spec *s, hparams *h)
{
    char buf[HP_VAL_LEN];
    size_t used = 0;
    buf[0] = '\0';
    for (size_t l = 0; l < s->n_hidden; l++)
        used += (size_t)snprintf(buf + used, sizeof buf - used, l ? ",%zu" : "%zu", s->hidden[l]);
    int st;
    if ((st = hparams_set_str(h, "model", ar_kind_name(s->kind))) ||
        (st = hparams_set_long(h, "D", (long)s->D)) ||
        (st = hparams_set_str(h, "hidden", s->n_hidden ? buf : "none")) ||
        (st = hparams_set_long(h, "orderings", (long)s->orderings)) ||
        (st = hparams_set_long(h, "mask_seed", (long)s->mask_seed)) ||
        (st = hparams_set_str(h, "connectivity", s->conn == AR_CONN_EVEN ? "even" : "random")))
        return st;
    size_t *o = cm_calloc(s->D, sizeof(size_t));
    if (!o) return CM_ENOMEM;
    if (s->order)
        memcpy(o, s->order, s->D * sizeof(size_t));
    else
        ar_ordering_identity(o, s->D);
    st = ar_ordering_format(o, s->D, buf, sizeof buf);
    free(o);
    if (st != CM_OK)
        return cm_error(st,
                        "the ordering of %zu variables is too long for a checkpoint's "
                        "hparams.txt (%d characters)",
                        s->D, HP_VAL_LEN - 1);
    return hparams_set_str(h, "ordering", buf);
}

int ar_spec_from_hparams(const hparams *h, const char *dir, ar_spec *s, size_t *order_buf,
                         size_t max_D)
{
    const char *model, *hid, *ord;
    long D, K, seed;
    int st;
    memset(s, 0, sizeof *s);
    if ((st = hparams_get_str(h, "model", &model)) || (st = hparams_get_long(h, "D", &D)) ||
        (st = hparams_get_str(h, "hidden", &hid)) || (st = hparams_get_long(h, "orderings", &K)) ||
        (st = hparams_get_long(h, "mask_seed", &seed)) ||
        (st = hparams_get_str(h, "ordering", &ord))) {
        char why[256];
        snprintf(why, sizeof why, "%s", cm_errmsg());
        return cm_error(st, "checkpoint %s: %s", dir, why);
    }
    int kind = -1;
    for (int k = 0; k < AR_N_KINDS; k++)
        if (!strcmp(model, ar_kind_name((ar_kind)k))) kind = k;
    if (kind < 0)
        return cm_error(CM_EFORMAT, "checkpoint %s: model '%s' is not fvsbn, nade or made", dir,
                        model);
    if (D < 2 || (size_t)D > max_D || K < 1 || K > 1000 || seed < 0)
        return cm_error(CM_EFORMAT, "checkpoint %s: D = %ld, orderings = %ld out of range", dir, D,
                        K);
    s->kind = (ar_kind)kind, s->D = (size_t)D, s->orderings = (size_t)K;
    s->mask_seed = (unsigned long)seed;
    const char *conn;
    if (hparams_get_str(h, "connectivity", &conn) == CM_OK) {
        if (strcmp(conn, "random") && strcmp(conn, "even"))
            return cm_error(CM_EFORMAT, "checkpoint %s: connectivity '%s' is not random or even",
                            dir, conn);
        s->conn = strcmp(conn, "even") ? AR_CONN_RANDOM : AR_CONN_EVEN;
    }
    char why[256];
    if (strcmp(hid, "none") && (st = ar_parse_hidden(hid, s->hidden, &s->n_hidden))) {
        snprintf(why, sizeof why, "%s", cm_errmsg());
        return cm_error(CM_EFORMAT, "checkpoint %s: hidden: %s", dir, why);
    }
    if ((st = ar_ordering_parse(ord, s->D, order_buf))) {
        snprintf(why, sizeof why, "%s", cm_errmsg());
        return cm_error(CM_EFORMAT, "checkpoint %s: ordering: %s", dir, why);
    }
    s->order = order_buf;
    return CM_OK;
}
