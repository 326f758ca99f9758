/* plot.c: figures through a gnuplot pipe (CONVENTIONS.md, "Files"). Each figure is three files
 * with fixed names: <name>.csv (the data, with a header row), <name>.gp (a script that reads the
 * csv and draws <name>.png; `gnuplot <name>.gp` in that directory redraws it) and <name>.png.
 *
 * The .gp sets the PNG terminal only when the variable cm_term is undefined, so that the same
 * script draws on the terminal (--plot term) or in a window (--plot window) when the program
 * defines cm_term and sets another terminal before loading it. The PNG terminal is pngcairo
 * when the gnuplot build has it (GPVAL_TERMINALS), otherwise the libgd png terminal.
 *
 * Library code does not print, with two exceptions that the chapter contract asks for: the
 * one-time notes on stderr that gnuplot is missing or that no window can be opened. */
#include "plot.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"

/* ---- modes and the gnuplot program ---------------------------------------------------------- */

static const char *const mode_names[] = {"png", "term", "window", "none"};

int plot_parse_mode(const char *s, plot_mode *out)
{
    for (int i = 0; i < 4; i++)
        if (s && strcmp(s, mode_names[i]) == 0) {
            *out = (plot_mode)i;
            return CM_OK;
        }
    return cm_error(CM_EINVAL, "expected a plot mode png, term, window or none, got '%s'",
                    s ? s : "");
}

const char *plot_mode_name(plot_mode m)
{
    return (unsigned)m < 4 ? mode_names[m] : "?";
}

/* The gnuplot command: $CM_GNUPLOT if set (tests point it at a missing program), else gnuplot. */
static const char *gnuplot_cmd(void)
{
    const char *g = getenv("CM_GNUPLOT");
    return g && *g ? g : "gnuplot";
}

/* Whether cmd is an executable file, by itself when it names a path, else along $PATH. */
static int on_path(const char *cmd)
{
    if (strchr(cmd, '/')) return access(cmd, X_OK) == 0;
    const char *path = getenv("PATH");
    if (!path) path = "/usr/bin:/bin";
    char buf[4096];
    while (*path) {
        size_t n = strcspn(path, ":");
        if (snprintf(buf, sizeof buf, "%.*s/%s", (int)n, n ? path : ".", cmd) < (int)sizeof buf &&
            access(buf, X_OK) == 0)
            return 1;
        path += n + (path[n] == ':');
    }
    return 0;
}

int plot_gnuplot_available(void)
{
    /* checked once per command, so that a test changing $CM_GNUPLOT sees the change */
    static char checked[1024];
    static int available;
    const char *cmd = gnuplot_cmd();
    if (strcmp(cmd, checked) != 0) {
        snprintf(checked, sizeof checked, "%s", cmd);
        available = on_path(cmd);
    }
    return available;
}

void plot_path(const plot_ctx *ctx, const char *name, const char *ext, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s.%s", ctx && ctx->dir ? ctx->dir : ".", name, ext);
}

/* ---- writing the files ---------------------------------------------------------------------- */

static int check_name(const plot_ctx *ctx, const char *name)
{
    if (!ctx || !ctx->dir || !*ctx->dir) return cm_error(CM_EINVAL, "plot: no output directory");
    if (!name || !*name || strchr(name, '/') || strlen(name) > 200)
        return cm_error(CM_EINVAL, "plot: bad figure name '%s'", name ? name : "");
    return CM_OK;
}

static int open_file(const plot_ctx *ctx, const char *name, const char *ext, FILE **f)
{
    char path[4096];
    plot_path(ctx, name, ext, path, sizeof path);
    *f = fopen(path, "w");
    if (!*f) return cm_error(CM_EIO, "cannot create %s: %s", path, strerror(errno));
    return CM_OK;
}

static int close_file(const plot_ctx *ctx, const char *name, const char *ext, FILE *f)
{
    char path[4096];
    plot_path(ctx, name, ext, path, sizeof path);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) return cm_error(CM_EIO, "cannot write %s", path);
    return CM_OK;
}

/* A gnuplot double-quoted string: backslash and quote escaped, newlines dropped. */
static void gp_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        if (*s == '\n' || *s == '\r')
            fputc(' ', f);
        else {
            if (*s == '"' || *s == '\\') fputc('\\', f);
            fputc(*s, f);
        }
    }
    fputc('"', f);
}

/* A text cell of the csv: no comma, quote or newline inside. */
static void csv_text(FILE *f, const char *s)
{
    for (; s && *s; s++) fputc(strchr(",\"\n\r", *s) ? ' ' : *s, f);
}

/* The common head of every script: how to redraw, the PNG terminal, the csv format. */
static void gp_head(FILE *f, const char *name, const char *title, int width, int height)
{
    fprintf(f, "# %s.gp: draws %s.csv into %s.png. Redraw with: gnuplot %s.gp\n", name, name, name,
            name);
    fprintf(f, "# (the program defines cm_term to draw on the terminal or in a window instead)\n");
    fprintf(f,
            "if (!exists(\"cm_term\")) {\n"
            "    if (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) {\n"
            "        set terminal pngcairo size %d,%d noenhanced font \"sans,11\"\n"
            "    } else {\n"
            "        set terminal png size %d,%d noenhanced\n"
            "    }\n"
            "    set output ",
            width, height, width, height);
    char png[256];
    snprintf(png, sizeof png, "%s.png", name);
    gp_str(f, png);
    fprintf(f, "\n}\n");
    fprintf(f, "set datafile separator \",\"\nset datafile columnheaders\n");
    fprintf(f, "set title ");
    gp_str(f, title ? title : name);
    fputc('\n', f);
}

/* ---- running gnuplot ------------------------------------------------------------------------ */

/* The line of gnuplot's stderr that says what went wrong: the one naming a line of the script
 * ("\"x.gp\" line 8: ..."), else the first non-empty one. */
static void first_error_line(const char *path, char *buf, size_t len)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char *s = line + strspn(line, " \t");
        s[strcspn(s, "\r\n")] = '\0';
        if (!*s || strncmp(s, "gnuplot>", 8) == 0 || strcmp(s, "^") == 0) continue;
        if (strstr(s, "line ") && strchr(s, ':')) {
            snprintf(buf, len, "%s", s);
            break;
        }
        if (!buf[0]) snprintf(buf, len, "%s", s);
    }
    fclose(f);
}

/* The window terminal of this gnuplot (qt, wxt or x11), or NULL; asked once. */
static const char *window_terminal(void)
{
    static int asked;
    static const char *term;
    if (asked) return term;
    asked = 1;
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "%s -e 'print GPVAL_TERMINALS' 2>&1", gnuplot_cmd());
    FILE *p = popen(cmd, "r");
    if (!p) return NULL;
    char line[4096] = "";
    if (!fgets(line, sizeof line, p)) line[0] = '\0';
    pclose(p);
    static const char *const wanted[] = {" qt ", " wxt ", " x11 "};
    static const char *const names[] = {"qt", "wxt", "x11"};
    char padded[4200];
    snprintf(padded, sizeof padded, " %s ", strtok(line, "\n") ? line : "");
    for (int i = 0; i < 3; i++)
        if (strstr(padded, wanted[i])) return term = names[i];
    return NULL;
}

/* Draws dir/name.gp as the mode says: the PNG (png, window), the dumb terminal (term) and a
 * window that stays open until closed (window). */
static int draw(const plot_ctx *ctx, const char *name)
{
    static int warned_missing, warned_window;
    if (ctx->mode == PLOT_NONE) return CM_OK;
    if (!plot_gnuplot_available()) {
        if (!warned_missing++)
            fprintf(stderr,
                    "%s: gnuplot not found: wrote %s.csv and %s.gp; install gnuplot-nox to draw "
                    "them\n",
                    cm_progname(), name, name);
        return CM_OK;
    }
    const char *wterm = NULL;
    if (ctx->mode == PLOT_WINDOW) {
        const char *display = getenv("DISPLAY");
        wterm = display && *display ? window_terminal() : NULL;
        if (!wterm && !warned_window++)
            fprintf(stderr, "%s: --plot window: %s; writing PNG files instead\n", cm_progname(),
                    display && *display ? "this gnuplot has no window terminal (qt, wxt, x11)"
                                        : "no display (DISPLAY is not set)");
    }

    char png[4096];
    plot_path(ctx, name, "png", png, sizeof png);
    if (ctx->mode != PLOT_TERM) unlink(png); /* so that a picture from an old run cannot pass */

    char errpath[] = "/tmp/cm-gnuplot-XXXXXX";
    int fd = mkstemp(errpath);
    if (fd < 0) return cm_error(CM_EIO, "cannot create a temporary file: %s", strerror(errno));
    close(fd);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "%s 2>%s", gnuplot_cmd(), errpath);
    fflush(stdout); /* the dumb terminal writes to our stdout: keep the order of lines */
    /* A gnuplot that dies before reading its commands would make the write into the pipe raise
     * SIGPIPE and kill the program; ignored here, the failure shows in pclose's status. */
    struct sigaction ign = {.sa_handler = SIG_IGN}, old_pipe;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, &old_pipe);
    FILE *p = popen(cmd, "w");
    if (!p) {
        sigaction(SIGPIPE, &old_pipe, NULL);
        unlink(errpath);
        return cm_error(CM_EIO, "cannot run %s: %s", gnuplot_cmd(), strerror(errno));
    }
    char script[256];
    snprintf(script, sizeof script, "%s.gp", name);
    fprintf(p, "cd ");
    gp_str(p, ctx->dir);
    fputc('\n', p);
    if (ctx->mode != PLOT_TERM) { /* png, and window: the PNG too, so the files are all there */
        fprintf(p, "load ");
        gp_str(p, script);
        fprintf(p, "\nset output\n");
    }
    if (ctx->mode == PLOT_TERM) {
        /* ansi256 colours draw heatmaps and images too; only on a terminal, not in a file */
        fprintf(p, "cm_term = 1\nset terminal dumb size 100,32 noenhanced%s\nset output\nload ",
                isatty(STDOUT_FILENO) ? " ansi256" : "");
        gp_str(p, script);
        fputc('\n', p);
    } else if (wterm) {
        fprintf(p, "reset\ncm_term = 1\nset terminal %s noenhanced\nload ", wterm);
        gp_str(p, script);
        fprintf(p, "\npause mouse close\n");
    }
    int st = pclose(p);
    sigaction(SIGPIPE, &old_pipe, NULL);
    fflush(stdout);
    int rc = CM_OK;
    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        char why[400];
        first_error_line(errpath, why, sizeof why);
        rc = cm_error(CM_EIO, "gnuplot failed on %s/%s: %s", ctx->dir, script,
                      why[0] ? why : "no message");
    } else if (ctx->mode != PLOT_TERM) {
        struct stat sb;
        if (stat(png, &sb) != 0 || sb.st_size == 0)
            rc = cm_error(CM_EIO, "gnuplot wrote no picture %s", png);
    }
    unlink(errpath);
    return rc;
}

/* ---- x-y figures ---------------------------------------------------------------------------- */

typedef struct {
    char label[128];
    int points; /* 0: lines, 1: points */
    double *x, *y;
    size_t n;
} series;

struct plot_fig {
    char name[256], title[256], xlabel[128], ylabel[128];
    series *s;
    size_t ns, cap;
    int logy, has_xr, has_yr;
    double xr[2], yr[2];
};

plot_fig *plot_fig_new(const char *name, const char *title, const char *xlabel, const char *ylabel)
{
    if (!name || !*name || strchr(name, '/') || strlen(name) > 200) {
        cm_error(CM_EINVAL, "plot: bad figure name '%s'", name ? name : "");
        return NULL;
    }
    plot_fig *f = cm_calloc(1, sizeof *f);
    if (!f) return NULL;
    snprintf(f->name, sizeof f->name, "%s", name);
    snprintf(f->title, sizeof f->title, "%s", title ? title : name);
    snprintf(f->xlabel, sizeof f->xlabel, "%s", xlabel ? xlabel : "x");
    snprintf(f->ylabel, sizeof f->ylabel, "%s", ylabel ? ylabel : "y");
    return f;
}

/* Appends an empty series with room for n points. */
static series *add_series(plot_fig *f, const char *label, int points, size_t n)
{
    if (f->ns == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 8;
        series *s = realloc(f->s, cap * sizeof *s);
        if (!s) {
            cm_error(CM_ENOMEM, "plot %s: out of memory", f->name);
            return NULL;
        }
        f->s = s;
        f->cap = cap;
    }
    series *s = &f->s[f->ns];
    memset(s, 0, sizeof *s);
    snprintf(s->label, sizeof s->label, "%s", label ? label : "");
    s->points = points;
    s->x = cm_calloc(n, sizeof(double));
    s->y = cm_calloc(n, sizeof(double));
    if (!s->x || !s->y) {
        free(s->x);
        free(s->y);
        return NULL;
    }
    f->ns++;
    return s;
}

/* x NULL: the index 0, 1, ..., n-1 (a loss curve per step). */
static int add_xy(plot_fig *f, const char *label, int points, const double *x, const double *y,
                  size_t n)
{
    if (!f || !y || n == 0) return cm_error(CM_EINVAL, "plot: a series with no data");
    series *s = add_series(f, label, points, n);
    if (!s) return CM_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        s->x[i] = x ? x[i] : (double)i;
        s->y[i] = y[i];
    }
    s->n = n;
    return CM_OK;
}

int plot_fig_line(plot_fig *f, const char *label, const double *x, const double *y, size_t n)
{
    return add_xy(f, label, 0, x, y, n);
}

int plot_fig_points(plot_fig *f, const char *label, const double *x, const double *y, size_t n)
{
    return add_xy(f, label, 1, x, y, n);
}

/* One point series per class that has points, so that the legend shows each class. */
int plot_fig_classes(plot_fig *f, const double *x, const double *y, const int *cls, size_t n,
                     int n_classes, const char *const *class_names)
{
    if (!f || !x || !y || !cls || n == 0 || n_classes <= 0)
        return cm_error(CM_EINVAL, "plot: classes with no data");
    for (size_t i = 0; i < n; i++)
        if (cls[i] < 0 || cls[i] >= n_classes)
            return cm_error(CM_EINVAL, "plot %s: point %zu has class %d, expected 0 to %d", f->name,
                            i, cls[i], n_classes - 1);
    for (int k = 0; k < n_classes; k++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++) m += (cls[i] == k);
        if (m == 0) continue;
        char label[128];
        if (class_names && class_names[k])
            snprintf(label, sizeof label, "%s", class_names[k]);
        else
            snprintf(label, sizeof label, "class %d", k);
        series *s = add_series(f, label, 1, m);
        if (!s) return CM_ENOMEM;
        for (size_t i = 0; i < n; i++)
            if (cls[i] == k) {
                s->x[s->n] = x[i];
                s->y[s->n] = y[i];
                s->n++;
            }
    }
    return CM_OK;
}

void plot_fig_logy(plot_fig *f)
{
    if (f) f->logy = 1;
}

void plot_fig_xrange(plot_fig *f, double lo, double hi)
{
    if (!f) return;
    f->has_xr = 1;
    f->xr[0] = lo;
    f->xr[1] = hi;
}

void plot_fig_yrange(plot_fig *f, double lo, double hi)
{
    if (!f) return;
    f->has_yr = 1;
    f->yr[0] = lo;
    f->yr[1] = hi;
}

/* Ten colours that stay apart from each other (matplotlib's tab10), as gnuplot line types. */
static const char *const palette10[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

/* name.csv in long format: series (its number), label, x, y; one row per point. */
static int write_fig_csv(const plot_ctx *ctx, const plot_fig *f)
{
    FILE *out;
    int rc = open_file(ctx, f->name, "csv", &out);
    if (rc) return rc;
    fprintf(out, "series,label,x,y\n");
    for (size_t k = 0; k < f->ns; k++)
        for (size_t i = 0; i < f->s[k].n; i++) {
            fprintf(out, "%zu,", k);
            csv_text(out, f->s[k].label);
            fprintf(out, ",%.10g,%.10g\n", f->s[k].x[i], f->s[k].y[i]);
        }
    return close_file(ctx, f->name, "csv", out);
}

static int write_fig_gp(const plot_ctx *ctx, const plot_fig *f)
{
    FILE *g;
    int rc = open_file(ctx, f->name, "gp", &g);
    if (rc) return rc;
    gp_head(g, f->name, f->title, 800, 600);
    fprintf(g, "set xlabel ");
    gp_str(g, f->xlabel);
    fprintf(g, "\nset ylabel ");
    gp_str(g, f->ylabel);
    fprintf(g, "\nset grid lc rgb \"#dddddd\"\n");
    /* The legend goes below the plot, two entries a row, so that it takes no width from the
     * data; the bottom margin grows with its rows so that it never covers the x label. */
    fprintf(g, "set key below center box samplen 2 maxcols 2\n");
    fprintf(g, "set bmargin %zu\n", 4 + (f->ns + 1) / 2);
    for (int i = 0; i < 10; i++)
        fprintf(g, "set linetype %d lc rgb \"%s\" lw 2 pt 7 ps 0.7\n", i + 1, palette10[i]);
    fprintf(g, "set linetype cycle 10\n");
    /* The text terminal has no colours in a file: give each series its own point character
     * there, so that the classes of a scatter stay apart. */
    fprintf(g, "if (exists(\"cm_term\")) { do for [i=1:10] { set linetype i pt i } }\n");
    if (f->logy) fprintf(g, "set logscale y\n");
    if (f->has_xr) fprintf(g, "set xrange [%.10g:%.10g]\n", f->xr[0], f->xr[1]);
    if (f->has_yr) fprintf(g, "set yrange [%.10g:%.10g]\n", f->yr[0], f->yr[1]);
    fprintf(g, "# one clause per series: the rows of %s.csv whose series column is k\n", f->name);
    char csv[sizeof f->name + 8];
    snprintf(csv, sizeof csv, "%s.csv", f->name);
    fprintf(g, "plot ");
    for (size_t k = 0; k < f->ns; k++) {
        if (k) fprintf(g, ", \\\n     ");
        gp_str(g, csv);
        fprintf(g, " using \"x\":($1 == %zu ? $4 : NaN) with %s lt %zu title ", k,
                f->s[k].points ? "points" : "lines", k + 1);
        gp_str(g, f->s[k].label);
    }
    fputc('\n', g);
    return close_file(ctx, f->name, "gp", g);
}

int plot_fig_write(const plot_ctx *ctx, const plot_fig *f)
{
    if (!f) return cm_error(CM_EINVAL, "plot_fig_write: no figure");
    int rc = check_name(ctx, f->name);
    if (rc) return rc;
    if (f->ns == 0) return cm_error(CM_EINVAL, "plot %s: the figure has no data", f->name);
    if ((rc = write_fig_csv(ctx, f)) || (rc = write_fig_gp(ctx, f))) return rc;
    return draw(ctx, f->name);
}

void plot_fig_free(plot_fig *f)
{
    if (!f) return;
    for (size_t k = 0; k < f->ns; k++) {
        free(f->s[k].x);
        free(f->s[k].y);
    }
    free(f->s);
    free(f);
}

/* ---- heatmaps and image grids --------------------------------------------------------------- */

/* Tics every step cells, step a round number giving at most about 10 tics. */
static size_t tic_step(size_t n)
{
    static const size_t steps[] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (n <= 10 * steps[i]) return steps[i];
    return n / 10;
}

/* The last line of an image script (heatmap, image grid): draw name.csv's value column at the
 * given x and y columns; then close the script and draw it. */
static int finish_image(const plot_ctx *ctx, const char *name, FILE *g, const char *xcol,
                        const char *ycol)
{
    char csv[256];
    snprintf(csv, sizeof csv, "%s.csv", name);
    fprintf(g, "plot ");
    gp_str(g, csv);
    fprintf(g, " using \"%s\":\"%s\":\"value\" with image notitle\n", xcol, ycol);
    int rc = close_file(ctx, name, "gp", g);
    return rc ? rc : draw(ctx, name);
}

/* name.csv: row, col, value, one line per cell; drawn with image, row 0 at the top. */
int plot_heatmap(const plot_ctx *ctx, const char *name, const char *title, const char *xlabel,
                 const char *ylabel, const gsl_matrix *M)
{
    int rc = check_name(ctx, name);
    if (rc) return rc;
    if (!M || M->size1 == 0 || M->size2 == 0)
        return cm_error(CM_EINVAL, "plot %s: an empty matrix", name);
    for (size_t i = 0; i < M->size1; i++)
        for (size_t j = 0; j < M->size2; j++)
            if (!isfinite(gsl_matrix_get(M, i, j)))
                return cm_error(CM_ENOTFINITE, "plot %s: cell (%zu, %zu) is %g", name, i, j,
                                gsl_matrix_get(M, i, j));
    FILE *out, *g;
    if ((rc = open_file(ctx, name, "csv", &out))) return rc;
    fprintf(out, "row,col,value\n");
    for (size_t i = 0; i < M->size1; i++)
        for (size_t j = 0; j < M->size2; j++)
            fprintf(out, "%zu,%zu,%.10g\n", i, j, gsl_matrix_get(M, i, j));
    if ((rc = close_file(ctx, name, "csv", out))) return rc;

    if ((rc = open_file(ctx, name, "gp", &g))) return rc;
    gp_head(g, name, title, 800, 600);
    fprintf(g, "set xlabel ");
    gp_str(g, xlabel ? xlabel : "column");
    fprintf(g, "\nset ylabel ");
    gp_str(g, ylabel ? ylabel : "row");
    fprintf(g, "\n# row 0 at the top, as the matrix is printed\n");
    fprintf(g, "set xrange [-0.5:%zu.5]\nset yrange [%zu.5:-0.5]\n", M->size2 - 1, M->size1 - 1);
    fprintf(g, "set xtics 0,%zu out nomirror\nset ytics 0,%zu out nomirror\n", tic_step(M->size2),
            tic_step(M->size1));
    fprintf(g, "# viridis: dark blue (low) to yellow (high)\n");
    fprintf(g, "set palette defined (0 \"#440154\", 1 \"#3b528b\", 2 \"#21908d\", 3 \"#5dc963\", "
               "4 \"#fde725\")\n");
    fprintf(g, "set colorbox\nset cblabel \"value\"\n");
    return finish_image(ctx, name, g, "col", "row");
}

int plot_image_grid(const plot_ctx *ctx, const char *name, const char *title,
                    const gsl_matrix *images, size_t h, size_t w, size_t ncols, double vmin,
                    double vmax, const char *const *captions)
{
    int rc = check_name(ctx, name);
    if (rc) return rc;
    if (!images || images->size1 == 0 || h == 0 || w == 0 || images->size2 != h * w)
        return cm_error(CM_EINVAL, "plot %s: expected images of %zu x %zu = %zu pixels per row",
                        name, h, w, h * w);
    if (ncols == 0 || !(vmax > vmin))
        return cm_error(CM_EINVAL, "plot %s: need ncols > 0 and vmin < vmax", name);
    size_t n = images->size1;
    if (ncols > n) ncols = n;
    size_t nrows = (n + ncols - 1) / ncols;
    /* One pixel between images; with captions, enough rows below each image for a line of
     * text (about 18 screen pixels when the grid is drawn 760 pixels wide). */
    size_t gx = 1, W = ncols * (w + gx) - gx;
    size_t gy = captions ? (size_t)ceil(18.0 * (double)W / 760.0) + 1 : 1;
    if (gy < 2 && captions) gy = 2;
    size_t H = nrows * (h + gy) - (captions ? 0 : gy);
    int width = 800;
    int height = (int)(760.0 * (double)H / (double)W) + (title ? 60 : 20);
    if (height < 200) height = 200;
    if (height > 1600) height = 1600;

    FILE *out, *g;
    if ((rc = open_file(ctx, name, "csv", &out))) return rc;
    /* the whole grid as one picture, gaps included (image -1, value NaN: not drawn), in the
     * row-by-row order that `with image` needs */
    fprintf(out, "x,y,image,row,col,value\n");
    for (size_t y = 0; y < H; y++)
        for (size_t x = 0; x < W; x++) {
            size_t r = y % (h + gy), c = x % (w + gx), k = (y / (h + gy)) * ncols + x / (w + gx);
            if (r < h && c < w && k < n)
                fprintf(out, "%zu,%zu,%zu,%zu,%zu,%.6g\n", x, y, k, r, c,
                        gsl_matrix_get(images, k, r * w + c));
            else
                fprintf(out, "%zu,%zu,-1,-1,-1,NaN\n", x, y);
        }
    if ((rc = close_file(ctx, name, "csv", out))) return rc;

    if ((rc = open_file(ctx, name, "gp", &g))) return rc;
    gp_head(g, name, title, width, height);
    fprintf(g, "set size ratio -1\nunset border\nunset tics\nunset colorbox\nunset key\n");
    fprintf(g, "set lmargin 1\nset rmargin 1\nset bmargin 1\nset tmargin %d\n", title ? 3 : 1);
    fprintf(g, "set xrange [-0.5:%zu.5]\nset yrange [%zu.5:-0.5]\n", W - 1, H - 1);
    fprintf(g, "# grey: %.6g is black, %.6g white\nset palette grey\nset cbrange [%.10g:%.10g]\n",
            vmin, vmax, vmin, vmax);
    fprintf(g, "# the gaps between images are light blue\n");
    fprintf(g, "set object 1 rectangle from graph 0,0 to graph 1,1 behind fc rgb \"#c8d4e8\" "
               "fs solid noborder\n");
    if (captions) {
        for (size_t k = 0; k < n; k++) {
            if (!captions[k]) continue;
            double cx = (double)((k % ncols) * (w + gx)) + (double)(w - 1) / 2.0;
            double cy = (double)((k / ncols) * (h + gy) + h) + (double)gy / 2.0 - 0.5;
            fprintf(g, "set label %zu ", k + 1);
            gp_str(g, captions[k]);
            fprintf(g, " at %.2f,%.2f center front font \",10\"\n", cx, cy);
        }
    }
    return finish_image(ctx, name, g, "x", "y");
}

/* ---- labelled points ------------------------------------------------------------------------ */

/* name.csv: label, x, y, one line per point; drawn as points with their labels beside them. */
int plot_labeled_points(const plot_ctx *ctx, const char *name, const char *title,
                        const char *xlabel, const char *ylabel, const double *x, const double *y,
                        const char *const *labels, size_t n)
{
    int rc = check_name(ctx, name);
    if (rc) return rc;
    if (n == 0) return cm_error(CM_EINVAL, "plot %s: no points", name);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]) || !isfinite(y[i]))
            return cm_error(CM_ENOTFINITE, "plot %s: point %zu is (%g, %g)", name, i, x[i], y[i]);
    FILE *out, *g;
    if ((rc = open_file(ctx, name, "csv", &out))) return rc;
    fprintf(out, "label,x,y\n");
    for (size_t i = 0; i < n; i++) {
        csv_text(out, labels[i]);
        fprintf(out, ",%.10g,%.10g\n", x[i], y[i]);
    }
    if ((rc = close_file(ctx, name, "csv", out))) return rc;

    if ((rc = open_file(ctx, name, "gp", &g))) return rc;
    gp_head(g, name, title, 800, 600);
    fprintf(g, "set xlabel ");
    gp_str(g, xlabel ? xlabel : "x");
    fprintf(g, "\nset ylabel ");
    gp_str(g, ylabel ? ylabel : "y");
    fprintf(g, "\nset grid lc rgb \"#dddddd\"\nset key off\nset offsets graph 0.08, graph 0.08, "
               "graph 0.05, graph 0.05\n");
    char csv[256];
    snprintf(csv, sizeof csv, "%s.csv", name);
    fprintf(g, "plot ");
    gp_str(g, csv);
    fprintf(g, " using \"x\":\"y\" with points pt 7 ps 0.8 lc rgb \"#1f77b4\", \\\n     ");
    gp_str(g, csv);
    fprintf(g, " using \"x\":\"y\":\"label\" with labels offset char 0.8,0.5 left tc rgb "
               "\"#333333\"\n");
    rc = close_file(ctx, name, "gp", g);
    return rc ? rc : draw(ctx, name);
}

int plot_draw_script(const plot_ctx *ctx, const char *name)
{
    int st = check_name(ctx, name);
    return st ? st : draw(ctx, name);
}
