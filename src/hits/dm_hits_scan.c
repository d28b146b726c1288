/* This object's header. */
#include "dm_hits_scan.h"

/* Standard headers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Local headers. */
#include "dm_mem.h"

struct dm_hits_scan_ws_s {
  const dm_hits_bank_t *bank;
  int L;
  double *cnorm;  /* (K,) ||cwm_k|| */
  dm_hit_t *cand; /* candidates of one pattern */
  int n_cand, cap_cand;
  dm_hit_t *hits;
  int n_hits, cap_hits;
};

static double cwm_norm(const dm_hits_bank_t *bank, int k) {
  double s = 0;
  for (int i = 0; i < 4 * bank->width[k]; i++) s += bank->cwm[k][i] * bank->cwm[k][i];
  return sqrt(s);
}

/* Score, similarity and importance of entry k at p. */
static void window_scores(const dm_hits_bank_t *bank, int k, double norm, const double *x, const int8_t *b,
                          int p, double *score, double *sim, double *imp) {
  double sq;
  dm_hits_window(bank, k, x, b, p, score, &sq, imp);
  *sim = sq > 0 && norm > 0 ? *score / (norm * sqrt(sq)) : 0.0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double dm_hits_quantile(double *v, int n, double q) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  double h = q * (n - 1);
  int i = (int)floor(h);
  if (i >= n - 1) return v[n - 1];
  return v[i] + (h - i) * (v[i + 1] - v[i]);
}

void dm_hits_scan_thresholds(const dm_hits_bank_t *bank, int j, const double *contrib, int n, double q,
                             double *sim_min, double *imp_min, double *work) {
  int k = 2 * j, len = bank->full_len[k], off = bank->offset[k], W = bank->width[k];
  double norm = cwm_norm(bank, k), *sims = work, *imps = work + n;
  double x[W > 0 ? W : 1];
  int8_t b[W > 0 ? W : 1];
  for (int i = 0; i < n; i++) {
    const double *c = contrib + (size_t)i * (size_t)len * 4 + (size_t)off * 4;
    for (int w = 0; w < W; w++) { /* projected: the base is where the contribution is */
      const double *cw = c + 4 * w;
      int best = 0;
      for (int ch = 1; ch < 4; ch++)
        if (fabs(cw[ch]) > fabs(cw[best])) best = ch;
      x[w] = cw[0] + cw[1] + cw[2] + cw[3];
      b[w] = (int8_t)best;
    }
    double score;
    window_scores(bank, k, norm, x, b, 0, &score, &sims[i], &imps[i]);
  }
  *sim_min = dm_hits_quantile(sims, n, q);
  *imp_min = dm_hits_quantile(imps, n, q);
}

dm_hits_scan_ws_t *dm_hits_scan_ws_init(const dm_hits_bank_t *bank, int L) {
  dm_hits_scan_ws_t *ws = dm_calloc("scan workspace", 1, sizeof *ws);
  ws->bank = bank;
  ws->L = L;
  ws->cnorm = dm_malloc("scan norms", ((size_t)bank->n + 1) * sizeof *ws->cnorm);
  for (int k = 0; k < bank->n; k++) ws->cnorm[k] = cwm_norm(bank, k);
  return ws;
}

void dm_hits_scan_ws_destroy(dm_hits_scan_ws_t *ws) {
  if (!ws) return;
  free(ws->cnorm), free(ws->cand), free(ws->hits);
  free(ws);
}

static void push(dm_hit_t **v, int *n, int *cap, dm_hit_t h) {
  if (*n == *cap) {
    *cap = *cap ? 2 * *cap : 64;
    *v = dm_realloc("scan hits", *v, (size_t)*cap * sizeof **v);
  }
  (*v)[(*n)++] = h;
}

/* Best first: similarity descending, then score descending, position, entry. */
static int cmp_best(const void *pa, const void *pb) {
  const dm_hit_t *a = pa, *b = pb;
  if (a->similarity != b->similarity) return a->similarity < b->similarity ? 1 : -1;
  if (a->score != b->score) return a->score < b->score ? 1 : -1;
  if (a->pos != b->pos) return a->pos < b->pos ? -1 : 1;
  return (a->motif > b->motif) - (a->motif < b->motif);
}

/* Output order: entry, then position. */
static int cmp_place(const void *pa, const void *pb) {
  const dm_hit_t *a = pa, *b = pb;
  if (a->motif != b->motif) return a->motif < b->motif ? -1 : 1;
  return (a->pos > b->pos) - (a->pos < b->pos);
}

/* Keep the candidates [c0, n_cand) that no better one overlaps. */
static void resolve(dm_hits_scan_ws_t *ws, int c0, int compete) {
  const dm_hits_bank_t *bk = ws->bank;
  qsort(ws->cand + c0, (size_t)(ws->n_cand - c0), sizeof *ws->cand, cmp_best);
  int first = ws->n_hits;
  for (int c = c0; c < ws->n_cand; c++) {
    const dm_hit_t *h = &ws->cand[c];
    int free_spot = 1;
    for (int a = first; a < ws->n_hits && free_spot; a++) {
      const dm_hit_t *o = &ws->hits[a];
      free_spot = (!compete && o->motif / 2 != h->motif / 2) || h->pos + bk->width[h->motif] <= o->pos ||
                  o->pos + bk->width[o->motif] <= h->pos;
    }
    if (free_spot) push(&ws->hits, &ws->n_hits, &ws->cap_hits, *h);
  }
}

int dm_hits_scan_region(dm_hits_scan_ws_t *ws, const dm_hits_thr_t *thr, const double *x, const int8_t *b,
                        int64_t region, dm_hit_t **hits) {
  const dm_hits_bank_t *bk = ws->bank;
  ws->n_hits = 0;
  ws->n_cand = 0;
  for (int j = 0; j < bk->n_patterns; j++) {
    int c0 = thr->compete ? 0 : ws->n_cand;
    for (int k = 2 * j; k < 2 * j + 2; k++)
      for (int p = 0; p + bk->width[k] <= ws->L; p++) {
        dm_hit_t h = {region, k, p, 0, 0, 0};
        window_scores(bk, k, ws->cnorm[k], x, b, p, &h.score, &h.similarity, &h.importance);
        if (h.similarity >= thr->sim_min[j] && h.importance >= thr->imp_min[j])
          push(&ws->cand, &ws->n_cand, &ws->cap_cand, h);
      }
    if (!thr->compete) resolve(ws, c0, 0);
  }
  if (thr->compete) resolve(ws, 0, 1);
  qsort(ws->hits, (size_t)ws->n_hits, sizeof *ws->hits, cmp_place);
  *hits = ws->hits;
  return ws->n_hits;
}
