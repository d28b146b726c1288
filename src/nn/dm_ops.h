/* dm_ops: the ops of the network graph and their kernels (one op registry).
 *
 * Every op has a row in the tables of dm_ops.c: name, forward kernel,
 * backward kernel and DeepLIFT rule kind. The tables are guarded by
 * _Static_assert on DM_OP_COUNT, so an op without an attribution rule does
 * not compile.
 *
 * Activations are per row (one sequence, or one reference) of shape
 * (len, ch), channels last, row-major; a batch is (n, len, ch). Flatten is a
 * reshape on this layout, Dense applies to the last axis (as Keras does).
 * Kernels are pure: no I/O, no allocation; scratch comes from the caller
 * (dm_ops_scratch_floats tells how much).
 */
#ifndef DM_OPS_H
#define DM_OPS_H

#include <stddef.h>

#include "dm_log.h"

/** Ops. Keras Flatten and Dropout, ONNX Identity and Dropout map to
 * DM_OP_IDENTITY (Flatten through DM_OP_RESHAPE when it changes the shape);
 * GlobalAveragePooling1D / GlobalMaxPooling1D are the pooling ops with
 * kernel = stride = input length; Mul / Add by a per-channel or scalar
 * constant are DM_OP_BATCHNORM (y = x*scale[c] + shift[c]). */
typedef enum {
  DM_OP_CONV1D,    /* Conv1D: strides, dilation, explicit zero padding, bias */
  DM_OP_DENSE,     /* Dense on the last axis (channels) */
  DM_OP_BATCHNORM, /* per-channel affine y = x*scale[c] + shift[c] (BatchNorm folded, Mul/Add by a constant)
                    */
  DM_OP_RELU,      /* elementwise max(x, 0) */
  DM_OP_SIGMOID,   /* elementwise 1/(1+exp(-x)) */
  DM_OP_MAXPOOL1D, /* MaxPooling1D, GlobalMaxPooling1D */
  DM_OP_AVGPOOL1D, /* AveragePooling1D, GlobalAveragePooling1D (padding cells excluded from the mean) */
  DM_OP_IDENTITY,  /* Dropout, Identity (same shape) */
  DM_OP_ADD,       /* y = x0 + x1 + ... (n_in >= 2, all of the output's shape) */
  DM_OP_SUB,       /* y = x0 - x1 (same shapes) */
  DM_OP_CONCAT,    /* concatenation along axis (DM_AXIS_CH or DM_AXIS_LEN); other axis equal */
  DM_OP_SLICE,     /* y = x[start : start + out] along axis (Cropping1D, ONNX Slice) */
  DM_OP_RESHAPE,   /* same row-major data, new (len, ch) of equal size (Flatten, Reshape, (Un)Squeeze) */
  DM_OP_TRANSPOSE, /* per row (len, ch) -> (ch, len) (channels-first <-> channels-last) */
  DM_OP_COUNT
} dm_op_t;

/** Axis of a per-row tensor (len, ch). */
typedef enum { DM_AXIS_LEN = 0, DM_AXIS_CH = 1 } dm_axis_t;

/** Most inputs of one node (Concatenate). */
#define DM_NODE_MAX_IN 16

/** How DeepLIFT passes multipliers through an op. */
typedef enum {
  DM_RULE_LINEAR_W,  /* weighted sum (conv, dense): W+/W- split by the sign of the input delta */
  DM_RULE_LINEAR,    /* linear: the gradient (affine, avg-pool, identity, add, sub, concat, slice, reshape,
                        transpose) */
  DM_RULE_NONLINEAR, /* elementwise nonlinearity: Rescale or RevealCancel */
  DM_RULE_MAXPOOL,   /* multipliers go to the argmax of the input ("gradient" mode) */
} dm_rule_kind_t;

/** One node of the graph with its shapes and weights (weights owned by the model).
 * Shapes are per row; a batch of n rows is (n, len, ch), channels last, row-major. */
typedef struct dm_node {
  dm_op_t op;
  char name[64];                /* layer / node name for messages (activation= gets "<name>/activation") */
  int n_in;                     /* inputs, 1..DM_NODE_MAX_IN */
  int in[DM_NODE_MAX_IN];       /* input tensor ids (dm_graph.h) */
  int part[DM_NODE_MAX_IN];     /* concat: size of input k along axis */
  int out;                      /* output tensor id */
  int in_len, in_ch;            /* shape of input 0 (all inputs except for concat) */
  int out_len, out_ch;          /* output shape */
  int kernel, stride, dilation; /* conv and pooling windows */
  int pad_left;                 /* leading zero padding (trailing padding follows from out_len) */
  int axis;                     /* concat, slice: a dm_axis_t */
  int start;                    /* slice: first element kept along axis */
  float *w;                     /* conv (kernel, in_ch, out_ch); dense (in_ch, out_ch) */
  float *wpos, *wneg;           /* max(w, 0) and min(w, 0), same shape as w */
  float *b;                     /* (out_ch) bias, conv and dense */
  float *scale;                 /* batchnorm (in_ch): gamma / sqrt(var + eps), or the constant factor */
  float *shift;                 /* batchnorm (in_ch): beta - mean * scale, or the constant term */
} dm_node_t;

/** Context of a backward call (see dm_ops_backward). */
typedef struct {
  int n;                 /* rows of the forward context */
  int rep;               /* dy and dx hold rep blocks of n rows: (rep, n, ...) */
  const float *const *x; /* (n_in) forward inputs of the node; row r%n of dy uses row (r%n)/xdiv */
  int xdiv;              /* >= 1; lets n pairs share n/xdiv forward rows */
  const float *slope;    /* (n, out) replaces f'(x) of a nonlinear op (DeepLIFT), or NULL */
  float *scratch;        /* dm_ops_scratch_floats(node) floats */
} dm_bwd_ctx_t;

/** @return the op's name, e.g. "conv1d". */
const char *dm_ops_name(dm_op_t op);

/** @return the op's DeepLIFT rule kind. */
dm_rule_kind_t dm_ops_rule(dm_op_t op);

/** @return floats of input 0 per row of node ly (in_len * in_ch). */
size_t dm_ops_in_size(const dm_node_t *ly);

/** @return floats of input k per row of node ly (differs from input 0 for concat only). */
size_t dm_ops_in_size_k(const dm_node_t *ly, int k);

/** @return floats of output per row of layer ly (out_len * out_ch). */
size_t dm_ops_out_size(const dm_node_t *ly);

/** @return floats of scratch a forward or backward call of ly needs (any row count). */
size_t dm_ops_scratch_floats(const dm_node_t *ly);

/** @return multiply-adds per row of ly's forward pass (0 for cheap ops). */
double dm_ops_macs(const dm_node_t *ly);

/**
 * @brief Forward pass of one node.
 * @param ly      the node
 * @param n       rows
 * @param x       (n_in) inputs, x[k] of (n, size of input k)
 * @param y       (n, out_len, out_ch) output
 * @param scratch dm_ops_scratch_floats(ly) floats
 */
void dm_ops_forward(const dm_node_t *ly, int n, const float *const *x, float *y, float *scratch);

/**
 * @brief Backward pass of one node: dx[k] = (dy/dx[k])^T dy for rep*n rows.
 * @param ly the node
 * @param c  forward context (x, or slope for nonlinear ops) and scratch
 * @param dy (rep*n, out_len, out_ch) multipliers of the output
 * @param dx (n_in) multipliers of each input, (rep*n, size of input k) (overwritten)
 */
void dm_ops_backward(const dm_node_t *ly, const dm_bwd_ctx_t *c, const float *dy, float *const *dx);

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
void dm_ops_linear_apply(const dm_node_t *ly, const float *w, int n, const float *x, float *y, int accumulate,
                         float *scratch);

/**
 * @brief dx (+)= dy * w^T (transpose of dm_ops_linear_apply) for a conv or dense layer.
 * @param ly, w, n, accumulate, scratch as for dm_ops_linear_apply
 * @param dy (n, out_len, out_ch)
 * @param dx (n, in_len, in_ch)
 */
void dm_ops_linear_transpose(const dm_node_t *ly, const float *w, int n, const float *dy, float *dx,
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
