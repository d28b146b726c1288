/* dm_tomtom against brute force: on tiny databases every alignment's p-value
 * is recomputed by enumerating every combination of database columns (both
 * strands) for the aligned query columns, with column scores computed here
 * from the textbook Pearson formula; then the best alignment per target, the
 * correction for the alignments tried, E-values and BH q-values (quadratic
 * definition). Also: a query equal to a target (or to its reverse
 * complement) finds it at offset 0 with similarity 1. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dm_test.h"
#include "dm_tomtom.h"

enum { MAXC = 64 };

static double pearson(const double *x, const double *y) {
  double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
  for (int b = 0; b < 4; b++) mx += x[b] / 4, my += y[b] / 4;
  for (int b = 0; b < 4; b++) {
    sxy += (x[b] - mx) * (y[b] - my);
    sxx += (x[b] - mx) * (x[b] - mx);
    syy += (y[b] - my) * (y[b] - my);
  }
  return sxx > 1e-24 && syy > 1e-24 ? sxy / sqrt(sxx * syy) : 0;
}

static int quant(double s, int bins) { return (int)lround((s + 1) * bins); }

static void random_motif(double *m, int len) {
  for (int i = 0; i < len; i++) {
    double s = 0;
    for (int b = 0; b < 4; b++) s += m[4 * i + b] = pow(rand() / (double)RAND_MAX, 3) + 0.01;
    for (int b = 0; b < 4; b++) m[4 * i + b] /= s;
  }
}

/* P(sum over query columns a..b-1 of k(q_i, random db column) >= s), by enumeration. */
static double brute_p(int k[][MAXC], int ncol, int a, int b, int s) {
  int idx[8] = {0}, w = b - a;
  long hit = 0, all = 0;
  for (;;) {
    int sum = 0;
    for (int i = 0; i < w; i++) sum += k[a + i][idx[i]];
    hit += sum >= s;
    all++;
    int i = 0;
    while (i < w && ++idx[i] == ncol) idx[i++] = 0;
    if (i == w) break;
  }
  return (double)hit / (double)all;
}

static void case_brute(int n, const int *len, int wq, int min_overlap, int bins) {
  double *m[8], q[4 * 8], cols[MAXC][4];
  int ncol = 0;
  for (int t = 0; t < n; t++) {
    m[t] = malloc((size_t)len[t] * 4 * sizeof *m[t]);
    random_motif(m[t], len[t]);
  }
  random_motif(q, wq);
  /* database columns: strand + of every target, then strand - of every target */
  for (int st = 0; st < 2; st++)
    for (int t = 0; t < n; t++)
      for (int j = 0; j < len[t]; j++, ncol++)
        for (int b = 0; b < 4; b++) cols[ncol][b] = st ? m[t][4 * (len[t] - 1 - j) + 3 - b] : m[t][4 * j + b];
  static int k[8][MAXC];
  for (int i = 0; i < wq; i++)
    for (int c = 0; c < ncol; c++) k[i][c] = quant(pearson(q + 4 * i, cols[c]), bins);

  dm_tomtom_db_t *db = dm_tomtom_db_new((const double *const *)m, len, n);
  dm_tomtom_hit_t hits[8];
  dm_tomtom_opt_t opt = {.min_overlap = min_overlap, .bins = bins};
  dm_tomtom_query(db, q, wq, &opt, hits);
  double pt[8];
  int first = 0;
  for (int t = 0; t < n; t++) {
    double best = 2;
    long tried = 0;
    int need = min_overlap < wq ? min_overlap : wq;
    need = need < len[t] ? need : len[t];
    for (int st = 0; st < 2; st++) {
      int c0 = (st ? ncol / 2 : 0) + first;
      for (int o = -(len[t] - 1); o <= wq - 1; o++) {
        int a = o > 0 ? o : 0, b = o + len[t] < wq ? o + len[t] : wq;
        if (b - a < need) continue;
        tried++;
        int s = 0;
        for (int i = a; i < b; i++) s += k[i][c0 + i - o];
        double p = brute_p(k, ncol, a, b, s);
        if (p < best) best = p;
      }
    }
    first += len[t];
    CLOSE(hits[t].p_align, best, 1e-12);
    pt[t] = 1 - pow(1 - best, (double)tried);
    CLOSE(hits[t].p, pt[t], 1e-9);
    CLOSE(hits[t].e, pt[t] * n, 1e-9);
  }
  for (int t = 0; t < n; t++) {
    /* BH: q_t = min over u with p_u >= p_t of p_u * n / rank(u) */
    double qv = 1;
    for (int u = 0; u < n; u++) {
      if (pt[u] < pt[t]) continue;
      int rank = 0;
      for (int v = 0; v < n; v++) rank += pt[v] < pt[u] || (pt[v] == pt[u] && v <= u);
      double x = pt[u] * n / rank;
      if (x < qv) qv = x;
    }
    CLOSE(hits[t].q, qv, 1e-9);
  }
  dm_tomtom_db_free(db);
  for (int t = 0; t < n; t++) free(m[t]);
}

static void case_identity(void) {
  enum { N = 20 };
  double *m[N];
  int len[N];
  for (int t = 0; t < N; t++) {
    len[t] = 6 + t % 7;
    m[t] = malloc((size_t)len[t] * 4 * sizeof *m[t]);
    random_motif(m[t], len[t]);
  }
  dm_tomtom_db_t *db = dm_tomtom_db_new((const double *const *)m, len, N);
  dm_tomtom_hit_t hits[N];
  dm_tomtom_opt_t opt = dm_tomtom_opt_default();
  for (int st = 0; st < 2; st++) {
    double q[4 * 12];
    if (st)
      dm_motif_revcomp(m[5], len[5], q);
    else
      memcpy(q, m[5], (size_t)len[5] * 4 * sizeof *q);
    dm_tomtom_query(db, q, len[5], &opt, hits);
    dm_tomtom_top(hits, N, 3);
    CHECK(hits[0].target == 5 && hits[0].strand == st && hits[0].offset == 0, "self match: %d %d %d",
          hits[0].target, hits[0].strand, hits[0].offset);
    CLOSE(hits[0].sim, 1.0, 1e-12);
    CHECK(hits[0].q < 0.05 && hits[0].p <= hits[1].p, "self q %g", hits[0].q);
  }
  for (int t = 0; t < N; t++) free(m[t]);
  dm_tomtom_db_free(db);
}

int main(void) {
  srand(11);
  int l1[] = {2, 3}, l2[] = {4, 1, 3}, l3[] = {5};
  case_brute(2, l1, 3, 2, 10);
  case_brute(2, l1, 3, 5, 50);
  case_brute(3, l2, 4, 2, 7);
  case_brute(1, l3, 2, 5, 20);
  case_identity();
  return dm_test_summary("test_tomtom");
}
