/* vectors.c: libFuzzer target for the word2vec vectors reader (chapter 02, w2v_kv_load), in
 * both formats of the original tool. The first byte picks the format: even = text
 * ("in.txt"), odd = binary ("in.bin"); the rest is the file. An accepted file is queried:
 * every word must be found again and every vector must be finite, of unit length or zero. */
#include <math.h>
#include <stdint.h>
#include "../../chapters/02-word2vec/vectors.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    const int binary = data[0] & 1;
    const char *path = fuzz_write(binary ? "in.bin" : "in.txt", data + 1, size - 1);
    w2v_kv kv;
    if (w2v_kv_load(&kv, path) == 0) {
        if (kv.V == 0 || kv.D == 0) __builtin_trap();
        for (size_t i = 0; i < kv.V; i++) {
            int j = w2v_kv_find(&kv, kv.words[i]);
            if (j < 0 || (size_t)j >= kv.V) __builtin_trap();
            double n2 = 0;
            for (size_t d = 0; d < kv.D; d++) n2 += kv.unit[i * kv.D + d] * kv.unit[i * kv.D + d];
            if (!isfinite(n2) || (n2 != 0 && fabs(n2 - 1) > 1e-9)) __builtin_trap();
        }
        w2v_kv_free(&kv);
    }
    return 0;
}
