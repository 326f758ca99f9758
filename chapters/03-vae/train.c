/* train.c: the training loop (see train.h). */
#include "train.h"

#include <math.h>
#include <stdlib.h>

#include "dataset.h"
#include "error.h"
#include "eval.h"
#include "logger.h"
#include "matrix.h"
#include "optim.h"
#include "progress.h"
#include "timer.h"

double vae_tau_at(const vae_train_cfg *cfg, long step, long total)
{
    if (cfg->tau_min >= cfg->tau0 || total <= 0) return cfg->tau0;
    double rate = log(cfg->tau0 / cfg->tau_min) / (cfg->anneal_frac * (double)total);
    double tau = cfg->tau0 * exp(-rate * (double)step);
    return tau > cfg->tau_min ? tau : cfg->tau_min;
}

void vae_train_result_free(vae_train_result *res)
{
    free(res->curve_train);
    free(res->curve_test);
    res->curve_train = res->curve_test = NULL;
}

int vae_train(vae_model *m, const gsl_matrix *Xtr, const gsl_matrix *Xte, const vae_train_cfg *cfg,
              gsl_rng *r, vae_train_result *res)
{
    *res = (vae_train_result){.bad_step = -1};
    if (cfg->epochs < 1) return cm_error(CM_EINVAL, "nothing to train: %ld epochs", cfg->epochs);
    if (cfg->batch == 0 || cfg->batch > m->cap)
        return cm_error(CM_EINVAL, "batch %zu outside 1..%zu (the workspace)", cfg->batch, m->cap);
    size_t n = Xtr->size1, D = Xtr->size2, B = cfg->batch;
    long per_epoch = (long)((n + B - 1) / B), total = per_epoch * cfg->epochs, step = 0;
    int st = CM_OK;
    cm_timer tm;
    timer_start(&tm);
    gsl_matrix *Xb = cm_matrix_calloc(B, D);
    res->curve_train = cm_calloc((size_t)cfg->epochs, sizeof(double));
    res->curve_test = cm_calloc((size_t)cfg->epochs, sizeof(double));
    batcher bt = {0};
    adam opt = {0};
    csvlog *log = NULL;
    progress *prog = NULL;
    if (!Xb || !res->curve_train || !res->curve_test) {
        st = cm_error(CM_ENOMEM, "out of memory for training");
        goto done;
    }
    if ((st = batcher_init(&bt, n, B)) != CM_OK) goto done;
    /* torch.optim.Adam(lr, betas=(0.9, 0.999), eps=1e-8) */
    if ((st = adam_init(&opt, m->p->size, cfg->lr, 0.9, 0.999, 1e-8, 0.0)) != CM_OK) goto done;
    if (cfg->log_path &&
        !(log =
              csvlog_open(cfg->log_path, "step,epoch,loss,recon,kl,tau,grad_norm,test_neg_elbo"))) {
        st = CM_EIO;
        goto done;
    }
    if (cfg->hp && (st = vae_model_hparams(m, cfg->hp)) != CM_OK) goto done;
    prog = progress_start(cfg->label ? cfg->label : "train", cfg->epochs, "epoch", cfg->quiet);
    for (long e = 1; e <= cfg->epochs; e++) {
        double sum = 0.0, sr = 0.0, sk = 0.0, gnorm = 0.0;
        size_t mb, seen = 0;
        const size_t *idx;
        batcher_shuffle(&bt, r);
        while ((mb = batcher_next(&bt, &idx)) > 0) {
            gsl_matrix_view X = cm_matrix_rows(Xb, mb);
            dataset_gather_rows(Xtr, idx, mb, &X.matrix);
            if (m->kind == VAE_CAT) m->tau = vae_tau_at(cfg, step, total);
            double rec, kl, L = vae_model_step(m, &X.matrix, r, &rec, &kl);
            step++;
            if (!isfinite(L)) {
                res->bad_step = step;
                st = cm_error(CM_ENOTFINITE, "loss is %s at step %ld (epoch %ld)",
                              isnan(L) ? "nan" : "inf", step, e);
                goto done;
            }
            gnorm = params_grad_norm(m->p);
            adam_step(&opt, m->p->data, m->p->grad);
            sum += L * (double)mb;
            sr += rec * (double)mb;
            sk += kl * (double)mb;
            seen += mb;
        }
        res->steps = step;
        res->loss = sum / (double)seen;
        res->recon = sr / (double)seen;
        res->kl = sk / (double)seen;
        res->curve_train[e - 1] = res->loss;
        res->test_neg_elbo = NAN;
        if (Xte) {
            vae_eval_result ev;
            vae_evaluate(m, Xte, 1, r, &ev);
            res->test_neg_elbo = ev.neg_elbo;
        }
        res->curve_test[e - 1] = res->test_neg_elbo;
        res->epochs_run = e;
        progress_update(prog, e, res->loss);
        if (log) {
            double row[] = {(double)step, (double)e, res->loss, res->recon,
                            res->kl,      m->tau,    gnorm,     res->test_neg_elbo};
            if ((st = csvlog_row(log, row, 8)) != CM_OK) goto done;
        }
        if (cfg->ckpt_dir && params_all_finite(m->p)) {
            if (cfg->hp && ((st = hparams_set_long(cfg->hp, "epoch", e)) != CM_OK ||
                            (st = hparams_set_double(cfg->hp, "tau", m->tau)) != CM_OK))
                goto done;
            if ((st = ckpt_save(cfg->ckpt_dir, m->p, cfg->hp)) != CM_OK) goto done;
        }
    }
done:
    res->seconds = timer_elapsed(&tm);
    if (st == CM_OK)
        progress_finish(prog);
    else
        progress_abort(prog);
    if (log && csvlog_close(log) != CM_OK && st == CM_OK) st = CM_EIO;
    adam_free(&opt);
    batcher_free(&bt);
    cm_matrix_free(Xb);
    return st;
}
