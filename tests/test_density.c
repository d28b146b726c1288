/* test_density: the per-row perplexity search (hand-worked rows, random rows
 * checked by an independent entropy), the whole density adaptation against a
 * dense brute force, row-block invariance, options. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dm_density.h"
#include "dm_test.h"

/* one-row-per-call helper: a matrix of n rows where row 0 holds `len` distances */
static dm_sparse_t *single_row(int len, const float *x) {
  dm_sparse_t *m = dm_sparse_init(len + 1, len);
  for (int k = 0; k < len; k++) {
    m->col[k] = k + 1;
    m->val[k] = x[k];
  }
  for (int i = 1; i <= len + 1; i++) m->rowptr[i] = len;
  return m;
}

/* entropy (nats) of {self: 1, neighbours: exp(-beta x)} normalised */
static double entropy(const float *x, int len, double beta) {
  double z = 1.0;
  for (int k = 0; k < len; k++) z += exp(-beta * x[k]);
  double h = -(1.0 / z) * log(1.0 / z);
  for (int k = 0; k < len; k++) {
    double p = exp(-beta * x[k]) / z;
    if (p > 0) h -= p * log(p);
  }
  return h;
}

static void test_hand_worked(void) {
  dm_density_opt_t o;
  dm_density_opt_init(&o);
  o.lite_beta = 0; /* the searched kernel exp(-beta d), whose perplexity is the target */
  double beta, norm;
  /* two neighbours at ln 2, beta 1: probabilities 1/2, 1/4, 1/4, perplexity
   * 2^1.5; the first step (beta = 1) is already exact */
  float x1[2] = {(float)log(2.0), (float)log(2.0)};
  o.perplexity = pow(2.0, 1.5);
  dm_sparse_t *m = single_row(2, x1);
  CHECK(dm_density_betas(m, 0, 1, &o, &beta, &norm) == 0, "not converged");
  CLOSE(beta, 1.0, 1e-12);
  CLOSE(norm, 1.0 + 2 * exp(-(double)x1[0]), 1e-12);
  dm_sparse_destroy(m);
  /* at 2 ln 2 the same distribution needs beta 1/2: one halving step */
  float x2[2] = {(float)(2 * log(2.0)), (float)(2 * log(2.0))};
  m = single_row(2, x2);
  CHECK(dm_density_betas(m, 0, 1, &o, &beta, &norm) == 0, "not converged");
  CLOSE(beta, 0.5, 1e-12);
  dm_sparse_destroy(m);
  /* one neighbour, perplexity 2: only beta -> 0 (uniform over self and the
   * neighbour) has perplexity 2 */
  float x3[1] = {1.5f};
  o.perplexity = 2.0;
  m = single_row(1, x3);
  CHECK(dm_density_betas(m, 0, 1, &o, &beta, &norm) == 0, "not converged");
  CHECK(beta > 0 && beta < 0.01, "beta %g should tend to 0", beta);
  CLOSE(1.0 / norm, 0.5, 2e-3);
  dm_sparse_destroy(m);
}

static void test_random_rows(void) {
  dm_density_opt_t o;
  dm_density_opt_init(&o);
  o.lite_beta = 0; /* the searched kernel exp(-beta d), whose perplexity is the target */
  srand(11);
  int fails = 0;
  for (int r = 0; r < 300; r++) {
    int len = 20 + rand() % 500;
    float *x = malloc((size_t)len * sizeof(float));
    double scale = r % 3 == 0 ? 0.01 : (r % 3 == 1 ? 1.0 : 20.0);
    for (int k = 0; k < len; k++) x[k] = (float)(scale * (rand() + 1.0) / RAND_MAX);
    dm_sparse_t *m = single_row(len, x);
    double beta, norm;
    fails += (int)dm_density_betas(m, 0, 1, &o, &beta, &norm);
    double h = entropy(x, len, beta);
    CHECK(fabs(h - log(o.perplexity)) <= o.tol * 1.0000001, "row %d: perplexity %.9g, beta %g", r, exp(h),
          beta);
    double z = 1.0;
    for (int k = 0; k < len; k++) z += exp(-beta * x[k]);
    CLOSE(norm, z, 1e-12);
    free(x);
    dm_sparse_destroy(m);
  }
  CHECK(fails == 0, "%d rows did not converge", fails);
}

/* random affinity rows: n seqlets, up to k neighbours each, with self
 * pairs, values >= 1 and negatives mixed in; dense copy in a (n, n) */
static dm_sparse_t *random_affinity(int n, int k, double *dense) {
  dm_sparse_t *m = dm_sparse_init(n, (int64_t)n * k);
  char *used = calloc((size_t)n, 1);
  int64_t out = 0;
  for (int i = 0; i < n; i++) {
    memset(used, 0, (size_t)n);
    for (int e = 0; e < k; e++) {
      int c = e == 0 ? i : rand() % n;
      if (used[c]) continue;
      used[c] = 1;
      int u = rand() % 20;
      float a = u == 0 ? 1.0f : (u == 1 ? -0.3f : (float)(0.05 + 0.9 * rand() / (double)RAND_MAX));
      m->col[out] = c;
      m->val[out++] = a;
      dense[(size_t)i * n + c] = a;
    }
    m->rowptr[i + 1] = out;
  }
  free(used);
  return m;
}

static void test_brute_force(int lite) {
  const int n = 50, k = 25;
  double *a = calloc((size_t)n * n, sizeof(double)), *d = calloc((size_t)n * n, sizeof(double));
  for (int i = 0; i < n * n; i++) a[i] = NAN;
  srand(5 + lite);
  dm_sparse_t *aff = random_affinity(n, k, a);
  dm_density_opt_t o;
  dm_density_opt_init(&o);
  o.lite_beta = lite;
  o.perplexity = 5;
  /* dense distances: transform, drop d = 0 and self, mean over the union */
  double *raw = calloc((size_t)n * n, sizeof(double));
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      double v = a[(size_t)i * n + j];
      if (isnan(v) || i == j) continue;
      raw[(size_t)i * n + j] = fmax(log(2.0 / fmax(v, 1e-7) - 1.0), 0.0);
    }
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      double u = raw[(size_t)i * n + j], v = raw[(size_t)j * n + i];
      d[(size_t)i * n + j] = (u > 0 && v > 0) ? 0.5 * (u + v) : u + v;
    }
  dm_sparse_t *dist = dm_density_distances(aff, &o);
  CHECK(dist != NULL, "distances failed");
  double *beta = malloc(n * sizeof(double)), *norm = malloc(n * sizeof(double));
  dm_density_betas(dist, 0, n, &o, beta, norm);
  dm_sparse_t *p = dm_density_run(aff, &o);
  CHECK(p != NULL, "run failed");
  double *pd = calloc((size_t)n * n, sizeof(double));
  int64_t nnz = 0;
  for (int i = 0; i < n; i++)
    for (int64_t q = p->rowptr[i]; q < p->rowptr[i + 1]; q++) pd[(size_t)i * n + p->col[q]] = p->val[q];
  for (int i = 0; i < n; i++) {
    double z = 1.0;
    for (int j = 0; j < n; j++) {
      double x = d[(size_t)i * n + j];
      if (x > 0) z += lite ? exp(-x / beta[i]) : exp(-x * beta[i]);
    }
    CLOSE(norm[i], z, 1e-6);
    for (int j = 0; j < n; j++) {
      double x = d[(size_t)i * n + j], want = 0.0;
      if (i == j) {
        want = 1.0 / z;
      } else if (x > 0) {
        double zj = 1.0;
        for (int l = 0; l < n; l++) {
          double y = d[(size_t)j * n + l];
          if (y > 0) zj += lite ? exp(-y / beta[j]) : exp(-y * beta[j]);
        }
        double pi = (lite ? exp(-x / beta[i]) : exp(-x * beta[i])) / z;
        double pj = (lite ? exp(-x / beta[j]) : exp(-x * beta[j])) / zj;
        want = sqrt(pi * pj);
      }
      nnz += i == j || x > 0;
      CHECK(fabs(pd[(size_t)i * n + j] - want) <= 1e-5 * want + 1e-30, "P[%d,%d] = %g, want %g", i, j,
            pd[(size_t)i * n + j], want);
      CHECK(pd[(size_t)i * n + j] == pd[(size_t)j * n + i], "P not symmetric at (%d,%d)", i, j);
    }
  }
  CHECK(p->rowptr[n] == nnz, "P has %ld entries, want %ld", (long)p->rowptr[n], (long)nnz);

  /* row-block invariance: any split of the rows gives the same bits */
  const int64_t cuts[][4] = {{0, 1, 2, 50}, {0, 17, 33, 50}, {0, 0, 49, 50}};
  double *b2 = malloc(n * sizeof(double)), *z2 = malloc(n * sizeof(double));
  for (int c = 0; c < 3; c++) {
    dm_sparse_t *p2 = dm_density_joint_init(dist);
    for (int s = 0; s < 3; s++)
      dm_density_betas(dist, cuts[c][s], cuts[c][s + 1], &o, b2 + cuts[c][s], z2 + cuts[c][s]);
    CHECK(memcmp(b2, beta, n * sizeof(double)) == 0 && memcmp(z2, norm, n * sizeof(double)) == 0,
          "betas depend on the split %d", c);
    for (int s = 2; s >= 0; s--) dm_density_joint(dist, b2, z2, cuts[c][s], cuts[c][s + 1], &o, p2);
    CHECK(memcmp(p2->val, p->val, (size_t)p->rowptr[n] * sizeof(float)) == 0, "P depends on the split %d", c);
    dm_sparse_destroy(p2);
  }
  free(b2);
  free(z2);
  free(a);
  free(d);
  free(raw);
  free(pd);
  free(beta);
  free(norm);
  dm_sparse_destroy(p);
  dm_sparse_destroy(dist);
  dm_sparse_destroy(aff);
}

static const dm_param_spec_t spec[] = {DM_DENSITY_PARAMS};

static void test_options(void) {
  dm_density_opt_t o;
  dm_density_opt_init(&o);
  CHECK(dm_density_opt_check(&o) == 0, "defaults invalid");
  CHECK(o.perplexity == 10 && o.tol == 1e-5 && o.max_steps == 100 && o.lite_beta == 1,
        "defaults differ from tfmodisco-lite");
  o.perplexity = 0.5;
  CHECK(dm_density_opt_check(&o) == -1, "perplexity < 1 accepted");
  dm_density_opt_init(&o);
  o.tol = 0;
  CHECK(dm_density_opt_check(&o) == -1, "tol 0 accepted");
  dm_params_t *p = dm_params_init(spec, (int)(sizeof spec / sizeof spec[0]));
  CHECK(dm_params_set(p, "Density:perplexity=30") == 0, "set failed");
  CHECK(dm_params_set(p, "Density:lite_beta=false") == 0, "set failed");
  CHECK(dm_density_opt_from_params(&o, p) == 0, "from_params failed");
  CHECK(o.perplexity == 30 && o.lite_beta == 0 && o.max_steps == 100 && o.min_affinity == 1e-7,
        "params not read");
  CHECK(dm_params_set(p, "Density:max_steps=0") == 0, "set failed");
  CHECK(dm_density_opt_from_params(&o, p) == -1, "max_steps 0 accepted");
  dm_params_destroy(p);

  /* bad input: non-finite affinity, repeated neighbour */
  dm_sparse_t *m = dm_sparse_init(2, 2);
  m->col[0] = 1;
  m->col[1] = 1;
  m->val[0] = NAN;
  m->val[1] = 0.5f;
  m->rowptr[1] = 1;
  m->rowptr[2] = 2;
  dm_density_opt_init(&o);
  CHECK(dm_density_distances(m, &o) == NULL, "NaN affinity accepted");
  m->val[0] = 0.5f;
  m->rowptr[1] = 2;
  CHECK(dm_density_distances(m, &o) == NULL, "repeated neighbour accepted");
  dm_sparse_destroy(m);
}

/* dm_density_tsne against a dense brute force: per row, beta found by
 * bisection on ln(beta) (not the kernel's doubling search) so that the
 * entropy of exp(-beta d) over the row's non-self entries is ln(perplexity);
 * then S_ij = p_j|i + p_i|j over the union of both patterns. */
static void test_tsne(void) {
  const int n = 40, k = 30;
  double *dense = calloc((size_t)n * n, sizeof *dense), *want = calloc((size_t)n * n, sizeof *want);
  char *has = calloc((size_t)n * n, 1);
  srand(7);
  dm_sparse_t *aff = random_affinity(n, k, dense);
  dm_density_opt_t o;
  dm_density_opt_init(&o);
  o.perplexity = 5;
  for (int i = 0; i < n; i++) {
    double d[64];
    int c[64], m = 0;
    for (int64_t e = aff->rowptr[i]; e < aff->rowptr[i + 1]; e++)
      if (aff->col[e] != i) {
        c[m] = aff->col[e];
        d[m++] = fmax((float)log(2.0 / fmax(aff->val[e], o.min_affinity) - 1.0), 0.0);
      }
    double lo = -30, hi = 30, p[64];
    for (int it = 0; it < 200; it++) {
      double lb = 0.5 * (lo + hi), b = exp(lb), z = 0, h = 0;
      for (int j = 0; j < m; j++) z += (p[j] = exp(-b * d[j]));
      for (int j = 0; j < m; j++) p[j] /= z, h -= p[j] > 0 ? p[j] * log(p[j]) : 0;
      if (h > log(o.perplexity))
        lo = lb;
      else
        hi = lb;
    }
    for (int j = 0; j < m; j++) {
      want[(size_t)i * n + c[j]] += p[j], want[(size_t)c[j] * n + i] += p[j];
      has[(size_t)i * n + c[j]] = has[(size_t)c[j] * n + i] = 1;
    }
  }
  dm_sparse_t *s = dm_density_tsne(aff, &o);
  int bad = 0, n_has = 0;
  for (size_t q = 0; q < (size_t)n * n; q++) n_has += has[q];
  CHECK(s->rowptr[n] == n_has, "%ld entries, want %d", (long)s->rowptr[n], n_has);
  for (int i = 0; i < n; i++)
    for (int64_t e = s->rowptr[i]; e < s->rowptr[i + 1]; e++) {
      size_t q = (size_t)i * n + s->col[e];
      bad += !has[q] || fabs(s->val[e] - want[q]) > 2e-4 || (e > s->rowptr[i] && s->col[e] <= s->col[e - 1]);
    }
  CHECK(bad == 0, "%d entries differ from the brute force", bad);
  dm_sparse_destroy(s);
  dm_sparse_destroy(aff);
  free(dense), free(want), free(has);
}

int main(void) {
  test_hand_worked();
  test_random_rows();
  test_brute_force(0);
  test_brute_force(1);
  test_options();
  test_tsne();
  return dm_test_summary("test_density");
}
