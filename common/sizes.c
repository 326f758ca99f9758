/* sizes.c: checked size products and the memory limit (see sizes.h). */
#include "sizes.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

int cm_size_mul(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a) return 0;
    *out = a * b;
    return 1;
}

size_t cm_mem_limit(void)
{
    const char *env = getenv("CM_MEM_LIMIT");
    if (env && *env) {
        char *end;
        unsigned long long v = strtoull(env, &end, 10);
        if (*end == '\0' && v > 0) return v > SIZE_MAX ? SIZE_MAX : (size_t)v;
    }
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    size_t mem;
    if (pages <= 0 || page <= 0 || !cm_size_mul((size_t)pages, (size_t)page, &mem)) return SIZE_MAX;
    return mem;
}

/* bytes in GB with one decimal, for messages */
static double gb(double bytes)
{
    return bytes / 1e9;
}

int cm_size_bytes(const char *what, size_t n, size_t m, size_t elem, size_t *bytes)
{
    size_t nm, b;
    size_t limit = cm_mem_limit();
    if (!cm_size_mul(n, m, &nm) || !cm_size_mul(nm, elem, &b))
        return cm_error(CM_ENOMEM,
                        "%s: %zu x %zu elements of %zu bytes: the size overflows (more than "
                        "%.3g bytes)",
                        what, n, m, elem, (double)SIZE_MAX);
    if (b > limit)
        return cm_error(CM_ENOMEM,
                        "%s: %zu x %zu elements of %zu bytes need %.1f GB, more than this "
                        "machine's memory (%.1f GB)",
                        what, n, m, elem, gb((double)b), gb((double)limit));
    if (bytes) *bytes = b;
    return CM_OK;
}

int cm_file_fits(const char *path, FILE *f, size_t *size)
{
    struct stat sb;
    if (size) *size = 0;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size < 0) return CM_OK;
    size_t limit = cm_mem_limit();
    if ((unsigned long long)sb.st_size > limit)
        return cm_error(CM_ENOMEM, "%s: %lld bytes, more than this machine's memory (%zu bytes)",
                        path, (long long)sb.st_size, limit);
    if (size) *size = (size_t)sb.st_size;
    return CM_OK;
}
