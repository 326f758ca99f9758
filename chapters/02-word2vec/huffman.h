/* huffman.h: the Huffman tree of hierarchical softmax (word2vec.c's CreateBinaryTree).
 *
 * Each word is a leaf; the V - 1 inner nodes are numbered 0 .. V-2, the root being V-2. A
 * word's path from the root is point[0..len) (inner nodes) with the branch taken at each,
 * code[0..len) (0 or 1). Frequent words get short codes, so the expected number of sigmoid
 * units evaluated per prediction is the entropy of the unigram distribution, not V. */
#ifndef W2V_HUFFMAN_H
#define W2V_HUFFMAN_H

#include <stddef.h>

#define W2V_MAX_CODE 64 /* longest code allowed (a vocabulary of realistic counts stays < 45) */

typedef struct {
    size_t n;               /* leaves (vocabulary size) */
    unsigned char *codelen; /* (n) */
    unsigned char *code;    /* (n, W2V_MAX_CODE) the branch bits from the root down */
    int *point;             /* (n, W2V_MAX_CODE) the inner nodes on the path, root first */
} w2v_huffman;

/* Builds the tree of counts (n >= 1, sorted in descending order, as the vocabulary is). With
 * one word there is no inner node and its code is empty. CM_EINVAL for unsorted or
 * non-positive counts or a code longer than W2V_MAX_CODE; *h is left empty on failure. */
int w2v_huffman_build(w2v_huffman *h, const long *counts, size_t n);
void w2v_huffman_free(w2v_huffman *h);

static inline const unsigned char *w2v_code(const w2v_huffman *h, int w)
{
    return h->code + (size_t)w * W2V_MAX_CODE;
}
static inline const int *w2v_point(const w2v_huffman *h, int w)
{
    return h->point + (size_t)w * W2V_MAX_CODE;
}

#endif
