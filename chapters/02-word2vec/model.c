/* model.c: allocating and initializing the model (word2vec.c's InitNet). */
#include "model.h"

#include <stdlib.h>

#include "error.h"
#include "sampling.h"
#include "sigmoid.h"

void w2v_config_defaults(w2v_config *cfg)
{
    *cfg = (w2v_config){.dim = 100,
                        .window = 5,
                        .negative = 5,
                        .sample = 1e-3,
                        .alpha = 0.025,
                        .min_alpha = 1e-4,
                        .epochs = 5,
                        .min_count = 5,
                        .threads = 1,
                        .hot_words = 4096,
                        .seed = 1};
}

w2v_model *w2v_model_alloc(const w2v_config *cfg, const long *counts, size_t V, gsl_rng *rng)
{
    if (V == 0 || cfg->dim == 0) {
        cm_error(CM_EINVAL, "word2vec: empty vocabulary or zero dimension");
        return NULL;
    }
    if (!cfg->hs && cfg->negative <= 0) {
        cm_error(CM_EINVAL, "word2vec: neither hierarchical softmax nor negative sampling");
        return NULL;
    }
    w2v_sigmoid_init();
    w2v_model *m = cm_calloc(1, sizeof *m);
    if (!m) return NULL;
    m->cfg = *cfg;
    m->vocab_size = V;
    m->dim = cfg->dim;
    int iwv = -1, ineg = -1, ihs = -1;
    if (!(m->p = params_alloc())) goto fail;
    if ((iwv = params_declare2(m->p, "wv.vectors", V, cfg->dim)) < 0) goto fail;
    if (cfg->negative > 0 && (ineg = params_declare2(m->p, "syn1neg", V, cfg->dim)) < 0) goto fail;
    if (cfg->hs && (ihs = params_declare2(m->p, "syn1", V, cfg->dim)) < 0) goto fail;
    if (params_commit(m->p) != CM_OK) goto fail;
    m->wv = params_ptr(m->p, iwv);
    m->dwv = params_grad_ptr(m->p, iwv);
    if (ineg >= 0) {
        m->syn1neg = params_ptr(m->p, ineg);
        m->dsyn1neg = params_grad_ptr(m->p, ineg);
        if (!(m->neg_table = w2v_negative_table(counts, V))) goto fail;
    }
    if (ihs >= 0) {
        m->syn1 = params_ptr(m->p, ihs);
        m->dsyn1 = params_grad_ptr(m->p, ihs);
        if (w2v_huffman_build(&m->tree, counts, V) != CM_OK) goto fail;
    }
    if (!(m->keep = cm_calloc(V, sizeof *m->keep))) goto fail;
    long total = 0;
    for (size_t w = 0; w < V; w++) total += counts[w];
    for (size_t w = 0; w < V; w++) m->keep[w] = w2v_keep_probability(counts[w], total, cfg->sample);
    /* v_w ~ U[-0.5, 0.5) / D; the output vectors stay 0 (params_commit zeroed them) */
    for (size_t i = 0; i < V * cfg->dim; i++)
        m->wv[i] = (gsl_rng_uniform(rng) - 0.5) / (double)cfg->dim;
    return m;
fail:
    w2v_model_free(m);
    return NULL;
}

void w2v_model_free(w2v_model *m)
{
    if (!m) return;
    params_free(m->p);
    w2v_huffman_free(&m->tree);
    if (m->neg_table) gsl_ran_discrete_free(m->neg_table);
    free(m->keep);
    free(m);
}
