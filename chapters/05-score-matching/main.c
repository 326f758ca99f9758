/* main.c: the command line of bin/score-matching (chapter 05): parses the subcommand and the
 * options and calls the part in demo.c, experiment.c or cmd.c. Nothing else lives here. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "demo.h"
#include "error.h"
#include "metrics.h"
#include "interrupt.h"

static void usage(void)
{
    printf(
        "usage: score-matching [SUBCOMMAND] [OPTIONS]\n"
        "Chapter 05: the score grad log p of a distribution, learned by exact, denoising and\n"
        "sliced score matching with a noise-conditional MLP, and sampled by Langevin and\n"
        "annealed Langevin dynamics, all in 2-D where the true score is known.\n"
        "\n"
        "subcommands:\n"
        "  (none)      the whole demonstration: gauss, the three objectives on the ring of 8\n"
        "              Gaussians (score error per level, samples, MMD, modes), modes; figures\n"
        "  gauss       Hyvarinen's objective for a Gaussian model: reaches the sample mean and\n"
        "              covariance (two moons)\n"
        "  train       one objective (--objective) on --dataset or --data; checkpoint\n"
        "              OUT/model_<objective>/, samples and figures\n"
        "  sample      annealed Langevin from a checkpoint (--load DIR)\n"
        "  modes       plain against annealed Langevin on two modes of weights 0.8 / 0.2 (the\n"
        "              exact score): the share of samples per mode against the truth\n"
        "  gradcheck   numeric gradient check of every objective (exit 1 on a failure)\n"
        "  grad        --load DIR --batch DIR --out DIR: the loss and every gradient as .npy\n"
        "  bench       denoising-score-matching training steps per second\n"
        "\n"
        "options (defaults in brackets):\n"
        "  --objective NAME  esm (exact), dsm (denoising) or ssm (sliced) [train, grad: dsm;\n"
        "                    the demonstration: all three, or only this one when given]\n"
        "  --dataset NAME    ring, two-modes, moons, swiss or checkerboard [ring]\n"
        "  --steps N         training steps [3000; --quick 400; bench 500]\n"
        "  --batch N         minibatch size [256]; for grad: a directory\n"
        "  --hidden N        hidden units of both layers [128]\n"
        "  --lr X            Adam learning rate, cosine decay to 1%% of it [0.005]\n"
        "  --sigmas LIST     the noise ladder, decreasing, e.g. 6,2,0.5,0.1 [geometric, below]\n"
        "  --sigma-max X     largest level of the geometric ladder [6]\n"
        "  --sigma-min X     smallest level [0.05]\n"
        "  --levels N        levels of the geometric ladder [10]\n"
        "  --eps X           Langevin step at the smallest level, alpha_i = eps sigma_i^2 /\n"
        "                    sigma_L^2 [0.002; modes: 0.1]\n"
        "  --langevin-steps N  steps per level [100; --quick 30]\n"
        "  --samples N       particles [1000; --quick 400]\n"
        "  --train-size N    generated training points [8192; --quick 4096]\n"
        "  --load DIR        sample, grad: the checkpoint to read\n"
        "  --resume DIR      train: continue an interrupted run from its checkpoint, exactly\n"
        "                    where it stopped (give the run's other options again)\n"
        "  --data PATH       a CSV of two numeric columns (with a header) to train on instead of\n"
        "                    a generated set\n"
        "%s",
        CLI_COMMON_HELP);
}

enum {
    O_OBJ = 1,
    O_DATASET,
    O_STEPS,
    O_BATCH,
    O_HIDDEN,
    O_LR,
    O_SIGMAS,
    O_SMAX,
    O_SMIN,
    O_LEVELS,
    O_EPS,
    O_TSTEPS,
    O_SAMPLES,
    O_TRAIN_SIZE,
    O_RESUME,
    O_LOAD
};

int main(int argc, char **argv)
{
    static const char *const subs[] = {"gauss",     "train", "sample", "modes",
                                       "gradcheck", "grad",  "bench",  NULL};
    static const struct option opts[] = {{"objective", required_argument, 0, O_OBJ},
                                         {"dataset", required_argument, 0, O_DATASET},
                                         {"steps", required_argument, 0, O_STEPS},
                                         {"batch", required_argument, 0, O_BATCH},
                                         {"hidden", required_argument, 0, O_HIDDEN},
                                         {"lr", required_argument, 0, O_LR},
                                         {"sigmas", required_argument, 0, O_SIGMAS},
                                         {"sigma-max", required_argument, 0, O_SMAX},
                                         {"sigma-min", required_argument, 0, O_SMIN},
                                         {"levels", required_argument, 0, O_LEVELS},
                                         {"eps", required_argument, 0, O_EPS},
                                         {"langevin-steps", required_argument, 0, O_TSTEPS},
                                         {"samples", required_argument, 0, O_SAMPLES},
                                         {"train-size", required_argument, 0, O_TRAIN_SIZE},
                                         {"load", required_argument, 0, O_LOAD},
                                         {"resume", required_argument, 0, O_RESUME},
                                         CLI_COMMON_LONGOPTS,
                                         {0, 0, 0, 0}};
    static const char *const objs[] = {"esm", "dsm", "ssm", NULL};
    static const char *const sets[] = {"ring", "two-modes", "moons", "swiss", "checkerboard", NULL};
    cli_common c;
    cli_common_defaults(&c, "score-matching");
    score_opts o;
    score_opts_defaults(&o, &c);
    const char *sub = NULL, *batch_arg = NULL, *sigmas_arg = NULL;
    double smax = 6.0, smin = 0.05;
    long levels = 10;
    int geo_set = 0, eps_set = 0;
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
        case O_OBJ:
            o.obj = (score_objective)cli_choice("--objective", optarg, objs);
            o.obj_set = 1;
            break;
        case O_DATASET:
            o.dataset = (score_dataset)cli_choice("--dataset", optarg, sets);
            break;
        case O_STEPS:
            o.steps = cli_long("--steps", optarg, 1, 100000000);
            break;
        case O_BATCH:
            batch_arg = optarg;
            break;
        case O_HIDDEN:
            o.hidden = (size_t)cli_long("--hidden", optarg, 1, 4096);
            break;
        case O_LR:
            o.lr = cli_double("--lr", optarg, 1e-12, 1e300);
            break;
        case O_SIGMAS:
            sigmas_arg = optarg;
            break;
        case O_SMAX:
            smax = cli_double("--sigma-max", optarg, 1e-300, 1e300);
            geo_set = 1;
            break;
        case O_SMIN:
            smin = cli_double("--sigma-min", optarg, 1e-300, 1e300);
            geo_set = 1;
            break;
        case O_LEVELS:
            levels = cli_long("--levels", optarg, 1, SCORE_MAX_LEVELS);
            geo_set = 1;
            break;
        case O_EPS:
            o.eps = cli_double("--eps", optarg, 1e-300, 1e300);
            eps_set = 1;
            break;
        case O_TSTEPS:
            o.T = cli_long("--langevin-steps", optarg, 1, 100000000);
            break;
        case O_SAMPLES:
            o.n_samples = (size_t)cli_long("--samples", optarg, 2, 10000000);
            break;
        case O_TRAIN_SIZE:
            o.n_train = (size_t)cli_long("--train-size", optarg, 2, 100000000);
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
    int is_grad = sub && !strcmp(sub, "grad");
    if (batch_arg) {
        if (is_grad)
            o.batch_dir = batch_arg;
        else
            o.batch = (size_t)cli_long("--batch", batch_arg, 1, 100000);
    }
    if (sigmas_arg && geo_set)
        cm_die("--sigmas gives the ladder itself: do not combine it with --sigma-max, "
               "--sigma-min or --levels");
    if (sigmas_arg) {
        if (score_ladder_parse(sigmas_arg, o.sigmas, SCORE_MAX_LEVELS, &o.L) != CM_OK)
            cm_die("--sigmas '%s': %s", sigmas_arg, cm_errmsg());
    } else if (geo_set) {
        o.L = (size_t)levels;
        if (score_ladder_geometric(smax, smin, o.L, o.sigmas) != CM_OK)
            cm_die("--sigma-max %g, --sigma-min %g: %s", smax, smin, cm_errmsg());
    }
    int is_bench = sub && !strcmp(sub, "bench");
    if (is_bench && !o.steps) o.steps = 500;
    if (sub && !strcmp(sub, "modes") && eps_set) o.modes_eps = o.eps;
    size_t L_given = o.L;
    score_opts_finish(&o);
    if (sub && !strcmp(sub, "sample") && !L_given) o.L = 0; /* the checkpoint's own ladder */
    if (o.resume && (!sub || strcmp(sub, "train") != 0))
        cm_die("--resume DIR continues a `score-matching train` run; it goes with train");
    const char *shown = c.data ? c.data : "(generated)";
    if (o.resume) /* a bad --resume stops before anything is created */
        cm_die_status(ckpt_check_resumable(o.resume));
    cli_print_config(stdout, &c, shown);
    if (!sub) {
        cli_prepare_out(&c);
        return score_run_demo(&o);
    }
    if (!strcmp(sub, "gauss")) return score_run_gauss(&o, NULL);
    if (!strcmp(sub, "train")) {
        cli_prepare_out(&c);
        return score_run_train(&o);
    }
    if (!strcmp(sub, "sample")) return score_run_sample(&o);
    if (!strcmp(sub, "modes")) {
        cli_prepare_out(&c);
        return score_run_modes(&o, NULL);
    }
    if (!strcmp(sub, "gradcheck")) return score_run_gradcheck(&o);
    if (!strcmp(sub, "grad")) return score_run_grad(&o);
    return score_run_bench(&o);
}
