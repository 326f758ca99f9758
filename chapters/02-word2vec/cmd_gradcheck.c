/* cmd_gradcheck.c: `word2vec gradcheck`: the numeric gradient check of both objectives. */
#include <stdio.h>

#include "cmds.h"
#include "error.h"
#include "gradcases.h"

int w2v_run_gradcheck(const w2v_opts *o)
{
    (void)o;
    int failed = 0;
    for (int c = 0; c < W2V_GC_N; c++) {
        gc_report reps[2];
        size_t n = 0;
        int f = w2v_gradcheck_case((w2v_gc_case)c, reps, &n);
        if (f < 0) cm_die_status(CM_EINVAL);
        printf("%s (V = 12, D = 7, exact sigmoid):\n", w2v_gc_case_name((w2v_gc_case)c));
        gc_print_table(stdout, reps, n);
        failed += f;
    }
    printf("gradcheck: %s (worst relative error must be below %g)\n",
           failed ? "FAILED" : "every tensor passed", GC_DEFAULT_TOL);
    return failed ? 1 : 0;
}
