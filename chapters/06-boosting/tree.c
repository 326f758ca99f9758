/* tree.c: the CART tree (tree.h) once grown: its nodes, prediction, depth, feature importance
 * and the tree as text. Growing it is tree_grow.c; presorting and binning, tree_bins.c. */
#include "tree.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

void boost_tree_params_default(boost_tree_params *p, boost_criterion c)
{
    *p = (boost_tree_params){.criterion = c,
                             .max_depth = -1,
                             .max_leaves = 0,
                             .min_samples_split = 2,
                             .min_samples_leaf = 1,
                             .min_impurity_decrease = 0,
                             .max_features = 0};
}

/* ---- the tree ------------------------------------------------------------------------------ */

boost_tree *boost_tree_alloc(size_t d, int n_values)
{
    boost_tree *t = cm_calloc(1, sizeof *t);
    if (!t) return NULL;
    t->d = d;
    t->n_values = n_values;
    t->cap = 16;
    t->node = cm_calloc(t->cap, sizeof *t->node);
    t->value = cm_calloc(t->cap * (size_t)n_values, sizeof *t->value);
    if (!t->node || !t->value) {
        boost_tree_free(t);
        return NULL;
    }
    return t;
}

void boost_tree_free(boost_tree *t)
{
    if (!t) return;
    free(t->node);
    free(t->value);
    free(t);
}

int boost_tree_leaf(const boost_tree *t, const double *x, size_t stride)
{
    int id = 0;
    while (t->node[id].feature >= 0) {
        const boost_node *nd = &t->node[id];
        id = x[(size_t)nd->feature * stride] <= nd->threshold ? nd->left : nd->right;
    }
    return id;
}

const double *boost_tree_predict(const boost_tree *t, const double *x, size_t stride)
{
    return t->value + (size_t)boost_tree_leaf(t, x, stride) * (size_t)t->n_values;
}

int boost_tree_predict_class(const boost_tree *t, const double *x, size_t stride)
{
    const double *p = boost_tree_predict(t, x, stride);
    int best = 0;
    for (int k = 1; k < t->n_values; k++)
        if (p[k] > p[best]) best = k;
    return best;
}

size_t boost_tree_n_leaves(const boost_tree *t)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n_nodes; i++) n += t->node[i].feature < 0;
    return n;
}

int boost_tree_depth(const boost_tree *t)
{
    int d = 0;
    for (size_t i = 0; i < t->n_nodes; i++)
        if (t->node[i].depth > d) d = t->node[i].depth;
    return d;
}

/* Mean decrease in impurity: each split adds W_t imp_t - W_L imp_L - W_R imp_R to its
 * feature (weights relative to the root's, as scikit-learn's compute_feature_importances);
 * with normalize, scaled to sum 1 as scikit-learn's feature_importances_. */
void boost_tree_importance(const boost_tree *t, double *imp, int normalize)
{
    memset(imp, 0, t->d * sizeof *imp);
    double total = 0;
    for (size_t i = 0; i < t->n_nodes; i++) {
        const boost_node *nd = &t->node[i];
        if (nd->feature < 0) continue;
        const boost_node *l = &t->node[nd->left], *r = &t->node[nd->right];
        double dec = nd->weight * nd->impurity - l->weight * l->impurity - r->weight * r->impurity;
        dec /= t->node[0].weight;
        imp[nd->feature] += dec;
        total += dec;
    }
    if (normalize && total > 0)
        for (size_t j = 0; j < t->d; j++) imp[j] /= total;
}

static void write_node(const boost_tree *t, int id, const char *const *names, FILE *f)
{
    const boost_node *nd = &t->node[id];
    fprintf(f, "%*snode %d: ", 2 * nd->depth, "", id);
    if (nd->feature >= 0)
        fprintf(f, "%s <= %.17g ? node %d : node %d; ",
                names && names[nd->feature] ? names[nd->feature] : "x", nd->threshold, nd->left,
                nd->right);
    else
        fprintf(f, "leaf; ");
    fprintf(f, "%zu rows, weight %.10g, impurity %.10g, value", nd->n_samples, nd->weight,
            nd->impurity);
    for (int k = 0; k < t->n_values; k++)
        fprintf(f, " %.10g", t->value[(size_t)id * (size_t)t->n_values + (size_t)k]);
    fprintf(f, "\n");
    if (nd->feature >= 0) { /* depth first, left first: as the tree reads */
        write_node(t, nd->left, names, f);
        write_node(t, nd->right, names, f);
    }
}

int boost_tree_write(const boost_tree *t, const char *const *names, FILE *f)
{
    if (t->n_nodes) write_node(t, 0, names, f);
    return ferror(f) ? cm_error(CM_EIO, "cannot write the tree") : CM_OK;
}
