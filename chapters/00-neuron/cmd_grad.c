/* cmd_grad.c: `neuron gradcheck` (the numeric gradient checks of gradcases.h, one table each)
 * and `neuron grad` (a checkpoint's loss and gradients on a batch, as .npy: the parity hook). */
#include "parts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matrix.h"
#include "error.h"
#include <stdint.h>

#include "checkpoint.h"
#include "gradcases.h"
#include "npy.h"

/* ---- gradcheck, grad, bench --------------------------------------------------------------- */

int neuron_run_gradcheck(const neuron_opts *o)
{
    int failed = 0;
    for (int k = 0; k < NEURON_GC_COUNT; k++) {
        gc_report reps[NEURON_GC_MAX_REPORTS];
        size_t n;
        int f = neuron_gradcheck_case((neuron_gc_case)k, o->c->seed, reps, &n);
        if (f < 0) cm_die_status(CM_EINVAL);
        printf("%s (%s), every entry, tolerance 1e-6:\n", neuron_gc_case_name((neuron_gc_case)k),
               neuron_gc_case_sizes((neuron_gc_case)k));
        gc_print_table(stdout, reps, n);
        failed += f;
    }
    printf("gradcheck: %s (%d failed; the perceptron is not differentiable, not checked)\n",
           failed ? "FAIL" : "PASS", failed);
    return failed ? 1 : 0;
}

/* Reads X.npy (float64, (B, D)) and y.npy (int64 or int32, (B)) of a batch directory. */
static void read_batch(const char *dir, size_t D, size_t K, gsl_matrix **X, int **y)
{
    char path[4200];
    npy_array *a = NULL, *b = NULL;
    snprintf(path, sizeof path, "%s/X.npy", dir);
    cm_die_status(npy_read(path, &a));
    if (a->dtype != NPY_F64 || a->ndim != 2 || a->shape[1] != D || a->shape[0] == 0)
        cm_die("%s: expected float64 of shape (B, %zu), got %s of %d dimensions (last %zu)", path,
               D, a->dtype == NPY_F64 ? "float64" : "integers", a->ndim,
               a->ndim ? a->shape[a->ndim - 1] : 0);
    size_t B = a->shape[0];
    snprintf(path, sizeof path, "%s/y.npy", dir);
    cm_die_status(npy_read(path, &b));
    if (b->dtype == NPY_F64 || b->ndim != 1 || b->shape[0] != B)
        cm_die("%s: expected int64 of shape (%zu)", path, B);
    *X = cm_matrix_calloc(B, D);
    *y = cm_xcalloc(B, sizeof(int));
    if (!*X) cm_die("out of memory");
    memcpy((*X)->data, a->data, B * D * sizeof(double));
    for (size_t i = 0; i < B; i++) {
        long v = b->dtype == NPY_I64 ? (long)((const int64_t *)b->data)[i]
                                     : (long)((const int32_t *)b->data)[i];
        if (v < 0 || (size_t)v >= K) cm_die("%s: label %ld at %zu outside [0, %zu)", path, v, i, K);
        (*y)[i] = (int)v;
    }
    npy_free(a);
    npy_free(b);
}

int neuron_run_grad(const neuron_opts *o)
{
    const cli_common *c = o->c;
    if (!o->load || !o->batch_dir)
        cm_die("grad: --load DIR (checkpoint) and --batch DIR (X.npy, y.npy) are required");
    hparams h;
    hparams_init(&h);
    gsl_matrix *X;
    int *y;
    /* the batch's size is only known after reading X: load the model with capacity 1 first */
    neuron_clf *probe = neuron_load_mlp(o->load, &h, 1);
    read_batch(o->batch_dir, probe->in, probe->out, &X, &y);
    neuron_clf_free(probe);
    hparams_free(&h);
    hparams_init(&h);
    neuron_clf *m = neuron_load_mlp(o->load, &h, X->size1);
    cli_prepare_out(c); /* every input is valid: now create --out */
    double L = neuron_clf_loss_backward(m, X, y, o->loss, NULL);
    char path[4200];
    snprintf(path, sizeof path, "%s/loss.npy", c->out);
    cm_die_status(npy_write_f64(path, 0, NULL, &L));
    for (size_t t = 0; t < m->p->n_tensors; t++) {
        const param_tensor *pt = &m->p->tensors[t];
        snprintf(path, sizeof path, "%s/%s.npy", c->out, pt->name);
        cm_die_status(npy_write_f64(path, pt->ndim, pt->shape, params_grad_ptr(m->p, (int)t)));
    }
    if (!c->quiet)
        printf("grad: %s loss %.17g on %zu rows; wrote loss.npy and %zu gradients to %s\n",
               neuron_loss_name(o->loss), L, X->size1, m->p->n_tensors, c->out);
    gsl_matrix_free(X);
    free(y);
    hparams_free(&h);
    neuron_clf_free(m);
    return 0;
}

/* Seconds per epoch of the digits MLP: shuffled batches, forward, backward, Adam (no
 * evaluation), the same work as tools/bench/neuron's torch loop. */
