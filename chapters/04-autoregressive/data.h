/* data.h: the binary images of chapter 04. data/digits.csv (8x8 pixels 0..16, a label column)
 * binarized as chapter 03 does (a pixel >= 8 is 1, else 0); the first 1437 rows train and the
 * last 360 test, in file order, so that the two chapters evaluate on the same test digits.
 *
 * Any CSV with a header works (--data): a column named "label" is dropped, every other column
 * is a variable; the first floor(0.8 n) rows train and the rest test (1437 of 1797 for the
 * digits). With --no-binarize the values are used as they are and must all be 0 or 1. */
#ifndef AR_DATA_H
#define AR_DATA_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>

#define AR_DATA_DIGITS    "data/digits.csv"
#define AR_BINARIZE_AT    8.0 /* pixel >= 8 -> 1 (out of 16), as chapter 03 */
#define AR_TRAIN_FRACTION 0.8 /* floor(0.8 * 1797) = 1437 */

typedef struct {
    gsl_matrix *Xtr, *Xte; /* (ntr, D), (nte, D), entries 0 or 1 */
    size_t ntr, nte, D;
    size_t img_h, img_w; /* the image shape for the figures: 8 x 8, or 1 x D */
} ar_data;

/* Reads path; binarize: x >= AR_BINARIZE_AT -> 1. Without it a value other than 0 or 1 is
 * CM_EFORMAT naming the row, column and value. */
int ar_data_load(const char *path, int binarize, ar_data **out);
void ar_data_free(ar_data *d);

#endif
