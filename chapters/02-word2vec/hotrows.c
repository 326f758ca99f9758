/* hotrows.c: each thread's own copies of the frequent words' rows, and their merge. */
#include "hotrows.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"

static double *copy_rows(const double *rows, size_t n)
{
    double *p = malloc(n ? n * sizeof *p : 1);
    if (p) memcpy(p, rows, n * sizeof *p);
    return p;
}

int w2v_hot_init(w2v_hot *h, w2v_model *m, size_t n, pthread_mutex_t *lock)
{
    memset(h, 0, sizeof *h);
    h->view = *m;
    h->view.n_hot = 0;
    h->view.hot_wv = h->view.hot_syn1neg = NULL;
    h->lock = lock;
    if (n > m->vocab_size) n = m->vocab_size;
    if (n == 0) return CM_OK;
    const size_t len = n * m->dim;
    h->view.hot_wv = copy_rows(m->wv, len);
    h->base_wv = copy_rows(m->wv, len);
    int ok = h->view.hot_wv && h->base_wv;
    if (m->syn1neg) {
        h->view.hot_syn1neg = copy_rows(m->syn1neg, len);
        h->base_neg = copy_rows(m->syn1neg, len);
        ok = ok && h->view.hot_syn1neg && h->base_neg;
    }
    if (!ok) {
        w2v_hot_free(h);
        return cm_error(CM_ENOMEM, "out of memory for the threads' copies of %zu rows", n);
    }
    h->view.n_hot = n;
    return CM_OK;
}

/* shared += mine - base; mine = base = shared, over len numbers */
static void merge_table(double *shared, double *mine, double *base, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        shared[i] += mine[i] - base[i];
        mine[i] = base[i] = shared[i];
    }
}

void w2v_hot_merge(w2v_hot *h)
{
    w2v_model *v = &h->view;
    const size_t len = v->n_hot * v->dim;
    if (len == 0) return;
    pthread_mutex_lock(h->lock);
    merge_table(v->wv, v->hot_wv, h->base_wv, len);
    if (v->syn1neg) merge_table(v->syn1neg, v->hot_syn1neg, h->base_neg, len);
    pthread_mutex_unlock(h->lock);
}

void w2v_hot_free(w2v_hot *h)
{
    free(h->view.hot_wv);
    free(h->view.hot_syn1neg);
    free(h->base_wv);
    free(h->base_neg);
    h->view.hot_wv = h->view.hot_syn1neg = h->base_wv = h->base_neg = NULL;
    h->view.n_hot = 0;
}
