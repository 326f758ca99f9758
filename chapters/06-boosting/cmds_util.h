/* cmds_util.h: what the subcommands of bin/boosting share (cmds.c, demo.c, check.c). Each
 * dies with one line and exit 2 on bad input. */
#ifndef BOOST_CMDS_UTIL_H
#define BOOST_CMDS_UTIL_H

#include <gsl/gsl_rng.h>

#include "cmds.h"

#define DATA_BREAST   "data/breast_cancer.csv"
#define DATA_DIABETES "data/diabetes.csv"
#define DATA_IRIS     "data/iris.csv"
#define DATA_WINE     "data/wine.csv"

gsl_rng *boost_rng(unsigned long seed); /* MT19937 seeded */

/* --data (or default_path; "esl": example 10.2 with --rows / --test-rows) and --test (or a
 * seeded 25% split). classification: integer labels with two classes at least. */
void boost_load(const boost_opts *o, const char *default_path, int classification, gsl_rng *r,
                boost_data **train, boost_data **test);

double boost_accuracy_of(const int *pred, const boost_data *ds);

/* OUT/predictions.csv: k columns of n rows (cols column-major), full precision. */
void boost_write_predictions(const cli_common *c, const double *cols, size_t n, size_t k,
                             const char *const *names);
/* OUT/<name>.csv: k columns of rows values (column-major) under a header. */
void boost_write_log(const cli_common *c, const char *name, const char *header, const double *cols,
                     size_t rows, size_t k);

/* The tree options of the command line; default_depth where --max-depth is not given. */
void boost_tree_params_from(const boost_opts *o, boost_tree_params *tp, boost_criterion crit,
                            int default_depth);

/* "<prefix>.importance name value" for the top features (largest first). */
void boost_print_importance(const char *prefix, const boost_data *ds, const double *imp,
                            size_t top);

#endif
