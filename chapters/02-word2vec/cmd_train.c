/* cmd_train.c: `word2vec` with no subcommand (the demonstration) and `word2vec train`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>

#include "checkpoint.h"
#include "cmds.h"
#include "corpus.h"
#include "error.h"
#include "pca.h"
#include "query.h"
#include "train.h"
#include "vectors.h"

void w2v_opts_defaults(w2v_opts *o, cli_common *c)
{
    *o =
        (w2v_opts){.c = c, .questions = W2V_DEFAULT_QUESTIONS, .topn = 10, .restrict_vocab = 30000};
    w2v_config_defaults(&o->cfg);
    o->cfg.seed = c->seed;
}

/* ---- what the demonstration and train share --------------------------------------------- */

/* The corpus of --data (comma-separated files), else the six novels (--quick: one). Exits 2
 * with the reader's message on a missing or empty file or an empty vocabulary. */
static void load_corpus(const w2v_opts *o, w2v_corpus *corpus, char *shown, size_t len)
{
    const char *paths[64];
    size_t n;
    char buf[8192];
    if (o->c->data) {
        if (strlen(o->c->data) >= sizeof buf) cm_die("--data: the list of files is too long");
        strcpy(buf, o->c->data);
        if (!(n = w2v_split_paths(buf, paths, 64)))
            cm_die("--data: expected FILE or FILE,FILE,... (at most 64), got '%s'", o->c->data);
        snprintf(shown, len, "%s", o->c->data);
    } else if (o->c->quick) {
        paths[0] = W2V_QUICK_NOVEL;
        n = 1;
        snprintf(shown, len, "%s", W2V_QUICK_NOVEL);
    } else {
        for (n = 0; n < W2V_N_NOVELS; n++) paths[n] = w2v_novels[n];
        snprintf(shown, len, "the six novels in data/");
    }
    cm_die_status(w2v_corpus_load(corpus, paths, n, o->cfg.min_count));
}

static void print_model(const w2v_config *cfg)
{
    printf("model: %s, %s%s%s, window %zu, dim %zu, sample %g, alpha %g -> %g, %ld epoch%s, "
           "%d thread%s%s\n",
           cfg->cbow ? "CBOW" : "skip-gram", cfg->hs ? "hierarchical softmax" : "",
           cfg->hs && cfg->negative ? " + " : "", cfg->negative ? "negative sampling" : "",
           cfg->window, cfg->dim, cfg->sample, cfg->alpha, cfg->min_alpha, cfg->epochs,
           cfg->epochs == 1 ? "" : "s", cfg->threads, cfg->threads == 1 ? "" : "s",
           cfg->exact_sigmoid ? ", exact sigmoid" : "");
    if (cfg->negative) printf("  negative samples per prediction: %d\n", cfg->negative);
}

/* The vocabulary beside the checkpoint's tensors (model/vocab.txt: "word count" lines). */
static void write_vocab(const char *out, const wordvocab *v)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/model/vocab.txt", out);
    FILE *f = fopen(path, "w");
    if (!f) cm_die("cannot create %s", path);
    for (size_t w = 0; w < v->size; w++) fprintf(f, "%s %ld\n", v->words[w], v->counts[w]);
    if (fclose(f) != 0) cm_die("cannot write %s", path);
}

/* Trains, prints the key numbers, writes vectors.{txt,bin} and the model/ checkpoint.
 * Returns the model (NULL after a message on failure: *status is the exit status). */
static w2v_model *train_and_save(const w2v_opts *o, const w2v_corpus *corpus, const char *shown,
                                 w2v_train_stats *s, int *status)
{
    const cli_common *c = o->c;
    const wordvocab *v = &corpus->vocab;
    printf("corpus: %s: %ld tokens, %zu kept in a vocabulary of %zu words (min-count %ld), "
           "%zu sentences\n",
           shown, corpus->n_tokens, corpus->n_words, v->size, o->cfg.min_count, corpus->n_sent);
    print_model(&o->cfg);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r) cm_die("out of memory");
    gsl_rng_set(r, c->seed);
    w2v_model *m = w2v_model_alloc(&o->cfg, v->counts, v->size, r);
    gsl_rng_free(r);
    if (!m) cm_die_status(CM_ENOMEM);
    /* the checkpoint's settings, saved at the end or when the run is interrupted */
    hparams h;
    hparams_init(&h);
    const w2v_config *cfg = &o->cfg;
    int hs = hparams_set_str(&h, "model", cfg->cbow ? "cbow" : "skipgram");
    hs = hs || hparams_set_long(&h, "hs", cfg->hs) ||
         hparams_set_long(&h, "negative", cfg->negative) ||
         hparams_set_long(&h, "dim", (long)cfg->dim) ||
         hparams_set_long(&h, "window", (long)cfg->window) ||
         hparams_set_double(&h, "sample", cfg->sample) ||
         hparams_set_double(&h, "alpha", cfg->alpha) ||
         hparams_set_double(&h, "min_alpha", cfg->min_alpha) ||
         hparams_set_long(&h, "epochs", cfg->epochs) ||
         hparams_set_long(&h, "min_count", cfg->min_count) ||
         hparams_set_long(&h, "seed", (long)c->seed) || hparams_set_str(&h, "data", shown);
    if (hs) cm_die_status(CM_ENOMEM);
    char path[4200], ckpt[4200];
    snprintf(ckpt, sizeof ckpt, "%s/model", c->out);
    w2v_resume rs = {.ckpt_dir = ckpt, .hp = &h};
    if (o->resume) { /* the interrupted run's vectors and each thread's place and generator */
        tstate *ts = tstate_alloc();
        if (!ts) cm_die_status(CM_ENOMEM);
        cm_die_status(ckpt_load_params(o->resume, m->p));
        cm_die_status(ckpt_load_tstate(o->resume, ts));
        rs.resume = ts;
    }
    snprintf(path, sizeof path, "%s/train.csv", c->out);
    int st = w2v_train(m, corpus, c->quiet, path, &rs, s);
    tstate_free((tstate *)rs.resume);
    if (st == CM_ENOTFINITE) {
        if (o->resume)
            fprintf(stderr, "%s: %s; the last good checkpoint is %s\n", cm_progname(), cm_errmsg(),
                    o->resume);
        else
            fprintf(stderr,
                    "%s: %s; no checkpoint written (the model is saved at the end of a "
                    "run, or when it is interrupted)\n",
                    cm_progname(), cm_errmsg());
        hparams_free(&h);
        w2v_model_free(m);
        *status = 3;
        return NULL;
    }
    cm_die_status(st);
    if (s->signal) {
        write_vocab(c->out, v);
        *status = intr_report(s->signal, s->last_step, ckpt, NULL);
        hparams_free(&h);
        w2v_model_free(m);
        return NULL;
    }
    printf("  train.loss            %.6f    (mean loss per prediction, last epoch)\n", s->loss);
    printf("  train.words           %ld    (%ld epochs x %zu words; %ld centre words after "
           "subsampling)\n",
           s->words, s->epochs, corpus->n_words, s->trained);
    printf("  train.seconds         %.2f    (wall clock; %.2f s of processor time)\n", s->seconds,
           s->cpu_seconds);
    printf("  train.words_per_sec   %.0f\n", s->words_per_sec);

    snprintf(path, sizeof path, "%s/vectors.txt", c->out);
    cm_die_status(w2v_write_text(path, v->words, m->wv, v->size, m->dim));
    snprintf(path, sizeof path, "%s/vectors.bin", c->out);
    cm_die_status(w2v_write_binary(path, v->words, m->wv, v->size, m->dim));
    /* the checkpoint: every tensor as .npy (float64), the vocabulary and the settings */
    cm_die_status(ckpt_save(ckpt, m->p, &h));
    hparams_free(&h);
    write_vocab(c->out, v);
    printf("vectors: %s/vectors.txt (text), %s/vectors.bin (binary); model: %s/model/\n", c->out,
           c->out, c->out);
    *status = 0;
    return m;
}

int w2v_run_train(const w2v_opts *o)
{
    w2v_corpus corpus;
    char shown[8300];
    load_corpus(o, &corpus, shown, sizeof shown);
    cli_prepare_out(o->c);
    int status;
    w2v_train_stats s;
    w2v_model *m = train_and_save(o, &corpus, shown, &s, &status);
    w2v_model_free(m);
    w2v_corpus_free(&corpus);
    return status;
}

/* ---- the demonstration ------------------------------------------------------------------- */

static const char *const demo_neighbours[] = {"elizabeth", "darcy", "happy", "house", "walked"};
static const char *const demo_map[] = {
    "elizabeth", "jane",    "darcy",    "bingley", "wickham",  "emma",      "harriet", "knightley",
    "anne",      "elinor",  "marianne", "fanny",   "edmund",   "catherine", "mother",  "father",
    "sister",    "brother", "happy",    "pleased", "sorry",    "house",     "room",    "garden",
    "walked",    "rode",    "sat",      "ten",     "thousand", "pounds"};

int w2v_run_demo(const w2v_opts *o)
{
    const cli_common *c = o->c;
    w2v_corpus corpus;
    char shown[8300];
    load_corpus(o, &corpus, shown, sizeof shown);
    cli_prepare_out(c);
    int status;
    w2v_train_stats s;
    w2v_model *m = train_and_save(o, &corpus, shown, &s, &status);
    if (!m) {
        w2v_corpus_free(&corpus);
        return status;
    }
    const wordvocab *v = &corpus.vocab;
    w2v_kv kv;
    cm_die_status(w2v_kv_from(&kv, v->words, m->wv, v->size, m->dim));
    w2v_model_free(m);

    printf("nearest neighbours (cosine similarity of the vectors):\n");
    const char *elizabeths = "-"; /* the nearest neighbour of elizabeth, for the summary */
    for (size_t q = 0; q < 5; q++) {
        int w = w2v_kv_find(&kv, demo_neighbours[q]);
        if (w < 0) {
            printf("  %-10s (not in the vocabulary)\n", demo_neighbours[q]);
            continue;
        }
        w2v_hit hits[6];
        size_t n = w2v_similar(&kv, w, hits, 6);
        printf("  similar.%-10s %.4f   ", demo_neighbours[q], n ? hits[0].sim : 0.0);
        for (size_t i = 0; i < n; i++) printf(" %s %.2f", kv.words[hits[i].word], hits[i].sim);
        printf("\n");
        if (q == 0 && n) elizabeths = kv.words[hits[0].word];
    }
    w2v_eval ev;
    cm_die_status(w2v_evaluate(&kv, o->questions, (size_t)o->restrict_vocab, &ev));
    double acc = ev.total ? (double)ev.correct / (double)ev.total : 0.0;
    printf("analogies (%s, the %ld most frequent words):\n", o->questions, o->restrict_vocab);
    printf("  eval.accuracy        %.6f    (%ld right of the %ld questions whose words are all "
           "known, of %ld)\n",
           acc, ev.correct, ev.total, ev.questions);
    printf("  eval.right_covered   %ld %ld\n", ev.correct, ev.total);

    int ids[sizeof demo_map / sizeof demo_map[0]];
    size_t n_ids = 0;
    for (size_t i = 0; i < sizeof demo_map / sizeof demo_map[0]; i++) {
        int w = w2v_kv_find(&kv, demo_map[i]);
        if (w >= 0) ids[n_ids++] = w;
    }
    plot_ctx pc = {c->out, c->plot};
    double explained = 0;
    cm_die_status(w2v_pca_plot(&pc, "pca", &kv, ids, n_ids, &explained));
    const char *ext = c->plot == PLOT_PNG || c->plot == PLOT_WINDOW ? "png" : "gp";
    printf("figure: %s/pca.%s: %zu words on their first two principal components (%.0f%% of "
           "their variance)\n",
           c->out, ext, n_ids, 100 * explained);
    printf("summary: %s on %s, %zu words x %zu dims; neighbours of elizabeth: %s; analogies "
           "%.1f%% of %ld; %.0f words/s; vectors in %s/\n",
           o->cfg.cbow ? "CBOW" : "skip-gram", c->quick ? "one novel" : "six novels", kv.V, kv.D,
           elizabeths, 100 * acc, ev.total, s.words_per_sec, c->out);
    w2v_kv_free(&kv);
    w2v_corpus_free(&corpus);
    return 0;
}
