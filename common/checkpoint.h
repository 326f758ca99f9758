/* checkpoint.h: a checkpoint is a directory holding one .npy file per tensor of a parameter
 * block (named "<tensor name>.npy", float64, the tensor's shape) and hparams.txt, one
 * "key = value" line per hyperparameter. np.load or torch.from_numpy opens any of it.
 *
 * Saving is atomic: the checkpoint is written to "<dir>.tmp", then the old "<dir>" is moved to
 * "<dir>.old", "<dir>.tmp" renamed to "<dir>", and "<dir>.old" removed. An interrupted save
 * leaves either the old or the new checkpoint whole; ckpt_load falls back to "<dir>.old" when
 * "<dir>" is missing. */
#ifndef CM_CHECKPOINT_H
#define CM_CHECKPOINT_H

#include <stddef.h>
#include "params.h"

#define HP_KEY_LEN 64
#define HP_VAL_LEN 1024 /* room for a 256-character vocabulary in hex (chapter 01) */

/* Hyperparameters as ordered key = value strings. */
typedef struct {
    size_t n, cap;
    char (*keys)[HP_KEY_LEN];
    char (*vals)[HP_VAL_LEN];
} hparams;

void hparams_init(hparams *h);
void hparams_free(hparams *h);
int hparams_set_str(hparams *h, const char *key, const char *val);
int hparams_set_long(hparams *h, const char *key, long val);
int hparams_set_double(hparams *h, const char *key, double val); /* %.17g */
/* Getters: CM_OK, or CM_EFORMAT naming the key when missing or not a number. */
int hparams_get_str(const hparams *h, const char *key, const char **val);
int hparams_get_long(const hparams *h, const char *key, long *val);
int hparams_get_double(const hparams *h, const char *key, double *val);
int hparams_write(const char *path, const hparams *h);
/* h must be initialized; its content is replaced only if the whole file reads well. Blank lines
 * and '#' comments are skipped; a malformed line -> CM_EFORMAT "path:LINE: ...". */
int hparams_read(const char *path, hparams *h);

/* Writes every tensor of p and the hyperparameters. */
int ckpt_save(const char *dir, const params *p, const hparams *h);
/* ckpt_save, and extra(tmpdir, ctx) writes further files (a training run's resume state,
 * interrupt.h) into the new checkpoint's directory before the swap, so that they are saved as
 * atomically as the tensors. A failure of extra() fails the save and keeps the old checkpoint. */
typedef int (*ckpt_extra_fn)(const char *tmpdir, void *ctx);
int ckpt_save_extra(const char *dir, const params *p, const hparams *h, ckpt_extra_fn extra,
                    void *ctx);
/* Reads hparams.txt only (to build a model of the right shape before loading its values). */
int ckpt_load_hparams(const char *dir, hparams *h);
/* Fills p's values from the directory: every tensor must exist with exactly p's shape,
 * otherwise CM_ESHAPE "checkpoint <dir>: fc1.weight has shape (3, 4), the model expects (5, 4)".
 * A tensor file the model does not have is CM_ESHAPE too (the checkpoint of another model).
 * p is changed only when every tensor has been read. */
int ckpt_load_params(const char *dir, params *p);

/* Creates a directory and its parents (mkdir -p). CM_EIO with the path on failure. */
int ckpt_mkdirs(const char *path);

#endif
