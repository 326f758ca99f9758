/* test_rnn_fixtures.c: chapter 01's forward and backward passes against PyTorch's numbers,
 * without Python. tests/fixtures/rnn/<case>/ holds a checkpoint (ckpt/), a chunk (inputs/:
 * x.npy, y.npy with some -1 targets, h0.npy, c0.npy) and what torch.nn.RNN / LSTM / GRU +
 * nn.Linear in float64 computed from them (expected/: loss.npy, one gradient per tensor,
 * dh0.npy, dc0.npy, hT.npy, cT.npy), written by tests/fixtures/rnn/make_fixtures.py.
 * The cases: a tanh RNN, a two-layer LSTM and a GRU (V 5, H 4, T 5 steps, B 3 streams).
 *
 * Tolerances, those of tests/parity/rnn.py: the loss within 1e-10 relative, every gradient and
 * state within 1e-8 of torch's, measured norm-wise: max |ours - torch| / max |torch|.
 *
 * The same fixtures also drive `bin/rnn grad` (its files must match torch's too), and the bad
 * inputs of `rnn grad` (each one line on stderr, exit 2, nothing written). Run from the
 * project root, as `make check` does. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "model_io.h"
#include "npy.h"
#include "rnn.h"
#include "testutil.h"

#define FIX_DIR  "tests/fixtures/rnn"
#define TOL_LOSS 1e-10
#define TOL_GRAD 1e-8
#define N_CASES  3

static const char *const fix_cases[N_CASES] = {"rnn_l1", "lstm_l2", "gru_l1"};

static npy_array *read_fixture(const char *fcase, const char *sub, const char *name)
{
    char path[512];
    npy_array *a = NULL;
    snprintf(path, sizeof path, FIX_DIR "/%s/%s/%s.npy", fcase, sub, name);
    int rc = npy_read(path, &a);
    ck_assert_msg(rc == CM_OK,
                  "%s: %s (run from the project root; regenerate with "
                  "tests/fixtures/rnn/make_fixtures.py)",
                  path, cm_errmsg());
    return a;
}

/* (T, B) integers of a fixture as ints. */
static int *read_ids(const char *fcase, const char *name, size_t *T, size_t *B)
{
    npy_array *a = read_fixture(fcase, "inputs", name);
    ck_assert_msg(a->dtype == NPY_I64 && a->ndim == 2, "%s/%s: not (T, B) int64", fcase, name);
    *T = a->shape[0], *B = a->shape[1];
    int *ids = cm_xcalloc(a->size, sizeof(int));
    for (size_t i = 0; i < a->size; i++) ids[i] = (int)((const int64_t *)a->data)[i];
    npy_free(a);
    return ids;
}

/* max |got - want| / max |want| over n values (0 when they are equal). */
static double normwise_err(const double *got, const double *want, size_t n)
{
    double diff = 0.0, scale = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs(got[i] - want[i]);
        if (!(d <= diff)) diff = d; /* a NaN makes the error NaN, which fails every test */
        if (fabs(want[i]) > scale) scale = fabs(want[i]);
    }
    if (diff == 0.0) return 0.0;
    return scale > 0.0 ? diff / scale : INFINITY;
}

/* Compares n values with expected/<name>.npy of the case (its shape too): the error. */
static double compare_expected(const char *fcase, const char *name, const double *got, int ndim,
                               const size_t *shape)
{
    npy_array *e = read_fixture(fcase, "expected", name);
    ck_assert_msg(e->dtype == NPY_F64 && e->ndim == ndim,
                  "%s: expected/%s.npy has %d dimensions, "
                  "ours %d",
                  fcase, name, e->ndim, ndim);
    size_t n = 1;
    for (int d = 0; d < ndim; d++) {
        ck_assert_msg(e->shape[d] == shape[d],
                      "%s: %s: dimension %d is %zu in torch's, %zu in "
                      "ours",
                      fcase, name, d, e->shape[d], shape[d]);
        n *= shape[d];
    }
    /* a gradient that is zero everywhere would make the comparison prove nothing */
    double mx = 0.0;
    for (size_t i = 0; i < n; i++) mx = fmax(mx, fabs(((const double *)e->data)[i]));
    ck_assert_msg(mx > 1e-6, "%s: torch's %s is zero everywhere (%g)", fcase, name, mx);
    double err = normwise_err(got, e->data, n);
    npy_free(e);
    return err;
}

/* One fixture through the library: its model, loss, gradients and states. */
typedef struct {
    rnn_model *m;
    charvocab v;
    hparams h;
    rnn_work *w;
    size_t T, B;
    int *x, *y;
    double *h0, *c0, *dh0, *dc0, *hT, *cT;
    double loss;
} fix_run;

static double *read_state(const char *fcase, const char *name, size_t n)
{
    npy_array *a = read_fixture(fcase, "inputs", name);
    ck_assert_msg(a->dtype == NPY_F64 && a->size == n, "%s/%s: %zu values, expected %zu", fcase,
                  name, a->size, n);
    double *s = cm_xcalloc(n, sizeof(double));
    memcpy(s, a->data, n * sizeof(double));
    npy_free(a);
    return s;
}

static void fix_run_case(fix_run *r, const char *fcase)
{
    char dir[512];
    memset(r, 0, sizeof *r);
    snprintf(dir, sizeof dir, FIX_DIR "/%s/ckpt", fcase);
    hparams_init(&r->h);
    int rc = rnn_load(dir, &r->m, &r->v, &r->h);
    ck_assert_msg(rc == CM_OK, "rnn_load(%s): %s", dir, cm_errmsg());
    size_t T2, B2;
    r->x = read_ids(fcase, "x", &r->T, &r->B);
    r->y = read_ids(fcase, "y", &T2, &B2);
    ck_assert(T2 == r->T && B2 == r->B);
    size_t ns = rnn_state_size(r->m, r->B);
    int lstm = r->m->cell == RNN_CELL_LSTM;
    r->h0 = read_state(fcase, "h0", ns);
    if (lstm) r->c0 = read_state(fcase, "c0", ns);
    r->w = rnn_work_alloc(r->m, r->T, r->B);
    ck_assert_msg(r->w != NULL, "rnn_work_alloc: %s", cm_errmsg());
    r->dh0 = cm_xcalloc(ns, sizeof(double));
    r->hT = cm_xcalloc(ns, sizeof(double));
    if (lstm) r->dc0 = cm_xcalloc(ns, sizeof(double));
    if (lstm) r->cT = cm_xcalloc(ns, sizeof(double));
    params_zero_grad(r->m->p);
    r->loss = rnn_forward(r->m, r->w, r->T, r->x, r->y, r->h0, r->c0);
    rnn_backward(r->m, r->w, r->dh0, r->dc0);
    rnn_final_state(r->m, r->w, r->hT, r->cT);
}

static void fix_run_free(fix_run *r)
{
    free(r->x), free(r->y), free(r->h0), free(r->c0);
    free(r->dh0), free(r->dc0), free(r->hT), free(r->cT);
    rnn_work_free(r->w);
    rnn_model_free(r->m);
    hparams_free(&r->h);
}

/* The worst error over every gradient and state of a run (the loss checked apart). */
static double check_run(const fix_run *r, const char *fcase, double *loss_err)
{
    const rnn_model *m = r->m;
    npy_array *e = read_fixture(fcase, "expected", "loss");
    ck_assert_msg(e->dtype == NPY_F64 && e->ndim == 0, "%s: expected/loss.npy is not a scalar",
                  fcase);
    double want = *(const double *)e->data;
    npy_free(e);
    *loss_err = fabs(r->loss - want) / fabs(want);
    double worst = 0.0;
    for (size_t t = 0; t < m->p->n_tensors; t++) {
        const param_tensor *pt = &m->p->tensors[t];
        double err =
            compare_expected(fcase, pt->name, params_grad_ptr(m->p, (int)t), pt->ndim, pt->shape);
        ck_assert_msg(err <= TOL_GRAD,
                      "%s: d loss / d %s differs from torch's by %.3g "
                      "(tolerance %g)",
                      fcase, pt->name, err, TOL_GRAD);
        worst = fmax(worst, err);
    }
    const size_t shape[3] = {m->L, r->B, m->H};
    const char *names[4] = {"dh0", "hT", "dc0", "cT"};
    const double *ours[4] = {r->dh0, r->hT, r->dc0, r->cT};
    for (int k = 0; k < (m->cell == RNN_CELL_LSTM ? 4 : 2); k++) {
        double err = compare_expected(fcase, names[k], ours[k], 3, shape);
        ck_assert_msg(err <= TOL_GRAD, "%s: %s differs from torch's by %.3g (tolerance %g)", fcase,
                      names[k], err, TOL_GRAD);
        worst = fmax(worst, err);
    }
    return worst;
}

/* ---- the library against torch -------------------------------------------------------------- */

START_TEST(test_fixture_matches_torch)
{
    const char *fcase = fix_cases[_i];
    fix_run r;
    fix_run_case(&r, fcase);
    /* the fixture is what it claims: a model of that cell, some targets -1 */
    ck_assert_str_eq(rnn_cell_name(r.m->cell), _i == 0 ? "rnn" : _i == 1 ? "lstm" : "gru");
    ck_assert_uint_eq(r.m->L, _i == 1 ? 2 : 1);
    ck_assert_msg(r.T >= 5 && r.B >= 3, "%s: chunk of %zu steps, %zu streams", fcase, r.T, r.B);
    size_t ignored = 0;
    for (size_t i = 0; i < r.T * r.B; i++) ignored += r.y[i] < 0;
    ck_assert_msg(ignored > 0 && ignored < r.T * r.B, "%s: %zu of %zu targets are -1", fcase,
                  ignored, r.T * r.B);
    ck_assert_uint_eq(r.w->n_targets, r.T * r.B - ignored);
    double loss_err;
    double worst = check_run(&r, fcase, &loss_err);
    ck_assert_msg(loss_err <= TOL_LOSS,
                  "%s: loss %.17g differs from torch's by %.3g relative "
                  "(tolerance %g)",
                  fcase, r.loss, loss_err, TOL_LOSS);
    ck_assert(worst <= TOL_GRAD);
    fix_run_free(&r);
}
END_TEST

/* The comparison has teeth: a weight moved by 1e-6 changes the loss by more than 1e-10
 * relative (7.7e-10 here), and a backward pass that takes the mean over every position instead
 * of the targets only is caught in the decoder's bias gradient. */
START_TEST(test_fixture_catches_a_change)
{
    fix_run r;
    fix_run_case(&r, "gru_l1");
    double loss_err;
    check_run(&r, "gru_l1", &loss_err);
    ck_assert(loss_err <= TOL_LOSS);
    double base = r.loss;
    params_ptr(r.m->p, r.m->w_hh[0])[3] += 1e-6;
    double moved = rnn_forward(r.m, r.w, r.T, r.x, r.y, r.h0, r.c0);
    ck_assert_msg(fabs(moved - base) / fabs(base) > TOL_LOSS,
                  "a weight moved by 1e-6 changed the loss by only %.3g relative",
                  fabs(moved - base) / fabs(base));
    params_ptr(r.m->p, r.m->w_hh[0])[3] -= 1e-6;
    /* every position counted: scale the decoder bias gradient by n_targets / (T B) */
    rnn_forward(r.m, r.w, r.T, r.x, r.y, r.h0, r.c0);
    params_zero_grad(r.m->p);
    rnn_backward(r.m, r.w, r.dh0, r.dc0);
    double *g = params_grad_ptr(r.m->p, r.m->dec_b);
    for (size_t v = 0; v < r.m->V; v++) g[v] *= (double)r.w->n_targets / (double)(r.T * r.B);
    const size_t shape[1] = {r.m->V};
    double err = compare_expected("gru_l1", "decoder.bias", g, 1, shape);
    ck_assert_msg(err > 100 * TOL_GRAD, "a wrong mean went unnoticed (error %.3g)", err);
    fix_run_free(&r);
}
END_TEST

/* ---- bin/rnn grad on the fixtures ----------------------------------------------------------- */

/* Reads OUT/<name>.npy written by `rnn grad` and compares it with torch's. */
static double compare_written(const char *out, const char *fcase, const char *name)
{
    char path[1024];
    npy_array *a = NULL;
    snprintf(path, sizeof path, "%s/%s.npy", out, name);
    int rc = npy_read(path, &a);
    ck_assert_msg(rc == CM_OK, "rnn grad did not write %s: %s", path, cm_errmsg());
    ck_assert_msg(a->dtype == NPY_F64, "%s is not float64", path);
    double err;
    if (!strcmp(name, "loss")) {
        npy_array *e = read_fixture(fcase, "expected", "loss");
        ck_assert_int_eq(a->ndim, 0);
        double got = *(const double *)a->data, want = *(const double *)e->data;
        err = fabs(got - want) / fabs(want);
        npy_free(e);
    } else {
        err = compare_expected(fcase, name, a->data, a->ndim, a->shape);
    }
    npy_free(a);
    return err;
}

START_TEST(test_cli_grad_matches_torch)
{
    const char *fcase = fix_cases[_i];
    const char *tmp = tu_tmpdir("rnn-fixture-grad");
    char out[700], cmd[2048];
    snprintf(out, sizeof out, "%s/out", tmp);
    snprintf(cmd, sizeof cmd,
             "OPENBLAS_NUM_THREADS=1 %s/rnn grad --load " FIX_DIR "/%s/ckpt --inputs " FIX_DIR
             "/%s/inputs --out %s --quiet",
             tu_bin_dir(), fcase, fcase, out);
    char *so = NULL, *se = NULL;
    int st = tu_run(cmd, &so, &se);
    ck_assert_msg(st == 0, "%s: exit %d: %s", cmd, st, se ? se : "");
    free(so), free(se);
    /* every file torch has an answer for, and nothing else */
    static const char *const lstm2[] = {
        "loss",         "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
        "weight_ih_l1", "weight_hh_l1", "bias_ih_l1",   "bias_hh_l1", "decoder.weight",
        "decoder.bias", "dh0",          "hT",           "dc0",        "cT"};
    static const char *const one[] = {"loss",         "weight_ih_l0", "weight_hh_l0",
                                      "bias_ih_l0",   "bias_hh_l0",   "decoder.weight",
                                      "decoder.bias", "dh0",          "hT"};
    const char *const *names = _i == 1 ? lstm2 : one;
    size_t n = _i == 1 ? sizeof lstm2 / sizeof *lstm2 : sizeof one / sizeof *one;
    for (size_t k = 0; k < n; k++) {
        double err = compare_written(out, fcase, names[k]);
        double tol = k == 0 ? TOL_LOSS : TOL_GRAD;
        ck_assert_msg(err <= tol,
                      "%s: rnn grad's %s.npy differs from torch's by %.3g "
                      "(tolerance %g)",
                      fcase, names[k], err, tol);
    }
    snprintf(cmd, sizeof cmd, "ls %s | wc -l", out);
    tu_run(cmd, &so, NULL);
    ck_assert_msg(so && (size_t)atol(so) == n, "%s holds %s files, expected %zu", out,
                  so ? so : "?", n);
    free(so);
    tu_rmtree(tmp);
}
END_TEST

/* x.npy and y.npy as int32 (what np.save writes for a default int array on some systems):
 * the same loss and gradients as from int64. */
START_TEST(test_cli_grad_int32_ids)
{
    const char *tmp = tu_tmpdir("rnn-fixture-int32");
    char in[700], out[700], path[800], cmd[4096];
    snprintf(in, sizeof in, "%s/in", tmp);
    snprintf(out, sizeof out, "%s/out", tmp);
    mkdir(in, 0755);
    const char *names[] = {"x", "y"};
    for (int k = 0; k < 2; k++) {
        npy_array *a = read_fixture("lstm_l2", "inputs", names[k]);
        int32_t *v = cm_xcalloc(a->size, sizeof(int32_t));
        for (size_t i = 0; i < a->size; i++) v[i] = (int32_t)((const int64_t *)a->data)[i];
        snprintf(path, sizeof path, "%s/%s.npy", in, names[k]);
        ck_assert_int_eq(npy_write(path, NPY_I32, 2, a->shape, v), CM_OK);
        free(v);
        npy_free(a);
    }
    snprintf(cmd, sizeof cmd,
             "cp " FIX_DIR "/lstm_l2/inputs/h0.npy " FIX_DIR
             "/lstm_l2/inputs/c0.npy %s && %s/rnn grad --load " FIX_DIR "/lstm_l2/ckpt "
             "--inputs %s --out %s --quiet",
             in, tu_bin_dir(), in, out);
    char *so = NULL, *se = NULL;
    int st = tu_run(cmd, &so, &se);
    ck_assert_msg(st == 0, "%s: exit %d: %s", cmd, st, se ? se : "");
    free(so), free(se);
    const char *check[] = {"loss", "weight_ih_l0", "weight_hh_l1", "decoder.weight", "dc0"};
    for (int k = 0; k < 5; k++) {
        double err = compare_written(out, "lstm_l2", check[k]);
        ck_assert_msg(err <= (k == 0 ? TOL_LOSS : TOL_GRAD),
                      "int32 ids: %s differs from "
                      "torch's by %.3g",
                      check[k], err);
    }
    tu_rmtree(tmp);
}
END_TEST

/* ---- bad inputs of rnn grad ------------------------------------------------------------------ */

static void write_ints(const char *path, size_t T, size_t B, const int64_t *v)
{
    const size_t shape[2] = {T, B};
    ck_assert_int_eq(npy_write(path, NPY_I64, 2, shape, v), CM_OK);
}

static void copy_fixture_input(const char *fcase, const char *name, const char *dir)
{
    npy_array *a = read_fixture(fcase, "inputs", name);
    char path[800];
    snprintf(path, sizeof path, "%s/%s.npy", dir, name);
    ck_assert_int_eq(npy_write(path, a->dtype, a->ndim, a->shape, a->data), CM_OK);
    npy_free(a);
}

typedef enum {
    BAD_X_RANGE,    /* a character id V */
    BAD_Y_RANGE,    /* a target -2 */
    BAD_X_FLOAT,    /* x.npy of float64 */
    BAD_Y_SHAPE,    /* y.npy of (T, B + 1) */
    BAD_Y_NONE,     /* every target -1 */
    BAD_H0_SHAPE,   /* h0.npy of (L, B, H + 1) */
    BAD_H0_NAN,     /* h0.npy with a NaN */
    BAD_C0_MISSING, /* an LSTM without c0.npy */
    BAD_C0_EXTRA,   /* a GRU given c0.npy */
    BAD_X_MISSING,  /* no x.npy */
    BAD_NO_INPUTS,  /* no --inputs at all */
    BAD_COUNT
} bad_kind;

/* The input file each bad case spoils. */
static const char *bad_file(bad_kind kind)
{
    switch (kind) {
    case BAD_X_RANGE:
    case BAD_X_FLOAT:
    case BAD_X_MISSING:
        return "x.npy";
    case BAD_Y_RANGE:
    case BAD_Y_SHAPE:
    case BAD_Y_NONE:
        return "y.npy";
    case BAD_C0_MISSING:
    case BAD_C0_EXTRA:
        return "c0.npy";
    default:
        return "h0.npy";
    }
}

/* An inputs directory made of the fixture's files with one replaced or removed: exit 2, one
 * line on stderr naming the file, and no --out directory left behind. */
START_TEST(test_cli_grad_bad_inputs)
{
    bad_kind kind = (bad_kind)_i;
    const char *fcase = kind == BAD_C0_MISSING ? "lstm_l2" : "gru_l1";
    const char *tmp = tu_tmpdir("rnn-fixture-bad");
    char in[700], out[700], path[800], cmd[2048];
    snprintf(in, sizeof in, "%s/in", tmp);
    snprintf(out, sizeof out, "%s/out", tmp);
    mkdir(in, 0755);
    const char *names[] = {"x", "y", "h0", "c0"};
    for (int k = 0; k < (fcase[0] == 'l' ? 4 : 3); k++) copy_fixture_input(fcase, names[k], in);
    size_t T = 5, B = 3, V = 5, L = 1, H = 4;
    int64_t ids[5 * 4];
    for (size_t i = 0; i < T * (B + 1); i++) ids[i] = (int64_t)(i % V);
    snprintf(path, sizeof path, "%s/%s", in, bad_file(kind));
    double st[1 * 3 * 5];
    for (size_t i = 0; i < sizeof st / sizeof *st; i++) st[i] = 0.1 * (double)i;
    const size_t sshape[3] = {L, B, H + (kind == BAD_H0_SHAPE)};
    switch (kind) {
    case BAD_X_RANGE:
        ids[7] = (int64_t)V;
        write_ints(path, T, B, ids);
        break;
    case BAD_Y_RANGE:
        ids[2] = -2;
        write_ints(path, T, B, ids);
        break;
    case BAD_X_FLOAT: {
        const size_t shape[2] = {T, B};
        ck_assert_int_eq(npy_write_f64(path, 2, shape, st), CM_OK);
        break;
    }
    case BAD_Y_SHAPE:
        write_ints(path, T, B + 1, ids);
        break;
    case BAD_Y_NONE:
        for (size_t i = 0; i < T * B; i++) ids[i] = -1;
        write_ints(path, T, B, ids);
        break;
    case BAD_H0_SHAPE:
    case BAD_H0_NAN:
    case BAD_C0_EXTRA:
        if (kind == BAD_H0_NAN) st[4] = NAN;
        ck_assert_int_eq(npy_write_f64(path, 3, sshape, st), CM_OK);
        break;
    case BAD_C0_MISSING:
    case BAD_X_MISSING:
        ck_assert_int_eq(remove(path), 0);
        break;
    default:
        break;
    }
    snprintf(cmd, sizeof cmd, "%s/rnn grad --load " FIX_DIR "/%s/ckpt %s%s --out %s --quiet",
             tu_bin_dir(), fcase, kind == BAD_NO_INPUTS ? "" : "--inputs ",
             kind == BAD_NO_INPUTS ? "" : in, out);
    char *so = NULL, *se = NULL;
    int status = tu_run(cmd, &so, &se);
    ck_assert_msg(status == 2, "case %d: %s: exit %d, expected 2 (stderr: %s)", kind, cmd, status,
                  se ? se : "");
    ck_assert_msg(se && strlen(se) > 10 && strchr(se, '\n') == se + strlen(se) - 1,
                  "case %d: expected one line on stderr, got '%s'", kind, se ? se : "");
    /* the message names the file at fault (or the missing option) */
    const char *want = kind == BAD_NO_INPUTS ? "--inputs" : strrchr(path, '/') + 1;
    ck_assert_msg(strstr(se, want), "case %d: the message '%s' does not name %s", kind, se, want);
    struct stat sb;
    ck_assert_msg(stat(out, &sb) != 0, "case %d: --out was created by a failing run", kind);
    free(so), free(se);
    tu_rmtree(tmp);
}
END_TEST

Suite *suite_rnn_fixtures(void)
{
    Suite *s = suite_create("rnn_fixtures");
    TCase *lib = tcase_create("library");
    tcase_add_loop_test(lib, test_fixture_matches_torch, 0, N_CASES);
    tcase_add_test(lib, test_fixture_catches_a_change);
    suite_add_tcase(s, lib);
    TCase *cli = tcase_create("grad");
    tcase_set_timeout(cli, 60);
    tcase_add_loop_test(cli, test_cli_grad_matches_torch, 0, N_CASES);
    tcase_add_test(cli, test_cli_grad_int32_ids);
    tcase_add_loop_test(cli, test_cli_grad_bad_inputs, 0, BAD_COUNT);
    suite_add_tcase(s, cli);
    return s;
}
