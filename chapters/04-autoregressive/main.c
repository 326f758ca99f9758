/* main.c: the command line of bin/autoregressive (chapter 04): parses the subcommand and
 * options and calls the part in runs.h. Nothing else lives here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "error.h"
#include "runs.h"
#include "interrupt.h"

static void usage(void)
{
    printf("usage: autoregressive [SUBCOMMAND] [OPTIONS]\n"
           "Chapter 04: autoregressive models of binary images by the chain rule\n"
           "p(x) = prod_d p(x_{o_d} | x_{o_<d}): FVSBN, NADE and MADE on the binarized 8x8 digits\n"
           "(pixel >= 8 is 1; the first 1437 rows train, the last 360 test, as chapter 03), with\n"
           "exact test log-likelihoods, ancestral sampling and the completion of half digits.\n"
           "\n"
           "subcommands:\n"
           "  (none)      train FVSBN, NADE and MADE, print their test NLLs side by side, write\n"
           "              samples_<model>.png, completion_<model>.png and nll.png to OUT\n"
           "  train       one model (--model), a checkpoint in OUT/<model>/ after every epoch\n"
           "  eval        the exact train and test NLL of a checkpoint (--load DIR)\n"
           "  sample      a checkpoint's sample grid and completions (--load DIR, --samples N)\n"
           "  gradcheck   numeric gradient check of every model (exit 1 on a failure)\n"
           "  grad        --load DIR --batch DIR --out DIR: log p(x) of each row of X.npy, the\n"
           "              loss and every gradient as .npy (the hook of the parity test)\n"
           "  bench       seconds per training epoch of --model (nade or made)\n"
           "\n"
           "options (defaults in brackets):\n"
           "  --model NAME      fvsbn, nade or made [(none): all three; train, bench: nade]\n"
           "  --epochs N        training epochs [200; --quick 30; bench 10, --quick 2]\n"
           "  --lr X            Adam's learning rate [0.001]\n"
           "  --batch N         minibatch size [64]; for grad: a directory holding X.npy\n"
           "  --hidden LIST     hidden units: NADE one size [64]; MADE one size per layer,\n"
           "                    comma-separated, e.g. 256 or 128,128 [256]\n"
           "  --orderings K     MADE: train with K orderings (masks), average p(x) over them [1]\n"
           "  --connectivity C  MADE: hidden degrees drawn at random, or spread evenly [random]\n"
           "  --ordering FILE   the ordering of the variables: a permutation of 0..D-1 (blank- or\n"
           "                    comma-separated) [raster order 0, 1, ..., D-1]\n"
           "  --no-binarize     use the data's values as they are (each must be 0 or 1)\n"
           "  --load DIR        eval, sample, grad: the checkpoint to read\n"
           "  --resume DIR      train: continue an interrupted run from its checkpoint, exactly\n"
           "                    where it stopped (give the run's other options again)\n"
           "  --samples N       sample: how many samples to draw [64]\n"
           "%s",
           CLI_COMMON_HELP);
}

enum {
    O_MODEL = 1,
    O_EPOCHS,
    O_LR,
    O_BATCH,
    O_HIDDEN,
    O_ORDERINGS,
    O_ORDERING,
    O_NOBIN,
    O_LOAD,
    O_RESUME,
    O_SAMPLES,
    O_CONN
};

int main(int argc, char **argv)
{
    static const char *const subs[] = {"train", "eval",  "sample", "gradcheck",
                                       "grad",  "bench", NULL};
    static const struct option opts[] = {{"model", required_argument, 0, O_MODEL},
                                         {"epochs", required_argument, 0, O_EPOCHS},
                                         {"lr", required_argument, 0, O_LR},
                                         {"batch", required_argument, 0, O_BATCH},
                                         {"hidden", required_argument, 0, O_HIDDEN},
                                         {"orderings", required_argument, 0, O_ORDERINGS},
                                         {"ordering", required_argument, 0, O_ORDERING},
                                         {"connectivity", required_argument, 0, O_CONN},
                                         {"no-binarize", no_argument, 0, O_NOBIN},
                                         {"load", required_argument, 0, O_LOAD},
                                         {"resume", required_argument, 0, O_RESUME},
                                         {"samples", required_argument, 0, O_SAMPLES},
                                         CLI_COMMON_LONGOPTS,
                                         {0, 0, 0, 0}};
    static const char *const models[] = {"fvsbn", "nade", "made", NULL};
    static const char *const conns[] = {"random", "even", NULL}; /* as ar_connectivity */
    cli_common c;
    cli_common_defaults(&c, "autoregressive");
    ar_opts o;
    ar_opts_defaults(&o, &c);
    const char *sub = NULL, *batch_arg = NULL;
    if (argc > 1 && argv[1][0] != '-') {
        sub = argv[1];
        cli_choice("subcommand", sub, subs);
        argc--, argv++; /* getopt starts after the subcommand */
    }
    int opt;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (cli_common_handle(&c, opt, optarg, argc, argv)) continue;
        switch (opt) {
        case O_MODEL:
            o.model = cli_choice("--model", optarg, models);
            break;
        case O_EPOCHS:
            o.epochs = cli_long("--epochs", optarg, 1, 1000000);
            break;
        case O_LR:
            o.lr = cli_double("--lr", optarg, 1e-12, 1e300);
            break;
        case O_BATCH:
            batch_arg = optarg;
            break;
        case O_HIDDEN:
            if (ar_parse_hidden(optarg, o.hidden, &o.n_hidden) != CM_OK)
                cm_die("--hidden: %s", cm_errmsg());
            break;
        case O_ORDERINGS:
            o.orderings = (size_t)cli_long("--orderings", optarg, 1, 1000);
            break;
        case O_CONN:
            o.connectivity = cli_choice("--connectivity", optarg, conns);
            break;
        case O_ORDERING:
            o.ordering_file = optarg;
            break;
        case O_NOBIN:
            o.no_binarize = 1;
            break;
        case O_LOAD:
            o.load = optarg;
            break;
        case O_RESUME:
            o.resume = optarg;
            break;
        case O_SAMPLES:
            o.samples = cli_long("--samples", optarg, 1, 100000);
            break;
        default:
            cm_die("unexpected option (see --help)");
        }
    }
    cli_common_finish(&c, argc, argv, subs, usage); /* leftovers, --help, --version */
    int is_grad = sub && !strcmp(sub, "grad");
    if (batch_arg) {
        if (is_grad)
            o.batch_dir = batch_arg;
        else
            o.batch = (size_t)cli_long("--batch", batch_arg, 1, 100000);
    }
    if (o.orderings > 1 && o.model >= 0 && o.model != AR_MADE)
        cm_die("--orderings: only MADE trains with several orderings (--model made)");
    if (o.connectivity != AR_CONN_RANDOM && o.model >= 0 && o.model != AR_MADE)
        cm_die("--connectivity: only MADE has hidden degrees (--model made)");
    if (o.n_hidden && o.model == AR_FVSBN) cm_die("--hidden: FVSBN has no hidden layer");
    if (sub && !strcmp(sub, "bench") && o.model == AR_FVSBN)
        cm_die("bench: --model nade or made (the benchmark of the issue)");
    if (o.resume && (!sub || strcmp(sub, "train") != 0))
        cm_die("--resume DIR continues an `autoregressive train` run; it goes with train");
    if (o.resume) /* a bad --resume stops before anything is created */
        cm_die_status(ckpt_check_resumable(o.resume));
    cli_print_config(stdout, &c,
                     sub && !strcmp(sub, "gradcheck") ? "(generated)"
                     : c.data                         ? c.data
                                                      : AR_DATA_DIGITS);
    if (!sub) return ar_run_demo(&o);
    if (!strcmp(sub, "train")) return ar_run_train(&o);
    if (!strcmp(sub, "eval")) return ar_run_eval(&o);
    if (!strcmp(sub, "sample")) return ar_run_sample(&o);
    if (!strcmp(sub, "gradcheck")) return ar_run_gradcheck(&o);
    if (!strcmp(sub, "grad")) return ar_run_grad(&o);
    return ar_run_bench(&o);
}
