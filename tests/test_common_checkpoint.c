/* Tests of common/checkpoint.c: hyperparameter files, save/load round trips, shape checks,
 * and the promise of checkpoint.h that an interrupted or failed save leaves the old checkpoint
 * readable, value for value. The interruptions are real: a child process saving a large block
 * is killed with SIGKILL at several moments, or hits a file-size limit half-way. */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "checkpoint.h"
#include "error.h"
#include "npy.h"
#include "testutil.h"

static char dir[512];

static void setup(void)
{
    snprintf(dir, sizeof dir, "%s", tu_tmpdir("ckpt"));
}

static void teardown(void)
{
    tu_rmtree(dir);
}

static const char *in_dir(const char *name)
{
    static char path[8][700];
    static int slot;
    char *p = path[slot++ % 8];
    snprintf(p, 700, "%s/%s", dir, name);
    return p;
}

static int path_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* fc1.weight (rows, 4), fc1.bias (rows), emb (2, 3, 5), values filled with phase. */
static params *small_model(size_t rows, double phase)
{
    params *p = params_alloc();
    ck_assert_ptr_nonnull(p);
    ck_assert_int_ge(params_declare2(p, "fc1.weight", rows, 4), 0);
    ck_assert_int_ge(params_declare1(p, "fc1.bias", rows), 0);
    size_t shape[3] = {2, 3, 5};
    ck_assert_int_ge(params_declare(p, "emb", 3, shape), 0);
    ck_assert_int_eq(params_commit(p), CM_OK);
    tu_fill(p->data, p->size, 2.385, phase);
    return p;
}

static void assert_same_values(const params *a, const params *b, const char *what)
{
    ck_assert_msg(a->size == b->size, "%s: sizes %zu, %zu", what, a->size, b->size);
    for (size_t i = 0; i < a->size; i++)
        ck_assert_msg(memcmp(&a->data[i], &b->data[i], sizeof(double)) == 0,
                      "%s: value %zu is %.17g, want %.17g", what, i, a->data[i], b->data[i]);
}

START_TEST(test_hparams_roundtrip)
{
    hparams h, g;
    hparams_init(&h);
    hparams_init(&g);
    ck_assert_int_eq(hparams_set_str(&h, "model", "lstm"), CM_OK);
    ck_assert_int_eq(hparams_set_long(&h, "hidden", 128), CM_OK);
    ck_assert_int_eq(hparams_set_double(&h, "lr", 0.1), CM_OK);
    ck_assert_int_eq(hparams_set_double(&h, "eps", -2.385e-300), CM_OK);
    ck_assert_int_eq(hparams_set_long(&h, "seed", -9007199254740993L), CM_OK);
    ck_assert_int_eq(hparams_set_long(&h, "hidden", 256), CM_OK); /* replaces, keeps order */
    ck_assert_int_eq(hparams_set_str(&h, "two words", "x"), CM_EINVAL);
    ck_assert_int_eq(hparams_set_str(&h, "k", "line\nbreak"), CM_EINVAL);
    ck_assert_msg(h.n == 5, "5 keys, got %zu", h.n);
    ck_assert_int_eq(hparams_write(in_dir("h.txt"), &h), CM_OK);
    ck_assert_int_eq(hparams_read(in_dir("h.txt"), &g), CM_OK);
    ck_assert_msg(g.n == 5, "5 keys read back, got %zu", g.n);
    const char *order[5] = {"model", "hidden", "lr", "eps", "seed"};
    for (int i = 0; i < 5; i++) ck_assert_str_eq(g.keys[i], order[i]);
    const char *s;
    long l;
    double d;
    ck_assert_int_eq(hparams_get_str(&g, "model", &s), CM_OK);
    ck_assert_str_eq(s, "lstm");
    ck_assert_int_eq(hparams_get_long(&g, "hidden", &l), CM_OK);
    ck_assert_int_eq(l, 256);
    ck_assert_int_eq(hparams_get_long(&g, "seed", &l), CM_OK);
    ck_assert_msg(l == -9007199254740993L, "seed read back exactly: %ld", l);
    ck_assert_int_eq(hparams_get_double(&g, "lr", &d), CM_OK);
    ck_assert_msg(d == 0.1, "lr bit-exact: %.17g", d);
    ck_assert_int_eq(hparams_get_double(&g, "eps", &d), CM_OK);
    ck_assert_msg(d == -2.385e-300, "eps bit-exact: %.17g", d);

    ck_assert_int_eq(hparams_get_long(&g, "model", &l), CM_EFORMAT);
    ck_assert_msg(strstr(cm_errmsg(), "model") != NULL, "names the key: %s", cm_errmsg());
    ck_assert_int_eq(hparams_get_double(&g, "lr_decay", &d), CM_EFORMAT);
    ck_assert_msg(strstr(cm_errmsg(), "lr_decay") != NULL, "names the key: %s", cm_errmsg());
    hparams_free(&h);
    hparams_free(&g);
}
END_TEST

START_TEST(test_hparams_malformed_line)
{
    hparams h;
    hparams_init(&h);
    ck_assert_int_eq(hparams_set_long(&h, "keep", 7), CM_OK);
    const char *path = in_dir("bad.txt");
    tu_write_file(path, "# a comment\nlr = 0.1\n\nhidden 64\nlayers = 2\n");
    ck_assert_int_eq(hparams_read(path, &h), CM_EFORMAT);
    char want[800];
    snprintf(want, sizeof want, "%s:4:", path);
    ck_assert_msg(strstr(cm_errmsg(), want) && strstr(cm_errmsg(), "hidden 64"),
                  "message names file, line 4 and its text: %s", cm_errmsg());
    ck_assert_msg(h.n == 1 && strcmp(h.keys[0], "keep") == 0, "h untouched by a failed read");

    tu_write_file(path, "lr = 0.1\n = 3\n");
    ck_assert_int_eq(hparams_read(path, &h), CM_EFORMAT);
    ck_assert_msg(strstr(cm_errmsg(), ":2:") != NULL, "empty key on line 2: %s", cm_errmsg());
    tu_write_file(path, "lr = 0.1\nlr = 0.2\n");
    ck_assert_int_eq(hparams_read(path, &h), CM_EFORMAT);
    ck_assert_msg(strstr(cm_errmsg(), ":2:") && strstr(cm_errmsg(), "twice"), "%s", cm_errmsg());
    /* spaces around '=' and CRLF are fine */
    tu_write_file(path, "lr=0.5\r\n  hidden   =  64  \r\n");
    ck_assert_int_eq(hparams_read(path, &h), CM_OK);
    long l;
    ck_assert_int_eq(hparams_get_long(&h, "hidden", &l), CM_OK);
    ck_assert_msg(l == 64 && h.n == 2, "hidden = 64 of 2 keys");
    ck_assert_int_eq(hparams_read(in_dir("missing.txt"), &h), CM_EIO);
    hparams_free(&h);
}
END_TEST

START_TEST(test_save_load_roundtrip)
{
    params *p = small_model(3, 0.4), *q = small_model(3, 9.9);
    hparams h, g;
    hparams_init(&h);
    hparams_init(&g);
    hparams_set_long(&h, "rows", 3);
    const char *ck = in_dir("out/neuron/ckpt");
    ck_assert_msg(ckpt_save(ck, p, &h) == CM_OK, "save: %s", cm_errmsg());
    ck_assert_msg(path_exists(in_dir("out/neuron/ckpt/fc1.weight.npy")) &&
                      path_exists(in_dir("out/neuron/ckpt/emb.npy")) &&
                      path_exists(in_dir("out/neuron/ckpt/hparams.txt")),
                  "one .npy per tensor and hparams.txt");
    ck_assert_int_eq(ckpt_load_hparams(ck, &g), CM_OK);
    long rows;
    ck_assert_int_eq(hparams_get_long(&g, "rows", &rows), CM_OK);
    ck_assert_int_eq(rows, 3);
    ck_assert_msg(ckpt_load_params(ck, q) == CM_OK, "load: %s", cm_errmsg());
    assert_same_values(q, p, "loaded");

    /* a second save replaces the first and leaves no .tmp or .old behind */
    tu_fill(p->data, p->size, -1.7, 2.0);
    ck_assert_int_eq(ckpt_save(ck, p, NULL), CM_OK);
    ck_assert_int_eq(ckpt_load_params(ck, q), CM_OK);
    assert_same_values(q, p, "second save");
    ck_assert_msg(!path_exists(in_dir("out/neuron/ckpt.tmp")) &&
                      !path_exists(in_dir("out/neuron/ckpt.old")),
                  "no ckpt.tmp or ckpt.old left");
    ck_assert_int_eq(ckpt_load_hparams(ck, &g), CM_OK);
    ck_assert_msg(g.n == 0, "NULL hparams saves an empty file");
    hparams_free(&h);
    hparams_free(&g);
    params_free(p);
    params_free(q);
}
END_TEST

/* The required case: the wrong shape fails with CM_ESHAPE naming the tensor and both
 * shapes, and the model keeps its values. */
START_TEST(test_load_wrong_shape)
{
    params *p = small_model(3, 0.4), *q = small_model(5, 9.9), *q0 = small_model(5, 9.9);
    const char *ck = in_dir("ckpt");
    ck_assert_int_eq(ckpt_save(ck, p, NULL), CM_OK);
    ck_assert_int_eq(ckpt_load_params(ck, q), CM_ESHAPE);
    char want[800];
    snprintf(want, sizeof want,
             "checkpoint %s: fc1.weight has shape (3, 4), the model expects (5, 4)", ck);
    ck_assert_str_eq(cm_errmsg(), want);
    assert_same_values(q, q0, "a failed load changes nothing");

    /* a missing tensor, and a tensor the model does not have */
    params *r = params_alloc();
    ck_assert_int_ge(params_declare2(r, "fc1.weight", 3, 4), 0);
    ck_assert_int_ge(params_declare1(r, "fc2.bias", 3), 0);
    ck_assert_int_eq(params_commit(r), CM_OK);
    ck_assert_int_eq(ckpt_load_params(ck, r), CM_ESHAPE);
    ck_assert_msg(strstr(cm_errmsg(), "fc2.bias") && strstr(cm_errmsg(), "missing"), "%s",
                  cm_errmsg());
    params *s = params_alloc();
    ck_assert_int_ge(params_declare2(s, "fc1.weight", 3, 4), 0);
    ck_assert_int_ge(params_declare1(s, "fc1.bias", 3), 0);
    ck_assert_int_eq(params_commit(s), CM_OK);
    ck_assert_int_eq(ckpt_load_params(ck, s), CM_ESHAPE);
    ck_assert_msg(strstr(cm_errmsg(), "emb") && strstr(cm_errmsg(), "not in the model"), "%s",
                  cm_errmsg());
    /* a 1-D tensor saved where the model has 2-D */
    params *t = params_alloc();
    ck_assert_int_ge(params_declare2(t, "fc1.weight", 3, 4), 0);
    ck_assert_int_ge(params_declare2(t, "fc1.bias", 3, 1), 0);
    size_t shape[3] = {2, 3, 5};
    ck_assert_int_ge(params_declare(t, "emb", 3, shape), 0);
    ck_assert_int_eq(params_commit(t), CM_OK);
    ck_assert_int_eq(ckpt_load_params(ck, t), CM_ESHAPE);
    ck_assert_msg(strstr(cm_errmsg(), "fc1.bias has shape (3,), the model expects (3, 1)"), "%s",
                  cm_errmsg());

    ck_assert_int_eq(ckpt_load_params(in_dir("nothing"), q), CM_EIO);
    ck_assert_msg(strstr(cm_errmsg(), "nothing") != NULL, "names the directory: %s", cm_errmsg());
    params_free(p);
    params_free(q);
    params_free(q0);
    params_free(r);
    params_free(s);
    params_free(t);
}
END_TEST

/* A tensor file whose name is longer than any tensor name (PARAMS_NAME_LEN) is still a tensor
 * the model does not have; and "ckpt/" falls back to "ckpt.old" as "ckpt" does. */
START_TEST(test_load_long_extra_name_and_trailing_slash)
{
    params *p = small_model(3, 0.4), *q = small_model(3, 9.9), *q0 = small_model(3, 9.9);
    const char *ck = in_dir("ckpt");
    ck_assert_int_eq(ckpt_save(ck, p, NULL), CM_OK);
    char longname[PARAMS_NAME_LEN + 16];
    memset(longname, 'w', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    char extra[1000];
    snprintf(extra, sizeof extra, "%s/%s.npy", ck, longname);
    size_t shape[1] = {2};
    const double v[2] = {2.385, -0.731};
    ck_assert_int_eq(npy_write_f64(extra, 1, shape, v), CM_OK);
    ck_assert_int_eq(ckpt_load_params(ck, q), CM_ESHAPE);
    ck_assert_msg(strstr(cm_errmsg(), longname) && strstr(cm_errmsg(), "not in the model"), "%s",
                  cm_errmsg());
    assert_same_values(q, q0, "a failed load changes nothing");
    ck_assert_int_eq(remove(extra), 0);

    ck_assert_int_eq(rename(ck, in_dir("ckpt.old")), 0);
    char slash[800];
    snprintf(slash, sizeof slash, "%s/", ck);
    ck_assert_msg(ckpt_load_params(slash, q) == CM_OK, "load %s from ckpt.old: %s", slash,
                  cm_errmsg());
    assert_same_values(q, p, "ckpt/ from ckpt.old");
    params_free(p);
    params_free(q);
    params_free(q0);
}
END_TEST

/* The moment between "ckpt -> ckpt.old" and "ckpt.tmp -> ckpt": only ckpt.old exists. */
START_TEST(test_load_falls_back_to_old)
{
    params *p = small_model(3, 0.4), *q = small_model(3, 9.9);
    const char *ck = in_dir("ckpt");
    hparams h;
    hparams_init(&h);
    hparams_set_str(&h, "model", "mlp");
    ck_assert_int_eq(ckpt_save(ck, p, &h), CM_OK);
    ck_assert_int_eq(rename(ck, in_dir("ckpt.old")), 0);
    ck_assert_msg(ckpt_load_params(ck, q) == CM_OK, "load from ckpt.old: %s", cm_errmsg());
    assert_same_values(q, p, "from ckpt.old");
    hparams_free(&h);
    ck_assert_int_eq(ckpt_load_hparams(ck, &h), CM_OK);
    ck_assert_msg(h.n == 1, "hparams from ckpt.old");
    /* the next save completes the swap */
    tu_fill(p->data, p->size, 1.3, 0.9);
    ck_assert_int_eq(ckpt_save(ck, p, &h), CM_OK);
    ck_assert_int_eq(ckpt_load_params(ck, q), CM_OK);
    assert_same_values(q, p, "after the next save");
    ck_assert_msg(!path_exists(in_dir("ckpt.old")), "ckpt.old removed");
    hparams_free(&h);
    params_free(p);
    params_free(q);
}
END_TEST

/* 24 tensors of 64 x 1024 doubles: 12.6 MB, long enough to be caught half-way. */
#define BIG_TENSORS 24
static params *big_model(double phase)
{
    params *p = params_alloc();
    ck_assert_ptr_nonnull(p);
    for (int i = 0; i < BIG_TENSORS; i++) {
        char name[32];
        snprintf(name, sizeof name, "layer%02d.weight", i);
        ck_assert_int_ge(params_declare2(p, name, 64, 1024), 0);
    }
    ck_assert_int_eq(params_commit(p), CM_OK);
    tu_fill(p->data, p->size, 2.385, phase);
    return p;
}

static void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

/* Starts a child that saves p to ck and returns its pid once it is about to call ckpt_save. */
static pid_t start_save(const char *ck, const params *p)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        char c = 's';
        if (write(fds[1], &c, 1) != 1) _exit(100);
        _exit(ckpt_save(ck, p, NULL));
    }
    close(fds[1]);
    char c;
    ck_assert_int_eq(read(fds[0], &c, 1), 1);
    close(fds[0]);
    return pid;
}

/* The required case: SIGKILL in the middle of a save, at several moments (at once,
 * after the k-th tensor file appears in ckpt.tmp, after fixed delays). After each, the
 * checkpoint loads and holds either the old values or the new ones, whole; whenever ckpt.tmp
 * was left behind (the save was cut before the swap), it holds exactly the old ones. */
START_TEST(test_killed_save_keeps_old_checkpoint)
{
    params *old = big_model(0.4), *next = big_model(3.3), *q = big_model(9.9);
    const char *ck = in_dir("ckpt"), *tmp = in_dir("ckpt.tmp");
    /* moments: < 0 waits for tensor file -m-1 to appear; >= 0 sleeps that many microseconds */
    const long moments[] = {0, -1, -4, -12, -24, 300, 3000, 15000, 60000};
    int n_moments = (int)(sizeof moments / sizeof moments[0]), cut_mid_write = 0;
    for (int m = 0; m < n_moments; m++) {
        ck_assert_msg(ckpt_save(ck, old, NULL) == CM_OK, "save the old one: %s", cm_errmsg());
        pid_t pid = start_save(ck, next);
        if (moments[m] < 0) {
            char file[800];
            snprintf(file, sizeof file, "%s/layer%02ld.weight.npy", tmp, -moments[m] - 1);
            /* poll for the file (at most 20 s), then kill at once */
            for (int i = 0; i < 200000 && !path_exists(file); i++) sleep_us(100);
        } else {
            sleep_us(moments[m]);
        }
        kill(pid, SIGKILL);
        int status;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        int left_tmp = path_exists(tmp);
        ck_assert_msg(ckpt_load_params(ck, q) == CM_OK, "moment %d: load after the kill: %s", m,
                      cm_errmsg());
        int is_old = memcmp(q->data, old->data, old->size * sizeof(double)) == 0;
        int is_new = memcmp(q->data, next->data, next->size * sizeof(double)) == 0;
        ck_assert_msg(is_old || is_new, "moment %d: the checkpoint is neither old nor new", m);
        if (left_tmp) {
            ck_assert_msg(is_old, "moment %d: cut before the swap, yet not the old values", m);
            cut_mid_write++;
        }
        if (WIFEXITED(status))
            ck_assert_msg(WEXITSTATUS(status) == CM_OK && is_new,
                          "moment %d: a save that finished gives the new values", m);
    }
    ck_assert_msg(cut_mid_write >= 3, "at least 3 of the kills cut a save half-way (%d did)",
                  cut_mid_write);
    /* after all that, a save still works and cleans up */
    ck_assert_int_eq(ckpt_save(ck, next, NULL), CM_OK);
    ck_assert_int_eq(ckpt_load_params(ck, q), CM_OK);
    assert_same_values(q, next, "a save after the interruptions");
    ck_assert_msg(!path_exists(tmp) && !path_exists(in_dir("ckpt.old")), "no leftovers");
    params_free(old);
    params_free(next);
    params_free(q);
}
END_TEST

/* A write that fails half-way (the file-size limit of setrlimit: write() returns EFBIG, as on
 * a full disk) makes ckpt_save return CM_EIO, and the old checkpoint stays whole. */
START_TEST(test_failed_save_keeps_old_checkpoint)
{
    params *old = big_model(0.4), *next = big_model(3.3), *q = big_model(9.9);
    const char *ck = in_dir("ckpt");
    ck_assert_int_eq(ckpt_save(ck, old, NULL), CM_OK);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        /* one tensor file is 512 KiB + 128 bytes: the limit falls inside the first one */
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {200000, 200000};
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0) _exit(101);
        int st = ckpt_save(ck, next, NULL);
        /* report the message's key part through the exit status */
        int ok = st == CM_EIO && strstr(cm_errmsg(), "layer00.weight.npy");
        /* the child's copies freed, so that valgrind's leak check of the child is clean */
        params_free(old);
        params_free(next);
        params_free(q);
        _exit(ok ? 0 : 102);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the child's save failed with CM_EIO naming the file (status %d)", status);
    ck_assert_msg(!path_exists(in_dir("ckpt.tmp")), "the failed save removed ckpt.tmp");
    ck_assert_int_eq(ckpt_load_params(ck, q), CM_OK);
    assert_same_values(q, old, "after a failed save");

    /* a limit that lets a few tensors through fails later in the save: same outcome */
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {600000, 600000};
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0) _exit(101);
        /* one more tensor than fits: layer00..layer23 are each within the limit, so use a
         * block with a larger last tensor */
        params *p = params_alloc();
        for (int i = 0; i < 5; i++) {
            char name[32];
            snprintf(name, sizeof name, "layer%02d.weight", i);
            params_declare2(p, name, 64, i < 4 ? 1024 : 2048);
        }
        params_commit(p);
        int st = ckpt_save(ck, p, NULL);
        int ok = st == CM_EIO && strstr(cm_errmsg(), "layer04.weight.npy");
        params_free(p);
        params_free(old);
        params_free(next);
        params_free(q);
        _exit(ok ? 0 : 102);
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the save failed at the fifth tensor (status %d)", status);
    ck_assert_int_eq(ckpt_load_params(ck, q), CM_OK);
    assert_same_values(q, old, "after a save that failed at the fifth tensor");
    params_free(old);
    params_free(next);
    params_free(q);
}
END_TEST

START_TEST(test_mkdirs)
{
    ck_assert_int_eq(ckpt_mkdirs(in_dir("a/b/c/")), CM_OK);
    ck_assert_msg(path_exists(in_dir("a/b/c")), "a/b/c created");
    ck_assert_int_eq(ckpt_mkdirs(in_dir("a/b/c")), CM_OK); /* exists already: fine */
    tu_write_file(in_dir("file"), "x");
    ck_assert_int_eq(ckpt_mkdirs(in_dir("file/sub")), CM_EIO);
    ck_assert_msg(strstr(cm_errmsg(), "file") != NULL, "names the path: %s", cm_errmsg());
    ck_assert_int_eq(ckpt_mkdirs(in_dir("file")), CM_EIO);
}
END_TEST

Suite *suite_common_checkpoint(void)
{
    Suite *s = suite_create("common_checkpoint");
    TCase *tc = tcase_create("checkpoint");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_hparams_roundtrip);
    tcase_add_test(tc, test_hparams_malformed_line);
    tcase_add_test(tc, test_save_load_roundtrip);
    tcase_add_test(tc, test_load_wrong_shape);
    tcase_add_test(tc, test_load_falls_back_to_old);
    tcase_add_test(tc, test_load_long_extra_name_and_trailing_slash);
    tcase_add_test(tc, test_killed_save_keeps_old_checkpoint);
    tcase_add_test(tc, test_failed_save_keeps_old_checkpoint);
    tcase_add_test(tc, test_mkdirs);
    suite_add_tcase(s, tc);
    return s;
}
