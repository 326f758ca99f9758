/* progress.h: progress of long work on stderr. When stderr is a terminal: one line updated in
 * place with the count, rate, ETA and current loss. Otherwise: a plain line every few seconds
 * (default 5). --quiet silences both. */
#ifndef CM_PROGRESS_H
#define CM_PROGRESS_H

typedef struct progress progress;

/* total: the number of steps (> 0); unit: what a step is ("epoch", "batch", "word"). */
progress *progress_start(const char *label, long total, const char *unit, int quiet);
void progress_update(progress *p, long done, double loss); /* loss NaN: not shown */
void progress_finish(progress *p);                         /* ends the line, frees */
/* For tests: the interval between plain lines (seconds). */
void progress_set_interval(progress *p, double seconds);

#endif
