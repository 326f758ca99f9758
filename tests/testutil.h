/* testutil.h: what several test suites need: high-entropy values, temporary directories,
 * running a program and capturing its output. */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <stddef.h>

/* x[i] = scale * sin(i * 1.7 + phase): varied, deterministic values (genann's test.c). */
void tu_fill(double *x, size_t n, double scale, double phase);

/* Creates a fresh directory under $TMPDIR (or /tmp) and returns its path (static storage per
 * call slot: copy it if you need two). */
const char *tu_tmpdir(const char *tag);
/* rm -rf path. */
void tu_rmtree(const char *path);

/* The directory of the built programs: $CM_BIN_DIR or "bin". */
const char *tu_bin_dir(void);

/* Runs a shell command; stdout (and stderr, if err != NULL) into malloc'd strings.
 * Returns the exit status (0..255), or 128+signal if it was killed. */
int tu_run(const char *cmd, char **out, char **err);

/* Sends this process's stderr into a temporary file until tu_stderr_end(), which restores it
 * and returns what was written (malloc'd). Not nested. */
void tu_stderr_begin(void);
char *tu_stderr_end(void);

/* Writes text to path (for malformed-input tests). */
void tu_write_file(const char *path, const char *text);

/* The numbers printed after `key` at the start of a line (after spaces) of out: up to max of
 * them into v; returns how many (0: no such line). For golden-output tests. */
int tu_find_values(const char *out, const char *key, double *v, int max);

/* The golden-output check (CONVENTIONS.md, Tests): every "key n1 n2 ..." line of the file at
 * path (lines starting with '#' are comments) must appear in out with as many numbers, each
 * within tol of the expected one (scaled: within tol * max(1, |expected|)); fails the running
 * Check test otherwise, and when the file has fewer than min_keys keys. Run from the project
 * root. */
void tu_check_golden(const char *out, const char *path, double tol, int scaled, int min_keys);

#endif
