/* progress.h: progress of long work on stderr. When stderr is a terminal: one line updated in
 * place with the count, rate, ETA and current loss. Otherwise: a plain line every few seconds
 * (default 5). --quiet silences both. */
#ifndef CM_PROGRESS_H
#define CM_PROGRESS_H

typedef struct progress progress;

/* total: the number of steps (> 0); unit: what a step is ("epoch", "batch", "word"). */
progress *progress_start(const char *label, long total, const char *unit, int quiet);
void progress_update(progress *p, long done, double loss); /* loss NaN: not shown */
/* Ends the work: the final line (count, rate, time taken), then frees. When stderr is not a
 * terminal the final line is printed only if the work lasted long enough to print a line. */
void progress_finish(progress *p);
/* Ends the work without a final line (the work failed and the caller says why), then frees. */
void progress_abort(progress *p);
/* For tests: the interval between plain lines (seconds). */
void progress_set_interval(progress *p, double seconds);

#endif
