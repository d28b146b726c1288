/* dm_graph: graph builder, shape inference and checks (see dm_graph.h). */
#include "dm_graph.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm_mem.h"

dm_model_t *dm_graph_new(const char *source) {
  dm_model_t *g = dm_calloc("graph", 1, sizeof *g);
  g->source = dm_strdup("graph source", source ? source : "?");
  return g;
}

static void free_weights(dm_node_t *nd) {
  free(nd->w);
  free(nd->wpos);
  free(nd->wneg);
  free(nd->b);
  free(nd->scale);
  free(nd->shift);
}

void dm_graph_destroy(dm_model_t *g) {
  if (!g) return;
  for (int i = 0; i < g->n_nodes; i++) free_weights(&g->nodes[i]);
  free(g->nodes);
  free(g->tensors);
  free(g->outputs);
  free(g->source);
  free(g);
}

size_t dm_graph_size(const dm_model_t *g, int t) { return (size_t)g->tensors[t].len * g->tensors[t].ch; }

int dm_graph_find(const dm_model_t *g, const char *name) {
  for (int t = 0; t < g->n_tensors; t++)
    if (!strcmp(g->tensors[t].name, name)) return t;
  return -1;
}

int dm_graph_find_output(const dm_model_t *g, const char *name) {
  for (int o = 0; o < g->n_outputs; o++)
    if (!strcmp(g->outputs[o].name, name)) return o;
  return -1;
}

/* New tensor; -1 (logged) on a duplicate name or a bad shape. */
static int new_tensor(dm_model_t *g, const char *name, int len, int ch, int producer) {
  if (len < 1 || ch < 1) {
    dm_log_error("%s: tensor '%s': bad shape (%d, %d)", g->source, name, len, ch);
    return -1;
  }
  if (dm_graph_find(g, name) >= 0) {
    dm_log_error("%s: tensor '%s' is defined twice", g->source, name);
    return -1;
  }
  if (g->n_tensors == g->cap_tensors) {
    g->cap_tensors = g->cap_tensors ? 2 * g->cap_tensors : 32;
    g->tensors = dm_realloc("graph tensors", g->tensors, sizeof *g->tensors * g->cap_tensors);
  }
  dm_tensor_t *t = &g->tensors[g->n_tensors];
  memset(t, 0, sizeof *t);
  snprintf(t->name, sizeof t->name, "%s", name);
  t->len = len;
  t->ch = ch;
  t->producer = producer;
  return g->n_tensors++;
}

int dm_graph_add_input(dm_model_t *g, const char *name, int len, int ch) {
  if (g->final || g->n_inputs == (int)(sizeof g->inputs / sizeof *g->inputs)) {
    dm_log_error("%s: input '%s': too many inputs", g->source, name);
    return -1;
  }
  int t = new_tensor(g, name, len, ch, -1);
  if (t < 0) return -1;
  if (g->n_inputs == 0) {
    g->in_len = len;
    g->in_ch = ch;
  }
  g->inputs[g->n_inputs++] = t;
  return t;
}

void dm_graph_same_pad(int len, int kernel, int stride, int dilation, int *pad_left, int *pad_right) {
  int span = (kernel - 1) * dilation + 1, out = (len + stride - 1) / stride;
  int total = (out - 1) * stride + span - len;
  if (total < 0) total = 0;
  *pad_left = total / 2;
  *pad_right = total - total / 2;
}

// --- shape inference per op (nd->in_len/in_ch are input 0's shape; set out_len/out_ch)

#define FAIL(...)                                                                           \
  do {                                                                                      \
    char msg_[256];                                                                         \
    snprintf(msg_, sizeof msg_, __VA_ARGS__);                                               \
    dm_log_error("%s: node '%s' (%s): %s", g->source, nd->name, dm_ops_name(nd->op), msg_); \
    return -1;                                                                              \
  } while (0)

static int shape_window(dm_model_t *g, dm_node_t *nd, const dm_node_spec_t *s) {
  int pool = nd->op != DM_OP_CONV1D;
  nd->kernel = s->kernel;
  nd->stride = s->stride ? s->stride : 1;
  nd->dilation = s->dilation ? s->dilation : 1;
  nd->pad_left = s->pad_left;
  int pr = s->pad_right;
  if (pool && s->kernel == 0) { /* global pooling */
    nd->kernel = nd->stride = nd->in_len;
    nd->pad_left = pr = 0;
  } else if (pool && s->stride == 0) {
    nd->stride = nd->kernel;
  }
  if (nd->kernel < 1 || nd->stride < 1 || nd->dilation < 1 || nd->pad_left < 0 || pr < 0)
    FAIL("bad kernel/stride/dilation/padding %d/%d/%d/%d,%d", nd->kernel, nd->stride, nd->dilation,
         nd->pad_left, pr);
  if (pool && nd->dilation != 1) FAIL("dilated pooling is not supported");
  int span = (nd->kernel - 1) * nd->dilation + 1, padded = nd->in_len + nd->pad_left + pr;
  if (padded < span)
    FAIL("input length %d (padded %d) is shorter than the window %d", nd->in_len, padded, span);
  if (pool && (nd->pad_left >= nd->kernel || pr >= nd->kernel)) FAIL("padding as wide as the window");
  nd->out_len = (padded - span) / nd->stride + 1;
  if (pool) {
    nd->out_ch = nd->in_ch;
    return 0;
  }
  if (s->units < 1) FAIL("bad number of filters %d", s->units);
  if (!s->w) FAIL("no kernel weights");
  nd->out_ch = s->units;
  return 0;
}

static int shape_node(dm_model_t *g, dm_node_t *nd, const dm_node_spec_t *s) {
  nd->out_len = nd->in_len;
  nd->out_ch = nd->in_ch;
  int n_in = nd->n_in;
  int want_in = nd->op == DM_OP_SUB ? 2 : nd->op == DM_OP_ADD ? -2 : nd->op == DM_OP_CONCAT ? -1 : 1;
  if ((want_in > 0 && n_in != want_in) || (want_in < 0 && n_in < -want_in))
    FAIL("%d input(s), expected %s%d", n_in, want_in < 0 ? "at least " : "",
         want_in < 0 ? -want_in : want_in);
  switch (nd->op) {
    case DM_OP_CONV1D:
    case DM_OP_MAXPOOL1D:
    case DM_OP_AVGPOOL1D:
      return shape_window(g, nd, s);
    case DM_OP_DENSE:
      if (s->units < 1) FAIL("bad number of units %d", s->units);
      if (!s->w) FAIL("no kernel weights");
      nd->out_ch = s->units;
      return 0;
    case DM_OP_BATCHNORM:
      if (!s->scale) FAIL("no scale");
      return 0;
    case DM_OP_ADD:
    case DM_OP_SUB:
      for (int k = 1; k < n_in; k++) {
        const dm_tensor_t *t = &g->tensors[nd->in[k]];
        if (t->len != nd->in_len || t->ch != nd->in_ch)
          FAIL("input '%s' is (%d, %d), input '%s' is (%d, %d)", t->name, t->len, t->ch,
               g->tensors[nd->in[0]].name, nd->in_len, nd->in_ch);
      }
      return 0;
    case DM_OP_CONCAT: {
      nd->axis = s->axis;
      int total = 0;
      for (int k = 0; k < n_in; k++) {
        const dm_tensor_t *t = &g->tensors[nd->in[k]];
        int along = s->axis == DM_AXIS_CH ? t->ch : t->len, other = s->axis == DM_AXIS_CH ? t->len : t->ch;
        if (other != (s->axis == DM_AXIS_CH ? nd->in_len : nd->in_ch))
          FAIL("input '%s' is (%d, %d), does not fit (%d, %d) along the other axis", t->name, t->len, t->ch,
               nd->in_len, nd->in_ch);
        nd->part[k] = along;
        total += along;
      }
      if (s->axis == DM_AXIS_CH)
        nd->out_ch = total;
      else
        nd->out_len = total;
      return 0;
    }
    case DM_OP_SLICE: {
      nd->axis = s->axis;
      int dim = s->axis == DM_AXIS_CH ? nd->in_ch : nd->in_len;
      int stop = s->stop <= 0 ? dim + s->stop : s->stop;
      if (s->start < 0 || stop > dim || s->start >= stop)
        FAIL("slice [%d, %d) of an axis of %d", s->start, stop, dim);
      nd->start = s->start;
      if (s->axis == DM_AXIS_CH)
        nd->out_ch = stop - s->start;
      else
        nd->out_len = stop - s->start;
      return 0;
    }
    case DM_OP_RESHAPE:
      if (s->len < 1 || s->ch < 1 || (size_t)s->len * s->ch != (size_t)nd->in_len * nd->in_ch)
        FAIL("cannot reshape (%d, %d) to (%d, %d)", nd->in_len, nd->in_ch, s->len, s->ch);
      nd->out_len = s->len;
      nd->out_ch = s->ch;
      return 0;
    case DM_OP_TRANSPOSE:
      nd->out_len = nd->in_ch;
      nd->out_ch = nd->in_len;
      return 0;
    default:
      return 0; /* elementwise and identity: same shape */
  }
}

int dm_graph_add_node(dm_model_t *g, const dm_node_spec_t *s) {
  if (g->n_nodes == g->cap_nodes) {
    g->cap_nodes = g->cap_nodes ? 2 * g->cap_nodes : 32;
    g->nodes = dm_realloc("graph nodes", g->nodes, sizeof *g->nodes * g->cap_nodes);
  }
  dm_node_t *nd = &g->nodes[g->n_nodes];
  memset(nd, 0, sizeof *nd);
  nd->op = s->op;
  snprintf(nd->name, sizeof nd->name, "%s", s->name ? s->name : "?");
  nd->w = s->w;
  nd->b = s->b;
  nd->scale = s->scale;
  nd->shift = s->shift;
  nd->kernel = nd->stride = nd->dilation = 1;
  nd->out = -1;
  int rc = -1;
  if (g->final || s->op >= DM_OP_COUNT || s->n_in < 1 || s->n_in > DM_NODE_MAX_IN) {
    dm_log_error("%s: node '%s': bad op or input count %d", g->source, nd->name, s->n_in);
    goto done;
  }
  nd->n_in = s->n_in;
  for (int k = 0; k < s->n_in; k++) {
    if (s->in[k] < 0 || s->in[k] >= g->n_tensors) {
      dm_log_error("%s: node '%s' (%s): input %d is not a tensor defined before it", g->source, nd->name,
                   dm_ops_name(nd->op), k);
      goto done;
    }
    nd->in[k] = s->in[k];
  }
  nd->in_len = g->tensors[nd->in[0]].len;
  nd->in_ch = g->tensors[nd->in[0]].ch;
  if (shape_node(g, nd, s)) goto done;
  if ((nd->op == DM_OP_CONV1D || nd->op == DM_OP_DENSE) && !nd->b)
    nd->b = dm_calloc("bias", nd->out_ch, sizeof(float));
  if (nd->op == DM_OP_BATCHNORM && !nd->shift) nd->shift = dm_calloc("shift", nd->in_ch, sizeof(float));
  nd->out = new_tensor(g, s->out_name ? s->out_name : nd->name, nd->out_len, nd->out_ch, g->n_nodes);
  if (nd->out < 0) goto done;
  g->n_nodes++;
  rc = nd->out;
done:
  if (rc < 0) free_weights(nd);
  return rc;
}

int dm_graph_add_output(dm_model_t *g, int tensor, const char *name, dm_out_act_t act, dm_axis_t axis) {
  if (g->final || tensor < 0 || tensor >= g->n_tensors) {
    dm_log_error("%s: output '%s': not a tensor of the graph", g->source, name);
    return -1;
  }
  if (dm_graph_find_output(g, name) >= 0) {
    dm_log_error("%s: output '%s' is defined twice", g->source, name);
    return -1;
  }
  g->outputs = dm_realloc("graph outputs", g->outputs, sizeof *g->outputs * (g->n_outputs + 1));
  dm_output_t *o = &g->outputs[g->n_outputs++];
  snprintf(o->name, sizeof o->name, "%s", name);
  o->tensor = tensor;
  o->act = act;
  o->axis = axis;
  return 0;
}

/* 0 if every weight of the node is finite, else -1 (logged). */
static int check_finite(const dm_model_t *g, const dm_node_t *nd) {
  size_t nw = 0;
  if (nd->op == DM_OP_CONV1D) nw = (size_t)nd->kernel * nd->in_ch * nd->out_ch;
  if (nd->op == DM_OP_DENSE) nw = (size_t)nd->in_ch * nd->out_ch;
  const struct {
    const char *what;
    const float *a;
    size_t n;
  } arr[] = {{"kernel", nd->w, nw},
             {"bias", nd->b, nw ? (size_t)nd->out_ch : 0},
             {"scale", nd->scale, nd->scale ? (size_t)nd->in_ch : 0},
             {"shift", nd->shift, nd->shift ? (size_t)nd->in_ch : 0}};
  for (size_t k = 0; k < sizeof arr / sizeof *arr; k++)
    for (size_t i = 0; i < arr[k].n; i++)
      if (!isfinite(arr[k].a[i])) {
        dm_log_error("%s: node '%s' (%s): %s value %zu is not finite (%g)", g->source, nd->name,
                     dm_ops_name(nd->op), arr[k].what, i, (double)arr[k].a[i]);
        return -1;
      }
  return 0;
}

int dm_graph_finalize(dm_model_t *g) {
  if (g->final) return 0;
  if (g->n_inputs < 1 || g->n_outputs < 1) {
    dm_log_error("%s: the model needs at least one input and one output", g->source);
    return -1;
  }
  for (int t = 0; t < g->n_tensors; t++) g->tensors[t].consumers = 0;
  for (int i = 0; i < g->n_nodes; i++)
    for (int k = 0; k < g->nodes[i].n_in; k++) g->tensors[g->nodes[i].in[k]].consumers++;
  for (int i = 0; i < g->n_nodes; i++) {
    dm_node_t *nd = &g->nodes[i];
    if (check_finite(g, nd)) return -1;
    if (g->tensors[nd->out].consumers == 0) {
      int is_out = 0;
      for (int o = 0; o < g->n_outputs; o++) is_out |= g->outputs[o].tensor == nd->out;
      if (!is_out) {
        dm_log_error("%s: node '%s' (%s): its output is neither used nor a model output", g->source, nd->name,
                     dm_ops_name(nd->op));
        return -1;
      }
    }
    if (nd->w && !nd->wpos) {
      size_t nw = (size_t)(nd->op == DM_OP_CONV1D ? nd->kernel : 1) * nd->in_ch * nd->out_ch;
      nd->wpos = dm_malloc("w+", sizeof(float) * nw);
      nd->wneg = dm_malloc("w-", sizeof(float) * nw);
      for (size_t j = 0; j < nw; j++) {
        nd->wpos[j] = nd->w[j] > 0.0f ? nd->w[j] : 0.0f;
        nd->wneg[j] = nd->w[j] < 0.0f ? nd->w[j] : 0.0f;
      }
    }
  }
  g->n_tasks = (int)dm_graph_size(g, g->outputs[0].tensor);
  g->out_act = g->outputs[0].act;
  g->final = 1;
  return 0;
}
