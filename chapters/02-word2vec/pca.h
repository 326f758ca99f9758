/* pca.h: a 2-D map of chosen word vectors by principal component analysis, through GSL's SVD. */
#ifndef W2V_PCA_H
#define W2V_PCA_H

#include <stddef.h>

#include "plot.h"
#include "vectors.h"

/* Projects the unit vectors of words ids[0..n) (n >= 2) onto their first two principal
 * components: with X the (n, D) rows minus their mean and X = U S Vᵀ its SVD, the map is
 * X V[:, :2] = U[:, :2] S[:2] (the rows' coordinates along the two directions of largest
 * variance). xy is (n, 2). Each component's sign is fixed so that its largest coordinate is
 * positive (an SVD's signs are arbitrary). *explained gets the fraction of the variance the two
 * components hold. CM_OK or CM_ENOMEM. */
int w2v_pca2(const w2v_kv *kv, const int *ids, size_t n, double *xy, double *explained);

/* The map as a figure (name.csv, name.gp, name.png) through plot_labeled_points. */
int w2v_pca_plot(const plot_ctx *ctx, const char *name, const w2v_kv *kv, const int *ids, size_t n,
                 double *explained);

#endif
