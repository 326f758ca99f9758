/* error.h: status codes, the last error message, and the one-line exit of a program.
 *
 * Library functions in common/ never print and never exit: they return a status code
 * (CM_OK on success) or NULL, after recording a one-line message with cm_error().
 * A program then calls cm_die_status() (or cm_die()), which prints
 *     <prog>: <message>
 * on stderr and exits with status 2, as CONVENTIONS.md asks of bad input. */
#ifndef CM_ERROR_H
#define CM_ERROR_H

#include <stddef.h>

enum cm_status {
    CM_OK = 0,
    CM_EINVAL = 1,    /* a bad argument or value */
    CM_ENOMEM = 2,    /* an allocation failed */
    CM_EIO = 3,       /* a file could not be opened, read or written */
    CM_EFORMAT = 4,   /* a file is malformed */
    CM_ESHAPE = 5,    /* shapes do not match (a checkpoint of the wrong model, say) */
    CM_ENOTFINITE = 6 /* a NaN or an infinity where a number was expected */
};

/* Records a printf-style message as the last error and returns code, so that
 * a library function can end with `return cm_error(CM_EIO, "cannot open %s", path);`. */
int cm_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The message recorded by the last cm_error() ("" if none). */
const char *cm_errmsg(void);

/* The program's name as printed in front of messages (default "program"). */
void cm_set_progname(const char *name);
const char *cm_progname(void);

/* Prints "<prog>: <message>" to stderr and exits with status 2. */
void cm_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* If status != CM_OK, prints "<prog>: <last error message>" and exits 2. */
void cm_die_status(int status);

/* Allocation that records an error instead of crashing: returns NULL and sets
 * the message on failure (also for n * size overflow). Memory is zeroed. */
void *cm_calloc(size_t n, size_t size);

/* For programs only: cm_calloc or die with exit status 2. */
void *cm_xcalloc(size_t n, size_t size);

#endif
