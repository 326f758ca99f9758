/* cli.c: libFuzzer target for the command-line number parser (common/cli.c, cli_parse_long
 * and cli_parse_double). The input is split at its first NUL byte into two strings: the first
 * is parsed as an integer and a number over several ranges, the second likewise; an accepted
 * value must lie in its range and be the value strtol / strtod give for the whole string. */
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "fuzz_util.h"

static void check(const char *s)
{
    static const long lranges[][2] = {{1, 100000}, {0, LONG_MAX}, {LONG_MIN, LONG_MAX}, {-5, 5}};
    static const double dranges[][2] = {{0, 1}, {-1e300, 1e300}, {1e-12, 10}, {-DBL_MAX, DBL_MAX}};
    for (size_t r = 0; r < sizeof lranges / sizeof *lranges; r++) {
        long v = 12345;
        if (cli_parse_long(s, lranges[r][0], lranges[r][1], &v) == 0) {
            errno = 0;
            char *end;
            long w = strtol(s, &end, 10);
            if (v < lranges[r][0] || v > lranges[r][1] || w != v || *end || errno || !*s)
                __builtin_trap();
        } else if (v != 12345) {
            __builtin_trap(); /* *out is untouched on failure */
        }
    }
    for (size_t r = 0; r < sizeof dranges / sizeof *dranges; r++) {
        double v = 0.5;
        if (cli_parse_double(s, dranges[r][0], dranges[r][1], &v) == 0) {
            char *end;
            double w = strtod(s, &end);
            if (!isfinite(v) || v < dranges[r][0] || v > dranges[r][1] || w != v || *end || !*s)
                __builtin_trap();
        } else if (v != 0.5) {
            __builtin_trap();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_strndup(data, size);
    check(s);
    size_t first = strlen(s);
    if (first < size) check(s + first + 1);
    free(s);
    return 0;
}
