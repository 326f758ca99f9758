/* part_classifiers.c: `neuron softmax` and `neuron mlp`: softmax regression and the MLP on iris
 * and digits (train.h), and the training curves of the digits MLP, mlp_digits.png. */
#include "parts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

static int run_and_print(const neuron_opts *o, const neuron_split *s, const neuron_run_cfg *rc,
                         const char *key, double *acc_out)
{
    neuron_train_result res;
    int rcode = neuron_train_run(o, s, rc, &res);
    if (rcode) {
        neuron_train_result_free(&res);
        return rcode;
    }
    char k[96], note[160];
    snprintf(note, sizeof note, "%.0f of %zu right; train loss %.4f after %ld epochs",
             res.test_acc * (double)s->nte, s->nte, res.train_loss, res.epochs_run);
    snprintf(k, sizeof k, "%s.test_acc", key);
    neuron_kv(k, res.test_acc, note);
    if (acc_out) *acc_out = res.test_acc;
    neuron_train_result_free(&res);
    return 0;
}

/* With --data: one run on that file (random split); otherwise iris then digits. */
static int run_model_part(const neuron_opts *o, neuron_model_kind kind, neuron_summary *sum)
{
    const cli_common *c = o->c;
    const char *name = kind == NEURON_MODEL_MLP ? "mlp" : "softmax";
    char run[64], key[64];
    int st;
    if (c->data) {
        neuron_split *s = neuron_load_random(c->data, c->seed);
        cli_prepare_out(c);
        snprintf(run, sizeof run, "%s_data_%s", name, neuron_loss_name(o->loss));
        neuron_run_cfg rc = neuron_iris_cfg(o, kind, run);
        printf("%s: %s, %zu train / %zu test rows, %d classes\n", name, c->data, s->ntr, s->nte,
               s->k);
        st = run_and_print(o, s, &rc, name, NULL);
        neuron_split_free(s);
        return st;
    }
    neuron_split *iris = neuron_load_random(DATA_IRIS, c->seed),
                 *dig = neuron_load_digits(DATA_DIGITS, o->digits_ordered, c->seed);
    cli_prepare_out(c);
    if (kind == NEURON_MODEL_MLP)
        printf("mlp (hidden %zu, ReLU)", o->hidden);
    else
        printf("softmax regression");
    printf(": iris (%zu/%zu rows, shuffled split) and digits (%zu/%zu rows, %s split)\n", iris->ntr,
           iris->nte, dig->ntr, dig->nte, o->digits_ordered ? "ordered" : "shuffled");
    snprintf(run, sizeof run, "%s_iris_%s", name, neuron_loss_name(o->loss));
    snprintf(key, sizeof key, "%s.iris", name);
    neuron_run_cfg rc = neuron_iris_cfg(o, kind, run);
    double *a1 =
        sum ? (kind == NEURON_MODEL_MLP ? &sum->mlp_iris_acc : &sum->softmax_iris_acc) : NULL;
    if ((st = run_and_print(o, iris, &rc, key, a1))) goto done;

    snprintf(run, sizeof run, "%s_digits_%s", name, neuron_loss_name(o->loss));
    snprintf(key, sizeof key, "%s.digits", name);
    rc = neuron_digits_cfg(o, kind, run);
    if (kind == NEURON_MODEL_MLP) { /* the curves of the digits MLP: mlp_digits.png */
        neuron_train_result res;
        if ((st = neuron_train_run(o, dig, &rc, &res))) goto done;
        char note[160];
        snprintf(note, sizeof note, "%.0f of %zu right after %ld epochs",
                 res.test_acc * (double)dig->nte, dig->nte, res.epochs_run);
        neuron_kv("mlp.digits.train_loss", res.train_loss,
                  "cross-entropy, mean over the last epoch");
        neuron_kv("mlp.digits.test_acc", res.test_acc, note);
        if (sum) sum->mlp_digits_acc = res.test_acc;
        double *ep = cm_xcalloc((size_t)res.epochs_run, sizeof(double));
        for (long e = 0; e < res.epochs_run; e++) ep[e] = (double)(e + 1);
        plot_fig *f = plot_fig_new("mlp_digits", "MLP on digits: training curves", "epoch",
                                   "loss / accuracy");
        plot_fig_line(f, "train loss (cross-entropy)", ep, res.curve_loss, (size_t)res.epochs_run);
        plot_fig_line(f, "test accuracy", ep, res.curve_acc, (size_t)res.epochs_run);
        neuron_write_fig(c, f);
        free(ep);
        neuron_train_result_free(&res);
    } else {
        st = run_and_print(o, dig, &rc, key, sum ? &sum->softmax_digits_acc : NULL);
    }
done:
    neuron_split_free(iris);
    neuron_split_free(dig);
    return st;
}

int neuron_run_softmax(const neuron_opts *o, neuron_summary *s)
{
    return run_model_part(o, NEURON_MODEL_SOFTMAX, s);
}

int neuron_run_mlp(const neuron_opts *o, neuron_summary *s)
{
    return run_model_part(o, NEURON_MODEL_MLP, s);
}
