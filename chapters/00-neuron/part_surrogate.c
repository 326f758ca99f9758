/* part_surrogate.c: `neuron surrogate`: the digits MLP trained on cross-entropy and on
 * 1 - smooth accuracy (surrogate.h) from the same init, and the figure surrogate.png. */
#include "parts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/* ---- 4. the smooth surrogate of accuracy versus cross-entropy ---------------------------- */

int neuron_run_surrogate(const neuron_opts *o, neuron_summary *sum)
{
    const cli_common *c = o->c;
    neuron_split *dig =
        neuron_load_digits(c->data ? c->data : DATA_DIGITS, o->digits_ordered, c->seed);
    cli_prepare_out(c);
    neuron_train_result res[2];
    static const neuron_loss_kind kinds[2] = {NEURON_LOSS_CE, NEURON_LOSS_SMOOTH};
    static const char *const runs[2] = {"surrogate_ce", "surrogate_smooth"};
    neuron_run_cfg rc = neuron_digits_cfg(o, NEURON_MODEL_MLP, "");
    rc.adam = o->optimizer == 1; /* plain SGD by default: the gradients' sizes show */
    rc.lr = neuron_pick_double(o->lr, rc.adam ? MLP_LR : SURROGATE_LR);
    for (int i = 0; i < 2; i++) {
        rc.run = runs[i];
        rc.loss = kinds[i];
        int st = neuron_train_run(o, dig, &rc, &res[i]);
        if (st) {
            if (i) neuron_train_result_free(&res[0]);
            neuron_split_free(dig);
            return st;
        }
    }
    printf("surrogate: the MLP (hidden %zu) on digits, same init, split and seed, %ld epochs of "
           "%s lr %g\n",
           o->hidden, rc.epochs, rc.adam ? "Adam" : "SGD", rc.lr);
    printf("  %-34s %10s %10s %16s\n", "loss", "train_loss", "test_acc", "test_smooth_acc");
    for (int i = 0; i < 2; i++)
        printf("  %-34s %10.6f %10.6f %16.6f\n", runs[i], res[i].train_loss, res[i].test_acc,
               res[i].test_smooth);
    printf("  (surrogate_ce trains on -log p_y, surrogate_smooth on 1 - p_y; train_loss is each "
           "run's own loss)\n");
    if (sum) {
        sum->sur_ce_acc = res[0].test_acc;
        sum->sur_smooth_acc = res[1].test_acc;
    }
    size_t ne = (size_t)res[0].epochs_run;
    double *ep = cm_xcalloc(ne, sizeof(double));
    for (size_t e = 0; e < ne; e++) ep[e] = (double)(e + 1);
    plot_fig *f = plot_fig_new("surrogate", "Cross-entropy vs the smooth accuracy as the loss",
                               "epoch", "test accuracy");
    plot_fig_line(f, "trained on cross-entropy", ep, res[0].curve_acc, ne);
    plot_fig_line(f, "trained on 1 - smooth accuracy", ep, res[1].curve_acc, ne);
    plot_fig_line(f, "smooth accuracy (cross-entropy run)", ep, res[0].curve_smooth, ne);
    plot_fig_line(f, "smooth accuracy (smooth run)", ep, res[1].curve_smooth, ne);
    neuron_write_fig(c, f);
    free(ep);
    neuron_train_result_free(&res[0]);
    neuron_train_result_free(&res[1]);
    neuron_split_free(dig);
    return 0;
}
