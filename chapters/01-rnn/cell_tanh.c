/* cell_tanh.c: the plain (Elman) recurrent layer of the RNN article, as torch.nn.RNN with
 * nonlinearity 'tanh':
 *     h(t) = tanh(W_ih x(t) + b_ih + W_hh h(t-1) + b_hh)
 * and its back-propagation through time. */
#include <math.h>
#include <string.h>

#include "rnn.h"
#include "vecmath.h"

RNN_CLONES void rnn_tanh_forward(const rnn_model *m, int l, rnn_layer_work *lw, size_t T, size_t B)
{
    size_t H = m->H;
    const double *Whh = params_ptr(m->p, m->w_hh[l]), *bhh = params_ptr(m->p, m->b_hh[l]);
    for (size_t t = 0; t < T; t++) {
        const double *h_prev = lw->h + t * B * H;
        double *h = lw->h + (t + 1) * B * H; /* the pre-activation is built in place */
        for (size_t b = 0; b < B; b++)
#pragma omp simd
            for (size_t j = 0; j < H; j++) h[b * H + j] = lw->xp[(t * B + b) * H + j] + bhh[j];
        rnn_gemm(0, 1, B, H, H, 1.0, h_prev, Whh, 1.0, h); /* + W_hh h(t-1) */
        vm_tanh(h, h, B * H);
    }
}

/* BPTT (the RNN article's recurrence for the deltas): the gradient reaching h(t) is what the
 * output at t sends down plus what step t+1 sends back,
 *     dh(t) = dh_out(t) + W_hh^T delta(t+1),    delta(t) = dh(t) * (1 - h(t)^2),
 * and the weights' gradients sum delta(t) over the steps: dW_hh = sum_t delta(t) h(t-1)^T. */
RNN_CLONES void rnn_tanh_backward(rnn_model *m, int l, rnn_layer_work *lw, size_t T, size_t B)
{
    size_t H = m->H;
    const double *Whh = params_ptr(m->p, m->w_hh[l]);
    /* BEGIN EXERCISE rnn-1: the BPTT loop of the tanh RNN */
    for (size_t t = T; t-- > 0;) {
        rnn_note_grad(lw, t, B, H);
        const double *h = lw->h + (t + 1) * B * H;
        double *delta = lw->dx + t * B * H;
#pragma omp simd
        for (size_t i = 0; i < B * H; i++) {
            double dh = lw->dh[t * B * H + i] + lw->dh_next[i];
            delta[i] = dh * (1.0 - h[i] * h[i]); /* tanh' = 1 - tanh^2 */
        }
        rnn_gemm(0, 0, B, H, H, 1.0, delta, Whh, 0.0, lw->dh_next); /* W_hh^T delta(t) */
    }
    /* dW_hh = sum_t delta(t) h(t-1)^T, one product over the whole chunk; db_hh = sum_t delta(t) */
    rnn_gemm(1, 0, H, H, T * B, 1.0, lw->dx, lw->h, 1.0, params_grad_ptr(m->p, m->w_hh[l]));
    rnn_colsum_add(lw->dx, T * B, H, params_grad_ptr(m->p, m->b_hh[l]));
    /* END EXERCISE */
}
