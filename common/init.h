/* init.h: weight initializers drawing from a gsl_rng (never the C library's generator).
 * W is out x in, so fan_in = W->size2 and fan_out = W->size1, as for torch.nn.Linear's weight. */
#ifndef CM_INIT_H
#define CM_INIT_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

void init_uniform(gsl_rng *r, double *x, size_t n, double lo, double hi);
void init_normal(gsl_rng *r, double *x, size_t n, double mean, double sd);
/* Glorot/Xavier uniform: U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)). */
void init_xavier_uniform(gsl_rng *r, gsl_matrix *W, double gain);
/* He/Kaiming normal: N(0, 2 / fan_in). */
void init_he_normal(gsl_rng *r, gsl_matrix *W);
/* What torch.nn.Linear (and RNN/LSTM/GRU) do by default: U(-k, k), k = 1/sqrt(fan_in),
 * for the weight and the bias alike (pass the layer's fan_in). */
void init_torch_default(gsl_rng *r, double *x, size_t n, size_t fan_in);

#endif
