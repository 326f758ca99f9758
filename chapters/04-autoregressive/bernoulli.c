/* bernoulli.c: Bernoulli log-likelihoods from logits (see bernoulli.h). */
#include "bernoulli.h"

#include <math.h>

#include "activations.h"

double ar_bern_nll(double z, double x)
{
    return (z > 0 ? z : 0.0) - x * z + log1p(exp(-fabs(z)));
}

double ar_bern_nll_rows(const gsl_matrix *Z, const gsl_matrix *X, double *nll, gsl_matrix *dZ)
{
    size_t B = Z->size1, D = Z->size2;
    double total = 0.0;
    for (size_t r = 0; r < B; r++) {
        const double *z = Z->data + r * Z->tda, *x = X->data + r * X->tda;
        double s = 0.0;
        for (size_t v = 0; v < D; v++) s += ar_bern_nll(z[v], x[v]);
        if (nll) nll[r] = s;
        total += s;
        if (dZ) {
            double *dz = dZ->data + r * dZ->tda;
            for (size_t v = 0; v < D; v++) dz[v] = (act_sigmoid(z[v]) - x[v]) / (double)B;
        }
    }
    return total / (double)B;
}
