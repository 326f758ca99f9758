/* sigmoid.c: the σ and log σ tables. */
#include "sigmoid.h"

double w2v_sigmoid_table[W2V_SIGMOID_TABLE_SIZE];
double w2v_logsigmoid_table[W2V_SIGMOID_TABLE_SIZE];

void w2v_sigmoid_init(void)
{
    const double step = 2 * W2V_MAX_EXP / W2V_SIGMOID_TABLE_SIZE;
    for (int i = 0; i < W2V_SIGMOID_TABLE_SIZE; i++) {
        double x = -W2V_MAX_EXP + (i + 0.5) * step;
        w2v_sigmoid_table[i] = w2v_sigmoid_exact(x);
        w2v_logsigmoid_table[i] = -w2v_softplus_neg(x);
    }
}
