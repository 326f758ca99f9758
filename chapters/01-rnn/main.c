/* main.c: the command line of bin/rnn (chapter 01): parses the subcommand and options and
 * calls the part in demo.h. Nothing else lives here. */
#include <math.h>
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
        "usage: rnn [SUBCOMMAND] [OPTIONS]\n"
        "Chapter 01: a character-level language model with a tanh RNN, an LSTM or a GRU, trained\n"
        "by hand-written back-propagation through time, and why the gated cells remember longer.\n"
        "\n"
        "subcommands:\n"
        "  (none)     train an LSTM on Pride and Prejudice (under 2 minutes; --quick: seconds),\n"
        "             report held-out bits per character, print a sample, draw the curves\n"
        "  train      train (--cell, --hidden, --layers, ...); checkpoint in OUT/model/ after\n"
        "             every epoch; --resume DIR continues one\n"
        "  eval       held-out bits per character of a checkpoint (--load DIR)\n"
        "  sample     --load DIR [--prime TEXT --temperature T --length N]: write text\n"
        "  gradcheck  numeric gradient check of every cell, 1 and 2 layers (exit 1 on a failure)\n"
        "  grad       --load DIR --inputs DIR: loss and every gradient as .npy (parity hook)\n"
        "  gradnorm   |dL_T/dh_t| against the distance T - t for RNN, LSTM and GRU, at\n"
        "             initialization and after training (out/rnn/gradnorm.png)\n"
        "  copy       remember a symbol across a lag: accuracy against the lag for each cell\n"
        "             (out/rnn/copy.png)\n"
        "  bench      characters per second of LSTM training (hidden 128, seq 64, batch 32)\n"
        "\n"
        "options (defaults in brackets):\n"
        "  --cell NAME         rnn, lstm or gru [lstm]\n"
        "  --hidden N          hidden units per layer [128]\n"
        "  --layers N          stacked layers, 1 to 8 [1]\n"
        "  --seq-len N         steps of truncated BPTT per chunk [64]\n"
        "  --batch N           parallel streams through the text [16; bench 32]\n"
        "  --epochs N          passes over the training text [6; --quick: 100 chunks of the\n"
        "                      first]; bench: chunks per timed round [40]\n"
        "  --lr X              Adam's learning rate [0.015]\n"
        "  --clip X            clip the gradient's global norm to X, 0 for none [5]\n"
        "  --lr-schedule NAME  constant, linear or cosine decay to a tenth of --lr over the run\n"
        "                      [cosine]\n"
        "  --forget-bias X     an LSTM's forget-gate bias at initialization, or 'none' for\n"
        "                      torch's default [1]\n"
        "  --time SECONDS      also stop training after the epoch in which this much time passed\n"
        "  --prime TEXT        sample: the text to start from [\"It is a truth\"]\n"
        "  --temperature T     sample: softmax temperature, > 0 [0.8]\n"
        "  --length N          sample: characters to write [500]\n"
        "  --resume DIR        train: continue from a checkpoint exactly where it stopped (Adam's\n"
        "                      state, the place in the epoch); give the run's other options\n"
        "  --load DIR          eval, sample, grad: the checkpoint to read\n"
        "  --inputs DIR        grad: x.npy and y.npy (T, B) int64, h0.npy (L, B, H), c0.npy\n"
        "%s",
        CLI_COMMON_HELP);
}

enum {
    O_CELL = 1,
    O_HIDDEN,
    O_LAYERS,
    O_SEQ,
    O_BATCH,
    O_EPOCHS,
    O_LR,
    O_CLIP,
    O_SCHED,
    O_FBIAS,
    O_TIME,
    O_PRIME,
    O_TEMP,
    O_LENGTH,
    O_RESUME,
    O_LOAD,
    O_INPUTS
};

int main(int argc, char **argv)
{
    static const char *const subs[] = {"train",    "eval", "sample", "gradcheck", "grad",
                                       "gradnorm", "copy", "bench",  NULL};
    static const struct option opts[] = {{"cell", required_argument, 0, O_CELL},
                                         {"hidden", required_argument, 0, O_HIDDEN},
                                         {"layers", required_argument, 0, O_LAYERS},
                                         {"seq-len", required_argument, 0, O_SEQ},
                                         {"batch", required_argument, 0, O_BATCH},
                                         {"epochs", required_argument, 0, O_EPOCHS},
                                         {"lr", required_argument, 0, O_LR},
                                         {"clip", required_argument, 0, O_CLIP},
                                         {"lr-schedule", required_argument, 0, O_SCHED},
                                         {"forget-bias", required_argument, 0, O_FBIAS},
                                         {"time", required_argument, 0, O_TIME},
                                         {"prime", required_argument, 0, O_PRIME},
                                         {"temperature", required_argument, 0, O_TEMP},
                                         {"length", required_argument, 0, O_LENGTH},
                                         {"resume", required_argument, 0, O_RESUME},
                                         {"load", required_argument, 0, O_LOAD},
                                         {"inputs", required_argument, 0, O_INPUTS},
                                         CLI_COMMON_LONGOPTS,
                                         {0, 0, 0, 0}};
    static const char *const cells[] = {"rnn", "lstm", "gru", NULL};
    static const char *const schedules[] = {"constant", "linear", "cosine", NULL}; /* lr_kind */
    cli_common c;
    cli_common_defaults(&c, "rnn");
    rnn_opts o;
    rnn_opts_defaults(&o, &c);
    const char *sub = NULL;
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
        case O_CELL:
            o.cell = (rnn_cell)cli_choice("--cell", optarg, cells);
            o.cell_given = 1;
            break;
        case O_HIDDEN:
            o.hidden = (size_t)cli_long("--hidden", optarg, 1, 4096);
            o.hidden_given = 1;
            break;
        case O_LAYERS:
            o.layers = (size_t)cli_long("--layers", optarg, 1, RNN_MAX_LAYERS);
            break;
        case O_SEQ:
            o.seq_len = (size_t)cli_long("--seq-len", optarg, 1, 100000);
            break;
        case O_BATCH:
            o.batch = (size_t)cli_long("--batch", optarg, 1, 100000);
            o.batch_given = 1;
            break;
        case O_EPOCHS:
            o.epochs = cli_long("--epochs", optarg, 1, 1000000);
            o.epochs_given = 1;
            break;
        case O_LR:
            o.lr = cli_double("--lr", optarg, 1e-12, 1e6);
            o.lr_given = 1;
            break;
        case O_CLIP:
            o.clip = cli_double("--clip", optarg, 0.0, 1e300);
            break;
        case O_SCHED:
            o.schedule = (lr_kind)cli_choice("--lr-schedule", optarg, schedules);
            break;
        case O_FBIAS:
            o.forget_bias =
                !strcmp(optarg, "none") ? NAN : cli_double("--forget-bias", optarg, -100.0, 100.0);
            break;
        case O_TIME:
            o.max_seconds = cli_double("--time", optarg, 0.0, 1e9);
            break;
        case O_PRIME:
            o.prime = optarg;
            break;
        case O_TEMP:
            o.temperature = cli_double("--temperature", optarg, 1e-3, 1e3);
            break;
        case O_LENGTH:
            o.length = (size_t)cli_long("--length", optarg, 0, 10000000);
            break;
        case O_RESUME:
            o.resume = optarg;
            break;
        case O_LOAD:
            o.load = optarg;
            break;
        case O_INPUTS:
            o.inputs = optarg;
            break;
        default:
            cm_die("unexpected option (see --help)");
        }
    }
    cli_common_finish(&c, argc, argv, subs, usage);
    int gen = sub && (!strcmp(sub, "gradcheck") || !strcmp(sub, "copy"));
    int none = sub && (!strcmp(sub, "sample") || !strcmp(sub, "grad")); /* read a checkpoint */
    if (o.resume) /* a bad --resume stops before anything is created */
        cm_die_status(ckpt_check_resumable(o.resume));
    cli_print_config(stdout, &c,
                     gen      ? "(generated)"
                     : none   ? "(none: the checkpoint's)"
                     : c.data ? c.data
                              : "data/pride_prejudice.txt");
    if (!sub) return rnn_run_demo(&o);
    if (!strcmp(sub, "train")) return rnn_run_train(&o);
    if (!strcmp(sub, "eval")) return rnn_run_eval(&o);
    if (!strcmp(sub, "sample")) return rnn_run_sample(&o);
    if (!strcmp(sub, "gradcheck")) return rnn_run_gradcheck(&o);
    if (!strcmp(sub, "grad")) return rnn_run_grad(&o);
    if (!strcmp(sub, "gradnorm")) return rnn_run_gradnorm(&o);
    if (!strcmp(sub, "copy")) return rnn_run_copy(&o);
    return rnn_run_bench(&o);
}
