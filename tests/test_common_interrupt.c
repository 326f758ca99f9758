/* Tests of common/interrupt.c: the SIGINT/SIGTERM flag and its exit statuses, the
 * CM_INTERRUPT_AT test hook, and the resume state a checkpoint carries (counters, arrays,
 * index vectors, generator states, optimizer moments), saved atomically beside the tensors. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checkpoint.h"
#include "error.h"
#include "interrupt.h"
#include "testutil.h"

static char dir[512];
static char ckpt[700];

static void setup(void)
{
    snprintf(dir, sizeof dir, "%s", tu_tmpdir("intr"));
    snprintf(ckpt, sizeof ckpt, "%s/ck", dir);
    unsetenv("CM_INTERRUPT_AT");
}

static void teardown(void)
{
    intr_uninstall();
    intr_clear();
    unsetenv("CM_INTERRUPT_AT");
    tu_rmtree(dir);
}

START_TEST(test_signal_sets_flag)
{
    ck_assert_int_eq(intr_install(), CM_OK);
    ck_assert_int_eq(intr_pending(), 0);
    ck_assert_int_eq(intr_poll(5), 0);
    raise(SIGTERM); /* the handler only records it: the process goes on */
    ck_assert_int_eq(intr_pending(), SIGTERM);
    ck_assert_int_eq(intr_poll(6), SIGTERM);
    ck_assert_int_eq(intr_exit_status(SIGTERM), 143);
    ck_assert_int_eq(intr_exit_status(SIGINT), 130);
    intr_clear();
    raise(SIGINT);
    ck_assert_int_eq(intr_pending(), SIGINT);
    ck_assert_str_eq(intr_signame(SIGINT), "SIGINT");
    /* a new install forgets the old signal */
    ck_assert_int_eq(intr_install(), CM_OK);
    ck_assert_int_eq(intr_pending(), 0);
}
END_TEST

START_TEST(test_hook_raises_at_step)
{
    setenv("CM_INTERRUPT_AT", "3:TERM", 1);
    ck_assert_int_eq(intr_install(), CM_OK);
    for (long s = 0; s < 3; s++) ck_assert_int_eq(intr_poll(s), 0);
    ck_assert_int_eq(intr_poll(3), SIGTERM);
    setenv("CM_INTERRUPT_AT", "7", 1);
    ck_assert_int_eq(intr_install(), CM_OK);
    ck_assert_int_eq(intr_poll(6), 0);
    ck_assert_int_eq(intr_poll(7), SIGINT);
    const char *bad[] = {"x", "3:KILL", "-1", "4:"};
    for (int i = 0; i < 4; i++) {
        setenv("CM_INTERRUPT_AT", bad[i], 1);
        ck_assert_int_eq(intr_install(), CM_EINVAL);
        ck_assert_ptr_nonnull(strstr(cm_errmsg(), "CM_INTERRUPT_AT"));
    }
}
END_TEST

START_TEST(test_report_line)
{
    cm_set_progname("prog");
    tu_stderr_begin();
    int code = intr_report(SIGINT, 42, "out/x/ckpt", NULL);
    char *err = tu_stderr_end();
    ck_assert_int_eq(code, 130);
    ck_assert_str_eq(err, "prog: interrupted by SIGINT after step 42; checkpoint out/x/ckpt "
                          "(continue with --resume out/x/ckpt)\n");
    free(err);
}
END_TEST

static params *model(void)
{
    params *p = params_alloc();
    ck_assert_int_ge(params_declare2(p, "w", 3, 4), 0);
    ck_assert_int_ge(params_declare1(p, "b", 3), 0);
    ck_assert_int_eq(params_commit(p), CM_OK);
    tu_fill(p->data, p->size, 1.0, 0.3);
    return p;
}

START_TEST(test_state_roundtrip)
{
    params *p = model();
    hparams h;
    hparams_init(&h);
    hparams_set_long(&h, "epoch", 2);
    adam o;
    ck_assert_int_eq(adam_init(&o, p->size, 1e-3, 0.9, 0.999, 1e-8, 0.0), CM_OK);
    for (int k = 0; k < 3; k++) {
        tu_fill(p->grad, p->size, 0.7, 0.1 * k);
        adam_step(&o, p->data, p->grad);
    }
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7);
    for (int k = 0; k < 100; k++) gsl_rng_get(r);
    size_t order[5] = {4, 0, 3, 1, 2};
    double sums[2] = {1.0 / 3.0, -2e-300};

    tstate *t = tstate_alloc();
    ck_assert_int_eq(tstate_set_long(t, "step", 123), CM_OK);
    ck_assert_int_eq(tstate_set_double(t, "loss_sum", 0.1 + 0.2), CM_OK);
    ck_assert_int_eq(tstate_set_adam(t, &o), CM_OK);
    ck_assert_int_eq(tstate_set_rng(t, "rng", r), CM_OK);
    ck_assert_int_eq(tstate_set_index(t, "order", order, 5), CM_OK);
    ck_assert_int_eq(tstate_set_array(t, "sums", sums, 2), CM_OK);
    ck_assert_int_eq(ckpt_save_tstate(ckpt, p, &h, t), CM_OK);
    tstate_free(t);
    ck_assert(ckpt_has_tstate(ckpt));

    /* the model's own loader still sees only its tensors (the state is in resume/) */
    params *q = model();
    memset(q->data, 0, q->size * sizeof(double));
    ck_assert_int_eq(ckpt_load_params(ckpt, q), CM_OK);
    ck_assert_mem_eq(q->data, p->data, p->size * sizeof(double));

    tstate *u = tstate_alloc();
    ck_assert_int_eq(ckpt_load_tstate(ckpt, u), CM_OK);
    long step;
    double ls;
    ck_assert_int_eq(tstate_get_long(u, "step", &step), CM_OK);
    ck_assert_int_eq(step, 123);
    ck_assert_int_eq(tstate_get_double(u, "loss_sum", &ls), CM_OK);
    ck_assert(ls == 0.1 + 0.2); /* exactly */
    adam o2;
    ck_assert_int_eq(adam_init(&o2, p->size, 1e-3, 0.9, 0.999, 1e-8, 0.0), CM_OK);
    ck_assert_int_eq(tstate_get_adam(u, &o2), CM_OK);
    ck_assert_int_eq(o2.t, 3);
    ck_assert_mem_eq(o2.m, o.m, p->size * sizeof(double));
    ck_assert_mem_eq(o2.v, o.v, p->size * sizeof(double));
    gsl_rng *r2 = gsl_rng_alloc(gsl_rng_mt19937);
    ck_assert_int_eq(tstate_get_rng(u, "rng", r2), CM_OK);
    for (int k = 0; k < 10; k++) ck_assert_uint_eq(gsl_rng_get(r2), gsl_rng_get(r));
    size_t order2[5];
    ck_assert_int_eq(tstate_get_index(u, "order", order2, 5), CM_OK);
    ck_assert_mem_eq(order2, order, sizeof order);
    double sums2[2];
    ck_assert_int_eq(tstate_get_array(u, "sums", sums2, 2), CM_OK);
    ck_assert_mem_eq(sums2, sums, sizeof sums);

    /* wrong lengths, missing keys and another generator type are errors naming the file */
    ck_assert_int_eq(tstate_get_index(u, "order", order2, 4), CM_ESHAPE);
    ck_assert_int_eq(tstate_get_long(u, "epoch", &step), CM_EFORMAT);
    ck_assert_int_eq(tstate_get_array(u, "missing", sums2, 2), CM_EIO);
    gsl_rng *r3 = gsl_rng_alloc(gsl_rng_taus2);
    ck_assert_int_eq(tstate_get_rng(u, "rng", r3), CM_ESHAPE);
    ck_assert_ptr_nonnull(strstr(cm_errmsg(), "mt19937"));

    /* a truncated generator file is refused and leaves the generator as it was */
    char path[1024];
    snprintf(path, sizeof path, "%s/resume/rng.rng", ckpt);
    ck_assert_int_eq(truncate(path, 100), 0);
    gsl_rng_set(r2, 1);
    unsigned long first = gsl_rng_get(r2);
    gsl_rng_set(r2, 1);
    ck_assert_int_eq(tstate_get_rng(u, "rng", r2), CM_EFORMAT);
    ck_assert_uint_eq(gsl_rng_get(r2), first);

    tstate_free(u);
    gsl_rng_free(r);
    gsl_rng_free(r2);
    gsl_rng_free(r3);
    adam_free(&o);
    adam_free(&o2);
    hparams_free(&h);
    params_free(p);
    params_free(q);
}
END_TEST

START_TEST(test_sgd_state_and_plain_checkpoint)
{
    params *p = model();
    hparams h;
    hparams_init(&h);
    sgd o;
    ck_assert_int_eq(sgd_init(&o, p->size, 0.1, 0.9, 0.0, 0), CM_OK);
    tu_fill(p->grad, p->size, 1.0, 0.5);
    sgd_step(&o, p->data, p->grad);
    /* a checkpoint saved without a state has none, and says so when asked for one */
    char missing[800];
    snprintf(missing, sizeof missing, "%s/none", dir);
    ck_assert_int_eq(ckpt_check_resumable(missing), CM_EIO);
    ck_assert_int_eq(ckpt_save(ckpt, p, &h), CM_OK);
    ck_assert(!ckpt_has_tstate(ckpt));
    ck_assert_int_eq(ckpt_check_resumable(ckpt), CM_EFORMAT);
    tstate *u = tstate_alloc();
    ck_assert_int_eq(ckpt_load_tstate(ckpt, u), CM_EFORMAT);
    ck_assert_ptr_nonnull(strstr(cm_errmsg(), "no resume state"));
    tstate_free(u);

    tstate *t = tstate_alloc();
    ck_assert_int_eq(tstate_set_sgd(t, &o), CM_OK);
    ck_assert_int_eq(ckpt_save_tstate(ckpt, p, &h, t), CM_OK);
    tstate_free(t);
    ck_assert_int_eq(ckpt_check_resumable(ckpt), CM_OK);
    sgd o2;
    ck_assert_int_eq(sgd_init(&o2, p->size, 0.1, 0.9, 0.0, 0), CM_OK);
    u = tstate_alloc();
    ck_assert_int_eq(ckpt_load_tstate(ckpt, u), CM_OK);
    ck_assert_int_eq(tstate_get_sgd(u, &o2), CM_OK);
    ck_assert_int_eq(o2.steps, 1);
    ck_assert_mem_eq(o2.buf, o.buf, p->size * sizeof(double));
    /* and saving again without a state drops the old one with the old checkpoint */
    ck_assert_int_eq(ckpt_save(ckpt, p, &h), CM_OK);
    ck_assert(!ckpt_has_tstate(ckpt));
    tstate_free(u);
    sgd_free(&o);
    sgd_free(&o2);
    hparams_free(&h);
    params_free(p);
}
END_TEST

/* A batcher's place in its epoch round-trips, and a forged one is refused: a position past the
 * end, an order with a repeated or an out-of-range row (which would index rows that do not
 * exist). */
static int save_batcher_state(const params *p, long pos, const size_t *order, size_t n)
{
    hparams h;
    hparams_init(&h);
    tstate *t = tstate_alloc();
    int st = tstate_set_long(t, "pos", pos);
    if (!st) st = tstate_set_index(t, "order", order, n);
    if (!st) st = ckpt_save_tstate(ckpt, p, &h, t);
    tstate_free(t);
    hparams_free(&h);
    return st;
}

static int load_batcher_state(batcher *b)
{
    tstate *u = tstate_alloc();
    int st = ckpt_load_tstate(ckpt, u);
    if (!st) st = tstate_get_batcher(u, b);
    tstate_free(u);
    return st;
}

START_TEST(test_batcher_state)
{
    params *p = model();
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    batcher b, c;
    ck_assert_int_eq(batcher_init(&b, 6, 4), CM_OK);
    ck_assert_int_eq(batcher_init(&c, 6, 4), CM_OK);
    batcher_shuffle(&b, r);
    const size_t *idx;
    ck_assert_uint_eq(batcher_next(&b, &idx), 4);
    hparams h;
    hparams_init(&h);
    tstate *t = tstate_alloc();
    ck_assert_int_eq(tstate_set_batcher(t, &b), CM_OK);
    ck_assert_int_eq(ckpt_save_tstate(ckpt, p, &h, t), CM_OK);
    tstate_free(t);
    hparams_free(&h);
    ck_assert_int_eq(load_batcher_state(&c), CM_OK);
    ck_assert_uint_eq(c.pos, 4);
    ck_assert_mem_eq(c.perm, b.perm, 6 * sizeof(size_t));

    size_t good[6] = {5, 4, 3, 2, 1, 0}, twice[6] = {5, 4, 3, 3, 1, 0},
           beyond[6] = {0, 1, 2, 3, 4, 6};
    ck_assert_int_eq(save_batcher_state(p, 6, good, 6), CM_OK); /* the end of an epoch */
    ck_assert_int_eq(load_batcher_state(&c), CM_OK);
    ck_assert_uint_eq(c.pos, 6);
    ck_assert_int_eq(save_batcher_state(p, 7, good, 6), CM_OK);
    ck_assert_int_eq(load_batcher_state(&c), CM_EFORMAT);
    ck_assert_ptr_nonnull(strstr(cm_errmsg(), "position 7 outside the epoch of 6 rows"));
    ck_assert_int_eq(save_batcher_state(p, 0, twice, 6), CM_OK);
    ck_assert_int_eq(load_batcher_state(&c), CM_EFORMAT);
    ck_assert_ptr_nonnull(strstr(cm_errmsg(), "not a permutation"));
    ck_assert_int_eq(save_batcher_state(p, 0, beyond, 6), CM_OK);
    ck_assert_int_eq(load_batcher_state(&c), CM_EFORMAT);
    ck_assert_ptr_nonnull(strstr(cm_errmsg(), "not a permutation"));
    batcher_free(&b);
    batcher_free(&c);
    gsl_rng_free(r);
    params_free(p);
}
END_TEST

Suite *suite_common_interrupt(void)
{
    Suite *s = suite_create("common_interrupt");
    TCase *tc = tcase_create("interrupt");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_signal_sets_flag);
    tcase_add_test(tc, test_hook_raises_at_step);
    tcase_add_test(tc, test_report_line);
    tcase_add_test(tc, test_state_roundtrip);
    tcase_add_test(tc, test_sgd_state_and_plain_checkpoint);
    tcase_add_test(tc, test_batcher_state);
    suite_add_tcase(s, tc);
    return s;
}
