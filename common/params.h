/* params.h: a model's parameters as one block of named tensors, and its gradients as a
 * second block of the same layout (STYLE.md, "what we take", 1).
 *
 * A model declares its tensors once (name and shape, the names PyTorch uses for the same
 * layer), then commits the block: one array of doubles for the values, one for the
 * gradients. Optimizers, clipping, norms, checkpoints and the gradient check walk the flat
 * arrays; the model's own code views each tensor as a gsl_matrix (rows = shape[0],
 * cols = product of the other dimensions; a 1-D tensor of n is viewed as 1 x n).
 *
 *     params *p = params_alloc();
 *     int W = params_declare2(p, "fc1.weight", 128, 64);   // out x in, as torch.nn.Linear
 *     int b = params_declare1(p, "fc1.bias", 128);
 *     params_commit(p);                                     // allocates, zeroes
 *     gsl_matrix_view Wv = params_matrix(p, W), dWv = params_grad_matrix(p, W);
 */
#ifndef CM_PARAMS_H
#define CM_PARAMS_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#define PARAMS_MAX_DIM  4
#define PARAMS_NAME_LEN 64

typedef struct {
    char name[PARAMS_NAME_LEN];   /* e.g. "fc1.weight" */
    int ndim;                     /* 1..PARAMS_MAX_DIM */
    size_t shape[PARAMS_MAX_DIM]; /* C order, as numpy/torch */
    size_t size;                  /* product of shape */
    size_t offset;                /* where the tensor starts in data and grad */
} param_tensor;

typedef struct {
    size_t n_tensors, cap;
    param_tensor *tensors; /* (n_tensors) */
    size_t size;           /* total number of doubles */
    double *data;          /* (size) the values; NULL until committed */
    double *grad;          /* (size) the gradients, same layout as data */
    int committed;
} params;

params *params_alloc(void); /* NULL on failure (message set) */
void params_free(params *p);

/* Declares a tensor; returns its index (>= 0) or -1 (message set: duplicate name,
 * bad shape, already committed, no memory). */
int params_declare(params *p, const char *name, int ndim, const size_t *shape);
int params_declare1(params *p, const char *name, size_t n);
int params_declare2(params *p, const char *name, size_t rows, size_t cols);

/* Allocates the value and gradient blocks, zeroed. CM_OK or an error code. */
int params_commit(params *p);

int params_find(const params *p, const char *name); /* index or -1 */
double *params_ptr(params *p, int idx);             /* the tensor's values */
double *params_grad_ptr(params *p, int idx);        /* the tensor's gradients */
gsl_matrix_view params_matrix(params *p, int idx);  /* rows = shape[0] (1 for 1-D) */
gsl_matrix_view params_grad_matrix(params *p, int idx);
gsl_vector_view params_vector(params *p, int idx); /* the whole tensor as a vector */
gsl_vector_view params_grad_vector(params *p, int idx);

void params_zero_grad(params *p);
double params_grad_norm(const params *p); /* Euclidean norm of the whole gradient block */
int params_all_finite(const params *p);   /* 1 if every value is finite */
int params_copy_values(params *dst, const params *src); /* same layout required */
/* Formats "(a, b, c)" into buf. */
void params_shape_str(const param_tensor *t, char *buf, size_t len);

#endif
