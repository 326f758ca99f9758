/* bernoulli.c: Bernoulli log-likelihoods from logits (see bernoulli.h). */
#include "bernoulli.h"

#include <math.h>

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
        double *dz = dZ ? dZ->data + r * dZ->tda : NULL;
        double s = 0.0;
        for (size_t v = 0; v < D; v++) {
            /* one exp serves both: e = exp(-|z|) in softplus(z) = max(z, 0) + log1p(e), and
             * sigmoid(z) = 1 / (1 + e) for z >= 0, e / (1 + e) below (as act_sigmoid) */
            const double e = exp(-fabs(z[v]));
            s += (z[v] > 0 ? z[v] : 0.0) - x[v] * z[v] + log1p(e);
            if (dz) dz[v] = ((z[v] >= 0 ? 1.0 : e) / (1.0 + e) - x[v]) / (double)B;
        }
        if (nll) nll[r] = s;
        total += s;
    }
    return total / (double)B;
}
