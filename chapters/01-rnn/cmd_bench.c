/* cmd_bench.c: `rnn bench`: training throughput of the character model in characters per
 * second (tools/bench/rnn runs it beside torch.nn.LSTM on the same configuration). A timed
 * round is `steps` chunks of forward, BPTT, clipping and Adam, exactly as rnn_train runs them,
 * on the text's first characters; the fastest of `rounds` rounds counts, so that a busy moment
 * of the machine does not decide the figure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "corpus.h"
#include "demo.h"
#include "error.h"
#include "optim.h"
#include "timer.h"
#include "vecmath.h"

#define BENCH_HIDDEN 128
#define BENCH_STEPS  40
#define BENCH_ROUNDS 3
#define BENCH_BATCH  32 /* the configuration, not the demonstration's 16 */

int rnn_run_bench(const rnn_opts *o)
{
    const cli_common *c = o->c;
    rnn_corpus corp;
    cm_die_status(rnn_corpus_load(&corp, c->data ? c->data : "data/pride_prejudice.txt", 0.1));
    size_t H = o->hidden_given ? o->hidden : BENCH_HIDDEN, T = o->seq_len;
    size_t B = o->batch_given ? o->batch : BENCH_BATCH;
    long steps = o->epochs_given ? o->epochs : BENCH_STEPS; /* --epochs: chunks per round */
    if (c->quick) steps = 5;
    rnn_streams s;
    cm_die_status(rnn_streams_init(&s, &corp, 0, B, T));
    rnn_model *m = rnn_model_alloc(o->cell, corp.vocab.size, H, o->layers);
    rnn_work *w = m ? rnn_work_alloc(m, T, B) : NULL;
    size_t S = m ? rnn_state_size(m, B) : 0;
    int *x = cm_calloc(T * B, sizeof(int)), *y = cm_calloc(T * B, sizeof(int));
    double *h = cm_calloc(S, sizeof(double)), *cc = cm_calloc(S, sizeof(double));
    if (!m || !w || !x || !y || !h || !cc) cm_die("out of memory");
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r) cm_die("out of memory");
    gsl_rng_set(r, c->seed);
    rnn_model_init(m, r, o->cell == RNN_CELL_LSTM ? o->forget_bias : 0.0 / 0.0);
    adam opt;
    cm_die_status(adam_init(&opt, m->p->size, o->lr, 0.9, 0.999, 1e-8, 0.0));
    if (!c->quiet)
        printf("bench: %s, hidden %zu, %zu layer%s, %zu characters, seq %zu, batch %zu; %d rounds "
               "of %ld chunks; math %s\n",
               rnn_cell_name(m->cell), H, m->L, m->L == 1 ? "" : "s", m->V, T, B, BENCH_ROUNDS,
               steps, vm_backend());
    double best = 1e300, L = 0.0;
    for (int round = -1; round < BENCH_ROUNDS; round++) { /* round -1: warm-up, not timed */
        cm_timer t;
        timer_start(&t);
        for (long k = 0; k < (round < 0 ? 2 : steps); k++) {
            size_t len = rnn_streams_next(&s, x, y);
            if (len == 0) { /* wrap around the text */
                s.pos = 0;
                len = rnn_streams_next(&s, x, y);
            }
            params_zero_grad(m->p);
            L = rnn_forward(m, w, len, x, y, h, cc);
            rnn_backward(m, w, NULL, NULL);
            clip_grad_norm(m->p->grad, m->p->size, o->clip);
            adam_step(&opt, m->p->data, m->p->grad);
            rnn_final_state(m, w, h, cc);
        }
        double sec = timer_elapsed(&t);
        if (round >= 0 && sec < best) best = sec;
    }
    if (!c->quiet) printf("last chunk's loss %.4f bits per character\n", L / 0.6931471805599453);
    printf("chars_per_second %.0f\n", (double)(steps * (long)(T * B)) / best);
    adam_free(&opt);
    gsl_rng_free(r);
    free(x), free(y), free(h), free(cc);
    rnn_work_free(w);
    rnn_model_free(m);
    rnn_corpus_free(&corp);
    return 0;
}
