/* interrupt.c: SIGINT/SIGTERM as a flag polled between training steps, and the resume state a
 * checkpoint carries (interrupt.h). */
#include "interrupt.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "npy.h"

#define TS_PATH 4096

/* ---- signals ------------------------------------------------------------------------------ */

static volatile sig_atomic_t caught; /* the signal number, or 0 */
static long test_step = -1;          /* CM_INTERRUPT_AT: the step after which to raise */
static int test_sig = SIGINT;

/* The only thing a handler may safely do here: remember the signal. */
static void on_signal(int sig)
{
    caught = sig;
}

int intr_install(void)
{
    caught = 0;
    test_step = -1;
    test_sig = SIGINT;
    const char *at = getenv("CM_INTERRUPT_AT");
    if (at && *at) {
        char *end;
        errno = 0;
        long n = strtol(at, &end, 10);
        int sig = SIGINT;
        if (*end == ':') {
            if (strcmp(end + 1, "INT") == 0 || strcmp(end + 1, "SIGINT") == 0)
                sig = SIGINT;
            else if (strcmp(end + 1, "TERM") == 0 || strcmp(end + 1, "SIGTERM") == 0)
                sig = SIGTERM;
            else
                end = (char *)"?";
            if (*end == ':') end += strlen(end);
        }
        if (end == at || *end || errno || n < 0)
            return cm_error(CM_EINVAL, "CM_INTERRUPT_AT='%s': expected STEP, STEP:INT or STEP:TERM",
                            at);
        test_step = n;
        test_sig = sig;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART; /* a write or fsync under way (a checkpoint, the log) goes on */
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0)
        return cm_error(CM_EINVAL, "cannot install the signal handlers: %s", strerror(errno));
    return CM_OK;
}

void intr_uninstall(void)
{
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    test_step = -1;
}

int intr_poll(long step)
{
    if (test_step >= 0 && step == test_step) {
        test_step = -1;  /* once */
        raise(test_sig); /* runs on_signal before raise returns */
    }
    return caught;
}

int intr_pending(void)
{
    return caught;
}

void intr_clear(void)
{
    caught = 0;
}

int intr_exit_status(int sig)
{
    return 128 + sig;
}

const char *intr_signame(int sig)
{
    return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
}

int intr_report(int sig, long step, const char *dir, const char *why_none)
{
    if (dir)
        fprintf(stderr,
                "%s: interrupted by %s after step %ld; checkpoint %s (continue with --resume %s)\n",
                cm_progname(), intr_signame(sig), step, dir, dir);
    else
        fprintf(stderr, "%s: interrupted by %s after step %ld; no checkpoint written: %s\n",
                cm_progname(), intr_signame(sig), step, why_none ? why_none : "none asked for");
    return intr_exit_status(sig);
}

/* ---- resume state ------------------------------------------------------------------------- */

typedef enum { TS_F64, TS_INDEX, TS_RNG } ts_kind;

typedef struct {
    char name[HP_KEY_LEN];
    ts_kind kind;
    const void *ptr; /* double*, size_t* or gsl_rng* */
    size_t n;
} ts_item;

struct tstate {
    hparams kv;
    ts_item *items;
    size_t n_items, cap;
    char dir[TS_PATH]; /* where a loaded state lives (its resume/ subdirectory) */
};

tstate *tstate_alloc(void)
{
    tstate *t = cm_calloc(1, sizeof *t);
    if (t) hparams_init(&t->kv);
    return t;
}

void tstate_free(tstate *t)
{
    if (!t) return;
    hparams_free(&t->kv);
    free(t->items);
    free(t);
}

int tstate_set_long(tstate *t, const char *key, long v)
{
    return hparams_set_long(&t->kv, key, v);
}

int tstate_set_double(tstate *t, const char *key, double v)
{
    return hparams_set_double(&t->kv, key, v);
}

static int add_item(tstate *t, const char *name, ts_kind kind, const void *ptr, size_t n)
{
    if (strlen(name) >= HP_KEY_LEN || strchr(name, '/') || name[0] == '.' || name[0] == '\0')
        return cm_error(CM_EINVAL, "resume state: bad name '%s'", name);
    for (size_t i = 0; i < t->n_items; i++)
        if (strcmp(t->items[i].name, name) == 0) {
            t->items[i] = (ts_item){.kind = kind, .ptr = ptr, .n = n};
            snprintf(t->items[i].name, HP_KEY_LEN, "%s", name);
            return CM_OK;
        }
    if (t->n_items == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 8;
        ts_item *it = realloc(t->items, cap * sizeof *it);
        if (!it) return cm_error(CM_ENOMEM, "out of memory for the resume state");
        t->items = it;
        t->cap = cap;
    }
    ts_item *it = &t->items[t->n_items++];
    *it = (ts_item){.kind = kind, .ptr = ptr, .n = n};
    snprintf(it->name, HP_KEY_LEN, "%s", name);
    return CM_OK;
}

int tstate_set_array(tstate *t, const char *name, const double *x, size_t n)
{
    return add_item(t, name, TS_F64, x, n);
}

int tstate_set_index(tstate *t, const char *name, const size_t *x, size_t n)
{
    return add_item(t, name, TS_INDEX, x, n);
}

int tstate_set_rng(tstate *t, const char *name, const gsl_rng *r)
{
    int st = add_item(t, name, TS_RNG, r, gsl_rng_size(r));
    char key[HP_KEY_LEN + 8];
    snprintf(key, sizeof key, "%s.type", name);
    return st ? st : hparams_set_str(&t->kv, key, gsl_rng_name(r));
}

int tstate_set_adam(tstate *t, const adam *o)
{
    int st = tstate_set_long(t, "adam.t", o->t);
    st = st ? st : tstate_set_array(t, "adam.m", o->m, o->n);
    return st ? st : tstate_set_array(t, "adam.v", o->v, o->n);
}

int tstate_set_sgd(tstate *t, const sgd *o)
{
    int st = tstate_set_long(t, "sgd.steps", o->steps);
    return st ? st : tstate_set_array(t, "sgd.buf", o->buf, o->n);
}

static int ts_path(char *buf, const char *dir, const char *name, const char *ext)
{
    if (snprintf(buf, TS_PATH, "%s/%s%s", dir, name, ext) >= TS_PATH)
        return cm_error(CM_EINVAL, "path too long: %s/%s%s", dir, name, ext);
    return CM_OK;
}

/* The generator's state bytes as gsl_rng_fwrite writes them (but reporting an error rather than
 * calling GSL's error handler, which aborts). */
static int write_rng(const char *path, const gsl_rng *r)
{
    FILE *f = fopen(path, "wb");
    if (!f) return cm_error(CM_EIO, "cannot write %s: %s", path, strerror(errno));
    size_t n = gsl_rng_size(r);
    int bad = fwrite(gsl_rng_state(r), 1, n, f) != n;
    bad |= fclose(f) != 0;
    return bad ? cm_error(CM_EIO, "error writing %s", path) : CM_OK;
}

/* The ckpt_extra_fn of ckpt_save_tstate: tmpdir/resume/ with every counter, array and rng. */
static int write_state(const char *tmpdir, void *ctx)
{
    const tstate *t = ctx;
    char sub[TS_PATH], path[TS_PATH];
    int st = ts_path(sub, tmpdir, TSTATE_DIR, "");
    if (st == CM_OK) st = ckpt_mkdirs(sub);
    for (size_t i = 0; st == CM_OK && i < t->n_items; i++) {
        const ts_item *it = &t->items[i];
        size_t shape[1] = {it->n};
        if (it->kind == TS_RNG) {
            if ((st = ts_path(path, sub, it->name, ".rng")) == CM_OK) st = write_rng(path, it->ptr);
        } else if (it->kind == TS_F64) {
            if ((st = ts_path(path, sub, it->name, ".npy")) == CM_OK)
                st = npy_write_f64(path, 1, shape, it->ptr);
        } else {
            long long *v = cm_calloc(it->n ? it->n : 1, sizeof *v);
            if (!v) return CM_ENOMEM;
            for (size_t k = 0; k < it->n; k++) v[k] = (long long)((const size_t *)it->ptr)[k];
            if ((st = ts_path(path, sub, it->name, ".npy")) == CM_OK)
                st = npy_write(path, NPY_I64, 1, shape, v);
            free(v);
        }
    }
    if (st == CM_OK) st = ts_path(path, sub, "state.txt", "");
    if (st == CM_OK) st = hparams_write(path, &t->kv);
    return st;
}

int ckpt_save_tstate(const char *dir, const params *p, const hparams *h, const tstate *t)
{
    return ckpt_save_extra(dir, p, h, t ? write_state : NULL, (void *)t);
}

static int is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* dir/resume, or dir.old/resume when an interrupted save left only dir.old (checkpoint.h) */
static int state_dir(const char *dir, char *buf)
{
    char d[TS_PATH];
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/') dl--;
    if (dl >= TS_PATH - 16) return cm_error(CM_EINVAL, "checkpoint path too long: %s", dir);
    snprintf(d, sizeof d, "%.*s", (int)dl, dir);
    if (!is_dir(d)) snprintf(d, sizeof d, "%.*s.old", (int)dl, dir);
    return ts_path(buf, d, TSTATE_DIR, "");
}

int ckpt_has_tstate(const char *dir)
{
    char sub[TS_PATH], path[TS_PATH];
    struct stat sb;
    return state_dir(dir, sub) == CM_OK && ts_path(path, sub, "state.txt", "") == CM_OK &&
           stat(path, &sb) == 0;
}

int ckpt_check_resumable(const char *dir)
{
    hparams h;
    hparams_init(&h);
    int st = ckpt_load_hparams(dir, &h);
    hparams_free(&h);
    if (st != CM_OK) return st;
    tstate *t = tstate_alloc();
    if (!t) return CM_ENOMEM;
    st = ckpt_load_tstate(dir, t);
    tstate_free(t);
    return st;
}

int ckpt_load_tstate(const char *dir, tstate *t)
{
    char path[TS_PATH];
    int st = state_dir(dir, t->dir);
    if (st == CM_OK) st = ts_path(path, t->dir, "state.txt", "");
    if (st == CM_OK && !ckpt_has_tstate(dir))
        return cm_error(CM_EFORMAT,
                        "checkpoint %s has no resume state (no %s): it was not written by a "
                        "training run that can be resumed",
                        dir, path);
    return st ? st : hparams_read(path, &t->kv);
}

int tstate_get_long(const tstate *t, const char *key, long *v)
{
    int st = hparams_get_long(&t->kv, key, v);
    return st ? cm_error(st, "resume state %s: %s", t->dir, cm_errmsg()) : CM_OK;
}

int tstate_get_double(const tstate *t, const char *key, double *v)
{
    int st = hparams_get_double(&t->kv, key, v);
    return st ? cm_error(st, "resume state %s: %s", t->dir, cm_errmsg()) : CM_OK;
}

/* Reads DIR/resume/<name>.npy, a 1-D array of n elements of dtype. */
static int read_npy(const tstate *t, const char *name, npy_dtype dtype, size_t n, npy_array **a)
{
    char path[TS_PATH];
    int st = ts_path(path, t->dir, name, ".npy");
    if (st == CM_OK) st = npy_read(path, a);
    if (st != CM_OK) return st;
    if ((*a)->dtype != dtype || (*a)->ndim != 1 || (*a)->shape[0] != n) {
        npy_free(*a);
        *a = NULL;
        return cm_error(CM_ESHAPE, "resume state %s: %s is not a %s vector of %zu", t->dir, path,
                        dtype == NPY_F64 ? "float64" : "int64", n);
    }
    return CM_OK;
}

int tstate_get_array(const tstate *t, const char *name, double *x, size_t n)
{
    npy_array *a;
    int st = read_npy(t, name, NPY_F64, n, &a);
    if (st != CM_OK) return st;
    if (n) memcpy(x, a->data, n * sizeof *x);
    npy_free(a);
    return CM_OK;
}

int tstate_get_index(const tstate *t, const char *name, size_t *x, size_t n)
{
    npy_array *a;
    int st = read_npy(t, name, NPY_I64, n, &a);
    if (st != CM_OK) return st;
    const long long *v = a->data;
    for (size_t k = 0; k < n && st == CM_OK; k++) {
        if (v[k] < 0)
            st = cm_error(CM_EFORMAT, "resume state %s: %s[%zu] = %lld is negative", t->dir, name,
                          k, v[k]);
        else
            x[k] = (size_t)v[k];
    }
    npy_free(a);
    return st;
}

int tstate_set_batcher(tstate *t, const batcher *b)
{
    int st = tstate_set_long(t, "pos", (long)b->pos);
    return st ? st : tstate_set_index(t, "order", b->perm, b->n);
}

int tstate_get_batcher(const tstate *t, batcher *b)
{
    long pos;
    int st = tstate_get_long(t, "pos", &pos);
    if (st == CM_OK) st = tstate_get_index(t, "order", b->perm, b->n);
    if (st != CM_OK) return st;
    if (pos < 0 || (size_t)pos > b->n)
        return cm_error(CM_EFORMAT, "resume state %s: position %ld outside the epoch of %zu rows",
                        t->dir, pos, b->n);
    /* a forged order would index rows that do not exist: each of 0..n-1 exactly once */
    unsigned char *seen = cm_calloc(b->n ? b->n : 1, 1);
    if (!seen) return CM_ENOMEM;
    for (size_t k = 0; k < b->n && st == CM_OK; k++) {
        if (b->perm[k] >= b->n || seen[b->perm[k]])
            st = cm_error(CM_EFORMAT, "resume state %s: order is not a permutation of the %zu rows",
                          t->dir, b->n);
        else
            seen[b->perm[k]] = 1;
    }
    free(seen);
    if (st == CM_OK) b->pos = (size_t)pos;
    return st;
}

int tstate_get_rng(const tstate *t, const char *name, gsl_rng *r)
{
    char key[HP_KEY_LEN + 8], path[TS_PATH];
    const char *type;
    snprintf(key, sizeof key, "%s.type", name);
    int st = hparams_get_str(&t->kv, key, &type);
    if (st != CM_OK) return cm_error(st, "resume state %s: %s", t->dir, cm_errmsg());
    if (strcmp(type, gsl_rng_name(r)) != 0)
        return cm_error(CM_ESHAPE, "resume state %s: generator %s is a %s, the program uses %s",
                        t->dir, name, type, gsl_rng_name(r));
    if ((st = ts_path(path, t->dir, name, ".rng")) != CM_OK) return st;
    FILE *f = fopen(path, "rb");
    if (!f) return cm_error(CM_EIO, "cannot open %s: %s", path, strerror(errno));
    /* the file must be exactly the generator's state, no byte more or less (gsl_rng_fread
     * would call GSL's error handler on a short file) */
    size_t n = gsl_rng_size(r);
    unsigned char *buf = cm_calloc(n + 1, 1);
    if (!buf) {
        fclose(f);
        return CM_ENOMEM;
    }
    int bad = fread(buf, 1, n + 1, f) != n || ferror(f);
    fclose(f);
    if (!bad) memcpy(gsl_rng_state(r), buf, n);
    free(buf);
    return bad ? cm_error(CM_EFORMAT, "resume state %s: %s is not a %s state of %zu bytes", t->dir,
                          path, type, n)
               : CM_OK;
}

int tstate_get_adam(const tstate *t, adam *o)
{
    long steps;
    int st = tstate_get_long(t, "adam.t", &steps);
    st = st ? st : tstate_get_array(t, "adam.m", o->m, o->n);
    st = st ? st : tstate_get_array(t, "adam.v", o->v, o->n);
    if (st == CM_OK) o->t = steps;
    return st;
}

int tstate_get_sgd(const tstate *t, sgd *o)
{
    long steps;
    int st = tstate_get_long(t, "sgd.steps", &steps);
    st = st ? st : tstate_get_array(t, "sgd.buf", o->buf, o->n);
    if (st == CM_OK) o->steps = steps;
    return st;
}
