/* checkpoint.c: a directory of .npy tensors plus hparams.txt, saved so that an interrupted save
 * never destroys the last good checkpoint (see checkpoint.h for the order of the renames).
 * The Python side: {f[:-4]: np.load(f) for f in os.listdir(dir) if f.endswith(".npy")}, the
 * same dictionary as torch's model.state_dict(). */
#include "checkpoint.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "npy.h"

#define HP_FILE "hparams.txt"
#define CK_PATH 4096

/* ---- hyperparameters ----------------------------------------------------------------------- */

void hparams_init(hparams *h)
{
    memset(h, 0, sizeof *h);
}

void hparams_free(hparams *h)
{
    free(h->keys);
    free(h->vals);
    memset(h, 0, sizeof *h);
}

/* Keys are identifiers (letters, digits, '_', '.', '-') so that the file stays a plain
 * "key = value" list that Python can parse with line.split("=", 1). */
static int valid_key(const char *key)
{
    size_t n = strlen(key);
    if (n == 0 || n >= HP_KEY_LEN) return 0;
    for (const char *s = key; *s; s++) {
        char c = *s;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '.' || c == '-';
        if (!ok) return 0;
    }
    return 1;
}

static int find_key(const hparams *h, const char *key)
{
    for (size_t i = 0; i < h->n; i++)
        if (strcmp(h->keys[i], key) == 0) return (int)i;
    return -1;
}

/* Sets key (replacing its value if present, else appending). Values are one line; their
 * leading and trailing blanks do not survive a write and a read. */
int hparams_set_str(hparams *h, const char *key, const char *val)
{
    if (!valid_key(key))
        return cm_error(CM_EINVAL,
                        "hyperparameter name '%s' is not 1 to %d characters of "
                        "[A-Za-z0-9_.-]",
                        key, HP_KEY_LEN - 1);
    if (strlen(val) >= HP_VAL_LEN || strpbrk(val, "\r\n"))
        return cm_error(CM_EINVAL,
                        "hyperparameter %s: value longer than %d characters or on "
                        "several lines",
                        key, HP_VAL_LEN - 1);
    int i = find_key(h, key);
    if (i < 0) {
        if (h->n == h->cap) {
            size_t cap = h->cap ? 2 * h->cap : 16;
            char(*k)[HP_KEY_LEN] = realloc(h->keys, cap * sizeof *k);
            if (k) h->keys = k;
            char(*v)[HP_VAL_LEN] = k ? realloc(h->vals, cap * sizeof *v) : NULL;
            if (!v) return cm_error(CM_ENOMEM, "out of memory for hyperparameters");
            h->vals = v;
            h->cap = cap;
        }
        i = (int)h->n++;
        snprintf(h->keys[i], HP_KEY_LEN, "%s", key);
    }
    snprintf(h->vals[i], HP_VAL_LEN, "%s", val);
    return CM_OK;
}

int hparams_set_long(hparams *h, const char *key, long val)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%ld", val);
    return hparams_set_str(h, key, buf);
}

/* %.17g: enough digits that reading the value back gives the same double */
int hparams_set_double(hparams *h, const char *key, double val)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%.17g", val);
    return hparams_set_str(h, key, buf);
}

int hparams_get_str(const hparams *h, const char *key, const char **val)
{
    int i = find_key(h, key);
    if (i < 0) return cm_error(CM_EFORMAT, "hyperparameter '%s' is missing", key);
    *val = h->vals[i];
    return CM_OK;
}

int hparams_get_long(const hparams *h, const char *key, long *val)
{
    const char *s;
    int st = hparams_get_str(h, key, &s);
    if (st != CM_OK) return st;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE)
        return cm_error(CM_EFORMAT, "hyperparameter %s = '%s' is not an integer", key, s);
    *val = v;
    return CM_OK;
}

int hparams_get_double(const hparams *h, const char *key, double *val)
{
    const char *s;
    int st = hparams_get_str(h, key, &s);
    if (st != CM_OK) return st;
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end != '\0')
        return cm_error(CM_EFORMAT, "hyperparameter %s = '%s' is not a number", key, s);
    *val = v;
    return CM_OK;
}

/* Writes f's buffered bytes and asks the kernel to put them on disk. */
static int flush_sync_close(FILE *f)
{
    int bad = fflush(f) != 0;
    bad |= fsync(fileno(f)) != 0 && errno != EINVAL;
    bad |= fclose(f) != 0;
    return bad;
}

/* "key = value" lines, written to path.tmp and renamed. */
int hparams_write(const char *path, const hparams *h)
{
    char tmp[CK_PATH];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return cm_error(CM_EINVAL, "path too long: %s", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return cm_error(CM_EIO, "cannot write %s: %s", tmp, strerror(errno));
    int bad = 0;
    for (size_t i = 0; h && i < h->n; i++)
        bad |= fprintf(f, "%s = %s\n", h->keys[i], h->vals[i]) < 0;
    bad |= flush_sync_close(f);
    if (bad || rename(tmp, path) != 0) {
        int st = cm_error(CM_EIO, "error writing %s: %s", path, strerror(errno));
        remove(tmp);
        return st;
    }
    return CM_OK;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r')) e--;
    *e = '\0';
    return s;
}

/* Reads "key = value" lines; blank lines and lines starting with '#' are skipped. h must be
 * initialized; its content is replaced only when the whole file reads well. */
int hparams_read(const char *path, hparams *h)
{
    FILE *f = fopen(path, "r");
    if (!f) return cm_error(CM_EIO, "cannot open %s: %s", path, strerror(errno));
    hparams got;
    hparams_init(&got);
    char line[HP_KEY_LEN + HP_VAL_LEN + 16];
    long lineno = 0;
    int st = CM_OK;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t n = strlen(line);
        if (n == sizeof line - 1 && line[n - 1] != '\n') {
            st = cm_error(CM_EFORMAT, "%s:%ld: line too long", path, lineno);
            break;
        }
        char *s = trim(line);
        if (*s == '\0' || *s == '#') continue;
        char *eq = strchr(s, '=');
        if (eq) *eq = '\0';
        char *key = eq ? trim(s) : s, *val = eq ? trim(eq + 1) : NULL;
        if (!eq || !valid_key(key)) {
            st = cm_error(CM_EFORMAT, "%s:%ld: expected 'key = value', got '%s'", path, lineno, s);
            break;
        }
        if (find_key(&got, key) >= 0) {
            st = cm_error(CM_EFORMAT, "%s:%ld: '%s' is set twice", path, lineno, key);
            break;
        }
        if ((st = hparams_set_str(&got, key, val)) != CM_OK) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s", cm_errmsg());
            st = cm_error(st, "%s:%ld: %s", path, lineno, msg);
            break;
        }
    }
    if (st == CM_OK && ferror(f)) st = cm_error(CM_EIO, "error reading %s", path);
    fclose(f);
    if (st != CM_OK) {
        hparams_free(&got);
        return st;
    }
    hparams_free(h);
    *h = got;
    return CM_OK;
}

/* ---- directories --------------------------------------------------------------------------- */

/* mkdir -p path */
int ckpt_mkdirs(const char *path)
{
    char buf[CK_PATH];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) return cm_error(CM_EINVAL, "bad directory name '%s'", path);
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0') continue;
        char save = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return cm_error(CM_EIO, "cannot create directory %s: %s", buf, strerror(errno));
        buf[i] = save;
    }
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return cm_error(CM_EIO, "cannot create directory %s: a file of that name exists", path);
    return CM_OK;
}

static int is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

static int rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)type;
    (void)ftw;
    return remove(path);
}

/* rm -rf path (nothing to do if it does not exist) */
static int rm_tree(const char *path)
{
    if (!exists(path)) return CM_OK;
    if (nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        return cm_error(CM_EIO, "cannot remove %s: %s", path, strerror(errno));
    return CM_OK;
}

/* fsync of a directory makes its renames durable; failure is harmless (some file systems
 * refuse it), so it is not reported. */
static void sync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY);
    if (fd < 0) return;
    if (fsync(fd) != 0) { /* ignored, see above */
    }
    close(fd);
}

/* The directory holding dir's parent, for sync_dir after the renames. */
static void parent_of(const char *dir, char *buf, size_t len)
{
    snprintf(buf, len, "%s", dir);
    char *slash = strrchr(buf, '/');
    if (!slash)
        snprintf(buf, len, ".");
    else if (slash == buf)
        buf[1] = '\0';
    else
        *slash = '\0';
}

static int join(char *buf, const char *dir, const char *name, const char *ext)
{
    if (snprintf(buf, CK_PATH, "%s/%s%s", dir, name, ext) >= CK_PATH)
        return cm_error(CM_EINVAL, "path too long: %s/%s%s", dir, name, ext);
    return CM_OK;
}

/* ---- save and load ------------------------------------------------------------------------- */

/* torch.save(model.state_dict()), one np.save per tensor, then the swap of checkpoint.h */
int ckpt_save(const char *dir, const params *p, const hparams *h)
{
    return ckpt_save_extra(dir, p, h, NULL, NULL);
}

/* ckpt_save, with extra() adding its files to the new checkpoint before the swap */
int ckpt_save_extra(const char *dir, const params *p, const hparams *h, ckpt_extra_fn extra,
                    void *ctx)
{
    char tmp[CK_PATH], old[CK_PATH], path[CK_PATH], parent[CK_PATH], base[CK_PATH - 8];
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/') dl--; /* "ckpt/" names the same directory as "ckpt" */
    if (dl == 0 || dl >= sizeof base) return cm_error(CM_EINVAL, "bad checkpoint name '%s'", dir);
    memcpy(base, dir, dl);
    base[dl] = '\0';
    snprintf(tmp, sizeof tmp, "%s.tmp", base);
    snprintf(old, sizeof old, "%s.old", base);
    if (!p || !p->committed)
        return cm_error(CM_EINVAL, "checkpoint %s: the parameter block is not committed", base);

    /* 1. the new checkpoint, whole, under dir.tmp (a leftover of an interrupted save goes) */
    int st = rm_tree(tmp);
    if (st == CM_OK) st = ckpt_mkdirs(tmp);
    for (size_t i = 0; st == CM_OK && i < p->n_tensors; i++) {
        const param_tensor *t = &p->tensors[i];
        if (strchr(t->name, '/') || t->name[0] == '.')
            st = cm_error(CM_EINVAL, "checkpoint %s: tensor name '%s' cannot be a file name", base,
                          t->name);
        if (st == CM_OK) st = join(path, tmp, t->name, ".npy");
        if (st == CM_OK) st = npy_write_f64(path, t->ndim, t->shape, p->data + t->offset);
    }
    if (st == CM_OK) st = join(path, tmp, HP_FILE, "");
    if (st == CM_OK) st = hparams_write(path, h);
    if (st == CM_OK && extra) st = extra(tmp, ctx);
    if (st != CM_OK) {
        int keep = st;
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", cm_errmsg());
        rm_tree(tmp);
        return cm_error(keep, "%s", msg);
    }
    sync_dir(tmp);

    /* 2. the swap: at every moment either dir or dir.old is a whole checkpoint. If dir is
     * missing, a previous save was interrupted after moving it to dir.old: keep dir.old until
     * the new one is in place. */
    if (is_dir(base)) {
        if ((st = rm_tree(old)) != CM_OK) return st;
        if (rename(base, old) != 0)
            return cm_error(CM_EIO, "cannot rename %s to %s: %s", base, old, strerror(errno));
    }
    if (rename(tmp, base) != 0)
        return cm_error(CM_EIO, "cannot rename %s to %s: %s", tmp, base, strerror(errno));
    parent_of(base, parent, sizeof parent);
    sync_dir(parent);
    return rm_tree(old);
}

/* The directory to read: dir itself, or dir.old when an interrupted save left only that. */
static int resolve(const char *dir, char *buf)
{
    if (is_dir(dir)) {
        if (snprintf(buf, CK_PATH, "%s", dir) >= CK_PATH)
            return cm_error(CM_EINVAL, "checkpoint path too long: %s", dir);
        return CM_OK;
    }
    /* "ckpt/" names the same checkpoint as "ckpt", whose fallback is "ckpt.old" (ckpt_save) */
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/') dl--;
    if (dl < CK_PATH - 8 && snprintf(buf, CK_PATH, "%.*s.old", (int)dl, dir) < CK_PATH &&
        is_dir(buf))
        return CM_OK;
    return cm_error(CM_EIO, "checkpoint %s: no such directory", dir);
}

int ckpt_load_hparams(const char *dir, hparams *h)
{
    char d[CK_PATH], path[CK_PATH];
    int st = resolve(dir, d);
    if (st == CM_OK) st = join(path, d, HP_FILE, "");
    if (st == CM_OK) st = hparams_read(path, h);
    return st;
}

/* "(3, 4)", "(5,)", "()" as Python prints a shape */
static void shape_str(int ndim, const size_t *shape, char *buf, size_t len)
{
    size_t n = (size_t)snprintf(buf, len, "(");
    for (int k = 0; k < ndim && n < len; k++)
        n += (size_t)snprintf(buf + n, len - n, k ? ", %zu" : "%zu", shape[k]);
    if (n < len) snprintf(buf + n, len - n, ndim == 1 ? ",)" : ")");
}

/* Every *.npy file of d must be a tensor of p: a checkpoint of a bigger model is the wrong
 * checkpoint, even when the tensors the two share agree. */
static int check_no_extra(const char *dir, const char *d, const params *p)
{
    DIR *dp = opendir(d);
    if (!dp) return cm_error(CM_EIO, "cannot list %s: %s", d, strerror(errno));
    struct dirent *e;
    int st = CM_OK;
    while (st == CM_OK && (e = readdir(dp))) {
        size_t n = strlen(e->d_name);
        if (n <= 4 || strcmp(e->d_name + n - 4, ".npy") != 0) continue;
        /* a name too long for a tensor of p is no tensor of p: extra, not skipped */
        char name[PARAMS_NAME_LEN];
        int fits = n - 4 < sizeof name;
        if (fits) {
            memcpy(name, e->d_name, n - 4);
            name[n - 4] = '\0';
        }
        if (!fits || params_find(p, name) < 0)
            st = cm_error(CM_ESHAPE, "checkpoint %s: tensor %.*s is not in the model", dir,
                          (int)(n - 4), e->d_name);
    }
    closedir(dp);
    return st;
}

/* model.load_state_dict(state, strict=True): every tensor present with the model's shape.
 * The values are copied into p only when all of them have been read. */
int ckpt_load_params(const char *dir, params *p)
{
    char d[CK_PATH], path[CK_PATH];
    if (!p || !p->committed)
        return cm_error(CM_EINVAL, "checkpoint %s: the parameter block is not committed", dir);
    int st = resolve(dir, d);
    if (st != CM_OK) return st;
    double *vals = cm_calloc(p->size, sizeof *vals);
    if (!vals) return CM_ENOMEM;
    for (size_t i = 0; st == CM_OK && i < p->n_tensors; i++) {
        const param_tensor *t = &p->tensors[i];
        if ((st = join(path, d, t->name, ".npy")) != CM_OK) break;
        if (!exists(path)) {
            st = cm_error(CM_ESHAPE, "checkpoint %s: tensor %s is missing (no %s)", dir, t->name,
                          path);
            break;
        }
        npy_array *a;
        if ((st = npy_read(path, &a)) != CM_OK) break;
        int same = a->dtype == NPY_F64 && a->ndim == t->ndim;
        for (int k = 0; same && k < t->ndim; k++) same = a->shape[k] == t->shape[k];
        if (!same) {
            char got[128], want[128];
            shape_str(a->ndim, a->shape, got, sizeof got);
            params_shape_str(t, want, sizeof want);
            if (a->dtype != NPY_F64)
                st = cm_error(CM_ESHAPE, "checkpoint %s: %s is not float64", dir, t->name);
            else
                st = cm_error(CM_ESHAPE, "checkpoint %s: %s has shape %s, the model expects %s",
                              dir, t->name, got, want);
        } else {
            memcpy(vals + t->offset, a->data, t->size * sizeof *vals);
        }
        npy_free(a);
    }
    if (st == CM_OK) st = check_no_extra(dir, d, p);
    if (st == CM_OK) memcpy(p->data, vals, p->size * sizeof *vals);
    free(vals);
    return st;
}
