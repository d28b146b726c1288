/* dm_kmer: gapped k-mer embeddings and coarse top-k similarity (see dm_kmer.h). */
#include "dm_kmer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#endif

#include "dm_mem.h"
#include "dm_radix.h"

// --- options

void dm_kmer_opt_init(dm_kmer_opt_t *opt) {
  opt->topn = 20;
  opt->min_k = 4;
  opt->max_k = 6;
  opt->max_gap = 15;
  opt->max_len = 15;
  opt->max_entries = 500;
}

int dm_kmer_opt_check(const dm_kmer_opt_t *opt) {
  if (opt->min_k < 1 || opt->min_k > opt->max_k || opt->max_k > opt->topn) {
    dm_log_error("gapped k-mers: need 1 <= min_k (%d) <= max_k (%d) <= topn (%d)", opt->min_k,
                 opt->max_k, opt->topn);
    return -1;
  }
  if (opt->max_gap < 1 || opt->max_len < opt->max_k || opt->max_len > 26) {
    dm_log_error("gapped k-mers: need max_gap (%d) >= 1 and max_k (%d) <= max_len (%d) <= 26",
                 opt->max_gap, opt->max_k, opt->max_len);
    return -1;
  }
  if (opt->max_entries < 1) {
    dm_log_error("gapped k-mers: max_entries (%d) must be >= 1", opt->max_entries);
    return -1;
  }
  return 0;
}

// --- embedding scratch layout

typedef struct {
  size_t level_cap; /* k-mers of one length, all starts */
  size_t distinct;  /* distinct keys of length min_k..max_k */
  int l;
} emb_layout_t;

typedef struct {
  float *imp;         /* (L,) importance per position */
  int *base;          /* (L,) base per position */
  int *pos;           /* (topn,) chosen positions, ascending */
  int *lo[2], *hi[2]; /* (topn,) list of k-mers starting at each position */
  int *last[2];       /* (level_cap,) index of the last letter */
  double *attr[2];    /* (level_cap,) sum of importances */
  int64_t *hash[2];   /* (level_cap,) key so far */
  int64_t *key;       /* (distinct,) k-mer keys in enumeration order, then sorted */
  int64_t *tkey;      /* (distinct,) sort scratch */
  int32_t *idx[2];    /* (distinct,) enumeration order of the sorted keys; scratch */
  double *val;        /* (distinct,) k-mer values in enumeration order */
  int64_t *ukey;      /* (distinct,) distinct keys, ascending */
  double *uval;       /* (distinct,) their summed values */
  int32_t *ufirst;    /* (distinct,) enumeration order of their first k-mer */
} emb_work_t;

static double binom(int n, int k) {
  if (k < 0 || k > n) return 0.0;
  double r = 1.0;
  for (int i = 1; i <= k; i++) r = r * (n - k + i) / i;
  return r;
}

static emb_layout_t emb_layout(const dm_kmer_opt_t *opt, int l) {
  emb_layout_t y = {0, 0, l};
  int n = opt->topn < l ? opt->topn : l;
  int w = opt->max_len - 1 < n - 1 ? opt->max_len - 1 : n - 1; /* letters after the first */
  for (int k = 1; k <= opt->max_k; k++) {
    size_t c = (size_t)(n * binom(w, k - 1) + 0.5);
    if (c > y.level_cap) y.level_cap = c;
    if (k >= opt->min_k) y.distinct += c;
  }
  if (y.level_cap == 0) y.level_cap = 1;
  if (y.distinct == 0) y.distinct = 1;
  return y;
}

#define CARVE(p, type, count)                                                                      \
  do {                                                                                             \
    (p) = (type *)(void *)(base + off);                                                            \
    off += ((count) * sizeof(type) + 7) & ~(size_t)7;                                             \
  } while (0)

static size_t emb_carve(const dm_kmer_opt_t *opt, const emb_layout_t *y, char *base,
                        emb_work_t *w) {
  size_t off = 0;
  emb_work_t dummy;
  if (!w) w = &dummy;
  CARVE(w->imp, float, (size_t)y->l);
  CARVE(w->base, int, (size_t)y->l);
  CARVE(w->pos, int, (size_t)opt->topn);
  for (int s = 0; s < 2; s++) {
    CARVE(w->lo[s], int, (size_t)opt->topn);
    CARVE(w->hi[s], int, (size_t)opt->topn);
    CARVE(w->last[s], int, y->level_cap);
    CARVE(w->attr[s], double, y->level_cap);
    CARVE(w->hash[s], int64_t, y->level_cap);
    CARVE(w->idx[s], int32_t, y->distinct);
  }
  CARVE(w->key, int64_t, y->distinct);
  CARVE(w->tkey, int64_t, y->distinct);
  CARVE(w->val, double, y->distinct);
  CARVE(w->ukey, int64_t, y->distinct);
  CARVE(w->uval, double, y->distinct);
  CARVE(w->ufirst, int32_t, y->distinct);
  return off;
}
#undef CARVE

size_t dm_kmer_embed_work_size(const dm_kmer_opt_t *opt, int l) {
  emb_layout_t y = emb_layout(opt, l);
  return emb_carve(opt, &y, NULL, NULL);
}

// --- embedding of one seqlet strand

/* Importance and base per position of the strand: the reverse strand reads
 * positions backwards and channels in reverse (complement) order. */
static void strand_scores(const float *onehot, const float *contrib, int l, float sign, int rc,
                          float *imp, int *base) {
  for (int t = 0; t < l; t++) {
    int src = rc ? l - 1 - t : t;
    const float *o = onehot + (size_t)src * 4, *c = contrib + (size_t)src * 4;
    float s = 0.0f, best = -INFINITY;
    int arg = 0;
    for (int j = 0; j < 4; j++) {
      int ch = rc ? 3 - j : j;
      s += c[ch] * sign;
      if (o[ch] > best) {
        best = o[ch];
        arg = j;
      }
    }
    imp[t] = s;
    base[t] = arg;
  }
}

/* The n positions of largest importance (ties: smaller position), ascending. */
static int top_positions(const float *imp, int l, int topn, int *pos) {
  int n = 0;
  for (int t = 0; t < l; t++) {
    if (n == topn && !(imp[t] > imp[pos[n - 1]])) continue;
    int i = n < topn ? n++ : n - 1;
    while (i > 0 && imp[t] > imp[pos[i - 1]]) {
      pos[i] = pos[i - 1];
      i--;
    }
    pos[i] = t;
  }
  for (int i = 1; i < n; i++) { /* back to position order */
    int v = pos[i], j = i;
    while (j > 0 && pos[j - 1] > v) {
      pos[j] = pos[j - 1];
      j--;
    }
    pos[j] = v;
  }
  return n;
}

/* Append a k-mer to the enumeration. */
static inline void add_kmer(emb_work_t *w, int *n_km, int64_t key, double v) {
  w->key[*n_km] = key;
  w->val[(*n_km)++] = v;
}

/* Enumerate the gapped k-mers of the chosen positions (keys and values in
 * w->key, w->val); return their number. */
static int enumerate(const dm_kmer_opt_t *opt, const emb_layout_t *y, emb_work_t *w, int n) {
  const int *pos = w->pos;
  int n_km = 0;
  for (int j = 0; j < n; j++) { /* length 1: each position alone */
    w->lo[0][j] = j;
    w->hi[0][j] = j + 1;
    w->last[0][j] = j;
    w->attr[0][j] = (double)w->imp[pos[j]];
    w->hash[0][j] = w->base[pos[j]] + 1;
    if (opt->min_k <= 1) add_kmer(w, &n_km, w->hash[0][j], w->attr[0][j]);
  }
  int cur = 0;
  for (int k = 2; k <= opt->max_k; k++) {
    int nxt = 1 - cur;
    size_t m = 0;
    for (int j = 0; j < n; j++) {
      w->lo[nxt][j] = (int)m;
      for (int i = j + 1; i < n; i++) {
        int span = pos[i] - pos[j];
        if (span >= opt->max_len) break;
        int64_t p5 = 1;
        for (int e = 0; e < span; e++) p5 *= 5;
        int64_t add = (int64_t)(w->base[pos[i]] + 1) * p5;
        double ai = (double)w->imp[pos[i]];
        for (int g = w->lo[cur][j]; g < w->hi[cur][j]; g++) {
          int lg = w->last[cur][g];
          if (lg >= i) break;
          if (pos[i] - pos[lg] > opt->max_gap) continue;
          DM_ASSERT(m < y->level_cap);
          w->last[nxt][m] = i;
          w->attr[nxt][m] = w->attr[cur][g] + ai;
          w->hash[nxt][m] = w->hash[cur][g] + add;
          if (k >= opt->min_k) add_kmer(w, &n_km, w->hash[nxt][m], w->attr[nxt][m] / k);
          m++;
        }
      }
      w->hi[nxt][j] = (int)m;
    }
    cur = nxt;
  }
  return n_km;
}

/* Distinct keys (ascending) of the n_km k-mers, each valued by the sum of
 * its k-mers' values in enumeration order; return their number. */
static int distinct_keys(emb_work_t *w, int n_km) {
  int64_t kmax = 0;
  for (int i = 0; i < n_km; i++) {
    w->idx[0][i] = i;
    if (w->key[i] > kmax) kmax = w->key[i];
  }
  dm_radix_sort(w->key, w->idx[0], w->tkey, w->idx[1], (size_t)n_km, kmax); /* stable */
  int u = -1;
  for (int i = 0; i < n_km; i++) {
    int32_t e = w->idx[0][i];
    if (i == 0 || w->key[i] != w->key[i - 1]) {
      w->ukey[++u] = w->key[i];
      w->uval[u] = 0.0;
      w->ufirst[u] = e;
    }
    w->uval[u] = w->uval[u] + w->val[e];
  }
  return u + 1;
}

/* Keep the max_entries best of the n_keys distinct keys, ranked by larger
 * |value|, then earlier first enumeration; write them (in key order)
 * L2-normalised. The max_entries-th largest |value| t is selected in linear
 * time (dm_radix_select on the bits of |value|, which order as the values);
 * the keys above t are kept, and of those equal to t the first enumerated
 * (again a selection, when there are more than room). The key lists are
 * free by now: they are the selection's scratch. */
static int emit_row(const dm_kmer_opt_t *opt, emb_work_t *w, int n_keys, int64_t *key, double *val) {
  int take = opt->max_entries, all = n_keys <= take;
  double t = 0.0;
  int32_t f = INT32_MAX; /* keep |v| > t, and |v| == t if first <= f */
  if (!all) {
    uint64_t *bits = (uint64_t *)w->key, *scratch = (uint64_t *)w->tkey;
    for (int u = 0; u < n_keys; u++) {
      double a = fabs(w->uval[u]);
      memcpy(&bits[u], &a, sizeof a);
    }
    uint64_t tb = dm_radix_select(bits, scratch, (size_t)n_keys, (size_t)(n_keys - take));
    memcpy(&t, &tb, sizeof t);
    int ties = 0;
    for (int u = 0; u < n_keys; u++) {
      double a = fabs(w->uval[u]);
      take -= a > t;
      if (a == t) bits[ties++] = (uint64_t)w->ufirst[u];
    }
    if (ties > take) f = (int32_t)dm_radix_select(bits, scratch, (size_t)ties, (size_t)(take - 1));
  }
  int m = 0;
  for (int u = 0; u < n_keys; u++) {
    double a = fabs(w->uval[u]);
    if (all || a > t || (a == t && w->ufirst[u] <= f)) {
      key[m] = w->ukey[u];
      val[m++] = w->uval[u];
    }
  }
  double ss = 0.0;
  for (int i = 0; i < m; i++) ss += val[i] * val[i];
  double norm = ss > 0.0 ? sqrt(ss) : 1.0;
  for (int i = 0; i < m; i++) val[i] = val[i] / norm;
  return m;
}

void dm_kmer_embed_rows(const float *onehot, const float *contrib, int l, float sign, int rc, int a,
                        int b, const dm_kmer_opt_t *opt, void *work, dm_kmer_emb_t *out) {
  DM_ASSERT(a >= 0 && b >= a && out->n >= b - a && out->stride >= opt->max_entries);
  emb_layout_t y = emb_layout(opt, l);
  emb_work_t w;
  emb_carve(opt, &y, work, &w);
  for (int r = a; r < b; r++) {
    strand_scores(onehot + (size_t)r * l * 4, contrib + (size_t)r * l * 4, l, sign, rc, w.imp,
                  w.base);
    int n = top_positions(w.imp, l, opt->topn, w.pos);
    int n_keys = distinct_keys(&w, enumerate(opt, &y, &w, n));
    size_t o = (size_t)(r - a) * out->stride;
    out->nnz[r - a] = emit_row(opt, &w, n_keys, out->key + o, out->val + o);
  }
}

// --- inverted index

/* Entries of embeddings in entry order (row by row, strand by strand),
 * then stably sorted by key: the scratch an index is built in. */
typedef struct {
  size_t cap;    /* entries the buffers hold */
  int64_t *key;  /* (cap,) keys in entry order, then sorted */
  int64_t *tkey; /* (cap,) */
  int32_t *idx;  /* (cap,) entry order, then that of the sorted keys */
  int32_t *tidx; /* (cap,) */
  int32_t *ent;  /* (cap,) row * n_strands + strand, in entry order */
  double *val;   /* (cap,) values, in entry order */
} sorted_t;

static void sorted_free(sorted_t *t) {
  free(t->key);
  free(t->tkey);
  free(t->idx);
  free(t->tidx);
  free(t->ent);
  free(t->val);
  memset(t, 0, sizeof *t);
}

/* Fill t with the entries of n_strands embeddings of the same rows and sort
 * them by key; return their number. t's buffers grow, never shrink. */
static size_t sorted_fill(sorted_t *t, const dm_kmer_emb_t *emb, int n_strands) {
  DM_ASSERT(n_strands >= 1 && n_strands <= 2 && (n_strands == 1 || emb[1].n == emb[0].n));
  int n = emb[0].n;
  size_t nnz = 0;
  for (int s = 0; s < n_strands; s++)
    for (int r = 0; r < n; r++) nnz += (size_t)emb[s].nnz[r];
  DM_ASSERT(nnz < INT32_MAX && (int64_t)n * n_strands < INT32_MAX);
  if (nnz > t->cap || !t->key) {
    sorted_free(t);
    size_t c = nnz + 1;
    t->key = dm_malloc("kmer sort", c * sizeof(int64_t));
    t->tkey = dm_malloc("kmer sort", c * sizeof(int64_t));
    t->idx = dm_malloc("kmer sort", c * sizeof(int32_t));
    t->tidx = dm_malloc("kmer sort", c * sizeof(int32_t));
    t->ent = dm_malloc("kmer sort", c * sizeof(int32_t));
    t->val = dm_malloc("kmer sort", c * sizeof(double));
    t->cap = nnz;
  }
  int64_t kmax = 0;
  size_t e = 0;
  for (int r = 0; r < n; r++)
    for (int s = 0; s < n_strands; s++) {
      const int64_t *k = emb[s].key + (size_t)r * emb[s].stride;
      const double *v = emb[s].val + (size_t)r * emb[s].stride;
      for (int i = 0; i < emb[s].nnz[r]; i++, e++) {
        t->key[e] = k[i];
        t->idx[e] = (int32_t)e;
        t->ent[e] = r * n_strands + s;
        t->val[e] = v[i];
        if (k[i] > kmax) kmax = k[i];
      }
    }
  dm_radix_sort(t->key, t->idx, t->tkey, t->tidx, nnz, kmax);
  return nnz;
}

struct dm_kmer_index_s {
  int n;          /* rows indexed */
  int n_strands;  /* strands per row (1 or 2) */
  int64_t n_keys; /* distinct keys */
  int64_t *key;   /* (n_keys,) ascending */
  int32_t *ptr;   /* (n_keys + 1,) entries of key u: ptr[u] .. ptr[u+1] */
  int32_t *ent;   /* (nnz,) row * n_strands + strand, ascending within a key */
  double *val;    /* (nnz,) values */
  size_t cap;     /* entries the buffers hold */
  sorted_t sort;  /* scratch kept between rebuilds (freed by dm_kmer_index_init) */
};

/* (Re)build idx from the embeddings. */
static void index_build(dm_kmer_index_t *idx, const dm_kmer_emb_t *emb, int n_strands) {
  sorted_t *t = &idx->sort;
  size_t nnz = sorted_fill(t, emb, n_strands);
  if (nnz > idx->cap || !idx->key) {
    free(idx->key);
    free(idx->ptr);
    free(idx->ent);
    free(idx->val);
    idx->key = dm_malloc("kmer index keys", (nnz + 1) * sizeof(int64_t));
    idx->ptr = dm_malloc("kmer index ptr", (nnz + 1) * sizeof(int32_t));
    idx->ent = dm_malloc("kmer index entries", (nnz + 1) * sizeof(int32_t));
    idx->val = dm_malloc("kmer index values", (nnz + 1) * sizeof(double));
    idx->cap = nnz;
  }
  idx->n = emb[0].n;
  idx->n_strands = n_strands;
  idx->n_keys = 0;
  for (size_t i = 0; i < nnz; i++) {
    if (i == 0 || t->key[i] != t->key[i - 1]) {
      idx->key[idx->n_keys] = t->key[i];
      idx->ptr[idx->n_keys++] = (int32_t)i;
    }
    idx->ent[i] = t->ent[t->idx[i]];
    idx->val[i] = t->val[t->idx[i]];
  }
  idx->ptr[idx->n_keys] = (int32_t)nnz;
}

dm_kmer_index_t *dm_kmer_index_init(const dm_kmer_emb_t *emb, int n_strands) {
  dm_kmer_index_t *idx = dm_calloc("kmer index", 1, sizeof *idx);
  index_build(idx, emb, n_strands);
  sorted_free(&idx->sort);
  /* give back the room of repeated keys */
  idx->key = dm_realloc("kmer index keys", idx->key, ((size_t)idx->n_keys + 1) * sizeof(int64_t));
  idx->ptr = dm_realloc("kmer index ptr", idx->ptr, ((size_t)idx->n_keys + 1) * sizeof(int32_t));
  idx->cap = 0;
  return idx;
}

dm_kmer_index_t *dm_kmer_index_rebuild(dm_kmer_index_t *idx, const dm_kmer_emb_t *emb, int n_strands) {
  if (!idx) idx = dm_calloc("kmer index", 1, sizeof *idx);
  index_build(idx, emb, n_strands);
  return idx;
}

void dm_kmer_index_rows(const dm_kmer_index_t *idx, int r0, int r1, dm_kmer_emb_t *out) {
  DM_ASSERT(idx->n_strands == 1 && r0 >= 0 && r0 <= r1 && r1 <= idx->n && out->n >= r1 - r0);
  for (int r = r0; r < r1; r++) out->nnz[r - r0] = 0;
  for (int64_t u = 0; u < idx->n_keys; u++) /* keys ascending: each row's come in order */
    for (int32_t p = idx->ptr[u]; p < idx->ptr[u + 1]; p++) {
      int32_t r = idx->ent[p];
      if (r < r0 || r >= r1) continue;
      size_t o = (size_t)(r - r0) * out->stride + (size_t)out->nnz[r - r0]++;
      DM_ASSERT(out->nnz[r - r0] <= out->stride);
      out->key[o] = idx->key[u];
      out->val[o] = idx->val[p];
    }
}

void dm_kmer_index_destroy(dm_kmer_index_t *idx) {
  if (!idx) return;
  sorted_free(&idx->sort);
  free(idx->key);
  free(idx->ptr);
  free(idx->ent);
  free(idx->val);
  free(idx);
}

// --- top-k search

enum { TILE_BYTES = 4 << 20 };

int dm_kmer_tile_rows(int ncol) {
  int64_t r = TILE_BYTES / (2 * (int64_t)sizeof(double) * (ncol > 1 ? ncol : 1));
  return r < 8 ? 8 : r > 512 ? 512 : (int)r;
}

size_t dm_kmer_topk_work_size(int nrow, int ncol) { return ((size_t)nrow + 1) * ncol * 2 * sizeof(double); }

static inline double sim_of(const double *dot, int j) {
  const double *d = dot + 2 * (size_t)j;
  return d[0] > d[1] ? d[0] : d[1];
}

/* Running lists are heaps whose root is the worst entry: smaller
 * similarity, then larger index. */
static inline int worse(double sa, int32_t ia, double sb, int32_t ib) { return sa < sb || (sa == sb && ia > ib); }

/* Put (v, j) in the hole at i and move it up to its place. */
static void list_sift_up(double *s, int32_t *n, int i, double v, int32_t j) {
  while (i > 0 && worse(v, j, s[(i - 1) / 2], n[(i - 1) / 2])) {
    s[i] = s[(i - 1) / 2];
    n[i] = n[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  s[i] = v;
  n[i] = j;
}

/* Put (v, j) in place of the root of a heap of m and restore the heap
 * (Floyd's way: the hole goes down to a leaf along the worse children,
 * then (v, j) climbs back to its place; (v, j) is usually among the
 * deepest, so this takes about half the comparisons of a sift down). */
static void list_replace_root(double *s, int32_t *n, int m, double v, int32_t j) {
  int i = 0;
  for (int c; (c = 2 * i + 1) < m; i = c) {
    if (c + 1 < m && worse(s[c + 1], n[c + 1], s[c], n[c])) c++;
    s[i] = s[c];
    n[i] = n[c];
  }
  list_sift_up(s, n, i, v, j);
}

static void list_push(double *s, int32_t *n, int *m, double v, int32_t j) {
  list_sift_up(s, n, (*m)++, v, j);
}

/* First position >= u of the ascending list key[0..n) whose key is >= x. */
static int64_t gallop(const int64_t *key, int64_t u, int64_t n, int64_t x) {
  int64_t step = 1, lo = u;
  while (lo + step < n && key[lo + step] < x) {
    lo += step;
    step <<= 1;
  }
  int64_t hi = lo + step < n ? lo + step : n;
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (key[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

static void add_dense_portable(double *d, const double *v, size_t w, double x) {
  for (size_t c = 0; c < w; c++) d[c] += x * v[c];
}

#if defined(__GNUC__) && defined(__x86_64__)
#define DM_KMER_HAVE_AVX
/* The same products and sums, 4 at a time (AVX, no fused multiply-add). */
__attribute__((target("avx"))) static void add_dense_avx(double *d, const double *v, size_t w, double x) {
  __m256d xv = _mm256_set1_pd(x);
  size_t c = 0;
  for (; c + 4 <= w; c += 4)
    _mm256_storeu_pd(d + c, _mm256_add_pd(_mm256_loadu_pd(d + c), _mm256_mul_pd(xv, _mm256_loadu_pd(v + c))));
  for (; c < w; c++) d[c] += x * v[c];
}
#endif

typedef void (*add_dense_fn)(double *d, const double *v, size_t w, double x);

/* The dense step's kernel: AVX where asked for and the CPU has it. */
static add_dense_fn add_dense_kernel(int simd) {
#ifdef DM_KMER_HAVE_AVX
  if (simd && __builtin_cpu_supports("avx")) return add_dense_avx;
#else
  (void)simd;
#endif
  return add_dense_portable;
}

void dm_kmer_add_dense(double *d, const double *v, size_t w, double x, int simd) {
  add_dense_kernel(simd)(d, v, w, x);
}

/* dot[r][c][s] = sum over the shared keys, ascending, of the query row's
 * value times column c's (strand s) value. A key with at least a quarter
 * as many column entries as the tile has columns (w) is added as a dense
 * row (scratch dense, w doubles; zeros where a column lacks the key: x * 0
 * adds an exact zero, which leaves every sum as it is, since none is -0):
 * the same sums, streamed instead of scattered. */
static void tile_dots(const dm_kmer_index_t *q, const dm_kmer_index_t *c, double *dot, double *dense) {
  size_t w = 2 * (size_t)c->n;
  add_dense_fn add_dense = add_dense_kernel(1); /* chosen once, not per entry */
  memset(dot, 0, (size_t)q->n * w * sizeof *dot);
  int64_t u = 0;
  for (int64_t i = 0; i < q->n_keys; i++) {
    u = gallop(c->key, u, c->n_keys, q->key[i]);
    if (u == c->n_keys) break;
    if (c->key[u] != q->key[i]) continue;
    const int32_t *ce = c->ent + c->ptr[u];
    const double *cv = c->val + c->ptr[u];
    int32_t m = c->ptr[u + 1] - c->ptr[u];
    if ((size_t)m * 4 >= w && q->ptr[i + 1] - q->ptr[i] > 1) {
      memset(dense, 0, w * sizeof *dense);
      for (int32_t j = 0; j < m; j++) dense[ce[j]] = cv[j];
      for (int32_t p = q->ptr[i]; p < q->ptr[i + 1]; p++)
        add_dense(dot + (size_t)q->ent[p] * w, dense, w, q->val[p]);
      continue;
    }
    for (int32_t p = q->ptr[i]; p < q->ptr[i + 1]; p++) {
      double x = q->val[p];
      double *d = dot + (size_t)q->ent[p] * w;
      for (int32_t j = 0; j < m; j++) d[ce[j]] += x * cv[j];
    }
  }
}

void dm_kmer_topk_merge(const dm_kmer_index_t *q, const dm_kmer_index_t *cols, int64_t col0, int k,
                        void *work, int32_t *nbr, double *sim, int32_t *cnt) {
  int ncol = cols->n;
  DM_ASSERT(k >= 1 && col0 >= 0 && col0 + ncol <= INT32_MAX);
  double *dot = work;
  tile_dots(q, cols, dot, dot + (size_t)q->n * ncol * 2);
  for (int i = 0; i < q->n; i++, dot += (size_t)ncol * 2) {
    double *hs = sim + (size_t)i * k;
    int32_t *hn = nbr + (size_t)i * k;
    int m = cnt[i], j = 0;
    for (; m < k && j < ncol; j++) list_push(hs, hn, &m, sim_of(dot, j), (int32_t)(col0 + j));
    /* a full list takes only a strictly larger value: its columns have smaller indices */
    for (double floor = hs[0]; j < ncol; j++)
      if (sim_of(dot, j) > floor) {
        list_replace_root(hs, hn, k, sim_of(dot, j), (int32_t)(col0 + j));
        floor = hs[0];
      }
    cnt[i] = m;
  }
}

void dm_kmer_topk_finish(int rows, int k, const int32_t *cnt, int32_t *nbr, double *sim) {
  for (int i = 0; i < rows; i++) {
    double *hs = sim + (size_t)i * k;
    int32_t *hn = nbr + (size_t)i * k;
    for (int h = cnt[i] - 1; h > 0; h--) { /* heap sort: the worst goes last */
      double v = hs[h];
      int32_t j = hn[h];
      hs[h] = hs[0];
      hn[h] = hn[0];
      list_replace_root(hs, hn, h, v, j);
    }
  }
}

void dm_kmer_topk(const dm_kmer_emb_t *fwd, const dm_kmer_index_t *cols, int a, int b, int k, int32_t *nbr,
                  double *sim) {
  DM_ASSERT(cols->n == fwd->n && k <= fwd->n && a >= 0 && b >= a && b <= fwd->n);
  int tile = dm_kmer_tile_rows(cols->n);
  void *work = dm_malloc("top-k work", dm_kmer_topk_work_size(tile, cols->n) + 8);
  int32_t *cnt = dm_calloc("top-k counts", (size_t)tile + 1, sizeof *cnt);
  for (int r0 = a; r0 < b; r0 += tile) {
    int r1 = r0 + tile < b ? r0 + tile : b;
    dm_kmer_emb_t rows = {r1 - r0, fwd->stride, fwd->key + (size_t)r0 * fwd->stride,
                          fwd->val + (size_t)r0 * fwd->stride, fwd->nnz + r0};
    dm_kmer_index_t *q = dm_kmer_index_init(&rows, 1);
    memset(cnt, 0, (size_t)tile * sizeof *cnt);
    dm_kmer_topk_merge(q, cols, 0, k, work, nbr + (size_t)(r0 - a) * k, sim + (size_t)(r0 - a) * k, cnt);
    dm_kmer_topk_finish(r1 - r0, k, cnt, nbr + (size_t)(r0 - a) * k, sim + (size_t)(r0 - a) * k);
    dm_kmer_index_destroy(q);
  }
  free(cnt);
  free(work);
}
