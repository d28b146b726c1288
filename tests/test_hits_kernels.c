/* The hit-calling kernels (dm_hits_bank, dm_hits_fit, dm_hits_scan) against
 * independent checks:
 *  - bank: the reverse entry is the reverse complement of the forward one,
 *    trimming and normalisation as defined (brute force);
 *  - fit: on a small random problem, the design matrix rebuilt here from
 *    the definition, the problem solved again by cyclic coordinate descent
 *    (another algorithm): same objective; the fit's coefficients satisfy
 *    the KKT conditions of the non-negative lasso; the fit's hits are its
 *    non-zero coefficients;
 *  - fit: copies of CWMs planted on both strands in a near-zero track are
 *    found at exactly their positions and strands, and nothing else;
 *  - scan: every hit passes its thresholds with values recomputed by a
 *    direct loop; every passing window not reported overlaps a reported
 *    hit of its pattern (of any pattern, when patterns compete) at least
 *    as similar; such reported hits do not overlap;
 *  - quantile: hand-worked values (numpy's linear rule).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dm_hits_bank.h"
#include "dm_hits_fit.h"
#include "dm_hits_scan.h"
#include "dm_test.h"

static uint64_t rng = 88172645463325252ull;
static double unif(void) { /* xorshift64 */
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return (double)(rng >> 11) / 9007199254740992.0;
}
static double gauss(void) { return sqrt(-2 * log(unif() + 1e-300)) * cos(6.283185307179586 * unif()); }

/* A CWM of len positions with one dominant base per position and weak flanks. */
static void make_cwm(double *cwm, int len, int core_a, int core_b) {
  for (int i = 0; i < len; i++) {
    int top = (int)(unif() * 4) & 3;
    for (int c = 0; c < 4; c++) cwm[4 * i + c] = 0.02 * gauss();
    cwm[4 * i + top] = (i >= core_a && i < core_b ? 1.0 : 0.05) * (0.6 + 0.4 * unif());
  }
}

static void test_bank(void) {
  double c0[4 * 12], c1[4 * 9];
  make_cwm(c0, 12, 3, 9);
  make_cwm(c1, 9, 1, 9);
  const double *cw[2] = {c0, c1};
  int lens[2] = {12, 9};
  dm_hits_bank_t *b = dm_hits_bank_init(cw, lens, 2, 0.3);
  CHECK(b->n == 4, "entries %d", b->n);
  for (int j = 0; j < 2; j++) {
    const double *c = cw[j];
    int len = lens[j];
    double mx = 0, ss = 0, sum[16];
    for (int i = 0; i < len; i++) {
      sum[i] = fabs(c[4 * i]) + fabs(c[4 * i + 1]) + fabs(c[4 * i + 2]) + fabs(c[4 * i + 3]);
      if (sum[i] > mx) mx = sum[i];
    }
    for (int i = 0; i < 4 * len; i++) ss += c[i] * c[i];
    int a = 0, e = len;
    while (sum[a] < 0.3 * mx) a++;
    while (sum[e - 1] < 0.3 * mx) e--;
    CHECK(b->offset[2 * j] == a && b->width[2 * j] == e - a, "pattern %d trim [%d,%d) vs %d+%d", j, a, e,
          b->offset[2 * j], b->width[2 * j]);
    CHECK(b->offset[2 * j + 1] == len - e && b->width[2 * j + 1] == e - a, "pattern %d reverse trim", j);
    for (int w = 0; w < e - a; w++)
      for (int ch = 0; ch < 4; ch++) {
        CLOSE(b->cwm[2 * j][4 * w + ch], c[4 * (a + w) + ch] / sqrt(ss), 1e-14);
        /* reverse complement: position e-1-w, base 3-ch */
        CLOSE(b->cwm[2 * j + 1][4 * w + ch], c[4 * (e - 1 - w) + 3 - ch] / sqrt(ss), 1e-14);
      }
  }
  dm_hits_bank_destroy(b);
}

/* Plant entry k at p with amplitude amp: bases at the top of the CWM. */
static void plant(const dm_hits_bank_t *bank, int k, int p, double amp, double *x, int8_t *bs) {
  for (int w = 0; w < bank->width[k]; w++) {
    int top = 0;
    for (int ch = 1; ch < 4; ch++)
      if (fabs(bank->cwm[k][4 * w + ch]) > fabs(bank->cwm[k][4 * w + top])) top = ch;
    bs[p + w] = (int8_t)top;
    x[p + w] = amp * bank->cwm[k][4 * w + top];
  }
}

/* Objective of the non-negative lasso for dense A (m, n) column-major. */
static double objective(const double *A, int m, int n, const double *y, const double *c, double lambda) {
  double f = 0;
  for (int i = 0; i < m; i++) {
    double r = y[i];
    for (int j = 0; j < n; j++) r -= A[(size_t)j * m + i] * c[j];
    f += 0.5 * r * r;
  }
  for (int j = 0; j < n; j++) f += lambda * c[j];
  return f;
}

/* Cyclic coordinate descent for the non-negative lasso (the independent solver). */
static void coordinate_descent(const double *A, int m, int n, const double *y, double lambda, double *c) {
  double *r = malloc((size_t)m * sizeof *r);
  memcpy(r, y, (size_t)m * sizeof *r);
  memset(c, 0, (size_t)n * sizeof *c);
  for (int sweep = 0; sweep < 20000; sweep++) {
    double change = 0;
    for (int j = 0; j < n; j++) {
      const double *a = A + (size_t)j * m;
      double aa = 0, ar = 0;
      for (int i = 0; i < m; i++) aa += a[i] * a[i], ar += a[i] * r[i];
      if (aa == 0) continue;
      double v = c[j] + (ar - lambda) / aa;
      if (v < 0) v = 0;
      double d = v - c[j];
      if (d != 0) {
        for (int i = 0; i < m; i++) r[i] -= d * a[i];
        c[j] = v;
        if (fabs(d) > change) change = fabs(d);
      }
    }
    if (change < 1e-13) break;
  }
  free(r);
}

static void test_fit_kkt(void) {
  enum { L = 48, NP = 2 };
  double c0[4 * 8], c1[4 * 6];
  make_cwm(c0, 8, 1, 7);
  make_cwm(c1, 6, 0, 6);
  const double *cw[NP] = {c0, c1};
  int lens[NP] = {8, 6};
  dm_hits_bank_t *bank = dm_hits_bank_init(cw, lens, NP, 0.3);
  double x[L];
  int8_t bs[L];
  for (int p = 0; p < L; p++) x[p] = 0.3 * gauss(), bs[p] = (int8_t)((int)(unif() * 4) & 3);
  bs[5] = -1; /* an N */
  /* a few motif-like stretches (with noise) so that some coefficients are non-zero */
  plant(bank, 0, 10, 3.0, x, bs);
  plant(bank, 3, 30, 2.0, x, bs);
  for (int p = 10; p < 40; p++) x[p] += 0.1 * gauss();
  dm_hits_fit_opt_t opt;
  dm_hits_fit_opt_init(&opt);
  opt.tol = 1e-12;
  opt.max_steps = 1000000;
  opt.post_filter = 0;
  opt.lambda = 0.2;
  dm_hits_fit_ws_t *ws = dm_hits_fit_ws_init(bank, L);
  dm_hit_t *hits;
  dm_hits_qc_t qc;
  int nh = dm_hits_fit_region(ws, &opt, x, bs, 7, &hits, &qc);
  CHECK(qc.status == DM_FIT_CONVERGED, "status %d after %ld steps, gap %g", qc.status, qc.steps, qc.gap);
  const double *c, *s, *xn;
  int n;
  dm_hits_fit_last(ws, &c, &s, &xn, &n);

  /* the problem from its definition */
  double ss = 0;
  for (int p = 0; p < L; p++) ss += x[p] * x[p];
  double gs = sqrt(ss / L), y[L];
  for (int p = 0; p < L; p++) {
    y[p] = x[p] / gs;
    CLOSE(xn[p], y[p], 1e-14);
  }
  double *A = calloc((size_t)n * L, sizeof *A);
  int j = 0, nz = 0;
  for (int k = 0; k < bank->n; k++)
    for (int p = 0; p + bank->width[k] <= L; p++, j++) {
      double sq = 0;
      for (int w = 0; w < bank->width[k]; w++) sq += y[p + w] * y[p + w];
      double sc = fmin(10.0, 1.0 / sqrt(sq + 1.0));
      CLOSE(s[j], sc, 1e-14);
      for (int w = 0; w < bank->width[k]; w++)
        if (bs[p + w] >= 0) A[(size_t)j * L + p + w] = sc * bank->cwm[k][4 * w + bs[p + w]];
      nz += c[j] > 0;
    }
  CHECK(j == n, "placements %d vs %d", j, n);
  CHECK(nz == nh && nh >= 2, "%d hits, %d non-zero coefficients", nh, nz);
  double *cd = malloc((size_t)n * sizeof *cd);
  coordinate_descent(A, L, n, y, opt.lambda, cd);
  double f_fit = objective(A, L, n, y, c, opt.lambda), f_cd = objective(A, L, n, y, cd, opt.lambda);
  CLOSE(f_fit, f_cd, 1e-8);
  /* KKT: g = A^T (y - A c); c > 0 => g = lambda; c = 0 => g <= lambda */
  double r[L];
  for (int i = 0; i < L; i++) {
    r[i] = y[i];
    for (int q = 0; q < n; q++) r[i] -= A[(size_t)q * L + i] * c[q];
  }
  int kkt_bad = 0;
  for (int q = 0; q < n; q++) {
    double g = 0;
    for (int i = 0; i < L; i++) g += A[(size_t)q * L + i] * r[i];
    CHECK(c[q] >= 0, "negative coefficient %g", c[q]);
    if (c[q] > 0 ? fabs(g - opt.lambda) > 1e-5 : g > opt.lambda + 1e-5) kkt_bad++;
  }
  CHECK(kkt_bad == 0, "%d placements violate KKT", kkt_bad);
  for (int h = 0; h < nh; h++) {
    int q = 0;
    for (int k = 0; k < hits[h].motif; k++) q += L - bank->width[k] + 1;
    q += hits[h].pos;
    CLOSE(hits[h].score, c[q] * gs * gs, 1e-12);
    CHECK(hits[h].region == 7, "region %ld", (long)hits[h].region);
  }
  free(A), free(cd);
  dm_hits_fit_ws_destroy(ws);
  dm_hits_bank_destroy(bank);
}

static void test_fit_planted(void) {
  enum { L = 300 };
  double c0[4 * 14], c1[4 * 10];
  make_cwm(c0, 14, 3, 11);
  make_cwm(c1, 10, 1, 9);
  const double *cw[2] = {c0, c1};
  int lens[2] = {14, 10};
  dm_hits_bank_t *bank = dm_hits_bank_init(cw, lens, 2, 0.3);
  double x[L];
  int8_t bs[L];
  for (int p = 0; p < L; p++) x[p] = 1e-3 * gauss(), bs[p] = (int8_t)((int)(unif() * 4) & 3);
  const int want[][2] = {{0, 20}, {3, 100}, {1, 200}, {2, 250}}; /* entry, position */
  for (int i = 0; i < 4; i++) plant(bank, want[i][0], want[i][1], 2.0 + i, x, bs);
  dm_hits_fit_opt_t opt;
  dm_hits_fit_opt_init(&opt);
  dm_hits_fit_ws_t *ws = dm_hits_fit_ws_init(bank, L);
  dm_hit_t *hits;
  dm_hits_qc_t qc;
  int nh = dm_hits_fit_region(ws, &opt, x, bs, 0, &hits, &qc);
  CHECK(qc.status == DM_FIT_CONVERGED, "status %d", qc.status);
  CHECK(nh == 4, "%d hits, want 4", nh);
  for (int i = 0; i < 4; i++) {
    int found = 0;
    for (int h = 0; h < nh; h++)
      if (hits[h].motif == want[i][0] && hits[h].pos == want[i][1]) {
        found = 1;
        CHECK(hits[h].similarity > 0.99, "planted copy similarity %g", hits[h].similarity);
      }
    CHECK(found, "planted entry %d at %d not found", want[i][0], want[i][1]);
  }
  /* a track of zeros: no hits, status empty */
  double z[L] = {0};
  CHECK(dm_hits_fit_region(ws, &opt, z, bs, 0, &hits, &qc) == 0 && qc.status == DM_FIT_EMPTY, "zero track");
  dm_hits_fit_ws_destroy(ws);
  dm_hits_bank_destroy(bank);
}

static void test_scan(int compete) {
  enum { L = 200 };
  double c0[4 * 12], c1[4 * 8];
  make_cwm(c0, 12, 2, 10);
  make_cwm(c1, 8, 0, 8);
  const double *cw[2] = {c0, c1};
  int lens[2] = {12, 8};
  dm_hits_bank_t *bank = dm_hits_bank_init(cw, lens, 2, 0.3);
  double x[L];
  int8_t bs[L];
  for (int p = 0; p < L; p++) x[p] = 0.2 * gauss(), bs[p] = (int8_t)((int)(unif() * 4) & 3);
  plant(bank, 0, 30, 3, x, bs), plant(bank, 1, 80, 2, x, bs), plant(bank, 2, 120, 2, x, bs);
  plant(bank, 3, 124, 3, x, bs); /* overlaps the copy at 120 */
  double smin[2] = {0.3, 0.25}, imin[2] = {0.5, 0.4};
  dm_hits_thr_t thr = {smin, imin, compete};
  dm_hits_scan_ws_t *ws = dm_hits_scan_ws_init(bank, L);
  dm_hit_t *hits;
  int nh = dm_hits_scan_region(ws, &thr, x, bs, 3, &hits);
  CHECK(nh >= 4, "%d hits", nh);
  /* direct loop over every window */
  int passing = 0, covered = 0;
  for (int k = 0; k < 4; k++) {
    int j = k / 2, W = bank->width[k];
    double cn = 0;
    for (int i = 0; i < 4 * W; i++) cn += bank->cwm[k][i] * bank->cwm[k][i];
    cn = sqrt(cn);
    for (int p = 0; p + W <= L; p++) {
      double dot = 0, sq = 0, ab = 0;
      for (int w = 0; w < W; w++) {
        dot += x[p + w] * bank->cwm[k][4 * w + bs[p + w]];
        sq += x[p + w] * x[p + w];
        ab += fabs(x[p + w]);
      }
      double sim = dot / (cn * sqrt(sq));
      if (!(sim >= smin[j] && ab >= imin[j])) {
        for (int h = 0; h < nh; h++)
          CHECK(!(hits[h].motif == k && hits[h].pos == p), "hit %d@%d fails", k, p);
        continue;
      }
      passing++;
      int reported = 0, beaten = 0;
      for (int h = 0; h < nh; h++) {
        const dm_hit_t *o = &hits[h];
        if (o->motif == k && o->pos == p) {
          reported = 1;
          CLOSE(o->score, dot, 1e-12);
          CLOSE(o->similarity, sim, 1e-12);
          CLOSE(o->importance, ab, 1e-12);
        } else if ((compete || o->motif / 2 == j) && o->pos < p + W && p < o->pos + bank->width[o->motif] &&
                   o->similarity >= sim) {
          beaten = 1;
        }
      }
      CHECK(reported || beaten, "window %d@%d passes but is neither reported nor beaten", k, p);
      covered += reported;
    }
  }
  CHECK(covered == nh && passing > nh, "%d reported of %d passing, %d hits", covered, passing, nh);
  for (int a = 0; a < nh; a++)
    for (int b = a + 1; b < nh; b++)
      CHECK(!((compete || hits[a].motif / 2 == hits[b].motif / 2) &&
              hits[a].pos < hits[b].pos + bank->width[hits[b].motif] &&
              hits[b].pos < hits[a].pos + bank->width[hits[a].motif]),
            "hits %d@%d and %d@%d of one pattern overlap", hits[a].motif, hits[a].pos, hits[b].motif,
            hits[b].pos);
  int at[4][2] = {{0, 30}, {1, 80}, {3, 124}, {-1, -1}}, ok = 0; /* 124: the better of the overlapping pair */
  for (int i = 0; at[i][0] >= 0; i++)
    for (int h = 0; h < nh; h++) ok += hits[h].motif == at[i][0] && hits[h].pos == at[i][1];
  CHECK(ok == 3, "planted copies found: %d of 3 (the stronger of the overlapping pair)", ok);

  /* thresholds from seqlets: windows of the planted copy at 30 and its
   * scaled versions; quantile 0 is the smallest seqlet value */
  int len = 12;
  double *sq = calloc(3 * (size_t)len * 4, sizeof *sq), work[6], smn, imn;
  for (int i = 0; i < 3; i++)
    for (int w = 0; w < len; w++) {
      int p = 30 - bank->offset[0] + w;
      sq[((size_t)i * len + w) * 4 + bs[p]] = x[p] * (1 + i);
    }
  dm_hits_scan_thresholds(bank, 0, sq, 3, 0.0, &smn, &imn, work);
  double dot, s2, ab;
  dm_hits_window(bank, 0, x, bs, 30, &dot, &s2, &ab);
  CLOSE(imn, ab, 1e-12);
  CHECK(smn > 0.9, "similarity threshold %g", smn);
  free(sq);
  dm_hits_scan_ws_destroy(ws);
  dm_hits_bank_destroy(bank);
}

static void test_quantile(void) {
  double v[4] = {4, 1, 3, 2};
  CLOSE(dm_hits_quantile(v, 4, 0.1), 1.3, 1e-12);
  CLOSE(dm_hits_quantile(v, 4, 0.5), 2.5, 1e-12);
  CLOSE(dm_hits_quantile(v, 4, 1.0), 4.0, 1e-12);
  double one = 7;
  CLOSE(dm_hits_quantile(&one, 1, 0.3), 7.0, 1e-12);
}

int main(void) {
  test_bank();
  test_fit_kkt();
  test_fit_planted();
  test_scan(0);
  test_scan(1);
  test_quantile();
  return dm_test_summary("test_hits_kernels");
}
