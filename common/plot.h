/* plot.h: figures through a gnuplot pipe. Every figure is written as three files with fixed
 * names in the output directory: <name>.csv (its data, with a header row), <name>.gp (the
 * gnuplot script that reads the .csv and draws it) and <name>.png, so that a student can
 * redraw or restyle it with `gnuplot <name>.gp`. Modes (--plot): png writes the PNG; term
 * draws with gnuplot's dumb terminal on stdout (in colour when stdout is a terminal) and
 * writes no PNG; window writes the PNG and opens a window that stays until it is closed
 * (without a display or a window terminal: the PNG only, said once on stderr); none writes
 * only the .csv and .gp. When gnuplot is missing the program says so once on stderr and still
 * writes the data and the script. The environment variable CM_GNUPLOT replaces the gnuplot
 * command (tests point it at a missing or failing program). A gnuplot that fails gives CM_EIO
 * with the line of its stderr that names the error. */
#ifndef CM_PLOT_H
#define CM_PLOT_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>

typedef enum { PLOT_PNG, PLOT_TERM, PLOT_WINDOW, PLOT_NONE } plot_mode;

int plot_parse_mode(const char *s, plot_mode *out); /* "png", "term", "window", "none" */
const char *plot_mode_name(plot_mode m);
int plot_gnuplot_available(void); /* gnuplot on PATH (checked once) */

typedef struct {
    const char *dir; /* output directory, exists */
    plot_mode mode;
} plot_ctx;

/* A figure of x-y layers: lines, points and points coloured by class, with axis labels and a
 * legend. Built up, then written once. */
typedef struct plot_fig plot_fig;

plot_fig *plot_fig_new(const char *name, const char *title, const char *xlabel,
                       const char *ylabel); /* NULL on failure */
/* x NULL: the index 0, 1, ..., n-1 (a loss per step). The data are copied. */
int plot_fig_line(plot_fig *f, const char *label, const double *x, const double *y, size_t n);
int plot_fig_points(plot_fig *f, const char *label, const double *x, const double *y, size_t n);
/* Points coloured by class cls[i] in [0, n_classes); class_names may be NULL ("class k").
 * One legend entry per class that has points. */
int plot_fig_classes(plot_fig *f, const double *x, const double *y, const int *cls, size_t n,
                     int n_classes, const char *const *class_names);
void plot_fig_logy(plot_fig *f);
void plot_fig_xrange(plot_fig *f, double lo, double hi);
void plot_fig_yrange(plot_fig *f, double lo, double hi);
/* Writes dir/name.{csv,gp} and draws it as the mode says. Returns CM_OK or an error
 * (an unwritable directory); a missing gnuplot is not an error. */
int plot_fig_write(const plot_ctx *ctx, const plot_fig *f);
void plot_fig_free(plot_fig *f);

/* A heatmap of a matrix (row 0 at the top), with a colour box; a NaN or infinite cell gives
 * CM_ENOTFINITE naming it. The csv holds row,col,value. */
int plot_heatmap(const plot_ctx *ctx, const char *name, const char *title, const char *xlabel,
                 const char *ylabel, const gsl_matrix *M);
/* A grid of small grey images: images is (n, h*w), each row one image in row-major order,
 * drawn in ncols columns, black = vmin, white = vmax. Optional per-image captions (NULL, or
 * n strings, any of them NULL). The csv holds the whole grid as x,y,image,row,col,value, the
 * gaps between images as image -1 and value NaN. */
int plot_image_grid(const plot_ctx *ctx, const char *name, const char *title,
                    const gsl_matrix *images, size_t h, size_t w, size_t ncols, double vmin,
                    double vmax, const char *const *captions);

/* Points with a text label beside each (a map of word vectors, say). The csv holds
 * label,x,y (a comma or quote in a label becomes a space); a NaN or infinite coordinate gives
 * CM_ENOTFINITE naming the point. */
int plot_labeled_points(const plot_ctx *ctx, const char *name, const char *title,
                        const char *xlabel, const char *ylabel, const double *x, const double *y,
                        const char *const *labels, size_t n);

/* Draws a figure whose dir/name.csv and dir/name.gp the caller wrote itself (a kind of figure
 * this module does not build: a vector field, say), as the mode says, exactly as
 * plot_fig_write draws its own. The script must follow the same convention: set the pngcairo
 * (or png) terminal and `set output "name.png"` only when the variable cm_term does not exist,
 * since the program defines it to draw on the terminal or in a window; gnuplot runs in dir. */
int plot_draw_script(const plot_ctx *ctx, const char *name);

/* "out/neuron/boundary.png": the path of a figure's picture, for the summary lines. */
void plot_path(const plot_ctx *ctx, const char *name, const char *ext, char *buf, size_t len);

#endif
