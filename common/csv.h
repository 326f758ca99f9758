/* csv.h: reads a numeric CSV file with a header row into a gsl_matrix.
 * A malformed file fails with a message naming the file, line and column:
 *   "data/iris.csv:17: column 3: expected a number, got 'abc'"
 *   "data/iris.csv:42: 4 fields, the header has 5"
 * Empty files, files with only a header, NaN/inf values and unterminated last lines are handled
 * (the first three rejected, the last accepted). Also: CRLF line ends and blank lines (skipped)
 * are accepted; blanks around fields and double quotes around header names are removed; a line
 * longer than 1 MiB is rejected (a binary or corrupted file); numbers are C's strtod syntax. */
#ifndef CM_CSV_H
#define CM_CSV_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>

typedef struct {
    size_t rows, cols;
    char **names;  /* (cols) column names from the header */
    gsl_matrix *X; /* (rows, cols) */
} csv_table;

/* CM_OK and *out set, or an error code with the message set. */
int csv_read(const char *path, csv_table **out);
void csv_free(csv_table *t);
int csv_column(const csv_table *t, const char *name); /* index or -1 */

/* Writes a matrix with a header row (names has X->size2 entries), full precision (%.17g).
 * A name that is empty or holds a comma or a newline is CM_EINVAL: csv_read could not read the
 * file back. NaN and infinities are written ("nan", "inf") but csv_read rejects them. */
int csv_write(const char *path, const gsl_matrix *X, const char *const *names);

#endif
