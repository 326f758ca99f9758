/* csv.c: libFuzzer target for the CSV reader (common/csv.c, csv_read). An accepted table is
 * walked whole: every name, every number (which must be finite), csv_column on each name. */
#include <math.h>
#include <stdint.h>
#include "csv.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("in.csv", data, size);
    csv_table *t = NULL;
    if (csv_read(path, &t) == 0) {
        if (t->rows == 0 || t->cols == 0 || t->X->size1 != t->rows || t->X->size2 != t->cols)
            __builtin_trap();
        for (size_t j = 0; j < t->cols; j++)
            if (csv_column(t, t->names[j]) < 0) __builtin_trap();
        for (size_t i = 0; i < t->rows; i++)
            for (size_t j = 0; j < t->cols; j++)
                if (!isfinite(gsl_matrix_get(t->X, i, j))) __builtin_trap();
        csv_free(t);
    }
    return 0;
}
