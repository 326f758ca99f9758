/* pca.c: PCA of a few word vectors by the SVD of the centred matrix (gsl_linalg_SV_decomp). */
#include "pca.h"

#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_linalg.h>

#include "error.h"
#include "matrix.h"

int w2v_pca2(const w2v_kv *kv, const int *ids, size_t n, double *xy, double *explained)
{
    size_t D = kv->D;
    if (n < 2) return cm_error(CM_EINVAL, "pca: need at least 2 words, got %zu", n);
    /* GSL's SVD wants rows >= columns: decompose X (n, D) when n >= D, else Xᵀ (D, n), whose
     * SVD Xᵀ = U' S V'ᵀ gives X = V' S U'ᵀ, the roles of U and V swapped. */
    int tall = n >= D;
    size_t r = tall ? n : D, c = tall ? D : n;
    gsl_matrix *A = cm_matrix_calloc(r, c), *V = cm_matrix_calloc(c, c);
    gsl_vector *S = cm_vector_calloc(c), *work = cm_vector_calloc(c);
    int st = A && V && S && work ? CM_OK : CM_ENOMEM;
    if (st == CM_OK) {
        for (size_t d = 0; d < D; d++) {
            double mean = 0;
            for (size_t i = 0; i < n; i++) mean += kv->unit[(size_t)ids[i] * D + d] / (double)n;
            for (size_t i = 0; i < n; i++) {
                double v = kv->unit[(size_t)ids[i] * D + d] - mean; /* centred */
                if (tall)
                    gsl_matrix_set(A, i, d, v);
                else
                    gsl_matrix_set(A, d, i, v);
            }
        }
        gsl_linalg_SV_decomp(A, V, S, work); /* A becomes U */
        /* coordinates of row i along component k: U[i,k] S[k] (tall) or V'[i,k] S[k] */
        const gsl_matrix *rows = tall ? A : V;
        double total = 0;
        for (size_t k = 0; k < c; k++) total += gsl_vector_get(S, k) * gsl_vector_get(S, k);
        for (size_t k = 0; k < 2; k++) {
            double s = k < c ? gsl_vector_get(S, k) : 0.0, big = 0;
            for (size_t i = 0; i < n; i++) {
                xy[2 * i + k] = gsl_matrix_get(rows, i, k) * s;
                if (fabs(xy[2 * i + k]) > fabs(big)) big = xy[2 * i + k];
            }
            if (big < 0)
                for (size_t i = 0; i < n; i++) xy[2 * i + k] = -xy[2 * i + k];
        }
        if (explained) {
            double s0 = gsl_vector_get(S, 0), s1 = c > 1 ? gsl_vector_get(S, 1) : 0.0;
            *explained = total > 0 ? (s0 * s0 + s1 * s1) / total : 0.0;
        }
    }
    cm_matrix_free(A);
    cm_matrix_free(V);
    cm_vector_free(S);
    cm_vector_free(work);
    return st;
}

int w2v_pca_plot(const plot_ctx *ctx, const char *name, const w2v_kv *kv, const int *ids, size_t n,
                 double *explained)
{
    double *xy = cm_calloc(2 * n, sizeof *xy), *x = cm_calloc(n, sizeof *x),
           *y = cm_calloc(n, sizeof *y);
    const char **labels = cm_calloc(n, sizeof *labels);
    int st = xy && x && y && labels ? w2v_pca2(kv, ids, n, xy, explained) : CM_ENOMEM;
    if (st == CM_OK) {
        for (size_t i = 0; i < n; i++) {
            x[i] = xy[2 * i];
            y[i] = xy[2 * i + 1];
            labels[i] = kv->words[ids[i]];
        }
        st = plot_labeled_points(ctx, name, "word vectors: the first two principal components",
                                 "component 1", "component 2", x, y, labels, n);
    }
    free(xy);
    free(x);
    free(y);
    free(labels);
    return st;
}
