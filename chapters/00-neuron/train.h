/* train.h: a classifier (softmax regression or the MLP) behind one interface, and the
 * minibatch training loop every classification run of chapter 00 uses: shuffled batches,
 * SGD or Adam on the flat parameter block, per-epoch evaluation, a CSV log, a checkpoint after
 * each epoch, and a stop (keeping the last good checkpoint) when the loss is not finite. */
#ifndef NEURON_TRAIN_H
#define NEURON_TRAIN_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "checkpoint.h"
#include "data.h"
#include "interrupt.h"
#include "linear.h"
#include "mlp.h"
#include "params.h"
#include "surrogate.h"

typedef enum { NEURON_MODEL_SOFTMAX, NEURON_MODEL_MLP } neuron_model_kind;

typedef struct {
    neuron_model_kind kind;
    size_t in, hidden, out; /* D, H (0 for softmax regression), K */
    size_t cap;             /* largest batch the workspace holds */
    neuron_linear *lin;     /* softmax regression, or NULL */
    neuron_mlp *mlp;        /* the MLP, or NULL */
    neuron_mlp_acts *acts;  /* the MLP's activations (cap rows) */
    gsl_matrix *z, *dz;     /* (cap, K) softmax regression's logits and their gradient */
    params *p;              /* the model's parameter block (owned by lin or mlp) */
} neuron_clf;

neuron_clf *neuron_clf_alloc(neuron_model_kind kind, size_t in, size_t hidden, size_t out,
                             size_t cap); /* NULL: message set */
void neuron_clf_free(neuron_clf *c);
void neuron_clf_init(neuron_clf *c, gsl_rng *r); /* torch.nn.Linear's default init */

/* Logits (B, K) of X (B, D), B <= cap: a view into the workspace. */
gsl_matrix_view neuron_clf_forward(neuron_clf *c, const gsl_matrix *X);
/* Zeroes the gradients, runs forward, the loss and backward: returns the loss, leaves
 * d loss / d params in c->p->grad and, if dX != NULL, d loss / d X in dX (B, D). */
double neuron_clf_loss_backward(neuron_clf *c, const gsl_matrix *X, const int *labels,
                                neuron_loss_kind loss, gsl_matrix *dX);
/* Mean cross-entropy, accuracy and smooth accuracy over all rows of X, in chunks of cap. */
void neuron_clf_evaluate(neuron_clf *c, const gsl_matrix *X, const int *labels, double *ce,
                         double *acc, double *smooth);

typedef struct {
    long epochs;      /* the run ends after this many epochs in all (counting start_epoch) */
    long start_epoch; /* epochs already done (--resume) */
    size_t batch;
    double lr, momentum, weight_decay;
    int adam; /* 1: Adam, 0: SGD (with momentum) */
    neuron_loss_kind loss;
    int quiet;
    const char *label;    /* for the progress line */
    const char *log_path; /* CSV log, or NULL */
    const char *ckpt_dir; /* checkpoint after every epoch, or NULL */
    hparams *hp;          /* saved with the checkpoint ("epoch" is updated) */
    /* --resume: the checkpoint's resume state (optimizer moments, generator, shuffled order,
     * the position in an interrupted epoch), or NULL to start the optimizer afresh */
    const tstate *resume;
    int fresh_optimizer; /* with resume: the optimizer was changed, its state starts afresh */
} neuron_train_cfg;

typedef struct {
    long epochs_run;                                     /* epochs completed by this call */
    long steps;                                          /* optimizer steps taken by this call */
    double train_loss, test_loss, test_acc, test_smooth; /* after the last completed epoch */
    double *curve_loss, *curve_acc, *curve_smooth;       /* (epochs - start_epoch) */
    long bad_step;  /* the step whose loss was not finite, or -1 */
    int signal;     /* SIGINT or SIGTERM when the run stopped on it (checkpoint written), or 0 */
    long last_step; /* the last step taken (counting the resumed run's earlier steps) */
    double seconds;
} neuron_train_result;

/* Trains c on s->Xtr / s->ytr and evaluates on s->Xte / s->yte after every epoch. CM_OK, or
 * CM_ENOTFINITE ("loss is nan at step N (epoch E)"; res->bad_step set, the checkpoint of the
 * last completed epoch kept), or another error code. res's curves are allocated here: free
 * them with neuron_train_result_free. On SIGINT or SIGTERM (interrupt.h) it stops after the
 * current step, writes the checkpoint with its resume state and returns CM_OK with res->signal
 * set; resuming from it continues the run as if it had never stopped. */
int neuron_train(neuron_clf *c, const neuron_split *s, const neuron_train_cfg *cfg, gsl_rng *r,
                 neuron_train_result *res);
void neuron_train_result_free(neuron_train_result *res);

#endif
