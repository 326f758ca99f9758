#include "error.h"
#include "sizes.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char last_msg[1024];
static const char *progname = "program";

int cm_error(int code, const char *fmt, ...)
{
    /* formatted apart first, so that a caller may wrap the last message in a new one:
     * cm_error(rc, "checkpoint %s: %s", dir, cm_errmsg()) */
    char buf[sizeof last_msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    memcpy(last_msg, buf, sizeof buf);
    return code;
}

const char *cm_errmsg(void)
{
    return last_msg;
}

void cm_set_progname(const char *name)
{
    if (name && *name) progname = name;
}

const char *cm_progname(void)
{
    return progname;
}

void cm_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", progname);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

void cm_die_status(int status)
{
    if (status == CM_OK) return;
    cm_die("%s", last_msg[0] ? last_msg : "unknown error");
}

void *cm_calloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size) {
        cm_error(CM_ENOMEM, "allocation of %zu x %zu bytes overflows", n, size);
        return NULL;
    }
    /* more than the machine's memory: refused here, the same way everywhere (calloc itself
     * may succeed lazily and the program die later, or a sanitizer print a warning) */
    if (n * size > ((size_t)1 << 20) && n * size > cm_mem_limit()) {
        cm_error(CM_ENOMEM,
                 "out of memory allocating %zu x %zu bytes (more than this machine's "
                 "memory, %zu bytes)",
                 n, size, cm_mem_limit());
        return NULL;
    }
    /* calloc(0, ...) may return NULL legitimately; ask for one byte instead. */
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) cm_error(CM_ENOMEM, "out of memory allocating %zu x %zu bytes", n, size);
    return p;
}

void *cm_xcalloc(size_t n, size_t size)
{
    void *p = cm_calloc(n, size);
    if (!p) cm_die_status(CM_ENOMEM);
    return p;
}
