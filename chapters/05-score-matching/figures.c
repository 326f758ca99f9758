/* figures.c: the pictures of chapter 05: the learned score field beside the true one over the
 * density of the noised data, and samples against data (demo.h). Each is written as .csv, .gp
 * and .png in the output directory. */
#include "demo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "error.h"
#include "matrix.h"
#include "metrics.h"

int score_fig_add_points(plot_fig *f, const char *label, const gsl_matrix *X, size_t m, double dx)
{
    if (m > X->size1) m = X->size1;
    double *x = cm_calloc(2 * m + 1, sizeof(double));
    if (!x) return CM_ENOMEM;
    for (size_t i = 0; i < m; i++)
        x[i] = gsl_matrix_get(X, i, 0) + dx, x[m + i] = gsl_matrix_get(X, i, 1);
    int st = plot_fig_points(f, label, x, x + m, m);
    free(x);
    return st;
}

int score_fig_samples(const score_opts *o, const char *name, const char *title,
                      const gsl_matrix *data, const gsl_matrix *samples, const char *label)
{
    plot_ctx ctx = {o->c->out, o->c->plot};
    plot_fig *f = plot_fig_new(name, title, "x1", "x2");
    if (!f) return CM_ENOMEM;
    int st = score_fig_add_points(f, "data (fresh draws)", data, 2000, 0.0);
    if (!st) st = score_fig_add_points(f, label, samples, 2000, 0.0);
    if (!st) st = plot_fig_write(&ctx, f);
    plot_fig_free(f);
    return st;
}

/* The true noised density and score at x: the exact mixture's when there is one, otherwise
 * those of the data's empirical distribution noised at sigma (a kernel density estimate with
 * bandwidth sigma over the first 500 rows: the very distribution DSM's target describes). */
static double true_score(const toy2d_gmm *g, int has_g, const gsl_matrix *data, double sigma,
                         const double x[2], double s[2])
{
    if (has_g) return toy2d_gmm_score(g, sigma, x, s);
    size_t n = data->size1 < 500 ? data->size1 : 500;
    double mx = -INFINITY, lw[500];
    for (size_t i = 0; i < n; i++) {
        double dx = x[0] - gsl_matrix_get(data, i, 0), dy = x[1] - gsl_matrix_get(data, i, 1);
        lw[i] = -0.5 * (dx * dx + dy * dy) / (sigma * sigma);
        if (lw[i] > mx) mx = lw[i];
    }
    double z = 0;
    s[0] = s[1] = 0;
    for (size_t i = 0; i < n; i++) {
        double w = exp(lw[i] - mx);
        z += w;
        s[0] += w * (gsl_matrix_get(data, i, 0) - x[0]);
        s[1] += w * (gsl_matrix_get(data, i, 1) - x[1]);
    }
    s[0] /= z * sigma * sigma, s[1] /= z * sigma * sigma;
    return mx + log(z / (double)n) - log(2 * M_PI * sigma * sigma);
}

int score_fig_field(const score_opts *o, const char *name, score_net *m, const toy2d_gmm *g,
                    int has_g, const gsl_matrix *data, double sigma)
{
    const int G = 41; /* grid points per side */
    double a = 0;
    for (size_t i = 0; i < data->size1; i++)
        a = fmax(a, fmax(fabs(gsl_matrix_get(data, i, 0)), fabs(gsl_matrix_get(data, i, 1))));
    a = ceil(a + 1);
    size_t n = (size_t)G * G;
    gsl_matrix *X = cm_matrix_calloc(n, 2), *S = cm_matrix_calloc(n, 2);
    double *sig = cm_calloc(m->cap, sizeof(double));
    if (!X || !S || !sig) {
        cm_matrix_free(X), cm_matrix_free(S), free(sig);
        return CM_ENOMEM;
    }
    for (int i = 0; i < G; i++)
        for (int j = 0; j < G; j++) {
            gsl_matrix_set(X, (size_t)(i * G + j), 0, -a + 2 * a * j / (G - 1));
            gsl_matrix_set(X, (size_t)(i * G + j), 1, -a + 2 * a * i / (G - 1));
        }
    score_model_ctx mc = {m, sig};
    score_fn_model(&mc, X, sigma, S);
    free(sig);
    char path[4200];
    snprintf(path, sizeof path, "%s/%s.csv", o->c->out, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        cm_matrix_free(X), cm_matrix_free(S);
        return cm_error(CM_EIO, "cannot write %s", path);
    }
    fprintf(f, "x1,x2,log_p,true_s1,true_s2,model_s1,model_s2\n");
    for (size_t k = 0; k < n; k++) {
        double x[2] = {gsl_matrix_get(X, k, 0), gsl_matrix_get(X, k, 1)}, t[2];
        double lp = true_score(g, has_g, data, sigma, x, t);
        fprintf(f, "%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g\n", x[0], x[1], fmax(lp, -30.0), t[0], t[1],
                gsl_matrix_get(S, k, 0), gsl_matrix_get(S, k, 1));
    }
    cm_matrix_free(X), cm_matrix_free(S);
    if (fclose(f) != 0) return cm_error(CM_EIO, "cannot write %s", path);
    snprintf(path, sizeof path, "%s/%s.gp", o->c->out, name);
    if (!(f = fopen(path, "w"))) return cm_error(CM_EIO, "cannot write %s", path);
    double len = 2 * a / (G - 1) * 0.8; /* every arrow the same length: the field's direction */
    fprintf(f,
            "# %s.gp: draws %s.csv into %s.png. Redraw with: gnuplot %s.gp\n"
            "# Left the true score grad log p_sigma, right the model's s_theta(x, sigma), at\n"
            "# sigma = %g, over log p_sigma (colour). Arrows show the direction only.\n"
            "if (!exists(\"cm_term\")) {\n"
            "    if (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) {\n"
            "        set terminal pngcairo size 1300,620 noenhanced font \"sans,11\"\n"
            "    } else {\n"
            "        set terminal png size 1300,620 noenhanced\n"
            "    }\n"
            "    set output \"%s.png\"\n"
            "}\n"
            "set datafile separator \",\"\nset datafile columnheaders\n"
            "set size ratio -1\nset xrange [%g:%g]\nset yrange [%g:%g]\n"
            "set xlabel \"x1\"\nset ylabel \"x2\"\nset cblabel \"log p_sigma\"\n"
            "set palette defined (0 \"white\", 1 \"#c6dbef\", 2 \"#2171b5\")\n"
            "L = %g\nnx(a, b) = L * a / sqrt(a * a + b * b + 1e-300)\n"
            "ny(a, b) = L * b / sqrt(a * a + b * b + 1e-300)\n"
            "set multiplot layout 1,2 title \"score fields at sigma = %g\"\n"
            "set title \"true score\"\n"
            "plot \"%s.csv\" using 1:2:3 with image notitle, \\\n"
            "     \"\" every 2 using 1:2:(nx($4,$5)):(ny($4,$5)) with vectors head size 0.08,20 "
            "lc rgb \"black\" notitle\n"
            "set title \"learned s_theta\"\n"
            "plot \"%s.csv\" using 1:2:3 with image notitle, \\\n"
            "     \"\" every 2 using 1:2:(nx($6,$7)):(ny($6,$7)) with vectors head size 0.08,20 "
            "lc rgb \"#b2182b\" notitle\n"
            "unset multiplot\n",
            name, name, name, name, sigma, name, -a - 0.1, a + 0.1, -a - 0.1, a + 0.1, len, sigma,
            name, name);
    if (fclose(f) != 0) return cm_error(CM_EIO, "cannot write %s", path);
    plot_ctx ctx = {o->c->out, o->c->plot};
    return plot_draw_script(&ctx, name);
}
