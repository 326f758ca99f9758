/* pool.c: the worker threads of pool.h: one mutex, a generation counter bumped per job, and a
 * count of the workers still running it. Started once per fit, so that a histogram pass costs
 * a wake-up rather than a pthread_create. */
#include "pool.h"

#include <pthread.h>
#include <stdlib.h>

#include "error.h"

struct boost_pool {
    size_t nt;
    pthread_t *tid;
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    unsigned long gen; /* bumped for each job */
    size_t running;    /* workers that have not finished the current job */
    int quit;
    boost_pool_fn fn;
    void *arg;
};

typedef struct {
    boost_pool *p;
    size_t t;
} worker_arg;

static void *worker(void *a)
{
    boost_pool *p = ((worker_arg *)a)->p;
    size_t t = ((worker_arg *)a)->t;
    free(a);
    unsigned long seen = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->gen == seen && !p->quit) pthread_cond_wait(&p->go, &p->mu);
        if (p->quit) break;
        seen = p->gen;
        pthread_mutex_unlock(&p->mu);
        p->fn(p->arg, t, p->nt);
        pthread_mutex_lock(&p->mu);
        if (--p->running == 0) pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
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
    p->running = p->nt - 1;
    p->gen++;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    fn(arg, 0, p->nt);
    pthread_mutex_lock(&p->mu);
    while (p->running > 0) pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

void boost_pool_stop(boost_pool *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->quit = 1;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    for (size_t t = 1; t < p->nt; t++) pthread_join(p->tid[t], NULL);
    pthread_cond_destroy(&p->go);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->mu);
    free(p->tid);
    free(p);
}
