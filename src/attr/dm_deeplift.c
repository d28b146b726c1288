/* dm_deeplift: DeepLIFT Rescale / RevealCancel multipliers (see dm_deeplift.h). */
#include "dm_deeplift.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dm_mem.h"

/* kundajelab/deeplift's NEAR_ZERO_THRESHOLD */
#define DM_NEAR_ZERO 1e-7f

typedef enum { MODE_PLAIN, MODE_RESCALE, MODE_REVEALCANCEL } layer_mode_t;

struct dm_deeplift {
  const dm_model_t *m;
  int max_pairs, max_rep;
  layer_mode_t *mode; /* (n_nodes) rule of each node */
  int *chain;         /* (n_nodes) for a RevealCancel node: index of its linear node, else -1 */
  int *split;         /* (n_nodes) 1 if the node carries separate m+ / m- */
  float **slope;      /* (n_nodes) Rescale: (max_pairs, size); RevealCancel: m+ factor */
  float **slope_neg;  /* (n_nodes) RevealCancel: m- factor */
  float **dinput;     /* (n_nodes) linear node of a RevealCancel chain: (max_pairs, in) input Δ */
  float **neg;        /* (n_tensors) tensors inside a RevealCancel chain: (max_rep * max_pairs, size) m- */
  float *dpos, *dneg; /* (max_pairs, max size) Δ+ / Δ- scratch */
  float *zpos, *zneg; /* (max_pairs, max size) Δz+ / Δz- scratch */
  float *tmp;         /* (max_rep * max_pairs, max size) */
  int n, R;           /* inputs and references of the current call */
};

static const char *const RULES_NAME[] = {"rescale", "revealcancel", "genomics_default"};
_Static_assert(sizeof RULES_NAME / sizeof *RULES_NAME == DM_RULES_COUNT, "RULES_NAME incomplete");

const char *dm_deeplift_rules_name(dm_rules_t rules) {
  return rules < DM_RULES_COUNT ? RULES_NAME[rules] : "?";
}

int dm_deeplift_rules_parse(const char *name, dm_rules_t *out) {
  for (int i = 0; i < DM_RULES_COUNT; i++)
    if (!strcmp(name, RULES_NAME[i])) {
      *out = (dm_rules_t)i;
      return 0;
    }
  dm_log_error("unknown DeepLIFT rule set '%s' (rescale|revealcancel|genomics_default)", name);
  return -1;
}

// --- setup

/* Ops a RevealCancel chain may pass through between its linear node and the nonlinearity. */
static int chain_op(dm_op_t op) {
  return op == DM_OP_BATCHNORM || op == DM_OP_IDENTITY || op == DM_OP_RESHAPE;
}

/* Nearest Conv1D/Dense node feeding node i through BatchNorm / identity /
 * reshape nodes whose outputs have no other reader; -1 if none. */
static int preceding_linear(const dm_model_t *m, int i) {
  int t = m->nodes[i].in[0];
  for (;;) {
    int p = m->tensors[t].producer;
    if (p < 0 || m->tensors[t].consumers != 1) return -1;
    if (dm_ops_rule(m->nodes[p].op) == DM_RULE_LINEAR_W) return p;
    if (!chain_op(m->nodes[p].op)) return -1;
    t = m->nodes[p].in[0];
  }
}

static float *alloc_rows(const char *label, int rows, size_t size) {
  return dm_malloc(label, sizeof(float) * (size_t)rows * size);
}

dm_deeplift_t *dm_deeplift_init(const dm_model_t *m, dm_rules_t rules, int max_pairs, int max_rep) {
  DM_ASSERT(rules < DM_RULES_COUNT && max_pairs >= 1 && max_rep >= 1);
  int L = m->n_nodes, T = max_rep;
  dm_deeplift_t *d = dm_calloc("deeplift", 1, sizeof *d);
  d->m = m;
  d->max_pairs = max_pairs;
  d->max_rep = max_rep;
  d->mode = dm_calloc("deeplift", L, sizeof *d->mode);
  d->chain = dm_calloc("deeplift", L, sizeof *d->chain);
  d->split = dm_calloc("deeplift", L, sizeof *d->split);
  d->slope = dm_calloc("deeplift", L, sizeof *d->slope);
  d->slope_neg = dm_calloc("deeplift", L, sizeof *d->slope_neg);
  d->dinput = dm_calloc("deeplift", L, sizeof *d->dinput);
  d->neg = dm_calloc("deeplift", m->n_tensors, sizeof *d->neg);
  for (int i = 0; i < L; i++) {
    const dm_node_t *ly = &m->nodes[i];
    d->chain[i] = -1;
    if (dm_ops_rule(ly->op) != DM_RULE_NONLINEAR) continue;
    int j = preceding_linear(m, i);
    layer_mode_t mode = MODE_RESCALE;
    if (rules == DM_RULES_REVEALCANCEL) mode = MODE_REVEALCANCEL;
    if (rules == DM_RULES_GENOMICS) {
      if (j < 0) {
        dm_log_error("%s: layer '%s': genomics_default needs a Conv1D or Dense layer before it", m->source,
                     ly->name);
        dm_deeplift_destroy(d);
        return NULL;
      }
      mode = m->nodes[j].op == DM_OP_DENSE ? MODE_REVEALCANCEL : MODE_RESCALE;
    }
    if (mode == MODE_REVEALCANCEL && j < 0) {
      dm_log_error(
          "%s: layer '%s': RevealCancel needs a Conv1D or Dense layer before it (only "
          "BatchNormalization, Dropout, Flatten in between, read by nothing else)",
          m->source, ly->name);
      dm_deeplift_destroy(d);
      return NULL;
    }
    d->mode[i] = mode;
    d->slope[i] = alloc_rows("deeplift slope", max_pairs, dm_ops_in_size(ly));
    if (mode == MODE_REVEALCANCEL) {
      d->chain[i] = j;
      for (int t = ly->in[0];; t = m->nodes[m->tensors[t].producer].in[0]) {
        int p = m->tensors[t].producer;
        d->split[p] = 1;
        d->neg[t] = alloc_rows("deeplift m-", T * max_pairs, dm_graph_size(m, t));
        if (p == j) break;
      }
      d->slope_neg[i] = alloc_rows("deeplift slope", max_pairs, dm_ops_in_size(ly));
      d->dinput[j] = alloc_rows("deeplift delta", max_pairs, dm_ops_in_size(&m->nodes[j]));
    }
  }
  size_t max = dm_model_max_size(m);
  d->dpos = alloc_rows("deeplift", max_pairs, max);
  d->dneg = alloc_rows("deeplift", max_pairs, max);
  d->zpos = alloc_rows("deeplift", max_pairs, max);
  d->zneg = alloc_rows("deeplift", max_pairs, max);
  d->tmp = alloc_rows("deeplift tmp", T * max_pairs, max);
  return d;
}

void dm_deeplift_keep(const dm_deeplift_t *d, char *keep) {
  for (int i = 0; i < d->m->n_nodes; i++)
    if (d->chain[i] >= 0) keep[d->m->nodes[d->chain[i]].in[0]] = 1;
}

void dm_deeplift_destroy(dm_deeplift_t *d) {
  if (!d) return;
  for (int i = 0; i < d->m->n_nodes; i++) {
    free(d->slope[i]);
    free(d->slope_neg[i]);
    free(d->dinput[i]);
  }
  for (int t = 0; t < d->m->n_tensors; t++) free(d->neg[t]);
  free(d->mode);
  free(d->chain);
  free(d->split);
  free(d->slope);
  free(d->slope_neg);
  free(d->dinput);
  free(d->neg);
  free(d->dpos);
  free(d->dneg);
  free(d->zpos);
  free(d->zneg);
  free(d->tmp);
  free(d);
}

// --- rule kernels (pure)

/* Rescale factors of ReLU: the expression of rescale_slopes with f inlined,
 * in one branch-free pass the compiler vectorises (same values bit for bit). */
static void rescale_relu(size_t sz, const float *a, const float *b, float *s) {
  for (size_t e = 0; e < sz; e++) {
    float dz = a[e] - b[e];
    float ya = a[e] > 0.0f ? a[e] : 0.0f, yb = b[e] > 0.0f ? b[e] : 0.0f;
    float q = (float)(((double)ya - (double)yb) / (double)dz), d = b[e] > 0.0f ? 1.0f : 0.0f;
    s[e] = fabsf(dz) < DM_NEAR_ZERO ? d : q;
  }
}

/* Rescale factor of each element of n pairs: Δy/Δz, or f'(z0) near Δz = 0.
 * zx: rows of the inputs (pair p uses row p / R); zr: reference rows; y = f(z)
 * is evaluated again (bit for bit the forward pass's value). */
static void rescale_slopes(dm_op_t op, int n_pairs, int R, size_t sz, const float *zx, const float *zr,
                           float *slope) {
  for (int p = 0; p < n_pairs; p++) {
    const float *a = zx + (size_t)(p / R) * sz, *b = zr + (size_t)p * sz;
    float *s = slope + (size_t)p * sz;
    if (op == DM_OP_RELU) {
      rescale_relu(sz, a, b, s);
      continue;
    }
    for (size_t e = 0; e < sz; e++) {
      float dz = a[e] - b[e];
      s[e] = fabsf(dz) < DM_NEAR_ZERO ? dm_ops_deriv(op, b[e])
                                      : (dm_ops_eval(op, a[e]) - dm_ops_eval(op, b[e])) / dz;
    }
  }
}

/* deeplift's pseudocount_near_zero: push |t| < 0.5e-7 away from 0 by 1e-7. */
static inline float pseudocount(float t) {
  if (fabsf(t) < 0.5f * DM_NEAR_ZERO) return t >= 0.0f ? t + DM_NEAR_ZERO : t - DM_NEAR_ZERO;
  return t;
}

/* RevealCancel factors from Δz+ / Δz- and the reference input z0. In double:
 * where Δz± is pseudocounted to 1e-7, z0 + 1e-7 - z0 in float loses most of
 * its digits (all of them for |z0| >= 2), which made m± of those units, and so
 * the multipliers of every input with Δ = 0, wrong by up to half. */
static void revealcancel_slopes(dm_op_t op, size_t total, const float *z0, const float *zp, const float *zn,
                                float *sp, float *sn) {
  for (size_t e = 0; e < total; e++) {
    double p = pseudocount(zp[e]), q = pseudocount(zn[e]), r = z0[e];
    double f0 = dm_ops_eval(op, r), fp = dm_ops_eval(op, r + p), fn = dm_ops_eval(op, r + q);
    double fpn = dm_ops_eval(op, r + q + p);
    double dyp = 0.5 * ((fp - f0) + (fpn - fn));
    double dyn = 0.5 * ((fn - f0) + (fpn - fp));
    sp[e] = (float)(dyp / p);
    sn[e] = (float)(dyn / q);
  }
}

/* Δ+ and Δ- of the pairs' inputs to a layer; keeps Δ itself in delta. */
static void split_delta(int n_pairs, int R, size_t sz, const float *ax, const float *ar, float *delta,
                        float *dpos, float *dneg) {
  for (int p = 0; p < n_pairs; p++) {
    const float *a = ax + (size_t)(p / R) * sz, *b = ar + (size_t)p * sz;
    for (size_t e = 0; e < sz; e++) {
      size_t i = (size_t)p * sz + e;
      float v = a[e] - b[e];
      delta[i] = v;
      dpos[i] = v > 0.0f ? v : 0.0f;
      dneg[i] = v < 0.0f ? v : 0.0f;
    }
  }
}

/* Batchnorm on split quantities (pos/neg contributions or multipliers):
 * scale each, swapping pos and neg where the scale is negative. */
static void batchnorm_split(const dm_node_t *ly, size_t rows, const float *pin, const float *nin, float *pout,
                            float *nout) {
  for (size_t r = 0; r < rows * ly->in_len; r++)
    for (int c = 0; c < ly->in_ch; c++) {
      size_t i = r * ly->in_ch + c;
      float s = ly->scale[c], a = pin[i], b = nin[i];
      pout[i] = s >= 0.0f ? a * s : b * s;
      nout[i] = s >= 0.0f ? b * s : a * s;
    }
}

/* Input multipliers of a linear layer from split m+ / m-, by the sign of the input Δ. */
static void linear_split_backward(const dm_node_t *ly, int T, int n_pairs, const float *mp, const float *mn,
                                  const float *delta, float *out, float *tmp, float *scratch) {
  int rows = T * n_pairs;
  dm_ops_linear_transpose(ly, ly->wpos, rows, mp, out, 0, scratch);
  dm_ops_linear_transpose(ly, ly->wneg, rows, mn, out, 1, scratch);
  dm_ops_linear_transpose(ly, ly->wneg, rows, mp, tmp, 0, scratch);
  dm_ops_linear_transpose(ly, ly->wpos, rows, mn, tmp, 1, scratch);
  size_t sz = dm_ops_in_size(ly);
  for (int t = 0; t < T; t++)
    for (int p = 0; p < n_pairs; p++) {
      const float *dl = delta + (size_t)p * sz;
      size_t o = ((size_t)t * n_pairs + p) * sz;
      for (size_t e = 0; e < sz; e++) {
        float a = out[o + e], b = tmp[o + e];
        out[o + e] = dl[e] > 0.0f ? a : dl[e] < 0.0f ? b : 0.5f * (a + b);
      }
    }
}

// --- multipliers

/* Δz+ / Δz- at the input of RevealCancel node i, and its factors. */
static void prepare_revealcancel(dm_deeplift_t *d, dm_run_t *r, int i, int n, int R) {
  const dm_model_t *m = d->m;
  int P = n * R, j = d->chain[i];
  const dm_node_t *lj = &m->nodes[j];
  size_t in_j = dm_ops_in_size(lj);
  const float *aj = dm_forward_node_input(r, j, 0);
  split_delta(P, R, in_j, aj, aj + (size_t)n * in_j, d->dinput[j], d->dpos, d->dneg);
  dm_ops_linear_apply(lj, lj->wpos, P, d->dpos, d->zpos, 0, r->scratch);
  dm_ops_linear_apply(lj, lj->wneg, P, d->dneg, d->zpos, 1, r->scratch);
  dm_ops_linear_apply(lj, lj->wpos, P, d->dneg, d->zneg, 0, r->scratch);
  dm_ops_linear_apply(lj, lj->wneg, P, d->dpos, d->zneg, 1, r->scratch);
  /* the chain's batchnorms, from j up to i (the chain is a path, walked down from i) */
  int path[64], np = 0;
  for (int t = m->nodes[i].in[0]; m->tensors[t].producer != j && np < 64;
       t = m->nodes[m->tensors[t].producer].in[0])
    path[np++] = m->tensors[t].producer;
  for (int k = np - 1; k >= 0; k--)
    if (m->nodes[path[k]].op == DM_OP_BATCHNORM) {
      /* in place is safe: each element is read before it is written */
      batchnorm_split(&m->nodes[path[k]], P, d->zpos, d->zneg, d->zpos, d->zneg);
    }
  const dm_node_t *li = &m->nodes[i];
  size_t sz = dm_ops_in_size(li);
  const float *z = dm_forward_node_input(r, i, 0);
  revealcancel_slopes(li->op, (size_t)P * sz, z + (size_t)n * sz, d->zpos, d->zneg, d->slope[i],
                      d->slope_neg[i]);
}

/* DeepLIFT rule of node i (a dm_node_backward_fn). */
static void deeplift_node(void *ctx, dm_run_t *r, int i, int rows, const float *dy, float *const *dx) {
  dm_deeplift_t *d = ctx;
  const dm_model_t *m = d->m;
  const dm_node_t *ly = &m->nodes[i];
  int P = d->n * d->R, T = rows / P;
  const float *xs[DM_NODE_MAX_IN];
  for (int k = 0; k < ly->n_in; k++) xs[k] = dm_forward_node_input(r, i, k);
  dm_bwd_ctx_t c = {.n = P, .rep = T, .x = xs, .xdiv = d->R, .scratch = r->scratch};
  float *nin = d->neg[ly->in[0]];
  const float *nout = d->neg[ly->out];
  if (d->mode[i] == MODE_REVEALCANCEL) {
    c.slope = d->slope_neg[i];
    dm_ops_backward(ly, &c, dy, &nin);
    c.slope = d->slope[i];
    dm_ops_backward(ly, &c, dy, dx);
  } else if (d->split[i] && dm_ops_rule(ly->op) == DM_RULE_LINEAR_W) {
    linear_split_backward(ly, T, P, dy, nout, d->dinput[i], dx[0], d->tmp, r->scratch);
  } else if (d->split[i] && ly->op == DM_OP_BATCHNORM) {
    batchnorm_split(ly, (size_t)T * P, dy, nout, dx[0], nin);
  } else if (d->split[i]) { /* identity, reshape: both pass unchanged */
    dm_ops_backward(ly, &c, dy, dx);
    dm_ops_backward(ly, &c, nout, &nin);
  } else {
    c.slope = d->mode[i] == MODE_RESCALE ? d->slope[i] : NULL;
    dm_ops_backward(ly, &c, dy, dx);
  }
}

void dm_deeplift_multipliers(dm_deeplift_t *d, dm_run_t *r, int n, int R, int T, const float *const *dy,
                             float *mult) {
  const dm_model_t *m = d->m;
  int P = n * R;
  DM_ASSERT(r->m == m && R >= 1 && P <= d->max_pairs && n + P <= r->cap && T <= r->rep && T <= d->max_rep);
  for (int i = 0; i < m->n_nodes; i++) {
    const dm_node_t *ly = &m->nodes[i];
    size_t sz = dm_ops_in_size(ly);
    const float *z = dm_forward_node_input(r, i, 0);
    if (d->mode[i] == MODE_RESCALE)
      rescale_slopes(ly->op, P, R, sz, z, z + (size_t)n * sz, d->slope[i]);
    else if (d->mode[i] == MODE_REVEALCANCEL)
      prepare_revealcancel(d, r, i, n, R);
  }
  d->n = n;
  d->R = R;
  dm_forward_backward_graph(r, P, T, dy, mult, deeplift_node, d);
}
