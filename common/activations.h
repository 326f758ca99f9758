/* activations.h: elementwise nonlinearities and their derivatives.
 * The derivative functions take the activation's *output* where that is how the chain rule
 * is usually written (sigmoid: y(1-y); tanh: 1-y^2), and say so in their names. */
#ifndef CM_ACTIVATIONS_H
#define CM_ACTIVATIONS_H

#include <stddef.h>

double act_sigmoid(double x);             /* 1/(1+e^-x), no overflow for |x| large */
double act_sigmoid_grad_from_y(double y); /* y (1 - y) */
double act_tanh_grad_from_y(double y);    /* 1 - y^2 */
double act_relu(double x);
double act_relu_grad(double x); /* 1 for x > 0, else 0 (torch's convention at 0) */
double act_softplus(double x);  /* log(1 + e^x), stable; derivative is act_sigmoid(x) */

/* In place over arrays (y may equal x). */
void act_sigmoid_array(const double *x, double *y, size_t n);
void act_tanh_array(const double *x, double *y, size_t n);
void act_relu_array(const double *x, double *y, size_t n);

typedef enum { ACT_IDENTITY, ACT_SIGMOID, ACT_TANH, ACT_RELU, ACT_SOFTPLUS } act_kind;
/* y = f(x) elementwise. */
void act_forward(act_kind k, const double *x, double *y, size_t n);
/* dx += f'(x) * dy, given the input x and output y of the forward pass. */
void act_backward(act_kind k, const double *x, const double *y, const double *dy, double *dx,
                  size_t n);
/* "relu", "tanh", ... -> kind; CM_OK or CM_EINVAL. */
int act_parse(const char *name, act_kind *out);
const char *act_name(act_kind k);

#endif
