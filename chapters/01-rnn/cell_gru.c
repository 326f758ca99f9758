/* cell_gru.c: the GRU layer, as torch.nn.GRU (gates in the order r, z, n):
 *     r = sigmoid(W_ir x + b_ir + W_hr h(t-1) + b_hr)          reset gate
 *     z = sigmoid(W_iz x + b_iz + W_hz h(t-1) + b_hz)          update gate
 *     n = tanh(W_in x + b_in + r * (W_hn h(t-1) + b_hn))       candidate
 *     h(t) = (1 - z) * n + z * h(t-1)
 * r multiplies the recurrent part of n with its bias b_hn inside, so the recurrent
 * pre-activations hp = W_hh h(t-1) + b_hh are kept apart from the input's share xp. */
#include <math.h>
#include <string.h>

#include "rnn.h"
#include "vecmath.h"

RNN_CLONES void rnn_gru_forward(const rnn_model *m, int l, rnn_layer_work *lw, size_t T, size_t B)
{
    size_t H = m->H, GH = 3 * H;
    const double *Whh = params_ptr(m->p, m->w_hh[l]), *bhh = params_ptr(m->p, m->b_hh[l]);
    for (size_t t = 0; t < T; t++) {
        const double *h_prev = lw->h + t * B * H;
        double *hp = lw->hp + t * B * GH, *a = lw->gates + t * B * GH;
        double *h = lw->h + (t + 1) * B * H;
        const double *xp = lw->xp + t * B * GH;
        for (size_t b = 0; b < B; b++) memcpy(hp + b * GH, bhh, GH * sizeof(double));
        rnn_gemm(0, 1, B, GH, H, 1.0, h_prev, Whh, 1.0, hp); /* W_hh h(t-1) + b_hh */
        for (size_t b = 0; b < B; b++) {
            const double *xb = xp + b * GH, *hb = hp + b * GH;
            double *ab = a + b * GH;
#pragma omp simd
            for (size_t j = 0; j < 2 * H; j++) ab[j] = xb[j] + hb[j];
            vm_sigmoid(ab, ab, 2 * H); /* r, z */
#pragma omp simd
            for (size_t j = 0; j < H; j++) ab[2 * H + j] = xb[2 * H + j] + ab[j] * hb[2 * H + j];
            vm_tanh(ab + 2 * H, ab + 2 * H, H); /* n */
#pragma omp simd
            for (size_t j = 0; j < H; j++) { /* h(t) = (1 - z) n + z h(t-1) */
                double z = ab[H + j], n = ab[2 * H + j];
                h[b * H + j] = (1.0 - z) * n + z * h_prev[b * H + j];
            }
        }
    }
}

/* Backward through one step, given dh (from above plus from step t+1):
 *     dn = dh (1 - z)    dz = dh (h(t-1) - n)    dh(t-1) = dh z + W_hh^T d(hp)
 *     d(pre_n) = dn (1 - n^2): the input's share as is, the recurrent share times r,
 *     dr = d(pre_n) hp_n, then through the sigmoids to d(pre_r), d(pre_z). */
RNN_CLONES void rnn_gru_backward(rnn_model *m, int l, rnn_layer_work *lw, size_t T, size_t B)
{
    size_t H = m->H, GH = 3 * H;
    const double *Whh = params_ptr(m->p, m->w_hh[l]);
    /* BEGIN EXERCISE rnn-3: the GRU's backward step */
    for (size_t t = T; t-- > 0;) {
        rnn_note_grad(lw, t, B, H);
        const double *a = lw->gates + t * B * GH, *hp = lw->hp + t * B * GH;
        const double *h_prev = lw->h + t * B * H;
        double *dx = lw->dx + t * B * GH, *dhh = lw->dhh + t * B * GH;
        for (size_t b = 0; b < B; b++) {
            const double *ab = a + b * GH, *hb = hp + b * GH;
            double *dxb = dx + b * GH, *dhb = dhh + b * GH;
#pragma omp simd
            for (size_t j = 0; j < H; j++) {
                size_t k = b * H + j;
                double r = ab[j], z = ab[H + j], n = ab[2 * H + j];
                double dh = lw->dh[t * B * H + k] + lw->dh_next[k];
                double dpn = dh * (1.0 - z) * (1.0 - n * n);       /* d pre_n */
                double dpz = dh * (h_prev[k] - n) * z * (1.0 - z); /* d pre_z */
                double dpr = dpn * hb[2 * H + j] * r * (1.0 - r);  /* d pre_r */
                dxb[j] = dhb[j] = dpr;
                dxb[H + j] = dhb[H + j] = dpz;
                dxb[2 * H + j] = dpn;
                dhb[2 * H + j] = dpn * r; /* r gates the recurrent share of n */
                lw->dh_next[k] = dh * z;  /* the direct path h(t-1) -> h(t) */
            }
        }
        rnn_gemm(0, 0, B, H, GH, 1.0, dhh, Whh, 1.0, lw->dh_next); /* + W_hh^T d(hp) */
    }
    rnn_gemm(1, 0, GH, H, T * B, 1.0, lw->dhh, lw->h, 1.0, params_grad_ptr(m->p, m->w_hh[l]));
    rnn_colsum_add(lw->dhh, T * B, GH, params_grad_ptr(m->p, m->b_hh[l]));
    /* END EXERCISE */
}
