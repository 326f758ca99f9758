/* init.c: weight initializers drawing from a gsl_rng (see init.h). */
#include "init.h"

#include <math.h>

#include <gsl/gsl_randist.h>

void init_uniform(gsl_rng *r, double *x, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++) x[i] = lo + (hi - lo) * gsl_rng_uniform(r);
}

void init_normal(gsl_rng *r, double *x, size_t n, double mean, double sd)
{
    for (size_t i = 0; i < n; i++) x[i] = mean + gsl_ran_gaussian(r, sd);
}

/* Row by row, so that a W whose rows are padded (tda > size2) is filled correctly. */
static void fill_uniform_rows(gsl_rng *r, gsl_matrix *W, double a)
{
    for (size_t i = 0; i < W->size1; i++) init_uniform(r, W->data + i * W->tda, W->size2, -a, a);
}

/* Glorot & Bengio (2010): Var(W) = 2 / (fan_in + fan_out), and U(-a, a) has variance a^2/3,
 * hence a = gain sqrt(6 / (fan_in + fan_out)) (torch.nn.init.xavier_uniform_). */
void init_xavier_uniform(gsl_rng *r, gsl_matrix *W, double gain)
{
    double a = gain * sqrt(6.0 / (double)(W->size1 + W->size2));
    fill_uniform_rows(r, W, a);
}

/* He et al. (2015): Var(W) = 2 / fan_in keeps the variance of ReLU activations constant
 * across layers (torch.nn.init.kaiming_normal_ with mode='fan_in', nonlinearity='relu'). */
void init_he_normal(gsl_rng *r, gsl_matrix *W)
{
    double sd = sqrt(2.0 / (double)W->size2);
    for (size_t i = 0; i < W->size1; i++) init_normal(r, W->data + i * W->tda, W->size2, 0.0, sd);
}

/* torch.nn.Linear.reset_parameters: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias. */
void init_torch_default(gsl_rng *r, double *x, size_t n, size_t fan_in)
{
    double k = fan_in > 0 ? 1.0 / sqrt((double)fan_in) : 0.0;
    init_uniform(r, x, n, -k, k);
}
