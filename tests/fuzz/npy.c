/* npy.c: libFuzzer target for the .npy reader (common/npy.c, npy_read). Every byte of an
 * accepted array is read, so that a size computed wrong shows as an overflow under ASan. */
#include <stdint.h>
#include <string.h>
#include "fuzz_util.h"
#include "npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("in.npy", data, size);
    npy_array *a = NULL;
    if (npy_read(path, &a) == 0) {
        size_t elem = a->dtype == NPY_I32 ? 4 : 8, n = 1;
        for (int d = 0; d < a->ndim; d++) n *= a->shape[d];
        if (n != a->size) __builtin_trap();
        volatile unsigned char acc = 0;
        const unsigned char *p = a->data;
        for (size_t i = 0; i < a->size * elem; i++) acc ^= p[i];
        (void)acc;
        npy_free(a);
    }
    return 0;
}
