/* npy.h: NumPy .npy files, format version 1.0, C order, little-endian float64 ('<f8'),
 * int32 ('<i4') and int64 ('<i8'), so that np.load opens what we write and we read what
 * np.save writes. Writes go to "<path>.tmp" and are renamed into place. */
#ifndef CM_NPY_H
#define CM_NPY_H

#include <stddef.h>

#define NPY_MAX_DIM 8

typedef enum { NPY_F64, NPY_I32, NPY_I64 } npy_dtype;

typedef struct {
    npy_dtype dtype;
    int ndim; /* 0 for a scalar */
    size_t shape[NPY_MAX_DIM];
    size_t size; /* number of elements */
    void *data;  /* (size) elements of dtype, C order */
} npy_array;

int npy_write(const char *path, npy_dtype dtype, int ndim, const size_t *shape, const void *data);
int npy_write_f64(const char *path, int ndim, const size_t *shape, const double *data);

/* Reads a file (version 1.0, or 2.0 for big headers); rejects Fortran order, other dtypes,
 * big-endian data, truncated data or bytes after the data, absurd shapes and malformed headers
 * with CM_EFORMAT and a message naming the file (CM_EIO if it cannot be opened). */
int npy_read(const char *path, npy_array **out);
void npy_free(npy_array *a);

#endif
