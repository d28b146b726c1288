/* This object's header. */
#include "dm_variant.h"

/* Standard headers. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void dm_variant_span(int64_t p, int L, int len_ref, int len_alt, int64_t *start, int64_t *end) {
  int d = len_ref - len_alt;
  *start = p - L / 2;
  *end = *start + L + (d > 0 ? d : 0);
  /* REF itself must be inside the fetched bases, even when it is longer than the right flank */
  if (*end < p + len_ref) *end = p + len_ref;
}

void dm_variant_windows(const char *g, int L, const char *ref, int len_ref, const char *alt, int len_alt,
                        char *wref, char *walt) {
  int F = L / 2;
  memcpy(wref, g, (size_t)L);
  memcpy(walt, g, (size_t)F);
  int k = F;
  for (int i = 0; i < len_alt && k < L; i++) walt[k++] = alt[i];
  /* the bases after REF follow ALT, up to the window length */
  for (int64_t j = F + len_ref; k < L; j++) walt[k++] = g[j];
  (void)ref;
}

int dm_variant_ref_matches(const char *g, int L, const char *ref, int len_ref) {
  const char *at = g + L / 2;
  for (int i = 0; i < len_ref; i++) {
    int r = toupper((unsigned char)ref[i]), b = toupper((unsigned char)at[i]);
    if (r != 'N' && r != b) return 0;
  }
  return 1;
}

void dm_variant_scores(int n, int T, const float *zref, const float *zalt, const float *yref, const float *yalt,
                       float *diff, float *logfc) {
  for (int64_t i = 0; i < (int64_t)n * T; i++) {
    diff[i] = zalt[i] - zref[i];
    double a = yalt[i] > 1e-30f ? yalt[i] : 1e-30, r = yref[i] > 1e-30f ? yref[i] : 1e-30;
    logfc[i] = (float)log2(a / r);
  }
}

/* log of the softmax normaliser of n logits: max + log sum exp(z - max). */
static double log_norm(const float *z, int n) {
  double mx = z[0], sum = 0;
  for (int i = 1; i < n; i++)
    if (z[i] > mx) mx = z[i];
  for (int i = 0; i < n; i++) sum += exp((double)z[i] - mx);
  return mx + log(sum);
}

double dm_variant_jsd(const float *a, const float *b, int n) {
  double la = log_norm(a, n), lb = log_norm(b, n), js = 0;
  for (int i = 0; i < n; i++) {
    double p = exp((double)a[i] - la), q = exp((double)b[i] - lb), m = 0.5 * (p + q);
    if (p > 0) js += 0.5 * p * log(p / m);
    if (q > 0) js += 0.5 * q * log(q / m);
  }
  return sqrt(js > 0 ? js : 0);
}

static int cmp_float(const void *a, const void *b) {
  float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}

void dm_variant_pvalues(int64_t n_null, float *null, int64_t n, const float *obs, float *p) {
  int64_t m = 0;
  for (int64_t j = 0; j < n_null; j++)
    if (!isnan(null[j])) null[m++] = fabsf(null[j]);
  qsort(null, (size_t)m, sizeof *null, cmp_float);
  for (int64_t i = 0; i < n; i++) {
    if (isnan(obs[i])) {
      p[i] = NAN;
      continue;
    }
    float v = fabsf(obs[i]);
    int64_t lo = 0, hi = m; /* first index with null >= v */
    while (lo < hi) {
      int64_t mid = lo + (hi - lo) / 2;
      if (null[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    p[i] = (float)((double)(1 + m - lo) / (double)(1 + m));
  }
}
