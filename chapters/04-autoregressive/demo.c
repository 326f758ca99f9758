/* demo.c: `autoregressive` with no subcommand: FVSBN, NADE and MADE trained on the binarized
 * digits, their exact test NLLs side by side, sample grids and completions. */
#include "runs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "plot.h"
#include "timer.h"

int ar_run_demo(const ar_opts *o)
{
    const cli_common *c = o->c;
    ar_data *d = ar_load_data(o);
    ar_kind kinds[AR_N_KINDS];
    size_t n_kinds = 0;
    if (o->model >= 0)
        kinds[n_kinds++] = (ar_kind)o->model;
    else
        for (int k = 0; k < AR_N_KINDS; k++) kinds[n_kinds++] = (ar_kind)k;
    /* every option is checked (the ordering file read) before --out is created */
    size_t *order = cm_xcalloc(d->D, sizeof(size_t));
    ar_spec specs[AR_N_KINDS];
    for (size_t i = 0; i < n_kinds; i++) specs[i] = ar_spec_from_opts(o, kinds[i], d->D, order);
    cli_prepare_out(c);
    printf("data: %s%s: %zu train / %zu test images of %zux%zu, %zu variables\n",
           c->data ? c->data : AR_DATA_DIGITS,
           o->no_binarize ? " (binary as given)" : " binarized (pixel >= 8 is 1)", d->ntr, d->nte,
           d->img_h, d->img_w, d->D);
    cm_timer t;
    timer_start(&t);
    ar_model *models[AR_N_KINDS] = {0};
    ar_train_result res[AR_N_KINDS];
    plot_fig *f = plot_fig_new("nll", "test negative log-likelihood per epoch", "epoch",
                               "test NLL (nats per image)");
    if (!f) cm_die_status(CM_ENOMEM);
    for (size_t i = 0; i < n_kinds; i++) {
        const char *label = ar_kind_name(kinds[i]);
        printf("%s:\n", label);
        int st = ar_train_run(o, &specs[i], d, label, label, 1, &models[i], &res[i]);
        if (st) { /* diverged (message printed): free what the earlier models hold */
            for (size_t j = 0; j < i; j++) {
                ar_train_result_free(&res[j]);
                ar_model_free(models[j]);
            }
            plot_fig_free(f);
            free(order);
            ar_data_free(d);
            return st;
        }
        ar_write_samples(o, models[i], d, label, AR_GRID, c->seed);
        ar_write_completion(o, models[i], d, label, c->seed);
        double *x = cm_xcalloc((size_t)res[i].epochs_run, sizeof(double));
        for (long e = 0; e < res[i].epochs_run; e++) x[e] = (double)(e + 1);
        cm_die_status(plot_fig_line(f, label, x, res[i].curve_test, (size_t)res[i].epochs_run));
        free(x);
    }
    plot_ctx ctx = {.dir = c->out, .mode = c->plot};
    cm_die_status(plot_fig_write(&ctx, f));
    plot_fig_free(f);

    printf("\nexact test NLL on the %zu test images (nats per image, lower is better):\n", d->nte);
    printf("  %-30s %10s %10s %10s\n", "model", "parameters", "train NLL", "test NLL");
    for (size_t i = 0; i < n_kinds; i++) {
        char name[64];
        const ar_spec *s = &models[i]->spec;
        if (s->kind == AR_FVSBN)
            snprintf(name, sizeof name, "FVSBN");
        else if (s->kind == AR_NADE)
            snprintf(name, sizeof name, "NADE (H %zu)", s->hidden[0]);
        else {
            char hs[40] = "";
            for (size_t l = 0, used = 0; l < s->n_hidden && used < sizeof hs; l++)
                used +=
                    (size_t)snprintf(hs + used, sizeof hs - used, l ? ",%zu" : "%zu", s->hidden[l]);
            snprintf(name, sizeof name, "MADE (%s, %zu ordering%s)", hs, s->orderings,
                     s->orderings > 1 ? "s" : "");
        }
        printf("  %-30s %10zu %10.4f %10.4f\n", name, ar_model_n_formula(models[i]),
               res[i].train_nll, res[i].test_nll);
    }
    printf("  %-30s %10s %10s %10s\n", "VAE (chapter 03)", "-", "-",
           "(from chapter 03: run `bin/vae eval`; importance-weighted NLL)");
    if (!c->quiet) {
        const char *ext = c->plot == PLOT_PNG || c->plot == PLOT_WINDOW ? "png" : "gp";
        printf("figures: %s/samples_<model>.%s, %s/completion_<model>.%s, %s/nll.%s\n", c->out, ext,
               c->out, ext, c->out, ext);
        printf("logs: %s/<model>.csv; checkpoints: %s/<model>/; %.1f s\n", c->out, c->out,
               timer_elapsed(&t));
    }
    printf("summary: test NLL in nats");
    for (size_t i = 0; i < n_kinds; i++)
        printf("%s %s %.2f", i ? "," : "", ar_kind_name(kinds[i]), res[i].test_nll);
    printf(" (%zu test digits); samples and completions in %s/\n", d->nte, c->out);
    for (size_t i = 0; i < n_kinds; i++) {
        ar_train_result_free(&res[i]);
        ar_model_free(models[i]);
    }
    free(order);
    ar_data_free(d);
    return 0;
}
