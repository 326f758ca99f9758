/* train.c: epochs, sentences, windows; the threads. */
#include "train.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "hotrows.h"
#include "logger.h"
#include "progress.h"
#include "sampling.h"
#include "timer.h"
#include "update.h"
#include "vecops.h"

double w2v_learning_rate(const w2v_config *cfg, long done, long total)
{
    double progress = total > 0 ? (double)done / (double)total : 1.0;
    double a = cfg->alpha - (cfg->alpha - cfg->min_alpha) * progress;
    return a > cfg->min_alpha ? a : cfg->min_alpha;
}

/* What one thread writes into, alone, is kept in cache lines of its own (64 bytes): two threads
 * writing into the same line, even into different bytes of it, would pass the line back and
 * forth between their cores at every write ("false sharing"), which can cost more than the
 * second thread gains. (The shared vectors themselves are written by both: Hogwild.) */
#define CACHE_LINE 64

static void *alloc_lines(size_t bytes)
{
    size_t n = (bytes + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE;
    void *p = aligned_alloc(CACHE_LINE, n ? n : CACHE_LINE);
    if (!p)
        cm_error(CM_ENOMEM, "out of memory for the training threads");
    else
        memset(p, 0, n ? n : CACHE_LINE);
    return p;
}

/* What one thread needs: its share of the sentences, its generator and its workspaces. */
typedef struct {
    _Alignas(CACHE_LINE) w2v_model *m;
    const w2v_corpus *c;
    size_t s_begin, s_end; /* its sentences */
    gsl_rng *rng;
    atomic_long *done; /* words processed by all threads since the start */
    atomic_int *stop;  /* set by the thread that saw the loss diverge */
    long total;        /* epochs * corpus words */
    progress *prog;    /* thread 0 only */
    double loss;       /* this epoch: summed loss and number of predictions */
    long predictions, trained;
    long diverged_at; /* -1, or the word count where the loss stopped being finite */
    int *sen, *neg, *ctx;
    double *neu1, *neu1e;
    w2v_hot hot;      /* its view of the model, with its own rows of the frequent words */
    long since_merge; /* corpus words since it last merged those rows (hotrows.h) */
} worker;

/* The window of centre word i of a sentence of len words: it shrinks at random to b = 1..window
 * words each side (nearer words are in more windows, a weighting by distance at no cost). */
static void draw_window(const w2v_config *cfg, gsl_rng *r, size_t i, size_t len, size_t *lo,
                        size_t *hi)
{
    size_t b = cfg->window - gsl_rng_uniform_int(r, cfg->window);
    *lo = i >= b ? i - b : 0;
    *hi = i + b < len ? i + b : len - 1;
}

/* Skip-gram on a subsampled sentence: each word of each window predicts the window's centre.
 *
 * Speed: the steps themselves draw nothing, so a window's size and all its negatives can be
 * drawn before the previous window is trained, in the same order as drawing them just in time
 * (the results are the same, bit for bit). That lets each step ask for the rows of the NEXT
 * prediction (w2v_prefetch_row) while it computes: without this, most of the time went into
 * waiting for the negatives' output rows to come from memory, or from the other core's cache
 * where the other thread had just written them. */
static double train_sentence_sg(worker *wk, size_t len, double alpha, long *npred)
{
    w2v_model *m = &wk->hot.view;
    const size_t D = m->dim;
    const int K = m->cfg.negative;
    const int *sen = wk->sen;
    int *neg[2] = {wk->neg, wk->neg + 2 * m->cfg.window * (size_t)K}; /* this window, next */
    size_t lo = 0, hi = 0, next_lo = 0, next_hi = 0;
    if (len > 0) draw_window(&m->cfg, wk->rng, 0, len, &lo, &hi);
    if (K > 0) w2v_draw_negatives(m->neg_table, wk->rng, neg[0], K * (int)(hi - lo));
    double loss = 0;
    for (size_t i = 0; i < len; i++) {
        if (i + 1 < len) {
            draw_window(&m->cfg, wk->rng, i + 1, len, &next_lo, &next_hi);
            if (K > 0)
                w2v_draw_negatives(m->neg_table, wk->rng, neg[1], K * (int)(next_hi - next_lo));
        }
        const size_t npairs = hi - lo; /* the window without its centre */
        size_t p = 0;
        for (size_t j = lo; j <= hi; j++) {
            if (j == i) continue;
            /* the next prediction: the next word of this window, or the first word of the
             * next window (which comes before its centre i + 1) and that centre's row */
            size_t nj = j + 1 == i ? j + 2 : j + 1;
            const int *nneg = neg[0] + (p + 1) * K;
            if (p + 1 == npairs) {
                nj = i + 1 < len ? next_lo : len;
                nneg = neg[1];
                if (K > 0 && nj < len) w2v_prefetch_row(w2v_out_row(m, sen[i + 1]), D);
            }
            if (nj < len) {
                w2v_prefetch_row(w2v_in_row(m, sen[nj]), D);
                for (int k = 0; k < K; k++) w2v_prefetch_row(w2v_out_row(m, nneg[k]), D);
            }
            loss += w2v_sg_step(m, sen[i], sen[j], neg[0] + p * K, alpha, wk->neu1e);
            (*npred)++;
            p++;
        }
        lo = next_lo, hi = next_hi;
        int *t = neg[0];
        neg[0] = neg[1], neg[1] = t;
    }
    return loss;
}

/* One sentence: subsample, then every kept word is a centre word once. */
static double train_sentence(worker *wk, const int *words, size_t n, double alpha, long *npred)
{
    w2v_model *m = &wk->hot.view;
    const w2v_config *cfg = &m->cfg;
    gsl_rng *r = wk->rng;
    /* subsampling: drop word w with probability 1 - keep[w], before the windows are formed, so
     * that the window reaches further in a text where frequent words were dropped */
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        int w = words[i];
        if (m->keep[w] < 1.0 && m->keep[w] < gsl_rng_uniform(r)) continue;
        wk->sen[len++] = w;
    }
    wk->trained += (long)len;
    if (!cfg->cbow) return train_sentence_sg(wk, len, alpha, npred);
    const int K = cfg->negative;
    double loss = 0;
    for (size_t i = 0; i < len; i++) {
        size_t lo, hi;
        draw_window(cfg, r, i, len, &lo, &hi);
        int nctx = 0;
        for (size_t j = lo; j <= hi; j++)
            if (j != i) wk->ctx[nctx++] = wk->sen[j];
        if (nctx == 0) continue;
        if (K > 0) w2v_draw_negatives(m->neg_table, r, wk->neg, K);
        loss += w2v_cbow_step(m, wk->sen[i], wk->ctx, nctx, wk->neg, alpha, wk->neu1, wk->neu1e);
        (*npred)++;
    }
    return loss;
}

/* One epoch over the thread's sentences. */
static void *run_worker(void *arg)
{
    worker *wk = arg;
    const w2v_corpus *c = wk->c;
    wk->loss = 0;
    wk->predictions = 0;
    wk->trained = 0;
    for (size_t s = wk->s_begin; s < wk->s_end; s++) {
        if (atomic_load_explicit(wk->stop, memory_order_relaxed)) break;
        size_t n = c->sent[s + 1] - c->sent[s];
        long done = atomic_load_explicit(wk->done, memory_order_relaxed);
        double alpha = w2v_learning_rate(&wk->m->cfg, done, wk->total);
        long npred = 0;
        double loss = train_sentence(wk, c->ids + c->sent[s], n, alpha, &npred);
        if (!isfinite(loss)) {
            wk->diverged_at = done;
            atomic_store(wk->stop, 1);
            break;
        }
        wk->loss += loss;
        wk->predictions += npred;
        if (wk->hot.view.n_hot > 0 && (wk->since_merge += (long)n) >= W2V_HOT_MERGE_WORDS) {
            w2v_hot_merge(&wk->hot);
            wk->since_merge = 0;
        }
        done = atomic_fetch_add_explicit(wk->done, (long)n, memory_order_relaxed) + (long)n;
        if (wk->prog)
            progress_update(wk->prog, done, wk->predictions ? wk->loss / wk->predictions : NAN);
    }
    w2v_hot_merge(&wk->hot); /* the epoch's model is complete when all threads are done */
    wk->since_merge = 0;
    return NULL;
}

/* Sentence ranges of about equal numbers of words. */
static void split_work(worker *wk, int T, const w2v_corpus *c)
{
    size_t s = 0;
    for (int t = 0; t < T; t++) {
        wk[t].s_begin = s;
        size_t until = c->n_words * (size_t)(t + 1) / (size_t)T;
        while (s < c->n_sent && (t == T - 1 || c->sent[s + 1] <= until)) s++;
        wk[t].s_end = s;
    }
}

static void free_workers(worker *wk, int T)
{
    for (int t = 0; wk && t < T; t++) {
        if (wk[t].rng) gsl_rng_free(wk[t].rng);
        free(wk[t].sen);
        free(wk[t].neg);
        free(wk[t].ctx);
        free(wk[t].neu1);
        free(wk[t].neu1e);
        w2v_hot_free(&wk[t].hot);
    }
    free(wk);
}

int w2v_train(w2v_model *m, const w2v_corpus *c, int quiet, const char *log_path,
              w2v_train_stats *stats)
{
    const w2v_config *cfg = &m->cfg;
    memset(stats, 0, sizeof *stats);
    const int T = cfg->threads > 0 ? cfg->threads : 1;
    atomic_long done = 0;
    atomic_int stop = 0;
    pthread_mutex_t merge_lock = PTHREAD_MUTEX_INITIALIZER;
    const long total = cfg->epochs * (long)c->n_words;
    worker *wk = alloc_lines((size_t)T * sizeof *wk);
    if (!wk) return CM_ENOMEM;
    for (int t = 0; t < T; t++) {
        wk[t] = (worker){
            .m = m, .c = c, .done = &done, .stop = &stop, .total = total, .diverged_at = -1};
        wk[t].rng = gsl_rng_alloc(gsl_rng_taus2); /* fast, and good (L'Ecuyer 1996) */
        wk[t].sen = alloc_lines(W2V_MAX_SENTENCE * sizeof(int));
        wk[t].ctx = alloc_lines((2 * cfg->window + 1) * sizeof(int));
        /* skip-gram: the negatives of two windows (this one, the next) of up to 2 window words */
        wk[t].neg = alloc_lines((4 * cfg->window * (size_t)cfg->negative + 1) * sizeof(int));
        wk[t].neu1 = alloc_lines(m->dim * sizeof(double));
        wk[t].neu1e = alloc_lines(m->dim * sizeof(double));
        if (!wk[t].rng || !wk[t].sen || !wk[t].ctx || !wk[t].neg || !wk[t].neu1 || !wk[t].neu1e) {
            free_workers(wk, T);
            return cm_error(CM_ENOMEM, "out of memory for the training threads");
        }
        /* one thread: no copies (the plain algorithm); more: the frequent words' own rows */
        if (w2v_hot_init(&wk[t].hot, m, T > 1 ? cfg->hot_words : 0, &merge_lock) != CM_OK) {
            free_workers(wk, T);
            return CM_ENOMEM;
        }
        gsl_rng_set(wk[t].rng, cfg->seed + (unsigned long)t);
    }
    split_work(wk, T, c);
    csvlog *log = NULL;
    if (log_path && !(log = csvlog_open(log_path, "epoch,words,alpha,loss,words_per_sec"))) {
        free_workers(wk, T);
        return CM_EIO;
    }
    int st = CM_OK;
    progress *prog = progress_start("training", total > 0 ? total : 1, "word", quiet);
    wk[0].prog = prog;
    cm_timer timer;
    timer_start(&timer);
    clock_t cpu0 = clock();
    for (long e = 0; e < cfg->epochs; e++) {
        double t0 = timer_elapsed(&timer);
        pthread_t *tid = NULL;
        int started = 0;
        if (T > 1 && (tid = cm_calloc((size_t)T, sizeof *tid)))
            for (; started < T; started++)
                if (pthread_create(&tid[started], NULL, run_worker, &wk[started]) != 0) break;
        for (int t = started; t < T; t++) run_worker(&wk[t]); /* one thread, or a failed start */
        for (int t = 0; t < started; t++) pthread_join(tid[t], NULL);
        free(tid);
        double loss = 0;
        long npred = 0;
        for (int t = 0; t < T; t++) {
            loss += wk[t].loss;
            npred += wk[t].predictions;
            stats->trained += wk[t].trained;
            if (wk[t].diverged_at >= 0) {
                st = cm_error(CM_ENOTFINITE,
                              "the loss is not finite in epoch %ld, in the sentence starting "
                              "at word %ld of %ld: the vectors diverged (try a smaller --alpha)",
                              e + 1, wk[t].diverged_at, total);
            }
        }
        if (st != CM_OK) break;
        stats->loss = npred ? loss / (double)npred : 0.0;
        stats->epochs = e + 1;
        double dt = timer_elapsed(&timer) - t0;
        if (log) {
            double row[5] = {(double)(e + 1), (double)atomic_load(&done),
                             w2v_learning_rate(cfg, atomic_load(&done), total), stats->loss,
                             dt > 0 ? (double)c->n_words / dt : 0.0};
            if ((st = csvlog_row(log, row, 5)) != CM_OK) break;
        }
    }
    if (st == CM_OK)
        progress_finish(prog);
    else
        progress_abort(prog);
    stats->seconds = timer_elapsed(&timer);
    stats->cpu_seconds = (double)(clock() - cpu0) / CLOCKS_PER_SEC;
    stats->words = atomic_load(&done);
    stats->words_per_sec = stats->seconds > 0 ? (double)stats->words / stats->seconds : 0.0;
    if (log && csvlog_close(log) != CM_OK && st == CM_OK) st = CM_EIO;
    free_workers(wk, T);
    return st;
}
