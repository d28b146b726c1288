/* dm_onnx_graph: ONNX model -> graph IR (see dm_onnx_graph.h). */
#include "dm_onnx_graph.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm_mem.h"
#include "dm_onnx.h"
#include "dm_onnx_fold.h"

/* An ONNX value: a computed tensor of the graph, or a constant. */
typedef struct {
  const char *name;
  int t;        /* IR tensor id, -1 for a constant */
  int rank;     /* ONNX rank with the batch axis: 1..3 */
  int64_t d[3]; /* ONNX dims; d[0] (batch) is not used */
  int swap;     /* rank 3: IR (len, ch) = (d[2], d[1]) if set, else (d[1], d[2]); rank 2: (1, d[1]) */
  const dm_onnx_tensor_t *c; /* constant data (t == -1) */
  dm_out_act_t act;          /* output activation folded into this value (Softmax, LogSoftmax, Sigmoid) */
  int act_axis;              /* ONNX axis of that activation */
} val_t;

/* Loader state. */
typedef struct {
  const dm_onnx_model_t *o;
  dm_model_t *g;
  val_t *v; /* (n_v) values defined so far; the latest of a name wins */
  int n_v, cap_v;
  dm_onnx_tensor_t **own; /* (n_own) tensors made from Constant attributes */
  int n_own;
  const dm_onnx_node_t *nd; /* node being mapped */
  char node_name[64];       /* its name, or "<op_type>_<index>" */
  int aux;                  /* counter of inserted nodes */
} ld_t;

// --- messages, values, attributes

static int node_err(ld_t *L, const char *fmt, ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  dm_log_error("%s: node '%s' (%s): %s", L->o->source, L->node_name, L->nd->op_type, msg);
  return -1;
}

static const val_t *find_val(const ld_t *L, const char *name) {
  for (int k = L->n_v - 1; k >= 0; k--)
    if (!strcmp(L->v[k].name, name)) return &L->v[k];
  return NULL;
}

static void add_val(ld_t *L, const val_t *v) {
  if (L->n_v == L->cap_v) {
    L->cap_v = L->cap_v ? 2 * L->cap_v : 64;
    L->v = dm_realloc("onnx values", L->v, sizeof *L->v * L->cap_v);
  }
  L->v[L->n_v++] = *v;
}

static void ir_shape(const val_t *v, int *len, int *ch) {
  if (v->rank == 3) {
    *len = (int)(v->swap ? v->d[2] : v->d[1]);
    *ch = (int)(v->swap ? v->d[1] : v->d[2]);
  } else {
    *len = 1;
    *ch = v->rank == 2 ? (int)v->d[1] : 1;
  }
}

/* IR axis of non-batch ONNX axis a of v. */
static dm_axis_t ir_axis(const val_t *v, int a) {
  if (v->rank < 3) return DM_AXIS_CH;
  return (a == 1) != (v->swap != 0) ? DM_AXIS_LEN : DM_AXIS_CH;
}

static int64_t attr_i(const dm_onnx_node_t *nd, const char *name, int64_t def) {
  const dm_onnx_attr_t *a = dm_onnx_attr(nd, name);
  return a && a->type == DM_ONNX_ATTR_INT ? a->i : def;
}

static float attr_f(const dm_onnx_node_t *nd, const char *name, float def) {
  const dm_onnx_attr_t *a = dm_onnx_attr(nd, name);
  return a && a->type == DM_ONNX_ATTR_FLOAT ? a->f : def;
}

/* First element of an ints attribute (1-D ops), def if absent; -1 (logged) if it has n_want != count. */
static int attr_1d(ld_t *L, const char *name, int n_want, int64_t def, int64_t *out) {
  const dm_onnx_attr_t *a = dm_onnx_attr(L->nd, name);
  out[0] = def;
  if (n_want > 1) out[1] = def;
  if (!a) return 0;
  if (a->n_ints != n_want)
    return node_err(L, "%s has %d values; only 1-D ops are supported", name, a->n_ints);
  for (int k = 0; k < n_want; k++) out[k] = a->ints[k];
  return 0;
}

static int has_input(const dm_onnx_node_t *nd, int k) { return k < nd->n_in && nd->in[k][0]; }

/* Value of input k of the node; -1 (logged) if missing or unknown. */
static int input(ld_t *L, int k, val_t *out) {
  if (!has_input(L->nd, k)) return node_err(L, "input %d is missing", k);
  const val_t *v = find_val(L, L->nd->in[k]);
  if (!v) return node_err(L, "input '%s' is not defined before the node", L->nd->in[k]);
  *out = *v;
  return 0;
}

/* A computed (non-constant) input. */
static int computed(ld_t *L, int k, val_t *out) {
  if (input(L, k, out)) return -1;
  if (out->t < 0)
    return node_err(L, "input '%s' is a constant where a computed tensor is expected", out->name);
  if (out->act != DM_OUT_LINEAR) return node_err(L, "input '%s' comes from an output activation", out->name);
  return 0;
}

/* A constant input of a float or integer type; NULL (logged) if not constant. */
static const dm_onnx_tensor_t *constant(ld_t *L, int k, const char *what, int want_float) {
  val_t v;
  if (input(L, k, &v)) return NULL;
  if (v.t >= 0 || !v.c) {
    node_err(L, "%s ('%s') must be a constant (an initializer or Constant)", what, v.name);
    return NULL;
  }
  if (want_float && !v.c->f) {
    node_err(L, "%s ('%s') is not a float tensor", what, v.name);
    return NULL;
  }
  if (!want_float && !v.c->i) {
    node_err(L, "%s ('%s') is not an integer tensor", what, v.name);
    return NULL;
  }
  return v.c;
}

/* Ints of an attribute (older opsets) or of constant input k (newer); *n = -1 if neither is given. */
static int ints_of(ld_t *L, const char *attr, int k, const int64_t **out, int *n) {
  const dm_onnx_attr_t *a = dm_onnx_attr(L->nd, attr);
  *n = -1;
  if (a) {
    *out = a->ints;
    *n = a->n_ints;
  } else if (has_input(L->nd, k)) {
    const dm_onnx_tensor_t *t = constant(L, k, attr, 0);
    if (!t) return -1;
    *out = t->i;
    *n = (int)t->n;
  }
  return 0;
}

/* Normalized non-batch axis of a rank-r value; -1 (logged) for the batch axis or out of range. */
static int norm_axis(ld_t *L, int64_t a, int rank) {
  if (a < 0) a += rank;
  if (a < 1 || a >= rank)
    return node_err(L, "axis %lld of a rank-%d tensor (the batch axis or out of range)", (long long)a, rank);
  return (int)a;
}

// --- emitting IR nodes

/* Adds node s (name and output name set here): the node's last IR node gets the
 * ONNX output name (suffix NULL), inserted ones "<output>/<suffix><k>". */
static int emit(ld_t *L, dm_node_spec_t *s, const char *suffix) {
  char name[64], out[96];
  const char *base = L->nd->n_out ? L->nd->out[0] : L->node_name;
  if (suffix) {
    L->aux++;
    snprintf(name, sizeof name, "%.40s/%.9s%d", L->node_name, suffix, L->aux % 1000000);
    snprintf(out, sizeof out, "%.70s/%.9s%d", base, suffix, L->aux % 1000000);
  } else {
    snprintf(name, sizeof name, "%s", L->node_name);
    snprintf(out, sizeof out, "%.95s", base);
  }
  s->name = name;
  s->out_name = out;
  return dm_graph_add_node(L->g, s);
}

/* Defines the node's output value v (IR tensor t), checking the shapes agree. */
static int define(ld_t *L, val_t *v, int t) {
  if (t < 0) return -1;
  int len, ch;
  v->t = t;
  v->c = NULL;
  v->name = L->nd->out[0];
  ir_shape(v, &len, &ch);
  if (len != L->g->tensors[t].len || ch != L->g->tensors[t].ch)
    return node_err(L, "internal: ONNX shape maps to (%d, %d), the graph made (%d, %d)", len, ch,
                    L->g->tensors[t].len, L->g->tensors[t].ch);
  add_val(L, v);
  return 0;
}

/* Gives a rank-3 value the wanted orientation (IR Transpose, or Reshape when one axis is 1). */
static int orient(ld_t *L, val_t *v, int want_swap) {
  if (v->rank != 3 || !v->swap == !want_swap) return 0;
  int len, ch;
  ir_shape(v, &len, &ch);
  dm_node_spec_t s = {.n_in = 1, .in = {v->t}};
  s.op = len == 1 || ch == 1 ? DM_OP_RESHAPE : DM_OP_TRANSPOSE;
  s.len = ch;
  s.ch = len;
  int t = emit(L, &s, s.op == DM_OP_RESHAPE ? "reshape" : "transpose");
  if (t < 0) return -1;
  v->t = t;
  v->swap = want_swap;
  return 0;
}

/* Output value of a reshape-like op: the same data in ONNX row-major order with new dims. */
static int reshape_to(ld_t *L, val_t x, int rank, const int64_t *dims) {
  if (rank < 1 || rank > 3)
    return node_err(L, "result of rank %d is not supported (1 to 3 with the batch)", rank);
  int64_t n_in = 1, n_out = 1;
  for (int k = 1; k < x.rank; k++) n_in *= x.d[k];
  for (int k = 1; k < rank; k++) n_out *= dims[k];
  if (n_in != n_out)
    return node_err(L, "cannot reshape %lld values per row into %lld", (long long)n_in, (long long)n_out);
  if (x.rank == 3 && x.swap && x.d[1] > 1 && x.d[2] > 1 && orient(L, &x, 0)) return -1;
  val_t y = {.rank = rank, .d = {0, rank > 1 ? dims[1] : 1, rank > 2 ? dims[2] : 1}};
  int len, ch, xl, xc;
  ir_shape(&y, &len, &ch);
  ir_shape(&x, &xl, &xc);
  if (len == xl && ch == xc) { /* same IR shape: no node */
    y.t = x.t;
    y.name = L->nd->out[0];
    add_val(L, &y);
    return 0;
  }
  dm_node_spec_t s = {.op = DM_OP_RESHAPE, .n_in = 1, .in = {x.t}, .len = len, .ch = ch};
  return define(L, &y, emit(L, &s, NULL));
}

/* The node's output is its input (Identity, Dropout, Transpose of nothing, ...). */
static int alias(ld_t *L, val_t x) {
  x.name = L->nd->out[0];
  add_val(L, &x);
  return 0;
}

static float *fdup(const float *a, int64_t n) {
  float *b = dm_malloc("onnx weights", sizeof(float) * (size_t)(n ? n : 1));
  memcpy(b, a, sizeof(float) * (size_t)n);
  return b;
}

// --- ops

/* auto_pad / pads of a 1-D window op on input length len. */
static int window_pads(ld_t *L, int len, int k, int stride, int dil, int *pl, int *pr) {
  const dm_onnx_attr_t *ap = dm_onnx_attr(L->nd, "auto_pad");
  const char *mode = ap && ap->s ? ap->s : "NOTSET";
  int64_t pads[2];
  if (attr_1d(L, "pads", 2, 0, pads)) return -1;
  *pl = (int)pads[0];
  *pr = (int)pads[1];
  if (!strcmp(mode, "VALID")) {
    *pl = *pr = 0;
  } else if (!strcmp(mode, "SAME_UPPER") || !strcmp(mode, "SAME_LOWER")) {
    int out = (len + stride - 1) / stride, total = (out - 1) * stride + (k - 1) * dil + 1 - len;
    if (total < 0) total = 0;
    *pl = mode[5] == 'U' ? total / 2 : total - total / 2;
    *pr = total - *pl;
  } else if (strcmp(mode, "NOTSET")) {
    return node_err(L, "auto_pad '%s' is not supported", mode);
  }
  return 0;
}

static int map_conv(ld_t *L) {
  val_t x;
  if (computed(L, 0, &x)) return -1;
  const dm_onnx_tensor_t *w = constant(L, 1, "weight", 1), *b = NULL;
  if (!w || (has_input(L->nd, 2) && !(b = constant(L, 2, "bias", 1)))) return -1;
  if (x.rank != 3 || w->ndim != 3)
    return node_err(L, "only 1-D convolutions ((N, C, L) input, (out, in, k) weight) are supported");
  int64_t groups = attr_i(L->nd, "group", 1);
  int co = (int)w->dims[0], cg = (int)w->dims[1], k = (int)w->dims[2], ci = (int)(cg * groups);
  if (groups < 1 || co % groups)
    return node_err(L, "group %lld does not divide the %d filters", (long long)groups, co);
  int64_t dil, stride, ks;
  if (attr_1d(L, "dilations", 1, 1, &dil) || attr_1d(L, "strides", 1, 1, &stride) ||
      attr_1d(L, "kernel_shape", 1, k, &ks))
    return -1;
  if (ks != k) return node_err(L, "kernel_shape %lld does not match the weight's %d", (long long)ks, k);
  if (orient(L, &x, 1)) return -1;
  if (x.d[1] != ci) return node_err(L, "input has %lld channels, the weight %d", (long long)x.d[1], ci);
  if (b && b->n != co) return node_err(L, "bias has %lld values for %d filters", (long long)b->n, co);
  dm_node_spec_t s = {.op = DM_OP_CONV1D,
                      .n_in = 1,
                      .in = {x.t},
                      .units = co,
                      .kernel = k,
                      .stride = (int)stride,
                      .dilation = (int)dil};
  if (window_pads(L, (int)x.d[2], k, (int)stride, (int)dil, &s.pad_left, &s.pad_right)) return -1;
  /* (out, in / group, k) -> (k, in, out); a grouped conv becomes a full one
   * with zero weights between groups (filter o reads input channels of group o / (co / groups)) */
  s.w = dm_calloc("conv weights", (size_t)k * ci * co, sizeof(float));
  for (int o = 0; o < co; o++) {
    int first = (int)(o / (co / groups)) * cg;
    for (int i = 0; i < cg; i++)
      for (int j = 0; j < k; j++)
        s.w[((size_t)j * ci + first + i) * co + o] = w->f[((size_t)o * cg + i) * k + j];
  }
  s.b = b ? fdup(b->f, co) : NULL;
  int t = emit(L, &s, NULL);
  val_t y = {.rank = 3, .d = {0, co, t >= 0 ? L->g->tensors[t].len : 0}, .swap = 1};
  return define(L, &y, t);
}

/* Dense of x's last ONNX axis: w (K, U) row-major, b (U) or NULL (both owned). */
static int dense(ld_t *L, val_t x, int K, int U, float *w, float *b) {
  if (x.rank == 3 && orient(L, &x, 0)) {
    free(w);
    free(b);
    return -1;
  }
  if (x.d[x.rank - 1] != K) {
    free(w);
    free(b);
    return node_err(L, "input's last axis has %lld values, the weight %d", (long long)x.d[x.rank - 1], K);
  }
  dm_node_spec_t s = {.op = DM_OP_DENSE, .n_in = 1, .in = {x.t}, .units = U, .w = w, .b = b};
  val_t y = x;
  y.d[x.rank - 1] = U;
  return define(L, &y, emit(L, &s, NULL));
}

static int map_gemm(ld_t *L) {
  val_t x;
  if (computed(L, 0, &x)) return -1;
  const dm_onnx_tensor_t *B = constant(L, 1, "B", 1), *C = NULL;
  if (!B || (has_input(L->nd, 2) && !(C = constant(L, 2, "C", 1)))) return -1;
  if (x.rank != 2 || B->ndim != 2) return node_err(L, "A must be (N, K) and B 2-D");
  if (attr_i(L->nd, "transA", 0)) return node_err(L, "transA is not supported");
  int tb = attr_i(L->nd, "transB", 0) != 0;
  int K = (int)B->dims[tb ? 1 : 0], U = (int)B->dims[tb ? 0 : 1];
  float alpha = attr_f(L->nd, "alpha", 1.0f), beta = attr_f(L->nd, "beta", 1.0f);
  if (C && C->n != U && C->n != 1) return node_err(L, "C has %lld values for %d units", (long long)C->n, U);
  float *w = dm_malloc("dense weights", sizeof(float) * (size_t)K * U), *b = NULL;
  for (int k = 0; k < K; k++)
    for (int u = 0; u < U; u++)
      w[(size_t)k * U + u] = alpha * B->f[tb ? (size_t)u * K + k : (size_t)k * U + u];
  if (C) {
    b = dm_malloc("dense bias", sizeof(float) * U);
    for (int u = 0; u < U; u++) b[u] = beta * C->f[C->n == 1 ? 0 : u];
  }
  return dense(L, x, K, U, w, b);
}

static int map_matmul(ld_t *L) {
  val_t x;
  if (computed(L, 0, &x)) return -1;
  const dm_onnx_tensor_t *B = constant(L, 1, "B", 1);
  if (!B) return -1;
  if (B->ndim != 2) return node_err(L, "B must be a 2-D constant");
  return dense(L, x, (int)B->dims[0], (int)B->dims[1], fdup(B->f, B->n), NULL);
}

/* Add, Sub, Mul, Div. */
static int map_binary(ld_t *L) {
  const char *op = L->nd->op_type;
  val_t a, b;
  if (input(L, 0, &a) || input(L, 1, &b)) return -1;
  if (a.t >= 0 && b.t >= 0) {
    if (computed(L, 0, &a) || computed(L, 1, &b)) return -1;
    if (strcmp(op, "Add") && strcmp(op, "Sub"))
      return node_err(L, "%s of two computed tensors is not supported (only by a constant)", op);
    if (a.rank != b.rank || a.d[1] != b.d[1] || (a.rank == 3 && a.d[2] != b.d[2]))
      return node_err(L, "inputs of different shapes (broadcasting is not supported)");
    if (orient(L, &b, a.swap)) return -1;
    dm_node_spec_t s = {.op = op[0] == 'A' ? DM_OP_ADD : DM_OP_SUB, .n_in = 2, .in = {a.t, b.t}};
    val_t y = a;
    return define(L, &y, emit(L, &s, NULL));
  }
  if (a.t < 0 && b.t < 0) return node_err(L, "operates on constants only and does not fold");
  int first = a.t >= 0;
  val_t x;
  if (computed(L, first ? 0 : 1, &x)) return -1;
  const dm_onnx_tensor_t *c = constant(L, first ? 1 : 0, "constant operand", 1);
  if (!c) return -1;
  /* the constant varies along at most one non-batch axis, which becomes the IR channel axis */
  int axis = 0;
  if (c->ndim > x.rank) return node_err(L, "constant of rank %d broadcast to rank %d", c->ndim, x.rank);
  for (int k = 0; k < c->ndim; k++) {
    int xa = x.rank - c->ndim + k;
    if (c->dims[k] == 1) continue;
    if (xa == 0 || axis || c->dims[k] != x.d[xa])
      return node_err(L, "constant of this shape is not supported (scalar or per channel only)");
    axis = xa;
  }
  if (axis && x.rank == 3 && orient(L, &x, axis == 1)) return -1;
  int len, ch;
  ir_shape(&x, &len, &ch);
  float *scale = dm_malloc("affine", sizeof(float) * ch), *shift = dm_malloc("affine", sizeof(float) * ch);
  for (int i = 0; i < ch; i++) {
    float cv = c->f[axis ? i : 0];
    scale[i] = 1.0f;
    shift[i] = 0.0f;
    if (!strcmp(op, "Add")) {
      shift[i] = cv;
    } else if (!strcmp(op, "Sub")) {
      shift[i] = first ? -cv : cv;
      scale[i] = first ? 1.0f : -1.0f;
    } else if (!strcmp(op, "Mul")) {
      scale[i] = cv;
    } else if (first && cv != 0.0f) {
      scale[i] = 1.0f / cv;
    } else {
      free(scale);
      free(shift);
      return node_err(L, first ? "division by a zero constant" : "division of a constant by a tensor");
    }
  }
  dm_node_spec_t s = {.op = DM_OP_BATCHNORM, .n_in = 1, .in = {x.t}, .scale = scale, .shift = shift};
  val_t y = x;
  return define(L, &y, emit(L, &s, NULL));
}

/* Number of nodes of a graph and its subgraphs reading value name. */
static int readers(const dm_onnx_model_t *gr, const char *name) {
  int n = 0;
  for (int i = 0; i < gr->n_nodes; i++) {
    for (int k = 0; k < gr->nodes[i].n_in; k++) n += !strcmp(gr->nodes[i].in[k], name);
    for (int k = 0; k < gr->nodes[i].n_attr; k++)
      if (gr->nodes[i].attr[k].g) n += readers(gr->nodes[i].attr[k].g, name);
  }
  return n;
}

static int consumers(const ld_t *L, const char *name) { return readers(L->o, name); }

static int is_graph_output(const ld_t *L, const char *name) {
  for (int k = 0; k < L->o->n_outputs; k++)
    if (!strcmp(L->o->outputs[k].name, name)) return 1;
  return 0;
}

/* Relu, Sigmoid; Softmax, LogSoftmax (and a final Sigmoid) as output activations. */
static int map_unary(ld_t *L) {
  const char *op = L->nd->op_type;
  val_t x;
  if (computed(L, 0, &x)) return -1;
  int as_output = is_graph_output(L, L->nd->out[0]) && consumers(L, L->nd->out[0]) == 0;
  if (!strcmp(op, "Relu") || (!strcmp(op, "Sigmoid") && !as_output)) {
    dm_node_spec_t s = {.op = op[0] == 'R' ? DM_OP_RELU : DM_OP_SIGMOID, .n_in = 1, .in = {x.t}};
    val_t y = x;
    return define(L, &y, emit(L, &s, NULL));
  }
  if (!as_output) return node_err(L, "%s is supported only as the activation of a model output", op);
  if (!strcmp(op, "Sigmoid")) {
    x.act = DM_OUT_SIGMOID;
    return alias(L, x);
  }
  int a = norm_axis(L, attr_i(L->nd, "axis", L->o->opset < 13 ? 1 : -1), x.rank);
  if (a < 0) return -1;
  if (L->o->opset < 13 && a != x.rank - 1) /* before opset 13: over all axes from `axis` on */
    return node_err(L, "%s over more than one axis (opset %lld) is not supported", op,
                    (long long)L->o->opset);
  x.act = !strcmp(op, "Softmax") ? DM_OUT_SOFTMAX : DM_OUT_LOGSOFTMAX;
  x.act_axis = a;
  return alias(L, x);
}

static int map_pool(ld_t *L) {
  const char *op = L->nd->op_type;
  val_t x;
  if (computed(L, 0, &x)) return -1;
  if (x.rank != 3) return node_err(L, "input must be (N, C, L)");
  if (orient(L, &x, 1)) return -1;
  int global = !strncmp(op, "Global", 6), avg = strstr(op, "Average") != NULL;
  dm_node_spec_t s = {.op = avg ? DM_OP_AVGPOOL1D : DM_OP_MAXPOOL1D, .n_in = 1, .in = {x.t}};
  if (!global) {
    int64_t k, stride, dil;
    const dm_onnx_attr_t *ks = dm_onnx_attr(L->nd, "kernel_shape");
    if (!ks || ks->n_ints != 1) return node_err(L, "kernel_shape must have 1 value (1-D pooling)");
    k = ks->ints[0];
    if (attr_1d(L, "strides", 1, 1, &stride) || attr_1d(L, "dilations", 1, 1, &dil)) return -1;
    if (dil != 1) return node_err(L, "dilated pooling is not supported");
    if (attr_i(L->nd, "ceil_mode", 0)) return node_err(L, "ceil_mode 1 is not supported");
    if (L->nd->n_out > 1 && L->nd->out[1][0]) return node_err(L, "the Indices output is not supported");
    s.kernel = (int)k;
    s.stride = (int)stride;
    if (window_pads(L, (int)x.d[2], (int)k, (int)stride, 1, &s.pad_left, &s.pad_right)) return -1;
    if (avg && attr_i(L->nd, "count_include_pad", 0) && (s.pad_left || s.pad_right))
      return node_err(L, "count_include_pad 1 with padding is not supported");
  }
  int t = emit(L, &s, NULL);
  val_t y = {.rank = 3, .d = {0, x.d[1], t >= 0 ? L->g->tensors[t].len : 0}, .swap = 1};
  return define(L, &y, t);
}

/* ReduceMean / ReduceMax over one non-batch axis of a rank-3 value: global pooling. */
static int map_reduce(ld_t *L) {
  val_t x;
  if (computed(L, 0, &x)) return -1;
  const int64_t *axes = NULL;
  int n = 0;
  if (ints_of(L, "axes", 1, &axes, &n)) return -1;
  if (x.rank != 3 || n != 1)
    return node_err(L, "only a reduction over one axis of an (N, C, L) tensor is supported");
  int a = norm_axis(L, axes[0], 3);
  if (a < 0 || orient(L, &x, a == 2)) return -1;
  dm_node_spec_t s = {
      .op = strstr(L->nd->op_type, "Mean") ? DM_OP_AVGPOOL1D : DM_OP_MAXPOOL1D, .n_in = 1, .in = {x.t}};
  val_t y = x;
  if (attr_i(L->nd, "keepdims", 1)) {
    y.d[a] = 1;
  } else {
    y.rank = 2;
    y.d[1] = x.d[3 - a];
    y.d[2] = 1;
    y.swap = 0;
  }
  return define(L, &y, emit(L, &s, NULL));
}

static int map_flatten(ld_t *L) {
  val_t x;
  if (computed(L, 0, &x)) return -1;
  int64_t a = attr_i(L->nd, "axis", 1);
  if (a < 0) a += x.rank;
  if (a != 1) return node_err(L, "only axis 1 (keep the batch axis) is supported");
  int64_t d[2] = {0, x.rank == 3 ? x.d[1] * x.d[2] : x.d[1]};
  return reshape_to(L, x, 2, d);
}

static int map_reshape(ld_t *L) {
  val_t x;
  if (computed(L, 0, &x)) return -1;
  const dm_onnx_tensor_t *sh = constant(L, 1, "shape", 0);
  if (!sh) return -1;
  if (sh->n < 1 || sh->n > 3) return node_err(L, "target of rank %lld is not supported", (long long)sh->n);
  if (attr_i(L->nd, "allowzero", 0)) return node_err(L, "allowzero 1 is not supported");
  int64_t d[3] = {0, 1, 1}, known = 1, per_row = 1;
  int infer = -1;
  for (int k = 1; k < x.rank; k++) per_row *= x.d[k];
  for (int k = 1; k < sh->n; k++) { /* shape[0] is the batch (torch writes the export batch, 0 or -1) */
    d[k] = sh->i[k];
    if (d[k] == 0) d[k] = k < x.rank ? x.d[k] : 1;
    if (d[k] == -1) {
      if (infer >= 0) return node_err(L, "more than one -1 in the target shape");
      infer = k;
    } else if (d[k] < 1) {
      return node_err(L, "bad target dimension %lld", (long long)d[k]);
    } else {
      known *= d[k];
    }
  }
  if (infer >= 0 && sh->i[0] == -1) return node_err(L, "-1 for both the batch and another axis");
  if (infer >= 0) d[infer] = known > 0 && per_row % known == 0 ? per_row / known : -1;
  if (infer >= 0 && d[infer] < 1) return node_err(L, "cannot infer the -1 of the target shape");
  return reshape_to(L, x, (int)sh->n, d);
}

/* Squeeze and Unsqueeze. */
static int map_squeeze(ld_t *L) {
  val_t x;
  if (computed(L, 0, &x)) return -1;
  const int64_t *axes = NULL;
  int n = 0, un = !strcmp(L->nd->op_type, "Unsqueeze");
  if (ints_of(L, "axes", 1, &axes, &n)) return -1;
  if (un && n < 1) return node_err(L, "no axes");
  int64_t d[8] = {0};
  int rank = 0;
  if (un) {
    int out_rank = x.rank + n, src = 1, mark[8] = {0};
    if (out_rank > 3) return node_err(L, "result of rank %d is not supported", out_rank);
    for (int k = 0; k < n; k++) {
      int a = norm_axis(L, axes[k], out_rank);
      if (a < 0) return -1;
      mark[a] = 1;
    }
    for (int k = 1; k < out_rank; k++) d[k] = mark[k] ? 1 : x.d[src++];
    rank = out_rank;
  } else {
    int mark[4] = {0};
    for (int k = 0; k < n; k++) {
      int a = norm_axis(L, axes[k], x.rank);
      if (a < 0) return -1;
      if (x.d[a] != 1) return node_err(L, "axis %d has size %lld, not 1", a, (long long)x.d[a]);
      mark[a] = 1;
    }
    rank = 1;
    for (int k = 1; k < x.rank; k++)
      if (!(n < 0 ? x.d[k] == 1 : mark[k])) d[rank++] = x.d[k];
  }
  return reshape_to(L, x, rank, d);
}

static int map_transpose(ld_t *L) {
  val_t x;
  if (computed(L, 0, &x)) return -1;
  const dm_onnx_attr_t *p = dm_onnx_attr(L->nd, "perm");
  if (!p || p->n_ints != x.rank || p->ints[0] != 0)
    return node_err(L, "only permutations of the non-batch axes (perm starting with 0) are supported");
  if (x.rank == 3 && p->ints[1] == 2 && p->ints[2] == 1) {
    int64_t t = x.d[1];
    x.d[1] = x.d[2];
    x.d[2] = t;
    x.swap = !x.swap;
  } else if (!(x.rank < 3 || (p->ints[1] == 1 && p->ints[2] == 2))) {
    return node_err(L, "unsupported perm");
  }
  return alias(L, x);
}

/* Slice along axis a of x to [s, e) (already clamped), as an inserted or final node. */
static int slice_axis(ld_t *L, val_t *x, int a, int64_t s, int64_t e, const char *suffix) {
  dm_node_spec_t sp = {
      .op = DM_OP_SLICE, .n_in = 1, .in = {x->t}, .axis = ir_axis(x, a), .start = (int)s, .stop = (int)e};
  int t = emit(L, &sp, suffix);
  if (t < 0) return -1;
  x->t = t;
  x->d[a] = e - s;
  return 0;
}

static int64_t clamp_index(int64_t i, int64_t dim) {
  if (i < 0) i += dim;
  return i < 0 ? 0 : i > dim ? dim : i;
}

static int map_slice(ld_t *L) {
  val_t x;
  if (computed(L, 0, &x)) return -1;
  const int64_t *st = NULL, *en = NULL, *ax = NULL, *sp = NULL;
  int ns, ne, na, np = -1;
  if (ints_of(L, "starts", 1, &st, &ns) || ints_of(L, "ends", 2, &en, &ne) || ints_of(L, "axes", 3, &ax, &na))
    return -1;
  if (has_input(L->nd, 4)) {
    const dm_onnx_tensor_t *t = constant(L, 4, "steps", 0);
    if (!t) return -1;
    sp = t->i;
    np = (int)t->n;
  }
  if (ns < 1 || ns > 3 || ne != ns || (na >= 0 && na != ns) || (np >= 0 && np != ns))
    return node_err(L, "starts, ends, axes and steps do not match");
  int64_t s[4], e[4];
  int axes[4], n = 0;
  for (int k = 0; k < ns; k++) {
    if (sp && sp[k] != 1) return node_err(L, "steps other than 1 are not supported");
    int64_t a = na >= 0 ? ax[k] : k;
    if (a < 0) a += x.rank;
    if (a == 0) {
      if (st[k] > 0 || (en[k] >= 0 && en[k] < INT32_MAX)) return node_err(L, "slicing the batch axis");
      continue;
    }
    if (a < 1 || a >= x.rank) return node_err(L, "axis %lld out of range", (long long)a);
    int64_t dim = x.d[a], lo = clamp_index(st[k], dim), hi = clamp_index(en[k], dim);
    if (hi <= lo)
      return node_err(L, "empty slice [%lld, %lld) of an axis of %lld", (long long)st[k], (long long)en[k],
                      (long long)dim);
    if (lo == 0 && hi == dim) continue;
    axes[n] = (int)a;
    s[n] = lo;
    e[n++] = hi;
  }
  if (n == 0) return alias(L, x);
  for (int k = 0; k < n; k++)
    if (slice_axis(L, &x, axes[k], s[k], e[k], k == n - 1 ? NULL : "slice")) return -1;
  return define(L, &x, x.t);
}

static int map_gather(ld_t *L) {
  val_t x;
  if (computed(L, 0, &x)) return -1;
  const dm_onnx_tensor_t *idx = constant(L, 1, "indices", 0);
  if (!idx) return -1;
  if (idx->n != 1 || idx->ndim > 1) return node_err(L, "only a single constant index is supported");
  int a = norm_axis(L, attr_i(L->nd, "axis", 0), x.rank);
  if (a < 0) return -1;
  int64_t i = idx->i[0] < 0 ? idx->i[0] + x.d[a] : idx->i[0];
  if (i < 0 || i >= x.d[a]) return node_err(L, "index %lld out of range", (long long)idx->i[0]);
  if (x.d[a] > 1 && slice_axis(L, &x, a, i, i + 1, idx->ndim ? NULL : "slice")) return -1;
  if (idx->ndim == 1) return define(L, &x, x.t);
  int64_t d[3] = {0, 1, 1};
  int rank = 1;
  for (int k = 1; k < x.rank; k++)
    if (k != a) d[rank++] = x.d[k];
  return reshape_to(L, x, rank, d);
}

/* A constant c concatenated along ONNX axis a to computed values like ref,
 * where a is the IR channel axis: a zero-weight Dense of ref with the
 * constant's values along a as bias. c must not vary along the other axes
 * (torch bakes the export batch into such constants; extra inputs are zeros). */
static int const_block(ld_t *L, const dm_onnx_tensor_t *c, const val_t *ref, int a, val_t *out) {
  if (ir_axis(ref, a) != DM_AXIS_CH || !c->f || c->ndim != ref->rank)
    return node_err(L, "a constant input to Concat is supported only along the channel axis");
  int64_t k = c->dims[a], inner = 1;
  for (int j = a + 1; j < c->ndim; j++) inner *= c->dims[j];
  float *v = dm_malloc("constant", sizeof(float) * (size_t)k);
  for (int64_t j = 0; j < k; j++) v[j] = c->f[j * inner];
  for (int64_t e = 0; e < c->n; e++)
    if (c->f[e] != v[(e / inner) % k]) {
      free(v);
      return node_err(L, "a constant input to Concat varies along an axis other than the concatenated one");
    }
  int len, ch;
  ir_shape(ref, &len, &ch);
  dm_node_spec_t s = {.op = DM_OP_DENSE,
                      .n_in = 1,
                      .in = {ref->t},
                      .units = (int)k,
                      .w = dm_calloc("constant", (size_t)ch * k, sizeof(float)),
                      .b = v};
  int t = emit(L, &s, "constant");
  if (t < 0) return -1;
  *out = *ref;
  out->t = t;
  out->d[a] = k;
  return 0;
}

static int map_concat(ld_t *L) {
  int n = L->nd->n_in, first = -1;
  if (n > DM_NODE_MAX_IN) return node_err(L, "more than %d inputs", DM_NODE_MAX_IN);
  val_t in[DM_NODE_MAX_IN];
  for (int k = 0; k < n; k++) {
    if (input(L, k, &in[k])) return -1;
    if (in[k].t >= 0 && first < 0) first = k;
  }
  if (first < 0) return node_err(L, "operates on constants only and does not fold");
  val_t ref = in[first];
  int a = norm_axis(L, attr_i(L->nd, "axis", 1), ref.rank);
  if (a < 0) return -1;
  dm_node_spec_t s = {.op = DM_OP_CONCAT, .n_in = n};
  val_t y = ref;
  y.d[a] = 0;
  for (int k = 0; k < n; k++) {
    if (in[k].t < 0) {
      if (const_block(L, in[k].c, &ref, a, &in[k])) return -1;
    } else if (computed(L, k, &in[k]) || orient(L, &in[k], ref.swap)) {
      return -1;
    }
    if (in[k].rank != ref.rank) return node_err(L, "inputs of different ranks");
    s.in[k] = in[k].t;
    y.d[a] += in[k].d[a];
  }
  s.axis = ir_axis(&ref, a);
  return define(L, &y, emit(L, &s, NULL));
}

static int map_batchnorm(ld_t *L) {
  val_t x;
  if (computed(L, 0, &x)) return -1;
  const dm_onnx_tensor_t *g = constant(L, 1, "scale", 1), *b = g ? constant(L, 2, "B", 1) : NULL,
                         *m = b ? constant(L, 3, "mean", 1) : NULL, *v = m ? constant(L, 4, "var", 1) : NULL;
  if (!v) return -1;
  if (attr_i(L->nd, "training_mode", 0)) return node_err(L, "training_mode 1 is not supported");
  if (x.rank == 3 && orient(L, &x, 1)) return -1;
  int C = (int)x.d[1];
  if (g->n != C || b->n != C || m->n != C || v->n != C)
    return node_err(L, "parameters do not have %d values", C);
  double eps = attr_f(L->nd, "epsilon", 1e-5f);
  float *scale = dm_malloc("bn", sizeof(float) * C), *shift = dm_malloc("bn", sizeof(float) * C);
  for (int c = 0; c < C; c++) {
    double sc = g->f[c] / sqrt((double)v->f[c] + eps);
    scale[c] = (float)sc;
    shift[c] = (float)(b->f[c] - m->f[c] * sc);
  }
  dm_node_spec_t s = {.op = DM_OP_BATCHNORM, .n_in = 1, .in = {x.t}, .scale = scale, .shift = shift};
  val_t y = x;
  return define(L, &y, emit(L, &s, NULL));
}

/* Pad by a constant on non-batch axes: the padding is a constant block
 * (x * 0 + value, sliced to the width) concatenated on each side. */
static int map_pad(ld_t *L) {
  val_t x;
  if (computed(L, 0, &x)) return -1;
  const dm_onnx_attr_t *mode = dm_onnx_attr(L->nd, "mode");
  if (mode && mode->s && strcmp(mode->s, "constant"))
    return node_err(L, "mode '%s' is not supported (only constant)", mode->s);
  if (has_input(L->nd, 3)) return node_err(L, "the axes input is not supported");
  const int64_t *pads = NULL;
  int n = 0, last = 0;
  if (ints_of(L, "pads", 1, &pads, &n)) return -1;
  if (n != 2 * x.rank) return node_err(L, "pads has %d values for a rank-%d input", n, x.rank);
  float value = attr_f(L->nd, "value", 0.0f);
  if (has_input(L->nd, 2)) {
    const dm_onnx_tensor_t *v = constant(L, 2, "constant_value", 1);
    if (!v) return -1;
    if (v->n != 1) return node_err(L, "constant_value is not a scalar");
    value = v->f[0];
  }
  if (pads[0] || pads[x.rank]) return node_err(L, "padding the batch axis");
  for (int a = 1; a < x.rank; a++) {
    if (pads[a] < 0 || pads[x.rank + a] < 0) return node_err(L, "negative pads are not supported");
    if (pads[a] || pads[x.rank + a]) last = a;
  }
  if (!last) return alias(L, x);
  for (int a = 1; a <= last; a++) {
    int64_t side[2] = {pads[a], pads[x.rank + a]};
    if (!side[0] && !side[1]) continue;
    dm_axis_t ax = ir_axis(&x, a);
    int len, ch;
    ir_shape(&x, &len, &ch);
    int dim = ax == DM_AXIS_LEN ? len : ch;
    if (side[0] > dim || side[1] > dim) return node_err(L, "padding wider than the axis (%d)", dim);
    float *shift = dm_malloc("pad", sizeof(float) * ch);
    for (int c = 0; c < ch; c++) shift[c] = value;
    dm_node_spec_t cs = {.op = DM_OP_BATCHNORM,
                         .n_in = 1,
                         .in = {x.t},
                         .scale = dm_calloc("pad", ch, sizeof(float)),
                         .shift = shift};
    int block = emit(L, &cs, "pad_value");
    if (block < 0) return -1;
    dm_node_spec_t cat = {.op = DM_OP_CONCAT, .axis = ax};
    for (int k = 0; k < 2; k++) {
      if (k == 1) cat.in[cat.n_in++] = x.t;
      if (!side[k]) continue;
      dm_node_spec_t sl = {.op = DM_OP_SLICE, .n_in = 1, .in = {block}, .axis = ax, .stop = (int)side[k]};
      if ((cat.in[cat.n_in++] = emit(L, &sl, "pad_side")) < 0) return -1;
    }
    int t = emit(L, &cat, a == last ? NULL : "pad");
    x.d[a] += side[0] + side[1];
    if (a == last) return define(L, &x, t);
    if (t < 0) return -1;
    x.t = t;
  }
  return -1; /* not reached: the loop ends at `last` */
}

/* Identity, Dropout, Cast to float. */
static int map_passthrough(ld_t *L) {
  const char *op = L->nd->op_type;
  val_t x;
  if (computed(L, 0, &x)) return -1;
  if (!strcmp(op, "Dropout") && L->nd->n_out > 1 && consumers(L, L->nd->out[1]))
    return node_err(L, "the mask output is not supported");
  if (!strcmp(op, "Cast") && attr_i(L->nd, "to", 0) != DM_ONNX_FLOAT)
    return node_err(L, "cast to type %lld is not supported", (long long)attr_i(L->nd, "to", 0));
  return alias(L, x);
}

/* A new constant tensor owned by the loader. */
static dm_onnx_tensor_t *own_tensor(ld_t *L) {
  dm_onnx_tensor_t *t = dm_calloc("constant", 1, sizeof *t);
  L->own = dm_realloc("constants", L->own, sizeof *L->own * (L->n_own + 1));
  L->own[L->n_own++] = t;
  return t;
}

static void add_const(ld_t *L, const dm_onnx_tensor_t *t) {
  val_t v = {.name = L->nd->out[0], .t = -1, .c = t, .rank = t->ndim};
  add_val(L, &v);
}

/* Shape of a computed value: its ONNX dims, the batch as exported (1 if symbolic). */
static int map_shape(ld_t *L) {
  val_t x;
  if (computed(L, 0, &x)) return -1;
  int64_t start = attr_i(L->nd, "start", 0), end = attr_i(L->nd, "end", x.rank);
  start = start < 0 ? start + x.rank : start;
  end = end < 0 ? end + x.rank : end > x.rank ? x.rank : end;
  if (start < 0 || start > end) return node_err(L, "bad start/end");
  dm_onnx_tensor_t *t = own_tensor(L);
  t->name = dm_strdup("constant", L->nd->out[0]);
  t->dtype = DM_ONNX_INT64;
  t->ndim = 1;
  t->n = t->dims[0] = end - start;
  t->i = dm_malloc("constant", sizeof(int64_t) * (size_t)(t->n + 1));
  int64_t batch = L->o->inputs[0].ndim > 0 && L->o->inputs[0].dims[0] > 0 ? L->o->inputs[0].dims[0] : 1;
  for (int64_t k = start; k < end; k++) t->i[k - start] = k == 0 ? batch : x.d[k];
  add_const(L, t);
  return 0;
}

/* A node whose inputs are all constants: folded (1 if the op does not fold). */
static int fold(ld_t *L) {
  const dm_onnx_tensor_t *in[16] = {NULL};
  if (L->nd->n_in > 16) return 1;
  for (int k = 0; k < L->nd->n_in; k++) {
    if (!has_input(L->nd, k)) continue;
    const val_t *v = find_val(L, L->nd->in[k]);
    if (!v || v->t >= 0) return 1;
    in[k] = v->c;
  }
  dm_onnx_tensor_t out;
  char err[160];
  int rc = dm_onnx_fold(L->nd, in, &out, err, sizeof err);
  if (rc < 0) return node_err(L, "constant folding: %s", err);
  if (rc > 0) return 1;
  *own_tensor(L) = out;
  add_const(L, L->own[L->n_own - 1]);
  return 0;
}

static int map_constant(ld_t *L) {
  const dm_onnx_attr_t *a = L->nd->n_attr ? &L->nd->attr[0] : NULL;
  if (!a || L->nd->n_attr != 1) return node_err(L, "expected one attribute");
  dm_onnx_tensor_t *t = a->t;
  if (strcmp(a->name, "value")) {
    t = own_tensor(L);
    t->name = dm_strdup("constant", "");
    if (!strcmp(a->name, "value_float") || !strcmp(a->name, "value_floats")) {
      t->n = a->n_floats ? a->n_floats : 1;
      t->f = a->n_floats ? fdup(a->floats, a->n_floats) : fdup(&a->f, 1);
    } else if (!strcmp(a->name, "value_int") || !strcmp(a->name, "value_ints")) {
      t->n = a->n_ints ? a->n_ints : 1;
      t->i = dm_malloc("constant", sizeof(int64_t) * (size_t)t->n);
      memcpy(t->i, a->n_ints ? a->ints : &a->i, sizeof(int64_t) * (size_t)t->n);
    } else {
      return node_err(L, "attribute '%s' is not supported", a->name);
    }
    t->ndim = a->n_floats || a->n_ints ? 1 : 0;
    t->dims[0] = t->n;
  }
  if (!t) return node_err(L, "no tensor value");
  add_const(L, t);
  return 0;
}

static int map_if(ld_t *L);

typedef int (*map_fn)(ld_t *L);
static const struct {
  const char *op;
  map_fn fn;
} OPS[] = {
    {"Conv", map_conv},
    {"Gemm", map_gemm},
    {"MatMul", map_matmul},
    {"Add", map_binary},
    {"Sub", map_binary},
    {"Mul", map_binary},
    {"Div", map_binary},
    {"Relu", map_unary},
    {"Sigmoid", map_unary},
    {"Softmax", map_unary},
    {"LogSoftmax", map_unary},
    {"MaxPool", map_pool},
    {"AveragePool", map_pool},
    {"GlobalAveragePool", map_pool},
    {"GlobalMaxPool", map_pool},
    {"ReduceMean", map_reduce},
    {"ReduceMax", map_reduce},
    {"Flatten", map_flatten},
    {"Reshape", map_reshape},
    {"Squeeze", map_squeeze},
    {"Unsqueeze", map_squeeze},
    {"Transpose", map_transpose},
    {"Slice", map_slice},
    {"Gather", map_gather},
    {"Concat", map_concat},
    {"BatchNormalization", map_batchnorm},
    {"Identity", map_passthrough},
    {"Dropout", map_passthrough},
    {"Cast", map_passthrough},
    {"Pad", map_pad},
    {"Constant", map_constant},
    {"Shape", map_shape},
    {"If", map_if},
};

// --- nodes, If

/* Maps the nodes of a graph (the model's, or an If branch) in order. */
static int map_nodes(ld_t *L, const dm_onnx_model_t *gr) {
  for (int i = 0; i < gr->n_nodes; i++) {
    const dm_onnx_node_t *nd = &gr->nodes[i];
    L->nd = nd;
    if (nd->name[0])
      snprintf(L->node_name, sizeof L->node_name, "%s", nd->name);
    else
      snprintf(L->node_name, sizeof L->node_name, "%s_%d", nd->op_type, i);
    if (nd->domain[0] && strcmp(nd->domain, "ai.onnx"))
      return node_err(L, "operator domain '%s' is not supported", nd->domain);
    if (nd->n_out < 1) return node_err(L, "no output");
    int folded = strcmp(nd->op_type, "Constant") ? fold(L) : 1;
    if (folded <= 0) {
      if (folded < 0) return -1;
      continue;
    }
    map_fn fn = NULL;
    for (size_t k = 0; k < sizeof OPS / sizeof *OPS && !fn; k++)
      if (!strcmp(OPS[k].op, nd->op_type)) fn = OPS[k].fn;
    if (!fn) return node_err(L, "unsupported op type %s", nd->op_type);
    if (fn(L)) return -1;
  }
  return 0;
}

/* If with a constant condition (torch's shape checks): the chosen branch's nodes are mapped in place. */
static int map_if(ld_t *L) {
  val_t c;
  if (input(L, 0, &c)) return -1;
  if (c.t >= 0 || !c.c || c.c->n != 1)
    return node_err(L, "the condition must be a constant (computed from shapes)");
  int cond = c.c->i ? c.c->i[0] != 0 : c.c->f[0] != 0.0f;
  const dm_onnx_attr_t *br = dm_onnx_attr(L->nd, cond ? "then_branch" : "else_branch");
  if (!br || !br->g || br->g->n_outputs != L->nd->n_out)
    return node_err(L, "no %s subgraph with %d outputs", cond ? "then_branch" : "else_branch", L->nd->n_out);
  const dm_onnx_node_t *self = L->nd;
  char self_name[sizeof L->node_name];
  memcpy(self_name, L->node_name, sizeof self_name);
  for (int k = 0; k < br->g->n_inits; k++) {
    val_t v = {.name = br->g->inits[k].name, .t = -1, .c = &br->g->inits[k], .rank = br->g->inits[k].ndim};
    add_val(L, &v);
  }
  if (map_nodes(L, br->g)) return -1;
  L->nd = self;
  memcpy(L->node_name, self_name, sizeof self_name);
  for (int k = 0; k < self->n_out; k++) {
    const val_t *v = find_val(L, br->g->outputs[k].name);
    if (!v) return node_err(L, "branch output '%s' is not computed", br->g->outputs[k].name);
    val_t y = *v;
    y.name = self->out[k];
    add_val(L, &y);
  }
  return 0;
}

// --- graph inputs and outputs

/* Input 0 is the one-hot sequence; further inputs (control tracks, bias
 * tracks) are zeros, as constants of batch 1, so what depends on them alone
 * folds away. */
static int add_inputs(ld_t *L) {
  int n = 0;
  for (int k = 0; k < L->o->n_inputs; k++) {
    const dm_onnx_value_t *in = &L->o->inputs[k];
    if (dm_onnx_init(L->o, in->name)) continue; /* older exporters list initializers as inputs */
    int ok = in->elem_type == DM_ONNX_FLOAT && in->ndim >= 1 && in->ndim <= DM_ONNX_MAX_DIMS;
    for (int d = 1; ok && d < in->ndim; d++) ok = in->dims[d] > 0;
    if (!ok || (n == 0 && (in->ndim != 3 || (in->dims[1] != 4 && in->dims[2] != 4)))) {
      dm_log_error("%s: input '%s' must be %s with fixed sizes", L->o->source, in->name,
                   n ? "a float tensor" : "one-hot DNA, (N, 4, L) or (N, L, 4)");
      return -1;
    }
    if (n++ > 0) {
      dm_onnx_tensor_t *t = own_tensor(L);
      t->name = dm_strdup("constant", in->name);
      t->dtype = DM_ONNX_FLOAT;
      t->ndim = in->ndim;
      t->n = 1;
      for (int d = 0; d < in->ndim; d++) t->n *= t->dims[d] = d ? in->dims[d] : 1;
      t->f = dm_calloc("constant", (size_t)t->n, sizeof(float));
      val_t v = {.name = in->name, .t = -1, .c = t, .rank = t->ndim};
      add_val(L, &v);
      dm_log_info("%s: input '%s' is taken as zeros", L->o->source, in->name);
      continue;
    }
    val_t v = {.name = in->name, .rank = 3, .d = {0, in->dims[1], in->dims[2]}, .swap = in->dims[1] == 4};
    int len, ch;
    ir_shape(&v, &len, &ch);
    if ((v.t = dm_graph_add_input(L->g, in->name, len, ch)) < 0) return -1;
    add_val(L, &v);
  }
  if (n == 0) dm_log_error("%s: the graph has no input that is not an initializer", L->o->source);
  return n ? 0 : -1;
}

static int add_outputs(ld_t *L) {
  for (int k = 0; k < L->o->n_outputs; k++) {
    const char *name = L->o->outputs[k].name;
    const val_t *p = find_val(L, name);
    if (!p || p->t < 0) {
      dm_log_error("%s: output '%s' is %s", L->o->source, name,
                   p ? "a constant" : "not computed by any node");
      return -1;
    }
    val_t v = *p;
    snprintf(L->node_name, sizeof L->node_name, "output %s", name);
    if (v.rank == 3 && v.swap && v.d[1] > 1 && v.d[2] > 1 && orient(L, &v, 0))
      return -1; /* ONNX unit order */
    dm_axis_t axis =
        v.act == DM_OUT_SOFTMAX || v.act == DM_OUT_LOGSOFTMAX ? ir_axis(&v, v.act_axis) : DM_AXIS_CH;
    if (dm_graph_add_output(L->g, v.t, name, v.act, axis)) return -1;
  }
  return 0;
}

// --- public API

dm_model_t *dm_onnx_load(const char *path) {
  dm_onnx_model_t *o = dm_onnx_read(path);
  if (!o) return NULL;
  ld_t L = {.o = o, .g = dm_graph_new(path)};
  int rc = -1;
  for (int k = 0; k < o->n_inits; k++) {
    val_t v = {.name = o->inits[k].name, .t = -1, .c = &o->inits[k], .rank = o->inits[k].ndim};
    add_val(&L, &v);
  }
  if (add_inputs(&L) || map_nodes(&L, o)) goto done;
  L.nd = &(dm_onnx_node_t){.op_type = "Output"};
  if (add_outputs(&L) || dm_graph_finalize(L.g)) goto done;
  rc = 0;
done:
  for (int k = 0; k < L.n_own; k++) {
    free(L.own[k]->name);
    free(L.own[k]->f);
    free(L.own[k]->i);
    free(L.own[k]);
  }
  free(L.own);
  free(L.v);
  dm_onnx_destroy(o);
  if (rc) {
    dm_graph_destroy(L.g);
    return NULL;
  }
  return L.g;
}
