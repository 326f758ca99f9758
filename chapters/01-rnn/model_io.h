/* model_io.h: a language model's checkpoint: the tensors under torch's names (rnn.h) and
 * hparams.txt with the cell, the sizes and the vocabulary, so that `rnn sample` and `rnn eval`
 * rebuild the model from the directory alone, and a torch script can too
 * (tests/parity/rnn.py). */
#ifndef RNN_MODEL_IO_H
#define RNN_MODEL_IO_H

#include "checkpoint.h"
#include "rnn.h"
#include "text.h"

/* Writes cell, vocab_size, hidden, layers and vocab (hex) into h (keeping its other keys). */
int rnn_hparams_describe(hparams *h, const rnn_model *m, const charvocab *v);
/* Builds the model a checkpoint describes and loads its tensors; *m, *v and h filled.
 * A missing directory, a malformed hparams.txt, a tensor of the wrong shape: CM_E* with a
 * message naming the directory. */
int rnn_load(const char *dir, rnn_model **m, charvocab *v, hparams *h);
/* For --resume: CM_ESHAPE unless the checkpoint holds a model of this cell, size and
 * vocabulary ("checkpoint DIR holds an lstm (hidden 128, 1 layer), not a gru (hidden 64, ...)"). */
int rnn_check_same(const char *dir, const rnn_model *want, const charvocab *want_vocab,
                   const rnn_model *got, const charvocab *got_vocab);

#endif
