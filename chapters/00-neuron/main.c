/* main.c: the command line of bin/neuron (chapter 00): parses the subcommand and options and
 * calls the part in demo.c. Nothing else lives here. */
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
        "usage: neuron [SUBCOMMAND] [OPTIONS]\n"
        "Chapter 00: the perceptron and its bias, logistic and softmax regression, a one-hidden-\n"
        "layer MLP, and the smooth surrogate of accuracy as a loss.\n"
        "\n"
        "subcommands:\n"
        "  (none)      the whole demonstration: every part below, a summary line, the figures\n"
        "  perceptron  perceptron with and without a bias on a 2-D set "
        "(out/neuron/perceptron.png)\n"
        "  logistic    logistic regression on data/breast_cancer.csv (full batch)\n"
        "  softmax     softmax regression on iris and digits\n"
        "  mlp         the MLP on iris and digits (out/neuron/mlp_digits.png)\n"
        "  surrogate   the MLP on digits trained on cross-entropy and on 1 - smooth accuracy\n"
        "  train       the digits MLP (or --data CSV), checkpoint in OUT/mlp/ after every epoch\n"
        "  eval        evaluate a checkpoint on its test split (--load DIR)\n"
        "  gradcheck   numeric gradient check of every model and loss (exit 1 on a failure)\n"
        "  grad        --load DIR --batch DIR --out DIR: the loss and every gradient as .npy\n"
        "  bench       seconds per epoch of the digits MLP (hidden 128, batch 64, Adam)\n"
        "\n"
        "options (defaults in brackets; a part's own default where it says 'part'):\n"
        "  --epochs N        epochs [part: perceptron 1000 max, logistic 300, iris 100,\n"
        "                    digits 50; --quick: logistic 100, iris 30, digits 5]\n"
        "  --lr X            learning rate [part: logistic/softmax 0.01, mlp Adam 0.001,\n"
        "                    iris mlp 0.01, SGD 0.01]\n"
        "  --optimizer NAME  sgd or adam [adam; surrogate: sgd]\n"
        "  --momentum X      SGD momentum [0.9]\n"
        "  --weight-decay X  L2 weight decay [0]\n"
        "  --hidden N        MLP hidden units [128]\n"
        "  --batch N         minibatch size [iris 16, digits 64]; for grad: a directory\n"
        "  --loss NAME       ce or smooth (1 - smooth accuracy) [ce]\n"
        "  --resume DIR      train: continue from a checkpoint exactly where it stopped (its\n"
        "                    optimizer, generator and place in the epoch; up to the epochs the\n"
        "                    run asked for unless --epochs N asks for N more)\n"
        "  --load DIR        eval, grad: the checkpoint to read\n"
        "  --split NAME      digits: shuffled (1437/360 rows, seeded) or ordered (rows 0..1436\n"
        "                    train, the rest test, as chapters 03 and 04) [shuffled]\n"
        "%s",
        CLI_COMMON_HELP);
}

enum {
    O_EPOCHS = 1,
    O_LR,
    O_OPT,
    O_MOM,
    O_WD,
    O_HIDDEN,
    O_BATCH,
    O_LOSS,
    O_RESUME,
    O_LOAD,
    O_SPLIT
};

int main(int argc, char **argv)
{
    static const char *const subs[] = {"perceptron", "logistic", "softmax", "mlp",
                                       "surrogate",  "train",    "eval",    "gradcheck",
                                       "grad",       "bench",    NULL};
    static const struct option opts[] = {{"epochs", required_argument, 0, O_EPOCHS},
                                         {"lr", required_argument, 0, O_LR},
                                         {"optimizer", required_argument, 0, O_OPT},
                                         {"momentum", required_argument, 0, O_MOM},
                                         {"weight-decay", required_argument, 0, O_WD},
                                         {"hidden", required_argument, 0, O_HIDDEN},
                                         {"batch", required_argument, 0, O_BATCH},
                                         {"loss", required_argument, 0, O_LOSS},
                                         {"resume", required_argument, 0, O_RESUME},
                                         {"load", required_argument, 0, O_LOAD},
                                         {"split", required_argument, 0, O_SPLIT},
                                         CLI_COMMON_LONGOPTS,
                                         {0, 0, 0, 0}};
    cli_common c;
    cli_common_defaults(&c, "neuron");
    neuron_opts o;
    neuron_opts_defaults(&o, &c);
    const char *sub = NULL, *batch_arg = NULL;
    if (argc > 1 && argv[1][0] != '-') {
        sub = argv[1];
        cli_choice("subcommand", sub, subs);
        argc--, argv++; /* getopt starts after the subcommand */
    }
    static const char *const optimizers[] = {"sgd", "adam", NULL};
    static const char *const losses[] = {"ce", "smooth", NULL};
    static const char *const splits[] = {"shuffled", "ordered", NULL};
    int opt;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (cli_common_handle(&c, opt, optarg, argc, argv)) continue;
        switch (opt) {
        case O_EPOCHS:
            o.epochs = cli_long("--epochs", optarg, 1, 1000000);
            break;
        case O_LR:
            o.lr = cli_double("--lr", optarg, 1e-12, 1e300);
            break;
        case O_OPT:
            o.optimizer = cli_choice("--optimizer", optarg, optimizers);
            break;
        case O_MOM:
            o.momentum = cli_double("--momentum", optarg, 0.0, 0.999999);
            break;
        case O_WD:
            o.weight_decay = cli_double("--weight-decay", optarg, 0.0, 1e3);
            break;
        case O_HIDDEN:
            o.hidden = (size_t)cli_long("--hidden", optarg, 1, 100000);
            break;
        case O_BATCH:
            batch_arg = optarg;
            break;
        case O_LOSS:
            o.loss = (neuron_loss_kind)cli_choice("--loss", optarg, losses);
            break;
        case O_SPLIT:
            o.digits_ordered = cli_choice("--split", optarg, splits);
            break;
        case O_RESUME:
            o.resume = optarg;
            break;
        case O_LOAD:
            o.load = optarg;
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
            o.batch = (size_t)cli_long("--batch", batch_arg, 1, 100000);
    }
    if (o.resume) /* a bad --resume stops before anything is created */
        cm_die_status(ckpt_check_resumable(o.resume));
    cli_print_config(stdout, &c,
                     sub && (!strcmp(sub, "perceptron") || !strcmp(sub, "gradcheck"))
                         ? "(generated)"
                     : c.data ? c.data
                              : "data/ (shipped)");
    if (!sub) return neuron_run_demo(&o);
    if (!strcmp(sub, "perceptron")) {
        cli_prepare_out(&c);
        return neuron_run_perceptron(&o, NULL);
    }
    if (!strcmp(sub, "logistic")) return neuron_run_logistic(&o, NULL);
    if (!strcmp(sub, "softmax")) return neuron_run_softmax(&o, NULL);
    if (!strcmp(sub, "mlp")) return neuron_run_mlp(&o, NULL);
    if (!strcmp(sub, "surrogate")) return neuron_run_surrogate(&o, NULL);
    if (!strcmp(sub, "train")) return neuron_run_train(&o);
    if (!strcmp(sub, "eval")) return neuron_run_eval(&o);
    if (!strcmp(sub, "gradcheck")) return neuron_run_gradcheck(&o);
    if (!strcmp(sub, "grad")) return neuron_run_grad(&o);
    return neuron_run_bench(&o);
}
