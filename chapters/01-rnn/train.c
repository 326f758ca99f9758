/* train.c: see train.h. */
#include "train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "logger.h"
#include "optim.h"
#include "progress.h"
#include "timer.h"

/* Everything one pass needs, allocated once: the workspace, the chunk's ids, the states. */
typedef struct {
    rnn_work *w;
    int *x, *y;
    double *h, *c;
} pass_buffers;

static int buffers_alloc(pass_buffers *b, const rnn_model *m, size_t T, size_t B)
{
    size_t S = rnn_state_size(m, B);
    b->w = rnn_work_alloc(m, T, B);
    b->x = cm_calloc(T * B, sizeof(int)), b->y = cm_calloc(T * B, sizeof(int));
    b->h = cm_calloc(S, sizeof(double)), b->c = cm_calloc(S, sizeof(double));
    return b->w && b->x && b->y && b->h && b->c ? CM_OK : CM_ENOMEM;
}

static void buffers_free(pass_buffers *b)
{
    rnn_work_free(b->w);
    free(b->x), free(b->y), free(b->h), free(b->c);
}

double rnn_evaluate(const rnn_model *m, const rnn_corpus *c, int held_out, size_t B, size_t T)
{
    rnn_streams s;
    pass_buffers b = {0};
    double sum = 0.0;
    size_t n = 0, len;
    if (rnn_streams_init(&s, c, held_out, B, T) != CM_OK) return NAN;
    if (buffers_alloc(&b, m, T, B) != CM_OK) {
        buffers_free(&b);
        return NAN;
    }
    while ((len = rnn_streams_next(&s, b.x, b.y)) > 0) {
        double L = rnn_forward(m, b.w, len, b.x, b.y, b.h, b.c);
        rnn_final_state(m, b.w, b.h, b.c);
        sum += L * (double)b.w->n_targets; /* the chunk's mean, weighted by its targets */
        n += b.w->n_targets;
    }
    buffers_free(&b);
    return sum / (double)n / M_LN2; /* nats -> bits */
}

/* Where a run stands between two steps: what --resume needs besides the parameters. */
typedef struct {
    long step, budget0; /* steps taken; the step from which max_steps counts */
    size_t pos;         /* chunks of the epoch already read */
    double sum;         /* the epoch's loss so far (nats, summed over targets) */
    size_t n;           /* its targets */
} run_pos;

/* The checkpoint after `epochs` whole epochs (and, inside an epoch, the chunks read so far
 * with the carried states h, c of every stream), with Adam's state. */
static int save(const rnn_model *m, const rnn_train_cfg *cfg, long epochs, const run_pos *rp,
                const pass_buffers *b, const adam *opt)
{
    size_t S = rnn_state_size(m, cfg->B);
    int st = cfg->hp ? hparams_set_long(cfg->hp, "epoch", epochs) : CM_OK;
    tstate *t = tstate_alloc();
    if (!t) return CM_ENOMEM;
    st = st ? st : tstate_set_long(t, "step", rp->step);
    st = st ? st : tstate_set_long(t, "budget_start", rp->budget0);
    st = st ? st : tstate_set_long(t, "epoch", epochs);
    st = st ? st : tstate_set_long(t, "pos", (long)rp->pos);
    st = st ? st : tstate_set_double(t, "loss_sum", rp->sum);
    st = st ? st : tstate_set_long(t, "targets", (long)rp->n);
    st = st ? st : tstate_set_array(t, "h", b->h, S);
    st = st ? st : tstate_set_array(t, "c", b->c, S);
    st = st ? st : tstate_set_adam(t, opt);
    st = st ? st : ckpt_save_tstate(cfg->ckpt_dir, m->p, cfg->hp, t);
    tstate_free(t);
    return st;
}

static int restore(const tstate *t, const rnn_model *m, const rnn_train_cfg *cfg, run_pos *rp,
                   pass_buffers *b, adam *opt)
{
    size_t S = rnn_state_size(m, cfg->B);
    long pos, n;
    int st = tstate_get_long(t, "step", &rp->step);
    st = st ? st : tstate_get_long(t, "budget_start", &rp->budget0);
    st = st ? st : tstate_get_long(t, "pos", &pos);
    st = st ? st : tstate_get_double(t, "loss_sum", &rp->sum);
    st = st ? st : tstate_get_long(t, "targets", &n);
    st = st ? st : tstate_get_array(t, "h", b->h, S);
    st = st ? st : tstate_get_array(t, "c", b->c, S);
    st = st ? st : tstate_get_adam(t, opt);
    if (st == CM_OK && (pos < 0 || n < 0))
        st = cm_error(CM_EFORMAT, "resume state: position %ld, targets %ld", pos, n);
    rp->pos = (size_t)pos, rp->n = (size_t)n;
    return st;
}

/* The streams are read in order: nothing in training itself is random (the initialization is
 * the caller's). */
int rnn_train(rnn_model *m, const rnn_corpus *c, const rnn_train_cfg *cfg, rnn_train_result *res)
{
    *res = (rnn_train_result){.bad_step = -1};
    long n_epochs = cfg->epochs - cfg->start_epoch;
    if (n_epochs < 1)
        return cm_error(CM_EINVAL, "nothing to train: %ld epochs asked, %ld already done",
                        cfg->epochs, cfg->start_epoch);
    rnn_streams s, sv;
    int st = rnn_streams_init(&s, c, 0, cfg->B, cfg->T);
    if (st == CM_OK) st = rnn_streams_init(&sv, c, 1, cfg->B, cfg->T);
    if (st != CM_OK) return st;
    pass_buffers b = {0};
    adam opt = {0};
    csvlog *log = NULL, *elog = NULL;
    progress *prog = NULL;
    size_t chars = 0;
    cm_timer tm;
    timer_start(&tm);
    res->curve_train = cm_calloc((size_t)n_epochs, sizeof(double));
    res->curve_valid = cm_calloc((size_t)n_epochs, sizeof(double));
    if (!res->curve_train || !res->curve_valid || buffers_alloc(&b, m, cfg->T, cfg->B) != CM_OK) {
        st = cm_error(CM_ENOMEM, "out of memory for training");
        goto done;
    }
    if ((st = adam_init(&opt, m->p->size, cfg->lr, 0.9, 0.999, 1e-8, 0.0)) != CM_OK) goto done;
    int resumed = cfg->start_epoch > 0 || cfg->resume;
    if (cfg->log_path &&
        !(log = csvlog_open_run(cfg->log_path, "step,epoch,bpc,grad_norm", resumed))) {
        st = CM_EIO;
        goto done;
    }
    if (cfg->epoch_log_path &&
        !(elog = csvlog_open_run(cfg->epoch_log_path, "epoch,step,train_bpc,held_out_bpc,seconds",
                                 resumed))) {
        st = CM_EIO;
        goto done;
    }
    long chunks = (long)rnn_streams_chunks(&s);
    long total = cfg->max_steps > 0 && cfg->max_steps < n_epochs * chunks ? cfg->max_steps
                                                                          : n_epochs * chunks;
    prog = progress_start(cfg->label ? cfg->label : "train", total, "batch", cfg->quiet);
    long step0 = cfg->start_epoch * chunks, step = step0;
    run_pos rp = {.step = step0, .budget0 = step0};
    int mid_epoch = 0; /* resumed inside an epoch */
    if (cfg->resume) {
        if ((st = restore(cfg->resume, m, cfg, &rp, &b, &opt)) != CM_OK) goto done;
        step = rp.step;
        mid_epoch = rp.pos > 0 && rp.pos < s.L;
    }
    if ((st = intr_install()) != CM_OK) goto done;
    for (long e = 0; e < n_epochs; e++) {
        long epoch = cfg->start_epoch + e + 1;
        double sum = 0.0;
        size_t n = 0, len;
        s.pos = 0;
        size_t S = rnn_state_size(m, cfg->B);
        if (mid_epoch) { /* the interrupted epoch goes on where it stopped */
            s.pos = rp.pos, sum = rp.sum, n = rp.n;
            mid_epoch = 0;
        } else {
            memset(b.h, 0, S * sizeof(double)); /* each epoch starts its streams from zero */
            memset(b.c, 0, S * sizeof(double));
        }
        int stop = 0;
        while ((len = rnn_streams_next(&s, b.x, b.y)) > 0) {
            params_zero_grad(m->p);
            double L = rnn_forward(m, b.w, len, b.x, b.y, b.h, b.c);
            step++;
            if (!isfinite(L)) {
                res->bad_step = step;
                st = cm_error(CM_ENOTFINITE, "loss is %s at step %ld (epoch %ld)",
                              isnan(L) ? "nan" : "inf", step, epoch);
                goto done;
            }
            rnn_backward(m, b.w, NULL, NULL);
            double gnorm = clip_grad_norm(m->p->grad, m->p->size, cfg->clip);
            /* the schedule runs over the whole run, resumed epochs included */
            opt.lr =
                lr_at(cfg->schedule, cfg->lr, step - 1, cfg->epochs * chunks, cfg->lr_final_frac);
            adam_step(&opt, m->p->data, m->p->grad);
            rnn_final_state(m, b.w, b.h, b.c); /* carried on, detached: truncated BPTT */
            sum += L * (double)(len * cfg->B);
            n += len * cfg->B;
            chars += len * cfg->B;
            res->last_step = step;
            if (log) {
                double row[] = {(double)step, (double)epoch, L / M_LN2, gnorm};
                if ((st = csvlog_row(log, row, 4)) != CM_OK) goto done;
            }
            progress_update(prog, step - step0, L / M_LN2);
            if (cfg->max_steps > 0 && step - rp.budget0 >= cfg->max_steps) {
                stop = 1;
                break;
            }
            if (intr_poll(step) && s.pos < s.L) {
                /* stop between steps; at the end of an epoch its checkpoint comes first */
                res->signal = intr_pending();
                res->steps = step - step0;
                rp = (run_pos){
                    .step = step, .budget0 = rp.budget0, .pos = s.pos, .sum = sum, .n = n};
                if (cfg->ckpt_dir && params_all_finite(m->p))
                    st = save(m, cfg, epoch - 1, &rp, &b, &opt);
                goto done;
            }
        }
        res->train_bpc = sum / (double)n / M_LN2;
        res->valid_bpc = rnn_evaluate(m, c, 1, cfg->B, cfg->T);
        res->curve_train[e] = res->train_bpc;
        res->curve_valid[e] = res->valid_bpc;
        res->epochs_run = e + 1;
        res->steps = step - step0;
        if (elog) {
            double row[] = {(double)epoch, (double)step, res->train_bpc, res->valid_bpc,
                            timer_elapsed(&tm)};
            if ((st = csvlog_row(elog, row, 5)) != CM_OK) goto done;
        }
        if (!cfg->quiet)
            fprintf(stderr, "%s: epoch %ld: train %.4f, held-out %.4f bits per character\n",
                    cfg->label ? cfg->label : "train", epoch, res->train_bpc, res->valid_bpc);
        if (cfg->ckpt_dir && params_all_finite(m->p)) {
            rp = (run_pos){.step = step, .budget0 = step, .pos = s.L};
            if ((st = save(m, cfg, epoch, &rp, &b, &opt)) != CM_OK) goto done;
        }
        if (stop || (cfg->max_seconds > 0 && timer_elapsed(&tm) >= cfg->max_seconds)) break;
        if (e + 1 < n_epochs && (res->signal = intr_pending()) != 0) goto done;
    }
done:
    intr_uninstall();
    res->seconds = timer_elapsed(&tm);
    res->chars_per_second = res->seconds > 0 ? (double)chars / res->seconds : 0.0;
    if (st == CM_OK && !res->signal)
        progress_finish(prog);
    else
        progress_abort(prog);
    if (log && csvlog_close(log) != CM_OK && st == CM_OK) st = CM_EIO;
    if (elog && csvlog_close(elog) != CM_OK && st == CM_OK) st = CM_EIO;
    adam_free(&opt);
    buffers_free(&b);
    return st;
}

void rnn_train_result_free(rnn_train_result *res)
{
    free(res->curve_train);
    free(res->curve_valid);
    res->curve_train = res->curve_valid = NULL;
}
