/* softmax.c: log-sum-exp, softmax, log-softmax and the cross-entropy losses (see softmax.h).
 *
 * Every function subtracts the row maximum m before exponentiating:
 *     log sum_i e^{x_i} = m + log sum_i e^{x_i - m},
 * so the largest exponent is e^0 = 1 and logits of +-1000 neither overflow nor vanish. */
#include "softmax.h"

#include <math.h>

#include "activations.h"
#include "error.h"

/* The maximum of x, or NaN if any entry is NaN (so that NaN propagates instead of being
 * skipped by the comparison). */
static double max_or_nan(const double *x, size_t n)
{
    double m = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (isnan(x[i])) return NAN;
        if (x[i] > m) m = x[i];
    }
    return m;
}

/* sum_i e^{x_i - m} for a finite m: at least 1 (the maximum's own term). */
static double sum_exp_shifted(const double *x, size_t n, double m)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += exp(x[i] - m);
    return s;
}

/* log sum_i exp(x_i), as torch.logsumexp. An infinite maximum is the answer itself
 * (all -inf gives -inf; any +inf gives +inf) instead of inf - inf = NaN. */
double sm_logsumexp(const double *x, size_t n)
{
    double m = max_or_nan(x, n);
    if (!isfinite(m)) return m;
    return m + log(sum_exp_shifted(x, n, m));
}

/* y_i = e^{x_i - m} / sum_j e^{x_j - m}, as torch.softmax (which also multiplies by the
 * reciprocal of the sum). */
void sm_softmax(const double *x, double *y, size_t n)
{
    double m = max_or_nan(x, n);
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        y[i] = exp(x[i] - m);
        s += y[i];
    }
    double inv = 1.0 / s;
    for (size_t i = 0; i < n; i++) y[i] *= inv;
}

/* y_i = (x_i - m) - log sum_j e^{x_j - m}, in torch.log_softmax's order: subtracting m first
 * keeps x_i - m exact, where x_i - logsumexp(x) would round logsumexp at the scale of m. */
void sm_log_softmax(const double *x, double *y, size_t n)
{
    double m = max_or_nan(x, n);
    double log_s = log(sum_exp_shifted(x, n, m));
    for (size_t i = 0; i < n; i++) y[i] = (x[i] - m) - log_s;
}

void sm_softmax_rows(const gsl_matrix *logits, gsl_matrix *probs)
{
    for (size_t b = 0; b < logits->size1; b++)
        sm_softmax(logits->data + b * logits->tda, probs->data + b * probs->tda, logits->size2);
}

void sm_log_softmax_rows(const gsl_matrix *logits, gsl_matrix *logp)
{
    for (size_t b = 0; b < logits->size1; b++)
        sm_log_softmax(logits->data + b * logits->tda, logp->data + b * logp->tda, logits->size2);
}

/* L = -(1/B) sum_b log softmax(x_b)[y_b]  (torch.nn.functional.cross_entropy, mean);
 * dL/dx_b = (softmax(x_b) - onehot(y_b)) / B. dlogits may be logits itself: each row's loss
 * term is read before the row is overwritten. A label outside [0, K) gives NaN and a message. */
double sm_cross_entropy(const gsl_matrix *logits, const int *labels, gsl_matrix *dlogits)
{
    size_t B = logits->size1, K = logits->size2;
    for (size_t b = 0; b < B; b++) {
        if (labels[b] < 0 || (size_t)labels[b] >= K) {
            cm_error(CM_EINVAL, "cross-entropy: label %d of row %zu is outside [0, %zu)", labels[b],
                     b, K);
            return NAN;
        }
    }
    double total = 0.0;
    for (size_t b = 0; b < B; b++) {
        const double *x = logits->data + b * logits->tda;
        double m = max_or_nan(x, K);
        double log_s = log(sum_exp_shifted(x, K, m));
        total += -((x[labels[b]] - m) - log_s); /* -log p[label], log-softmax as above */
        if (dlogits) {
            double *d = dlogits->data + b * dlogits->tda;
            for (size_t k = 0; k < K; k++) d[k] = exp((x[k] - m) - log_s) / (double)B;
            d[labels[b]] -= 1.0 / (double)B;
        }
    }
    return total / (double)B;
}

/* L = (1/N) sum softplus(z) - t z  over all N = B*K entries: -[t log sigma(z) + (1-t) log(1 -
 * sigma(z))] rewritten with log sigma(z) = z - softplus(z) and log(1 - sigma(z)) = -softplus(z),
 * so that z = 1000 with t = 0 gives 1000 and with t = 1 gives 0 (torch's
 * binary_cross_entropy_with_logits, mean). dL/dz = (sigma(z) - t) / N. */
double sm_bce_logits(const gsl_matrix *logits, const gsl_matrix *targets, gsl_matrix *dlogits)
{
    size_t B = logits->size1, K = logits->size2;
    double N = (double)(B * K), total = 0.0;
    for (size_t b = 0; b < B; b++) {
        const double *z = logits->data + b * logits->tda;
        const double *t = targets->data + b * targets->tda;
        double *d = dlogits ? dlogits->data + b * dlogits->tda : NULL;
        for (size_t k = 0; k < K; k++) {
            double zk = z[k], tk = t[k]; /* read before d (which may alias z) is written */
            total += act_softplus(zk) - tk * zk;
            if (d) d[k] = (act_sigmoid(zk) - tk) / N;
        }
    }
    return total / N;
}

void sm_argmax_rows(const gsl_matrix *m, int *out)
{
    for (size_t b = 0; b < m->size1; b++) {
        const double *x = m->data + b * m->tda;
        size_t best = 0;
        for (size_t k = 1; k < m->size2; k++)
            if (x[k] > x[best]) best = k;
        out[b] = (int)best;
    }
}
