/* This object's header. */
#include "dm_hits_fit.h"

/* Standard headers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Local headers. */
#include "dm_mem.h"

struct dm_hits_fit_ws_s {
  const dm_hits_bank_t *bank;
  int L, n_place;
  int *first;    /* (K + 1,) first placement of entry k; entry k has first[k+1] - first[k] positions */
  double *A;     /* per entry k, (W_k, P_k) s[k,p] * cwm_k[w][b[p+w]]: positions contiguous for each w */
  size_t *a_off; /* (K,) start of entry k in A */
  double *s;     /* (n_place,) importance scales */
  double *c, *c_prev, *y, *g; /* (n_place,) */
  double *xn, *r;             /* (L,) */
  dm_hit_t *hits;
  int cap;
};

void dm_hits_fit_opt_init(dm_hits_fit_opt_t *o) {
  *o = (dm_hits_fit_opt_t){.lambda = 0.7,
                           .step_max = 3.0,
                           .step_min = 0.08,
                           .step_adjust = 0.7,
                           .tol = 5e-4,
                           .max_steps = 10000,
                           .eps = 1.0,
                           .scale_max = 10.0,
                           .post_filter = 1};
}

dm_hits_fit_ws_t *dm_hits_fit_ws_init(const dm_hits_bank_t *bank, int L) {
  dm_hits_fit_ws_t *ws = dm_calloc("fit workspace", 1, sizeof *ws);
  int K = bank->n;
  ws->bank = bank;
  ws->L = L;
  ws->first = dm_calloc("fit placements", (size_t)K + 1, sizeof *ws->first);
  ws->a_off = dm_calloc("fit offsets", (size_t)K + 1, sizeof *ws->a_off);
  for (int k = 0; k < K; k++) {
    int P = L - bank->width[k] + 1;
    if (P < 0) P = 0;
    ws->first[k + 1] = ws->first[k] + P;
    ws->a_off[k + 1] = ws->a_off[k] + (size_t)P * (size_t)bank->width[k];
  }
  size_t n = (size_t)ws->first[K] + 1;
  ws->n_place = ws->first[K];
  ws->A = dm_malloc("fit design", (ws->a_off[K] + 1) * sizeof *ws->A);
  ws->s = dm_malloc("fit scales", n * sizeof *ws->s);
  ws->c = dm_malloc("fit c", n * sizeof *ws->c);
  ws->c_prev = dm_malloc("fit c_prev", n * sizeof *ws->c_prev);
  ws->y = dm_malloc("fit y", n * sizeof *ws->y);
  ws->g = dm_malloc("fit g", n * sizeof *ws->g);
  ws->xn = dm_malloc("fit xn", ((size_t)L + 1) * sizeof *ws->xn);
  ws->r = dm_malloc("fit r", ((size_t)L + 1) * sizeof *ws->r);
  return ws;
}

void dm_hits_fit_ws_destroy(dm_hits_fit_ws_t *ws) {
  if (!ws) return;
  free(ws->first), free(ws->a_off), free(ws->A), free(ws->s), free(ws->c), free(ws->c_prev), free(ws->y);
  free(ws->g), free(ws->xn), free(ws->r), free(ws->hits);
  free(ws);
}

void dm_hits_fit_last(const dm_hits_fit_ws_t *ws, const double **c, const double **s, const double **xn,
                      int *n_place) {
  *c = ws->c, *s = ws->s, *xn = ws->xn, *n_place = ws->n_place;
}

// --- the problem

/* Scales s and design entries A of every placement, for the track xn and bases b. */
static void build_design(dm_hits_fit_ws_t *ws, const dm_hits_fit_opt_t *opt, const int8_t *b) {
  const dm_hits_bank_t *bk = ws->bank;
  for (int k = 0; k < bk->n; k++) {
    int W = bk->width[k], P = ws->first[k + 1] - ws->first[k];
    const double *cw = bk->cwm[k];
    double *A = ws->A + ws->a_off[k], *sk = ws->s + ws->first[k];
    for (int p = 0; p < P; p++) {
      double sq = 0;
      for (int w = 0; w < W; w++) sq += ws->xn[p + w] * ws->xn[p + w];
      double s = 1.0 / sqrt(sq + opt->eps);
      sk[p] = s > opt->scale_max ? opt->scale_max : s;
    }
    for (int w = 0; w < W; w++)
      for (int p = 0; p < P; p++) A[(size_t)w * P + p] = b[p + w] >= 0 ? sk[p] * cw[4 * w + b[p + w]] : 0.0;
  }
}

/* r = xn - A v (v sparse); @return 1/2 ||r||^2 */
static double residual(dm_hits_fit_ws_t *ws, const double *v) {
  const dm_hits_bank_t *bk = ws->bank;
  memcpy(ws->r, ws->xn, (size_t)ws->L * sizeof *ws->r);
  for (int k = 0; k < bk->n; k++) {
    int W = bk->width[k], P = ws->first[k + 1] - ws->first[k];
    const double *A = ws->A + ws->a_off[k], *vk = v + ws->first[k];
    for (int p = 0; p < P; p++)
      if (vk[p] != 0.0)
        for (int w = 0; w < W; w++) ws->r[p + w] -= vk[p] * A[(size_t)w * P + p];
  }
  double nll = 0;
  for (int p = 0; p < ws->L; p++) nll += ws->r[p] * ws->r[p];
  return 0.5 * nll;
}

/* g = A^T r (the negative gradient of the fit term). */
static void neg_gradient(dm_hits_fit_ws_t *ws) {
  const dm_hits_bank_t *bk = ws->bank;
  for (int k = 0; k < bk->n; k++) {
    int W = bk->width[k], P = ws->first[k + 1] - ws->first[k];
    const double *A = ws->A + ws->a_off[k];
    double *g = ws->g + ws->first[k];
    memset(g, 0, (size_t)P * sizeof *g);
    for (int w = 0; w < W; w++) {
      const double *a = A + (size_t)w * P, *r = ws->r + w;
      for (int p = 0; p < P; p++) g[p] += a[p] * r[p];
    }
  }
}

/* Duality gap of the non-negative lasso at v, residual r, negative gradient g:
 * primal 1/2||r||^2 + lambda sum v, dual point theta = r * min(1, lambda / max g). */
static double duality_gap(const dm_hits_fit_ws_t *ws, const double *v, double nll, double lambda) {
  double gmax = 0, l1 = 0, rx = 0;
  for (int i = 0; i < ws->n_place; i++) {
    if (ws->g[i] > gmax) gmax = ws->g[i];
    l1 += fabs(v[i]);
  }
  for (int p = 0; p < ws->L; p++) rx += ws->r[p] * ws->xn[p];
  double t = gmax > lambda ? lambda / gmax : 1.0;
  return nll + lambda * l1 - t * rx + t * t * nll;
}

// --- the solver

static void push_hit(dm_hits_fit_ws_t *ws, int n, dm_hit_t h) {
  if (n == ws->cap) {
    ws->cap = ws->cap ? 2 * ws->cap : 64;
    ws->hits = dm_realloc("fit hits", ws->hits, (size_t)ws->cap * sizeof *ws->hits);
  }
  ws->hits[n] = h;
}

/* Proximal gradient with momentum until converged; coefficients in ws->c. */
static void solve(dm_hits_fit_ws_t *ws, const dm_hits_fit_opt_t *opt, dm_hits_qc_t *qc) {
  size_t bytes = (size_t)ws->n_place * sizeof(double);
  double f0 = 0.5 * ws->L, step = opt->step_max; /* 1/2 ||xn||^2 = L/2 after normalisation */
  long i = 0, total = 0;
  memset(ws->c, 0, bytes), memset(ws->y, 0, bytes);
  qc->status = DM_FIT_MAX_STEPS;
  for (; total < opt->max_steps; total++, i++) {
    double nll = residual(ws, ws->y);
    neg_gradient(ws);
    double gap = duality_gap(ws, ws->y, nll, opt->lambda);
    if (!isfinite(gap) || nll > 4 * f0) { /* diverging: smaller step, from zero */
      step *= opt->step_adjust;
      memset(ws->c, 0, bytes), memset(ws->y, 0, bytes);
      i = -1;
      if (step < opt->step_min) {
        qc->status = DM_FIT_FAILED;
        break;
      }
      continue;
    }
    qc->gap = gap / ws->L;
    qc->nll = nll / ws->L;
    memcpy(ws->c_prev, ws->c, bytes);
    double dir = 0;
    for (int j = 0; j < ws->n_place; j++) {
      double v = ws->y[j] + step * (ws->g[j] - opt->lambda);
      ws->c[j] = v > 0 ? v : 0.0;
      dir += (ws->y[j] - ws->c[j]) * (ws->c[j] - ws->c_prev[j]);
    }
    if (qc->gap <= opt->tol) {
      qc->status = DM_FIT_CONVERGED;
      total++;
      break;
    }
    if (dir > 0) i = 0; /* momentum against the step: restart it */
    double mom = (double)i / ((double)i + 3.0);
    for (int j = 0; j < ws->n_place; j++) ws->y[j] = ws->c[j] + mom * (ws->c[j] - ws->c_prev[j]);
  }
  if (qc->status == DM_FIT_FAILED) memset(ws->c, 0, bytes);
  qc->steps = total;
  qc->step = step;
}

int dm_hits_fit_region(dm_hits_fit_ws_t *ws, const dm_hits_fit_opt_t *opt, const double *x, const int8_t *b,
                       int64_t region, dm_hit_t **hits, dm_hits_qc_t *qc) {
  const dm_hits_bank_t *bk = ws->bank;
  double ss = 0;
  for (int p = 0; p < ws->L; p++) ss += x[p] * x[p];
  double gs = sqrt(ss / ws->L);
  memset(qc, 0, sizeof *qc);
  qc->global_scale = gs;
  *hits = ws->hits;
  if (!(gs > 0) || !isfinite(gs)) {
    memset(ws->c, 0, (size_t)ws->n_place * sizeof *ws->c);
    qc->status = DM_FIT_EMPTY;
    return 0;
  }
  for (int p = 0; p < ws->L; p++) ws->xn[p] = x[p] / gs;
  build_design(ws, opt, b);
  solve(ws, opt, qc);
  int n = 0;
  for (int k = 0; k < bk->n; k++)
    for (int p = 0, i = ws->first[k]; i < ws->first[k + 1]; p++, i++) {
      if (ws->c[i] <= 0) continue;
      double dot, sq, ab;
      dm_hits_window(bk, k, ws->xn, b, p, &dot, &sq, &ab);
      double sim = sq > 0 ? dot / sqrt(sq) : 0.0;
      if (opt->post_filter && sim < opt->lambda) continue;
      push_hit(ws, n++, (dm_hit_t){region, k, p, ws->c[i] * gs * gs, sim, ab * gs});
    }
  *hits = ws->hits;
  return n;
}
