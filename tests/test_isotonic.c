/* PAVA (dm_isotonic_fit) against independent checks: exhaustive search over
 * all contiguous partitions on small inputs, the max-min formula of the
 * isotonic fit, and the properties (monotone, weighted mean preserved on
 * each block, smaller SSE than other monotone candidates). Then the seqlet
 * step's isotonic precision threshold on a hand-worked case and against the
 * max-min fit of explicitly pooled ties. */
#include <stdlib.h>

#include "dm_isotonic.h"
#include "dm_seqlet_internal.h"
#include "dm_test.h"

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double urand(unsigned *s) { return (double)rand_r(s) / ((double)RAND_MAX + 1.0); }

static double sse(size_t n, const double *y, const double *w, const double *f) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += w[i] * (y[i] - f[i]) * (y[i] - f[i]);
  return s;
}

/* Best fit over every split of 0..n-1 into contiguous blocks (each at its
 * weighted mean) whose means do not decrease. */
static double brute_force(size_t n, const double *y, const double *w, double *best) {
  double best_sse = INFINITY, f[16];
  for (unsigned mask = 0; mask < (1u << (n - 1)); mask++) {
    size_t start = 0;
    double prev = -INFINITY;
    int ok = 1;
    for (size_t i = 0; i < n && ok; i++) {
      if (i == n - 1 || (mask >> i & 1u)) { /* block ends at i */
        double sw = 0, swy = 0;
        for (size_t j = start; j <= i; j++) sw += w[j], swy += w[j] * y[j];
        double m = swy / sw;
        if (m < prev) ok = 0;
        for (size_t j = start; j <= i; j++) f[j] = m;
        prev = m;
        start = i + 1;
      }
    }
    if (!ok) continue;
    double s = sse(n, y, w, f);
    if (s < best_sse) {
      best_sse = s;
      for (size_t i = 0; i < n; i++) best[i] = f[i];
    }
  }
  return best_sse;
}

/* Max-min formula: f_i = max_{j <= i} min_{k >= i} mean_w(y[j..k]). */
static void max_min(size_t n, const double *y, const double *w, double *f) {
  for (size_t i = 0; i < n; i++) {
    double best = -INFINITY;
    for (size_t j = 0; j <= i; j++) {
      double lo = INFINITY, sw = 0, swy = 0;
      for (size_t k = j; k < i; k++) sw += w[k], swy += w[k] * y[k];
      for (size_t k = i; k < n; k++) {
        sw += w[k], swy += w[k] * y[k];
        if (swy / sw < lo) lo = swy / sw;
      }
      if (lo > best) best = lo;
    }
    f[i] = best;
  }
}

/* Threshold by the definition: pool ties over the distinct x of v and z,
 * fit by the max-min formula, lite's precision, first value reaching 1 - fdr. */
static double naive_threshold(const double *v, size_t n1, const double *z, size_t n2, double fdr) {
  double x[32], y[32], w[32], f[32];
  size_t m = 0;
  for (size_t k = 0; k < n1 + n2; k++) { /* distinct values, ascending (insertion) */
    double val = k < n1 ? v[k] : z[k - n1];
    size_t at = 0;
    while (at < m && x[at] < val) at++;
    if (at < m && x[at] == val) continue;
    for (size_t q = m; q > at; q--) x[q] = x[q - 1];
    x[at] = val;
    m++;
  }
  for (size_t k = 0; k < m; k++) {
    double a = 0, b = 0;
    for (size_t i = 0; i < n1; i++) a += v[i] == x[k];
    for (size_t j = 0; j < n2; j++) b += z[j] == x[k];
    w[k] = a + b * (double)n1 / (double)n2;
    y[k] = a / w[k];
  }
  max_min(m, y, w, f);
  double frac = -1.0 / (1.0 - 1.0 / fmax(f[0], 1e-7));
  frac = frac > 1.0 ? 1.0 : frac < 0.95 ? 0.95 : frac;
  for (size_t i = 0; i < n1; i++) {
    size_t k = 0;
    while (x[k] != v[i]) k++;
    double prec = 1.0 + frac * (1.0 - 1.0 / fmax(f[k], 1e-7));
    if (prec >= 1.0 - fdr || i == n1 - 1) return v[i];
  }
  return NAN;
}

static void test_iso_threshold(unsigned *seed) {
  double ux[32], uy[32], uw[32], fit[32], bw[32];
  size_t bs[32];
  dm_seqlet_iso_work_t wk = {ux, uy, uw, fit, bw, bs};
  int rc = 0;
  /* by hand: x 0.5(null) 1 1.5(null) 2 3 4, null weight 4/2 = 2; PAVA gives
   * 0, 1/3, 1/3, 1, 1, 1; f = 0.95 (r = 0 at the smallest x); precision at
   * 1 is 1 + 0.95 (1 - 3) < 0, at 2 it is 1: threshold 2 */
  const double v[] = {1, 2, 3, 4}, z[] = {0.5, 1.5};
  CHECK(dm_seqlet_iso_threshold(v, 4, z, 2, 0.2, &wk, &rc) == 2.0 && rc == 0, "hand-worked case");
  /* no null: every precision is 1, the smallest value passes */
  CHECK(dm_seqlet_iso_threshold(v, 4, z, 0, 0.2, &wk, &rc) == 1.0, "no null values");
  CHECK(isinf(dm_seqlet_iso_threshold(v, 0, z, 2, 0.2, &wk, &rc)), "no observed values");
  /* random small cases with ties, against the definition */
  for (int trial = 0; trial < 300; trial++) {
    double a[12], b[12];
    size_t n1 = 1 + (size_t)rand_r(seed) % 12, n2 = 1 + (size_t)rand_r(seed) % 12;
    for (size_t i = 0; i < n1; i++) a[i] = (double)(rand_r(seed) % 10) + (trial % 2 ? 3 : 0);
    for (size_t j = 0; j < n2; j++) b[j] = (double)(rand_r(seed) % 8);
    qsort(a, n1, sizeof *a, cmp);
    qsort(b, n2, sizeof *b, cmp);
    double fdr = 0.05 + 0.1 * (trial % 5);
    double t = dm_seqlet_iso_threshold(a, n1, b, n2, fdr, &wk, &rc);
    CHECK(t == naive_threshold(a, n1, b, n2, fdr), "trial %d: %g vs %g", trial, t,
          naive_threshold(a, n1, b, n2, fdr));
  }
  CHECK(rc == 0, "fits succeeded");
}

int main(void) {
  unsigned seed = 7;
  double y[2000], w[2000], f[2000], bw[2000], g[2000];
  size_t bs[2000];

  /* exhaustive on n <= 10, with ties and unit or random weights */
  for (int trial = 0; trial < 400; trial++) {
    size_t n = 1 + (size_t)trial % 10;
    for (size_t i = 0; i < n; i++) {
      y[i] = trial % 3 == 0 ? (double)(rand_r(&seed) % 4) : urand(&seed) * 2 - 1;
      w[i] = trial % 2 ? 0.1 + 3 * urand(&seed) : 1.0;
    }
    long nb = dm_isotonic_fit(n, y, w, f, bw, bs);
    CHECK(nb >= 1 && nb <= (long)n, "blocks %ld for n %zu", nb, n);
    double best_sse = brute_force(n, y, w, g);
    CLOSE(sse(n, y, w, f), best_sse, 1e-12);
    for (size_t i = 0; i < n; i++) CLOSE(f[i], g[i], 1e-9);
  }

  /* larger inputs: max-min formula and properties */
  for (int trial = 0; trial < 6; trial++) {
    size_t n = trial < 3 ? 200 : 2000;
    for (size_t i = 0; i < n; i++) {
      y[i] = (double)i / (double)n + (urand(&seed) - 0.5) * (trial % 3 + 0.2);
      w[i] = 0.05 + urand(&seed);
    }
    long nb = dm_isotonic_fit(n, y, w, f, bw, bs);
    CHECK(nb >= 1, "fit failed");
    if (n <= 200) {
      max_min(n, y, w, g);
      for (size_t i = 0; i < n; i++) CLOSE(f[i], g[i], 1e-9);
    }
    long blocks = 1;
    for (size_t i = 1; i < n; i++) {
      CHECK(f[i] >= f[i - 1], "not monotone at %zu: %g < %g", i, f[i], f[i - 1]);
      blocks += f[i] != f[i - 1];
    }
    CHECK(blocks <= nb, "%ld distinct levels, %ld blocks", blocks, nb);
    /* each constant run holds the weighted mean of its y */
    for (size_t a = 0, b; a < n; a = b) {
      double sw = 0, swy = 0;
      for (b = a; b < n && f[b] == f[a]; b++) sw += w[b], swy += w[b] * y[b];
      CLOSE(f[a], swy / sw, 1e-9);
    }
    /* other monotone candidates do worse: perturbed fits, sorted noise */
    double s0 = sse(n, y, w, f);
    for (int c = 0; c < 50; c++) {
      double acc = 0, scale = 0.01 * (1 + c % 5);
      for (size_t i = 0; i < n; i++) {
        if (c % 2) {
          acc += scale * urand(&seed) / (double)n; /* monotone increment */
          g[i] = f[i] + acc - scale * 0.5;
        } else {
          g[i] = f[i] + scale * (urand(&seed) - 0.5);
        }
      }
      for (size_t i = 1; i < n; i++)
        if (g[i] < g[i - 1]) g[i] = g[i - 1]; /* make it monotone */
      CHECK(sse(n, y, w, g) >= s0 - 1e-12, "candidate %d beats PAVA: %g < %g", c, sse(n, y, w, g), s0);
    }
  }

  /* special cases: sorted input is its own fit; reversed input is one block */
  for (size_t i = 0; i < 50; i++) y[i] = (double)i, w[i] = 1.0 + (double)(i % 3);
  CHECK(dm_isotonic_fit(50, y, w, f, bw, bs) == 50, "sorted input");
  for (size_t i = 0; i < 50; i++) CHECK(f[i] == y[i], "sorted %zu", i);
  double sw = 0, swy = 0;
  for (size_t i = 0; i < 50; i++) y[i] = 50.0 - (double)i, sw += w[i], swy += w[i] * y[i];
  CHECK(dm_isotonic_fit(50, y, w, f, bw, bs) == 1, "reversed input");
  for (size_t i = 0; i < 50; i++) CLOSE(f[i], swy / sw, 1e-12);
  CHECK(dm_isotonic_fit(0, y, w, f, bw, bs) == 0, "empty input");

  /* bad weights and values are refused */
  w[3] = 0.0;
  CHECK(dm_isotonic_fit(50, y, w, f, bw, bs) == -1, "zero weight");
  w[3] = 1.0;
  y[7] = NAN;
  CHECK(dm_isotonic_fit(50, y, w, f, bw, bs) == -1, "NaN value");
  test_iso_threshold(&seed);
  return dm_test_summary("test_isotonic");
}
