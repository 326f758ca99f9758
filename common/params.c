/* params.c: the parameter block of named tensors and its gradient block (see params.h). */
#include "params.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>

#include "error.h"

params *params_alloc(void)
{
    return cm_calloc(1, sizeof(params));
}

void params_free(params *p)
{
    if (!p) return;
    free(p->tensors);
    free(p->data);
    free(p->grad);
    free(p);
}

int params_declare(params *p, const char *name, int ndim, const size_t *shape)
{
    if (!p || !name || !shape) {
        cm_error(CM_EINVAL, "params_declare: NULL argument");
        return -1;
    }
    if (p->committed) {
        cm_error(CM_EINVAL, "params_declare: cannot declare '%s' after params_commit", name);
        return -1;
    }
    size_t len = strlen(name);
    if (len == 0 || len >= PARAMS_NAME_LEN) {
        cm_error(CM_EINVAL, "params_declare: name '%s' must have 1 to %d characters", name,
                 PARAMS_NAME_LEN - 1);
        return -1;
    }
    if (ndim < 1 || ndim > PARAMS_MAX_DIM) {
        cm_error(CM_EINVAL, "params_declare: tensor '%s' has %d dimensions (1..%d allowed)", name,
                 ndim, PARAMS_MAX_DIM);
        return -1;
    }
    if (params_find(p, name) >= 0) {
        cm_error(CM_EINVAL, "params_declare: duplicate tensor name '%s'", name);
        return -1;
    }
    /* A zero dimension would make an empty gsl_matrix view, which GSL refuses. */
    size_t size = 1;
    for (int d = 0; d < ndim; d++) {
        if (shape[d] == 0) {
            cm_error(CM_EINVAL, "params_declare: tensor '%s' has a zero dimension %d", name, d);
            return -1;
        }
        if (size > SIZE_MAX / shape[d] || p->size > SIZE_MAX - size * shape[d]) {
            cm_error(CM_EINVAL, "params_declare: tensor '%s' is too large", name);
            return -1;
        }
        size *= shape[d];
    }
    if (p->n_tensors == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 8;
        param_tensor *t = cm_calloc(cap, sizeof *t);
        if (!t) return -1;
        if (p->n_tensors) memcpy(t, p->tensors, p->n_tensors * sizeof *t);
        free(p->tensors);
        p->tensors = t;
        p->cap = cap;
    }
    param_tensor *t = &p->tensors[p->n_tensors];
    memset(t, 0, sizeof *t);
    memcpy(t->name, name, len + 1);
    t->ndim = ndim;
    for (int d = 0; d < ndim; d++) t->shape[d] = shape[d];
    t->size = size;
    t->offset = p->size;
    p->size += size;
    return (int)p->n_tensors++;
}

int params_declare1(params *p, const char *name, size_t n)
{
    size_t shape[1] = {n};
    return params_declare(p, name, 1, shape);
}

int params_declare2(params *p, const char *name, size_t rows, size_t cols)
{
    size_t shape[2] = {rows, cols};
    return params_declare(p, name, 2, shape);
}

int params_commit(params *p)
{
    if (!p) return cm_error(CM_EINVAL, "params_commit: NULL block");
    if (p->committed) return cm_error(CM_EINVAL, "params_commit: block already committed");
    if (p->size == 0) return cm_error(CM_EINVAL, "params_commit: no tensors declared");
    double *data = cm_calloc(p->size, sizeof(double));
    double *grad = data ? cm_calloc(p->size, sizeof(double)) : NULL;
    if (!grad) {
        free(data);
        return CM_ENOMEM;
    }
    p->data = data;
    p->grad = grad;
    p->committed = 1;
    return CM_OK;
}

int params_find(const params *p, const char *name)
{
    if (!p || !name) return -1;
    for (size_t i = 0; i < p->n_tensors; i++)
        if (strcmp(p->tensors[i].name, name) == 0) return (int)i;
    return -1;
}

double *params_ptr(params *p, int idx)
{
    if (!p || !p->committed || idx < 0 || (size_t)idx >= p->n_tensors) return NULL;
    return p->data + p->tensors[idx].offset;
}

double *params_grad_ptr(params *p, int idx)
{
    if (!p || !p->committed || idx < 0 || (size_t)idx >= p->n_tensors) return NULL;
    return p->grad + p->tensors[idx].offset;
}

/* rows = shape[0] and cols = the rest for a tensor of 2 or more dimensions; 1 x n for 1-D,
 * so that a bias is a row vector, as it is added to each row of X W^T. */
static gsl_matrix_view tensor_matrix(double *base, const param_tensor *t)
{
    size_t rows = t->ndim == 1 ? 1 : t->shape[0];
    return gsl_matrix_view_array(base + t->offset, rows, t->size / rows);
}

gsl_matrix_view params_matrix(params *p, int idx)
{
    return tensor_matrix(p->data, &p->tensors[idx]);
}

gsl_matrix_view params_grad_matrix(params *p, int idx)
{
    return tensor_matrix(p->grad, &p->tensors[idx]);
}

gsl_vector_view params_vector(params *p, int idx)
{
    const param_tensor *t = &p->tensors[idx];
    return gsl_vector_view_array(p->data + t->offset, t->size);
}

gsl_vector_view params_grad_vector(params *p, int idx)
{
    const param_tensor *t = &p->tensors[idx];
    return gsl_vector_view_array(p->grad + t->offset, t->size);
}

void params_zero_grad(params *p)
{
    if (p && p->committed) memset(p->grad, 0, p->size * sizeof(double));
}

/* ||grad||_2 over the whole block, the total_norm of torch.nn.utils.clip_grad_norm_.
 * dnrm2 scales as it goes, so huge gradients do not overflow to inf. */
double params_grad_norm(const params *p)
{
    if (!p || !p->committed) return 0.0;
    gsl_vector_const_view g = gsl_vector_const_view_array(p->grad, p->size);
    return gsl_blas_dnrm2(&g.vector);
}

int params_all_finite(const params *p)
{
    if (!p || !p->committed) return 0;
    for (size_t i = 0; i < p->size; i++)
        if (!isfinite(p->data[i])) return 0;
    return 1;
}

int params_copy_values(params *dst, const params *src)
{
    if (!dst || !src || !dst->committed || !src->committed)
        return cm_error(CM_EINVAL, "params_copy_values: both blocks must be committed");
    if (dst->n_tensors != src->n_tensors)
        return cm_error(CM_ESHAPE, "params_copy_values: %zu tensors vs %zu", dst->n_tensors,
                        src->n_tensors);
    for (size_t i = 0; i < src->n_tensors; i++) {
        const param_tensor *a = &dst->tensors[i], *b = &src->tensors[i];
        int same = strcmp(a->name, b->name) == 0 && a->ndim == b->ndim;
        for (int d = 0; same && d < a->ndim; d++) same = a->shape[d] == b->shape[d];
        if (!same) {
            char sa[96], sb[96];
            params_shape_str(a, sa, sizeof sa);
            params_shape_str(b, sb, sizeof sb);
            return cm_error(CM_ESHAPE, "params_copy_values: tensor %zu is %s %s vs %s %s", i,
                            a->name, sa, b->name, sb);
        }
    }
    memcpy(dst->data, src->data, src->size * sizeof(double));
    return CM_OK;
}

void params_shape_str(const param_tensor *t, char *buf, size_t len)
{
    if (!buf || len == 0) return;
    size_t used = 0;
    buf[0] = '\0';
    for (int d = 0; d < t->ndim && used < len; d++) {
        int k = snprintf(buf + used, len - used, "%s%zu", d ? ", " : "(", t->shape[d]);
        if (k < 0) return;
        used += (size_t)k;
    }
    if (used < len) snprintf(buf + used, len - used, t->ndim == 1 ? ",)" : ")");
}
