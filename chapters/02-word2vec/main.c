/* main.c: the command line of bin/word2vec (chapter 02): parses the subcommand, the options
 * and the words after them, and calls the subcommand in cmd_*.c. Nothing else lives here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmds.h"
#include "error.h"

static void usage(void)
{
    printf("usage: word2vec [SUBCOMMAND] [OPTIONS] [WORD...]\n"
           "Chapter 02: word embeddings by skip-gram and CBOW, with negative sampling or\n"
           "hierarchical softmax, trained on Jane Austen's six novels.\n"
           "\n"
           "subcommands:\n"
           "  (none)           train skip-gram on the novels, show neighbours and the analogy\n"
           "                   accuracy, write the vectors and a PCA map (out/word2vec/pca.png)\n"
           "  train            train with the options below; write OUT/vectors.txt, vectors.bin,\n"
           "                   OUT/model/ (.npy tensors, vocab.txt, hparams.txt), OUT/train.csv\n"
           "  similar WORD...  the --topn nearest words by cosine similarity\n"
           "  analogy A B C    \"A is to B as C is to ?\" (the word nearest to B - A + C)\n"
           "  evaluate         accuracy on --questions, per section and overall\n"
           "  pca [WORD...]    a 2-D map of the words' vectors by PCA (OUT/pca.png)\n"
           "  gradcheck        numeric gradient check of both objectives (exit 1 on a failure)\n"
           "\n"
           "training options (defaults in brackets):\n"
           "  --cbow            CBOW instead of skip-gram\n"
           "  --hs              hierarchical softmax (with --negative 0: alone)\n"
           "  --negative K      negative samples per prediction, 0 for none [5]\n"
           "  --dim N           vector size [100]\n"
           "  --window N        largest distance from the centre word [5]\n"
           "  --sample X        subsampling threshold, 0 for none [1e-3]\n"
           "  --alpha X         starting learning rate [0.025]\n"
           "  --min-alpha X     final learning rate [0.0001]\n"
           "  --epochs N        passes over the corpus [5]\n"
           "  --min-count N     drop words seen fewer times [5]\n"
           "  --threads N       lock-free worker threads; 1 is bit-for-bit reproducible [1]\n"
           "  --hot-words N     with threads: the N most frequent words' rows are each\n"
           "                    thread's own, merged every 10,000 words; 0: all shared [4096]\n"
           "  --exact-sigmoid   compute sigma exactly instead of from the table\n"
           "  --data F[,F...]   text files to train on [the six novels; --quick: %s]\n"
           "query options:\n"
           "  --vectors FILE    the vectors to query (.bin: binary, else text) [OUT/vectors.bin]\n"
           "  --topn N          neighbours shown by similar [10]\n"
           "  --restrict N      analogy, evaluate: only the N most frequent words [30000]\n"
           "  --questions FILE  the analogy questions [%s]\n"
           "%s",
           W2V_QUICK_NOVEL, W2V_DEFAULT_QUESTIONS, CLI_COMMON_HELP);
}

enum {
    O_CBOW = 1,
    O_HS,
    O_NEG,
    O_DIM,
    O_WINDOW,
    O_SAMPLE,
    O_ALPHA,
    O_MIN_ALPHA,
    O_EPOCHS,
    O_MIN_COUNT,
    O_THREADS,
    O_HOT_WORDS,
    O_EXACT,
    O_VECTORS,
    O_TOPN,
    O_RESTRICT,
    O_QUESTIONS
};

int main(int argc, char **argv)
{
    static const char *const subs[] = {"train", "similar",   "analogy", "evaluate",
                                       "pca",   "gradcheck", NULL};
    static const struct option opts[] = {{"cbow", no_argument, 0, O_CBOW},
                                         {"hs", no_argument, 0, O_HS},
                                         {"negative", required_argument, 0, O_NEG},
                                         {"dim", required_argument, 0, O_DIM},
                                         {"window", required_argument, 0, O_WINDOW},
                                         {"sample", required_argument, 0, O_SAMPLE},
                                         {"alpha", required_argument, 0, O_ALPHA},
                                         {"min-alpha", required_argument, 0, O_MIN_ALPHA},
                                         {"epochs", required_argument, 0, O_EPOCHS},
                                         {"min-count", required_argument, 0, O_MIN_COUNT},
                                         {"threads", required_argument, 0, O_THREADS},
                                         {"hot-words", required_argument, 0, O_HOT_WORDS},
                                         {"exact-sigmoid", no_argument, 0, O_EXACT},
                                         {"vectors", required_argument, 0, O_VECTORS},
                                         {"topn", required_argument, 0, O_TOPN},
                                         {"restrict", required_argument, 0, O_RESTRICT},
                                         {"questions", required_argument, 0, O_QUESTIONS},
                                         CLI_COMMON_LONGOPTS,
                                         {0, 0, 0, 0}};
    cli_common c;
    cli_common_defaults(&c, "word2vec");
    w2v_opts o;
    w2v_opts_defaults(&o, &c);
    const char *sub = NULL;
    if (argc > 1 && argv[1][0] != '-') {
        sub = argv[1];
        cli_choice("subcommand", sub, subs);
        argc--, argv++; /* getopt starts after the subcommand */
    }
    int opt, min_alpha_set = 0;
    opterr = 0;
    /* options and words may come in any order (getopt moves the words to the end) */
    while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (cli_common_handle(&c, opt, optarg, argc, argv)) continue;
        switch (opt) {
        case O_CBOW:
            o.cfg.cbow = 1;
            break;
        case O_HS:
            o.cfg.hs = 1;
            break;
        case O_NEG:
            o.cfg.negative = (int)cli_long("--negative", optarg, 0, 100);
            break;
        case O_DIM:
            o.cfg.dim = (size_t)cli_long("--dim", optarg, 1, 10000);
            break;
        case O_WINDOW:
            o.cfg.window = (size_t)cli_long("--window", optarg, 1, 100);
            break;
        case O_SAMPLE:
            o.cfg.sample = cli_double("--sample", optarg, 0.0, 1.0);
            break;
        case O_ALPHA:
            o.cfg.alpha = cli_double("--alpha", optarg, 1e-12, 1e300);
            break;
        case O_MIN_ALPHA:
            o.cfg.min_alpha = cli_double("--min-alpha", optarg, 0.0, 1e300);
            min_alpha_set = 1;
            break;
        case O_EPOCHS:
            o.cfg.epochs = cli_long("--epochs", optarg, 1, 100000);
            break;
        case O_MIN_COUNT:
            o.cfg.min_count = cli_long("--min-count", optarg, 1, 1000000000L);
            break;
        case O_THREADS:
            o.cfg.threads = (int)cli_long("--threads", optarg, 1, 256);
            break;
        case O_HOT_WORDS:
            o.cfg.hot_words = (size_t)cli_long("--hot-words", optarg, 0, 100000000L);
            break;
        case O_EXACT:
            o.cfg.exact_sigmoid = 1;
            break;
        case O_VECTORS:
            o.vectors = optarg;
            break;
        case O_TOPN:
            o.topn = cli_long("--topn", optarg, 1, 1000);
            break;
        case O_RESTRICT:
            o.restrict_vocab = cli_long("--restrict", optarg, 1, 100000000L);
            break;
        case O_QUESTIONS:
            o.questions = optarg;
            break;
        default:
            cm_die("unexpected option (see --help)");
        }
    }
    o.cfg.seed = c.seed;
    if (c.help) {
        usage();
        return 0;
    }
    if (c.version) {
        printf("word2vec %s\n", CM_VERSION);
        return 0;
    }
    int takes_words =
        sub && (!strcmp(sub, "similar") || !strcmp(sub, "analogy") || !strcmp(sub, "pca"));
    if (optind < argc) {
        if (!takes_words) {
            for (int i = 0; subs[i]; i++)
                if (!strcmp(argv[optind], subs[i]))
                    cm_die("'%s' must come first: word2vec %s [OPTIONS]", subs[i], subs[i]);
            cm_die("unexpected argument '%s' (see --help)", argv[optind]);
        }
        o.words = argv + optind;
        o.n_words = argc - optind;
    }
    if (!o.cfg.hs && o.cfg.negative == 0)
        cm_die("--negative 0 without --hs: nothing would be trained (add --hs, or K >= 1)");
    if (!min_alpha_set && o.cfg.min_alpha > o.cfg.alpha) o.cfg.min_alpha = o.cfg.alpha;
    if (o.cfg.min_alpha > o.cfg.alpha)
        cm_die("--min-alpha %g is larger than --alpha %g", o.cfg.min_alpha, o.cfg.alpha);
    char shown[4200];
    if (sub && strcmp(sub, "train") && strcmp(sub, "gradcheck")) /* a query: the vectors it reads */
        snprintf(shown, sizeof shown, "vectors %s%s", o.vectors ? o.vectors : c.out,
                 o.vectors ? "" : "/vectors.bin");
    else
        snprintf(shown, sizeof shown, "%s",
                 c.data    ? c.data
                 : c.quick ? W2V_QUICK_NOVEL
                           : "data/ (shipped)");
    cli_print_config(stdout, &c, shown);
    if (!sub) return w2v_run_demo(&o);
    if (!strcmp(sub, "train")) return w2v_run_train(&o);
    if (!strcmp(sub, "similar")) return w2v_run_similar(&o);
    if (!strcmp(sub, "analogy")) return w2v_run_analogy(&o);
    if (!strcmp(sub, "evaluate")) return w2v_run_evaluate(&o);
    if (!strcmp(sub, "pca")) return w2v_run_pca(&o);
    return w2v_run_gradcheck(&o);
}
