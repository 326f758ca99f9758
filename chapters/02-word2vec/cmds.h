/* cmds.h: the options of bin/word2vec and one function per subcommand, each returning the
 * program's exit status: 0, 1 (a gradient check failed), 2 (bad input, message printed) or
 * 3 (training diverged). main.c parses the command line into a w2v_opts. */
#ifndef W2V_CMDS_H
#define W2V_CMDS_H

#include <stddef.h>

#include "cli.h"
#include "model.h"

#define W2V_DEFAULT_QUESTIONS "data/questions-words.txt"
#define W2V_QUICK_NOVEL       "data/pride_prejudice.txt"

typedef struct {
    cli_common *c;
    w2v_config cfg;
    const char *vectors;   /* queries: the vectors file [OUT/vectors.bin] */
    const char *questions; /* evaluate: the analogy questions */
    long topn;             /* similar: neighbours shown */
    long restrict_vocab;   /* evaluate, analogy: only the most frequent words */
    char **words;          /* the words after the subcommand (similar, analogy, pca) */
    int n_words;
    const char *resume; /* train: the checkpoint of an interrupted run to continue */
} w2v_opts;

void w2v_opts_defaults(w2v_opts *o, cli_common *c);

int w2v_run_demo(const w2v_opts *o);
int w2v_run_train(const w2v_opts *o);
int w2v_run_similar(const w2v_opts *o);
int w2v_run_analogy(const w2v_opts *o);
int w2v_run_evaluate(const w2v_opts *o);
int w2v_run_pca(const w2v_opts *o);
int w2v_run_gradcheck(const w2v_opts *o);

#endif
