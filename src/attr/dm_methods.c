/* dm_methods: attribution methods over a batch (see dm_methods.h). */
#include "dm_methods.h"

#include <stdlib.h>
#include <string.h>

#include "dm_mem.h"

/* Mutants per forward pass of in-silico mutagenesis. */
#define DM_ISM_BATCH 256

struct dm_methods {
  const dm_model_t *m;
  dm_methods_opt_t o;
  int max_seqs, n_refs;
  int T;           /* targets */
  dm_target_t *tg; /* (T) */
  dm_run_t *run;
  dm_deeplift_t *dl; /* deeplift only */
  float *mult;       /* (T, max_seqs * n_refs, in_len, in_ch) input multipliers */
  float *grad;       /* same shape: gradients of one ig step (ig only) */
  float **w;         /* (T) (max_seqs, size of the target's output): target weights at the inputs */
  float **dy;        /* (n_outputs) (T, rows, size of output) seeds, NULL for outputs no target uses */
  float *act;        /* (max_seqs, largest output) activated outputs (predictions) */
  float *base;       /* (max_seqs, T) target values at the inputs */
};

static const char *const METHOD_NAME[] = {"grad", "grad_x_input", "ism", "ig", "deeplift"};
_Static_assert(sizeof METHOD_NAME / sizeof *METHOD_NAME == DM_METHOD_COUNT, "METHOD_NAME incomplete");

const char *dm_methods_name(dm_method_t m) { return m < DM_METHOD_COUNT ? METHOD_NAME[m] : "?"; }

int dm_methods_parse(const char *name, dm_method_t *out) {
  for (int i = 0; i < DM_METHOD_COUNT; i++)
    if (!strcmp(name, METHOD_NAME[i])) {
      *out = (dm_method_t)i;
      return 0;
    }
  dm_log_error("unknown attribution method '%s' (grad|grad_x_input|ism|ig|deeplift)", name);
  return -1;
}

int dm_methods_uses_refs(dm_method_t m) { return m == DM_METHOD_IG || m == DM_METHOD_DEEPLIFT; }

void dm_methods_opt_init(dm_methods_opt_t *o) {
  o->method = DM_METHOD_DEEPLIFT;
  o->rules = DM_RULES_GENOMICS;
  o->ig_steps = 50;
}

int dm_methods_opt_from_params(const dm_params_t *p, dm_methods_opt_t *o) {
  dm_methods_opt_init(o);
  if (dm_methods_parse(dm_params_get_string(p, "Attr:method"), &o->method) < 0 ||
      dm_deeplift_rules_parse(dm_params_get_string(p, "Attr:rules"), &o->rules) < 0)
    return -1;
  o->ig_steps = (int)dm_params_get_int(p, "Attr:ig_steps");
  return dm_methods_opt_check(o);
}

int dm_methods_opt_check(const dm_methods_opt_t *o) {
  if (o->method >= DM_METHOD_COUNT || o->rules >= DM_RULES_COUNT) {
    dm_log_error("bad attribution method or rule set");
    return -1;
  }
  if (o->ig_steps < 1) {
    dm_log_error("ig steps must be >= 1 (got %d)", o->ig_steps);
    return -1;
  }
  return 0;
}

// --- setup

static size_t out_size(const dm_model_t *m, int o) { return dm_graph_size(m, m->outputs[o].tensor); }

dm_methods_t *dm_methods_init(const dm_model_t *m, const dm_methods_opt_t *o, const dm_target_t *targets,
                              int n_targets, int max_seqs, int n_refs) {
  DM_ASSERT(max_seqs >= 1);
  if (dm_methods_opt_check(o)) return NULL;
  int refs = dm_methods_uses_refs(o->method);
  if (refs && n_refs < 1) {
    dm_log_error("method %s needs at least one reference per sequence", dm_methods_name(o->method));
    return NULL;
  }
  dm_methods_t *a = dm_calloc("attr", 1, sizeof *a);
  a->m = m;
  a->o = *o;
  a->max_seqs = max_seqs;
  a->n_refs = refs ? n_refs : 1;
  if (targets) {
    DM_ASSERT(n_targets >= 1);
    a->T = n_targets;
    a->tg = dm_malloc("targets", sizeof *a->tg * n_targets);
    memcpy(a->tg, targets, sizeof *a->tg * n_targets);
  } else if ((a->T = dm_target_units(m, NULL, 0, &a->tg)) < 0) {
    free(a);
    return NULL;
  }
  int pairs = max_seqs * a->n_refs, T = a->T;
  if (o->method == DM_METHOD_DEEPLIFT) {
    a->dl = dm_deeplift_init(m, o->rules, pairs, T);
    if (!a->dl) {
      dm_methods_destroy(a);
      return NULL;
    }
  }
  int cap = max_seqs + (refs ? pairs : 0);
  if (o->method == DM_METHOD_ISM && cap < DM_ISM_BATCH) cap = DM_ISM_BATCH;
  char *keep = dm_calloc("attr keep", m->n_tensors, 1);
  if (a->dl) dm_deeplift_keep(a->dl, keep);
  a->run = dm_forward_init_keep(m, cap, T, keep);
  free(keep);
  size_t row = (size_t)m->in_len * m->in_ch, max_out = 0;
  a->mult = dm_malloc("attr mult", sizeof(float) * T * (size_t)pairs * row);
  if (o->method == DM_METHOD_IG) a->grad = dm_malloc("attr grad", sizeof(float) * T * (size_t)pairs * row);
  a->w = dm_calloc("attr targets", T, sizeof *a->w);
  a->dy = dm_calloc("attr seeds", m->n_outputs, sizeof *a->dy);
  for (int t = 0; t < T; t++) {
    int ot = a->tg[t].output;
    a->w[t] = dm_malloc("attr targets", sizeof(float) * max_seqs * out_size(m, ot));
    if (!a->dy[ot]) a->dy[ot] = dm_malloc("attr seeds", sizeof(float) * T * (size_t)pairs * out_size(m, ot));
  }
  for (int k = 0; k < m->n_outputs; k++)
    if (out_size(m, k) > max_out) max_out = out_size(m, k);
  a->act = dm_malloc("attr pred", sizeof(float) * max_seqs * max_out);
  a->base = dm_malloc("attr base", sizeof(float) * max_seqs * (size_t)T);
  return a;
}

int dm_methods_n_targets(const dm_methods_t *a) { return a->T; }

void dm_methods_destroy(dm_methods_t *a) {
  if (!a) return;
  dm_forward_destroy(a->run);
  dm_deeplift_destroy(a->dl);
  for (int t = 0; a->w && t < a->T; t++) free(a->w[t]);
  for (int k = 0; a->dy && k < a->m->n_outputs; k++) free(a->dy[k]);
  free(a->w);
  free(a->dy);
  free(a->tg);
  free(a->mult);
  free(a->grad);
  free(a->act);
  free(a->base);
  free(a);
}

// --- kernels (pure)

/* hyp[t, i, l, c'] = mean_k Σ_c mult[t, (i,k), l, c] (e_c'[c] - ref[(i,k), l, c]). */
static void hyp_from_mult(int T, int n, int R, int len, int ch, const float *mult, const float *refs,
                          float *hyp) {
  size_t row = (size_t)len * ch;
  float inv = 1.0f / (float)R;
  for (int t = 0; t < T; t++)
    for (int i = 0; i < n; i++) {
      float *h = hyp + ((size_t)t * n + i) * row;
      memset(h, 0, sizeof(float) * row);
      for (int k = 0; k < R; k++) {
        size_t p = (size_t)i * R + k;
        const float *mu = mult + ((size_t)t * n * R + p) * row, *x0 = refs + p * row;
        for (int l = 0; l < len; l++) {
          float dot = 0.0f;
          for (int c = 0; c < ch; c++) dot += mu[l * ch + c] * x0[l * ch + c];
          for (int c = 0; c < ch; c++) h[l * ch + c] += inv * (mu[l * ch + c] - dot);
        }
      }
    }
}

// --- targets

/* Seeds of rows rows (row r uses input r / div): target t's weights in block t of its output. */
static const float *const *fill_seeds(dm_methods_t *a, int rows, int div) {
  const dm_model_t *m = a->m;
  for (int k = 0; k < m->n_outputs; k++)
    if (a->dy[k]) memset(a->dy[k], 0, sizeof(float) * a->T * (size_t)rows * out_size(m, k));
  for (int t = 0; t < a->T; t++) {
    int o = a->tg[t].output;
    size_t sz = out_size(m, o);
    for (int r = 0; r < rows; r++)
      memcpy(a->dy[o] + ((size_t)t * rows + r) * sz, a->w[t] + (size_t)(r / div) * sz, sizeof(float) * sz);
  }
  return (const float *const *)a->dy;
}

/* val[i, t] = w_t(input i) · z_o(row i) of the last forward pass (rows 0..n-1); w of input i / div. */
static void target_values(const dm_methods_t *a, int n, int div, float *val) {
  for (int t = 0; t < a->T; t++) {
    int o = a->tg[t].output;
    size_t sz = out_size(a->m, o);
    const float *z = dm_forward_output(a->run, o);
    for (int i = 0; i < n; i++) {
      double s = 0.0;
      const float *w = a->w[t] + (size_t)(i / div) * sz, *zi = z + (size_t)i * sz;
      for (size_t e = 0; e < sz; e++) s += (double)w[e] * zi[e];
      val[(size_t)i * a->T + t] = (float)s;
    }
  }
}

/* Predictions of n inputs after a forward pass with them in rows 0..n-1. */
static void predictions(dm_methods_t *a, int n, float *pred) {
  for (int t = 0; t < a->T; t++) {
    const dm_target_t *tg = &a->tg[t];
    if (tg->kind != DM_TARGET_UNIT) {
      for (int i = 0; i < n; i++) pred[(size_t)i * a->T + t] = a->base[(size_t)i * a->T + t];
      continue;
    }
    size_t sz = out_size(a->m, tg->output);
    dm_model_activate_output(a->m, tg->output, n, dm_forward_output(a->run, tg->output), a->act);
    for (int i = 0; i < n; i++) pred[(size_t)i * a->T + t] = a->act[(size_t)i * sz + tg->unit];
  }
}

// --- methods

static void run_grad(dm_methods_t *a, int n, const float *x, float *hyp) {
  const dm_model_t *m = a->m;
  int T = a->T;
  size_t row = (size_t)m->in_len * m->in_ch;
  dm_forward_backward_graph(a->run, n, T, fill_seeds(a, n, 1), hyp, NULL, NULL);
  if (a->o.method == DM_METHOD_GRAD_X_INPUT)
    for (int t = 0; t < T; t++)
      for (size_t e = 0; e < (size_t)n * row; e++) hyp[(size_t)t * n * row + e] *= x[e];
}

static void run_deeplift(dm_methods_t *a, int n, const float *refs, float *hyp) {
  const dm_model_t *m = a->m;
  int R = a->n_refs;
  dm_deeplift_multipliers(a->dl, a->run, n, R, a->T, fill_seeds(a, n * R, R), a->mult);
  hyp_from_mult(a->T, n, R, m->in_len, m->in_ch, a->mult, refs, hyp);
}

static void run_ig(dm_methods_t *a, int n, const float *x, const float *refs, float *hyp) {
  const dm_model_t *m = a->m;
  int R = a->n_refs, T = a->T, P = n * R, S = a->o.ig_steps;
  size_t row = (size_t)m->in_len * m->in_ch, total = (size_t)T * P * row;
  float inv = 1.0f / (float)S;
  memset(a->mult, 0, sizeof(float) * total);
  const float *const *dy = fill_seeds(a, P, R);
  for (int s = 0; s < S; s++) {
    float alpha = ((float)s + 0.5f) * inv;
    for (int p = 0; p < P; p++) {
      const float *xi = x + (size_t)(p / R) * row, *x0 = refs + (size_t)p * row;
      float *in = a->run->in + (size_t)p * row;
      for (size_t e = 0; e < row; e++) in[e] = x0[e] + alpha * (xi[e] - x0[e]);
    }
    dm_forward_run(a->run, P);
    dm_forward_backward_graph(a->run, P, T, dy, a->grad, NULL, NULL);
    for (size_t e = 0; e < total; e++) a->mult[e] += inv * a->grad[e];
  }
  hyp_from_mult(T, n, R, m->in_len, m->in_ch, a->mult, refs, hyp);
}

/* target(x with base c at l) - target(x) for every base c not present; 0 for the present one. */
static void run_ism(dm_methods_t *a, int n, const float *x, float *hyp) {
  const dm_model_t *m = a->m;
  int T = a->T, len = m->in_len, ch = m->in_ch, cap = a->run->cap;
  size_t row = (size_t)len * ch;
  float *val = dm_malloc("ism values", sizeof(float) * cap * (size_t)T);
  for (int t = 0; t < T; t++) memset(hyp + (size_t)t * n * row, 0, sizeof(float) * n * row);
  for (int i = 0; i < n; i++) {
    const float *xi = x + (size_t)i * row;
    int l = 0, c = 0;
    while (l < len) {
      int rows = 0, l0 = l, c0 = c;
      for (; l < len && rows < cap; c = c + 1 == ch ? (l++, 0) : c + 1) {
        if (xi[(size_t)l * ch + c] == 1.0f) continue;
        float *in = a->run->in + (size_t)rows++ * row;
        memcpy(in, xi, sizeof(float) * row);
        for (int k = 0; k < ch; k++) in[(size_t)l * ch + k] = k == c ? 1.0f : 0.0f;
      }
      int l1 = l, c1 = c;
      dm_forward_run(a->run, rows);
      /* every mutant row is weighted with input i's target weights */
      for (int t = 0; t < T; t++) {
        int o = a->tg[t].output;
        size_t sz = out_size(m, o);
        const float *z = dm_forward_output(a->run, o), *w = a->w[t] + (size_t)i * sz;
        for (int r = 0; r < rows; r++) {
          double s = 0.0;
          for (size_t e = 0; e < sz; e++) s += (double)w[e] * z[(size_t)r * sz + e];
          val[(size_t)r * T + t] = (float)s;
        }
      }
      int r = 0;
      for (l = l0, c = c0; r < rows; c = c + 1 == ch ? (l++, 0) : c + 1) {
        if (xi[(size_t)l * ch + c] == 1.0f) continue;
        for (int t = 0; t < T; t++)
          hyp[((size_t)t * n + i) * row + (size_t)l * ch + c] =
              val[(size_t)r * T + t] - a->base[(size_t)i * T + t];
        r++;
      }
      l = l1;
      c = c1;
    }
  }
  free(val);
}

int dm_methods_run(dm_methods_t *a, int n, int len, const float *x, const float *refs, float *hyp,
                   float *pred) {
  const dm_model_t *m = a->m;
  if (len != m->in_len) {
    dm_log_error("%s: input '%s': input length %d does not match the model's input length %d", m->source,
                 m->tensors[m->inputs[0]].name, len, m->in_len);
    return -1;
  }
  if (n < 0 || n > a->max_seqs || (dm_methods_uses_refs(a->o.method) && !refs)) {
    dm_log_error("bad batch: %d sequences (max %d), references %s", n, a->max_seqs,
                 refs ? "given" : "missing");
    return -1;
  }
  size_t row = (size_t)m->in_len * m->in_ch;
  int R = a->n_refs, fwd = n;
  memcpy(a->run->in, x, sizeof(float) * n * row);
  if (a->o.method == DM_METHOD_DEEPLIFT) {
    memcpy(a->run->in + (size_t)n * row, refs, sizeof(float) * (size_t)n * R * row);
    fwd += n * R;
  }
  dm_forward_run(a->run, fwd);
  for (int t = 0; t < a->T; t++)
    dm_target_weights(m, &a->tg[t], n, dm_forward_output(a->run, a->tg[t].output), a->w[t]);
  target_values(a, n, 1, a->base);
  if (pred) predictions(a, n, pred);
  switch (a->o.method) {
    case DM_METHOD_GRAD:
    case DM_METHOD_GRAD_X_INPUT:
      run_grad(a, n, x, hyp);
      break;
    case DM_METHOD_ISM:
      run_ism(a, n, x, hyp);
      break;
    case DM_METHOD_IG:
      run_ig(a, n, x, refs, hyp);
      break;
    default:
      run_deeplift(a, n, refs, hyp);
      break;
  }
  return 0;
}
