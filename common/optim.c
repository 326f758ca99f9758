/* optim.c: SGD and Adam over a flat parameter block, gradient clipping and learning-rate
 * schedules, each following torch.optim line by line (see optim.h). */
#include "optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_math.h>

#include "error.h"

/* Adam's loop in two more copies, AVX2 and AVX-512, picked when the program starts (GCC on
 * x86-64): 4 or 8 entries at a time instead of 2, where the step of a small network spends
 * about 5% of its time (18% of chapter 04's MADE training before). The same numbers: each
 * entry gets the same operations in the same order (sqrt and division are exact roundings; ISO C
 * mode contracts nothing to FMA). On the definition only, as chapter 01's RNN_CLONES. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define OPTIM_CLONES __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#else
#define OPTIM_CLONES
#endif

int sgd_init(sgd *o, size_t n, double lr, double momentum, double weight_decay, int nesterov)
{
    if (!o) return cm_error(CM_EINVAL, "sgd_init: NULL optimizer");
    memset(o, 0, sizeof *o);
    if (!(lr >= 0) || !(momentum >= 0) || !(weight_decay >= 0))
        return cm_error(CM_EINVAL, "sgd: lr %g, momentum %g, weight decay %g must be >= 0", lr,
                        momentum, weight_decay);
    if (nesterov && momentum <= 0)
        return cm_error(CM_EINVAL, "sgd: nesterov needs a momentum > 0 (got %g)", momentum);
    o->buf = cm_calloc(n, sizeof(double));
    if (!o->buf) return CM_ENOMEM;
    o->lr = lr;
    o->momentum = momentum;
    o->weight_decay = weight_decay;
    o->nesterov = nesterov;
    o->n = n;
    return CM_OK;
}

/* torch.optim.SGD (dampening 0), per entry:
 *   d = g + wd w
 *   buf = d at the first step, else mu buf + d
 *   d = d + mu buf (nesterov) or d = buf
 *   w = w - lr d */
void sgd_step(sgd *o, double *w, const double *g)
{
    double lr = o->lr, mu = o->momentum, wd = o->weight_decay;
    for (size_t i = 0; i < o->n; i++) {
        double d = g[i];
        if (wd != 0) d += wd * w[i];
        if (mu != 0) {
            o->buf[i] = o->steps == 0 ? d : mu * o->buf[i] + d;
            d = o->nesterov ? d + mu * o->buf[i] : o->buf[i];
        }
        w[i] -= lr * d;
    }
    o->steps++;
}

void sgd_free(sgd *o)
{
    if (!o) return;
    free(o->buf);
    o->buf = NULL;
}

int adam_init(adam *o, size_t n, double lr, double beta1, double beta2, double eps,
              double weight_decay)
{
    if (!o) return cm_error(CM_EINVAL, "adam_init: NULL optimizer");
    memset(o, 0, sizeof *o);
    if (!(lr >= 0) || !(eps >= 0) || !(weight_decay >= 0))
        return cm_error(CM_EINVAL, "adam: lr %g, eps %g, weight decay %g must be >= 0", lr, eps,
                        weight_decay);
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1))
        return cm_error(CM_EINVAL, "adam: betas (%g, %g) must be in [0, 1)", beta1, beta2);
    o->m = cm_calloc(n, sizeof(double));
    o->v = o->m ? cm_calloc(n, sizeof(double)) : NULL;
    if (!o->v) {
        free(o->m);
        o->m = NULL;
        return CM_ENOMEM;
    }
    o->lr = lr;
    o->beta1 = beta1;
    o->beta2 = beta2;
    o->eps = eps;
    o->weight_decay = weight_decay;
    o->n = n;
    return CM_OK;
}

/* torch.optim.Adam (amsgrad off), in torch's own order of operations:
 *   g = g + wd w;  m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2
 *   step_size = lr / (1 - b1^t);  denom = sqrt(v) / sqrt(1 - b2^t) + eps
 *   w = w - step_size m / denom */
OPTIM_CLONES void adam_step(adam *o, double *w, const double *g)
{
    o->t++;
    double b1 = o->beta1, b2 = o->beta2;
    double step_size = o->lr / (1.0 - pow(b1, (double)o->t));
    double bc2_sqrt = sqrt(1.0 - pow(b2, (double)o->t));
    double wd = o->weight_decay, eps = o->eps, *m = o->m, *v = o->v;
    /* independent entries, vectorized (-fopenmp-simd, -fno-math-errno: see the Makefile) */
#pragma omp simd
    for (size_t i = 0; i < o->n; i++) {
        double gi = g[i] + wd * w[i]; /* wd = 0: exactly g[i] */
        m[i] = b1 * m[i] + (1.0 - b1) * gi;
        v[i] = b2 * v[i] + (1.0 - b2) * gi * gi;
        double denom = sqrt(v[i]) / bc2_sqrt + eps;
        w[i] += -step_size * (m[i] / denom);
    }
}

void adam_free(adam *o)
{
    if (!o) return;
    free(o->m);
    free(o->v);
    o->m = o->v = NULL;
}

/* torch.nn.utils.clip_grad_norm_: g *= min(1, max_norm / (||g|| + 1e-6)). */
double clip_grad_norm(double *g, size_t n, double max_norm)
{
    if (n == 0) return 0.0;
    gsl_vector_view gv = gsl_vector_view_array(g, n);
    double norm = gsl_blas_dnrm2(&gv.vector);
    if (max_norm > 0 && isfinite(norm)) {
        double coef = max_norm / (norm + 1e-6);
        if (coef < 1.0) gsl_blas_dscal(coef, &gv.vector);
    }
    return norm;
}

/* p = step / total in [0, 1]; linear: base (1 - (1 - f) p);
 * cosine: base (f + (1 - f) (1 + cos(pi p)) / 2), torch's CosineAnnealingLR with
 * T_max = total and eta_min = f base. */
double lr_at(lr_kind kind, double base, long step, long total, double final_frac)
{
    if (kind == LR_CONSTANT || total <= 0) return base;
    double p = step <= 0 ? 0.0 : step >= total ? 1.0 : (double)step / (double)total;
    if (kind == LR_LINEAR) return base * (1.0 - (1.0 - final_frac) * p);
    return base * (final_frac + (1.0 - final_frac) * 0.5 * (1.0 + cos(M_PI * p)));
}

int lr_parse(const char *name, lr_kind *out)
{
    static const char *const names[] = {"constant", "linear", "cosine"};
    if (!name || !out) return cm_error(CM_EINVAL, "lr_parse: NULL argument");
    for (int k = 0; k < 3; k++) {
        if (strcmp(name, names[k]) == 0) {
            *out = (lr_kind)k;
            return CM_OK;
        }
    }
    return cm_error(CM_EINVAL,
                    "unknown learning-rate schedule '%s' (expected constant, linear, "
                    "cosine)",
                    name);
}
