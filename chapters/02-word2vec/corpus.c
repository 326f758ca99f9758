/* corpus.c: reading the novels into vocabulary indices (word2vec.c's LearnVocabFromTrainFile
 * and ReadWord, with the tokenizer of common/text.c: lower-cased runs of [a-z']). */
#include "corpus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

const char *const w2v_novels[W2V_N_NOVELS] = {
    "data/emma.txt",       "data/mansfield_park.txt",  "data/northanger_abbey.txt",
    "data/persuasion.txt", "data/pride_prejudice.txt", "data/sense_sensibility.txt"};

/* The tokenizer's callback: appends a word's index (if it is in the vocabulary) and cuts a
 * sentence every W2V_MAX_SENTENCE kept words. */
typedef struct {
    w2v_corpus *c;
    size_t cap_sent;
    size_t in_sentence; /* words in the current sentence */
    int status;
} encoder;

static int start_sentence(encoder *e)
{
    w2v_corpus *c = e->c;
    /* after this call sent[n_sent + 1] is written: n_sent + 3 entries counted before it */
    if (c->n_sent + 3 > e->cap_sent) {
        size_t cap = e->cap_sent ? 2 * e->cap_sent : 64;
        size_t *s = realloc(c->sent, cap * sizeof *s);
        if (!s) return cm_error(CM_ENOMEM, "out of memory encoding the corpus");
        c->sent = s;
        e->cap_sent = cap;
    }
    c->sent[++c->n_sent] = c->n_words; /* closes sentence n_sent - 1 */
    e->in_sentence = 0;
    return CM_OK;
}

static void encode_token(const char *word, size_t len, void *ctx)
{
    encoder *e = ctx;
    w2v_corpus *c = e->c;
    c->n_tokens++;
    if (e->status != CM_OK) return;
    int id = wordvocab_find(&c->vocab, word, len);
    if (id < 0) return; /* under min_count: dropped before windows are formed, as the tool does */
    c->ids[c->n_words++] = id;
    c->sent[c->n_sent + 1] = c->n_words;
    if (++e->in_sentence == W2V_MAX_SENTENCE) e->status = start_sentence(e);
}

/* Ends the current file: its last sentence is closed unless it is empty. */
static int end_file(encoder *e)
{
    return e->in_sentence > 0 ? start_sentence(e) : CM_OK;
}

static int encode_texts(w2v_corpus *c, char *const *texts, const size_t *lens, size_t n)
{
    /* the number of kept tokens is the vocabulary's total */
    c->ids = cm_calloc((size_t)c->vocab.total + 1, sizeof *c->ids);
    if (!c->ids) return CM_ENOMEM;
    encoder e = {c, 0, 0, CM_OK};
    c->n_sent = 0;
    c->n_tokens = 0;
    c->n_words = 0;
    if (start_sentence(&e) != CM_OK) return CM_ENOMEM;
    c->n_sent = 0; /* start_sentence counted the opening boundary sent[0] = 0 as a sentence */
    c->sent[0] = 0;
    for (size_t f = 0; f < n; f++) {
        text_tokenize(texts[f], lens[f], encode_token, &e);
        if (e.status != CM_OK) return e.status;
        if (end_file(&e) != CM_OK) return CM_ENOMEM;
    }
    return CM_OK;
}

/* All files joined by newlines (a newline separates words, so no word spans two files). */
static int build(w2v_corpus *c, char *const *texts, const size_t *lens, size_t n, long min_count)
{
    size_t total = 0;
    for (size_t f = 0; f < n; f++) total += lens[f] + 1;
    char *all = cm_calloc(total + 1, 1);
    if (!all) return CM_ENOMEM;
    for (size_t f = 0, at = 0; f < n; f++) {
        memcpy(all + at, texts[f], lens[f]);
        at += lens[f];
        all[at++] = '\n';
    }
    int st = wordvocab_build(&c->vocab, all, total, min_count);
    free(all);
    if (st != CM_OK) return st;
    /* one word has no neighbours to tell apart and no negatives other than itself */
    if (c->vocab.size < 2)
        return cm_error(CM_EINVAL,
                        "only %zu distinct word seen --min-count %ld times: word2vec needs at "
                        "least two",
                        c->vocab.size, min_count);
    return encode_texts(c, texts, lens, n);
}

int w2v_corpus_load(w2v_corpus *c, const char *const *paths, size_t n_paths, long min_count)
{
    memset(c, 0, sizeof *c);
    char **texts = cm_calloc(n_paths, sizeof *texts);
    size_t *lens = cm_calloc(n_paths, sizeof *lens);
    int st = texts && lens ? CM_OK : CM_ENOMEM;
    for (size_t f = 0; f < n_paths && st == CM_OK; f++)
        st = text_read_file(paths[f], &texts[f], &lens[f]);
    for (size_t f = 0; f < n_paths && st == CM_OK; f++) {
        /* a binary file is no corpus: the tokenizer would find "words" in its bytes */
        const char *nul = memchr(texts[f], '\0', lens[f]);
        if (nul)
            st = cm_error(CM_EFORMAT, "%s: not a text file (a NUL byte at offset %zu)", paths[f],
                          (size_t)(nul - texts[f]));
    }
    if (st == CM_OK) {
        st = build(c, texts, lens, n_paths, min_count);
        /* name the corpus in the vocabulary's messages */
        if (st == CM_EINVAL) {
            char why[512]; /* cm_error cannot format its own last message into itself */
            snprintf(why, sizeof why, "%s", cm_errmsg());
            st = cm_error(CM_EINVAL, "%s%s: %s", paths[0],
                          n_paths > 1 ? " and the other files" : "", why);
        }
    }
    for (size_t f = 0; texts && f < n_paths; f++) free(texts[f]);
    free(texts);
    free(lens);
    if (st != CM_OK) w2v_corpus_free(c);
    return st;
}

int w2v_corpus_from_text(w2v_corpus *c, const char *text, size_t len, long min_count)
{
    memset(c, 0, sizeof *c);
    char *t = (char *)text;
    int st = build(c, &t, &len, 1, min_count);
    if (st != CM_OK) w2v_corpus_free(c);
    return st;
}

void w2v_corpus_free(w2v_corpus *c)
{
    wordvocab_free(&c->vocab);
    free(c->ids);
    free(c->sent);
    memset(c, 0, sizeof *c);
}

size_t w2v_split_paths(char *buf, const char **paths, size_t max)
{
    size_t n = 0;
    for (char *p = buf;; p++) {
        char *comma = strchr(p, ',');
        if (comma) *comma = '\0';
        if (!*p || n == max) return 0;
        paths[n++] = p;
        if (!comma) return n;
        p = comma;
    }
}
