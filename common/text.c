/* text.c: reading a text file, the character vocabulary of chapter 01 (char-RNN) and the word
 * vocabulary of chapter 02 (word2vec's LearnVocabFromTrainFile + SortVocab, with a plainer
 * tokenizer: re.findall(r"[a-z']+", text.lower())). */
#include "text.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "sizes.h"

int text_read_file(const char *path, char **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return cm_error(CM_EIO, "cannot open %s: %s", path, strerror(errno));
    /* a file larger than memory is refused before reading it (a sparse file of terabytes
     * would otherwise be read until the machine runs out of memory) */
    size_t fsize, limit = cm_mem_limit();
    int st = cm_file_fits(path, f, &fsize);
    if (st != CM_OK) {
        fclose(f);
        return st;
    }
    size_t cap = fsize > 0 && fsize < SIZE_MAX - 1 ? fsize + 2 : 1 << 16, n = 0, k;
    char *b = malloc(cap);
    if (!b) {
        fclose(f);
        return cm_error(CM_ENOMEM, "out of memory reading %s", path);
    }
    while ((k = fread(b + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (n + 1 == cap) {
            char *nb = cap <= limit / 2 ? realloc(b, cap * 2) : NULL; /* a pipe, say */
            if (!nb) {
                free(b);
                fclose(f);
                return cm_error(CM_ENOMEM, "out of memory reading %s", path);
            }
            b = nb;
            cap *= 2;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(b);
        return cm_error(CM_EIO, "error reading %s", path);
    }
    if (n == 0) {
        free(b);
        return cm_error(CM_EFORMAT, "%s: empty file", path);
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return CM_OK;
}

/* ---- characters ---------------------------------------------------------------------- */

/* sorted(set(text)) and {c: i for i, c in enumerate(chars)}, as in Karpathy's min-char-rnn */
int charvocab_build(charvocab *v, const char *text, size_t len)
{
    memset(v, 0, sizeof *v);
    for (int c = 0; c < 256; c++) v->id[c] = -1;
    if (len == 0) return cm_error(CM_EINVAL, "cannot build a character vocabulary: empty text");
    int seen[256] = {0};
    for (size_t i = 0; i < len; i++) seen[(unsigned char)text[i]] = 1;
    for (int c = 0; c < 256; c++) {
        if (!seen[c]) continue;
        v->id[c] = (int)v->size;
        v->chars[v->size++] = (unsigned char)c;
    }
    return CM_OK;
}

int charvocab_encode(const charvocab *v, const char *text, size_t len, int *out)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (v->id[c] < 0)
            return cm_error(CM_EINVAL, "character 0x%02x at position %zu is not in the vocabulary",
                            c, i);
        out[i] = v->id[c];
    }
    return CM_OK;
}

/* ---- words ----------------------------------------------------------------------------- */

/* The longest token handed to the callback: a longer [a-z'] run (never seen in prose) is cut
 * into pieces of this length, so that the tokenizer needs no allocation. */
#define TEXT_MAX_WORD 255

static int word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '\'';
}

/* re.findall(r"[a-z']+", text.lower()) for ASCII text; any other byte (digits, punctuation,
 * the bytes of UTF-8 characters such as curly quotes) separates words. */
void text_tokenize(const char *text, size_t len, token_fn fn, void *ctx)
{
    char word[TEXT_MAX_WORD + 1];
    size_t n = 0;
    for (size_t i = 0; i <= len; i++) {
        unsigned char c = i < len ? (unsigned char)text[i] : 0;
        if (i < len && word_byte(c)) {
            word[n++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
            if (n < TEXT_MAX_WORD) continue;
        }
        if (n > 0) {
            word[n] = '\0';
            fn(word, n, ctx);
            n = 0;
        }
    }
}

/* FNV-1a: a simple hash that spreads short words well enough for open addressing. */
static size_t hash_word(const char *w, size_t len)
{
    size_t h = (size_t)14695981039346656037ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)w[i];
        h *= (size_t)1099511628211ull;
    }
    return h;
}

/* The slot of word in a table of cap (a power of two) slots: its index's slot, or the empty
 * slot where it would go. */
static size_t find_slot(const int *hash, size_t cap, char *const *words, const char *w, size_t len)
{
    size_t s = hash_word(w, len) & (cap - 1);
    while (hash[s] >= 0) {
        const char *x = words[hash[s]];
        /* strnlen first: a probe holding a NUL would let strncmp stop early and x[len] read
         * past the end of a shorter stored word */
        if (strnlen(x, len + 1) == len && memcmp(x, w, len) == 0) return s;
        s = (s + 1) & (cap - 1);
    }
    return s;
}

/* A table of cap empty slots. */
static int *hash_alloc(size_t cap)
{
    int *h = cm_calloc(cap, sizeof *h);
    if (h)
        for (size_t i = 0; i < cap; i++) h[i] = -1;
    return h;
}

/* The counting pass: every distinct token and its count. */
typedef struct {
    wordvocab *v;
    size_t cap; /* allocated length of v->words and v->counts */
    int status;
} counter;

static int grow_hash(wordvocab *v)
{
    size_t cap = v->hash_cap * 2;
    int *h = hash_alloc(cap);
    if (!h) return CM_ENOMEM;
    for (size_t i = 0; i < v->size; i++) {
        size_t len = strlen(v->words[i]);
        h[find_slot(h, cap, v->words, v->words[i], len)] = (int)i;
    }
    free(v->hash);
    v->hash = h;
    v->hash_cap = cap;
    return CM_OK;
}

static void count_token(const char *w, size_t len, void *ctx)
{
    counter *c = ctx;
    wordvocab *v = c->v;
    if (c->status != CM_OK) return;
    size_t s = find_slot(v->hash, v->hash_cap, v->words, w, len);
    if (v->hash[s] >= 0) {
        v->counts[v->hash[s]]++;
        return;
    }
    if (v->size >= INT_MAX) { /* the hash table holds int indices */
        c->status = cm_error(CM_EINVAL, "more than %d distinct words", INT_MAX);
        return;
    }
    if (v->size == c->cap) {
        size_t nc = c->cap * 2;
        char **nw = realloc(v->words, nc * sizeof *nw);
        if (nw) v->words = nw;
        long *ncnt = nw ? realloc(v->counts, nc * sizeof *ncnt) : NULL;
        if (!ncnt) {
            c->status = cm_error(CM_ENOMEM, "out of memory counting words");
            return;
        }
        v->counts = ncnt;
        c->cap = nc;
    }
    char *copy = malloc(len + 1);
    if (!copy) {
        c->status = cm_error(CM_ENOMEM, "out of memory counting words");
        return;
    }
    memcpy(copy, w, len + 1);
    v->words[v->size] = copy;
    v->counts[v->size] = 1;
    v->hash[s] = (int)v->size++;
    /* keep the load factor under 1/2 so that probes stay short */
    if (2 * v->size > v->hash_cap) c->status = grow_hash(v);
}

/* Sorting by count, descending, then alphabetically (a deterministic order, unlike
 * word2vec.c's qsort on counts alone). */
typedef struct {
    long count;
    char *word;
} vocab_entry;

static int by_count(const void *a, const void *b)
{
    const vocab_entry *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return strcmp(x->word, y->word);
}

void wordvocab_free(wordvocab *v)
{
    if (!v) return;
    if (v->words)
        for (size_t i = 0; i < v->size; i++) free(v->words[i]);
    free(v->words);
    free(v->counts);
    free(v->hash);
    memset(v, 0, sizeof *v);
}

/* collections.Counter(tokens), keep count >= min_count, sort by (-count, word). */
int wordvocab_build(wordvocab *v, const char *text, size_t len, long min_count)
{
    memset(v, 0, sizeof *v);
    wordvocab all = {0};
    counter c = {&all, 1024, CM_OK};
    all.words = cm_calloc(c.cap, sizeof *all.words);
    all.counts = cm_calloc(c.cap, sizeof *all.counts);
    all.hash_cap = 4096;
    all.hash = hash_alloc(all.hash_cap);
    vocab_entry *order = NULL;
    int st = CM_OK;
    if (!all.words || !all.counts || !all.hash) {
        st = CM_ENOMEM;
        goto done;
    }
    text_tokenize(text, len, count_token, &c);
    if ((st = c.status) != CM_OK) goto done;
    if (all.size == 0) {
        st = cm_error(CM_EINVAL, "the text has no words (runs of letters and apostrophes)");
        goto done;
    }

    size_t kept = 0;
    for (size_t i = 0; i < all.size; i++) kept += all.counts[i] >= min_count;
    if (kept == 0) {
        st = cm_error(CM_EINVAL, "no word occurs at least %ld times (min_count)", min_count);
        goto done;
    }
    order = cm_calloc(kept, sizeof *order);
    v->words = cm_calloc(kept, sizeof *v->words);
    v->counts = cm_calloc(kept, sizeof *v->counts);
    v->hash_cap = 16;
    while (v->hash_cap < 2 * kept) v->hash_cap *= 2;
    v->hash = hash_alloc(v->hash_cap);
    if (!order || !v->words || !v->counts || !v->hash) {
        st = CM_ENOMEM;
        goto done;
    }
    for (size_t i = 0, k = 0; i < all.size; i++) {
        if (all.counts[i] < min_count) continue;
        order[k].count = all.counts[i];
        order[k++].word = all.words[i];
    }
    qsort(order, kept, sizeof *order, by_count);
    for (size_t k = 0; k < kept; k++) {
        v->words[k] = order[k].word; /* moved from all, not copied */
        v->counts[k] = order[k].count;
        v->total += order[k].count;
        v->size = k + 1;
        size_t wl = strlen(v->words[k]);
        v->hash[find_slot(v->hash, v->hash_cap, v->words, v->words[k], wl)] = (int)k;
    }
    /* all keeps only the words that were dropped */
    for (size_t i = 0; i < all.size; i++)
        if (all.counts[i] >= min_count) all.words[i] = NULL;

done:
    free(order);
    wordvocab_free(&all);
    if (st != CM_OK) wordvocab_free(v);
    return st;
}

int wordvocab_find(const wordvocab *v, const char *word, size_t len)
{
    if (!v->hash) return -1;
    return v->hash[find_slot(v->hash, v->hash_cap, v->words, word, len)];
}
