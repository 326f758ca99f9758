/* train.c: the classifier interface and the training loop (see train.h). */
#include "train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "matrix.h"
#include "dataset.h"
#include "error.h"
#include "logger.h"
#include "optim.h"
#include "progress.h"
#include "softmax.h"
#include "timer.h"

neuron_clf *neuron_clf_alloc(neuron_model_kind kind, size_t in, size_t hidden, size_t out,
                             size_t cap)
{
    if (cap == 0) {
        cm_error(CM_EINVAL, "batch size must be positive");
        return NULL;
    }
    neuron_clf *c = cm_calloc(1, sizeof *c);
    if (!c) return NULL;
    *c = (neuron_clf){.kind = kind, .in = in, .hidden = hidden, .out = out, .cap = cap};
    if (kind == NEURON_MODEL_MLP) {
        if (!(c->mlp = neuron_mlp_alloc(in, hidden, out))) goto fail;
        if (!(c->acts = neuron_mlp_acts_alloc(c->mlp, cap))) goto fail;
        c->p = c->mlp->p;
    } else {
        c->hidden = 0;
        if (!(c->lin = neuron_linear_alloc(in, out))) goto fail;
        c->z = cm_matrix_calloc(cap, out);
        c->dz = cm_matrix_calloc(cap, out);
        if (!c->z || !c->dz) {
            cm_error(CM_ENOMEM, "out of memory for a batch of %zu", cap);
            goto fail;
        }
        c->p = c->lin->p;
    }
    return c;
fail:
    neuron_clf_free(c);
    return NULL;
}

void neuron_clf_free(neuron_clf *c)
{
    if (!c) return;
    neuron_mlp_acts_free(c->acts);
    neuron_mlp_free(c->mlp);
    neuron_linear_free(c->lin);
    if (c->z) gsl_matrix_free(c->z);
    if (c->dz) gsl_matrix_free(c->dz);
    free(c);
}

void neuron_clf_init(neuron_clf *c, gsl_rng *r)
{
    if (c->mlp)
        neuron_mlp_init(c->mlp, r);
    else
        neuron_linear_init(c->lin, r);
}

gsl_matrix_view neuron_clf_forward(neuron_clf *c, const gsl_matrix *X)
{
    size_t B = X->size1;
    if (c->mlp) {
        neuron_mlp_forward(c->mlp, X, c->acts);
        return cm_matrix_rows(c->acts->logits, B);
    }
    gsl_matrix_view z = cm_matrix_rows(c->z, B);
    neuron_linear_forward(c->lin, X, &z.matrix);
    return z;
}

double neuron_clf_loss_backward(neuron_clf *c, const gsl_matrix *X, const int *labels,
                                neuron_loss_kind loss, gsl_matrix *dX)
{
    size_t B = X->size1;
    params_zero_grad(c->p);
    gsl_matrix_view z = neuron_clf_forward(c, X);
    gsl_matrix_view dz = cm_matrix_rows(c->mlp ? c->acts->dlogits : c->dz, B);
    double L = neuron_loss(loss, &z.matrix, labels, &dz.matrix);
    if (c->mlp)
        neuron_mlp_backward(c->mlp, X, c->acts, &dz.matrix, dX);
    else
        neuron_linear_backward(c->lin, X, &dz.matrix, dX);
    return L;
}

void neuron_clf_evaluate(neuron_clf *c, const gsl_matrix *X, const int *labels, double *ce,
                         double *acc, double *smooth)
{
    double sce = 0.0, sacc = 0.0, ssm = 0.0;
    size_t n = X->size1;
    for (size_t i0 = 0; i0 < n; i0 += c->cap) {
        size_t m = n - i0 < c->cap ? n - i0 : c->cap;
        gsl_matrix_const_view Xb = gsl_matrix_const_submatrix(X, i0, 0, m, X->size2);
        gsl_matrix_view z = neuron_clf_forward(c, &Xb.matrix);
        /* the metrics are means over the chunk: weight them by its size */
        sce += (double)m * sm_cross_entropy(&z.matrix, labels + i0, NULL);
        sacc += (double)m * neuron_accuracy(&z.matrix, labels + i0);
        ssm += (double)m * neuron_smooth_accuracy(&z.matrix, labels + i0);
    }
    if (ce) *ce = sce / (double)n;
    if (acc) *acc = sacc / (double)n;
    if (smooth) *smooth = ssm / (double)n;
}

void neuron_train_result_free(neuron_train_result *res)
{
    free(res->curve_loss);
    free(res->curve_acc);
    free(res->curve_smooth);
    res->curve_loss = res->curve_acc = res->curve_smooth = NULL;
}

/* The checkpoint after `epochs` whole epochs, with everything --resume needs to go on exactly:
 * the step, the optimizer's state, the generator, and the shuffled order with the position and
 * running sums of an epoch interrupted half-way (pos = n at the end of an epoch). */
static int save(neuron_clf *c, const neuron_train_cfg *cfg, long epochs, long step,
                const batcher *bt, const sgd *o_sgd, const adam *o_adam, const gsl_rng *r,
                double sum, size_t seen, double gnorm)
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
    st = st ? st : tstate_set_rng(t, "rng", r);
    st = st ? st : cfg->adam ? tstate_set_adam(t, o_adam) : tstate_set_sgd(t, o_sgd);
    st = st ? st : ckpt_save_tstate(cfg->ckpt_dir, c->p, cfg->hp, t);
    tstate_free(t);
    return st;
}

/* The inverse of save(): *resume_pos >= 0 when the checkpoint was written inside an epoch. */
static int resume_state(const tstate *t, batcher *bt, sgd *o_sgd, adam *o_adam, int use_adam,
                        int fresh_optimizer, gsl_rng *r, long *step, long *resume_pos, double *sum,
                        size_t *seen, double *gnorm)
{
    long nseen;
    int st = tstate_get_long(t, "step", step);
    st = st ? st : tstate_get_batcher(t, bt);
    st = st ? st : tstate_get_double(t, "loss_sum", sum);
    st = st ? st : tstate_get_long(t, "seen", &nseen);
    st = st ? st : tstate_get_double(t, "grad_norm", gnorm);
    st = st ? st : tstate_get_rng(t, "rng", r);
    if (st == CM_OK && !fresh_optimizer)
        st = use_adam ? tstate_get_adam(t, o_adam) : tstate_get_sgd(t, o_sgd);
    if (st != CM_OK) return st;
    if (nseen < 0) return cm_error(CM_EFORMAT, "resume state: %ld rows seen", nseen);
    *seen = (size_t)nseen;
    *resume_pos = bt->pos < bt->n ? (long)bt->pos : -1; /* at the end of an epoch: a fresh one */
    return CM_OK;
}

int neuron_train(neuron_clf *c, const neuron_split *s, const neuron_train_cfg *cfg, gsl_rng *r,
                 neuron_train_result *res)
{
    long n_epochs = cfg->epochs - cfg->start_epoch;
    *res = (neuron_train_result){.bad_step = -1};
    if (n_epochs < 1)
        return cm_error(CM_EINVAL, "nothing to train: %ld epochs asked, %ld already done",
                        cfg->epochs, cfg->start_epoch);
    if (cfg->batch > c->cap)
        return cm_error(CM_EINVAL, "batch %zu larger than the workspace (%zu)", cfg->batch, c->cap);
    int st = CM_OK;
    cm_timer tm;
    timer_start(&tm);
    size_t B = cfg->batch, D = s->d;
    gsl_matrix *Xb = cm_matrix_calloc(B, D);
    int *yb = cm_calloc(B, sizeof(int));
    res->curve_loss = cm_calloc((size_t)n_epochs, sizeof(double));
    res->curve_acc = cm_calloc((size_t)n_epochs, sizeof(double));
    res->curve_smooth = cm_calloc((size_t)n_epochs, sizeof(double));
    batcher bt = {0};
    sgd opt_sgd = {0};
    adam opt_adam = {0};
    csvlog *log = NULL;
    progress *prog = NULL;
    if (!Xb || !yb || !res->curve_loss || !res->curve_acc || !res->curve_smooth) {
        st = cm_error(CM_ENOMEM, "out of memory for training");
        goto done;
    }
    if ((st = batcher_init(&bt, s->ntr, B)) != CM_OK) goto done;
    st = cfg->adam ? adam_init(&opt_adam, c->p->size, cfg->lr, 0.9, 0.999, 1e-8, cfg->weight_decay)
                   : sgd_init(&opt_sgd, c->p->size, cfg->lr, cfg->momentum, cfg->weight_decay, 0);
    if (st != CM_OK) goto done;
    if (cfg->log_path) {
        /* a resumed run continues its log (and its step count) where the checkpoint left it */
        const char *header = "step,epoch,loss,grad_norm,test_loss,test_acc,test_smooth_acc";
        log = csvlog_open_run(cfg->log_path, header, cfg->start_epoch > 0 || cfg->resume);
        if (!log) {
            st = CM_EIO;
            goto done;
        }
    }
    prog = progress_start(cfg->label ? cfg->label : "train", n_epochs, "epoch", cfg->quiet);
    /* a resumed run counts its steps on from the checkpoint's: epochs times batches per epoch */
    long step0 = cfg->start_epoch * (long)((s->ntr + B - 1) / B);
    long resume_pos = -1; /* the position in an interrupted epoch, or -1: a fresh epoch */
    double sum = 0.0, gnorm = 0.0;
    size_t seen = 0;
    if (cfg->resume &&
        (st = resume_state(cfg->resume, &bt, &opt_sgd, &opt_adam, cfg->adam, cfg->fresh_optimizer,
                           r, &step0, &resume_pos, &sum, &seen, &gnorm)) != CM_OK)
        goto done;
    long step = step0;
    if ((st = intr_install()) != CM_OK) goto done;
    for (long e = 0; e < n_epochs; e++) {
        long epoch = cfg->start_epoch + e + 1; /* 1-based, counting resumed epochs */
        size_t m;
        const size_t *idx;
        if (resume_pos >= 0) {
            resume_pos = -1; /* the interrupted epoch goes on with its order, sums and norm */
        } else {
            sum = gnorm = 0.0;
            seen = 0;
            batcher_shuffle(&bt, r);
        }
        while ((m = batcher_next(&bt, &idx)) > 0) {
            gsl_matrix_view X = gsl_matrix_submatrix(Xb, 0, 0, m, D);
            dataset_gather_rows(s->Xtr, idx, m, &X.matrix);
            for (size_t i = 0; i < m; i++) yb[i] = s->ytr[idx[i]];
            double L = neuron_clf_loss_backward(c, &X.matrix, yb, cfg->loss, NULL);
            step++;
            if (!isfinite(L)) {
                res->bad_step = step;
                st = cm_error(CM_ENOTFINITE, "loss is %s at step %ld (epoch %ld)",
                              isnan(L) ? "nan" : "inf", step, epoch);
                goto done;
            }
            gnorm = params_grad_norm(c->p);
            if (cfg->adam)
                adam_step(&opt_adam, c->p->data, c->p->grad);
            else
                sgd_step(&opt_sgd, c->p->data, c->p->grad);
            sum += L * (double)m;
            seen += m;
            res->last_step = step;
            if (intr_poll(step) && bt.pos < bt.n) {
                /* stop between steps: the checkpoint holds the epoch so far (at the end of
                 * an epoch, the epoch's log row and checkpoint come first, below) */
                res->signal = intr_pending();
                res->steps = step - step0;
                if (cfg->ckpt_dir && params_all_finite(c->p))
                    st = save(c, cfg, epoch - 1, step, &bt, &opt_sgd, &opt_adam, r, sum, seen,
                              gnorm);
                goto done;
            }
        }
        res->steps = step - step0;
        res->train_loss = sum / (double)seen;
        neuron_clf_evaluate(c, s->Xte, s->yte, &res->test_loss, &res->test_acc, &res->test_smooth);
        res->curve_loss[e] = res->train_loss;
        res->curve_acc[e] = res->test_acc;
        res->curve_smooth[e] = res->test_smooth;
        res->epochs_run = e + 1;
        progress_update(prog, e + 1, res->train_loss);
        if (log) {
            double row[] = {(double)step,   (double)epoch, res->train_loss, gnorm,
                            res->test_loss, res->test_acc, res->test_smooth};
            if ((st = csvlog_row(log, row, 7)) != CM_OK) goto done;
        }
        if (cfg->ckpt_dir && params_all_finite(c->p) &&
            (st = save(c, cfg, epoch, step, &bt, &opt_sgd, &opt_adam, r, 0.0, 0, gnorm)) != CM_OK)
            goto done;
        if (e + 1 < n_epochs && (res->signal = intr_pending()) != 0) goto done;
    }
done:
    intr_uninstall();
    res->seconds = timer_elapsed(&tm);
    if (st == CM_OK && !res->signal)
        progress_finish(prog);
    else
        progress_abort(prog); /* the caller prints why */
    if (log && csvlog_close(log) != CM_OK && st == CM_OK) st = CM_EIO;
    if (cfg->adam)
        adam_free(&opt_adam);
    else
        sgd_free(&opt_sgd);
    batcher_free(&bt);
    free(yb);
    if (Xb) gsl_matrix_free(Xb);
    return st;
}
