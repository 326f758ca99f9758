/* optim.h: optimizers that walk a flat parameter block (params.h): SGD with momentum and
 * weight decay, Adam, global-norm gradient clipping, learning-rate schedules.
 * Each follows torch.optim's update exactly, so that a run can be checked against PyTorch:
 *   SGD:  g += wd w;  buf = mu buf + g (buf = g at the first step);  w -= lr buf
 *         (nesterov: w -= lr (g + mu buf); momentum 0: w -= lr g; dampening is always 0)
 *   Adam: g += wd w;  m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
 *         w -= lr (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps) */
#ifndef CM_OPTIM_H
#define CM_OPTIM_H

#include <stddef.h>

typedef struct {
    double lr, momentum, weight_decay;
    int nesterov;
    size_t n;
    double *buf; /* (n) momentum buffer */
    long steps;
} sgd;

typedef struct {
    double lr, beta1, beta2, eps, weight_decay;
    size_t n;
    double *m, *v; /* (n) first and second moments */
    long t;        /* steps taken */
} adam;

/* Allocates the state for n parameters (zeroed). CM_OK or CM_ENOMEM / CM_EINVAL. */
int sgd_init(sgd *o, size_t n, double lr, double momentum, double weight_decay, int nesterov);
void sgd_step(sgd *o, double *w, const double *g);
void sgd_free(sgd *o);

/* torch defaults: beta1 0.9, beta2 0.999, eps 1e-8. */
int adam_init(adam *o, size_t n, double lr, double beta1, double beta2, double eps,
              double weight_decay);
void adam_step(adam *o, double *w, const double *g);
void adam_free(adam *o);

/* Scales g so that its Euclidean norm is at most max_norm, as torch.nn.utils.clip_grad_norm_:
 * g *= min(1, max_norm / (norm + 1e-6)) (so a norm within 1e-6 of max_norm is scaled a little).
 * Returns the norm before clipping. max_norm <= 0 means no clipping. A non-finite norm leaves g
 * unchanged (torch would fill it with NaN or zeros): the caller checks the returned norm. */
double clip_grad_norm(double *g, size_t n, double max_norm);

typedef enum { LR_CONSTANT, LR_LINEAR, LR_COSINE } lr_kind;
/* The learning rate at step (0-based) of total steps, with progress p = step / total clamped to
 * [0, 1]: constant base; linear base (1 - (1 - final_frac) p); cosine
 * base (final_frac + (1 - final_frac) (1 + cos(pi p)) / 2) (torch's CosineAnnealingLR with
 * T_max = total, eta_min = base final_frac). total <= 0 gives base. */
double lr_at(lr_kind kind, double base, long step, long total, double final_frac);
int lr_parse(const char *name, lr_kind *out); /* "constant", "linear", "cosine" */

#endif
