/* cell_lstm.c: the LSTM layer, as torch.nn.LSTM (gates in the order i, f, g, o):
 *     i = sigmoid(W_ii x + b_ii + W_hi h(t-1) + b_hi)      input gate
 *     f = sigmoid(W_if x + b_if + W_hf h(t-1) + b_hf)      forget gate
 *     g = tanh   (W_ig x + b_ig + W_hg h(t-1) + b_hg)      candidate
 *     o = sigmoid(W_io x + b_io + W_ho h(t-1) + b_ho)      output gate
 *     c(t) = f * c(t-1) + i * g,     h(t) = o * tanh(c(t))
 * The cell state's update is a sum, not a squashed product: d c(t) / d c(t-1) = f, so the
 * gradient along the cells is scaled by the forget gates only, which the network can hold
 * near 1 (the Transformer article's account of how the LSTM remembers). */
#include <math.h>
#include <string.h>

#include "rnn.h"
#include "vecmath.h"

RNN_CLONES void rnn_lstm_forward(const rnn_model *m, int l, rnn_layer_work *lw, size_t T, size_t B)
{
    size_t H = m->H, GH = 4 * H;
    const double *Whh = params_ptr(m->p, m->w_hh[l]);
    for (size_t t = 0; t < T; t++) {
        const double *h_prev = lw->h + t * B * H, *c_prev = lw->c + t * B * H;
        /* lw->gates is lw->xp for an LSTM: it holds W_ih x + b_ih + b_hh (rnn.c adds both
         * biases), the step adds W_hh h(t-1) in place and applies the nonlinearities there */
        double *a = lw->gates + t * B * GH;
        double *c = lw->c + (t + 1) * B * H, *h = lw->h + (t + 1) * B * H;
        double *tc = lw->tc + t * B * H;
        rnn_gemm(0, 1, B, GH, H, 1.0, h_prev, Whh, 1.0, a); /* + W_hh h(t-1) */
        for (size_t b = 0; b < B; b++) { /* the gates' nonlinearities, in place */
            double *ab = a + b * GH;
            vm_sigmoid(ab, ab, 2 * H);             /* i, f */
            vm_tanh(ab + 2 * H, ab + 2 * H, H);    /* g */
            vm_sigmoid(ab + 3 * H, ab + 3 * H, H); /* o */
#pragma omp simd
            for (size_t j = 0; j < H; j++) /* c(t) = f * c(t-1) + i * g */
                c[b * H + j] = ab[H + j] * c_prev[b * H + j] + ab[j] * ab[2 * H + j];
        }
        vm_tanh(c, tc, B * H);
        for (size_t b = 0; b < B; b++) /* h(t) = o * tanh(c(t)) */
#pragma omp simd
            for (size_t j = 0; j < H; j++) h[b * H + j] = a[b * GH + 3 * H + j] * tc[b * H + j];
    }
}

/* Backward through one step, given dh (from above plus from step t+1) and dc (from t+1):
 *     do = dh * tanh(c)           dc += dh * o * (1 - tanh(c)^2)
 *     di = dc * g    dg = dc * i    df = dc * c(t-1)    dc(t-1) = dc * f
 * then through each gate's nonlinearity to its pre-activation, and dh(t-1) = W_hh^T d(pre). */
RNN_CLONES void rnn_lstm_backward(rnn_model *m, int l, rnn_layer_work *lw, size_t T, size_t B)
{
    size_t H = m->H, GH = 4 * H;
    const double *Whh = params_ptr(m->p, m->w_hh[l]);
    /* BEGIN EXERCISE rnn-2: the LSTM's backward step */
    for (size_t t = T; t-- > 0;) {
        rnn_note_grad(lw, t, B, H);
        const double *a = lw->gates + t * B * GH, *c_prev = lw->c + t * B * H;
        const double *tc = lw->tc + t * B * H;
        double *d = lw->dx + t * B * GH;
        for (size_t b = 0; b < B; b++) {
            const double *ab = a + b * GH;
            double *db = d + b * GH;
#pragma omp simd
            for (size_t j = 0; j < H; j++) {
                size_t k = b * H + j;
                double i = ab[j], f = ab[H + j], g = ab[2 * H + j], o = ab[3 * H + j];
                double dh = lw->dh[t * B * H + k] + lw->dh_next[k];
                double dc = lw->dc_next[k] + dh * o * (1.0 - tc[k] * tc[k]);
                db[j] = dc * g * i * (1.0 - i);             /* d pre_i, sigmoid' = s(1-s) */
                db[H + j] = dc * c_prev[k] * f * (1.0 - f); /* d pre_f */
                db[2 * H + j] = dc * i * (1.0 - g * g);     /* d pre_g, tanh' = 1 - tanh^2 */
                db[3 * H + j] = dh * tc[k] * o * (1.0 - o); /* d pre_o */
                lw->dc_next[k] = dc * f;                    /* dc(t-1) */
            }
        }
        rnn_gemm(0, 0, B, H, GH, 1.0, d, Whh, 0.0, lw->dh_next); /* dh(t-1) = W_hh^T d(pre) */
    }
    rnn_gemm(1, 0, GH, H, T * B, 1.0, lw->dx, lw->h, 1.0, params_grad_ptr(m->p, m->w_hh[l]));
    rnn_colsum_add(lw->dx, T * B, GH, params_grad_ptr(m->p, m->b_hh[l]));
    /* END EXERCISE */
}
