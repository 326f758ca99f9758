/* interrupt.h: stopping a training run cleanly on SIGINT (Ctrl-C) or SIGTERM, and the state a
 * checkpoint needs so that `--resume` continues the run exactly where it stopped.
 *
 * The signal handlers only set a flag (volatile sig_atomic_t); a training loop polls it between
 * steps with intr_poll(step), writes a checkpoint with its resume state, tells where it is with
 * intr_report(), and exits with intr_exit_status(): 130 for SIGINT, 143 for SIGTERM (128 + the
 * signal, as a shell reports a process killed by it).
 *
 *     intr_install();
 *     for (...) {
 *         ... one optimizer step, step++ ...
 *         if (intr_poll(step)) { save the checkpoint with its tstate; break; }
 *     }
 *
 * Tests interrupt a run deterministically, without racing a sleep against the program: with
 * CM_INTERRUPT_AT=N (or N:TERM, N:INT) in the environment, intr_poll(N) raises the signal itself,
 * so the handler runs exactly after step N.
 *
 * The resume state (tstate) is everything besides the parameters that decides the rest of a
 * run: counters (step, epoch, the position in the epoch, running sums), arrays (optimizer
 * moments, the shuffled order) and generator states (gsl_rng). ckpt_save_tstate writes it
 * into the checkpoint's subdirectory resume/ (state.txt "key = value", one <name>.npy per
 * array, one <name>.rng per generator, written by gsl_rng_fwrite), inside the same atomic
 * save as the parameters (checkpoint.h); the top level stays the model's state_dict. */
#ifndef CM_INTERRUPT_H
#define CM_INTERRUPT_H

#include <stddef.h>
#include <gsl/gsl_rng.h>

#include "checkpoint.h"
#include "dataset.h"
#include "optim.h"
#include "params.h"

#define TSTATE_DIR "resume" /* the subdirectory of a checkpoint that holds the resume state */

/* Installs the SIGINT and SIGTERM handlers (sigaction with SA_RESTART, so that a write under
 * way when the signal comes goes on) and reads CM_INTERRUPT_AT. Clears a flag left by an earlier run. CM_OK, or
 * CM_EINVAL when CM_INTERRUPT_AT is malformed. */
int intr_install(void);
/* Puts back the default handlers and forgets CM_INTERRUPT_AT. */
void intr_uninstall(void);
/* The signal caught (SIGINT or SIGTERM), or 0. Raises the test signal first when step is the
 * step CM_INTERRUPT_AT names. */
int intr_poll(long step);
/* The signal caught so far, or 0 (no test hook). */
int intr_pending(void);
void intr_clear(void);
/* 128 + sig: 130 for SIGINT, 143 for SIGTERM. */
int intr_exit_status(int sig);
/* "SIGINT" / "SIGTERM" */
const char *intr_signame(int sig);
/* Prints "<prog>: interrupted by SIGINT after step N; checkpoint DIR (continue with --resume
 * DIR)" on stderr (or "...; no checkpoint written: MSG" when dir is NULL) and returns the exit
 * status. */
int intr_report(int sig, long step, const char *dir, const char *why_none);

/* ---- resume state ------------------------------------------------------------------------- */

typedef struct tstate tstate;

tstate *tstate_alloc(void); /* NULL: message set */
void tstate_free(tstate *t);

/* Saving: counters are stored in full precision (%.17g round-trips a double exactly); arrays
 * and generators are referenced, not copied: keep them alive until the save. A name is a key
 * of hparams (letters, digits, '_', '.', '-'). */
int tstate_set_long(tstate *t, const char *key, long v);
int tstate_set_double(tstate *t, const char *key, double v);
int tstate_set_array(tstate *t, const char *name, const double *x, size_t n);
int tstate_set_index(tstate *t, const char *name, const size_t *x, size_t n); /* int64 */
int tstate_set_rng(tstate *t, const char *name, const gsl_rng *r);
/* The optimizer's moments and step count, under the prefix "adam." / "sgd.". */
int tstate_set_adam(tstate *t, const adam *o);
int tstate_set_sgd(tstate *t, const sgd *o);
/* A batcher's place in its epoch: the position ("pos") and the shuffled order ("order"). */
int tstate_set_batcher(tstate *t, const batcher *b);

/* Loading (after ckpt_load_tstate): CM_EFORMAT naming the checkpoint when a key or file is
 * missing, CM_ESHAPE when an array has another length, a generator another type. */
int tstate_get_long(const tstate *t, const char *key, long *v);
int tstate_get_double(const tstate *t, const char *key, double *v);
int tstate_get_array(const tstate *t, const char *name, double *x, size_t n);
int tstate_get_index(const tstate *t, const char *name, size_t *x, size_t n);
int tstate_get_rng(const tstate *t, const char *name, gsl_rng *r);
int tstate_get_adam(const tstate *t, adam *o); /* o initialized with the same n */
int tstate_get_sgd(const tstate *t, sgd *o);
/* The inverse of tstate_set_batcher, into a batcher initialized with the same n: CM_EFORMAT when
 * the order is not a permutation of 0..n-1 or the position lies outside 0..n. */
int tstate_get_batcher(const tstate *t, batcher *b);

/* ckpt_save (checkpoint.h) plus the resume state in DIR/resume/, in one atomic save. */
int ckpt_save_tstate(const char *dir, const params *p, const hparams *h, const tstate *t);
/* CM_OK when DIR is a checkpoint (its hparams.txt reads) with a resume state, else an error
 * naming it: a program checks --resume with it before it creates anything. */
int ckpt_check_resumable(const char *dir);
/* 1 when the checkpoint has a resume state (DIR/resume/state.txt), else 0. */
int ckpt_has_tstate(const char *dir);
/* Reads DIR/resume/ into t (empty before): state.txt now, the arrays and generators when
 * asked for by the getters. */
int ckpt_load_tstate(const char *dir, tstate *t);

#endif
