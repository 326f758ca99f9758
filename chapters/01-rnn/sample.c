/* sample.c: see sample.h. */
#include "sample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

size_t rnn_draw(const double *logits, size_t n, double temperature, gsl_rng *r)
{
    /* BEGIN EXERCISE rnn-4: sampling with a temperature */
    double mx = logits[0], total = 0.0;
    for (size_t i = 1; i < n; i++) mx = logits[i] > mx ? logits[i] : mx;
    /* p_i proportional to exp((o_i - max) / T): T < 1 sharpens, T > 1 flattens */
    for (size_t i = 0; i < n; i++) total += exp((logits[i] - mx) / temperature);
    double u = gsl_rng_uniform(r) * total, acc = 0.0;
    for (size_t i = 0; i < n; i++) {
        acc += exp((logits[i] - mx) / temperature);
        if (u < acc) return i;
    }
    return n - 1; /* u within rounding of the total */
    /* END EXERCISE */
}

int rnn_sample(const rnn_model *m, const charvocab *v, const char *prime, size_t len,
               double temperature, gsl_rng *r, char *out)
{
    size_t P = strlen(prime);
    for (size_t i = 0; i < P; i++)
        if (v->id[(unsigned char)prime[i]] < 0) {
            unsigned char ch = (unsigned char)prime[i];
            if (ch >= 32 && ch < 127)
                return cm_error(CM_EINVAL,
                                "the prime's character '%c' (at %zu) never occurs in "
                                "the text the model was trained on",
                                ch, i);
            return cm_error(CM_EINVAL,
                            "the prime's byte 0x%02x (at %zu) never occurs in the "
                            "text the model was trained on",
                            ch, i);
        }
    int start = v->id['\n'] >= 0 ? v->id['\n'] : 0;
    size_t T = P > 0 ? P : 1;
    rnn_work *w = rnn_work_alloc(m, T, 1);
    int *x = cm_calloc(T, sizeof(int));
    size_t S = rnn_state_size(m, 1);
    double *h = cm_calloc(S, sizeof(double)), *c = cm_calloc(S, sizeof(double));
    if (!w || !x || !h || !c) {
        rnn_work_free(w);
        free(x), free(h), free(c);
        return CM_ENOMEM;
    }
    /* the prime in one chunk; the logits of its last step give the first drawn character */
    if (P > 0)
        for (size_t i = 0; i < P; i++) x[i] = v->id[(unsigned char)prime[i]];
    else
        x[0] = start;
    memcpy(out, prime, P);
    rnn_forward(m, w, T, x, NULL, h, c);
    const double *logits = w->logits + (T - 1) * m->V;
    for (size_t k = 0; k < len; k++) {
        size_t id = rnn_draw(logits, m->V, temperature, r);
        out[P + k] = (char)v->chars[id];
        rnn_final_state(m, w, h, c);
        x[0] = (int)id;
        rnn_forward(m, w, 1, x, NULL, h, c);
        logits = w->logits;
    }
    out[P + len] = '\0';
    rnn_work_free(w);
    free(x), free(h), free(c);
    return CM_OK;
}
