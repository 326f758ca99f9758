/* checkpoint.c: libFuzzer target for the checkpoint directory loader (common/checkpoint.c:
 * hparams_read through ckpt_load_hparams, ckpt_load_params with its .npy tensors) and the two
 * chapter loaders that rebuild a model from what hparams.txt says (chapter 01's rnn_load with
 * its hex vocabulary, chapter 03's vae_model_load).
 *
 * Input: one byte choosing the loader (0: a generic block of two tensors, 1: rnn_load,
 * 2: vae_model_load; modulo 3), then hparams.txt, then any number of files, each introduced by
 * a line "@@<name>" (the three bytes "\n@@" end the previous file). Names are reduced to
 * [A-Za-z0-9._-] (at most 60 bytes, never "." or ".."). Example (tests/fuzz/corpus/checkpoint):
 *     \x01cell = gru\nvocab_size = 5\n...\n@@decoder.bias.npy\n\x93NUMPY... */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "../../chapters/01-rnn/model_io.h"
#include "../../chapters/03-vae/model.h"
#include "checkpoint.h"
#include "fuzz_util.h"

static const uint8_t *find_sep(const uint8_t *p, const uint8_t *end)
{
    for (; p + 3 <= end; p++)
        if (p[0] == '\n' && p[1] == '@' && p[2] == '@') return p;
    return end;
}

/* Writes the files of the input into the directory "ckpt"; returns its path. */
static const char *write_dir(const uint8_t *p, const uint8_t *end)
{
    static char dir[4096];
    snprintf(dir, sizeof dir, "%s/ckpt", fuzz_dir());
    fuzz_clear("ckpt");
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) abort();
    const uint8_t *sep = find_sep(p, end);
    if (sep > p) fuzz_write("ckpt/hparams.txt", p, (size_t)(sep - p));
    while (sep < end) {
        p = sep + 3;
        const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) break;
        char name[80] = "ckpt/";
        size_t k = strlen(name);
        for (const uint8_t *q = p; q < nl && k < 65; q++)
            if ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
                *q == '.' || *q == '_' || *q == '-')
                name[k++] = (char)*q;
        name[k] = 0;
        p = nl + 1;
        sep = find_sep(p, end);
        if (strcmp(name + 5, "") && strcmp(name + 5, ".") && strcmp(name + 5, ".."))
            fuzz_write(name, p, (size_t)(sep - p));
    }
    return dir;
}

static void generic(const char *dir)
{
    hparams h;
    hparams_init(&h);
    if (ckpt_load_hparams(dir, &h) == 0) {
        for (size_t i = 0; i < h.n; i++) {
            const char *s;
            long l;
            double d;
            if (hparams_get_str(&h, h.keys[i], &s) != 0 || strlen(s) >= HP_VAL_LEN)
                __builtin_trap();
            (void)hparams_get_long(&h, h.keys[i], &l);
            (void)hparams_get_double(&h, h.keys[i], &d);
        }
    }
    hparams_free(&h);
    params *p = params_alloc();
    if (!p || params_declare2(p, "fc.weight", 3, 2) < 0 || params_declare1(p, "fc.bias", 3) < 0 ||
        params_commit(p) != 0)
        abort();
    (void)ckpt_load_params(dir, p);
    params_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    const char *dir = write_dir(data + 1, data + size);
    switch (data[0] % 3) {
    case 0:
        generic(dir);
        break;
    case 1: {
        rnn_model *m = NULL;
        charvocab v;
        hparams h;
        hparams_init(&h);
        if (rnn_load(dir, &m, &v, &h) == 0) {
            if (!m || m->V != v.size) __builtin_trap();
            rnn_model_free(m);
        }
        hparams_free(&h);
        break;
    }
    default: {
        vae_model *m = NULL;
        if (vae_model_load(dir, 4, &m) == 0) vae_model_free(m);
        break;
    }
    }
    return 0;
}
