/* timer.h: wall-clock time from a monotonic clock. */
#ifndef CM_TIMER_H
#define CM_TIMER_H

double timer_now(void); /* seconds since an arbitrary fixed point */

typedef struct {
    double start;
} cm_timer;

void timer_start(cm_timer *t);
double timer_elapsed(const cm_timer *t); /* seconds since timer_start */

#endif
