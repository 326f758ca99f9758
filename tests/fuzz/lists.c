/* lists.c: libFuzzer target for the two small list files the programs read: chapter 02's
 * analogy questions (w2v_evaluate: ": section" lines and four words a line, answered against a
 * vocabulary of eight words) and chapter 04's ordering file (ar_ordering_read: D integers, a
 * permutation of 0..D-1). The first byte chooses: even = questions, odd = an ordering of
 * D = 1 + (byte >> 1) variables; the rest is the file. */
#include <stdint.h>
#include <stdlib.h>
#include "../../chapters/02-word2vec/query.h"
#include "../../chapters/04-autoregressive/ordering.h"
#include "fuzz_util.h"

static w2v_kv *vocabulary(void)
{
    static w2v_kv kv;
    static int ready;
    if (!ready) {
        static char *words[] = {"king",  "queen",  "man",  "woman",
                                "paris", "france", "rome", "italy"};
        double vec[8 * 3];
        for (int i = 0; i < 8 * 3; i++) vec[i] = (double)((i * 7) % 5) - 2.0 + 0.1 * i;
        if (w2v_kv_from(&kv, words, vec, 8, 3) != 0) abort();
        ready = 1;
    }
    return &kv;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    const char *path = fuzz_write("in.txt", data + 1, size - 1);
    if (data[0] % 2 == 0) {
        w2v_eval ev;
        const w2v_kv *kv = vocabulary();
        if (w2v_evaluate(kv, path, (size_t)(data[0] >> 1) % 10, &ev) == 0) {
            if (ev.n_sections > W2V_MAX_SECTIONS || ev.correct > ev.total ||
                ev.total > ev.questions)
                __builtin_trap();
            long total = 0;
            for (size_t s = 0; s < ev.n_sections; s++) total += ev.sec[s].total;
            if (total != ev.total) __builtin_trap();
        }
    } else {
        const size_t D = 1 + (data[0] >> 1);
        size_t o[128], seen[128] = {0};
        if (ar_ordering_read(path, D, o) == 0)
            for (size_t d = 0; d < D; d++)
                if (o[d] >= D || seen[o[d]]++) __builtin_trap();
    }
    return 0;
}
