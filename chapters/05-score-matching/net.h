/* net.h: the noise-conditional score model s_theta(x, sigma) of chapter 05, an MLP
 *
 *     u  = (x1, x2, log sigma)                      (B, 3)   the input, noise level included
 *     a1 = u W1^T + b1,   h1 = silu(a1)              (B, H)   fc1: torch.nn.Linear(3, H)
 *     a2 = h1 W2^T + b2,  h2 = silu(a2)              (B, H)   fc2: torch.nn.Linear(H, H)
 *     o  = h2 W3^T + b3                              (B, 2)   fc3: torch.nn.Linear(H, 2)
 *     s_theta(x, sigma) = o / sigma                  (B, 2)
 *
 * Dividing by sigma is NCSN's "technique 3" (Song and Ermon 2020): the true score of the noised
 * data is about -(x - x0) / sigma^2, of size 1 / sigma, so the network only has to output
 * something of size one at every level. silu(a) = a sigmoid(a) (torch.nn.SiLU, the activation of
 * most diffusion networks), not ReLU, because the exact and the sliced objectives differentiate
 * the Jacobian of s again: they need a smooth f with f'' != 0. (Softplus would do as well, but
 * costs a log besides the exp: a third of a training step.)
 *
 * Besides the forward and backward pass, the model computes Jacobian-vector products
 * J(x) v = d s / d x · v by forward-mode differentiation (the tangents ride along the layers),
 * and the backward pass of sum_i c_i v_i^T (d o_i / d x_i) v_i with respect to every weight:
 * the derivatives of derivatives that exact and sliced score matching need. */
#ifndef SCORE_NET_H
#define SCORE_NET_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "params.h"

/* The element-wise loops of the model run over whole (B, H) arrays (the workspace's matrices
 * are contiguous: cap rows of exactly H numbers) under `#pragma omp simd` (-fopenmp-simd: no
 * threads; GCC's -O2 will not vectorize them by itself, unable to prove the arrays do not
 * overlap). SCORE_CLONES, on function definitions only (on a declaration GCC 12 links to clone
 * names the other file does not export), compiles a function twice more for AVX2 and AVX-512,
 * the copy picked when the program starts, as chapter 01's RNN_CLONES. Same numbers: every
 * element gets the same operations in the same order (ISO C mode contracts nothing to FMA). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define SCORE_CLONES __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#else
#define SCORE_CLONES
#endif

/* The passes run over the batch in slabs of this many rows (why: net.c). */
#define SCORE_SLAB 32

typedef struct {
    size_t hidden, cap; /* H, the largest batch the workspace holds */
    int second_order;   /* 1 (default): the forward pass also keeps silu'' (Q1, Q2), which the
                           Jacobian's backward pass needs; DSM sets 0 and skips it */
    params *p;          /* fc1.weight (H,3) fc1.bias (H) fc2.weight (H,H) fc2.bias (H)
                           fc3.weight (2,H) fc3.bias (2) */
    int W1, b1, W2, b2, W3, b3;
    /* forward cache (cap rows used up to the batch) */
    gsl_matrix *U;       /* (B, 3) input */
    gsl_matrix *H1;      /* (B, H) h1 = silu(a1) */
    gsl_matrix *F1, *Q1; /* (B, H) silu'(a1), silu''(a1) */
    gsl_matrix *H2;      /* (B, H) */
    gsl_matrix *F2, *Q2; /* (B, H) silu'(a2), silu''(a2) */
    gsl_matrix *O;       /* (B, 2) network output, s = O / sigma */
    gsl_matrix *A1, *A2; /* (SCORE_SLAB, H) pre-activations a1, a2 of the current slab only */
    /* backward */
    gsl_matrix *dO;          /* (B, 2) dL/dO, set by the objective */
    gsl_matrix *dA2, *dH;    /* (SCORE_SLAB, H) da2 and dh1 of the current slab */
    gsl_matrix *dA2x, *dA1x; /* (B,H) what the Jacobian terms add to dA2, dA1 */
    /* Jacobian-vector product: tangents of a1, h1, a2, h2 and o along a direction */
    gsl_matrix *V3;      /* (B, 3) the direction in input space, (v1, v2, 0) */
    gsl_matrix *D1, *G1; /* (B, H) tangent of a1 = V3 W1^T; of h1 = F1 * D1 */
    gsl_matrix *T2, *G2; /* (B, H) tangent of a2 = G1 W2^T; of h2 = F2 * T2 */
    gsl_matrix *Do;      /* (B, 2) tangent of o = G2 W3^T = (d o / d x) v */
    gsl_matrix *dG, *dT; /* (B, H) scratch of the Jacobian backward */
    /* the slab loop's workspace (net.c) */
    double *W1t, *W2t; /* (3, H), (H, H): fc1.weight and fc2.weight transposed, each forward */
    double *gW1t;      /* (3, H): dW1 transposed, summed over the rows of the backward pass */
    double *dA1;       /* (H): da1 of one row */
} score_net;

/* A model of hidden width H for batches of at most cap rows, weights zero. NULL on failure. */
score_net *score_net_alloc(size_t hidden, size_t cap);
void score_net_free(score_net *m);
/* torch.nn.Linear's default initialization, U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
void score_net_init(score_net *m, gsl_rng *r);

/* Forward pass on X (B, 2) at per-row noise levels sigma (B): fills the cache. S (B, 2), if
 * not NULL, receives s_theta = O / sigma. B <= cap. */
void score_net_forward(score_net *m, const gsl_matrix *X, const double *sigma, gsl_matrix *S);

/* Backward pass of the network output: given dO = dL/dO (m->dO, B rows), accumulates every
 * parameter's gradient. Adds m->dA2x, m->dA1x (when add_jac is 1: the Jacobian terms, which
 * score_net_jvp_backward accumulated) to dA2, dA1 on the way. */
void score_net_backward(score_net *m, size_t B, int add_jac);

/* The tangent Do = (d o / d x) v of every row along the directions V (B, 2) (forward-mode;
 * after score_net_forward on the same batch). Returns nothing; Do is in m->Do. */
void score_net_jvp(score_net *m, const gsl_matrix *V);

/* The backward pass of  J = sum_i c[i] v_i . Do_i  (the Jacobian term along V, after
 * score_net_jvp with the same V): accumulates dW1, dW2, dW3 (the tangent path) and adds to
 * m->dA1x, m->dA2x (through silu''), which the caller zeroes
 * before the first of several directions and hands to score_net_backward(add_jac = 1). */
void score_net_jvp_backward(score_net *m, const gsl_matrix *V, const double *c);

/* Zeroes m->dA1x and m->dA2x for B rows. */
void score_net_zero_jac(score_net *m, size_t B);

#endif
