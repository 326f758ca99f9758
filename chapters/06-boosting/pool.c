/* pool.c: the worker threads of pool.h: one mutex, a generation counter bumped per job, and a
 * count of the workers still running it. Started once per fit, so that a histogram pass costs
 * a wake-up rather than a pthread_create.
 *
 * Speed: a fit runs tens of thousands of jobs of a few hundred microseconds each (a node's
 * histograms, its split search, its partition). Waking a thread asleep on a condition variable
 * costs tens of microseconds on this virtual machine, so between jobs a worker first spins on
 * the generation counter for a while (POOL_SPIN checks, about 0.1 ms), and the caller spins on
 * the count of running workers before sleeping; only a longer pause puts them to sleep. (OpenMP
 * runtimes, xgboost's included, do the same.) The results do not depend on any of this. */
#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "error.h"

struct boost_pool {
    size_t nt;
    pthread_t *tid;
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    atomic_ulong gen;      /* bumped for each job */
    atomic_size_t running; /* workers that have not finished the current job */
    atomic_int quit;
    boost_pool_fn fn;
    void *arg;
};

typedef struct {
    boost_pool *p;
    size_t t;
} worker_arg;

#define POOL_SPIN 20000

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static void *worker(void *a)
{
    boost_pool *p = ((worker_arg *)a)->p;
    size_t t = ((worker_arg *)a)->t;
    free(a);
    unsigned long seen = 0;
    for (;;) {
        for (int s = 0; s < POOL_SPIN && atomic_load(&p->gen) == seen && !atomic_load(&p->quit);
             s++)
            cpu_relax();
        pthread_mutex_lock(&p->mu);
        while (atomic_load(&p->gen) == seen && !atomic_load(&p->quit))
            pthread_cond_wait(&p->go, &p->mu);
        if (atomic_load(&p->quit)) {
            pthread_mutex_unlock(&p->mu);
            break;
        }
        seen = atomic_load(&p->gen);
        boost_pool_fn fn = p->fn;
        void *arg = p->arg;
        pthread_mutex_unlock(&p->mu);
        fn(arg, t, p->nt);
        if (atomic_fetch_sub(&p->running, 1) == 1) { /* the last one: the caller may sleep */
            pthread_mutex_lock(&p->mu);
            pthread_cond_signal(&p->done);
            pthread_mutex_unlock(&p->mu);
        }
    }
    return NULL;
}

boost_pool *boost_pool_start(size_t threads)
{
    boost_pool *p = cm_calloc(1, sizeof *p);
    if (!p) return NULL;
    p->nt = 1;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->go, NULL);
    pthread_cond_init(&p->done, NULL);
    if (threads > 1) {
        p->tid = cm_calloc(threads, sizeof *p->tid);
        if (!p->tid) goto fail;
        for (size_t t = 1; t < threads; t++) {
            worker_arg *a = cm_calloc(1, sizeof *a);
            if (!a) goto fail;
            *a = (worker_arg){.p = p, .t = t};
            if (pthread_create(&p->tid[t], NULL, worker, a) != 0) {
                free(a);
                cm_error(CM_ENOMEM, "cannot start thread %zu of %zu", t + 1, threads);
                goto fail;
            }
            p->nt = t + 1;
        }
    }
    return p;
fail:
    boost_pool_stop(p);
    return NULL;
}

size_t boost_pool_threads(const boost_pool *p)
{
    return p ? p->nt : 1;
}

void boost_pool_run(boost_pool *p, boost_pool_fn fn, void *arg)
{
    if (!p || p->nt == 1) {
        fn(arg, 0, 1);
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->fn = fn, p->arg = arg;
    atomic_store(&p->running, p->nt - 1);
    atomic_fetch_add(&p->gen, 1);
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    fn(arg, 0, p->nt);
    for (int s = 0; s < POOL_SPIN && atomic_load(&p->running) > 0; s++) cpu_relax();
    pthread_mutex_lock(&p->mu);
    while (atomic_load(&p->running) > 0) pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

void boost_pool_stop(boost_pool *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->quit, 1);
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    for (size_t t = 1; t < p->nt; t++) pthread_join(p->tid[t], NULL);
    pthread_cond_destroy(&p->go);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->mu);
    free(p->tid);
    free(p);
}
