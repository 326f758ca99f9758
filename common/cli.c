/* cli.c: the common options of every chapter and strict parsing of numbers
 * (CONVENTIONS.md, "The command line": bad input gives one line naming the option and the
 * value, and exit status 2). */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "error.h"

#define STRINGIFY_(x) #x
#define STRINGIFY(x)  STRINGIFY_(x)

const char *const CLI_COMMON_HELP =
    "Common options:\n"
    "  --seed N      random seed (default " STRINGIFY(
        CLI_SEED_DIGITS) ", so that two runs print the same numbers)\n"
                         "  --data PATH   input data (default: the chapter's shipped data file)\n"
                         "  --out DIR     where logs, figures and checkpoints go (default "
                         "out/<program>/)\n"
                         "  --plot MODE   png (default: writes PNG files), term (draws in the "
                         "terminal), window, none\n"
                         "  --quick       a small budget that finishes in seconds\n"
                         "  --quiet       no progress output\n"
                         "  --help        this help;  --version  the version\n";

/* GSL's default handler aborts on any error. In a program, running out of memory is the
 * user's problem (a model too large for the machine): one line and exit 2, as for bad input.
 * Anything else GSL reports (mismatched matrix sizes, say) is a bug in our code: say where
 * and abort, so that a debugger or a sanitizer shows the stack. */
static void gsl_error_to_exit(const char *reason, const char *file, int line, int gsl_errno)
{
    if (gsl_errno == GSL_ENOMEM) cm_die("out of memory (%s)", reason);
    fprintf(stderr, "%s: internal error in GSL: %s (%s:%d)\n", cm_progname(), reason, file, line);
    abort();
}

#ifdef CM_OPENBLAS
void openblas_set_num_threads(int n); /* OpenBLAS's own API (cblas.h would clash with GSL's) */
#endif

void cli_common_defaults(cli_common *c, const char *slug)
{
    gsl_set_error_handler(gsl_error_to_exit);
#ifdef CM_OPENBLAS
    /* One BLAS thread unless the user asks for more: the products here have 16 to 64 rows, too
     * few to share, and OpenBLAS's threads spin while they wait, so on a busy machine two of
     * them made chapter 01's --quick run 5x slower in wall-clock time (17 s against 80 s). */
    if (!getenv("OPENBLAS_NUM_THREADS") && !getenv("OMP_NUM_THREADS")) openblas_set_num_threads(1);
#endif
    memset(c, 0, sizeof *c);
    c->slug = slug;
    c->seed = CLI_DEFAULT_SEED;
    c->data = NULL;
    snprintf(c->out, sizeof c->out, "out/%s", slug);
    c->plot = PLOT_PNG;
    cm_set_progname(slug);
}

/* The option as the user typed it, for messages: "--foo" from "--foo=3", or "-x". */
static void option_text(char *buf, size_t len, int argc, char **argv)
{
    const char *a = (optind >= 1 && optind <= argc) ? argv[optind - 1] : NULL;
    if (a && a[0] == '-' && a[1] == '-') {
        size_t n = strcspn(a, "=");
        snprintf(buf, len, "%.*s", (int)n, a);
    } else if (optopt > 0 && optopt < 256 && isprint(optopt)) {
        snprintf(buf, len, "-%c", optopt);
    } else {
        snprintf(buf, len, "%s", a ? a : "?");
    }
}

int cli_common_handle(cli_common *c, int opt, const char *arg, int argc, char **argv)
{
    char name[256];
    switch (opt) {
    case CLI_OPT_SEED:
        c->seed = (unsigned long)cli_long("--seed", arg, 0, LONG_MAX);
        return 1;
    case CLI_OPT_DATA:
        if (!arg || !*arg) cm_die("--data: expected a file name, got ''");
        c->data = arg;
        return 1;
    case CLI_OPT_OUT:
        if (!arg || !*arg) cm_die("--out: expected a directory name, got ''");
        if (strlen(arg) >= sizeof c->out) cm_die("--out: the directory name is too long");
        snprintf(c->out, sizeof c->out, "%s", arg);
        return 1;
    case CLI_OPT_PLOT:
        if (!arg || plot_parse_mode(arg, &c->plot) != CM_OK)
            cm_die("--plot: expected one of png, term, window, none, got '%s'", arg ? arg : "");
        return 1;
    case CLI_OPT_QUICK:
        c->quick = 1;
        return 1;
    case CLI_OPT_QUIET:
        c->quiet = 1;
        return 1;
    case CLI_OPT_HELP:
        c->help = 1;
        return 1;
    case CLI_OPT_VERSION:
        c->version = 1;
        return 1;
    case '?': {
        /* "--quick=3" also lands here: an option that takes no value was given one */
        const char *a = (optind >= 1 && optind <= argc) ? argv[optind - 1] : "";
        option_text(name, sizeof name, argc, argv);
        if (a[0] == '-' && a[1] == '-' && strchr(a, '='))
            cm_die("unknown option '%s', or it takes no value (see --help)", a);
        cm_die("unknown option '%s' (see --help)", name);
    }
    case ':':
        option_text(name, sizeof name, argc, argv);
        cm_die("option '%s' needs a value", name);
    default:
        return 0;
    }
}

/* Quotes at most 64 characters of a bad value, so that a message stays one line. */
#define SHOWN(s) (int)(strlen(s) > 64 ? 64 : strlen(s)), (s)

int cli_parse_long(const char *s, long min, long max, long *out)
{
    if (!s) s = "";
    const char *p = s + (*s == '-' || *s == '+');
    int ok = isdigit((unsigned char)*p) != 0;
    for (; ok && *p; p++) ok = isdigit((unsigned char)*p) != 0;
    long v = 0;
    if (ok) {
        errno = 0;
        char *end;
        v = strtol(s, &end, 10);
        ok = errno == 0 && *end == '\0' && v >= min && v <= max;
    }
    if (!ok) {
        if (max == LONG_MAX)
            return cm_error(CM_EINVAL, "expected an integer >= %ld, got '%.*s'", min, SHOWN(s));
        return cm_error(CM_EINVAL, "expected an integer from %ld to %ld, got '%.*s'", min, max,
                        SHOWN(s));
    }
    *out = v;
    return CM_OK;
}

int cli_parse_double(const char *s, double min, double max, double *out)
{
    if (!s) s = "";
    /* only decimal notation: strtod alone would also take " 5", "0x10", "nan" and "inf" */
    int ok = *s != '\0' && !isspace((unsigned char)*s);
    for (const char *p = s; ok && *p; p++) ok = strchr("0123456789.eE+-", *p) != NULL;
    double v = 0;
    if (ok) {
        errno = 0;
        char *end;
        v = strtod(s, &end);
        ok = errno == 0 && end != s && *end == '\0' && isfinite(v) && v >= min && v <= max;
    }
    if (!ok)
        return cm_error(CM_EINVAL, "expected a number from %g to %g, got '%.*s'", min, max,
                        SHOWN(s));
    *out = v;
    return CM_OK;
}

long cli_long(const char *opt, const char *s, long min, long max)
{
    long v;
    if (!s) cm_die("option '%s' needs a value", opt);
    if (cli_parse_long(s, min, max, &v) != CM_OK) cm_die("%s: %s", opt, cm_errmsg());
    return v;
}

double cli_double(const char *opt, const char *s, double min, double max)
{
    double v;
    if (!s) cm_die("option '%s' needs a value", opt);
    if (cli_parse_double(s, min, max, &v) != CM_OK) cm_die("%s: %s", opt, cm_errmsg());
    return v;
}

int cli_choice(const char *opt, const char *s, const char *const *choices)
{
    char list[512] = "";
    size_t used = 0;
    for (int i = 0; choices[i]; i++) {
        if (s && strcmp(s, choices[i]) == 0) return i;
        int n = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", choices[i]);
        if (n > 0 && used + (size_t)n < sizeof list) used += (size_t)n;
    }
    cm_die("%s: expected one of %s, got '%.*s'", opt, list, SHOWN(s ? s : ""));
}

/* mkdir -p: creates each missing component of path in turn. */
static int mkdirs(const char *path)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
    struct stat st;
    if (stat(buf, &st) != 0) return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

void cli_common_finish(const cli_common *c, int argc, char **argv, const char *const *subs,
                       void (*usage)(void))
{
    if (optind < argc) {
        for (int i = 0; subs[i]; i++)
            if (!strcmp(argv[optind], subs[i]))
                cm_die("'%s' must come first: %s %s [OPTIONS]", subs[i], c->slug, subs[i]);
        cm_die("unexpected argument '%s' (see --help)", argv[optind]);
    }
    if (c->help) {
        usage();
        exit(0);
    }
    if (c->version) {
        printf("%s %s\n", c->slug, CM_VERSION);
        exit(0);
    }
}

void cli_prepare_out(const cli_common *c)
{
    if (mkdirs(c->out) != 0)
        cm_die("cannot create the output directory '%s': %s", c->out, strerror(errno));
    /* a directory can exist and still refuse files (read-only, another user's) */
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/.cm-probe-XXXXXX", c->out);
    int fd = mkstemp(probe);
    if (fd < 0) cm_die("cannot write to the output directory '%s': %s", c->out, strerror(errno));
    close(fd);
    unlink(probe);
}

void cli_print_config(FILE *f, const cli_common *c, const char *data_shown)
{
    if (c->quiet) return;
    const char *data = data_shown ? data_shown : c->data ? c->data : "(none)";
    fprintf(f, "%s %s: seed %lu, data %s, out %s\n", c->slug, CM_VERSION, c->seed, data, c->out);
}
