/* demo.c: `neuron` with no subcommand: every part in turn (parts.h), then the summary line;
 * and the defaults of the options. */
#include "parts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "timer.h"

void neuron_opts_defaults(neuron_opts *o, cli_common *c)
{
    *o = (neuron_opts){
        .c = c, .momentum = 0.9, .hidden = 128, .optimizer = -1, .loss = NEURON_LOSS_CE};
}

/* ---- the whole demonstration -------------------------------------------------------------- */

int neuron_run_demo(const neuron_opts *o)
{
    const cli_common *c = o->c;
    if (c->data)
        cm_die("--data: the demonstration uses the shipped data; give --data to a "
               "subcommand (logistic, softmax, mlp, train)");
    /* Read every data file first, so that a missing one stops us before --out is created. */
    neuron_split_free(neuron_load_random(DATA_BREAST, c->seed));
    neuron_split_free(neuron_load_random(DATA_IRIS, c->seed));
    neuron_split_free(neuron_load_digits(DATA_DIGITS, o->digits_ordered, c->seed));
    cli_prepare_out(c);
    neuron_summary s = {0};
    cm_timer t;
    timer_start(&t);
    int st;
    if ((st = neuron_run_perceptron(o, &s)) || (st = neuron_run_logistic(o, &s)) ||
        (st = neuron_run_softmax(o, &s)) || (st = neuron_run_mlp(o, &s)) ||
        (st = neuron_run_surrogate(o, &s)))
        return st;
    if (!c->quiet) {
        /* png and window write the pictures; term and none only their data and scripts */
        const char *ext = c->plot == PLOT_PNG || c->plot == PLOT_WINDOW ? "png" : "gp";
        printf("figures: %s/perceptron.%s, %s/mlp_digits.%s, %s/surrogate.%s%s\n", c->out, ext,
               c->out, ext, c->out, ext,
               *ext == 'g' ? " (no PNG with --plot term/none; gnuplot FILE.gp draws one)" : "");
        printf("logs: %s/<run>.csv; %.1f s\n", c->out, timer_elapsed(&t));
    }
    printf("summary: perceptron errors with bias %zu, without >= %.0f%%; logistic %.1f%%; "
           "softmax iris %.1f%% digits %.1f%%; mlp iris %.1f%% digits %.1f%%; "
           "ce %.1f%% vs smooth %.1f%%; figures in %s/\n",
           s.perc_bias_errors, 100.0 * (double)s.perc_nobias_best / (double)s.perc_n,
           100 * s.logistic_acc, 100 * s.softmax_iris_acc, 100 * s.softmax_digits_acc,
           100 * s.mlp_iris_acc, 100 * s.mlp_digits_acc, 100 * s.sur_ce_acc, 100 * s.sur_smooth_acc,
           c->out);
    return 0;
}
