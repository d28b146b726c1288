/* Laplace null: the fit recovers (mu, lambda+, lambda-, prob+) of data drawn
 * with GSL from an asymmetric Laplace of known parameters, its mode agrees
 * with a naive two-level histogram; the sampler reproduces its parameters and
 * numpy's draws (a committed fixture),
 * depends on the seed only, and handles a side without spread. */
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "dm_laplace.h"
#include "dm_test.h"

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* n draws from the asymmetric Laplace with GSL's own samplers. */
static void draw(gsl_rng *r, size_t n, double mu, double lp, double ln, double pp, double *out) {
  for (size_t i = 0; i < n; i++)
    out[i] = gsl_ran_bernoulli(r, pp) ? mu + gsl_ran_exponential(r, 1.0 / lp)
                                      : mu - gsl_ran_exponential(r, 1.0 / ln);
}

/* Mode by two explicit 1000-bin histograms (numpy binning, bin = floor of the
 * scaled offset, the maximum in the last bin), the second over the values
 * strictly inside the fullest bin of the first. */
static double naive_mode(const double *v, size_t n) {
  enum { B = 1000 };
  static size_t counts[B];
  double lo = INFINITY, hi = -INFINITY, l = 0, r = 0;
  const double *cur = v;
  for (int level = 0; level < 2; level++) {
    double nlo = INFINITY, nhi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
      if (level == 1 && !(cur[i] > l && cur[i] < r)) continue;
      nlo = fmin(nlo, cur[i]), nhi = fmax(nhi, cur[i]);
    }
    for (int b = 0; b < B; b++) counts[b] = 0;
    for (size_t i = 0; i < n; i++) {
      if (level == 1 && !(cur[i] > l && cur[i] < r)) continue;
      int b = (int)floor((cur[i] - nlo) / (nhi - nlo) * B);
      counts[b < B ? b : B - 1]++;
    }
    int best = 0;
    for (int b = 1; b < B; b++)
      if (counts[b] > counts[best]) best = b;
    lo = nlo, hi = nhi;
    l = lo + (hi - lo) * best / B, r = lo + (hi - lo) * (best + 1) / B;
  }
  return 0.5 * (l + r);
}

int main(void) {
  enum { N = 400000 };
  double *v = malloc(N * sizeof *v), *u = malloc(N * sizeof *u);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 42);

  /* recovery, for asymmetric Laplace laws (density continuous at mu:
   * prob+ = lambda- / (lambda+ + lambda-)); the mode is good to a couple of
   * first-level bins, which the "most aggressive" rates are sensitive to */
  const double par[][3] = {{0.0, 1.0, 1.0}, {0.7, 2.0, 0.5}, {-1.5, 1.0, 1.5}};
  for (int k = 0; k < 3; k++) {
    double mu = par[k][0], lp = par[k][1], ln = par[k][2], pp = ln / (lp + ln);
    draw(r, N, mu, lp, ln, pp, v);
    qsort(v, N, sizeof *v, cmp);
    dm_laplace_t fit;
    CHECK(dm_laplace_fit(v, N, 1000, &fit) == 0, "fit %d", k);
    double bin = (v[N - 1] - v[0]) / 1000;
    CHECK(fabs(fit.mu - mu) < 2.5 * bin, "set %d: mu %g vs %g (bin %g)", k, fit.mu, mu, bin);
    CLOSE(fit.mu, naive_mode(v, N), 1e-9);
    CHECK(fabs(fit.lambda_pos / lp - 1) < 0.06, "set %d: lambda+ %g vs %g", k, fit.lambda_pos, lp);
    CHECK(fabs(fit.lambda_neg / ln - 1) < 0.06, "set %d: lambda- %g vs %g", k, fit.lambda_neg, ln);
    CHECK(fabs(fit.prob_pos - pp) < 0.03, "set %d: prob+ %g vs %g", k, fit.prob_pos, pp);
  }

  /* the sampler: side frequency and mean distance from mu on each side */
  dm_laplace_t lp = {.mu = 0.3, .lambda_pos = 2.0, .lambda_neg = 0.5, .prob_pos = 0.2};
  CHECK(dm_laplace_sample(&lp, N, 1234, v) == 0, "sample");
  size_t npos = 0;
  double dpos = 0, dneg = 0;
  for (size_t i = 0; i < N; i++) {
    if (v[i] >= lp.mu)
      npos++, dpos += v[i] - lp.mu;
    else
      dneg += lp.mu - v[i];
  }
  CLOSE((double)npos / N, lp.prob_pos, 0.01);
  CLOSE(dpos / (double)npos, 1.0 / lp.lambda_pos, 0.02);
  CLOSE(dneg / (double)(N - npos), 1.0 / lp.lambda_neg, 0.02);
  /* and a fit of its draws gives the parameters back */
  memcpy(u, v, N * sizeof *v);
  qsort(u, N, sizeof *u, cmp);
  dm_laplace_t back;
  CHECK(dm_laplace_fit(u, N, 1000, &back) == 0, "refit");
  CHECK(fabs(back.lambda_pos / lp.lambda_pos - 1) < 0.05, "refit lambda+ %g", back.lambda_pos);
  CHECK(fabs(back.lambda_neg / lp.lambda_neg - 1) < 0.05, "refit lambda- %g", back.lambda_neg);

  /* lite's own draws: numpy RandomState(1234), then per draw u1 < prob_pos
   * picks the side and u2 the distance -ln(1 - u2) / lambda (values printed
   * by numpy 1.24 with that loop, %.17g; within a few ulps of mu, as numpy's
   * log may round otherwise than libm's) */
  static const double numpy_draws[8] = {-0.25671278028866851, -0.11530338138495189, -0.54546694007479946,
                                        -0.095289277856991372, -0.79813294181213346, -0.32621514630293325,
                                        -0.67817648118644436, -0.29407428527964352};
  dm_laplace_t np_null = {.mu = -0.5, .lambda_pos = 4.0, .lambda_neg = 7.0, .prob_pos = 0.6};
  CHECK(dm_laplace_sample(&np_null, 8, 1234, u) == 0, "numpy sample");
  for (int i = 0; i < 8; i++)
    CHECK(fabs(u[i] - numpy_draws[i]) <= 1e-15, "draw %d: %.17g, numpy %.17g", i, u[i], numpy_draws[i]);

  /* same seed, same draws; another seed, other draws */
  CHECK(dm_laplace_sample(&lp, 1000, 1234, u) == 0, "sample again");
  CHECK(memcmp(u, v, 1000 * sizeof *u) == 0, "draws depend on the seed only");
  CHECK(dm_laplace_sample(&lp, 1000, 1235, u) == 0, "sample seed 2");
  CHECK(memcmp(u, v, 1000 * sizeof *u) != 0, "another seed gives other draws");

  /* a side without spread (rate +inf): its draws sit at mu */
  dm_laplace_t one = {.mu = 0.5, .lambda_pos = 3.0, .lambda_neg = INFINITY, .prob_pos = 0.5};
  CHECK(dm_laplace_sample(&one, 1000, 5, u) == 0, "one-sided sample");
  size_t below = 0, at = 0;
  for (int i = 0; i < 1000; i++) below += u[i] < one.mu, at += u[i] == one.mu;
  CHECK(below == 0 && at > 400 && at < 600, "%zu draws below mu, %zu at mu", below, at);

  CHECK(dm_laplace_fit(v, 0, 1000, &one) == -1, "empty input refused");
  gsl_rng_free(r);
  free(v);
  free(u);
  return dm_test_summary("test_laplace");
}
