/* nn_naive: every op of dm_ops.h written out plainly in double precision for
 * one row, and a graph evaluator on top, as the independent reference of the
 * kernel and graph tests (finite differences are taken of these).
 * Header-only; include in one test driver each. */
#ifndef NN_NAIVE_H
#define NN_NAIVE_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dm_graph.h"

/* One row of node ly: x[k] (size of input k) -> y (out_len, out_ch). */
static inline void naive_node(const dm_node_t *ly, const double *const *x, double *y) {
  int ci = ly->in_ch, co = ly->out_ch;
  const double *x0 = x[0];
  if (ly->op == DM_OP_CONCAT) {
    int off = 0;
    for (int k = 0; k < ly->n_in; k++) {
      for (int p = 0; p < (ly->axis == DM_AXIS_CH ? ly->out_len : ly->part[k]); p++)
        for (int c = 0; c < (ly->axis == DM_AXIS_CH ? ly->part[k] : co); c++) {
          double v = x[k][p * (ly->axis == DM_AXIS_CH ? ly->part[k] : co) + c];
          if (ly->axis == DM_AXIS_CH)
            y[p * co + off + c] = v;
          else
            y[(off + p) * co + c] = v;
        }
      off += ly->part[k];
    }
    return;
  }
  for (int p = 0; p < ly->out_len; p++)
    for (int o = 0; o < co; o++) {
      double v = 0.0;
      switch (ly->op) {
        case DM_OP_CONV1D:
          v = ly->b[o];
          for (int k = 0; k < ly->kernel; k++) {
            int l = p * ly->stride + k * ly->dilation - ly->pad_left;
            if (l < 0 || l >= ly->in_len) continue;
            for (int c = 0; c < ci; c++) v += x0[l * ci + c] * ly->w[(k * ci + c) * co + o];
          }
          break;
        case DM_OP_DENSE:
          v = ly->b[o];
          for (int c = 0; c < ci; c++) v += x0[p * ci + c] * ly->w[c * co + o];
          break;
        case DM_OP_BATCHNORM:
          v = x0[p * ci + o] * ly->scale[o] + ly->shift[o];
          break;
        case DM_OP_RELU:
          v = fmax(x0[p * ci + o], 0.0);
          break;
        case DM_OP_SIGMOID:
          v = 1.0 / (1.0 + exp(-x0[p * ci + o]));
          break;
        case DM_OP_MAXPOOL1D:
        case DM_OP_AVGPOOL1D: {
          double mx = -INFINITY, s = 0.0;
          int cnt = 0;
          for (int k = 0; k < ly->kernel; k++) {
            int l = p * ly->stride + k - ly->pad_left;
            if (l < 0 || l >= ly->in_len) continue;
            mx = fmax(mx, x0[l * ci + o]);
            s += x0[l * ci + o];
            cnt++;
          }
          v = ly->op == DM_OP_MAXPOOL1D ? mx : s / cnt;
          break;
        }
        case DM_OP_ADD:
          for (int k = 0; k < ly->n_in; k++) v += x[k][p * co + o];
          break;
        case DM_OP_SUB:
          v = x0[p * co + o] - x[1][p * co + o];
          break;
        case DM_OP_SLICE:
          v = ly->axis == DM_AXIS_LEN ? x0[(p + ly->start) * ci + o] : x0[p * ci + o + ly->start];
          break;
        case DM_OP_TRANSPOSE: /* y (ci, in_len): y[p, o] = x[o, p] */
          v = x0[o * ci + p];
          break;
        default: /* identity, reshape: same row-major data */
          v = x0[p * co + o];
      }
      y[p * co + o] = v;
    }
}

/* Evaluates the graph on one row of input 0 (other inputs zero): vals[t] gets
 * every tensor (caller frees with naive_free). */
static inline double **naive_graph(const dm_model_t *m, const double *in0) {
  double **vals = calloc(m->n_tensors, sizeof *vals);
  for (int t = 0; t < m->n_tensors; t++) vals[t] = calloc(dm_graph_size(m, t), sizeof(double));
  memcpy(vals[m->inputs[0]], in0, sizeof(double) * dm_graph_size(m, m->inputs[0]));
  for (int i = 0; i < m->n_nodes; i++) {
    const double *xs[DM_NODE_MAX_IN];
    for (int k = 0; k < m->nodes[i].n_in; k++) xs[k] = vals[m->nodes[i].in[k]];
    naive_node(&m->nodes[i], xs, vals[m->nodes[i].out]);
  }
  return vals;
}

static inline void naive_free(const dm_model_t *m, double **vals) {
  for (int t = 0; t < m->n_tensors; t++) free(vals[t]);
  free(vals);
}

#endif
