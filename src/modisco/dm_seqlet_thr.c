/* Seqlet thresholds (part of dm_seqlet.h): Laplace null, isotonic precision
 * thresholds, the passing-fraction clamp and the sign threshold, after
 * tfmodisco-lite extract_seqlets (_isotonic_thresholds, _refine_thresholds,
 * the "weak threshold" of extract_seqlets). */

/* This object's header. */
#include "dm_seqlet.h"

/* Standard headers. */
#include <math.h>
#include <stdlib.h>

/* Project headers. */
#include "dm_isotonic.h"
#include "dm_mem.h"
#include "dm_seqlet_internal.h"
#include "dm_sorted.h"

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double dm_seqlet_iso_threshold(const double *v, size_t n1, const double *z, size_t n2, double fdr,
                               const dm_seqlet_iso_work_t *wk, int *rc) {
  if (n1 == 0) return INFINITY;
  double wz = n2 ? (double)n1 / (double)n2 : 0.0;
  size_t i = 0, j = 0, m = 0;
  while (i < n1 || j < n2) {
    double x = (j >= n2 || (i < n1 && v[i] <= z[j])) ? v[i] : z[j];
    size_t a = 0, b = 0;
    for (; i < n1 && v[i] == x; i++) a++;
    for (; j < n2 && z[j] == x; j++) b++;
    wk->ux[m] = x;
    wk->uw[m] = (double)a + (double)b * wz;
    wk->uy[m] = (double)a / wk->uw[m];
    m++;
  }
  if (dm_isotonic_fit(m, wk->uy, wk->uw, wk->fit, wk->bw, wk->bstart) < 0) {
    *rc = -1;
    return INFINITY;
  }
  /* lite: precision = 1 + f (1 - 1/r), the fraction f of nulls implied by
   * the fit at the weakest x, kept in [0.95, 1] */
  double f = -1.0 / (1.0 - 1.0 / fmax(wk->fit[0], 1e-7));
  if (f > 1.0 || f < 0.95) f = fmax(fmin(1.0, f), 0.95);
  size_t k = 0;
  for (i = 0; i < n1; i++) {
    while (wk->ux[k] != v[i]) k++;
    double prec = fmin(fmax(1.0 + f * (1.0 - 1.0 / fmax(wk->fit[k], 1e-7)), 0.0), 1.0);
    if (prec >= 1.0 - fdr || i == n1 - 1) return v[i];
  }
  return v[n1 - 1]; /* not reached */
}

int dm_seqlet_thresholds(const dm_seqlet_opt_t *o, double *sample, size_t n, dm_seqlet_thr_t *thr) {
  if (n == 0) {
    dm_log_error("seqlet thresholds: the sample of window sums is empty");
    return -1;
  }
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(sample[i])) {
      dm_log_error("seqlet thresholds: window sum %zu of the sample is %g (contributions not finite?)", i,
                   sample[i]);
      return -1;
    }
    sample[i] += 0.0; /* -0 -> +0, so the sorted order is unique */
  }
  qsort(sample, n, sizeof *sample, cmp_double);
  thr->n_sample = n;
  if (dm_laplace_fit(sample, n, o->hist_bins, &thr->null) < 0) return -1;

  size_t n_null = (size_t)o->n_null, n_neg = dm_sorted_count_below(sample, n, 0.0);
  size_t n_work = n + n_null;
  double *null = dm_malloc("seqlet null", n_null * sizeof *null);
  double *mag = dm_malloc("seqlet |S|", n * sizeof *mag); /* (n,) |sample| ascending */
  double *neg_mag = dm_malloc("seqlet neg |S|", (n_neg + n_null) * sizeof *neg_mag);
  dm_seqlet_iso_work_t wk = {
      .ux = dm_malloc("isotonic x", n_work * sizeof(double)),
      .uy = dm_malloc("isotonic y", n_work * sizeof(double)),
      .uw = dm_malloc("isotonic w", n_work * sizeof(double)),
      .fit = dm_malloc("isotonic fit", n_work * sizeof(double)),
      .bw = dm_malloc("isotonic block w", n_work * sizeof(double)),
      .bstart = dm_malloc("isotonic block start", n_work * sizeof(size_t)),
  };
  int rc = dm_laplace_sample(&thr->null, n_null, o->seed, null);
  if (rc < 0) goto done;
  qsort(null, n_null, sizeof *null, cmp_double);

  /* Magnitudes ascending of each sign: positives (S >= 0) are the tail of the
   * sorted arrays, negatives the head reversed. */
  size_t z_neg = dm_sorted_count_below(null, n_null, 0.0);
  double *v_neg = neg_mag, *zv_neg = neg_mag + n_neg;
  for (size_t i = 0; i < n_neg; i++) v_neg[i] = -sample[n_neg - 1 - i];
  for (size_t i = 0; i < z_neg; i++) zv_neg[i] = -null[z_neg - 1 - i];
  thr->pos_iso = dm_seqlet_iso_threshold(sample + n_neg, n - n_neg, null + z_neg, n_null - z_neg,
                                         o->target_fdr, &wk, &rc);
  thr->neg_iso = -dm_seqlet_iso_threshold(v_neg, n_neg, zv_neg, z_neg, o->target_fdr, &wk, &rc);
  if (rc < 0) goto done;

  /* |S| ascending: merge the two magnitude lists. */
  for (size_t i = 0, a = 0, b = n_neg; i < n; i++)
    mag[i] = (b >= n || (a < n_neg && v_neg[a] <= sample[b])) ? v_neg[a++] : sample[b++];

  /* Clamp the passing fraction to [min, max] by a quantile of |S|. */
  size_t n_pass =
      (n - dm_sorted_count_below(sample, n, thr->pos_iso)) + dm_sorted_count_at_most(sample, n, thr->neg_iso);
  thr->frac_passing = (double)n_pass / (double)n;
  thr->pos = thr->pos_iso;
  thr->neg = thr->neg_iso;
  thr->clamped = 0;
  if (thr->frac_passing < o->min_passing_frac) {
    thr->pos = dm_sorted_quantile(mag, n, 1.0 - o->min_passing_frac);
    thr->neg = -thr->pos;
    thr->clamped = 1;
  }
  if (thr->frac_passing > o->max_passing_frac) {
    thr->pos = dm_sorted_quantile(mag, n, 1.0 - o->max_passing_frac);
    thr->neg = -thr->pos;
    thr->clamped = -1;
  }

  /* Sign threshold: the |S| quantile of the weaker threshold, less 1e-4,
   * at most weak_threshold (lite's "weak_threshold_for_counting_sign"). */
  double tpos = (thr->pos > 0) - (thr->pos < 0), tneg = (thr->neg > 0) - (thr->neg < 0);
  tpos *= (double)dm_sorted_count_below(mag, n, fabs(thr->pos)) / (double)n;
  tneg *= (double)dm_sorted_count_below(mag, n, fabs(thr->neg)) / (double)n;
  double weak = fmin(fmin(tpos, fabs(tneg)) - 0.0001, o->weak_threshold);
  double at = trunc(weak * (double)n);
  size_t idx = at < 0 ? 0 : at >= (double)n ? n - 1 : (size_t)at;
  thr->sign_threshold = mag[idx];

done:
  free(null);
  free(mag);
  free(neg_mag);
  free(wk.ux);
  free(wk.uy);
  free(wk.uw);
  free(wk.fit);
  free(wk.bw);
  free(wk.bstart);
  return rc;
}
