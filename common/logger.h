/* logger.h: a CSV metrics log, one file per run with a header row ("step,epoch,loss,...").
 * Rows are flushed as they are written, so a run that stops early keeps its log. */
#ifndef CM_LOGGER_H
#define CM_LOGGER_H

#include <stddef.h>

typedef struct csvlog csvlog;

/* header: the comma-separated column names; the row width is their count. */
csvlog *csvlog_open(const char *path, const char *header); /* NULL on failure, message set */
/* For a resumed run: keeps the rows of an existing log with the same header and appends to
 * it (a log with another header is CM_EFORMAT, naming both); creates it if it is missing. */
csvlog *csvlog_append(const char *path, const char *header);
/* Writes n values (n must equal the header's column count); integers print as integers,
 * others with %.10g. */
/* A training run's log: csvlog_append when the run resumes an earlier one, csvlog_open when it
 * starts afresh. */
csvlog *csvlog_open_run(const char *path, const char *header, int resumed);
int csvlog_row(csvlog *l, const double *vals, size_t n);
int csvlog_close(csvlog *l);

#endif
