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

/* The running sums of an epoch (nats, weighted by the batch sizes) and its last gradient norm */
typedef struct {
    double loss, recon, kl, gnorm;
    size_t seen;
} epoch_sums;

/* The checkpoint after `epochs` whole epochs and `step` steps, with what --resume needs: Adam,
 * the generator, the shuffled order, the position and sums of an epoch interrupted half-way,
 * and the curves so far. */
static int save(vae_model *m, const vae_train_cfg *cfg, long epochs, long step, const batcher *bt,
                const adam *opt, const gsl_rng *r, const epoch_sums *es,
                const vae_train_result *res)
{
    int st = CM_OK;
    if (cfg->hp && ((st = hparams_set_long(cfg->hp, "epoch", epochs)) != CM_OK ||
                    (st = hparams_set_double(cfg->hp, "tau", m->tau)) != CM_OK))
        return st;
    tstate *t = tstate_alloc();
    if (!t) return CM_ENOMEM;
    st = st ? st : tstate_set_long(t, "step", step);
    st = st ? st : tstate_set_long(t, "epoch", epochs);
    st = st ? st : tstate_set_batcher(t, bt);
    st = st ? st : tstate_set_double(t, "loss_sum", es->loss);
    st = st ? st : tstate_set_double(t, "recon_sum", es->recon);
    st = st ? st : tstate_set_double(t, "kl_sum", es->kl);
    st = st ? st : tstate_set_double(t, "grad_norm", es->gnorm);
    st = st ? st : tstate_set_long(t, "seen", (long)es->seen);
    st = st ? st : tstate_set_rng(t, "rng", r);
    st = st ? st : tstate_set_adam(t, opt);
    st = st ? st : tstate_set_array(t, "curve_train", res->curve_train, (size_t)cfg->epochs);
    st = st ? st : tstate_set_array(t, "curve_test", res->curve_test, (size_t)cfg->epochs);
    st = st ? st : ckpt_save_tstate(cfg->ckpt_dir, m->p, cfg->hp, t);
    tstate_free(t);
    return st;
}

/* The inverse of save(). */
static int restore(const tstate *t, const vae_train_cfg *cfg, long *epochs, long *step, batcher *bt,
                   adam *opt, gsl_rng *r, epoch_sums *es, vae_train_result *res)
{
    long seen;
    int st = tstate_get_long(t, "step", step);
    st = st ? st : tstate_get_long(t, "epoch", epochs);
    st = st ? st : tstate_get_batcher(t, bt);
    st = st ? st : tstate_get_double(t, "loss_sum", &es->loss);
    st = st ? st : tstate_get_double(t, "recon_sum", &es->recon);
    st = st ? st : tstate_get_double(t, "kl_sum", &es->kl);
    st = st ? st : tstate_get_double(t, "grad_norm", &es->gnorm);
    st = st ? st : tstate_get_long(t, "seen", &seen);
    st = st ? st : tstate_get_rng(t, "rng", r);
    st = st ? st : tstate_get_adam(t, opt);
    st = st ? st : tstate_get_array(t, "curve_train", res->curve_train, (size_t)cfg->epochs);
    st = st ? st : tstate_get_array(t, "curve_test", res->curve_test, (size_t)cfg->epochs);
    if (st != CM_OK) return st;
    if (seen < 0) return cm_error(CM_EFORMAT, "resume state: %ld rows seen", seen);
    if (*epochs < 0 || *epochs >= cfg->epochs)
        return cm_error(CM_EFORMAT, "resume state: epoch %ld outside a run of %ld epochs", *epochs,
                        cfg->epochs);
    es->seen = (size_t)seen;
    return CM_OK;
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
    long done_epochs = 0; /* epochs completed before this call (--resume) */
    int mid_epoch = 0;    /* resumed inside an epoch */
    epoch_sums es = {0};
    if (cfg->resume) {
        if ((st = restore(cfg->resume, cfg, &done_epochs, &step, &bt, &opt, r, &es, res)) != CM_OK)
            goto done;
        mid_epoch = bt.pos < bt.n;
        res->epochs_run = done_epochs;
    }
    if (cfg->log_path &&
        !(log =
              csvlog_open_run(cfg->log_path, "step,epoch,loss,recon,kl,tau,grad_norm,test_neg_elbo",
                              cfg->resume != NULL))) {
        st = CM_EIO;
        goto done;
    }
    if (cfg->hp && (st = vae_model_hparams(m, cfg->hp)) != CM_OK) goto done;
    if ((st = intr_install()) != CM_OK) goto done;
    prog = progress_start(cfg->label ? cfg->label : "train", cfg->epochs, "epoch", cfg->quiet);
    for (long e = done_epochs + 1; e <= cfg->epochs; e++) {
        size_t mb;
        const size_t *idx;
        if (mid_epoch) {
            mid_epoch = 0; /* the interrupted epoch goes on with its order and sums */
        } else {
            es = (epoch_sums){0};
            batcher_shuffle(&bt, r);
        }
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
            es.gnorm = params_grad_norm(m->p);
            adam_step(&opt, m->p->data, m->p->grad);
            es.loss += L * (double)mb;
            es.recon += rec * (double)mb;
            es.kl += kl * (double)mb;
            es.seen += mb;
            res->last_step = step;
            if (intr_poll(step) && bt.pos < bt.n) {
                /* stop between steps; at the end of an epoch its checkpoint comes first */
                res->signal = intr_pending();
                res->steps = step;
                if (cfg->ckpt_dir && params_all_finite(m->p))
                    st = save(m, cfg, e - 1, step, &bt, &opt, r, &es, res);
                goto done;
            }
        }
        res->steps = step;
        res->loss = es.loss / (double)es.seen;
        res->recon = es.recon / (double)es.seen;
        res->kl = es.kl / (double)es.seen;
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
                            res->kl,      m->tau,    es.gnorm,  res->test_neg_elbo};
            if ((st = csvlog_row(log, row, 8)) != CM_OK) goto done;
        }
        if (cfg->ckpt_dir && params_all_finite(m->p) &&
            (st = save(m, cfg, e, step, &bt, &opt, r, &es, res)) != CM_OK)
            goto done;
        if (e < cfg->epochs && (res->signal = intr_pending()) != 0) goto done;
    }
done:
    intr_uninstall();
    res->seconds = timer_elapsed(&tm);
    if (st == CM_OK && !res->signal)
        progress_finish(prog);
    else
        progress_abort(prog);
    if (log && csvlog_close(log) != CM_OK && st == CM_OK) st = CM_EIO;
    adam_free(&opt);
    batcher_free(&bt);
    cm_matrix_free(Xb);
    return st;
}
