/* fuzz_util.h: what the libFuzzer targets share. The parsers under test read files by path, so
 * a target writes libFuzzer's bytes to a file in a private temporary directory (made once per
 * process, removed at exit) and hands the parser that path. */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* The process's private directory ("/tmp/cm-fuzz-XXXXXX"); aborts if it cannot be made. */
const char *fuzz_dir(void);
/* Writes data to fuzz_dir()/name and returns the full path (a static buffer). */
const char *fuzz_write(const char *name, const uint8_t *data, size_t size);
/* Removes every file in fuzz_dir()/sub (or fuzz_dir() itself when sub is NULL), not the
 * directory. */
void fuzz_clear(const char *sub);
/* A NUL-terminated copy of data (caller frees). */
char *fuzz_strndup(const uint8_t *data, size_t size);

#endif
