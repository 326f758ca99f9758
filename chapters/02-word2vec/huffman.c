/* huffman.c: the Huffman code of the vocabulary, built in O(V) from the sorted counts. */
#include "huffman.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"

int w2v_huffman_build(w2v_huffman *h, const long *counts, size_t n)
{
    memset(h, 0, sizeof *h);
    if (n == 0) return cm_error(CM_EINVAL, "huffman: empty vocabulary");
    for (size_t i = 0; i < n; i++)
        if (counts[i] <= 0 || (i > 0 && counts[i] > counts[i - 1]))
            return cm_error(CM_EINVAL, "huffman: counts must be positive and sorted, descending");
    h->n = n;
    h->codelen = cm_calloc(n, 1);
    h->code = cm_calloc(n, W2V_MAX_CODE);
    h->point = cm_calloc(n, W2V_MAX_CODE * sizeof(int));
    /* nodes 0..n-1 are the leaves, n..2n-2 the inner nodes in the order they are made */
    long *weight = cm_calloc(2 * n, sizeof *weight);
    size_t *parent = cm_calloc(2 * n, sizeof *parent);
    unsigned char *bit = cm_calloc(2 * n, 1);
    int st = h->codelen && h->code && h->point && weight && parent && bit ? CM_OK : CM_ENOMEM;
    if (st != CM_OK) goto done;

    /* BEGIN EXERCISE word2vec-3: Huffman coding */
    /* Merge the two lightest nodes, n - 1 times. The leaves are sorted by descending count, so
     * the lightest leaf not yet merged is found by walking `leaf` down from n - 1, and the inner
     * nodes are made in increasing weight, so the lightest one not yet merged is at `inner`
     * walking up from n: two queues, no heap needed. */
    for (size_t i = 0; i < n; i++) weight[i] = counts[i];
    long leaf = (long)n - 1;
    size_t inner = n;
    for (size_t k = 0; k + 1 < n; k++) {
        size_t pick[2];
        for (int j = 0; j < 2; j++) {
            if (leaf >= 0 && (inner >= n + k || weight[leaf] < weight[inner]))
                pick[j] = (size_t)leaf--;
            else
                pick[j] = inner++;
        }
        weight[n + k] = weight[pick[0]] + weight[pick[1]];
        parent[pick[0]] = parent[pick[1]] = n + k;
        bit[pick[1]] = 1; /* the heavier of the two takes branch 1 */
    }
    /* Each leaf's code: walk up to the root (node 2n - 2), then reverse so the root comes first.
     * Inner node n + k is stored as point k, so the root is point n - 2. */
    for (size_t w = 0; w < n; w++) {
        unsigned char code[W2V_MAX_CODE];
        int point[W2V_MAX_CODE];
        size_t len = 0;
        for (size_t node = w; node != 2 * n - 2; node = parent[node]) {
            if (len == W2V_MAX_CODE) {
                st = cm_error(CM_EINVAL, "huffman: a code longer than %d bits", W2V_MAX_CODE);
                goto done;
            }
            code[len] = bit[node];
            point[len++] = (int)(parent[node] - n);
        }
        h->codelen[w] = (unsigned char)len;
        for (size_t j = 0; j < len; j++) {
            h->code[w * W2V_MAX_CODE + j] = code[len - 1 - j];
            h->point[w * W2V_MAX_CODE + j] = point[len - 1 - j];
        }
    }
    /* END EXERCISE */

done:
    free(weight);
    free(parent);
    free(bit);
    if (st != CM_OK) w2v_huffman_free(h);
    return st;
}

void w2v_huffman_free(w2v_huffman *h)
{
    free(h->codelen);
    free(h->code);
    free(h->point);
    memset(h, 0, sizeof *h);
}
