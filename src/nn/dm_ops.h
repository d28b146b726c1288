/* dm_ops: the layer ops of the CNN and their kernels (one op registry).
 *
 * Every op has a row in the tables of dm_ops.c: name, forward kernel,
 * backward kernel and DeepLIFT rule kind. The tables are guarded by
 * _Static_assert on DM_OP_COUNT, so an op without an attribution rule does
 * not compile.
 *
 * Activations are per row (one sequence, or one reference) of shape
 * (len, ch), channels last, row-major; a batch is (n, len, ch). Flatten is the
 * identity on this layout, Dense applies to the last axis (as Keras does).
 * Kernels are pure: no I/O, no allocation; scratch comes from the caller
 * (dm_ops_scratch_floats tells how much).
 */
#ifndef DM_OPS_H
#define DM_OPS_H

#include <stddef.h>

#include "dm_log.h"

/** Layer ops. Keras Flatten, Dropout map to DM_OP_IDENTITY. */
typedef enum {
  DM_OP_CONV1D,    /* Conv1D: strides, dilation, valid/same padding, bias */
  DM_OP_DENSE,     /* Dense on the last axis */
  DM_OP_BATCHNORM, /* inference BatchNormalization, folded to y = x*scale + shift */
  DM_OP_RELU,      /* elementwise max(x, 0) */
  DM_OP_SIGMOID,   /* elementwise 1/(1+exp(-x)) */
  DM_OP_MAXPOOL1D, /* MaxPooling1D */
  DM_OP_AVGPOOL1D, /* AveragePooling1D (padding cells excluded from the mean) */
  DM_OP_IDENTITY,  /* Flatten, Dropout */
  DM_OP_COUNT
} dm_op_t;

/** How DeepLIFT passes multipliers through an op. */
typedef enum {
  DM_RULE_LINEAR_W,  /* weighted sum (conv, dense): W+/W- split by the sign of the input delta */
  DM_RULE_LINEAR,    /* linear, elementwise or averaging (batchnorm, avg-pool, identity) */
  DM_RULE_NONLINEAR, /* elementwise nonlinearity: Rescale or RevealCancel */
  DM_RULE_MAXPOOL,   /* multipliers go to the argmax of the input ("gradient" mode) */
} dm_rule_kind_t;

/** One layer with its shapes and weights (weights owned by the model). */
typedef struct dm_layer {
  dm_op_t op;
  char name[64];                /* Keras layer name (activation= gets "<name>/activation") */
  int in_len, in_ch;            /* input per row: (in_len, in_ch) */
  int out_len, out_ch;          /* output per row: (out_len, out_ch) */
  int kernel, stride, dilation; /* conv and pooling windows */
  int pad_left;                 /* leading zero padding ('same'), 0 for 'valid' */
  float *w;                     /* conv (kernel, in_ch, out_ch); dense (in_ch, out_ch) */
  float *wpos, *wneg;           /* max(w, 0) and min(w, 0), same shape as w */
  float *b;                     /* (out_ch) bias, conv and dense */
  float *scale;                 /* batchnorm (in_ch): gamma / sqrt(var + eps) */
  float *shift;                 /* batchnorm (in_ch): beta - mean * scale */
} dm_layer_t;

/** Context of a backward call (see dm_ops_backward). */
typedef struct {
  int n;              /* rows of the forward context */
  int rep;            /* dy and dx hold rep blocks of n rows: (rep, n, ...) */
  const float *x;     /* forward input of the layer, row r%n of dy uses row (r%n)/xdiv */
  int xdiv;           /* >= 1; lets n pairs share n/xdiv forward rows */
  const float *slope; /* (n, out) replaces f'(x) of a nonlinear op (DeepLIFT), or NULL */
  float *scratch;     /* dm_ops_scratch_floats(layer) floats */
} dm_bwd_ctx_t;

/** @return the op's name, e.g. "conv1d". */
const char *dm_ops_name(dm_op_t op);

/** @return the op's DeepLIFT rule kind. */
dm_rule_kind_t dm_ops_rule(dm_op_t op);

/** @return floats of input per row of layer ly (in_len * in_ch). */
size_t dm_ops_in_size(const dm_layer_t *ly);

/** @return floats of output per row of layer ly (out_len * out_ch). */
size_t dm_ops_out_size(const dm_layer_t *ly);

/** @return floats of scratch a forward or backward call of ly needs (any row count). */
size_t dm_ops_scratch_floats(const dm_layer_t *ly);

/** @return multiply-adds per row of ly's forward pass (0 for cheap ops). */
double dm_ops_macs(const dm_layer_t *ly);

/**
 * @brief Forward pass of one layer.
 * @param ly      the layer
 * @param n       rows
 * @param x       (n, in_len, in_ch) input
 * @param y       (n, out_len, out_ch) output
 * @param scratch dm_ops_scratch_floats(ly) floats
 */
void dm_ops_forward(const dm_layer_t *ly, int n, const float *x, float *y, float *scratch);

/**
 * @brief Backward pass of one layer: dx = (dy/dx)^T dy for rep*n rows.
 * @param ly the layer
 * @param c  forward context (x, or slope for nonlinear ops) and scratch
 * @param dy (rep*n, out_len, out_ch) multipliers of the output
 * @param dx (rep*n, in_len, in_ch) multipliers of the input (overwritten)
 */
void dm_ops_backward(const dm_layer_t *ly, const dm_bwd_ctx_t *c, const float *dy, float *dx);

/**
 * @brief y (+)= x * w without bias for a conv or dense layer with the given weights.
 * @param ly         conv or dense layer (shapes)
 * @param w          weights shaped like ly->w (e.g. ly->wpos)
 * @param n          rows
 * @param x          (n, in_len, in_ch)
 * @param y          (n, out_len, out_ch)
 * @param accumulate 0: overwrite y; 1: add to y
 * @param scratch    dm_ops_scratch_floats(ly) floats
 */
void dm_ops_linear_apply(const dm_layer_t *ly, const float *w, int n, const float *x, float *y,
                         int accumulate, float *scratch);

/**
 * @brief dx (+)= dy * w^T (transpose of dm_ops_linear_apply) for a conv or dense layer.
 * @param ly, w, n, accumulate, scratch as for dm_ops_linear_apply
 * @param dy (n, out_len, out_ch)
 * @param dx (n, in_len, in_ch)
 */
void dm_ops_linear_transpose(const dm_layer_t *ly, const float *w, int n, const float *dy, float *dx,
                             int accumulate, float *scratch);

/**
 * @brief Elementwise function of a nonlinear op (relu, sigmoid), in double so that
 *        DeepLIFT's differences f(z + 1e-7) - f(z) keep their digits.
 * @param op  a DM_RULE_NONLINEAR op
 * @param x   input value
 * @return f(x)
 */
double dm_ops_eval(dm_op_t op, double x);

/** @brief Derivative f'(x) of a nonlinear op (relu: 1 if x > 0 else 0). */
float dm_ops_deriv(dm_op_t op, float x);

#endif
