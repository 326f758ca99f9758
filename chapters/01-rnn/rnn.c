/* rnn.c: the language model around the cells: its parameters, the input projections, the
 * decoder and the loss, and the order in which back-propagation visits the layers.
 * The cells themselves (one layer over a chunk, forward and backward) are in cell_*.c. */
#include "rnn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>

#include "error.h"
#include "sizes.h"
#include "init.h"
#include "vecmath.h"

const char *rnn_cell_name(rnn_cell cell)
{
    return cell == RNN_CELL_LSTM ? "lstm" : cell == RNN_CELL_GRU ? "gru" : "rnn";
}

int rnn_cell_parse(const char *s, rnn_cell *out)
{
    static const char *const names[] = {"rnn", "lstm", "gru"};
    for (int i = 0; i < 3; i++)
        if (!strcmp(s, names[i])) {
            *out = (rnn_cell)i;
            return CM_OK;
        }
    return cm_error(CM_EINVAL, "unknown cell '%s' (rnn, lstm or gru)", s);
}

size_t rnn_cell_gates(rnn_cell cell)
{
    return cell == RNN_CELL_LSTM ? 4 : cell == RNN_CELL_GRU ? 3 : 1;
}

/* The hot products run on plain row-major arrays through cblas, which is OpenBLAS where it is
 * installed: a gsl_matrix_view per call costs nothing in FLOPs but clutters every line of the
 * time loop, and the benchmark (tools/bench/rnn) is what this chapter is judged on. */
void rnn_gemm(int transA, int transB, size_t M, size_t N, size_t K, double alpha, const double *A,
              const double *B, double beta, double *C)
{
    cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
                transB ? CblasTrans : CblasNoTrans, (int)M, (int)N, (int)K, alpha, A,
                transA ? (int)M : (int)K, B, transB ? (int)K : (int)N, beta, C, (int)N);
}

RNN_CLONES void rnn_colsum_add(const double *a, size_t rows, size_t n, double *g)
{
    for (size_t r = 0; r < rows; r++)
#pragma omp simd
        for (size_t j = 0; j < n; j++) g[j] += a[r * n + j];
}

void rnn_note_grad(const rnn_layer_work *lw, size_t t, size_t B, size_t H)
{
    if (!lw->dh_norm) return;
    double sum = 0.0;
    for (size_t b = 0; b < B; b++) {
        const double *up = lw->dh + (t * B + b) * H, *next = lw->dh_next + b * H;
        double s = 0.0;
        for (size_t j = 0; j < H; j++) s += (up[j] + next[j]) * (up[j] + next[j]);
        sum += sqrt(s);
    }
    lw->dh_norm[t] = lw->norm_scale * sum / (double)B;
}

rnn_model *rnn_model_alloc(rnn_cell cell, size_t V, size_t H, size_t L)
{
    if (V == 0 || H == 0 || L == 0 || L > RNN_MAX_LAYERS) {
        cm_error(CM_EINVAL, "a model needs V, H >= 1 and 1 to %d layers (got V %zu, H %zu, L %zu)",
                 RNN_MAX_LAYERS, V, H, L);
        return NULL;
    }
    rnn_model *m = cm_calloc(1, sizeof *m);
    if (!m) return NULL;
    m->cell = cell;
    m->V = V, m->H = H, m->L = L, m->G = rnn_cell_gates(cell);
    m->p = params_alloc();
    if (!m->p) goto fail;
    char name[PARAMS_NAME_LEN];
    for (size_t l = 0; l < L; l++) {
        size_t in = l == 0 ? V : H;
        snprintf(name, sizeof name, "weight_ih_l%zu", l);
        m->w_ih[l] = params_declare2(m->p, name, m->G * H, in);
        snprintf(name, sizeof name, "weight_hh_l%zu", l);
        m->w_hh[l] = params_declare2(m->p, name, m->G * H, H);
        snprintf(name, sizeof name, "bias_ih_l%zu", l);
        m->b_ih[l] = params_declare1(m->p, name, m->G * H);
        snprintf(name, sizeof name, "bias_hh_l%zu", l);
        m->b_hh[l] = params_declare1(m->p, name, m->G * H);
        if (m->w_ih[l] < 0 || m->w_hh[l] < 0 || m->b_ih[l] < 0 || m->b_hh[l] < 0) goto fail;
    }
    m->dec_w = params_declare2(m->p, "decoder.weight", V, H);
    m->dec_b = params_declare1(m->p, "decoder.bias", V);
    if (m->dec_w < 0 || m->dec_b < 0) goto fail;
    /* training holds four copies of the parameters (values, gradients, Adam's two moments):
     * a model whose four copies exceed the machine's memory stops here with a message, not
     * later when the operating system kills the process (--hidden 4096 --layers 8, say) */
    if (cm_size_bytes("the parameters, their gradients and Adam's moments", m->p->size, 4,
                      sizeof(double), NULL) != CM_OK ||
        params_commit(m->p) != CM_OK)
        goto fail;
    return m;
fail:
    rnn_model_free(m);
    return NULL;
}

void rnn_model_free(rnn_model *m)
{
    if (!m) return;
    params_free(m->p);
    free(m);
}

void rnn_model_init(rnn_model *m, gsl_rng *r, double forget_bias)
{
    /* torch.nn.RNN/LSTM/GRU.reset_parameters: every tensor U(-1/sqrt(H), 1/sqrt(H));
     * torch.nn.Linear(H, V): weight and bias U(-1/sqrt(H), 1/sqrt(H)) too. */
    for (size_t t = 0; t < m->p->n_tensors; t++)
        init_torch_default(r, params_ptr(m->p, (int)t), m->p->tensors[t].size, m->H);
    if (m->cell == RNN_CELL_LSTM && !isnan(forget_bias))
        for (size_t l = 0; l < m->L; l++)
            for (size_t j = m->H; j < 2 * m->H; j++) { /* rows H..2H-1: the forget gate */
                params_ptr(m->p, m->b_ih[l])[j] = forget_bias;
                params_ptr(m->p, m->b_hh[l])[j] = 0.0;
            }
}

size_t rnn_state_size(const rnn_model *m, size_t B)
{
    return m->L * B * m->H;
}

rnn_work *rnn_work_alloc(const rnn_model *m, size_t T, size_t B)
{
    if (T == 0 || B == 0) {
        cm_error(CM_EINVAL, "a chunk needs T >= 1 steps and B >= 1 streams");
        return NULL;
    }
    rnn_work *w = cm_calloc(1, sizeof *w);
    if (!w) return NULL;
    w->T = T, w->B = B;
    size_t H = m->H, GH = m->G * m->H, TB = T * B;
    int ok = 1;
#define RNN_ALLOC(ptr, n) ok = ok && ((ptr) = cm_calloc((n), sizeof(double))) != NULL
    for (size_t l = 0; l < m->L; l++) {
        rnn_layer_work *lw = &w->layer[l];
        RNN_ALLOC(lw->h, (T + 1) * B * H);
        RNN_ALLOC(lw->xp, TB * GH);
        RNN_ALLOC(lw->dx, TB * GH);
        RNN_ALLOC(lw->dh, TB * H);
        RNN_ALLOC(lw->dh_next, B * H);
        RNN_ALLOC(lw->dc_next, B * H);
        if (m->cell == RNN_CELL_GRU) RNN_ALLOC(lw->gates, TB * GH);
        if (m->cell == RNN_CELL_LSTM) lw->gates = lw->xp; /* built in place: see cell_lstm.c */
        if (m->cell == RNN_CELL_LSTM) {
            RNN_ALLOC(lw->c, (T + 1) * B * H);
            RNN_ALLOC(lw->tc, TB * H);
        }
        if (m->cell == RNN_CELL_GRU) {
            RNN_ALLOC(lw->hp, TB * GH);
            RNN_ALLOC(lw->dhh, TB * GH);
        } else {
            lw->dhh = lw->dx; /* one share: the pre-activation gradient serves W_ih and W_hh */
        }
    }
    RNN_ALLOC(w->logits, TB * m->V);
    RNN_ALLOC(w->dtop, TB * H);
    RNN_ALLOC(w->wT, m->V * GH);
#undef RNN_ALLOC
    if (!ok) {
        rnn_work_free(w);
        return NULL;
    }
    return w;
}

void rnn_work_free(rnn_work *w)
{
    if (!w) return;
    for (int l = 0; l < RNN_MAX_LAYERS; l++) {
        rnn_layer_work *lw = &w->layer[l];
        if (lw->dhh != lw->dx) free(lw->dhh);
        if (lw->gates != lw->xp) free(lw->gates);
        free(lw->h), free(lw->c), free(lw->tc), free(lw->xp), free(lw->hp);
        free(lw->dx), free(lw->dh), free(lw->dh_next), free(lw->dc_next);
    }
    free(w->logits);
    free(w->dtop);
    free(w->wT);
    free(w);
}

/* The input's share of the pre-activations, x W_ih^T + b_ih (torch.nn.RNN/LSTM/GRU).
 * Layer 0 reads one-hot characters, so its product is a column gather: row (t, b) of xp is
 * column x[t, b] of W_ih, read from a transposed copy where that column is contiguous (the
 * copy costs V G H moves per chunk, the strided reads it saves T B G H). Higher layers read the
 * layer below's h[1..T] in one product over the whole chunk, which BLAS runs far faster than T
 * products of B rows. */
RNN_CLONES static void input_projection(const rnn_model *m, rnn_work *w, size_t l, size_t T)
{
    size_t B = w->B, GH = m->G * m->H, TB = T * B;
    const double *W = params_ptr(m->p, m->w_ih[l]), *b = params_ptr(m->p, m->b_ih[l]);
    double *xp = w->layer[l].xp;
    if (l == 0) {
        size_t V = m->V;
        for (size_t j = 0; j < GH; j++)
            for (size_t v = 0; v < V; v++) w->wT[v * GH + j] = W[j * V + v];
        for (size_t r = 0; r < TB; r++) {
            const double *col = w->wT + (size_t)w->x[r] * GH;
            double *row = xp + r * GH;
#pragma omp simd
            for (size_t j = 0; j < GH; j++) row[j] = b[j] + col[j];
        }
    } else {
        for (size_t r = 0; r < TB; r++) memcpy(xp + r * GH, b, GH * sizeof(double));
        rnn_gemm(0, 1, TB, GH, m->H, 1.0, w->layer[l - 1].h + B * m->H, W, 1.0, xp);
    }
    if (m->cell == RNN_CELL_LSTM) { /* + b_hh here, once, rather than in every step */
        const double *bhh = params_ptr(m->p, m->b_hh[l]);
        for (size_t r = 0; r < TB; r++)
#pragma omp simd
            for (size_t j = 0; j < GH; j++) xp[r * GH + j] += bhh[j];
    }
}

RNN_CLONES double rnn_forward(const rnn_model *m, rnn_work *w, size_t T, const int *x, const int *y,
                              const double *h0, const double *c0)
{
    size_t B = w->B, H = m->H, V = m->V, TB = T * B;
    w->t_used = T, w->x = x, w->y = y;
    for (size_t l = 0; l < m->L; l++) {
        rnn_layer_work *lw = &w->layer[l];
        memcpy(lw->h, h0 + l * B * H, B * H * sizeof(double));
        if (m->cell == RNN_CELL_LSTM) memcpy(lw->c, c0 + l * B * H, B * H * sizeof(double));
        input_projection(m, w, l, T);
        if (m->cell == RNN_CELL_TANH) rnn_tanh_forward(m, (int)l, lw, T, B);
        if (m->cell == RNN_CELL_LSTM) rnn_lstm_forward(m, (int)l, lw, T, B);
        if (m->cell == RNN_CELL_GRU) rnn_gru_forward(m, (int)l, lw, T, B);
    }
    /* decoder (torch.nn.Linear(H, V)): o(t) = W_dec h(t) + b_dec, the RNN article's output */
    const double *Wd = params_ptr(m->p, m->dec_w), *bd = params_ptr(m->p, m->dec_b);
    for (size_t r = 0; r < TB; r++) memcpy(w->logits + r * V, bd, V * sizeof(double));
    rnn_gemm(0, 1, TB, V, H, 1.0, w->layer[m->L - 1].h + B * H, Wd, 1.0, w->logits);
    if (!y) return 0.0;
    /* loss: mean over the targets of -log softmax(o(t))[y(t)] (torch.nn.CrossEntropyLoss);
     * the logits are replaced by the softmax probabilities, which the backward pass needs */
    double loss = 0.0;
    size_t n = 0;
    for (size_t r = 0; r < TB; r++) {
        if (y[r] < 0) continue;
        double *o = w->logits + r * V, mx = o[0], s = 0.0;
        for (size_t v = 1; v < V; v++) mx = o[v] > mx ? o[v] : mx;
        for (size_t v = 0; v < V; v++) o[v] -= mx;
        vm_exp(o, o, V);
        for (size_t v = 0; v < V; v++) s += o[v];
        loss += log(s) - log(o[y[r]]);
        for (size_t v = 0; v < V; v++) o[v] /= s;
        n++;
    }
    w->n_targets = n;
    return n ? loss / (double)n : 0.0;
}

RNN_CLONES void rnn_backward(rnn_model *m, rnn_work *w, double *dh0, double *dc0)
{
    size_t T = w->t_used, B = w->B, H = m->H, V = m->V, GH = m->G * m->H, TB = T * B;
    const int *y = w->y;
    /* d loss / d o(t) = (softmax(o(t)) - onehot(y(t))) / n, zero where there is no target */
    double inv_n = w->n_targets ? 1.0 / (double)w->n_targets : 0.0;
    for (size_t r = 0; r < TB; r++) {
        double *d = w->logits + r * V;
        if (y[r] < 0) {
            memset(d, 0, V * sizeof(double));
            continue;
        }
        d[y[r]] -= 1.0;
        for (size_t v = 0; v < V; v++) d[v] *= inv_n;
    }
    /* decoder backward: dW_dec += dO^T H, db_dec += sum dO, dH_top = dO W_dec */
    rnn_layer_work *top = &w->layer[m->L - 1];
    rnn_gemm(1, 0, V, H, TB, 1.0, w->logits, top->h + B * H, 1.0, params_grad_ptr(m->p, m->dec_w));
    rnn_colsum_add(w->logits, TB, V, params_grad_ptr(m->p, m->dec_b));
    rnn_gemm(0, 0, TB, H, V, 1.0, w->logits, params_ptr(m->p, m->dec_w), 0.0, top->dh);

    for (size_t k = m->L; k-- > 0;) {
        rnn_layer_work *lw = &w->layer[k];
        lw->dh_norm = k == m->L - 1 ? w->dh_norm : NULL;
        lw->norm_scale = (double)w->n_targets;
        memset(lw->dh_next, 0, B * H * sizeof(double)); /* nothing flows back from beyond T */
        memset(lw->dc_next, 0, B * H * sizeof(double));
        if (m->cell == RNN_CELL_TANH) rnn_tanh_backward(m, (int)k, lw, T, B);
        if (m->cell == RNN_CELL_LSTM) rnn_lstm_backward(m, (int)k, lw, T, B);
        if (m->cell == RNN_CELL_GRU) rnn_gru_backward(m, (int)k, lw, T, B);
        /* the input projection's backward: d bias_ih, d W_ih, and d h of the layer below */
        rnn_colsum_add(lw->dx, TB, GH, params_grad_ptr(m->p, m->b_ih[k]));
        double *dW = params_grad_ptr(m->p, m->w_ih[k]);
        if (k == 0) { /* one-hot input: each row adds into the column of its character */
            memset(w->wT, 0, V * GH * sizeof(double));
            for (size_t r = 0; r < TB; r++) {
                const double *d = lw->dx + r * GH;
                double *col = w->wT + (size_t)w->x[r] * GH; /* contiguous, as in the forward */
#pragma omp simd
                for (size_t j = 0; j < GH; j++) col[j] += d[j];
            }
            for (size_t j = 0; j < GH; j++)
                for (size_t v = 0; v < V; v++) dW[j * V + v] += w->wT[v * GH + j];
        } else {
            const double *below = w->layer[k - 1].h + B * H;
            rnn_gemm(1, 0, GH, H, TB, 1.0, lw->dx, below, 1.0, dW);
            rnn_gemm(0, 0, TB, H, GH, 1.0, lw->dx, params_ptr(m->p, m->w_ih[k]), 0.0,
                     w->layer[k - 1].dh);
        }
        if (dh0) memcpy(dh0 + k * B * H, lw->dh_next, B * H * sizeof(double));
        if (dc0 && m->cell == RNN_CELL_LSTM)
            memcpy(dc0 + k * B * H, lw->dc_next, B * H * sizeof(double));
    }
}

void rnn_final_state(const rnn_model *m, const rnn_work *w, double *h, double *c)
{
    size_t T = w->t_used, B = w->B, H = m->H;
    for (size_t l = 0; l < m->L; l++) {
        memcpy(h + l * B * H, w->layer[l].h + T * B * H, B * H * sizeof(double));
        if (m->cell == RNN_CELL_LSTM && c)
            memcpy(c + l * B * H, w->layer[l].c + T * B * H, B * H * sizeof(double));
    }
}
