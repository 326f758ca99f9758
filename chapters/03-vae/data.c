/* data.c: the binarized digits and their fixed split (see data.h). */
#include "data.h"

#include <stdlib.h>

#include "dataset.h"
#include "error.h"

void vae_data_free(vae_data *d)
{
    if (!d) return;
    if (d->Xtr) gsl_matrix_free(d->Xtr);
    if (d->Xte) gsl_matrix_free(d->Xte);
    free(d->ytr);
    free(d->yte);
    free(d);
}

int vae_data_load(const char *path, vae_data **out)
{
    dataset *all = NULL, *tr = NULL, *te = NULL;
    vae_data *d = NULL;
    int st = dataset_from_csv(path, NULL, &all), k;
    if (st != CM_OK) return st;
    if (all->d != VAE_PIXELS) {
        st = cm_error(CM_EFORMAT,
                      "%s: expected %d pixel columns and a label (%d columns), got %zu columns",
                      path, VAE_PIXELS, VAE_PIXELS + 1, all->d + 1);
        goto done;
    }
    if (all->n <= VAE_TRAIN_ROWS) {
        st = cm_error(CM_EFORMAT,
                      "%s: %zu rows; the split needs more than %d (%d train, the rest test)", path,
                      all->n, VAE_TRAIN_ROWS, VAE_TRAIN_ROWS);
        goto done;
    }
    dataset_binarize(all->X, VAE_BINARIZE_AT);
    if ((st = dataset_split(all, VAE_TRAIN_ROWS, &tr, &te)) != CM_OK) goto done;
    if (!(d = cm_calloc(1, sizeof *d))) {
        st = CM_ENOMEM;
        goto done;
    }
    d->ntr = tr->n;
    d->nte = te->n;
    d->ytr = cm_calloc(tr->n, sizeof(int));
    d->yte = cm_calloc(te->n, sizeof(int));
    if (!d->ytr || !d->yte) {
        st = CM_ENOMEM;
        goto done;
    }
    if ((st = dataset_labels(tr, d->ytr, &k)) != CM_OK) goto done;
    if ((st = dataset_labels(te, d->yte, &k)) != CM_OK) goto done;
    d->Xtr = tr->X;
    d->Xte = te->X;
    tr->X = te->X = NULL;
    *out = d;
    d = NULL;
done:
    vae_data_free(d);
    dataset_free(all);
    dataset_free(tr);
    dataset_free(te);
    return st;
}
