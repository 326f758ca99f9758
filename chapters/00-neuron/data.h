/* data.h: the train/test splits of chapter 00, labels as ints.
 *   digits:  pixels 0..16 scaled to [0, 1] by /16; 1437 rows train and 360 test, either a
 *            seeded shuffle (the default: both sets hold every writer) or, ordered, rows
 *            [0, 1437) train and [1437, 1797) test (the split chapters 03 and 04 use, whose
 *            test rows come from other writers: about 6 points of accuracy harder).
 *   random:  any CSV with the label in the last column (iris, breast_cancer, --data): a seeded
 *            shuffle, a fraction test_frac to the test set, features standardized with the
 *            training set's mean and standard deviation. */
#ifndef NEURON_DATA_H
#define NEURON_DATA_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>

typedef struct {
    gsl_matrix *Xtr, *Xte; /* (ntr, d), (nte, d) */
    int *ytr, *yte;        /* (ntr), (nte) labels in [0, k) */
    size_t ntr, nte, d;
    int k; /* number of classes: 1 + the largest label */
} neuron_split;

#define NEURON_DIGITS_TRAIN 1437

int neuron_split_digits(const char *path, int ordered, unsigned long seed, neuron_split **out);
int neuron_split_random(const char *path, double test_frac, unsigned long seed, neuron_split **out);
void neuron_split_free(neuron_split *s);

#endif
