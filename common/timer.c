/* timer.c: wall-clock seconds from CLOCK_MONOTONIC, which never jumps back when the system
 * clock is adjusted (unlike time() or gettimeofday()). */
#include "timer.h"

#include <time.h>

double timer_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void timer_start(cm_timer *t)
{
    t->start = timer_now();
}

double timer_elapsed(const cm_timer *t)
{
    return timer_now() - t->start;
}
