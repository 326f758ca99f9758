/* text.c: libFuzzer target for the text and vocabulary readers: text_read_file,
 * charvocab_build/encode and wordvocab_build/find (common/text.c), the readers of chapter 01
 * (rnn_corpus_load, and rnn_vocab_from_hex, the vocabulary as a checkpoint stores it) and of
 * chapter 02 (w2v_corpus_load). The first byte picks the held-out fraction (byte / 256) and the
 * minimum count (1 + byte % 4); the rest is the file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../chapters/01-rnn/corpus.h"
#include "../../chapters/02-word2vec/corpus.h"
#include "fuzz_util.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    const double held_out = data[0] / 256.0;
    const long min_count = 1 + data[0] % 4;
    data++, size--;
    const char *path = fuzz_write("in.txt", data, size);

    char *buf = NULL;
    size_t len = 0;
    if (text_read_file(path, &buf, &len) == 0) {
        if (len != size || buf[len] != 0 || memcmp(buf, data, len)) __builtin_trap();
        charvocab cv;
        if (charvocab_build(&cv, buf, len) == 0) {
            int *ids = malloc(len * sizeof *ids);
            if (!ids || charvocab_encode(&cv, buf, len, ids) != 0) __builtin_trap();
            for (size_t i = 0; i < len; i++)
                if (ids[i] < 0 || (size_t)ids[i] >= cv.size) __builtin_trap();
            free(ids);
        }
        wordvocab wv;
        if (wordvocab_build(&wv, buf, len, min_count) == 0) {
            for (size_t i = 0; i < wv.size; i++)
                if (wordvocab_find(&wv, wv.words[i], strlen(wv.words[i])) != (int)i)
                    __builtin_trap();
        }
        wordvocab_free(&wv);
        /* The same bytes as the hex vocabulary of a chapter 01 checkpoint. */
        charvocab hv;
        if (rnn_vocab_from_hex(&hv, buf) == 0) {
            char hex[513];
            rnn_vocab_to_hex(&hv, hex);
            if (strcmp(hex, buf) != 0) __builtin_trap();
        }
        free(buf);
    }

    rnn_corpus rc;
    if (rnn_corpus_load(&rc, path, held_out) == 0) {
        for (size_t i = 0; i < rc.n; i++)
            if (rc.ids[i] < 0 || (size_t)rc.ids[i] >= rc.vocab.size) __builtin_trap();
    }
    rnn_corpus_free(&rc);

    w2v_corpus wc;
    const char *paths[1] = {path};
    if (w2v_corpus_load(&wc, paths, 1, min_count) == 0) {
        for (size_t i = 0; i < wc.n_words; i++)
            if (wc.ids[i] < 0 || (size_t)wc.ids[i] >= wc.vocab.size) __builtin_trap();
        for (size_t s = 0; s < wc.n_sent; s++)
            if (wc.sent[s] > wc.sent[s + 1] || wc.sent[s + 1] > wc.n_words) __builtin_trap();
    }
    w2v_corpus_free(&wc);
    return 0;
}
