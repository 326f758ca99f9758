/* cli.h: the common command line of every chapter (CONVENTIONS.md, "The command line") and
 * strict parsing of numbers. A chapter's main.c adds CLI_COMMON_LONGOPTS to its own
 * getopt_long table and passes every option to cli_common_handle() first:
 *
 *     static const struct option opts[] = { {"hidden", required_argument, 0, 'H'},
 *                                           CLI_COMMON_LONGOPTS, {0, 0, 0, 0} };
 *     cli_common c; cli_common_defaults(&c, "neuron");
 *     opterr = 0;
 *     while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
 *         if (cli_common_handle(&c, o, optarg, argc, argv)) continue;
 *         switch (o) { case 'H': hidden = cli_long("--hidden", optarg, 1, 100000); break; ... }
 *     }
 *
 * Bad values never crash: cli_long("--hidden", "-3", 1, 100000) prints
 *     neuron: --hidden: expected an integer from 1 to 100000, got '-3'
 * and exits with status 2. */
#ifndef CM_CLI_H
#define CM_CLI_H

#include <getopt.h>
#include <stdio.h>
#include "plot.h"

#define CLI_SEED_DIGITS  20240601 /* the default seed, also spelled out in CLI_COMMON_HELP */
#define CLI_DEFAULT_SEED ((unsigned long)CLI_SEED_DIGITS)

enum {
    CLI_OPT_SEED = 1000,
    CLI_OPT_DATA,
    CLI_OPT_OUT,
    CLI_OPT_PLOT,
    CLI_OPT_QUICK,
    CLI_OPT_QUIET,
    CLI_OPT_HELP,
    CLI_OPT_VERSION
};

#define CLI_COMMON_LONGOPTS                                                                        \
    {"seed", required_argument, 0, CLI_OPT_SEED}, {"data", required_argument, 0, CLI_OPT_DATA},    \
        {"out", required_argument, 0, CLI_OPT_OUT}, {"plot", required_argument, 0, CLI_OPT_PLOT},  \
        {"quick", no_argument, 0, CLI_OPT_QUICK}, {"quiet", no_argument, 0, CLI_OPT_QUIET},        \
        {"help", no_argument, 0, CLI_OPT_HELP},                                                    \
    {                                                                                              \
        "version", no_argument, 0, CLI_OPT_VERSION                                                 \
    }

/* The help text of the common options, for a chapter's usage(). */
extern const char *const CLI_COMMON_HELP;

typedef struct {
    const char *slug;   /* the program's name */
    unsigned long seed; /* --seed, default CLI_DEFAULT_SEED */
    const char *data;   /* --data, NULL: the chapter's shipped data */
    char out[4096];     /* --out, default "out/<slug>" */
    plot_mode plot;     /* --plot, default PLOT_PNG */
    int quick, quiet;   /* --quick, --quiet */
    int help, version;  /* set by --help / --version: the chapter prints and exits 0 */
} cli_common;

/* Sets the defaults, cm_set_progname(slug), and a GSL error handler that turns running out
 * of memory into one line and exit 2 (and any other GSL error, a bug, into an abort). */
void cli_common_defaults(cli_common *c, const char *slug);

/* Handles one getopt_long result: a common option (returns 1), or, with opterr = 0 and an
 * optstring starting with ':', the '?' of an unknown option and the ':' of a missing argument
 * (prints "<prog>: unknown option '--foo' (see --help)" and exits 2). Returns 0 for the
 * chapter's own options. */
int cli_common_handle(cli_common *c, int opt, const char *arg, int argc, char **argv);

/* Strict parsing: the whole string must be a number within [min, max] (decimal; no trailing
 * characters, no leading space, no hexadecimal, no empty string, no overflow, no NaN or
 * infinity). CM_OK, or CM_EINVAL with the message "expected an integer from MIN to MAX, got 'S'"
 * ("expected an integer >= MIN" when max is LONG_MAX; "expected a number ..." for doubles) set;
 * *out is untouched on failure. */
int cli_parse_long(const char *s, long min, long max, long *out);
int cli_parse_double(const char *s, double min, double max, double *out);

/* The same, for a program: on failure prints "<prog>: <opt>: <message>" and exits 2. */
long cli_long(const char *opt, const char *s, long min, long max);
double cli_double(const char *opt, const char *s, double min, double max);
/* s must be one of choices (NULL-terminated); returns its index or dies listing them. */
int cli_choice(const char *opt, const char *s, const char *const *choices);

/* After getopt_long: an argument left over dies (naming a subcommand given after the options:
 * "'train' must come first: rnn train [OPTIONS]"); --help prints usage() and --version the
 * program's version, and both exit 0. subs: the program's subcommands, NULL-terminated. */
void cli_common_finish(const cli_common *c, int argc, char **argv, const char *const *subs,
                       void (*usage)(void));

/* Creates the output directory (mkdir -p, its own: no dependency on checkpoint.c) and checks
 * that a file can be created in it;
 * dies with exit 2 naming the directory otherwise. Call it after every input is validated,
 * so that a bad invocation leaves nothing behind. */
void cli_prepare_out(const cli_common *c);

/* Prints "<slug> <version>: seed N, data PATH, out DIR" (unless quiet). */
void cli_print_config(FILE *f, const cli_common *c, const char *data_shown);

#define CM_VERSION "0.1.0"

#endif
