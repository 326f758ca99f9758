/* npy.c: the NumPy .npy format (numpy/lib/format.py; NEP 1), version 1.0, as np.save writes it
 * and np.load reads it:
 *
 *   "\x93NUMPY" 0x01 0x00  <header length, uint16 little-endian>
 *   {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }   <spaces> '\n'
 *   <the elements, C order, little-endian>
 *
 * The header is padded with spaces so that the data starts at a multiple of 64 bytes. */
#include "npy.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "npy.c writes the host's bytes as little-endian data: port it before using a big-endian host"
#endif

#define NPY_MAGIC     "\x93NUMPY"
#define NPY_MAGIC_LEN 6
#define NPY_ALIGN     64 /* numpy's ARRAY_ALIGN */
#define NPY_GROWTH    21 /* numpy's GROWTH_AXIS_MAX_DIGITS: spare room in the header */
/* np.load refuses headers longer than this (max_header_size); so do we */
#define NPY_MAX_HEADER 10000

static const char *dtype_descr(npy_dtype t)
{
    switch (t) {
    case NPY_F64:
        return "<f8";
    case NPY_I32:
        return "<i4";
    case NPY_I64:
        return "<i8";
    }
    return NULL;
}

static size_t dtype_size(npy_dtype t)
{
    return t == NPY_I32 ? 4 : 8;
}

/* The header dictionary as numpy's _write_array_header builds it: keys sorted, the shape as
 * Python's repr of a tuple, spare spaces for growing the first axis, then padding and '\n'. */
static size_t format_header(char *h, size_t cap, npy_dtype dtype, int ndim, const size_t *shape)
{
    size_t n = (size_t)snprintf(h, cap, "{'descr': '%s', 'fortran_order': False, 'shape': (",
                                dtype_descr(dtype));
    for (int k = 0; k < ndim; k++)
        n += (size_t)snprintf(h + n, cap - n, k ? ", %zu" : "%zu", shape[k]);
    n += (size_t)snprintf(h + n, cap - n, "%s), }", ndim == 1 ? "," : "");
    if (ndim > 0) {
        char first[32];
        int digits = snprintf(first, sizeof first, "%zu", shape[0]);
        for (int k = digits; k < NPY_GROWTH; k++) h[n++] = ' ';
    }
    /* 10 bytes of preamble + header + '\n' is a multiple of NPY_ALIGN */
    while ((NPY_MAGIC_LEN + 4 + n + 1) % NPY_ALIGN != 0) h[n++] = ' ';
    h[n++] = '\n';
    return n;
}

/* Writes all of f's bytes to disk before the rename, so that a crash after the rename cannot
 * leave a renamed but empty file. */
static int close_synced(FILE *f)
{
    int bad = fflush(f) != 0;
    bad |= fsync(fileno(f)) != 0 && errno != EINVAL; /* EINVAL: a pipe or special file */
    bad |= fclose(f) != 0;
    return bad;
}

/* np.save(path, data.reshape(shape)) for float64, int32 or int64 */
int npy_write(const char *path, npy_dtype dtype, int ndim, const size_t *shape, const void *data)
{
    if (ndim < 0 || ndim > NPY_MAX_DIM)
        return cm_error(CM_EINVAL, "%s: %d dimensions (at most %d)", path, ndim, NPY_MAX_DIM);
    if (!dtype_descr(dtype)) return cm_error(CM_EINVAL, "%s: unknown dtype %d", path, dtype);
    size_t size = 1, es = dtype_size(dtype);
    for (int k = 0; k < ndim; k++) {
        if (shape[k] != 0 && size > SIZE_MAX / es / shape[k])
            return cm_error(CM_EINVAL, "%s: shape too large", path);
        size *= shape[k];
    }
    if (size > 0 && !data) return cm_error(CM_EINVAL, "%s: no data to write", path);

    char header[NPY_MAX_HEADER];
    size_t hlen = format_header(header, sizeof header - 128, dtype, ndim, shape);

    size_t plen = strlen(path) + 5;
    char *tmp = cm_calloc(plen, 1);
    if (!tmp) return CM_ENOMEM;
    snprintf(tmp, plen, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        int st = cm_error(CM_EIO, "cannot write %s: %s", tmp, strerror(errno));
        free(tmp);
        return st;
    }
    unsigned char pre[NPY_MAGIC_LEN + 4] = {0x93,
                                            'N',
                                            'U',
                                            'M',
                                            'P',
                                            'Y',
                                            1,
                                            0,
                                            (unsigned char)(hlen & 0xff),
                                            (unsigned char)(hlen >> 8)};
    int bad = fwrite(pre, 1, sizeof pre, f) != sizeof pre;
    bad |= fwrite(header, 1, hlen, f) != hlen;
    if (size > 0) bad |= fwrite(data, es, size, f) != size;
    bad |= close_synced(f);
    if (bad) {
        int st = cm_error(CM_EIO, "error writing %s: %s", tmp, strerror(errno));
        remove(tmp);
        free(tmp);
        return st;
    }
    if (rename(tmp, path) != 0) {
        int st = cm_error(CM_EIO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        remove(tmp);
        free(tmp);
        return st;
    }
    free(tmp);
    return CM_OK;
}

int npy_write_f64(const char *path, int ndim, const size_t *shape, const double *data)
{
    return npy_write(path, NPY_F64, ndim, shape, data);
}

/* ---- reading: a small parser for the Python dict literal of the header --------------------- */

typedef struct {
    const char *s, *end;
} cursor;

static void skip_ws(cursor *c)
{
    while (c->s < c->end && (*c->s == ' ' || *c->s == '\t' || *c->s == '\n' || *c->s == '\r'))
        c->s++;
}

static int accept(cursor *c, char ch)
{
    skip_ws(c);
    if (c->s < c->end && *c->s == ch) {
        c->s++;
        return 1;
    }
    return 0;
}

/* A Python string literal in ' or " quotes, no escapes (numpy's keys and descrs have none). */
static int parse_string(cursor *c, char *out, size_t cap)
{
    skip_ws(c);
    if (c->s >= c->end || (*c->s != '\'' && *c->s != '"')) return 0;
    char q = *c->s++;
    size_t n = 0;
    while (c->s < c->end && *c->s != q) {
        if (n + 1 >= cap || *c->s == '\\') return 0;
        out[n++] = *c->s++;
    }
    if (c->s >= c->end) return 0;
    c->s++;
    out[n] = '\0';
    return 1;
}

/* A non-negative decimal integer that fits size_t. */
static int parse_size(cursor *c, size_t *v)
{
    skip_ws(c);
    if (c->s >= c->end || *c->s < '0' || *c->s > '9') return 0;
    size_t x = 0;
    while (c->s < c->end && *c->s >= '0' && *c->s <= '9') {
        size_t d = (size_t)(*c->s++ - '0');
        if (x > (SIZE_MAX - d) / 10) return 0;
        x = 10 * x + d;
    }
    *v = x;
    return 1;
}

/* A tuple of integers: "()", "(5,)", "(3, 4)", "(3, 4,)". */
static int parse_shape(cursor *c, int *ndim, size_t *shape)
{
    if (!accept(c, '(')) return 0;
    *ndim = 0;
    if (accept(c, ')')) return 1;
    for (;;) {
        if (*ndim >= NPY_MAX_DIM) return 0;
        if (!parse_size(c, &shape[(*ndim)++])) return 0;
        if (accept(c, ')')) return *ndim > 1; /* "(5)" is an int in Python, not a tuple */
        if (!accept(c, ',')) return 0;
        if (accept(c, ')')) return 1;
    }
}

static int parse_bool(cursor *c, int *v)
{
    skip_ws(c);
    size_t left = (size_t)(c->end - c->s);
    if (left >= 4 && memcmp(c->s, "True", 4) == 0) {
        c->s += 4;
        *v = 1;
        return 1;
    }
    if (left >= 5 && memcmp(c->s, "False", 5) == 0) {
        c->s += 5;
        *v = 0;
        return 1;
    }
    return 0;
}

/* The dict {'descr': ..., 'fortran_order': ..., 'shape': ...} in any order, every key once. */
static int parse_header(const char *path, const char *h, size_t len, npy_array *a)
{
    cursor c = {h, h + len};
    char key[32], descr[32] = "";
    int have_descr = 0, have_fortran = 0, have_shape = 0, fortran = 0;
    if (!accept(&c, '{')) goto malformed;
    while (!accept(&c, '}')) {
        if (!parse_string(&c, key, sizeof key) || !accept(&c, ':')) goto malformed;
        if (strcmp(key, "descr") == 0 && !have_descr) {
            if (!parse_string(&c, descr, sizeof descr)) goto malformed;
            have_descr = 1;
        } else if (strcmp(key, "fortran_order") == 0 && !have_fortran) {
            if (!parse_bool(&c, &fortran)) goto malformed;
            have_fortran = 1;
        } else if (strcmp(key, "shape") == 0 && !have_shape) {
            if (!parse_shape(&c, &a->ndim, a->shape))
                return cm_error(CM_EFORMAT,
                                "%s: bad shape in the .npy header (a tuple of at most "
                                "%d non-negative integers expected)",
                                path, NPY_MAX_DIM);
            have_shape = 1;
        } else {
            return cm_error(CM_EFORMAT, "%s: unexpected or repeated key '%s' in the .npy header",
                            path, key);
        }
        if (!accept(&c, ',')) {
            if (!accept(&c, '}')) goto malformed;
            break;
        }
    }
    skip_ws(&c);
    if (c.s != c.end) goto malformed;
    if (!have_descr || !have_fortran || !have_shape)
        return cm_error(CM_EFORMAT, "%s: the .npy header lacks '%s'", path,
                        !have_descr     ? "descr"
                        : !have_fortran ? "fortran_order"
                                        : "shape");
    if (fortran)
        return cm_error(CM_EFORMAT,
                        "%s: Fortran-ordered array; save it in C order "
                        "(np.save(path, np.ascontiguousarray(a)))",
                        path);
    if (strcmp(descr, "<f8") == 0)
        a->dtype = NPY_F64;
    else if (strcmp(descr, "<i4") == 0)
        a->dtype = NPY_I32;
    else if (strcmp(descr, "<i8") == 0)
        a->dtype = NPY_I64;
    else if (descr[0] == '>')
        return cm_error(CM_EFORMAT, "%s: big-endian data ('%s'); save it as little-endian", path,
                        descr);
    else
        return cm_error(CM_EFORMAT,
                        "%s: dtype '%s' is not supported (float64 '<f8', int32 '<i4' "
                        "or int64 '<i8')",
                        path, descr);
    return CM_OK;
malformed:
    return cm_error(CM_EFORMAT, "%s: malformed .npy header", path);
}

void npy_free(npy_array *a)
{
    if (!a) return;
    free(a->data);
    free(a);
}

/* The header of an open file: magic, version, the dict; leaves f at the data. */
static int read_header(const char *path, FILE *f, npy_array *a, long *data_start)
{
    unsigned char pre[NPY_MAGIC_LEN + 2];
    if (fread(pre, 1, sizeof pre, f) != sizeof pre || memcmp(pre, NPY_MAGIC, NPY_MAGIC_LEN) != 0)
        return cm_error(CM_EFORMAT, "%s: not a .npy file (no \\x93NUMPY magic)", path);
    int major = pre[6], minor = pre[7];
    size_t hlen;
    if (major == 1 && minor == 0) {
        unsigned char b[2];
        if (fread(b, 1, 2, f) != 2) goto truncated;
        hlen = (size_t)b[0] | (size_t)b[1] << 8;
        *data_start = 10 + (long)hlen;
    } else if (major == 2 && minor == 0) { /* the same with a 4-byte length, for big headers */
        unsigned char b[4];
        if (fread(b, 1, 4, f) != 4) goto truncated;
        hlen = (size_t)b[0] | (size_t)b[1] << 8 | (size_t)b[2] << 16 | (size_t)b[3] << 24;
        *data_start = 12 + (long)hlen;
    } else {
        return cm_error(CM_EFORMAT, "%s: .npy format version %d.%d is not supported (1.0)", path,
                        major, minor);
    }
    if (hlen > NPY_MAX_HEADER)
        return cm_error(CM_EFORMAT, "%s: .npy header of %zu bytes is too long", path, hlen);
    char h[NPY_MAX_HEADER];
    if (fread(h, 1, hlen, f) != hlen) goto truncated;
    if (hlen == 0 || h[hlen - 1] != '\n')
        return cm_error(CM_EFORMAT, "%s: malformed .npy header (no final newline)", path);
    return parse_header(path, h, hlen, a);
truncated:
    return cm_error(CM_EFORMAT, "%s: truncated .npy header", path);
}

/* np.load(path) for C-ordered little-endian float64, int32 and int64 arrays */
int npy_read(const char *path, npy_array **out)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return cm_error(CM_EIO, "cannot open %s: %s", path, strerror(errno));
    npy_array *a = cm_calloc(1, sizeof *a);
    if (!a) {
        fclose(f);
        return CM_ENOMEM;
    }
    long data_start = 0, file_size = -1;
    int st = read_header(path, f, a, &data_start);
    if (st != CM_OK) goto fail;

    /* the shape must describe exactly the bytes that follow: this catches truncated files and
     * absurd shapes before anything is allocated */
    if (fseek(f, 0, SEEK_END) == 0) file_size = ftell(f);
    if (file_size < 0 || fseek(f, data_start, SEEK_SET) != 0) {
        st = cm_error(CM_EIO, "cannot seek in %s", path);
        goto fail;
    }
    if (file_size < data_start) {
        st = cm_error(CM_EFORMAT, "%s: truncated .npy header", path);
        goto fail;
    }
    size_t es = dtype_size(a->dtype), avail = (size_t)(file_size - data_start);
    a->size = 1;
    for (int k = 0; k < a->ndim; k++) {
        if (a->shape[k] != 0 && a->size > SIZE_MAX / es / a->shape[k]) {
            st = cm_error(CM_EFORMAT, "%s: shape too large for memory", path);
            goto fail;
        }
        a->size *= a->shape[k];
    }
    if (a->size * es != avail) {
        st = cm_error(CM_EFORMAT, "%s: %s: the shape needs %zu bytes of data, the file has %zu",
                      path, a->size * es > avail ? "truncated data" : "trailing bytes",
                      a->size * es, avail);
        goto fail;
    }
    a->data = cm_calloc(a->size, es);
    if (!a->data) {
        st = CM_ENOMEM;
        goto fail;
    }
    if (fread(a->data, es, a->size, f) != a->size) {
        st = cm_error(CM_EIO, "error reading the data of %s", path);
        goto fail;
    }
    fclose(f);
    *out = a;
    return CM_OK;
fail:
    fclose(f);
    npy_free(a);
    return st;
}
