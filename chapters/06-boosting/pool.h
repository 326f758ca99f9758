/* pool.h: a small pool of worker threads for the GBDT's --threads N. boost_pool_run(p, fn, arg)
 * calls fn(arg, t, nt) once on each of the nt threads (t = 0 is the caller) and returns when
 * all have finished. The work is split by the callers into fixed parts (features, row ranges)
 * whose arithmetic does not depend on nt, so that results are bit-identical for any count. */
#ifndef BOOST_POOL_H
#define BOOST_POOL_H

#include <stddef.h>

typedef struct boost_pool boost_pool;
typedef void (*boost_pool_fn)(void *arg, size_t t, size_t nt);

/* NULL on failure (message set); threads <= 1 gives a pool that runs fn on the caller alone. */
boost_pool *boost_pool_start(size_t threads);
size_t boost_pool_threads(const boost_pool *p); /* 1 for NULL */
void boost_pool_run(boost_pool *p, boost_pool_fn fn, void *arg);
void boost_pool_stop(boost_pool *p);

/* [*lo, *hi): part t of nt of the range [0, n), in blocks of `align` (the last part takes the
 * rest). */
static inline void boost_pool_part(size_t n, size_t t, size_t nt, size_t align, size_t *lo,
                                   size_t *hi)
{
    *lo = n * t / nt / align * align;
    *hi = t + 1 == nt ? n : n * (t + 1) / nt / align * align;
}

#endif
