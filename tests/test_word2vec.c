/* Tests of chapter 02 (word2vec), the parts: the gradient checks of both objectives; the
 * training steps against the exact gradient (exercises word2vec-1 and -2); the fast paths
 * (the σ table, the alias table of negative samples) against the exact computation; the
 * Huffman code (word2vec-3); the subsampling probability (word2vec-4); the corpus; the vector
 * files; the queries; the PCA map; the threads' own rows of the frequent words (hotrows.c). The program itself: tests/test_word2vec_program.c. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>

#include "corpus.h"
#include "error.h"
#include "gradcases.h"
#include "hotrows.h"
#include "huffman.h"
#include "model.h"
#include "objective.h"
#include "pca.h"
#include "query.h"
#include "sampling.h"
#include "sigmoid.h"
#include "testutil.h"
#include "update.h"
#include "vecops.h"
#include "vectors.h"

/* ---- gradient checks ---------------------------------------------------------------------- */

static void gradcheck_case(w2v_gc_case c)
{
    gc_report reps[2];
    size_t n = 0;
    int failed = w2v_gradcheck_case(c, reps, &n);
    ck_assert_msg(failed >= 0, "%s: the check could not run: %s", w2v_gc_case_name(c), cm_errmsg());
    ck_assert_msg(n == 2, "%s: %zu tensors checked, expected 2", w2v_gc_case_name(c), n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(reps[i].max_abs_grad > 1e-3,
                      "%s: %s: the gradient is (nearly) zero everywhere (%g): proves nothing",
                      w2v_gc_case_name(c), reps[i].name, reps[i].max_abs_grad);
        ck_assert_msg(reps[i].passed,
                      "%s: %s: worst relative error %.3e at index %zu (analytic %.10g, numeric "
                      "%.10g), tolerance 1e-6",
                      w2v_gc_case_name(c), reps[i].name, reps[i].worst_rel_err, reps[i].worst_index,
                      reps[i].analytic, reps[i].numeric);
    }
}

START_TEST(test_gradcheck_sg_ns)
{
    gradcheck_case(W2V_GC_SG_NS);
}
END_TEST
START_TEST(test_gradcheck_sg_hs)
{
    gradcheck_case(W2V_GC_SG_HS);
}
END_TEST
START_TEST(test_gradcheck_cbow_ns)
{
    gradcheck_case(W2V_GC_CBOW_NS);
}
END_TEST
START_TEST(test_gradcheck_cbow_hs)
{
    gradcheck_case(W2V_GC_CBOW_HS);
}
END_TEST

/* ---- the training steps against the exact gradient ----------------------------------------- */

#define TV 12
#define TD 7
static const long tcounts[TV] = {40, 31, 22, 17, 13, 9, 7, 5, 4, 3, 2, 1};

/* A small model with varied weights (scale: the size of the scores u·h, about scale^2 D / 2). */
static w2v_model *small_model(int hs, int exact, double scale)
{
    w2v_config cfg;
    w2v_config_defaults(&cfg);
    cfg.dim = TD;
    cfg.hs = hs;
    cfg.negative = hs ? 0 : 5;
    cfg.exact_sigmoid = exact;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    w2v_model *m = w2v_model_alloc(&cfg, tcounts, TV, r);
    gsl_rng_free(r);
    ck_assert_msg(m != NULL, "model: %s", cm_errmsg());
    for (size_t t = 0; t < m->p->n_tensors; t++) {
        double *x = params_ptr(m->p, (int)t);
        for (size_t i = 0; i < m->p->tensors[t].size; i++)
            x[i] = scale * sin((double)i * 1.3 + 0.7 * (double)t + 0.2);
    }
    return m;
}

/* One step of the training code against w_new = w - step * dL/dw for every parameter, with
 * the gradient from objective.c at the old weights. step = alpha for skip-gram; for CBOW the
 * input vectors move by alpha * n times their gradient (the tool's and gensim's rule). */
/* Paths of an HS "tree" made by hand, not by w2v_huffman_build (word2vec-3): word w has
 * 1 + w % 4 nodes, distinct on its path, branch bits from w. The update rule does not need a
 * real tree, only each word's nodes and bits; this grades word2vec-2 on its own. */
static void hand_tree(w2v_model *m)
{
    for (int w = 0; w < TV; w++) {
        m->tree.codelen[w] = (unsigned char)(1 + w % 4);
        for (int j = 0; j < 1 + w % 4; j++) {
            m->tree.code[w * W2V_MAX_CODE + j] = (unsigned char)((w >> j) & 1);
            m->tree.point[w * W2V_MAX_CODE + j] = (w + 3 * j) % (TV - 1);
        }
    }
}

static void check_step_tree(int hs, int cbow, int exact, double tol, int by_hand)
{
    w2v_model *m = small_model(hs, exact, 0.6);
    if (by_hand) hand_tree(m);
    const double alpha = 0.05;
    /* the target among the negatives (skipped), a word twice in the window; no negative twice:
     * the tool updates a repeated negative twice in a row, the second time from its new value,
     * which SGD on the gradient at the old weights does not (a difference of order alpha^2) */
    int centre = 3, context = 8, ctx[4] = {8, 1, 10, 8}, neg[5] = {0, 5, 3, 11, 7};
    size_t N = m->p->size;
    double *old = malloc(N * sizeof *old), *want = malloc(N * sizeof *want);
    memcpy(old, m->p->data, N * sizeof *old);
    params_zero_grad(m->p);
    if (cbow)
        w2v_cbow_loss(m, centre, ctx, 4, neg, 1);
    else
        w2v_sg_loss(m, centre, context, neg, 1);
    int iwv = params_find(m->p, "wv.vectors");
    for (size_t i = 0; i < N; i++) {
        int in_wv = i < m->p->tensors[iwv].size;
        double step = alpha * (cbow && in_wv ? 4.0 : 1.0);
        want[i] = old[i] - step * m->p->grad[i];
    }
    double e[TD], h[TD];
    double loss = cbow ? w2v_cbow_step(m, centre, ctx, 4, neg, alpha, h, e)
                       : w2v_sg_step(m, centre, context, neg, alpha, e);
    double worst = 0, moved = 0;
    size_t at = 0;
    for (size_t i = 0; i < N; i++) {
        double d = fabs(m->p->data[i] - want[i]), ch = fabs(want[i] - old[i]);
        if (ch > moved) moved = ch;
        if (d > worst) worst = d, at = i;
    }
    ck_assert_msg(isfinite(loss) && loss > 0, "the step returned loss %g", loss);
    ck_assert_msg(moved > 1e-4, "the exact step moves nothing (%g): the test proves nothing",
                  moved);
    ck_assert_msg(worst <= tol * moved,
                  "%s %s (%s sigmoid): parameter %zu is %.12g after the step, SGD on the exact "
                  "gradient gives %.12g (was %.12g; |diff| %.3g > %.3g)",
                  cbow ? "CBOW" : "skip-gram", hs ? "hierarchical softmax" : "negative sampling",
                  exact ? "exact" : "table", at, m->p->data[at], want[at], old[at], worst,
                  tol * moved);
    free(old);
    free(want);
    w2v_model_free(m);
}

static void check_step(int hs, int cbow, int exact, double tol)
{
    check_step_tree(hs, cbow, exact, tol, 0);
}

/* Exact σ: the step is SGD on the objective whose gradient the gradient check verified. */
START_TEST(test_ns_step_is_sgd)
{
    check_step(0, 0, 1, 1e-12);
    check_step(0, 1, 1, 1e-12);
}
END_TEST
START_TEST(test_hs_step_is_sgd)
{
    check_step(1, 0, 1, 1e-12);
    check_step(1, 1, 1, 1e-12);
}
END_TEST
START_TEST(test_hs_step_hand_tree)
{
    check_step_tree(1, 0, 1, 1e-12, 1);
    check_step_tree(1, 1, 1, 1e-12, 1);
}
END_TEST
/* The σ table: the same step to the table's error (σ within 0.0015: a few percent of a step). */
START_TEST(test_steps_with_table)
{
    check_step(0, 0, 0, 0.02);
    check_step(0, 1, 0, 0.02);
    check_step(1, 0, 0, 0.02);
    check_step(1, 1, 0, 0.02);
}
END_TEST

/* ---- the fast paths ------------------------------------------------------------------------ */

START_TEST(test_sigmoid_table)
{
    w2v_sigmoid_init();
    double worst = 0, worst_log = 0;
    for (int i = 0; i <= 120000; i++) {
        double x = -W2V_MAX_EXP + 1e-9 + i * (2 * W2V_MAX_EXP - 2e-9) / 120000;
        int b = w2v_sigmoid_bin(x);
        ck_assert_msg(b >= 0 && b < W2V_SIGMOID_TABLE_SIZE, "bin %d for x = %g", b, x);
        worst = fmax(worst, fabs(w2v_sigmoid_table[b] - w2v_sigmoid_exact(x)));
        worst_log = fmax(worst_log, fabs(w2v_logsigmoid_table[b] + w2v_softplus_neg(x)));
    }
    /* half a bin (0.006) times the largest slope: σ' <= 1/4, (log σ)' < 1 */
    ck_assert_msg(worst <= 0.0015 + 1e-12 && worst > 0.0014,
                  "largest error of the σ table %.6g, expected just under 0.0015", worst);
    ck_assert_msg(worst_log <= 0.006 + 1e-12, "largest error of the log σ table %.6g", worst_log);
    /* the exact functions themselves, far out */
    ck_assert(w2v_sigmoid_exact(800) == 1.0 && w2v_sigmoid_exact(-800) == 0.0);
    ck_assert(fabs(w2v_softplus_neg(-800) - 800) < 1e-12 && w2v_softplus_neg(800) == 0.0);
    ck_assert(fabs(w2v_sigmoid_exact(0.3) - 1 / (1 + exp(-0.3))) < 1e-16);
    ck_assert(!w2v_in_table(NAN) && !w2v_in_table(6.0) && w2v_in_table(5.999));
}
END_TEST

/* The vector operations against the plain loops their comments describe, bit for bit, at every
 * remainder of n mod 8. */
START_TEST(test_vecops_plain)
{
    double x[24], y[24], u[24], e[24], u2[24], e2[24];
    for (size_t n = 0; n <= 21; n++) {
        tu_fill(x, 24, 1.3, 0.1);
        tu_fill(y, 24, 0.7, 2.9);
        double s[8] = {0}, t;
        size_t head = n - n % 4;
        for (size_t i = 0; i < head; i++) s[i % 8] += x[i] * y[i];
        t = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
        for (size_t i = head; i < n; i++) t += x[i] * y[i];
        double got = w2v_dot(x, y, n);
        ck_assert_msg(got == t, "w2v_dot, n = %zu: %.17g, the plain loop %.17g", n, got, t);

        tu_fill(u, 24, 0.9, 1.1);
        tu_fill(e, 24, 0.4, 0.5);
        memcpy(u2, u, sizeof u);
        memcpy(e2, e, sizeof e);
        w2v_step_pair(0.37, u, x, e, n);
        for (size_t i = 0; i < n; i++) {
            e2[i] += 0.37 * u2[i];
            u2[i] += 0.37 * x[i];
        }
        ck_assert_msg(memcmp(u, u2, sizeof u) == 0 && memcmp(e, e2, sizeof e) == 0,
                      "w2v_step_pair, n = %zu: differs from the plain loop", n);
        w2v_axpy(-1.9, y, u, n);
        for (size_t i = 0; i < n; i++) u2[i] += -1.9 * y[i];
        ck_assert_msg(memcmp(u, u2, sizeof u) == 0, "w2v_axpy, n = %zu", n);
    }
}
END_TEST

/* Beyond the table: negative sampling takes σ = 1 or 0 (a word already right is not moved),
 * hierarchical softmax skips the node entirely (even one badly wrong). */
START_TEST(test_beyond_the_table)
{
    w2v_model *m = small_model(0, 0, 0.0);
    double h[TD], e[TD] = {0};
    for (int d = 0; d < TD; d++) h[d] = 1.0;
    /* target 2 scores +7 (right: no move); negative 4 scores +7 (wrong: moved at full rate) */
    for (int d = 0; d < TD; d++) m->syn1neg[2 * TD + d] = m->syn1neg[4 * TD + d] = 1.0;
    int neg[5] = {4, 6, 7, 8, 9}; /* rows 6..9 are zero: scores 0, loss log 2 each */
    double loss = w2v_ns_update(m, h, e, 2, neg, 0.1);
    ck_assert_msg(m->syn1neg[2 * TD] == 1.0, "a right target beyond the table moved");
    ck_assert_msg(fabs(m->syn1neg[4 * TD] - (1.0 - 0.1)) < 1e-15,
                  "a wrong negative beyond the table moved to %g, expected 0.9",
                  m->syn1neg[4 * TD]);
    ck_assert_msg(fabs(loss - (w2v_softplus_neg(7) + w2v_softplus_neg(-7) + 4 * log(2))) < 0.02,
                  "loss %g", loss);
    w2v_model_free(m);

    m = small_model(1, 0, 0.0);
    int w = 11; /* the rarest word: the longest path */
    const int *pt = w2v_point(&m->tree, w);
    const unsigned char *code = w2v_code(&m->tree, w);
    /* the first node scores -7 against its branch (badly wrong), the others 0 */
    for (int d = 0; d < TD; d++) m->syn1[pt[0] * TD + d] = code[0] ? 1.0 : -1.0;
    double before = m->syn1[pt[0] * TD];
    memset(e, 0, sizeof e);
    loss = w2v_hs_update(m, h, e, w, 0.1);
    ck_assert_msg(m->syn1[pt[0] * TD] == before, "hierarchical softmax updated a node beyond the "
                                                 "table (it must skip it)");
    ck_assert_msg(loss > 6.9, "the skipped node's loss is still counted: %g", loss);
    ck_assert_msg(m->tree.codelen[w] >= 2 && m->syn1[pt[1] * TD] != 0.0,
                  "the nodes inside the table were not updated");
    w2v_model_free(m);
}
END_TEST

/* The alias table draws word w with probability count^0.75 / Σ count^0.75. */
START_TEST(test_negative_sampling_distribution)
{
    gsl_ran_discrete_t *t = w2v_negative_table(tcounts, TV);
    ck_assert(t != NULL);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7);
    enum { N = 400000 };
    long seen[TV] = {0};
    int neg[8];
    for (int i = 0; i < N / 8; i++) {
        w2v_draw_negatives(t, r, neg, 8);
        for (int k = 0; k < 8; k++) seen[neg[k]]++;
    }
    double z = 0;
    for (int w = 0; w < TV; w++) z += pow((double)tcounts[w], 0.75);
    for (int w = 0; w < TV; w++) {
        double p = pow((double)tcounts[w], 0.75) / z, sd = sqrt(N * p * (1 - p));
        ck_assert_msg(fabs((double)seen[w] - N * p) < 5 * sd,
                      "word %d drawn %ld times of %d, expected %.0f +- %.0f (P ∝ count^0.75)", w,
                      seen[w], N, N * p, sd);
    }
    gsl_rng_free(r);
    gsl_ran_discrete_free(t);
}
END_TEST

/* ---- Huffman code ---------------------------------------------------------------------------- */

/* counts 4, 2, 1, 1 by hand (huffman.c's order: the lighter node first gets bit 0; on a tie the
 * inner node is taken before the leaf): 1+1 -> n4, n4+2 -> n5, n5+4 -> root n6. */
START_TEST(test_huffman_known_tree)
{
    const long counts[4] = {4, 2, 1, 1};
    w2v_huffman h;
    ck_assert_int_eq(w2v_huffman_build(&h, counts, 4), CM_OK);
    static const char *const want_code[4] = {"1", "01", "001", "000"};
    static const int want_point[4][3] = {{2}, {2, 1}, {2, 1, 0}, {2, 1, 0}};
    for (int w = 0; w < 4; w++) {
        char got[8] = {0};
        for (int j = 0; j < h.codelen[w]; j++) got[j] = (char)('0' + w2v_code(&h, w)[j]);
        ck_assert_msg(strcmp(got, want_code[w]) == 0, "word %d: code %s, expected %s", w, got,
                      want_code[w]);
        for (int j = 0; j < h.codelen[w]; j++)
            ck_assert_msg(w2v_point(&h, w)[j] == want_point[w][j],
                          "word %d: point %d is %d, expected %d", w, j, w2v_point(&h, w)[j],
                          want_point[w][j]);
    }
    w2v_huffman_free(&h);
    /* one word: no inner node, an empty code */
    ck_assert_int_eq(w2v_huffman_build(&h, counts, 1), CM_OK);
    ck_assert_int_eq(h.codelen[0], 0);
    w2v_huffman_free(&h);
    const long bad[3] = {1, 2, 3};
    ck_assert_int_eq(w2v_huffman_build(&h, bad, 3), CM_EINVAL);
}
END_TEST

/* A larger vocabulary: the code is prefix-free and complete (Kraft sum 1), rarer words never
 * get shorter codes, and its cost Σ count * length is the optimum (the sum of every merged
 * weight, computed here by the textbook quadratic algorithm). */
START_TEST(test_huffman_optimal)
{
    enum { N = 300 };
    long counts[N];
    for (int i = 0; i < N; i++) counts[i] = (long)(100000.0 / pow(i + 1, 1.07)) + 1; /* Zipf */
    w2v_huffman h;
    ck_assert_int_eq(w2v_huffman_build(&h, counts, N), CM_OK);
    double kraft = 0;
    long cost = 0;
    for (int w = 0; w < N; w++) {
        kraft += ldexp(1.0, -h.codelen[w]);
        cost += counts[w] * h.codelen[w];
        if (w) ck_assert_msg(h.codelen[w] >= h.codelen[w - 1], "word %d: shorter code", w);
        ck_assert_msg(w2v_point(&h, w)[0] == N - 2, "word %d: the path starts at %d, not the root",
                      w, w2v_point(&h, w)[0]);
        for (int j = 0; j < h.codelen[w]; j++)
            ck_assert(w2v_point(&h, w)[j] >= 0 && w2v_point(&h, w)[j] <= N - 2);
    }
    ck_assert_msg(fabs(kraft - 1.0) < 1e-12, "Kraft sum %.15g: not a complete prefix code", kraft);
    for (int a = 0; a < N; a++)
        for (int b = a + 1; b < N; b++) {
            int len = h.codelen[a] < h.codelen[b] ? h.codelen[a] : h.codelen[b];
            ck_assert_msg(memcmp(w2v_code(&h, a), w2v_code(&h, b), (size_t)len) != 0 ||
                              h.codelen[a] == 0,
                          "the code of word %d is a prefix of word %d's", a, b);
        }
    long pool[N], optimum = 0;
    int n = N;
    memcpy(pool, counts, sizeof pool);
    while (n > 1) {
        int i0 = 0, i1 = 1;
        if (pool[i1] < pool[i0]) i0 = 1, i1 = 0;
        for (int i = 2; i < n; i++) {
            if (pool[i] < pool[i0])
                i1 = i0, i0 = i;
            else if (pool[i] < pool[i1])
                i1 = i;
        }
        long merged = pool[i0] + pool[i1];
        optimum += merged;
        pool[i0] = merged;
        pool[i1] = pool[--n];
    }
    ck_assert_msg(cost == optimum, "Σ count * code length = %ld, the optimum is %ld", cost,
                  optimum);
    w2v_huffman_free(&h);
}
END_TEST

/* ---- subsampling -------------------------------------------------------------------------------- */

START_TEST(test_keep_probability)
{
    /* t = 1e-3 * 1e6 = 1000: keep = (sqrt(c / t) + 1) t / c */
    ck_assert(fabs(w2v_keep_probability(100000, 1000000, 1e-3) - 0.11) < 1e-15);
    ck_assert(fabs(w2v_keep_probability(1000, 1000000, 1e-3) - 2.0) < 1e-15);
    ck_assert(fabs(w2v_keep_probability(4000, 1000000, 1e-3) - 0.75) < 1e-15);
    ck_assert(fabs(w2v_keep_probability(250000, 1000000, 1e-4) - (sqrt(2500) + 1) * 100 / 250000) <
              1e-15);
    ck_assert(w2v_keep_probability(5, 10, 0.0) == 1.0);
}
END_TEST

/* ---- corpus ------------------------------------------------------------------------------------ */

START_TEST(test_corpus_encoding)
{
    const char *text = "The cat sat. THE cat ran; the dog sat, the end";
    w2v_corpus c;
    ck_assert_int_eq(w2v_corpus_from_text(&c, text, strlen(text), 2), CM_OK);
    /* counts: the 4, cat 2, sat 2 (ties alphabetical) */
    ck_assert_int_eq((int)c.vocab.size, 3);
    ck_assert_str_eq(c.vocab.words[0], "the");
    ck_assert_str_eq(c.vocab.words[1], "cat");
    ck_assert_str_eq(c.vocab.words[2], "sat");
    ck_assert_int_eq((int)c.n_words, 8);
    ck_assert_int_eq((int)c.n_tokens, 11);
    const int want[8] = {0, 1, 2, 0, 1, 0, 2, 0};
    for (int i = 0; i < 8; i++) ck_assert_int_eq(c.ids[i], want[i]);
    ck_assert_int_eq((int)c.n_sent, 1);
    w2v_corpus_free(&c);

    /* 2500 words -> sentences of 1000, 1000, 500 */
    char *big = malloc(2500 * 3 + 1);
    for (int i = 0; i < 2500; i++) memcpy(big + 3 * i, i % 2 ? "ab " : "cd ", 3);
    big[2500 * 3] = '\0';
    ck_assert_int_eq(w2v_corpus_from_text(&c, big, strlen(big), 1), CM_OK);
    ck_assert_int_eq((int)c.n_sent, 3);
    ck_assert(c.sent[1] == 1000 && c.sent[2] == 2000 && c.sent[3] == 2500);
    w2v_corpus_free(&c);
    free(big);

    ck_assert_int_eq(w2v_corpus_from_text(&c, "a b c", 5, 2), CM_EINVAL);
    ck_assert_msg(strstr(cm_errmsg(), "no word occurs at least 2 times"), "message: %s",
                  cm_errmsg());
    ck_assert_int_eq(w2v_corpus_from_text(&c, "42 -- 7", 7, 1), CM_EINVAL);
}
END_TEST

/* Sentences never cross from one file to the next. */
START_TEST(test_corpus_files)
{
    const char *dir = tu_tmpdir("w2v-corpus");
    char a[600], b[600];
    snprintf(a, sizeof a, "%s/a.txt", dir);
    snprintf(b, sizeof b, "%s/b.txt", dir);
    tu_write_file(a, "one two one two one\n");
    tu_write_file(b, "two one\n");
    const char *paths[2] = {a, b};
    w2v_corpus c;
    ck_assert_int_eq(w2v_corpus_load(&c, paths, 2, 1), CM_OK);
    ck_assert_int_eq((int)c.n_sent, 2);
    ck_assert(c.sent[1] == 5 && c.sent[2] == 7);
    w2v_corpus_free(&c);
    char empty[600];
    snprintf(empty, sizeof empty, "%s/empty.txt", dir);
    tu_write_file(empty, "");
    paths[1] = empty;
    ck_assert_int_eq(w2v_corpus_load(&c, paths, 2, 1), CM_EFORMAT);
    ck_assert_msg(strstr(cm_errmsg(), "empty file"), "%s", cm_errmsg());
    char buf[] = "x.txt,,y.txt";
    const char *p[4];
    ck_assert_int_eq((int)w2v_split_paths(buf, p, 4), 0);
    char buf2[] = "x.txt,y.txt";
    ck_assert_int_eq((int)w2v_split_paths(buf2, p, 4), 2);
    ck_assert_str_eq(p[1], "y.txt");
    tu_rmtree(dir);
}
END_TEST

/* ---- vector files -------------------------------------------------------------------------- */

START_TEST(test_vectors_roundtrip)
{
    const char *dir = tu_tmpdir("w2v-vectors");
    char *words[3] = {"the", "darcy's", "x"};
    double vec[3 * 4];
    tu_fill(vec, 12, 0.8, 0.3);
    char txt[600], bin[600];
    snprintf(txt, sizeof txt, "%s/v.txt", dir);
    snprintf(bin, sizeof bin, "%s/v.bin", dir);
    ck_assert_int_eq(w2v_write_text(txt, words, vec, 3, 4), CM_OK);
    ck_assert_int_eq(w2v_write_binary(bin, words, vec, 3, 4), CM_OK);
    for (int f = 0; f < 2; f++) {
        w2v_kv kv;
        ck_assert_int_eq(w2v_kv_load(&kv, f ? bin : txt), CM_OK);
        ck_assert(kv.V == 3 && kv.D == 4);
        for (int w = 0; w < 3; w++) {
            ck_assert_str_eq(kv.words[w], words[w]);
            ck_assert_int_eq(w2v_kv_find(&kv, words[w]), w);
            double n = 0;
            for (int d = 0; d < 4; d++) n += vec[w * 4 + d] * vec[w * 4 + d];
            for (int d = 0; d < 4; d++)
                ck_assert_msg(fabs(kv.unit[w * 4 + d] - vec[w * 4 + d] / sqrt(n)) < 2e-6,
                              "%s: word %d dim %d", f ? "binary" : "text", w, d);
        }
        ck_assert_int_eq(w2v_kv_find(&kv, "nope"), -1);
        w2v_kv_free(&kv);
    }
    /* truncated: the binary file cut inside the last vector, the text file inside a line */
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "head -c 50 %s > %s/t.bin && head -c 60 %s > %s/t.txt", bin, dir, txt,
             dir);
    ck_assert_int_eq(tu_run(cmd, NULL, NULL), 0);
    w2v_kv kv;
    snprintf(bin, sizeof bin, "%s/t.bin", dir);
    ck_assert_int_eq(w2v_kv_load(&kv, bin), CM_EFORMAT);
    ck_assert_msg(strstr(cm_errmsg(), "truncated"), "%s", cm_errmsg());
    snprintf(txt, sizeof txt, "%s/t.txt", dir);
    ck_assert_int_eq(w2v_kv_load(&kv, txt), CM_EFORMAT);
    ck_assert_msg(strstr(cm_errmsg(), "does not hold 4 numbers"), "%s", cm_errmsg());
    snprintf(txt, sizeof txt, "%s/h.txt", dir);
    tu_write_file(txt, "hello world\n");
    ck_assert_int_eq(w2v_kv_load(&kv, txt), CM_EFORMAT);
    ck_assert_msg(strstr(cm_errmsg(), "V D"), "%s", cm_errmsg());
    tu_write_file(txt, "2 3\na 1 2 3\n");
    ck_assert_int_eq(w2v_kv_load(&kv, txt), CM_EFORMAT);
    ck_assert_msg(strstr(cm_errmsg(), "promises 2 words"), "%s", cm_errmsg());
    tu_rmtree(dir);
}
END_TEST

/* ---- queries --------------------------------------------------------------------------------- */

/* Hand-made vectors: king - man + woman = queen exactly; neighbours by cosine. */
static void toy_kv(w2v_kv *kv)
{
    char *words[6] = {"man", "woman", "king", "queen", "apple", "pear"};
    const double v[6 * 3] = {1, 0, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, -1, 0.1, 0, -1, 0.2, 0.1};
    ck_assert_int_eq(w2v_kv_from(kv, words, v, 6, 3), CM_OK);
}

START_TEST(test_queries)
{
    w2v_kv kv;
    toy_kv(&kv);
    w2v_hit hits[3];
    size_t n = w2v_similar(&kv, 4, hits, 3); /* apple */
    ck_assert_int_eq((int)n, 3);
    ck_assert_int_eq(hits[0].word, 5);
    ck_assert(hits[0].sim > 0.98 && hits[0].sim >= hits[1].sim && hits[1].sim >= hits[2].sim);
    double sim;
    ck_assert_int_eq(w2v_analogy(&kv, 0, 2, 1, 0, &sim), 3); /* man:king :: woman:? */
    ck_assert(sim > 0.9);
    /* restricted to the first 3 words, queen (index 3) cannot be the answer */
    ck_assert_int_ne(w2v_analogy(&kv, 0, 2, 1, 3, NULL), 3);

    const char *dir = tu_tmpdir("w2v-eval");
    char q[600];
    snprintf(q, sizeof q, "%s/q.txt", dir);
    tu_write_file(q, ": royals\nMan King Woman Queen\nman king woman apple\nman king "
                     "unknown queen\n: gram-fruit\napple pear man woman\n");
    w2v_eval ev;
    ck_assert_int_eq(w2v_evaluate(&kv, q, 0, &ev), CM_OK);
    ck_assert_int_eq((int)ev.n_sections, 2);
    ck_assert_int_eq((int)ev.questions, 4);
    ck_assert_int_eq((int)ev.sec[0].total, 2);
    ck_assert_int_eq((int)ev.sec[0].correct, 1);
    ck_assert_int_eq((int)ev.semantic_total, 2);
    ck_assert_int_eq((int)ev.syntactic_total, 1);
    ck_assert_int_eq((int)ev.total, 3);
    tu_write_file(q, "man king woman queen\n");
    ck_assert_int_eq(w2v_evaluate(&kv, q, 0, &ev), CM_EFORMAT);
    tu_rmtree(dir);
    w2v_kv_free(&kv);
}
END_TEST

/* Points on a line and a small perpendicular offset, embedded in 5 dimensions: the first
 * component is the line, the second the offset. */
START_TEST(test_pca_known_answer)
{
    char *words[4] = {"a", "b", "c", "d"};
    /* unit vectors (the map uses unit vectors): four points of the circle in the (x0, x1) plane
     * rotated into 5-D; their centred coordinates are known */
    const double ang[4] = {0.1, 0.5, 0.9, 1.3};
    double v[4 * 5] = {0};
    for (int i = 0; i < 4; i++) {
        v[i * 5 + 1] = cos(ang[i]);
        v[i * 5 + 3] = sin(ang[i]);
    }
    w2v_kv kv;
    ck_assert_int_eq(w2v_kv_from(&kv, words, v, 4, 5), CM_OK);
    int ids[4] = {0, 1, 2, 3};
    double xy[8], ex;
    ck_assert_int_eq(w2v_pca2(&kv, ids, 4, xy, &ex), CM_OK);
    ck_assert_msg(fabs(ex - 1.0) < 1e-12, "the points lie in a plane: explained %g", ex);
    /* distances between points are kept by a projection onto their own plane */
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) {
            double d2 = 2 - 2 * cos(ang[i] - ang[j]);
            double p2 = pow(xy[2 * i] - xy[2 * j], 2) + pow(xy[2 * i + 1] - xy[2 * j + 1], 2);
            ck_assert_msg(fabs(d2 - p2) < 1e-12, "distance %d-%d: %g vs %g", i, j, p2, d2);
        }
    /* the centre of the map is the origin */
    ck_assert(fabs(xy[0] + xy[2] + xy[4] + xy[6]) < 1e-12);
    /* more words than dimensions takes the other branch */
    char *w6[6] = {"a", "b", "c", "d", "e", "f"};
    double v6[6 * 3];
    tu_fill(v6, 18, 1.0, 0.1);
    w2v_kv kv6;
    ck_assert_int_eq(w2v_kv_from(&kv6, w6, v6, 6, 3), CM_OK);
    int ids6[6] = {0, 1, 2, 3, 4, 5};
    double xy6[12];
    ck_assert_int_eq(w2v_pca2(&kv6, ids6, 6, xy6, &ex), CM_OK);
    ck_assert(ex > 0.5 && ex <= 1.0 + 1e-12);
    w2v_kv_free(&kv6);
    w2v_kv_free(&kv);
}
END_TEST

/* ---- the threads' own rows of the frequent words (hotrows.c) -------------------------------- */

/* Two threads' views of one model: each changes its copies of the hot rows; after both merge,
 * every shared hot row is its old value plus both changes, the rows beyond the hot ones were
 * never copied, and a thread that merges last starts again from the sum. Exact: all values are
 * multiples of 1/8. */
START_TEST(test_hot_rows_merge)
{
    w2v_model *m = small_model(0, 1, 0.0);
    const size_t D = m->dim, n = 4;
    for (size_t i = 0; i < TV * D; i++) m->wv[i] = m->syn1neg[i] = (double)i / 8;
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    w2v_hot a, b;
    ck_assert_int_eq(w2v_hot_init(&a, m, n, &lock), CM_OK);
    ck_assert_int_eq(w2v_hot_init(&b, m, n, &lock), CM_OK);
    ck_assert(w2v_in_row(&a.view, 3) != w2v_row(m->wv, D, 3)); /* its own copy */
    ck_assert(w2v_out_row(&a.view, 3) != w2v_row(m->syn1neg, D, 3));
    ck_assert(w2v_in_row(&a.view, 4) == w2v_row(m->wv, D, 4)); /* shared */
    ck_assert(w2v_out_row(&b.view, 4) == w2v_row(m->syn1neg, D, 4));
    for (size_t w = 0; w < n; w++)
        for (size_t d = 0; d < D; d++) {
            w2v_in_row(&a.view, (int)w)[d] += 1.0;
            w2v_out_row(&a.view, (int)w)[d] -= 0.5;
            w2v_in_row(&b.view, (int)w)[d] += 0.25;
            w2v_out_row(&b.view, (int)w)[d] += 2.0;
        }
    w2v_hot_merge(&a);
    /* merged once: a's changes are in, b's not yet */
    ck_assert(m->wv[2 * D + 1] == (double)(2 * D + 1) / 8 + 1.0);
    w2v_hot_merge(&b);
    for (size_t i = 0; i < n * D; i++) {
        ck_assert_msg(m->wv[i] == (double)i / 8 + 1.25, "wv[%zu] = %g", i, m->wv[i]);
        ck_assert_msg(m->syn1neg[i] == (double)i / 8 + 1.5, "syn1neg[%zu] = %g", i, m->syn1neg[i]);
        ck_assert(b.view.hot_wv[i] == m->wv[i] && b.view.hot_syn1neg[i] == m->syn1neg[i]);
    }
    for (size_t i = n * D; i < TV * D; i++) ck_assert(m->wv[i] == (double)i / 8);
    /* a merges again with no change of its own: it only picks up b's */
    w2v_hot_merge(&a);
    for (size_t i = 0; i < n * D; i++) ck_assert(a.view.hot_wv[i] == m->wv[i]);
    ck_assert(m->wv[0] == 1.25);
    w2v_hot_free(&a);
    w2v_hot_free(&b);
    /* none asked for: a plain view of the model */
    ck_assert_int_eq(w2v_hot_init(&a, m, 0, &lock), CM_OK);
    ck_assert(a.view.n_hot == 0 && w2v_in_row(&a.view, 0) == m->wv);
    w2v_hot_free(&a);
    w2v_model_free(m);
}
END_TEST

/* The training step through a view with hot rows gives the numbers of the same step on the
 * shared rows: only where the rows live differs. */
START_TEST(test_hot_rows_step)
{
    w2v_model *m1 = small_model(0, 0, 0.4), *m2 = small_model(0, 0, 0.4);
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    w2v_hot h;
    ck_assert_int_eq(w2v_hot_init(&h, m2, 5, &lock), CM_OK);
    const int neg[5] = {0, 7, 2, 11, 1};
    double e1[TD], e2[TD];
    double l1 = w2v_sg_step(m1, 1, 3, neg, 0.05, e1);
    double l2 = w2v_sg_step(&h.view, 1, 3, neg, 0.05, e2);
    ck_assert(l1 == l2);
    w2v_hot_merge(&h);
    for (size_t i = 0; i < TV * TD; i++) {
        ck_assert_msg(fabs(m1->wv[i] - m2->wv[i]) <= 1e-15, "wv[%zu]", i);
        ck_assert_msg(fabs(m1->syn1neg[i] - m2->syn1neg[i]) <= 1e-15, "syn1neg[%zu]", i);
    }
    w2v_hot_free(&h);
    w2v_model_free(m1);
    w2v_model_free(m2);
}
END_TEST

Suite *suite_word2vec(void)
{
    Suite *s = suite_create("word2vec");
    TCase *g = tcase_create("gradcheck");
    tcase_add_test(g, test_gradcheck_sg_ns);
    tcase_add_test(g, test_gradcheck_sg_hs);
    tcase_add_test(g, test_gradcheck_cbow_ns);
    tcase_add_test(g, test_gradcheck_cbow_hs);
    tcase_add_test(g, test_hs_step_is_sgd);
    tcase_add_test(g, test_steps_with_table);
    suite_add_tcase(s, g);
    TCase *f = tcase_create("fast paths");
    tcase_add_test(f, test_sigmoid_table);
    tcase_add_test(f, test_vecops_plain);
    tcase_add_test(f, test_beyond_the_table);
    tcase_add_test(f, test_negative_sampling_distribution);
    suite_add_tcase(s, f);
    TCase *p = tcase_create("parts");
    tcase_add_test(p, test_corpus_encoding);
    tcase_add_test(p, test_corpus_files);
    tcase_add_test(p, test_vectors_roundtrip);
    tcase_add_test(p, test_queries);
    tcase_add_test(p, test_pca_known_answer);
    tcase_add_test(p, test_hot_rows_merge);
    tcase_add_test(p, test_hot_rows_step);
    suite_add_tcase(s, p);
    /* The exercises (CONVENTIONS.md, Exercises): one test case per exercise, named by its id and
     * tagged "exercise", whose tests use that exercise's region and no other exercise's, so
     * that an unfinished exercise fails alone (tools/grade, tests/kit/run). */
    {
        TCase *ex = tcase_create("word2vec-1");
        tcase_set_tags(ex, "exercise");
        tcase_set_timeout(ex, 60);
        tcase_add_test(ex, test_ns_step_is_sgd);
        suite_add_tcase(s, ex);
    }
    {
        TCase *ex = tcase_create("word2vec-2");
        tcase_set_tags(ex, "exercise");
        tcase_set_timeout(ex, 60);
        tcase_add_test(ex, test_hs_step_hand_tree);
        suite_add_tcase(s, ex);
    }
    {
        TCase *ex = tcase_create("word2vec-3");
        tcase_set_tags(ex, "exercise");
        tcase_set_timeout(ex, 60);
        tcase_add_test(ex, test_huffman_known_tree);
        tcase_add_test(ex, test_huffman_optimal);
        suite_add_tcase(s, ex);
    }
    {
        TCase *ex = tcase_create("word2vec-4");
        tcase_set_tags(ex, "exercise");
        tcase_set_timeout(ex, 60);
        tcase_add_test(ex, test_keep_probability);
        suite_add_tcase(s, ex);
    }
    return s;
}
