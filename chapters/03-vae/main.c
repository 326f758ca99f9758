/* main.c: the command line of bin/vae (chapter 03): parses the subcommand and options and
 * calls the part in demo.h. Nothing else lives here. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "demo.h"
#include "error.h"
#include "interrupt.h"

static void usage(void)
{
    printf(
        "usage: vae [SUBCOMMAND] [OPTIONS]\n"
        "Chapter 03: the variational autoencoder on binarized 8x8 digits (1437 train / 360 test\n"
        "rows), the reparameterization trick, the gradient estimators compared, and a VAE with\n"
        "categorical latents through Gumbel-softmax. Losses are negative ELBOs in nats per digit.\n"
        "\n"
        "subcommands:\n"
        "  (none)      the whole demonstration: gauss, estimators, gumbel, a summary line\n"
        "  gauss       the Gaussian VAE: train, test -ELBO and IW NLL, the pictures\n"
        "  estimators  score function (with, without baseline) vs reparameterization: variance\n"
        "  gumbel      the categorical VAE, relaxed and straight-through Gumbel-softmax\n"
        "  train       one model (--model), checkpoint in OUT/<gauss|gumbel|gumbel_st>/\n"
        "  eval        --load DIR: test -ELBO and IW NLL of a checkpoint (--iw-samples K)\n"
        "  sample      --load DIR: samples from the prior, reconstructions (and with a 2-D\n"
        "              latent, the latent plane and the decoded manifold)\n"
        "  gradcheck   numeric gradient check of both VAEs, noise fixed (exit 1 on a failure)\n"
        "  grad        --load DIR --batch DIR --out DIR: loss and every gradient as .npy, for\n"
        "              the noise in DIR/noise.npy (the parity hook)\n"
        "  bench       seconds per training epoch of the Gaussian VAE\n"
        "\n"
        "options (defaults in brackets):\n"
        "  --latent N        Gaussian latent dimensions [%d]\n"
        "  --hidden N        hidden units of encoder and decoder [%d]\n"
        "  --epochs N        epochs [gauss %ld, gumbel %ld; --quick %ld, %ld]\n"
        "  --batch N         minibatch size [%d]; for grad: a directory\n"
        "  --lr X            Adam learning rate [%g]\n"
        "  --iw-samples K    importance samples per test row, 1..%d [%ld; --quick %ld]\n"
        "  --nvars N         categorical latent variables [%d]\n"
        "  --ncats K         categories per variable [%d]\n"
        "  --tau0 X          Gumbel-softmax start temperature [%g]\n"
        "  --tau-min X       final temperature, reached at 3/4 of the steps [%g]\n"
        "  --model NAME      train: gauss, cat (relaxed) or cat-st (straight-through) [gauss]\n"
        "  --reps R          estimators: repeats per estimate [%ld; --quick %ld]\n"
        "  --load DIR        eval, sample, grad: a checkpoint\n"
        "  --resume DIR      train: continue an interrupted run from its checkpoint, exactly\n"
        "                    where it stopped (give the run's other options again)\n"
        "%s",
        VAE_LATENT, VAE_HIDDEN, VAE_EPOCHS[0], VAE_CAT_EPOCHS[0], VAE_EPOCHS[1], VAE_CAT_EPOCHS[1],
        VAE_BATCH, VAE_LR, VAE_IW_MAX, VAE_IW[0], VAE_IW[1], VAE_NVARS, VAE_NCATS, VAE_TAU0,
        VAE_TAU_MIN, VAE_REPS[0], VAE_REPS[1], CLI_COMMON_HELP);
}

enum {
    O_LATENT = 1,
    O_HIDDEN,
    O_EPOCHS,
    O_BATCH,
    O_LR,
    O_IW,
    O_NVARS,
    O_NCATS,
    O_TAU0,
    O_TAUMIN,
    O_MODEL,
    O_REPS,
    O_LOAD,
    O_RESUME
};

int main(int argc, char **argv)
{
    static const char *const subs[] = {"gauss",  "estimators", "gumbel", "train", "eval",
                                       "sample", "gradcheck",  "grad",   "bench", NULL};
    static const struct option opts[] = {{"latent", required_argument, 0, O_LATENT},
                                         {"hidden", required_argument, 0, O_HIDDEN},
                                         {"epochs", required_argument, 0, O_EPOCHS},
                                         {"batch", required_argument, 0, O_BATCH},
                                         {"lr", required_argument, 0, O_LR},
                                         {"iw-samples", required_argument, 0, O_IW},
                                         {"nvars", required_argument, 0, O_NVARS},
                                         {"ncats", required_argument, 0, O_NCATS},
                                         {"tau0", required_argument, 0, O_TAU0},
                                         {"tau-min", required_argument, 0, O_TAUMIN},
                                         {"model", required_argument, 0, O_MODEL},
                                         {"reps", required_argument, 0, O_REPS},
                                         {"load", required_argument, 0, O_LOAD},
                                         {"resume", required_argument, 0, O_RESUME},
                                         CLI_COMMON_LONGOPTS,
                                         {0, 0, 0, 0}};
    static const char *const models[] = {"gauss", "cat", "cat-st", NULL};
    cli_common c;
    cli_common_defaults(&c, "vae");
    vae_opts o;
    vae_opts_defaults(&o, &c);
    o.model = -1;
    const char *sub = NULL, *batch_arg = NULL;
    if (argc > 1 && argv[1][0] != '-') {
        sub = argv[1];
        cli_choice("subcommand", sub, subs);
        argc--, argv++;
    }
    int opt;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (cli_common_handle(&c, opt, optarg, argc, argv)) continue;
        switch (opt) {
        case O_LATENT:
            o.latent = (size_t)cli_long("--latent", optarg, 1, 1000);
            break;
        case O_HIDDEN:
            o.hidden = (size_t)cli_long("--hidden", optarg, 1, 100000);
            break;
        case O_EPOCHS:
            o.epochs = cli_long("--epochs", optarg, 1, 1000000);
            break;
        case O_BATCH:
            batch_arg = optarg;
            break;
        case O_LR:
            o.lr = cli_double("--lr", optarg, 1e-12, 1e300);
            break;
        case O_IW:
            o.iw = cli_long("--iw-samples", optarg, 1, VAE_IW_MAX);
            break;
        case O_NVARS:
            o.nvars = (size_t)cli_long("--nvars", optarg, 1, 1000);
            break;
        case O_NCATS:
            o.ncats = (size_t)cli_long("--ncats", optarg, 2, 1000);
            break;
        case O_TAU0:
            o.tau0 = cli_double("--tau0", optarg, 1e-3, 100);
            break;
        case O_TAUMIN:
            o.tau_min = cli_double("--tau-min", optarg, 1e-3, 100);
            break;
        case O_MODEL:
            o.model = cli_choice("--model", optarg, models);
            break;
        case O_REPS:
            o.reps = cli_long("--reps", optarg, 2, 10000000);
            break;
        case O_LOAD:
            o.load = optarg;
            break;
        case O_RESUME:
            o.resume = optarg;
            break;
        default:
            cm_die("unexpected option (see --help)");
        }
    }
    cli_common_finish(&c, argc, argv, subs, usage);
    int is_grad = sub && strcmp(sub, "grad") == 0;
    if (batch_arg) {
        if (is_grad)
            o.batch_dir = batch_arg;
        else
            o.batch = (size_t)cli_long("--batch", batch_arg, 1, 4096);
    }
    if (o.tau_min > o.tau0)
        cm_die("--tau-min %g is above --tau0 %g: the temperature only goes down", o.tau_min,
               o.tau0);
    if (o.nvars * o.ncats > 100000)
        cm_die("--nvars %zu x --ncats %zu: at most 100000 latent units", o.nvars, o.ncats);
    if (o.resume && (!sub || strcmp(sub, "train") != 0))
        cm_die("--resume DIR continues a `vae train` run; it goes with the train subcommand");
    if (o.resume) /* a bad --resume stops before anything is created */
        cm_die_status(ckpt_check_resumable(o.resume));
    cli_print_config(stdout, &c,
                     sub && (!strcmp(sub, "estimators") || !strcmp(sub, "gradcheck"))
                         ? "(generated)"
                     : c.data ? c.data
                              : VAE_DATA_DIGITS);
    if (!sub) return vae_run_demo(&o);
    if (!strcmp(sub, "gauss")) return vae_run_gauss(&o, NULL);
    if (!strcmp(sub, "estimators")) return vae_run_estimators(&o);
    if (!strcmp(sub, "gumbel")) {
        o.model = -1;
        return vae_run_gumbel(&o, NULL);
    }
    if (!strcmp(sub, "train")) return vae_run_train(&o);
    if (!strcmp(sub, "eval")) return vae_run_eval(&o);
    if (!strcmp(sub, "sample")) return vae_run_sample(&o);
    if (!strcmp(sub, "gradcheck")) return vae_run_gradcheck(&o);
    if (!strcmp(sub, "grad")) return vae_run_grad(&o);
    return vae_run_bench(&o);
}
