/* train.c: the training loop of chapter 05 (train.h). */
#include "train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

#include "error.h"
#include "logger.h"
#include "optim.h"
#include "progress.h"

void score_fill_batch(score_batch *b, size_t B, const gsl_matrix *data, const double *sigmas,
                      size_t L, gsl_rng *r)
{
    /* row pointers rather than gsl_matrix_get/set, which this build calls out of line (no
     * HAVE_INLINE) with range checks: a few percent of a training step */
    for (size_t i = 0; i < B; i++) {
        size_t j = gsl_rng_uniform_int(r, data->size1);
        const double *d = gsl_matrix_const_ptr(data, j, 0);
        double *x = gsl_matrix_ptr(b->X, i, 0), *z = gsl_matrix_ptr(b->Z, i, 0),
               *v = gsl_matrix_ptr(b->V, i, 0);
        x[0] = d[0], x[1] = d[1];
        b->sigma[i] = sigmas[gsl_rng_uniform_int(r, L)]; /* NCSN: a level uniformly per row */
        for (size_t k = 0; k < 2; k++) {
            z[k] = gsl_ran_gaussian_ziggurat(r, 1.0);
            v[k] = gsl_ran_gaussian_ziggurat(r, 1.0);
        }
    }
}

int score_train(score_net *m, const gsl_matrix *data, const score_train_cfg *cfg, gsl_rng *r,
                double *loss_hist)
{
    size_t B = cfg->batch;
    if (B > m->cap) return cm_error(CM_EINVAL, "batch %zu exceeds the model's %zu", B, m->cap);
    score_batch *b = score_batch_alloc(B);
    double *last_good = cm_calloc(m->p->size, sizeof(double));
    adam opt;
    int st = adam_init(&opt, m->p->size, cfg->lr, 0.9, 0.999, 1e-8, 0.0);
    if (!b || !last_good || st) {
        score_batch_free(b);
        free(last_good);
        if (!st) adam_free(&opt);
        return CM_ENOMEM;
    }
    long t0 = 0;    /* steps already taken (--resume) */
    double avg = 0; /* the loss averaged over the last `every` steps, for the log */
    if (cfg->resume) {
        st = tstate_get_long(cfg->resume, "step", &t0);
        if (!st) st = tstate_get_double(cfg->resume, "log_sum", &avg);
        if (!st) st = tstate_get_adam(cfg->resume, &opt);
        if (!st) st = tstate_get_rng(cfg->resume, "rng", r);
        if (!st && (t0 < 0 || t0 >= cfg->steps))
            st = cm_error(CM_EFORMAT, "resume state: step %ld outside a run of %ld steps", t0,
                          cfg->steps);
        if (!st && loss_hist) st = tstate_get_array(cfg->resume, "losses", loss_hist, (size_t)t0);
        if (st) {
            adam_free(&opt);
            score_batch_free(b);
            free(last_good);
            return st;
        }
    }
    if (cfg->interrupted) *cfg->interrupted = 0;
    csvlog *log = NULL;
    if (cfg->log_path &&
        !(log = csvlog_open_run(cfg->log_path, "step,loss,grad_norm", cfg->resume != NULL))) {
        st = CM_EIO;
        goto done;
    }
    if ((st = intr_install()) != CM_OK) goto done;
    char label[64];
    snprintf(label, sizeof label, "train %s", score_objective_name(cfg->obj));
    progress *pg = progress_start(label, cfg->steps, "step", cfg->quiet);
    long every = cfg->steps / 200 > 0 ? cfg->steps / 200 : 1;
    for (long t = t0; t < cfg->steps; t++) {
        score_fill_batch(b, B, data, cfg->sigmas, cfg->L, r);
        params_zero_grad(m->p);
        double L = score_loss(m, cfg->obj, b, B, 1);
        double gn = params_grad_norm(m->p);
        if (!isfinite(L) || !isfinite(gn)) {
            memcpy(m->p->data, last_good, m->p->size * sizeof(double));
            progress_abort(pg);
            st = cm_error(CM_ENOTFINITE,
                          "training (%s) diverged at step %ld: loss %g, gradient norm %g; the "
                          "weights of step %ld are kept (try a smaller --lr)",
                          score_objective_name(cfg->obj), t + 1, L, gn, t);
            goto done;
        }
        memcpy(last_good, m->p->data, m->p->size * sizeof(double));
        /* cosine decay to 1% of the rate: the denoising target is noisy (its variance grows as
         * sigma falls), and a falling rate averages that noise out at the end */
        opt.lr = lr_at(LR_COSINE, cfg->lr, t, cfg->steps, 0.01);
        adam_step(&opt, m->p->data, m->p->grad);
        if (loss_hist) loss_hist[t] = L;
        avg += L;
        if ((t + 1) % every == 0 || t + 1 == cfg->steps) {
            long k = (t + 1) % every == 0 ? every : (t + 1) % every;
            double row[3] = {(double)(t + 1), avg / (double)k, gn};
            if (log && (st = csvlog_row(log, row, 3)) != CM_OK) {
                progress_abort(pg);
                goto done;
            }
            progress_update(pg, t + 1, avg / (double)k);
            avg = 0;
        }
        if (cfg->last_step) *cfg->last_step = t + 1;
        if (t + 1 < cfg->steps && intr_poll(t + 1)) {
            /* stop between steps, with everything the rest of the run depends on */
            progress_abort(pg);
            if (cfg->interrupted) *cfg->interrupted = intr_pending();
            if (!cfg->ckpt_dir) goto done;
            tstate *ts = tstate_alloc();
            if (!ts) {
                st = CM_ENOMEM;
                goto done;
            }
            st = tstate_set_long(ts, "step", t + 1);
            if (!st) st = tstate_set_double(ts, "log_sum", avg);
            if (!st) st = tstate_set_adam(ts, &opt);
            if (!st) st = tstate_set_rng(ts, "rng", r);
            if (!st && loss_hist) st = tstate_set_array(ts, "losses", loss_hist, (size_t)(t + 1));
            if (!st) st = ckpt_save_tstate(cfg->ckpt_dir, m->p, cfg->hp, ts);
            tstate_free(ts);
            goto done;
        }
    }
    progress_finish(pg);
done:
    intr_uninstall();
    if (log) {
        int cst = csvlog_close(log);
        if (!st) st = cst;
    }
    adam_free(&opt);
    score_batch_free(b);
    free(last_good);
    return st;
}
