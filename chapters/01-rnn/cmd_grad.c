/* cmd_grad.c: `rnn grad --load CKPT --inputs DIR --out DIR`, the parity hook: a checkpoint's
 * loss and every gradient over one chunk, written as .npy so that a torch script
 * (tests/parity/rnn.py) can compare them with torch.nn.RNN / LSTM / GRU + nn.Linear.
 *
 * Inputs (DIR):   x.npy   (T, B) int64 or int32, character ids in [0, V), time-major
 *                 y.npy   (T, B) the same, targets in [0, V) or -1 (no target: ignore_index)
 *                 h0.npy  (L, B, H) float64, the initial hidden states
 *                 c0.npy  (L, B, H) float64, the initial cell states (LSTM only)
 * Outputs (OUT):  loss.npy  () the mean cross-entropy in nats over the targets
 *                 <tensor>.npy  d loss / d tensor, one per parameter, the checkpoint's names
 *                 dh0.npy, dc0.npy (LSTM)  d loss / d h0, c0
 *                 hT.npy, cT.npy (LSTM)    the states after the last step (torch's h_n, c_n) */
#include "demo.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "model_io.h"
#include "npy.h"

/* The chunk `rnn grad` reads from --inputs, checked against the model. */
typedef struct {
    size_t T, B, n_targets;
    int *x, *y;      /* (T B) time-major */
    double *h0, *c0; /* (L, B, H); c0 for an LSTM only */
} grad_inputs;

static void grad_inputs_free(grad_inputs *in)
{
    free(in->x), free(in->y), free(in->h0), free(in->c0);
    memset(in, 0, sizeof *in);
}

/* Reads DIR/name, (T, B) integers (T and B are taken from the first file read, when *T == 0),
 * into *ids, every value in [lo, V). CM_OK or an error naming the file. */
static int read_ids(const char *dir, const char *name, long lo, size_t V, size_t *T, size_t *B,
                    int **ids)
{
    char path[4200];
    npy_array *a = NULL;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int rc = npy_read(path, &a);
    if (rc != CM_OK) return rc;
    if (a->dtype == NPY_F64)
        rc = cm_error(CM_EFORMAT, "%s: expected integers (int64 or int32), got float64", path);
    else if (a->ndim != 2)
        rc = cm_error(CM_ESHAPE, "%s: expected 2 dimensions (T steps, B streams), got %d", path,
                      a->ndim);
    else if (*T == 0 && (a->shape[0] == 0 || a->shape[1] == 0))
        rc = cm_error(CM_ESHAPE,
                      "%s: empty chunk of shape (%zu, %zu): need T >= 1 steps and "
                      "B >= 1 streams",
                      path, a->shape[0], a->shape[1]);
    else if (*T != 0 && (a->shape[0] != *T || a->shape[1] != *B))
        rc = cm_error(CM_ESHAPE, "%s: shape (%zu, %zu), expected (%zu, %zu) as x.npy", path,
                      a->shape[0], a->shape[1], *T, *B);
    for (size_t i = 0; rc == CM_OK && i < a->size; i++) {
        long v = a->dtype == NPY_I64 ? (long)((const int64_t *)a->data)[i]
                                     : (long)((const int32_t *)a->data)[i];
        if (v < lo || v >= (long)V)
            rc = cm_error(CM_EINVAL,
                          "%s: value %ld at step %zu, stream %zu outside [%ld, %zu) "
                          "(the checkpoint has %zu characters)",
                          path, v, i / a->shape[1], i % a->shape[1], lo, V, V);
    }
    if (rc == CM_OK && !(*ids = cm_calloc(a->size, sizeof(int)))) rc = CM_ENOMEM;
    if (rc == CM_OK) {
        *T = a->shape[0], *B = a->shape[1];
        for (size_t i = 0; i < a->size; i++)
            (*ids)[i] = a->dtype == NPY_I64 ? (int)((const int64_t *)a->data)[i]
                                            : (int)((const int32_t *)a->data)[i];
    }
    npy_free(a);
    return rc;
}

/* Reads DIR/name into *s: float64 of shape (L, B, H), every value finite. */
static int read_state(const char *dir, const char *name, size_t L, size_t B, size_t H, double **s)
{
    char path[4200];
    npy_array *a = NULL;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int rc = npy_read(path, &a);
    if (rc != CM_OK) return rc;
    if (a->dtype != NPY_F64)
        rc = cm_error(CM_EFORMAT, "%s: expected float64, got %s", path,
                      a->dtype == NPY_I64 ? "int64" : "int32");
    else if (a->ndim != 3 || a->shape[0] != L || a->shape[1] != B || a->shape[2] != H)
        rc = cm_error(CM_ESHAPE,
                      "%s: expected shape (%zu, %zu, %zu) (layers, streams, hidden), "
                      "got %d dimensions (%zu, %zu, %zu)",
                      path, L, B, H, a->ndim, a->ndim > 0 ? a->shape[0] : 0,
                      a->ndim > 1 ? a->shape[1] : 0, a->ndim > 2 ? a->shape[2] : 0);
    const double *d = a->data;
    for (size_t i = 0; rc == CM_OK && i < a->size; i++)
        if (!isfinite(d[i]))
            rc = cm_error(CM_ENOTFINITE, "%s: value %zu is not finite (%g)", path, i, d[i]);
    if (rc == CM_OK && !(*s = cm_calloc(a->size, sizeof(double)))) rc = CM_ENOMEM;
    if (rc == CM_OK) memcpy(*s, d, a->size * sizeof(double));
    npy_free(a);
    return rc;
}

/* Reads and checks every input for the model m of checkpoint ckpt; on failure nothing stays
 * allocated and the message names the file at fault. */
static int read_inputs(const char *dir, const rnn_model *m, const char *ckpt, grad_inputs *in)
{
    memset(in, 0, sizeof *in);
    size_t L = m->L, H = m->H;
    int lstm = m->cell == RNN_CELL_LSTM;
    int rc = read_ids(dir, "x.npy", 0, m->V, &in->T, &in->B, &in->x);
    if (rc == CM_OK) rc = read_ids(dir, "y.npy", -1, m->V, &in->T, &in->B, &in->y);
    for (size_t i = 0; rc == CM_OK && i < in->T * in->B; i++) in->n_targets += in->y[i] >= 0;
    if (rc == CM_OK && in->n_targets == 0)
        rc = cm_error(CM_EINVAL,
                      "%s/y.npy: every target is -1: the mean loss over no targets is "
                      "undefined",
                      dir);
    if (rc == CM_OK) rc = read_state(dir, "h0.npy", L, in->B, H, &in->h0);
    /* c0.npy goes with an LSTM and only with one: a missing or stray file means the inputs
     * were written for another model */
    char path[4200];
    snprintf(path, sizeof path, "%s/c0.npy", dir);
    FILE *f = rc == CM_OK ? fopen(path, "rb") : NULL;
    int have_c0 = f != NULL;
    if (f) fclose(f);
    if (rc == CM_OK && lstm && !have_c0)
        rc = cm_error(CM_EIO,
                      "%s: missing: %s holds an LSTM, which needs its initial cell states "
                      "(%zu, %zu, %zu)",
                      path, ckpt, L, in->B, H);
    if (rc == CM_OK && !lstm && have_c0)
        rc = cm_error(CM_EINVAL,
                      "%s: a cell state is for an LSTM, but %s holds a %s (remove the "
                      "file)",
                      path, ckpt, rnn_cell_name(m->cell));
    if (rc == CM_OK && lstm) rc = read_state(dir, "c0.npy", L, in->B, H, &in->c0);
    if (rc != CM_OK) grad_inputs_free(in);
    return rc;
}

static void write_out(const char *out, const char *name, int ndim, const size_t *shape,
                      const double *data)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s.npy", out, name);
    cm_die_status(npy_write_f64(path, ndim, shape, data));
}

int rnn_run_grad(const rnn_opts *o)
{
    const cli_common *c = o->c;
    if (!o->load || !o->inputs)
        cm_die("grad: --load DIR (a checkpoint) and --inputs DIR (x.npy, y.npy, h0.npy and, for "
               "an LSTM, c0.npy) are required");
    charvocab v;
    hparams h;
    rnn_model *m;
    hparams_init(&h);
    int rc = rnn_load(o->load, &m, &v, &h);
    if (rc == CM_OK && !params_all_finite(m->p)) {
        rnn_model_free(m);
        rc = cm_error(CM_ENOTFINITE, "checkpoint %s holds NaN or infinite values", o->load);
    }
    if (rc != CM_OK) {
        hparams_free(&h);
        cm_die_status(rc);
    }
    int lstm = m->cell == RNN_CELL_LSTM;
    size_t L = m->L, H = m->H;
    grad_inputs in;
    rc = read_inputs(o->inputs, m, o->load, &in); /* every input, before anything is done */
    rnn_work *w = rc == CM_OK ? rnn_work_alloc(m, in.T, in.B) : NULL;
    if (rc == CM_OK && !w) rc = CM_ENOMEM;
    if (rc != CM_OK) {
        grad_inputs_free(&in);
        rnn_model_free(m);
        hparams_free(&h);
        cm_die_status(rc);
    }
    size_t T = in.T, B = in.B;
    cli_prepare_out(c); /* every input is valid: now create --out */

    /* the forward pass and back-propagation through time over the whole chunk */
    params_zero_grad(m->p);
    double loss = rnn_forward(m, w, T, in.x, in.y, in.h0, in.c0);
    double *dh0 = cm_xcalloc(L * B * H, sizeof(double));
    double *dc0 = lstm ? cm_xcalloc(L * B * H, sizeof(double)) : NULL;
    rnn_backward(m, w, dh0, dc0);
    double *hT = cm_xcalloc(L * B * H, sizeof(double));
    double *cT = lstm ? cm_xcalloc(L * B * H, sizeof(double)) : NULL;
    rnn_final_state(m, w, hT, cT);

    const size_t state_shape[3] = {L, B, H};
    write_out(c->out, "loss", 0, NULL, &loss);
    for (size_t t = 0; t < m->p->n_tensors; t++) {
        const param_tensor *pt = &m->p->tensors[t];
        write_out(c->out, pt->name, pt->ndim, pt->shape, params_grad_ptr(m->p, (int)t));
    }
    write_out(c->out, "dh0", 3, state_shape, dh0);
    write_out(c->out, "hT", 3, state_shape, hT);
    if (lstm) {
        write_out(c->out, "dc0", 3, state_shape, dc0);
        write_out(c->out, "cT", 3, state_shape, cT);
    }
    if (!c->quiet)
        printf("grad: %s (hidden %zu, %zu layer%s) loss %.17g nats over %zu targets (%zu steps, "
               "%zu streams); wrote loss.npy, %zu gradients, dh0.npy%s and hT.npy%s to %s\n",
               rnn_cell_name(m->cell), H, L, L == 1 ? "" : "s", loss, in.n_targets, T, B,
               m->p->n_tensors, lstm ? ", dc0.npy" : "", lstm ? ", cT.npy" : "", c->out);
    grad_inputs_free(&in);
    free(dh0), free(dc0), free(hT), free(cT);
    rnn_work_free(w);
    rnn_model_free(m);
    hparams_free(&h);
    return 0;
}
