/* dm_affinity: fine similarity, Spearman filter (see dm_affinity.h). */
#include "dm_affinity.h"

#include <math.h>
#include <stdlib.h>

#include "dm_cj.h"
#include "dm_keyed.h"
#include "dm_log.h"
#include "dm_radix.h"

// --- fine similarity

size_t dm_affinity_fine_work_size(int l, int c, int pad) { return dm_cj_work_size(l, c, pad); }

void dm_affinity_summaries(const float *fwd, const float *rc, int l, int c, int a, int b, float *sums) {
  size_t stride = (size_t)l * c, ns = dm_cj_summary_size(l, c);
  for (int i = a; i < b; i++) {
    dm_cj_summarize(fwd + (size_t)i * stride, l, c, sums + (size_t)i * 2 * ns);
    dm_cj_summarize(rc + (size_t)i * stride, l, c, sums + ((size_t)i * 2 + 1) * ns);
  }
}

void dm_affinity_fine(const float *fwd, const float *rc, const float *sums, int l, int c, int pad, int a, int b,
                      int k, const int32_t *nbr, float *work, float *fine) {
  DM_ASSERT(a >= 0 && a <= b && k >= 0 && pad >= 0);
  size_t stride = (size_t)l * c, ns = dm_cj_summary_size(l, c);
  for (int i = a; i < b; i++) {
    dm_cj_prepare(fwd + (size_t)i * stride, l, c, pad, work);
    const int32_t *row = nbr + (size_t)(i - a) * k;
    float *out = fine + (size_t)(i - a) * k;
    for (int t = 0; t < k; t++) {
      size_t j = (size_t)row[t];
      if (t + 1 < k) { /* fetch the next neighbour's tracks while this one is scored */
        const char *nf = (const char *)(fwd + (size_t)row[t + 1] * stride);
        const char *nr = (const char *)(rc + (size_t)row[t + 1] * stride);
        for (size_t byte = 0; byte < stride * sizeof(float); byte += 64) {
          __builtin_prefetch(nf + byte);
          __builtin_prefetch(nr + byte);
        }
        if (sums) {
          const char *nsum = (const char *)(sums + (size_t)row[t + 1] * 2 * ns);
          for (size_t byte = 0; byte < 2 * ns * sizeof(float); byte += 64) __builtin_prefetch(nsum + byte);
        }
      }
      const float *fs = sums ? sums + j * 2 * ns : NULL, *rs = sums ? fs + ns : NULL;
      out[t] = dm_cj_align_prepared(fwd + j * stride, rc + j * stride, fs, rs, l, work, l, c, pad).score;
    }
  }
}

// --- Spearman correlation

/* Average ranks (1-based) of p[0..m), in ascending key order, into
 * rank[p.idx]: tied keys share the mean of their ranks. */
static void sorted_ranks(const dm_keyed_t *p, int m, double *rank) {
  for (int s = 0; s < m;) {
    int e = s + 1;
    while (e < m && p[e].key == p[s].key) e++;
    double r = 0.5 * (double)(s + 1 + e); /* mean of ranks s+1 .. e */
    for (int t = s; t < e; t++) rank[p[t].idx] = r;
    s = e;
  }
}

/* sorted_ranks of p in any order; p is sorted in place. Keys already in
 * non-increasing order (as coarse similarities come, best first) are
 * reversed instead of sorted: ties keep the same mean ranks. */
static void average_ranks(dm_keyed_t *p, int m, double *rank) {
  int desc = 1;
  for (int t = 1; t < m && desc; t++) desc = p[t - 1].key >= p[t].key;
  if (desc)
    for (int t = 0, u = m - 1; t < u; t++, u--) {
      dm_keyed_t tmp = p[t];
      p[t] = p[u];
      p[u] = tmp;
    }
  else
    dm_keyed_sort(p, (size_t)m);
  sorted_ranks(p, m, rank);
}

/* Average ranks of the m nonzero values of x[0..n), sorted by a radix sort
 * (by value, ties by index, as dm_keyed_sort orders them). Scratch: key
 * and idx of 2 m int64 and 2 m int32, and p of m pairs. */
static void average_ranks_floats(const float *x, int n, int m, double *rank, int64_t *key, int32_t *idx,
                                 dm_keyed_t *p) {
  int64_t *tkey = key + m;
  int32_t *tidx = idx + m;
  m = 0;
  for (int t = 0; t < n; t++)
    if (x[t] != 0.0f) {
      key[m] = dm_radix_float_key(x[t]);
      idx[m] = m;
      m++;
    }
  dm_radix_sort(key, idx, tkey, tidx, (size_t)m, 0xffffffff);
  for (int t = 0; t < m; t++) p[t] = (dm_keyed_t){(double)key[t], idx[t]}; /* keys < 2^32: exact */
  sorted_ranks(p, m, rank);
}

double dm_affinity_spearman(const float *x, const double *y, int n, double *work) {
  /* work: rx, ry (n each; ry first holds the radix sort's indices), n pairs
   * (2 n), the radix sort's keys (2 n) */
  double *rx = work, *ry = work + n;
  dm_keyed_t *p = (dm_keyed_t *)(void *)(work + 2 * (size_t)n);
  int m = 0;
  for (int t = 0; t < n; t++) m += x[t] != 0.0f;
  if (m < 2) return NAN;
  average_ranks_floats(x, n, m, rx, (int64_t *)(void *)(work + 4 * (size_t)n), (int32_t *)(void *)ry, p);
  m = 0;
  for (int t = 0; t < n; t++)
    if (x[t] != 0.0f) {
      p[m] = (dm_keyed_t){y[t], m};
      m++;
    }
  average_ranks(p, m, ry);
  double mean = 0.5 * (m + 1), sxy = 0, sxx = 0, syy = 0;
  for (int t = 0; t < m; t++) {
    double dx = rx[t] - mean, dy = ry[t] - mean;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx == 0.0 || syy == 0.0) return NAN;
  return sxy / sqrt(sxx * syy);
}

void dm_affinity_spearman_rows(const float *fine, const double *coarse, int a, int b, int k,
                               double *work, double *corr) {
  for (int i = a; i < b; i++)
    corr[i - a] =
        dm_affinity_spearman(fine + (size_t)(i - a) * k, coarse + (size_t)(i - a) * k, k, work);
}

// --- filter

int64_t dm_affinity_filter_rows(int a, int b, int k, const int32_t *nbr, const float *fine,
                                const int32_t *new_index, int64_t *ptr, int32_t *col, float *val) {
  int64_t e = 0;
  int m = 0;
  for (int i = a; i < b; i++) {
    if (new_index[i] < 0) continue;
    ptr[m++] = e;
    for (int t = 0; t < k; t++) {
      int32_t j = nbr[(size_t)(i - a) * k + t];
      if (new_index[j] < 0) continue;
      col[e] = new_index[j];
      val[e++] = fine[(size_t)(i - a) * k + t];
    }
  }
  ptr[m] = e;
  return e;
}
