/* main.c: the command line of bin/boosting (chapter 06): parses the subcommand and the options
 * and calls the part in cmds.h. Nothing else lives here. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmds.h"
#include "error.h"

static void usage(void)
{
    printf(
        "usage: boosting [SUBCOMMAND] [OPTIONS]\n"
        "Chapter 06: CART trees, random forest, AdaBoost and gradient boosting (GBDT) on one tree\n"
        "engine; Figure 10.2 of The Elements of Statistical Learning.\n"
        "\n"
        "subcommands:\n"
        "  (none)    the demonstration: Figure 10.2 (AdaBoost with stumps on ESL example 10.2),\n"
        "            GBDT on diabetes and breast_cancer for three shrinkages, random forests and\n"
        "            AdaBoost on breast_cancer, iris and wine, feature importances\n"
        "  figure    Figure 10.2 only (out/boosting/fig10_2.png)\n"
        "  tree      one CART tree (--criterion; data: breast_cancer, diabetes for squared_error)\n"
        "  forest    a random forest (data: breast_cancer)\n"
        "  adaboost  AdaBoost (data: ESL example 10.2, generated)\n"
        "  gbdt      gradient boosting (data: diabetes; breast_cancer with --loss logistic)\n"
        "  gen       write a generated data set as OUT/train.csv and OUT/test.csv (--kind)\n"
        "  check     the numeric checks: pseudo-residuals against the loss's gradient, Newton\n"
        "            leaves against the second-order expansion, the split search against brute\n"
        "            force, histogram against exact (exit 1 on a failure)\n"
        "\n"
        "model subcommands print their metrics, write OUT/<model>_log.csv (per round) and\n"
        "OUT/predictions.csv (the test set's predictions, full precision).\n"
        "\n"
        "options (defaults in brackets):\n"
        "  --data PATH|esl        a CSV with a header, the target last; esl: example 10.2\n"
        "  --test PATH            the test CSV [a seeded 25%% of --data; esl: 10000 new rows]\n"
        "  --criterion NAME       gini, entropy or squared_error [gini]\n"
        "  --max-depth N          tree depth, -1 unlimited [tree, forest -1; adaboost 1;\n"
        "                         gbdt 3]\n"
        "  --max-leaves N         grow best-first to N leaves, 0 unlimited [0]\n"
        "  --min-samples-leaf N   [1]\n"
        "  --min-impurity-decrease X  [0]\n"
        "  --bins N               histogram split search with N bins (2..256) [exact search]\n"
        "  --trees N              forest size [200; --quick 50]\n"
        "  --max-features K       forest: log2, sqrt, all or a number [log2]\n"
        "  --rounds N             boosting rounds [adaboost 400, gbdt 200]\n"
        "  --lr X                 shrinkage (gbdt) or SAMME learning rate [gbdt 0.1, adaboost 1]\n"
        "  --subsample X          gbdt: fraction of rows per tree (0, 1] [1]\n"
        "  --loss NAME            gbdt: squared or logistic [squared]\n"
        "  --algorithm NAME       adaboost: discrete (the article's, binary) or samme\n"
        "                         [discrete for two classes, samme otherwise]\n"
        "  --kind NAME            gen: esl or synthetic [esl]\n"
        "  --rows N               esl/gen: training rows [2000]\n"
        "  --test-rows N          esl/gen: test rows [10000]\n"
        "  --features N           gen synthetic: features, >= 10 [20]\n"
        "  --fit-only             gbdt: no losses per round during the fit (as xgboost without\n"
        "                         an eval set; the benchmark's setting); the log holds the\n"
        "                         final losses only\n"
        "  --threads N            gbdt with --bins: threads sharing the histograms' features\n"
        "                         and the residuals' rows; the same model for any N [1]\n"
        "  --split-gain NAME      gbdt: how trees rank splits: residual (the article's: squared\n"
        "                         error of the pseudo-residuals, then Newton leaves) or newton\n"
        "                         (xgboost's gain G_L^2/(H_L+l) + G_R^2/(H_R+l) - G^2/(H+l))\n"
        "                         [residual]\n"
        "  --lambda X             gbdt --split-gain newton: L2 penalty l on leaf values [0]\n"
        "%s",
        CLI_COMMON_HELP);
}

enum {
    O_TEST = 1,
    O_CRIT,
    O_DEPTH,
    O_LEAVES,
    O_MINLEAF,
    O_MINDEC,
    O_BINS,
    O_TREES,
    O_MAXF,
    O_ROUNDS,
    O_LR,
    O_SUB,
    O_LOSS,
    O_ALG,
    O_KIND,
    O_ROWS,
    O_TROWS,
    O_FEAT,
    O_FITONLY,
    O_THREADS,
    O_SPLITGAIN,
    O_LAMBDA
};

int main(int argc, char **argv)
{
    static const char *const subs[] = {"figure", "tree", "forest", "adaboost",
                                       "gbdt",   "gen",  "check",  NULL};
    static const struct option opts[] = {{"test", required_argument, 0, O_TEST},
                                         {"criterion", required_argument, 0, O_CRIT},
                                         {"max-depth", required_argument, 0, O_DEPTH},
                                         {"max-leaves", required_argument, 0, O_LEAVES},
                                         {"min-samples-leaf", required_argument, 0, O_MINLEAF},
                                         {"min-impurity-decrease", required_argument, 0, O_MINDEC},
                                         {"bins", required_argument, 0, O_BINS},
                                         {"trees", required_argument, 0, O_TREES},
                                         {"max-features", required_argument, 0, O_MAXF},
                                         {"rounds", required_argument, 0, O_ROUNDS},
                                         {"lr", required_argument, 0, O_LR},
                                         {"subsample", required_argument, 0, O_SUB},
                                         {"loss", required_argument, 0, O_LOSS},
                                         {"algorithm", required_argument, 0, O_ALG},
                                         {"kind", required_argument, 0, O_KIND},
                                         {"rows", required_argument, 0, O_ROWS},
                                         {"test-rows", required_argument, 0, O_TROWS},
                                         {"features", required_argument, 0, O_FEAT},
                                         {"fit-only", no_argument, 0, O_FITONLY},
                                         {"threads", required_argument, 0, O_THREADS},
                                         {"split-gain", required_argument, 0, O_SPLITGAIN},
                                         {"lambda", required_argument, 0, O_LAMBDA},
                                         CLI_COMMON_LONGOPTS,
                                         {0, 0, 0, 0}};
    static const char *const crits[] = {"gini", "entropy", "squared_error", NULL};
    static const char *const losses[] = {"squared", "logistic", NULL};
    static const char *const algs[] = {"discrete", "samme", NULL};
    static const char *const kinds[] = {"esl", "synthetic", NULL};
    static const char *const gains[] = {"residual", "newton", NULL};
    cli_common c;
    cli_common_defaults(&c, "boosting");
    boost_opts o;
    boost_opts_defaults(&o, &c);
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
        case O_TEST:
            o.test = optarg;
            break;
        case O_CRIT:
            o.criterion = cli_choice("--criterion", optarg, crits);
            break;
        case O_DEPTH:
            o.max_depth = (int)cli_long("--max-depth", optarg, -1, 1000);
            if (o.max_depth == 0)
                cm_die("--max-depth: expected -1 (unlimited) or a depth from 1 to 1000, got '0' "
                       "(a tree of depth 0 is a single leaf)");
            break;
        case O_LEAVES:
            o.max_leaves = (size_t)cli_long("--max-leaves", optarg, 0, 10000000);
            if (o.max_leaves == 1) cm_die("--max-leaves: expected 0 (unlimited) or >= 2, got '1'");
            break;
        case O_MINLEAF:
            o.min_samples_leaf = (size_t)cli_long("--min-samples-leaf", optarg, 1, 100000000);
            break;
        case O_MINDEC:
            o.min_impurity_decrease = cli_double("--min-impurity-decrease", optarg, 0, 1e300);
            break;
        case O_BINS:
            o.bins = (size_t)cli_long("--bins", optarg, 2, 256);
            break;
        case O_TREES:
            o.trees = (size_t)cli_long("--trees", optarg, 1, 100000);
            break;
        case O_MAXF:
            /* checked here whatever the subcommand; its upper bound, the number of features,
             * once the data are read (boost_max_features) */
            o.max_features = optarg;
            if (strcmp(optarg, "log2") && strcmp(optarg, "sqrt") && strcmp(optarg, "all") &&
                cli_parse_long(optarg, 1, LONG_MAX, &(long){0}) != CM_OK)
                cm_die("--max-features: expected log2, sqrt, all or an integer >= 1, got '%s'",
                       optarg);
            break;
        case O_ROUNDS:
            o.rounds = (size_t)cli_long("--rounds", optarg, 1, 1000000);
            break;
        case O_LR:
            o.lr = cli_double("--lr", optarg, 1e-12, 1e6);
            break;
        case O_SUB:
            o.subsample = cli_double("--subsample", optarg, 1e-9, 1);
            break;
        case O_LOSS:
            o.loss = cli_choice("--loss", optarg, losses);
            break;
        case O_ALG:
            o.algorithm = cli_choice("--algorithm", optarg, algs);
            break;
        case O_KIND:
            o.gen_kind = kinds[cli_choice("--kind", optarg, kinds)];
            break;
        case O_ROWS:
            o.rows = (size_t)cli_long("--rows", optarg, 2, 100000000);
            break;
        case O_TROWS:
            o.test_rows = (size_t)cli_long("--test-rows", optarg, 1, 100000000);
            break;
        case O_FEAT:
            o.features = (size_t)cli_long("--features", optarg, 10, 10000);
            break;
        case O_FITONLY:
            o.fit_only = 1;
            break;
        case O_THREADS:
            o.threads = (size_t)cli_long("--threads", optarg, 1, 64);
            break;
        case O_SPLITGAIN:
            o.split_gain = cli_choice("--split-gain", optarg, gains);
            break;
        case O_LAMBDA:
            o.lambda = cli_double("--lambda", optarg, 0, 1e300);
            break;
        default:
            cm_die("unexpected option (see --help)");
        }
    }
    cli_common_finish(&c, argc, argv, subs, usage);
    cli_print_config(stdout, &c, c.data ? c.data : "data/ and ESL 10.2 (generated)");
    if (!sub) return boost_run_demo(&o);
    if (!strcmp(sub, "figure")) return boost_run_figure(&o, NULL);
    if (!strcmp(sub, "tree")) return boost_run_tree(&o);
    if (!strcmp(sub, "forest")) return boost_run_forest(&o);
    if (!strcmp(sub, "adaboost")) return boost_run_adaboost(&o);
    if (!strcmp(sub, "gbdt")) return boost_run_gbdt(&o);
    if (!strcmp(sub, "gen")) return boost_run_gen(&o);
    return boost_run_check(&o);
}
