/* sampling.c: the negative-sampling distribution and the subsampling probability. */
#include "sampling.h"

#include <math.h>
#include <stdlib.h>

#include "error.h"

gsl_ran_discrete_t *w2v_negative_table(const long *counts, size_t n)
{
    double *p = cm_calloc(n, sizeof *p);
    if (!p) return NULL;
    for (size_t i = 0; i < n; i++) p[i] = pow((double)counts[i], W2V_NS_POWER);
    gsl_ran_discrete_t *t = gsl_ran_discrete_preproc(n, p); /* normalizes p itself */
    free(p);
    if (!t) cm_error(CM_ENOMEM, "out of memory for the negative-sampling table");
    return t;
}

double w2v_keep_probability(long count, long total, double sample)
{
    if (sample <= 0) return 1.0;
    /* BEGIN EXERCISE word2vec-4: subsampling of frequent words */
    /* With t = sample * total: keep = (sqrt(c / t) + 1) * t / c. A word whose count is below
     * about 2.6 t is always kept; a word making up a fraction f of the text is kept about
     * sqrt(sample / f) of the time. */
    double t = sample * (double)total, c = (double)count;
    return (sqrt(c / t) + 1.0) * t / c;
    /* END EXERCISE */
}
