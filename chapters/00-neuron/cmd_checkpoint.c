/* cmd_checkpoint.c: `neuron train` (the digits MLP with a checkpoint after every epoch, and
 * --resume) and `neuron eval` (a checkpoint on the test split it records). */
#include "parts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "checkpoint.h"

/* ---- train, eval: the digits MLP with a checkpoint ---------------------------------------- */

/* The split of a run, as its checkpoint's hparams record it ("split" with "data" and "seed"). */
#define SPLIT_DIGITS_SHUFFLED "digits-shuffled" /* digits, seeded 1437/360 (--split shuffled) */
#define SPLIT_DIGITS_ORDERED  "digits-ordered"  /* digits, rows 0..1436 / the rest */
#define SPLIT_CSV_SHUFFLED    "csv-shuffled"    /* --data CSV: seeded 80/20, standardized */

/* Loads the split a checkpoint names; exit 2 on a value that is none of the above. */
static neuron_split *split_from(const char *dir, const char *data, const char *split,
                                unsigned long seed)
{
    if (strcmp(split, SPLIT_DIGITS_SHUFFLED) == 0) return neuron_load_digits(data, 0, seed);
    if (strcmp(split, SPLIT_DIGITS_ORDERED) == 0) return neuron_load_digits(data, 1, seed);
    if (strcmp(split, SPLIT_CSV_SHUFFLED) == 0) return neuron_load_random(data, seed);
    cm_die("checkpoint %s: split is '%s', expected %s, %s or %s", dir, split, SPLIT_DIGITS_SHUFFLED,
           SPLIT_DIGITS_ORDERED, SPLIT_CSV_SHUFFLED);
}

/* A resumed run trains on the split its checkpoint was trained on (data, split and seed from
 * hparams.txt; --data may move the file, as for eval), so that its test rows stay unseen
 * whatever --seed and --split say now. */
int neuron_run_train(const neuron_opts *o)
{
    const cli_common *c = o->c;
    char data[4096], split[64];
    unsigned long seed = c->seed;
    snprintf(data, sizeof data, "%s", c->data ? c->data : DATA_DIGITS);
    snprintf(split, sizeof split, "%s",
             c->data             ? SPLIT_CSV_SHUFFLED
             : o->digits_ordered ? SPLIT_DIGITS_ORDERED
                                 : SPLIT_DIGITS_SHUFFLED);
    size_t batch = o->batch ? o->batch : DIGITS_BATCH;
    long more = neuron_pick_long(o->epochs, DIGITS_EPOCHS, c), start = 0;
    int adam = o->optimizer != 0;
    double lr = neuron_pick_double(o->lr, adam ? MLP_LR : SURROGATE_LR);
    double momentum = o->momentum, weight_decay = o->weight_decay;
    neuron_loss_kind loss = o->loss;
    int new_optimizer = 0; /* --resume with another --optimizer: its state starts afresh */
    hparams h;
    hparams_init(&h);
    neuron_clf *m = NULL;
    if (o->resume) {
        const char *hdata, *hsplit, *hopt, *hloss;
        long hseed, hbatch, htotal;
        m = neuron_load_mlp(o->resume, &h, 256);
        neuron_hp_get_long(&h, o->resume, "epoch", &start);
        neuron_hp_get_str(&h, o->resume, "data", &hdata);
        neuron_hp_get_str(&h, o->resume, "split", &hsplit);
        neuron_hp_get_long(&h, o->resume, "seed", &hseed);
        if (!c->data) snprintf(data, sizeof data, "%s", hdata);
        snprintf(split, sizeof split, "%s", hsplit);
        seed = (unsigned long)hseed;
        /* the run goes on as it was set up (its optimizer, learning rate, batch, loss,
         * momentum and weight decay) unless --optimizer, --lr or --batch say otherwise, and
         * without --epochs up to the number of epochs it was asked for */
        neuron_hp_get_str(&h, o->resume, "optimizer", &hopt);
        neuron_hp_get_long(&h, o->resume, "batch", &hbatch);
        neuron_hp_get_str(&h, o->resume, "loss", &hloss);
        if (o->optimizer < 0) adam = strcmp(hopt, "adam") == 0;
        new_optimizer = adam != (strcmp(hopt, "adam") == 0);
        if (o->lr <= 0 && !new_optimizer) neuron_hp_get_double(&h, o->resume, "lr", &lr);
        loss = strcmp(hloss, neuron_loss_name(NEURON_LOSS_SMOOTH)) == 0 ? NEURON_LOSS_SMOOTH
                                                                        : NEURON_LOSS_CE;
        if (hbatch < 1) cm_die("checkpoint %s: batch %ld must be >= 1", o->resume, hbatch);
        if (!o->batch) batch = (size_t)hbatch;
        if (hparams_get_double(&h, "momentum", &momentum) != CM_OK) momentum = o->momentum;
        if (hparams_get_double(&h, "weight_decay", &weight_decay) != CM_OK)
            weight_decay = o->weight_decay;
        if (o->epochs <= 0 && hparams_get_long(&h, "epochs", &htotal) == CM_OK && htotal > start)
            more = htotal - start;
        if (batch > 256) { /* the workspace holds a batch */
            neuron_clf_free(m);
            m = neuron_load_mlp(o->resume, &h, batch);
        }
    }
    size_t cap = batch > 256 ? batch : 256;
    neuron_split *s = split_from(o->resume ? o->resume : "(new)", data, split, seed);
    if (o->resume) {
        if (m->in != s->d || m->out != (size_t)s->k)
            cm_die("checkpoint %s: in_features %zu, out_features %zu, but %s has %zu features and "
                   "%d classes",
                   o->resume, m->in, m->out, data, s->d, s->k);
    } else {
        m = neuron_clf_alloc(NEURON_MODEL_MLP, s->d, o->hidden, (size_t)s->k, cap);
        if (!m) cm_die_status(CM_ENOMEM);
    }
    cli_prepare_out(c);
    char ckpt[4200], log_path[4200];
    neuron_out_path(c, "mlp", ckpt, sizeof ckpt);
    neuron_out_path(c, "train.csv", log_path, sizeof log_path);
    /* a resumed run takes its generator, optimizer and place in the epoch from the checkpoint's
     * resume state (interrupt.h), so that it goes on exactly as if it had never stopped */
    gsl_rng *r = neuron_rng_seeded(seed);
    tstate *ts = NULL;
    if (o->resume) {
        if (!(ts = tstate_alloc())) cm_die_status(CM_ENOMEM);
        cm_die_status(ckpt_load_tstate(o->resume, ts));
    } else {
        neuron_clf_init(m, r);
    }
    int st = hparams_set_str(&h, "model", "mlp");
    st = st ? st : hparams_set_long(&h, "in_features", (long)m->in);
    st = st ? st : hparams_set_long(&h, "hidden", (long)m->hidden);
    st = st ? st : hparams_set_long(&h, "out_features", (long)m->out);
    st = st ? st : hparams_set_str(&h, "data", data);
    st = st ? st : hparams_set_str(&h, "split", split);
    st = st ? st : hparams_set_long(&h, "seed", (long)seed);
    st = st ? st : hparams_set_str(&h, "loss", neuron_loss_name(loss));
    st = st ? st : hparams_set_str(&h, "optimizer", adam ? "adam" : "sgd");
    st = st ? st : hparams_set_double(&h, "lr", lr);
    st = st ? st : hparams_set_long(&h, "batch", (long)batch);
    st = st ? st : hparams_set_double(&h, "momentum", momentum);
    st = st ? st : hparams_set_double(&h, "weight_decay", weight_decay);
    st = st ? st : hparams_set_long(&h, "epochs", start + more);
    cm_die_status(st);
    if (!c->quiet)
        printf("train: mlp %zu-%zu-%zu on %s (split %s, seed %lu), %ld epochs from epoch %ld, "
               "batch %zu, %s lr %g, loss %s\n",
               m->in, m->hidden, m->out, data, split, seed, more, start, batch,
               adam ? "Adam" : "SGD", lr, neuron_loss_name(loss));
    neuron_train_cfg cfg = {.epochs = start + more,
                            .start_epoch = start,
                            .batch = batch,
                            .lr = lr,
                            .momentum = momentum,
                            .weight_decay = weight_decay,
                            .adam = adam,
                            .loss = loss,
                            .quiet = c->quiet,
                            .label = "train",
                            .log_path = log_path,
                            .ckpt_dir = ckpt,
                            .hp = &h,
                            .resume = ts,
                            .fresh_optimizer = new_optimizer};
    neuron_train_result res;
    st = neuron_train(m, s, &cfg, r, &res);
    int code = 0;
    if (st == CM_ENOTFINITE) {
        /* the last good checkpoint: this run's, or the one it resumed from */
        if (res.epochs_run > 0 || (o->resume && ckpt_has_tstate(ckpt)))
            fprintf(stderr, "%s: %s; kept the last good checkpoint %s (epoch %ld)\n", cm_progname(),
                    cm_errmsg(), ckpt, start + res.epochs_run);
        else if (o->resume)
            fprintf(stderr, "%s: %s; kept the last good checkpoint %s (epoch %ld)\n", cm_progname(),
                    cm_errmsg(), o->resume, start);
        else
            fprintf(stderr, "%s: %s; no epoch completed, no checkpoint written\n", cm_progname(),
                    cm_errmsg());
        code = 3;
    } else if (st == CM_OK && res.signal) {
        code = intr_report(res.signal, res.last_step, ckpt, NULL);
    } else {
        cm_die_status(st);
        neuron_kv("train.train_loss", res.train_loss, neuron_loss_name(loss));
        neuron_kv("train.test_acc", res.test_acc, NULL);
        neuron_kv("train.test_smooth_acc", res.test_smooth, NULL);
        printf("checkpoint: %s (epoch %ld); log: %s\n", ckpt, start + res.epochs_run, log_path);
    }
    neuron_train_result_free(&res);
    tstate_free(ts);
    gsl_rng_free(r);
    hparams_free(&h);
    neuron_clf_free(m);
    neuron_split_free(s);
    return code;
}

int neuron_run_eval(const neuron_opts *o)
{
    const cli_common *c = o->c;
    if (!o->load) cm_die("eval: --load DIR is required (a checkpoint written by `train`)");
    hparams h;
    hparams_init(&h);
    neuron_clf *m = neuron_load_mlp(o->load, &h, 256);
    const char *data, *split;
    long seed;
    neuron_hp_get_str(&h, o->load, "data", &data);
    neuron_hp_get_str(&h, o->load, "split", &split);
    neuron_hp_get_long(&h, o->load, "seed", &seed);
    if (c->data) data = c->data;
    neuron_split *s = split_from(o->load, data, split, (unsigned long)seed);
    if (m->in != s->d || (size_t)s->k > m->out)
        cm_die("checkpoint %s: in_features %zu, out_features %zu, but %s has %zu features and %d "
               "classes",
               o->load, m->in, m->out, data, s->d, s->k);
    double ce, acc, sm;
    neuron_clf_evaluate(m, s->Xte, s->yte, &ce, &acc, &sm);
    printf("eval: %s on the %zu test rows of %s\n", o->load, s->nte, data);
    neuron_kv("eval.test_loss", ce, "cross-entropy");
    neuron_kv("eval.test_acc", acc, NULL);
    neuron_kv("eval.test_smooth_acc", sm, NULL);
    hparams_free(&h);
    neuron_clf_free(m);
    neuron_split_free(s);
    return 0;
}
