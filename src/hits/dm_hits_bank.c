/* This object's header. */
#include "dm_hits_bank.h"

/* Standard headers. */
#include <math.h>
#include <stdlib.h>

/* Local headers. */
#include "dm_mem.h"
#include "dm_modisco_read.h"

dm_hits_bank_t *dm_hits_bank_init(const double *const *cwms, const int *lens, int n_patterns,
                                  double trim_frac) {
  dm_hits_bank_t *b = dm_calloc("hits bank", 1, sizeof *b);
  int K = 2 * n_patterns;
  b->n_patterns = n_patterns;
  b->n = K;
  b->width = dm_calloc("bank widths", (size_t)K, sizeof *b->width);
  b->offset = dm_calloc("bank offsets", (size_t)K, sizeof *b->offset);
  b->full_len = dm_calloc("bank lengths", (size_t)K, sizeof *b->full_len);
  b->cwm = dm_calloc("bank cwms", (size_t)K, sizeof *b->cwm);
  b->norm = dm_calloc("bank norms", (size_t)K, sizeof *b->norm);
  for (int j = 0; j < n_patterns; j++) {
    const double *c = cwms[j];
    int len = lens[j], a, e;
    double ss = 0;
    for (int i = 0; i < 4 * len; i++) ss += c[i] * c[i];
    double norm = sqrt(ss), inv = norm > 0 ? 1.0 / norm : 0.0;
    dm_motif_trim(c, len, trim_frac, 0, &a, &e);
    int W = e - a;
    for (int s = 0; s < 2; s++) {
      int k = 2 * j + s;
      b->width[k] = W;
      b->full_len[k] = len;
      b->norm[k] = norm;
      b->offset[k] = s ? len - e : a;
      b->cwm[k] = dm_malloc("bank cwm", (size_t)W * 4 * sizeof(double));
      for (int w = 0; w < W; w++)
        for (int ch = 0; ch < 4; ch++)
          b->cwm[k][4 * w + ch] = s ? c[4 * (e - 1 - w) + (3 - ch)] * inv : c[4 * (a + w) + ch] * inv;
    }
    if (W > b->max_width) b->max_width = W;
  }
  return b;
}

void dm_hits_bank_destroy(dm_hits_bank_t *b) {
  if (!b) return;
  for (int k = 0; k < b->n; k++) free(b->cwm[k]);
  free(b->cwm), free(b->width), free(b->offset), free(b->full_len), free(b->norm);
  free(b);
}

void dm_hits_project(const float *hyp, const uint8_t *onehot, int L, int center, double *x, int8_t *b) {
  for (int p = 0; p < L; p++) {
    const float *h = hyp + 4 * p;
    const uint8_t *o = onehot + 4 * p;
    int8_t base = o[0] ? 0 : o[1] ? 1 : o[2] ? 2 : o[3] ? 3 : -1;
    double m = center ? 0.25 * ((double)h[0] + (double)h[1] + (double)h[2] + (double)h[3]) : 0.0;
    b[p] = base;
    x[p] = base >= 0 ? (double)h[base] - m : 0.0;
  }
}

void dm_hits_window(const dm_hits_bank_t *bank, int k, const double *x, const int8_t *b, int p, double *dot,
                    double *sq, double *abs_sum) {
  const double *c = bank->cwm[k];
  double d = 0, s = 0, a = 0;
  for (int w = 0; w < bank->width[k]; w++) {
    double v = x[p + w];
    if (b[p + w] >= 0) d += v * c[4 * w + b[p + w]];
    s += v * v;
    a += fabs(v);
  }
  *dot = d, *sq = s, *abs_sum = a;
}
