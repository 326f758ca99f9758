#include "testutil.h"

#include <check.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void tu_fill(double *x, size_t n, double scale, double phase)
{
    for (size_t i = 0; i < n; i++) x[i] = scale * sin((double)i * 1.7 + phase);
}

const char *tu_tmpdir(const char *tag)
{
    static char bufs[8][512];
    static int slot;
    char *b = bufs[slot++ % 8];
    const char *base = getenv("TMPDIR");
    snprintf(b, 512, "%s/cm-test-%s-XXXXXX", base && *base ? base : "/tmp", tag);
    if (!mkdtemp(b)) {
        perror("mkdtemp");
        exit(1);
    }
    return b;
}

void tu_rmtree(const char *path)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0) fprintf(stderr, "warning: could not remove %s\n", path);
}

const char *tu_bin_dir(void)
{
    const char *d = getenv("CM_BIN_DIR");
    return d && *d ? d : "bin";
}

static char *slurp(FILE *f)
{
    size_t cap = 4096, len = 0;
    char *s = malloc(cap);
    if (!s) return NULL;
    size_t k;
    while ((k = fread(s + len, 1, cap - len - 1, f)) > 0) {
        len += k;
        if (cap - len - 1 == 0) {
            char *t = realloc(s, cap *= 2);
            if (!t) break;
            s = t;
        }
    }
    s[len] = '\0';
    return s;
}

int tu_run(const char *cmd, char **out, char **err)
{
    char errpath[] = "/tmp/cm-test-stderr-XXXXXX";
    int fd = mkstemp(errpath);
    if (fd < 0) return -1;
    close(fd);
    size_t len = strlen(cmd) + strlen(errpath) + 16;
    char *full = malloc(len);
    snprintf(full, len, "%s 2>%s", cmd, errpath);
    FILE *p = popen(full, "r");
    free(full);
    if (!p) return -1;
    char *o = slurp(p);
    int st = pclose(p);
    if (out)
        *out = o;
    else
        free(o);
    if (err) {
        FILE *e = fopen(errpath, "r");
        *err = e ? slurp(e) : NULL;
        if (e) fclose(e);
    }
    unlink(errpath);
    if (WIFEXITED(st)) return WEXITSTATUS(st);
    if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
    return -1;
}

void tu_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

static int saved_stderr = -1;
static char stderr_path[64];

void tu_stderr_begin(void)
{
    snprintf(stderr_path, sizeof stderr_path, "/tmp/cm-test-stderr-XXXXXX");
    int fd = mkstemp(stderr_path);
    if (fd < 0) {
        perror("mkstemp");
        exit(1);
    }
    fflush(stderr);
    saved_stderr = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
}

char *tu_stderr_end(void)
{
    fflush(stderr);
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    saved_stderr = -1;
    FILE *f = fopen(stderr_path, "r");
    char *s = f ? slurp(f) : calloc(1, 1);
    if (f) fclose(f);
    unlink(stderr_path);
    return s;
}

int tu_find_values(const char *out, const char *key, double *v, int max)
{
    size_t kl = strlen(key);
    for (const char *line = out; line && *line;
         line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        const char *p = line;
        while (*p == ' ') p++;
        if (strncmp(p, key, kl) != 0 || (p[kl] != ' ' && p[kl] != '\t')) continue;
        p += kl;
        int n = 0;
        char *end;
        while (n < max) {
            double x = strtod(p, &end);
            if (end == p) break;
            v[n++] = x;
            p = end;
        }
        return n;
    }
    return 0;
}

void tu_check_golden(const char *out, const char *path, double tol, int scaled, int min_keys)
{
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s (run from the project root)", path);
    char line[1024];
    int checked = 0;
    while (fgets(line, sizeof line, f)) {
        char key[128];
        if (line[0] == '#' || sscanf(line, "%127s", key) != 1) continue;
        double want[16], got[16];
        int nw = tu_find_values(line, key, want, 16), ng = tu_find_values(out, key, got, 16);
        ck_assert_msg(ng == nw, "golden %s: %s: expected %d numbers, the program printed %d", path,
                      key, nw, ng);
        for (int i = 0; i < nw; i++) {
            double t = scaled ? tol * fmax(1.0, fabs(want[i])) : tol;
            ck_assert_msg(fabs(got[i] - want[i]) <= t,
                          "golden %s: %s value %d: got %.6f, expected %.6f (tolerance %g)", path,
                          key, i + 1, got[i], want[i], t);
        }
        checked++;
    }
    fclose(f);
    ck_assert_msg(checked >= min_keys, "golden %s: only %d keys", path, checked);
}
