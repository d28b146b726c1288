/* This object's header. */
#include "dm_laplace.h"

/* Standard headers. */
#include <math.h>

/* GSL random numbers. */
#include <gsl/gsl_rng.h>

/* Project headers. */
#include "dm_nprand.h"
#include "dm_sorted.h"

// --- two-level histogram mode

/* Fullest bin (first of ties) of numpy.histogram(v, bins) over v[0..n)
 * ascending; its edges in *l, *r. Empty input: numpy's range [0, 1]; a flat
 * one: [v - 0.5, v + 0.5]. */
static void fullest_bin(const double *v, size_t n, int bins, double *l, double *r) {
  double lo = n ? v[0] : 0.0, hi = n ? v[n - 1] : 1.0;
  if (lo == hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  double step = (hi - lo) / bins, norm = bins / (hi - lo);
#define EDGE(k) ((k) == bins ? hi : (double)(k)*step + lo)
  int best = 0, cur = -1;
  size_t best_count = 0, count = 0;
  for (size_t i = 0; i < n; i++) {
    int b = (int)((v[i] - lo) * norm);
    if (b >= bins) b = bins - 1;
    if (v[i] < EDGE(b))
      b--;
    else if (b != bins - 1 && v[i] >= EDGE(b + 1))
      b++;
    if (b != cur) {
      if (cur >= 0 && count > best_count) best = cur, best_count = count;
      cur = b;
      count = 0;
    }
    count++;
  }
  if (cur >= 0 && count > best_count) best = cur;
  *l = EDGE(best);
  *r = EDGE(best + 1);
#undef EDGE
}

// --- fit and sampling

/* max over p = 5..95% of -ln(1 - p) / dist(p); dist <= 0 gives +inf. */
static double side_rate(const double *v, size_t n, double mu, int upper) {
  if (n == 0) return INFINITY;
  double best = -INFINITY;
  for (int k = 1; k <= 19; k++) {
    double p = 5.0 * k;
    double q = upper ? dm_sorted_quantile(v, n, p / 100.0) - mu
                     : fabs(dm_sorted_quantile(v, n, (100.0 - p) / 100.0) - mu);
    double rate = -log(1.0 - p / 100.0) / q;
    if (rate > best) best = rate;
  }
  return best;
}

int dm_laplace_fit(const double *sorted, size_t n, int bins, dm_laplace_t *out) {
  if (n == 0 || bins < 1) {
    dm_log_error("Laplace null: need values (got %zu) and bins >= 1 (got %d)", n, bins);
    return -1;
  }
  double l1, r1, l2, r2;
  fullest_bin(sorted, n, bins, &l1, &r1);
  size_t a = dm_sorted_count_at_most(sorted, n, l1),
         b = dm_sorted_count_below(sorted, n, r1); /* l1 < v < r1 */
  fullest_bin(sorted + a, b > a ? b - a : 0, bins, &l2, &r2);
  double mu = 0.5 * (l2 + r2);
  size_t n_neg = dm_sorted_count_at_most(sorted, n, mu);   /* v <= mu */
  size_t n_pos = n - dm_sorted_count_below(sorted, n, mu); /* v >= mu */
  out->mu = mu;
  out->lambda_pos = side_rate(sorted + (n - n_pos), n_pos, mu, 1);
  out->lambda_neg = side_rate(sorted, n_neg, mu, 0);
  out->prob_pos = (double)n_pos / (double)(n_pos + n_neg);
  return 0;
}

int dm_laplace_sample(const dm_laplace_t *lp, size_t n, unsigned long seed, double *out) {
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!rng) {
    dm_log_error("Laplace null: cannot allocate the GSL RNG");
    return -1;
  }
  gsl_rng_set(rng, seed);
  for (size_t i = 0; i < n; i++) {
    int pos = dm_nprand_double(rng) < lp->prob_pos;
    double e = -log(1.0 - dm_nprand_double(rng)); /* Exp(1): 1 - u in (0, 1] */
    out[i] = pos ? lp->mu + e / lp->lambda_pos : lp->mu - e / lp->lambda_neg;
  }
  gsl_rng_free(rng);
  return 0;
}
