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
  dm_run_t *run;
  dm_deeplift_t *dl; /* deeplift only */
  float *mult;       /* (n_tasks, max_seqs * n_refs, in_len, in_ch) input multipliers */
  float *grad;       /* same shape: gradients of one ig step (ig only) */
  float *seed;       /* (n_tasks, rows, n_tasks) one-hot task seeds */
  float *base;       /* (max_seqs, n_tasks) logits of the inputs (ism) */
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

dm_methods_t *dm_methods_init(const dm_model_t *m, const dm_methods_opt_t *o, int max_seqs, int n_refs) {
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
  int pairs = max_seqs * a->n_refs, T = m->n_tasks;
  if (o->method == DM_METHOD_DEEPLIFT) {
    a->dl = dm_deeplift_init(m, o->rules, pairs);
    if (!a->dl) {
      free(a);
      return NULL;
    }
  }
  int cap = max_seqs + (refs ? pairs : 0);
  if (o->method == DM_METHOD_ISM && cap < DM_ISM_BATCH) cap = DM_ISM_BATCH;
  a->run = dm_forward_init(m, cap, T);
  a->mult = dm_malloc("attr mult", sizeof(float) * T * (size_t)pairs * m->in_len * m->in_ch);
  if (o->method == DM_METHOD_IG)
    a->grad = dm_malloc("attr grad", sizeof(float) * T * (size_t)pairs * m->in_len * m->in_ch);
  a->seed = dm_malloc("attr seed", sizeof(float) * T * (size_t)cap * T);
  a->base = dm_malloc("attr base", sizeof(float) * max_seqs * (size_t)T);
  return a;
}

void dm_methods_destroy(dm_methods_t *a) {
  if (!a) return;
  dm_forward_destroy(a->run);
  dm_deeplift_destroy(a->dl);
  free(a->mult);
  free(a->grad);
  free(a->seed);
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

// --- methods

static void run_grad(dm_methods_t *a, int n, const float *x, float *hyp) {
  const dm_model_t *m = a->m;
  int T = m->n_tasks;
  size_t row = (size_t)m->in_len * m->in_ch;
  dm_forward_task_seeds(T, n, a->seed);
  dm_forward_backward(a->run, n, T, a->seed, hyp);
  if (a->o.method == DM_METHOD_GRAD_X_INPUT)
    for (int t = 0; t < T; t++)
      for (size_t e = 0; e < (size_t)n * row; e++) hyp[(size_t)t * n * row + e] *= x[e];
}

static void run_deeplift(dm_methods_t *a, int n, const float *refs, float *hyp) {
  const dm_model_t *m = a->m;
  int R = a->n_refs;
  size_t row = (size_t)m->in_len * m->in_ch;
  memcpy(a->run->in + (size_t)n * row, refs, sizeof(float) * (size_t)n * R * row);
  dm_forward_run(a->run, n + n * R);
  dm_deeplift_multipliers(a->dl, a->run, n, R, a->mult);
  hyp_from_mult(m->n_tasks, n, R, m->in_len, m->in_ch, a->mult, refs, hyp);
}

static void run_ig(dm_methods_t *a, int n, const float *x, const float *refs, float *hyp) {
  const dm_model_t *m = a->m;
  int R = a->n_refs, T = m->n_tasks, P = n * R, S = a->o.ig_steps;
  size_t row = (size_t)m->in_len * m->in_ch, total = (size_t)T * P * row;
  float inv = 1.0f / (float)S;
  memset(a->mult, 0, sizeof(float) * total);
  dm_forward_task_seeds(T, P, a->seed);
  for (int s = 0; s < S; s++) {
    float alpha = ((float)s + 0.5f) * inv;
    for (int p = 0; p < P; p++) {
      const float *xi = x + (size_t)(p / R) * row, *x0 = refs + (size_t)p * row;
      float *in = a->run->in + (size_t)p * row;
      for (size_t e = 0; e < row; e++) in[e] = x0[e] + alpha * (xi[e] - x0[e]);
    }
    dm_forward_run(a->run, P);
    dm_forward_backward(a->run, P, T, a->seed, a->grad);
    for (size_t e = 0; e < total; e++) a->mult[e] += inv * a->grad[e];
  }
  hyp_from_mult(T, n, R, m->in_len, m->in_ch, a->mult, refs, hyp);
}

/* logit(x with base c at l) - logit(x) for every base c not present; 0 for the present one. */
static void run_ism(dm_methods_t *a, int n, const float *x, float *hyp) {
  const dm_model_t *m = a->m;
  int T = m->n_tasks, len = m->in_len, ch = m->in_ch, cap = a->run->cap;
  size_t row = (size_t)len * ch;
  memcpy(a->base, dm_forward_logits(a->run), sizeof(float) * n * T);
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
      const float *z = dm_forward_logits(a->run);
      int r = 0;
      for (l = l0, c = c0; r < rows; c = c + 1 == ch ? (l++, 0) : c + 1) {
        if (xi[(size_t)l * ch + c] == 1.0f) continue;
        for (int t = 0; t < T; t++)
          hyp[((size_t)t * n + i) * row + (size_t)l * ch + c] =
              z[(size_t)r * T + t] - a->base[(size_t)i * T + t];
        r++;
      }
      l = l1;
      c = c1;
    }
  }
}

int dm_methods_run(dm_methods_t *a, int n, int len, const float *x, const float *refs, float *hyp,
                   float *pred) {
  const dm_model_t *m = a->m;
  if (len != m->in_len) {
    dm_log_error("%s: layer '%s': input length %d does not match the model's input length %d", m->source,
                 m->tensors[m->inputs[0]].name, len, m->in_len);
    return -1;
  }
  if (n < 0 || n > a->max_seqs || (dm_methods_uses_refs(a->o.method) && !refs)) {
    dm_log_error("bad batch: %d sequences (max %d), references %s", n, a->max_seqs,
                 refs ? "given" : "missing");
    return -1;
  }
  size_t row = (size_t)m->in_len * m->in_ch;
  memcpy(a->run->in, x, sizeof(float) * n * row);
  if (a->o.method == DM_METHOD_DEEPLIFT)
    run_deeplift(a, n, refs, hyp);
  else
    dm_forward_run(a->run, n);
  if (pred) dm_model_activate(m, n, dm_forward_logits(a->run), pred);
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
      break;
  }
  return 0;
}
