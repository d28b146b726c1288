/* This object's header. */
#include "dm_tomtom.h"

/* Standard headers. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Local headers. */
#include "dm_keyed.h"
#include "dm_mem.h"

struct dm_tomtom_db {
  int n;        /* targets */
  int *len;     /* (n,) */
  int64_t *off; /* (n + 1,) first column of target t on strand 0 in z; strand 1 follows all of strand 0 */
  int64_t cols; /* columns per strand */
  double *z;    /* (2 cols, 4): columns centred and scaled to unit norm (0 when flat) */
};

dm_tomtom_opt_t dm_tomtom_opt_default(void) { return (dm_tomtom_opt_t){.min_overlap = 5, .bins = 50}; }

int dm_tomtom_db_size(const dm_tomtom_db_t *db) { return db->n; }

// --- column scores

/* Centre x and scale to unit norm into z (zeros when x is constant). */
static void unit_centred(const double *x, double *z) {
  double m = 0.25 * (x[0] + x[1] + x[2] + x[3]), ss = 0;
  for (int b = 0; b < 4; b++) ss += (x[b] - m) * (x[b] - m);
  double s = ss > 1e-24 ? 1.0 / sqrt(ss) : 0;
  for (int b = 0; b < 4; b++) z[b] = (x[b] - m) * s;
}

double dm_tomtom_pearson(const double *x, const double *y) {
  double zx[4], zy[4];
  unit_centred(x, zx);
  unit_centred(y, zy);
  return zx[0] * zy[0] + zx[1] * zy[1] + zx[2] * zy[2] + zx[3] * zy[3];
}

void dm_motif_revcomp(const double *m, int len, double *out) {
  for (int i = 0; i < len; i++)
    for (int b = 0; b < 4; b++) out[4 * i + b] = m[4 * (len - 1 - i) + (3 - b)];
}

void dm_motif_strand(const double *m, int len, int strand, double *out) {
  if (strand)
    dm_motif_revcomp(m, len, out);
  else
    memcpy(out, m, (size_t)len * 4 * sizeof *out);
}

dm_tomtom_db_t *dm_tomtom_db_new(const double *const *m, const int *len, int n) {
  DM_ASSERT(n > 0);
  dm_tomtom_db_t *db = dm_calloc("tomtom db", 1, sizeof *db);
  db->n = n;
  db->len = dm_malloc("tomtom lens", (size_t)n * sizeof *db->len);
  db->off = dm_malloc("tomtom offsets", (size_t)(n + 1) * sizeof *db->off);
  db->off[0] = 0;
  for (int t = 0; t < n; t++) {
    DM_ASSERT(len[t] > 0);
    db->len[t] = len[t];
    db->off[t + 1] = db->off[t] + len[t];
  }
  db->cols = db->off[n];
  db->z = dm_malloc("tomtom columns", (size_t)(2 * db->cols * 4) * sizeof *db->z);
  for (int t = 0; t < n; t++) {
    double *rc = dm_malloc("revcomp", (size_t)len[t] * 4 * sizeof *rc);
    dm_motif_revcomp(m[t], len[t], rc);
    for (int j = 0; j < len[t]; j++) {
      unit_centred(m[t] + 4 * j, db->z + 4 * (db->off[t] + j));
      unit_centred(rc + 4 * j, db->z + 4 * (db->cols + db->off[t] + j));
    }
    free(rc);
  }
  return db;
}

void dm_tomtom_db_free(dm_tomtom_db_t *db) {
  if (!db) return;
  free(db->len);
  free(db->off);
  free(db->z);
  free(db);
}

// --- null distributions

/* Per query: quantised scores against every database column, the null
 * distribution of each query column, and the survival functions of the
 * summed scores of the query ranges [a, b] for one a at a time. */
typedef struct {
  int wq, kmax;       /* kmax = 2 bins: largest column score */
  int64_t ncol;       /* database columns, both strands */
  uint16_t *k;        /* (wq, ncol) quantised scores */
  double *sim;        /* (wq, ncol) Pearson correlations */
  double *f;          /* (wq, kmax + 1) null pmf of each query column's score */
  double **sf;        /* (wq,) sf[b][s] = P(S_[a,b] >= s), s in [0, (b-a+1) kmax + 1]; NULL for b < a */
  double *pmf, *next; /* (wq kmax + 1,) work */
  int *nz;            /* (kmax + 1,) work */
} null_t;

/* Survival function of a pmf of length n into sf (n + 1,), sf[n] = 0. */
static void survival(const double *pmf, int n, double *sf) {
  sf[n] = 0;
  for (int s = n - 1; s >= 0; s--) sf[s] = sf[s + 1] + pmf[s];
}

static void null_build(const dm_tomtom_db_t *db, const double *q, int wq, int bins, null_t *nl) {
  nl->wq = wq;
  nl->kmax = 2 * bins;
  nl->ncol = 2 * db->cols;
  int K = nl->kmax + 1;
  nl->k = dm_malloc("tomtom scores", (size_t)wq * (size_t)nl->ncol * sizeof *nl->k);
  nl->sim = dm_malloc("tomtom sims", (size_t)wq * (size_t)nl->ncol * sizeof *nl->sim);
  nl->f = dm_calloc("tomtom column pmfs", (size_t)wq * (size_t)K, sizeof *nl->f);
  for (int i = 0; i < wq; i++) {
    double zq[4];
    unit_centred(q + 4 * i, zq);
    uint16_t *ki = nl->k + (size_t)i * (size_t)nl->ncol;
    double *si = nl->sim + (size_t)i * (size_t)nl->ncol, *fi = nl->f + (size_t)i * K;
    for (int64_t c = 0; c < nl->ncol; c++) {
      const double *z = db->z + 4 * c;
      double s = zq[0] * z[0] + zq[1] * z[1] + zq[2] * z[2] + zq[3] * z[3];
      s = s > 1 ? 1 : s < -1 ? -1 : s;
      si[c] = s;
      ki[c] = (uint16_t)lround((s + 1) * bins);
      fi[ki[c]] += 1;
    }
    for (int k = 0; k < K; k++) fi[k] /= (double)nl->ncol;
  }
  nl->sf = dm_calloc("tomtom sfs", (size_t)wq, sizeof *nl->sf);
  nl->pmf = dm_malloc("tomtom pmf", (size_t)(wq * nl->kmax + 1) * sizeof *nl->pmf);
  nl->next = dm_malloc("tomtom pmf", (size_t)(wq * nl->kmax + 1) * sizeof *nl->next);
  nl->nz = dm_malloc("tomtom support", (size_t)K * sizeof *nl->nz);
}

/* Survival functions of the ranges [a, b], b = a..wq-1: the pmf of [a, b-1]
 * convolved with the null of column b. */
static void null_ranges(null_t *nl, int a) {
  int K = nl->kmax + 1, n = K;
  double *pmf = nl->pmf, *next = nl->next;
  memcpy(pmf, nl->f + (size_t)a * K, (size_t)K * sizeof *pmf);
  for (int b = 0; b < nl->wq; b++) {
    free(nl->sf[b]);
    nl->sf[b] = NULL;
  }
  for (int b = a; b < nl->wq; b++) {
    if (b > a) {
      const double *fb = nl->f + (size_t)b * K;
      int nnz = 0;
      for (int k = 0; k < K; k++)
        if (fb[k] > 0) nl->nz[nnz++] = k;
      int m = n + nl->kmax;
      memset(next, 0, (size_t)m * sizeof *next);
      for (int s = 0; s < n; s++) {
        if (pmf[s] == 0) continue;
        for (int t = 0; t < nnz; t++) next[s + nl->nz[t]] += pmf[s] * fb[nl->nz[t]];
      }
      memcpy(pmf, next, (size_t)m * sizeof *pmf);
      n = m;
    }
    nl->sf[b] = dm_malloc("tomtom sf", (size_t)(n + 1) * sizeof *nl->sf[b]);
    survival(pmf, n, nl->sf[b]);
  }
}

static void null_free(null_t *nl) {
  for (int i = 0; i < nl->wq; i++) free(nl->sf[i]);
  free(nl->sf);
  free(nl->k);
  free(nl->sim);
  free(nl->f);
  free(nl->pmf);
  free(nl->next);
  free(nl->nz);
}

// --- matching

/* Benjamini-Hochberg q-values of hits[].p over n targets. */
static void bh_qvalues(dm_tomtom_hit_t *hits, int n) {
  dm_keyed_t *v = dm_malloc("bh pairs", (size_t)n * sizeof *v);
  for (int i = 0; i < n; i++) v[i] = (dm_keyed_t){hits[i].p, i};
  dm_keyed_sort(v, (size_t)n);
  double run = 1;
  for (int r = n - 1; r >= 0; r--) {
    double q = v[r].key * n / (r + 1);
    if (q < run) run = q;
    hits[v[r].idx].q = run;
  }
  free(v);
}

/* 1 if alignment (p, overlap, strand, offset) is better than the one in h:
 * smaller p, then larger overlap, then strand +, then smaller offset. */
static int better(double p, int overlap, int st, int o, const dm_tomtom_hit_t *h) {
  if (p != h->p_align) return p < h->p_align;
  if (overlap != h->overlap) return overlap > h->overlap;
  if (st != h->strand) return st < h->strand;
  return o < h->offset;
}

/* The alignments of the query (null nl, ranges starting at query column a)
 * with target t on strand st: offsets o with max(o, 0) = a. Keeps the best in
 * h; counts the alignments tried in *tried. */
static void align_target(const dm_tomtom_db_t *db, const null_t *nl, int a, int t, int st, int min_overlap,
                         dm_tomtom_hit_t *h, long *tried) {
  int wq = nl->wq, wt = db->len[t];
  int need = min_overlap;
  if (need > wq) need = wq;
  if (need > wt) need = wt;
  int64_t c0 = (st ? db->cols : 0) + db->off[t];
  int o0 = a > 0 ? a : -(wt - 1), o1 = a; /* offsets [o0, o1] start at query column a */
  for (int o = o0; o <= o1; o++) {
    int b = o + wt < wq ? o + wt : wq; /* query columns [a, b) */
    if (b - a < need) continue;
    (*tried)++;
    int s = 0;
    double sim = 0;
    for (int i = a; i < b; i++) {
      size_t at = (size_t)i * (size_t)nl->ncol + (size_t)(c0 + (i - o));
      s += nl->k[at];
      sim += nl->sim[at];
    }
    double p = nl->sf[b - 1][s];
    if (better(p, b - a, st, o, h)) {
      h->p_align = p;
      h->strand = st;
      h->offset = o;
      h->overlap = b - a;
      h->sim = sim / (b - a);
    }
  }
}

void dm_tomtom_query(const dm_tomtom_db_t *db, const double *q, int wq, const dm_tomtom_opt_t *opt,
                     dm_tomtom_hit_t *hits) {
  DM_ASSERT(wq > 0 && opt->min_overlap >= 1 && opt->bins >= 1 && 2 * opt->bins < 65535);
  null_t nl;
  null_build(db, q, wq, opt->bins, &nl);
  long *tried = dm_calloc("alignments tried", (size_t)db->n, sizeof *tried);
  for (int t = 0; t < db->n; t++) hits[t] = (dm_tomtom_hit_t){.target = t, .p_align = 2, .p = 1};
  for (int a = 0; a < wq; a++) {
    null_ranges(&nl, a);
    for (int t = 0; t < db->n; t++)
      for (int st = 0; st < 2; st++) align_target(db, &nl, a, t, st, opt->min_overlap, &hits[t], &tried[t]);
  }
  for (int t = 0; t < db->n; t++) {
    dm_tomtom_hit_t *h = &hits[t];
    if (tried[t] == 0) h->p_align = 1; /* no alignment long enough: p = 1 */
    h->p = h->p_align < 1 ? -expm1((double)tried[t] * log1p(-h->p_align)) : 1;
    h->e = h->p * db->n;
  }
  bh_qvalues(hits, db->n);
  free(tried);
  null_free(&nl);
}

static int cmp_hit(const void *a, const void *b) {
  const dm_tomtom_hit_t *x = a, *y = b;
  if (x->p != y->p) return x->p < y->p ? -1 : 1;
  return (x->target > y->target) - (x->target < y->target);
}

int dm_tomtom_top(dm_tomtom_hit_t *hits, int n, int k) {
  qsort(hits, (size_t)n, sizeof *hits, cmp_hit);
  return k < n ? k : n;
}
