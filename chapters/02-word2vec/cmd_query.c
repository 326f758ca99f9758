/* cmd_query.c: the queries on saved vectors: similar, analogy, evaluate, pca. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "error.h"
#include "pca.h"
#include "query.h"
#include "vectors.h"

/* --vectors, else OUT/vectors.bin (what train and the demonstration write). Exits 2 with a
 * hint when it cannot be read. */
static void load_vectors(const w2v_opts *o, w2v_kv *kv, char *path, size_t len)
{
    if (o->vectors)
        snprintf(path, len, "%s", o->vectors);
    else
        snprintf(path, len, "%s/vectors.bin", o->c->out);
    int st = w2v_kv_load(kv, path);
    if (st == CM_EIO && !o->vectors)
        cm_die("%s (run `word2vec train` or `word2vec` first, or give --vectors FILE)",
               cm_errmsg());
    cm_die_status(st);
}

/* The index of a query word (lower-cased, as the corpus), or exit 2 naming it. */
static int need_word(const w2v_kv *kv, const char *word, const char *path)
{
    char low[256];
    size_t n = strlen(word);
    if (n == 0 || n >= sizeof low) cm_die("'%s' is not a word of %s", word, path);
    for (size_t i = 0; i <= n; i++)
        low[i] = (char)(word[i] >= 'A' && word[i] <= 'Z' ? word[i] - 'A' + 'a' : word[i]);
    int w = w2v_kv_find(kv, low);
    if (w < 0)
        cm_die("'%s' is not in the vocabulary of %s (%zu words; try a more frequent word)", word,
               path, kv->V);
    return w;
}

int w2v_run_similar(const w2v_opts *o)
{
    if (o->n_words < 1) cm_die("similar: give a word: word2vec similar WORD [WORD...]");
    w2v_kv kv;
    char path[4200];
    load_vectors(o, &kv, path, sizeof path);
    int ids[64];
    if (o->n_words > 64) cm_die("similar: at most 64 words");
    for (int i = 0; i < o->n_words; i++) ids[i] = need_word(&kv, o->words[i], path);
    w2v_hit *hits = cm_xcalloc((size_t)o->topn, sizeof *hits);
    for (int i = 0; i < o->n_words; i++) {
        size_t n = w2v_similar(&kv, ids[i], hits, (size_t)o->topn);
        printf("nearest to '%s' (cosine similarity):\n", kv.words[ids[i]]);
        for (size_t k = 0; k < n; k++)
            printf("  %2zu  %-16s %.4f\n", k + 1, kv.words[hits[k].word], hits[k].sim);
    }
    free(hits);
    w2v_kv_free(&kv);
    return 0;
}

int w2v_run_analogy(const w2v_opts *o)
{
    if (o->n_words != 3)
        cm_die("analogy: give three words A B C (\"A is to B as C is to ?\"), got %d", o->n_words);
    w2v_kv kv;
    char path[4200];
    load_vectors(o, &kv, path, sizeof path);
    int a = need_word(&kv, o->words[0], path), b = need_word(&kv, o->words[1], path),
        c = need_word(&kv, o->words[2], path);
    double sim = 0;
    int d = w2v_analogy(&kv, a, b, c, (size_t)o->restrict_vocab, &sim);
    if (d < 0) cm_die("analogy: no candidate word left");
    printf("%s is to %s as %s is to %s (cosine %.4f with %s - %s + %s)\n", kv.words[a], kv.words[b],
           kv.words[c], kv.words[d], sim, kv.words[b], kv.words[a], kv.words[c]);
    w2v_kv_free(&kv);
    return 0;
}

int w2v_run_evaluate(const w2v_opts *o)
{
    w2v_kv kv;
    char path[4200];
    load_vectors(o, &kv, path, sizeof path);
    w2v_eval ev;
    cm_die_status(w2v_evaluate(&kv, o->questions, (size_t)o->restrict_vocab, &ev));
    printf("analogy questions of %s answered with %s, restricted to the %ld most frequent "
           "words:\n",
           o->questions, path, o->restrict_vocab);
    printf("  %-28s %8s %8s %9s\n", "section", "right", "covered", "accuracy");
    for (size_t s = 0; s < ev.n_sections; s++) {
        const w2v_section *sec = &ev.sec[s];
        printf("  %-28s %8ld %8ld ", sec->name, sec->correct, sec->total);
        if (sec->total)
            printf("%8.2f%%\n", 100.0 * (double)sec->correct / (double)sec->total);
        else
            printf("%9s\n", "-");
    }
    printf("  %-28s %8ld %8ld %8.2f%%\n", "semantic", ev.semantic_correct, ev.semantic_total,
           ev.semantic_total ? 100.0 * (double)ev.semantic_correct / (double)ev.semantic_total : 0);
    printf("  %-28s %8ld %8ld %8.2f%%\n", "syntactic", ev.syntactic_correct, ev.syntactic_total,
           ev.syntactic_total ? 100.0 * (double)ev.syntactic_correct / (double)ev.syntactic_total
                              : 0);
    double acc = ev.total ? (double)ev.correct / (double)ev.total : 0.0;
    printf("eval.accuracy %.6f    (%ld right of %ld covered; %ld questions in the file)\n", acc,
           ev.correct, ev.total, ev.questions);
    printf("eval.right_covered %ld %ld\n", ev.correct, ev.total);
    w2v_kv_free(&kv);
    return 0;
}

int w2v_run_pca(const w2v_opts *o)
{
    static const char *const defaults[] = {"elizabeth", "jane",   "darcy",  "bingley", "wickham",
                                           "mother",    "father", "sister", "brother", "happy",
                                           "pleased",   "house",  "room",   "walked",  "rode"};
    w2v_kv kv;
    char path[4200];
    load_vectors(o, &kv, path, sizeof path);
    size_t n_asked = o->n_words ? (size_t)o->n_words : sizeof defaults / sizeof defaults[0];
    int *ids = cm_xcalloc(n_asked, sizeof *ids);
    size_t n = 0;
    for (size_t i = 0; i < n_asked; i++) {
        if (o->n_words) { /* the words asked for must all be known */
            ids[n++] = need_word(&kv, o->words[i], path);
            continue;
        }
        int w = w2v_kv_find(&kv, defaults[i]); /* the default words that these vectors know */
        if (w >= 0) ids[n++] = w;
    }
    if (n < 2) cm_die("pca: give at least two words");
    cli_prepare_out(o->c);
    plot_ctx pc = {o->c->out, o->c->plot};
    double explained = 0;
    double *xy = cm_xcalloc(2 * n, sizeof *xy);
    cm_die_status(w2v_pca2(&kv, ids, n, xy, &explained));
    printf("%-16s %10s %10s\n", "word", "pc1", "pc2");
    for (size_t i = 0; i < n; i++)
        printf("%-16s %10.4f %10.4f\n", kv.words[ids[i]], xy[2 * i], xy[2 * i + 1]);
    cm_die_status(w2v_pca_plot(&pc, "pca", &kv, ids, n, &explained));
    printf("pca: the two components hold %.1f%% of the variance of these %zu vectors; figure "
           "%s/pca.%s\n",
           100 * explained, n, o->c->out,
           o->c->plot == PLOT_PNG || o->c->plot == PLOT_WINDOW ? "png" : "gp");
    free(xy);
    free(ids);
    w2v_kv_free(&kv);
    return 0;
}
