/* demo.h: the parts of bin/score-matching (chapter 05) and their options. main.c parses the
 * command line into score_opts and calls one of these. Each returns the exit status. */
#ifndef SCORE_DEMO_H
#define SCORE_DEMO_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "cli.h"
#include "net.h"
#include "objectives.h"
#include "plot.h"
#include "toy2d.h"
#include "train.h"

typedef enum {
    SCORE_DATA_RING,
    SCORE_DATA_TWO_MODES,
    SCORE_DATA_MOONS,
    SCORE_DATA_SWISS,
    SCORE_DATA_CHECKER
} score_dataset;

typedef struct {
    const cli_common *c;
    score_dataset dataset;
    score_objective obj; /* train, grad */
    int obj_set;         /* --objective given: the demonstration trains that one only */
    long steps;          /* training steps (0: the part's default) */
    size_t batch, hidden;
    double lr;
    size_t L;
    double sigmas[SCORE_MAX_LEVELS];
    double eps;       /* annealed Langevin: the step at the smallest level */
    double modes_eps; /* modes: the plain step and the annealed eps (0.1; --eps in `modes`) */
    long T;           /* Langevin steps per level */
    size_t n_samples; /* particles */
    size_t n_train;   /* generated training points */
    const char *load, *batch_dir;
    const char *resume; /* train: the checkpoint of an interrupted run to continue */
} score_opts;

void score_opts_defaults(score_opts *o, const cli_common *c);
/* Applies the --quick budget where an option was not given. */
void score_opts_finish(score_opts *o);
const char *score_dataset_name(score_dataset d);

/* The training set: --data CSV (two numeric columns) or the generator of o->dataset (n_train
 * points from the rng). *g gets the mixture and *has_g 1 when the data have an exact score. */
gsl_matrix *score_load_data(const score_opts *o, gsl_rng *r, toy2d_gmm *g, int *has_g);

int score_run_demo(const score_opts *o);
int score_run_gauss(const score_opts *o, double *summary);
int score_run_modes(const score_opts *o, double *summary);
int score_run_train(const score_opts *o);
int score_run_sample(const score_opts *o);
int score_run_gradcheck(const score_opts *o);
int score_run_grad(const score_opts *o);
int score_run_bench(const score_opts *o);

/* figures.c: the learned score field over the density (and the true field), samples against
 * data, the annealing trajectories. */
int score_fig_field(const score_opts *o, const char *name, score_net *m, const toy2d_gmm *g,
                    int has_g, const gsl_matrix *data, double sigma);
/* Adds the first m rows of X (n, 2) to f as points, x shifted by dx. */
int score_fig_add_points(plot_fig *f, const char *label, const gsl_matrix *X, size_t m, double dx);
int score_fig_samples(const score_opts *o, const char *name, const char *title,
                      const gsl_matrix *data, const gsl_matrix *samples, const char *label);

#endif
