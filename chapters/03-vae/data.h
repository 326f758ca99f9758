/* data.h: the 8x8 handwritten digits as binary images, split as chapter 04 splits them, so that
 * the two chapters report comparable negative log-likelihoods in nats:
 *   data/digits.csv: 1797 rows, 64 pixel columns (0..16) and the label (last column);
 *   a pixel >= 8 becomes 1, else 0;
 *   rows 0..1436 train, rows 1437..1796 test (no shuffling). */
#ifndef VAE_DATA_H
#define VAE_DATA_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>

#define VAE_DATA_DIGITS "data/digits.csv"
#define VAE_PIXELS      64   /* 8 x 8 */
#define VAE_TRAIN_ROWS  1437 /* the first rows; the rest (360 in the shipped file) are the test */
#define VAE_BINARIZE_AT 8.0  /* pixel >= 8 -> 1 */

typedef struct {
    gsl_matrix *Xtr, *Xte; /* (ntr, 64), (nte, 64) binary pixels */
    int *ytr, *yte;        /* digit labels, for the pictures only */
    size_t ntr, nte;
} vae_data;

/* Reads, binarizes and splits; CM_OK, or an error with the message set (a missing file, a
 * file without 64 pixel columns and a label, too few rows). */
int vae_data_load(const char *path, vae_data **out);
void vae_data_free(vae_data *d);

#endif
