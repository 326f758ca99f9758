/* rnn.h: a character-level language model built from stacked recurrent layers (a tanh RNN,
 * an LSTM or a GRU) and a linear decoder, with its forward pass and back-propagation through
 * time written by hand.
 *
 * The parameters carry the names, shapes and gate order of torch.nn.RNN / LSTM / GRU and
 * torch.nn.Linear, so that a checkpoint loads into PyTorch and back:
 *
 *     weight_ih_l{k}  (G H, in)   in = V for layer 0 (one-hot characters), H above
 *     weight_hh_l{k}  (G H, H)
 *     bias_ih_l{k}    (G H)
 *     bias_hh_l{k}    (G H)
 *     decoder.weight  (V, H)
 *     decoder.bias    (V)
 *
 * with G = 1 (tanh RNN), 4 (LSTM: gates i, f, g, o) or 3 (GRU: gates r, z, n).
 *
 * A forward call runs a whole chunk of T time steps for B parallel streams; its activations
 * stay in a workspace (rnn_work) allocated once, so the time loop allocates nothing. Arrays
 * are time-major: row t*B + b of a (T B, n) array belongs to step t, stream b.
 *
 * `#pragma omp simd` (with -fopenmp-simd: no threads, no OpenMP runtime) marks the element-wise
 * loops of the cells, whose iterations are independent: GCC's -O2 does not vectorize them by
 * itself, because it cannot prove that the arrays behind the workspace's pointers do not
 * overlap. RNN_CLONES compiles a function twice more, for AVX2 and for AVX-512, and the program
 * picks the copy its CPU can run when it starts (GCC on x86-64; elsewhere one plain copy): the
 * element-wise loops then take 4 or 8 numbers at a time instead of 2. Same results: each element
 * is computed by the same operations in the same order (no fused multiply-add in ISO C mode). */
#ifndef RNN_RNN_H
#define RNN_RNN_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "params.h"

#define RNN_MAX_LAYERS 8

/* On the definitions only (a declaration with it makes GCC 12 call the other file's copies by
 * names that file does not export). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define RNN_CLONES __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#else
#define RNN_CLONES
#endif

typedef enum { RNN_CELL_TANH, RNN_CELL_LSTM, RNN_CELL_GRU } rnn_cell;

const char *rnn_cell_name(rnn_cell cell); /* "rnn", "lstm", "gru" */
int rnn_cell_parse(const char *s, rnn_cell *out);
size_t rnn_cell_gates(rnn_cell cell); /* G: 1, 4, 3 */

typedef struct {
    rnn_cell cell;
    size_t V, H, L, G; /* vocabulary, hidden units, layers, gates per unit */
    params *p;
    int w_ih[RNN_MAX_LAYERS], w_hh[RNN_MAX_LAYERS]; /* tensor indices in p */
    int b_ih[RNN_MAX_LAYERS], b_hh[RNN_MAX_LAYERS];
    int dec_w, dec_b;
} rnn_model;

/* Declares and allocates the tensors (zeroed). NULL on failure (message set). */
rnn_model *rnn_model_alloc(rnn_cell cell, size_t V, size_t H, size_t L);
void rnn_model_free(rnn_model *m);
/* torch's default initialization, U(-1/sqrt(H), 1/sqrt(H)) for every recurrent tensor and
 * U(-1/sqrt(H), 1/sqrt(H)) for the decoder (nn.Linear with fan_in H); for an LSTM the forget
 * gate's bias_ih slice is then set to forget_bias and its bias_hh slice to 0 (so that the gate
 * starts at sigmoid(forget_bias)), unless forget_bias is NaN (torch's plain default). */
void rnn_model_init(rnn_model *m, gsl_rng *r, double forget_bias);
/* The number of doubles a hidden state of B streams holds: L B H (an LSTM has as many again in
 * its cell state). */
size_t rnn_state_size(const rnn_model *m, size_t B);

/* The activations of one layer over a chunk. */
typedef struct {
    double *h;     /* ((T+1) B, H): h[0] is the state carried in, h[t+1] the output of step t */
    double *c;     /* LSTM: ((T+1) B, H) cell states, c[0] carried in */
    double *tc;    /* LSTM: (T B, H) tanh(c[t+1]) */
    double *gates; /* (T B, G H): LSTM i,f,g,o and GRU r,z,n after their nonlinearity (an
                      LSTM builds them in place in xp: gates == xp) */
    double *xp;    /* (T B, G H): x W_ih^T + b_ih (the input's share of the pre-activations;
                      an LSTM's has + b_hh too) */
    double *hp;    /* GRU: (T B, 3H) h W_hh^T + b_hh, kept because r multiplies its n part */
    double *dx;    /* (T B, G H): d loss / d pre-activations, the input's share (for W_ih) */
    double *dhh;   /* GRU: (T B, 3H): the same for the recurrent share (for W_hh); others: dx */
    double *dh;    /* (T B, H): d loss / d h[t+1] arriving from above (decoder or next layer) */
    double *dh_next, *dc_next; /* (B, H): the gradient carried back from step t+1 to step t */
    double *dh_norm;           /* the top layer's copy of rnn_work.dh_norm, others NULL */
    double norm_scale;         /* n_targets: the norms are of the summed, not the mean, loss */
} rnn_layer_work;

typedef struct {
    size_t T, B; /* capacity: chunks of up to T steps and exactly B streams */
    size_t t_used;
    rnn_layer_work layer[RNN_MAX_LAYERS];
    double *logits; /* (T B, V); after the loss: softmax probabilities, then d loss / d logits */
    double *dtop;   /* (T B, H) d loss / d h of the top layer from the decoder */
    double *wT;     /* (V, G H) layer 0's W_ih transposed in the forward pass, so that a
                       character's column is one contiguous row; its gradient in the backward */
    const int *x, *y;
    size_t n_targets; /* targets counted in the loss (y >= 0) */
    double *dh_norm;  /* optional (T): rnn_backward stores at [t] the mean over the streams of
                         |d L / d h_t| for the top layer's full (recurrent) gradient, L the sum
                         (not the mean) of the losses: the vanishing-gradient measurement */
} rnn_work;

rnn_work *rnn_work_alloc(const rnn_model *m, size_t T, size_t B); /* NULL: message set */
void rnn_work_free(rnn_work *w);

/* Runs T (<= w->T) steps over the character ids x (T B, time-major; every id in [0, V): the
 * caller checks, as cmd_grad.c does for files) from the states h0 (L, B, H) and, for an LSTM,
 * c0 (L, B, H). With targets y (T B; -1 means no target at that position, as torch's
 * ignore_index) returns the mean cross-entropy in nats over the targets, as
 * torch.nn.CrossEntropyLoss (w->n_targets says how many; with none at all it returns 0 where
 * torch gives NaN); with y == NULL returns 0 and leaves the logits in w->logits. */
double rnn_forward(const rnn_model *m, rnn_work *w, size_t T, const int *x, const int *y,
                   const double *h0, const double *c0);
/* Back-propagation through time over the chunk of the last rnn_forward (which had targets):
 * adds d loss / d parameters to m->p->grad; if dh0 / dc0 are not NULL, stores (sets) the
 * gradients with respect to the initial states there. */
void rnn_backward(rnn_model *m, rnn_work *w, double *dh0, double *dc0);
/* Copies the final states of the last forward (h[T], c[T] of every layer) to h, c (L, B, H):
 * the states carried into the next chunk (truncated BPTT: no gradient flows back across). */
void rnn_final_state(const rnn_model *m, const rnn_work *w, double *h, double *c);

/* ---- the cells: one layer over a chunk, forward and backward side by side (cell_*.c) ---- */

/* Forward: given lw->xp (the input projections, bias_ih included) and lw->h[0] (and c[0]),
 * fills h[1..T] and the cell's saved activations. Backward: given lw->dh (from above) and
 * dh_next / dc_next (zeroed by the caller: no gradient from beyond the chunk), fills lw->dx
 * (and dhh), adds d loss / d W_hh, d bias_hh to the gradient block and leaves the gradient
 * with respect to h[0] (and c[0]) in dh_next (dc_next). */
void rnn_tanh_forward(const rnn_model *m, int l, rnn_layer_work *lw, size_t T, size_t B);
void rnn_tanh_backward(rnn_model *m, int l, rnn_layer_work *lw, size_t T, size_t B);
void rnn_lstm_forward(const rnn_model *m, int l, rnn_layer_work *lw, size_t T, size_t B);
void rnn_lstm_backward(rnn_model *m, int l, rnn_layer_work *lw, size_t T, size_t B);
void rnn_gru_forward(const rnn_model *m, int l, rnn_layer_work *lw, size_t T, size_t B);
void rnn_gru_backward(rnn_model *m, int l, rnn_layer_work *lw, size_t T, size_t B);

/* Helpers the cells share (rnn.c). */
/* C (M, N) = beta C + alpha A B^T-style products on plain row-major arrays (cblas). */
void rnn_gemm(int transA, int transB, size_t M, size_t N, size_t K, double alpha, const double *A,
              const double *B, double beta, double *C);
/* g (n) += column sums of the (rows, n) array a: a bias gradient. */
void rnn_colsum_add(const double *a, size_t rows, size_t n, double *g);
/* Called by each cell's backward at step t, before the step: records the norm of
 * dh[t] + dh_next (the whole gradient reaching h[t+1]) when lw->dh_norm is set. */
void rnn_note_grad(const rnn_layer_work *lw, size_t t, size_t B, size_t H);

#endif
