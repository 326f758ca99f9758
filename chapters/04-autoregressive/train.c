/* train.c: the training loop (see train.h). */
#include "train.h"

#include <math.h>
#include <stdlib.h>

#include "dataset.h"
#include "error.h"
#include "logger.h"
#include "matrix.h"
#include "optim.h"
#include "progress.h"
#include "timer.h"

void ar_train_result_free(ar_train_result *res)
{
    free(res->curve_train);
    free(res->curve_test);
    res->curve_train = res->curve_test = NULL;
}

/* The checkpoint after `epochs` whole epochs and `step` steps, with what --resume needs: Adam,
 * the generator, the shuffled order, the position, sum and last gradient norm of an epoch
 * interrupted half-way, and the curves so far. */
static int save(ar_model *m, const ar_train_cfg *cfg, long epochs, long step, const batcher *bt,
                const adam *opt, const gsl_rng *r, double sum, size_t seen, double gnorm,
                const ar_train_result *res)
{
    int st = cfg->hp ? hparams_set_long(cfg->hp, "epoch", epochs) : CM_OK;
    tstate *t = tstate_alloc();
    if (!t) return CM_ENOMEM;
    st = st ? st : tstate_set_long(t, "step", step);
    st = st ? st : tstate_set_long(t, "epoch", epochs);
    st = st ? st : tstate_set_batcher(t, bt);
    st = st ? st : tstate_set_double(t, "loss_sum", sum);
    st = st ? st : tstate_set_long(t, "seen", (long)seen);
    st = st ? st : tstate_set_double(t, "grad_norm", gnorm);
    st = st ? st : tstate_set_double(t, "test_nll", res->test_nll);
    st = st ? st : tstate_set_rng(t, "rng", r);
    st = st ? st : tstate_set_adam(t, opt);
    st = st ? st : tstate_set_array(t, "curve_train", res->curve_train, (size_t)cfg->epochs);
    st = st ? st : tstate_set_array(t, "curve_test", res->curve_test, (size_t)cfg->epochs);
    st = st ? st : ckpt_save_tstate(cfg->ckpt_dir, m->p, cfg->hp, t);
    tstate_free(t);
    return st;
}

/* The inverse of save(). */
static int restore(const tstate *t, const ar_train_cfg *cfg, long *epochs, long *step, batcher *bt,
                   adam *opt, gsl_rng *r, double *sum, size_t *seen, double *gnorm,
                   ar_train_result *res)
{
    long nseen;
    int st = tstate_get_long(t, "step", step);
    st = st ? st : tstate_get_long(t, "epoch", epochs);
    st = st ? st : tstate_get_batcher(t, bt);
    st = st ? st : tstate_get_double(t, "loss_sum", sum);
    st = st ? st : tstate_get_long(t, "seen", &nseen);
    st = st ? st : tstate_get_double(t, "grad_norm", gnorm);
    st = st ? st : tstate_get_double(t, "test_nll", &res->test_nll);
    st = st ? st : tstate_get_rng(t, "rng", r);
    st = st ? st : tstate_get_adam(t, opt);
    st = st ? st : tstate_get_array(t, "curve_train", res->curve_train, (size_t)cfg->epochs);
    st = st ? st : tstate_get_array(t, "curve_test", res->curve_test, (size_t)cfg->epochs);
    if (st != CM_OK) return st;
    if (nseen < 0) return cm_error(CM_EFORMAT, "resume state: %ld rows seen", nseen);
    if (*epochs < 0 || *epochs >= cfg->epochs)
        return cm_error(CM_EFORMAT, "resume state: epoch %ld outside a run of %ld epochs", *epochs,
                        cfg->epochs);
    *seen = (size_t)nseen;
    res->epochs_run = *epochs;
    return CM_OK;
}

int ar_train(ar_model *m, const gsl_matrix *Xtr, const gsl_matrix *Xte, const ar_train_cfg *cfg,
             gsl_rng *r, ar_train_result *res)
{
    *res = (ar_train_result){.bad_step = -1, .test_nll = NAN};
    if (cfg->epochs < 1) return cm_error(CM_EINVAL, "nothing to train: %ld epochs", cfg->epochs);
    if (cfg->batch < 1 || cfg->batch > m->cap)
        return cm_error(CM_EINVAL, "batch %zu outside 1..%zu (the workspace)", cfg->batch, m->cap);
    const size_t B = cfg->batch, D = m->D, n = (size_t)cfg->epochs;
    int st = CM_OK;
    gsl_matrix *Xb = cm_matrix_calloc(B, D);
    res->curve_train = cm_calloc(n, sizeof(double));
    res->curve_test = cm_calloc(n, sizeof(double));
    batcher bt = {0};
    adam opt = {0};
    csvlog *log = NULL;
    progress *prog = NULL;
    if (!Xb || !res->curve_train || !res->curve_test) {
        st = CM_ENOMEM;
        goto done;
    }
    if ((st = batcher_init(&bt, Xtr->size1, B)) != CM_OK) goto done;
    if ((st = adam_init(&opt, m->p->size, cfg->lr, 0.9, 0.999, 1e-8, 0.0)) != CM_OK) goto done;
    long step = 0, e0 = 0; /* e0: epochs completed before this call (--resume) */
    double sum = 0.0, gnorm = 0.0;
    size_t seen = 0;
    int mid_epoch = 0;
    if (cfg->resume) {
        st = restore(cfg->resume, cfg, &e0, &step, &bt, &opt, r, &sum, &seen, &gnorm, res);
        if (st != CM_OK) goto done;
        mid_epoch = bt.pos < bt.n;
    }
    if (cfg->log_path &&
        !(log = csvlog_open_run(cfg->log_path, "step,epoch,train_nll,grad_norm,test_nll",
                                cfg->resume != NULL))) {
        st = CM_EIO;
        goto done;
    }
    if ((st = intr_install()) != CM_OK) goto done;
    prog = progress_start(cfg->label ? cfg->label : "train", cfg->epochs, "epoch", cfg->quiet);
    for (long e = e0; e < cfg->epochs; e++) {
        double t0 = timer_now();
        size_t mb;
        const size_t *idx;
        if (mid_epoch) {
            mid_epoch = 0; /* the interrupted epoch goes on with its order and sum */
        } else {
            sum = gnorm = 0.0;
            seen = 0;
            batcher_shuffle(&bt, r);
        }
        while ((mb = batcher_next(&bt, &idx)) > 0) {
            gsl_matrix_view X = cm_matrix_rows(Xb, mb);
            dataset_gather_rows(Xtr, idx, mb, &X.matrix);
            size_t k = m->K > 1 ? gsl_rng_uniform_int(r, m->K) : 0; /* MADE: one ordering */
            double L = ar_model_loss_backward(m, &X.matrix, k);
            step++;
            if (!isfinite(L)) {
                res->bad_step = step;
                st = cm_error(CM_ENOTFINITE, "loss is %s at step %ld (epoch %ld)",
                              isnan(L) ? "nan" : "inf", step, e + 1);
                goto done;
            }
            if (seen + mb == Xtr->size1) gnorm = params_grad_norm(m->p); /* the log's: last batch */
            adam_step(&opt, m->p->data, m->p->grad);
            sum += L * (double)mb;
            seen += mb;
            res->last_step = step;
            if (intr_poll(step) && bt.pos < bt.n) {
                /* stop between steps; at the end of an epoch its checkpoint comes first */
                res->signal = intr_pending();
                res->steps = step;
                if (cfg->ckpt_dir && !cfg->ckpt_last_only && params_all_finite(m->p))
                    st = save(m, cfg, e, step, &bt, &opt, r, sum, seen, gnorm, res);
                goto done;
            }
        }
        res->seconds += timer_now() - t0;
        res->steps = step;
        res->train_nll = res->curve_train[e] = sum / (double)seen;
        if (Xte && (cfg->eval_each_epoch || e + 1 == cfg->epochs))
            res->test_nll = ar_model_nll(m, Xte);
        res->curve_test[e] = res->test_nll;
        res->epochs_run = e + 1;
        progress_update(prog, e + 1, res->train_nll);
        if (log) {
            double row[] = {(double)step, (double)(e + 1), res->train_nll, gnorm, res->test_nll};
            if ((st = csvlog_row(log, row, 5)) != CM_OK) goto done;
        }
        if (cfg->ckpt_dir && (!cfg->ckpt_last_only || e + 1 == cfg->epochs) &&
            params_all_finite(m->p) &&
            (st = save(m, cfg, e + 1, step, &bt, &opt, r, sum, seen, gnorm, res)) != CM_OK)
            goto done;
        if (e + 1 < cfg->epochs && (res->signal = intr_pending()) != 0) goto done;
    }
done:
    intr_uninstall();
    if (st == CM_OK && !res->signal)
        progress_finish(prog);
    else
        progress_abort(prog);
    if (log && csvlog_close(log) != CM_OK && st == CM_OK) st = CM_EIO;
    adam_free(&opt);
    batcher_free(&bt);
    cm_matrix_free(Xb);
    if (st != CM_OK) ar_train_result_free(res); /* the numbers (bad_step, ...) stay */
    return st;
}
