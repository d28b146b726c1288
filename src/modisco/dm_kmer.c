/* dm_kmer: gapped k-mer embeddings and coarse top-k similarity (see dm_kmer.h). */
#include "dm_kmer.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_statistics_double.h>

#include "dm_mem.h"

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

// --- bounded heap of the best entries (root: the worst kept)

/* 1 if entry a ranks before entry b. */
typedef int (*better_fn)(const void *ctx, int32_t a, int32_t b);

static void heap_sift_down(int32_t *h, int n, int i, better_fn better, const void *ctx) {
  for (;;) {
    int c = 2 * i + 1;
    if (c >= n) return;
    if (c + 1 < n && better(ctx, h[c], h[c + 1])) c++;
    if (!better(ctx, h[i], h[c])) return;
    int32_t t = h[i];
    h[i] = h[c];
    h[c] = t;
    i = c;
  }
}

/* Offer entry e to a heap of at most cap entries, *m of them used. */
static void heap_offer(int32_t *h, int *m, int cap, int32_t e, better_fn better, const void *ctx) {
  if (*m < cap) {
    h[(*m)++] = e;
    if (*m == cap)
      for (int i = cap / 2 - 1; i >= 0; i--) heap_sift_down(h, cap, i, better, ctx);
  } else if (better(ctx, e, h[0])) {
    h[0] = e;
    heap_sift_down(h, cap, 0, better, ctx);
  }
}

// --- embedding scratch layout

typedef struct {
  size_t level_cap; /* k-mers of one length, all starts */
  size_t distinct;  /* distinct keys of length min_k..max_k */
  size_t slots;     /* hash table size, a power of 2 >= 2 distinct */
  int l;
} emb_layout_t;

typedef struct {
  int64_t key; /* -1: empty slot */
  double val;
} kv_t;

typedef struct {
  float *imp;        /* (L,) importance per position */
  int *base;         /* (L,) base per position */
  int *pos;          /* (topn,) chosen positions, ascending */
  int *lo[2], *hi[2];/* (topn,) list of k-mers starting at each position */
  int *last[2];      /* (level_cap,) index of the last letter */
  double *attr[2];   /* (level_cap,) sum of importances */
  int64_t *hash[2];  /* (level_cap,) key so far */
  kv_t *table;       /* (slots,) hash table: key and summed value */
  int *order;        /* (distinct,) slots in insertion order */
  double *mag;       /* (distinct,) |value| scratch of the selection */
  kv_t *kv;          /* (max_entries,) selected keys and values */
} emb_work_t;

static double binom(int n, int k) {
  if (k < 0 || k > n) return 0.0;
  double r = 1.0;
  for (int i = 1; i <= k; i++) r = r * (n - k + i) / i;
  return r;
}

static emb_layout_t emb_layout(const dm_kmer_opt_t *opt, int l) {
  emb_layout_t y = {0, 0, 1, l};
  int n = opt->topn < l ? opt->topn : l;
  int w = opt->max_len - 1 < n - 1 ? opt->max_len - 1 : n - 1; /* letters after the first */
  for (int k = 1; k <= opt->max_k; k++) {
    size_t c = (size_t)(n * binom(w, k - 1) + 0.5);
    if (c > y.level_cap) y.level_cap = c;
    if (k >= opt->min_k) y.distinct += c;
  }
  if (y.level_cap == 0) y.level_cap = 1;
  if (y.distinct == 0) y.distinct = 1;
  while (y.slots < 2 * y.distinct) y.slots <<= 1;
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
  }
  CARVE(w->table, kv_t, y->slots);
  CARVE(w->order, int, y->distinct);
  CARVE(w->mag, double, y->distinct);
  CARVE(w->kv, kv_t, (size_t)opt->max_entries);
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

static inline size_t slot_of(int64_t key, size_t mask) {
  return (size_t)(((uint64_t)key * 0x9E3779B97F4A7C15ull) >> 20) & mask;
}

/* Add v to key's entry, creating it (in insertion order) if new. */
static void table_add(emb_work_t *w, size_t mask, int *n_keys, int64_t key, double v) {
  size_t s = slot_of(key, mask);
  kv_t *e = &w->table[s];
  while (e->key != -1 && e->key != key) e = &w->table[s = (s + 1) & mask];
  if (e->key == -1) {
    *e = (kv_t){key, 0.0};
    w->order[(*n_keys)++] = (int)s;
  }
  e->val = e->val + v;
}

/* Enumerate the gapped k-mers of the chosen positions into the table. */
static int enumerate(const dm_kmer_opt_t *opt, const emb_layout_t *y, emb_work_t *w, int n) {
  const int *pos = w->pos;
  size_t mask = y->slots - 1;
  int n_keys = 0;
  for (int j = 0; j < n; j++) { /* length 1: each position alone */
    w->lo[0][j] = j;
    w->hi[0][j] = j + 1;
    w->last[0][j] = j;
    w->attr[0][j] = (double)w->imp[pos[j]];
    w->hash[0][j] = w->base[pos[j]] + 1;
    if (opt->min_k <= 1) table_add(w, mask, &n_keys, w->hash[0][j], w->attr[0][j]);
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
          assert(m < y->level_cap);
          w->last[nxt][m] = i;
          w->attr[nxt][m] = w->attr[cur][g] + ai;
          w->hash[nxt][m] = w->hash[cur][g] + add;
          if (k >= opt->min_k) table_add(w, mask, &n_keys, w->hash[nxt][m], w->attr[nxt][m] / k);
          m++;
        }
      }
      w->hi[nxt][j] = (int)m;
    }
    cur = nxt;
  }
  return n_keys;
}

static int cmp_kv_key(const void *pa, const void *pb) {
  int64_t a = ((const kv_t *)pa)->key, b = ((const kv_t *)pb)->key;
  return (a > b) - (a < b);
}

/* Keep the max_entries best keys, ranked by larger |value|, then earlier
 * insertion; write them sorted by key, L2-normalised. The max_entries-th
 * largest |value| t is selected in linear time; the keys above t are kept,
 * and of those equal to t the first inserted. */
static int emit_row(const dm_kmer_opt_t *opt, emb_work_t *w, int n_keys, int64_t *key,
                    double *val) {
  const kv_t *tab = w->table;
  kv_t *kv = w->kv;
  int m = 0, take = opt->max_entries;
  double t = 0.0;
  if (n_keys > take) {
    for (int r = 0; r < n_keys; r++) w->mag[r] = fabs(tab[w->order[r]].val);
    t = gsl_stats_select(w->mag, 1, (size_t)n_keys, (size_t)(n_keys - take));
    for (int r = 0; r < n_keys; r++) take -= fabs(tab[w->order[r]].val) > t;
  }
  for (int r = 0; r < n_keys; r++) { /* take = ties at t still to keep */
    const kv_t *e = &tab[w->order[r]];
    double a = fabs(e->val);
    if (n_keys <= opt->max_entries || a > t || (a == t && take-- > 0)) kv[m++] = *e;
  }
  qsort(kv, (size_t)m, sizeof *kv, cmp_kv_key); /* keys are distinct */
  double ss = 0.0;
  for (int i = 0; i < m; i++) ss += kv[i].val * kv[i].val;
  double norm = ss > 0.0 ? sqrt(ss) : 1.0;
  for (int i = 0; i < m; i++) {
    key[i] = kv[i].key;
    val[i] = kv[i].val / norm;
  }
  for (int r = 0; r < n_keys; r++) w->table[w->order[r]].key = -1; /* clear the table */
  return m;
}

void dm_kmer_embed_rows(const float *onehot, const float *contrib, int l, float sign, int rc, int a,
                        int b, const dm_kmer_opt_t *opt, void *work, dm_kmer_emb_t *out) {
  DM_ASSERT(a >= 0 && b >= a && out->n >= b - a && out->stride >= opt->max_entries);
  emb_layout_t y = emb_layout(opt, l);
  emb_work_t w;
  emb_carve(opt, &y, work, &w);
  for (size_t s = 0; s < y.slots; s++) w.table[s].key = -1;
  for (int r = a; r < b; r++) {
    strand_scores(onehot + (size_t)r * l * 4, contrib + (size_t)r * l * 4, l, sign, rc, w.imp,
                  w.base);
    int n = top_positions(w.imp, l, opt->topn, w.pos);
    int n_keys = enumerate(opt, &y, &w, n);
    size_t o = (size_t)(r - a) * out->stride;
    out->nnz[r - a] = emit_row(opt, &w, n_keys, out->key + o, out->val + o);
  }
}

// --- inverted index

struct dm_kmer_index_s {
  int n;          /* rows indexed */
  int64_t n_keys; /* distinct keys */
  int64_t *key;   /* (n_keys,) ascending */
  int64_t *ptr;   /* (n_keys + 1,) postings of key u: ptr[u] .. ptr[u+1] */
  int32_t *row;   /* (nnz,) rows, ascending within a key */
  double *val;    /* (nnz,) values */
};

dm_kmer_index_t *dm_kmer_index_init(const dm_kmer_emb_t *emb) {
  size_t nnz = 0;
  int64_t kmax = 0;
  for (int r = 0; r < emb->n; r++) {
    nnz += (size_t)emb->nnz[r];
    for (int i = 0; i < emb->nnz[r]; i++)
      if (emb->key[(size_t)r * emb->stride + i] > kmax) kmax = emb->key[(size_t)r * emb->stride + i];
  }
  /* (key, entry) pairs in row order, stably radix-sorted by key */
  int64_t *k0 = dm_malloc("kmer index keys", (nnz + 1) * sizeof(int64_t));
  int64_t *k1 = dm_malloc("kmer index keys", (nnz + 1) * sizeof(int64_t));
  int32_t *r0 = dm_malloc("kmer index rows", (nnz + 1) * sizeof(int32_t));
  int32_t *r1 = dm_malloc("kmer index rows", (nnz + 1) * sizeof(int32_t));
  double *v0 = dm_malloc("kmer index values", (nnz + 1) * sizeof(double));
  double *v1 = dm_malloc("kmer index values", (nnz + 1) * sizeof(double));
  size_t e = 0;
  for (int r = 0; r < emb->n; r++)
    for (int i = 0; i < emb->nnz[r]; i++, e++) {
      k0[e] = emb->key[(size_t)r * emb->stride + i];
      r0[e] = r;
      v0[e] = emb->val[(size_t)r * emb->stride + i];
    }
  enum { BITS = 11, RADIX = 1 << BITS };
  size_t *count = dm_malloc("kmer index radix", RADIX * sizeof(size_t));
  for (int shift = 0; shift < 64 && (kmax >> shift) > 0; shift += BITS) {
    memset(count, 0, RADIX * sizeof(size_t));
    for (size_t i = 0; i < nnz; i++) count[(k0[i] >> shift) & (RADIX - 1)]++;
    size_t sum = 0;
    for (int d = 0; d < RADIX; d++) {
      size_t c = count[d];
      count[d] = sum;
      sum += c;
    }
    for (size_t i = 0; i < nnz; i++) {
      size_t p = count[(k0[i] >> shift) & (RADIX - 1)]++;
      k1[p] = k0[i];
      r1[p] = r0[i];
      v1[p] = v0[i];
    }
    int64_t *tk = k0;
    k0 = k1;
    k1 = tk;
    int32_t *tr = r0;
    r0 = r1;
    r1 = tr;
    double *tv = v0;
    v0 = v1;
    v1 = tv;
  }
  free(count);
  free(r1);
  free(v1);
  dm_kmer_index_t *idx = dm_malloc("kmer index", sizeof *idx);
  idx->n = emb->n;
  idx->n_keys = 0;
  idx->ptr = dm_malloc("kmer index ptr", (nnz + 1) * sizeof(int64_t));
  for (size_t i = 0; i < nnz; i++)
    if (i == 0 || k0[i] != k0[i - 1]) {
      k1[idx->n_keys] = k0[i];
      idx->ptr[idx->n_keys++] = (int64_t)i;
    }
  idx->ptr[idx->n_keys] = (int64_t)nnz;
  free(k0);
  /* give back the room of repeated keys */
  idx->ptr = dm_realloc("kmer index ptr", idx->ptr, ((size_t)idx->n_keys + 1) * sizeof(int64_t));
  idx->key = dm_realloc("kmer index keys", k1, ((size_t)idx->n_keys + 1) * sizeof(int64_t));
  idx->row = r0;
  idx->val = v0;
  return idx;
}

void dm_kmer_index_destroy(dm_kmer_index_t *idx) {
  if (!idx) return;
  free(idx->key);
  free(idx->ptr);
  free(idx->row);
  free(idx->val);
  free(idx);
}

// --- queries

struct dm_kmer_query_s {
  int n;           /* query rows */
  int64_t *ptr;    /* (n + 1,) entries of row r: ptr[r] .. ptr[r+1], in key order */
  int32_t *qk;     /* (nnz,) position of the entry's key in keys */
  double *val;     /* (nnz,) values */
  int64_t n_keys;  /* distinct keys of all rows */
  int64_t *keys;   /* (n_keys,) ascending */
  int32_t *map[2]; /* (n_keys,) position of each key in the current block's forward / reverse
                      index, -1 if absent */
};

dm_kmer_query_t *dm_kmer_query_init(const dm_kmer_emb_t *emb) {
  dm_kmer_index_t *idx = dm_kmer_index_init(emb);
  DM_ASSERT(idx->n_keys < INT32_MAX);
  dm_kmer_query_t *q = dm_malloc("kmer query", sizeof *q);
  q->n = emb->n;
  q->n_keys = idx->n_keys;
  q->keys = idx->key;
  idx->key = NULL;
  q->ptr = dm_malloc("kmer query ptr", ((size_t)q->n + 1) * sizeof *q->ptr);
  q->ptr[0] = 0;
  for (int r = 0; r < q->n; r++) q->ptr[r + 1] = q->ptr[r] + emb->nnz[r];
  size_t nnz = (size_t)q->ptr[q->n];
  q->qk = dm_malloc("kmer query keys", (nnz + 1) * sizeof *q->qk);
  q->val = dm_malloc("kmer query values", (nnz + 1) * sizeof *q->val);
  /* the postings, keys ascending, append to each row its entries in key order */
  int64_t *fill = dm_malloc("kmer query fill", ((size_t)q->n + 1) * sizeof *fill);
  memcpy(fill, q->ptr, (size_t)q->n * sizeof *fill);
  for (int64_t u = 0; u < idx->n_keys; u++)
    for (int64_t p = idx->ptr[u]; p < idx->ptr[u + 1]; p++) {
      int64_t e = fill[idx->row[p]]++;
      q->qk[e] = (int32_t)u;
      q->val[e] = idx->val[p];
    }
  free(fill);
  dm_kmer_index_destroy(idx);
  for (int s = 0; s < 2; s++)
    q->map[s] = dm_malloc("kmer query map", ((size_t)q->n_keys + 1) * sizeof(int32_t));
  return q;
}

void dm_kmer_query_destroy(dm_kmer_query_t *q) {
  if (!q) return;
  free(q->ptr);
  free(q->qk);
  free(q->val);
  free(q->keys);
  free(q->map[0]);
  free(q->map[1]);
  free(q);
}

/* map[i] = position of the query's key i in idx, or -1: one merge of the
 * two ascending key lists. */
static void map_keys(const dm_kmer_query_t *q, const dm_kmer_index_t *idx, int32_t *map) {
  DM_ASSERT(idx->n_keys < INT32_MAX);
  int64_t u = 0;
  for (int64_t i = 0; i < q->n_keys; i++) {
    while (u < idx->n_keys && idx->key[u] < q->keys[i]) u++;
    map[i] = u < idx->n_keys && idx->key[u] == q->keys[i] ? (int32_t)u : -1;
  }
}

// --- top-k search

typedef struct {
  double *dot;   /* (C, 2) dot products with the forward / reverse embedding of every column */
  int32_t *heap; /* (k,) */
  int32_t *mnbr; /* (k,) merged list */
  double *msim;  /* (k,) */
} topk_work_t;

static size_t topk_carve(int ncol, int k, char *base, topk_work_t *w) {
  topk_work_t dummy;
  if (!w) w = &dummy;
  size_t off = 0;
  w->dot = (double *)(void *)base;
  off += (size_t)ncol * 2 * sizeof(double);
  w->msim = (double *)(void *)(base + off);
  off += (size_t)k * sizeof(double);
  w->heap = (int32_t *)(void *)(base + off);
  off += (size_t)k * sizeof(int32_t);
  w->mnbr = (int32_t *)(void *)(base + off);
  return off + (size_t)k * sizeof(int32_t);
}

size_t dm_kmer_topk_work_size(int ncol, int k) { return topk_carve(ncol, k, NULL, NULL); }

static inline double sim_of(const topk_work_t *w, int j) {
  const double *d = w->dot + 2 * (size_t)j;
  return d[0] > d[1] ? d[0] : d[1];
}

/* i ranks before j: larger similarity, then smaller index. */
static int nb_better(const void *ctx, int32_t i, int32_t j) {
  const topk_work_t *w = ctx;
  double si = sim_of(w, i), sj = sim_of(w, j);
  return si > sj || (si == sj && i < j);
}

/* dot[j][strand] += x . (indexed row j), over the query row's m entries
 * (key positions qk, values val) in key order. */
static void accumulate(const dm_kmer_index_t *idx, const int32_t *map, const int32_t *qk, const double *val,
                       int64_t m, double *dot) {
  for (int64_t i = 0; i < m; i++) {
    int32_t u = map[qk[i]];
    if (u < 0) continue;
    for (int64_t p = idx->ptr[u]; p < idx->ptr[u + 1]; p++)
      dot[2 * (size_t)idx->row[p]] += val[i] * idx->val[p];
  }
}

/* The best min(k, C) columns of the block whose value exceeds floor (all
 * if full is 0) in w->heap, best first: with a full list of k whose worst
 * value is floor, no other column can enter it (its index is larger). */
static int block_best(topk_work_t *w, int ncol, int k, int full, double floor) {
  int m = 0; /* j rises, so a full heap only takes a strictly larger value */
  for (int j = 0; j < ncol; j++)
    if ((!full || sim_of(w, j) > floor) && (m < k || sim_of(w, j) > sim_of(w, w->heap[0])))
      heap_offer(w->heap, &m, k, j, nb_better, w);
  if (m < k) /* never filled: not yet a heap */
    for (int i = m / 2 - 1; i >= 0; i--) heap_sift_down(w->heap, m, i, nb_better, w);
  for (int h = m - 1; h > 0; h--) { /* heap sort; the worst goes last */
    int32_t t = w->heap[0];
    w->heap[0] = w->heap[h];
    w->heap[h] = t;
    heap_sift_down(w->heap, h, 0, nb_better, w);
  }
  return m;
}

void dm_kmer_topk_merge(dm_kmer_query_t *q, const dm_kmer_index_t *ifwd, const dm_kmer_index_t *irc,
                        int64_t col0, int k, void *work, int32_t *nbr, double *sim, int32_t *cnt) {
  int ncol = ifwd->n;
  DM_ASSERT(irc->n == ncol && k >= 1 && col0 >= 0 && col0 + ncol <= INT32_MAX);
  topk_work_t w;
  topk_carve(ncol, k, work, &w);
  map_keys(q, ifwd, q->map[0]);
  map_keys(q, irc, q->map[1]);
  for (int i = 0; i < q->n; i++) {
    const int32_t *qk = q->qk + q->ptr[i];
    const double *val = q->val + q->ptr[i];
    int64_t m = q->ptr[i + 1] - q->ptr[i];
    memset(w.dot, 0, (size_t)ncol * 2 * sizeof(double));
    accumulate(ifwd, q->map[0], qk, val, m, w.dot);
    accumulate(irc, q->map[1], qk, val, m, w.dot + 1);
    int32_t *rn = nbr + (size_t)i * k;
    double *rs = sim + (size_t)i * k;
    int have = cnt[i], p = 0, t = 0, o = 0;
    int nb = block_best(&w, ncol, k, have == k, have == k ? rs[k - 1] : 0.0);
    if (nb == 0) continue;
    /* merge with the list so far: its columns precede col0, so they win ties */
    while (o < k && (p < have || t < nb)) {
      if (t == nb || (p < have && !(sim_of(&w, w.heap[t]) > rs[p]))) {
        w.mnbr[o] = rn[p];
        w.msim[o++] = rs[p++];
      } else {
        w.mnbr[o] = (int32_t)(col0 + w.heap[t]);
        w.msim[o++] = sim_of(&w, w.heap[t++]);
      }
    }
    memcpy(rn, w.mnbr, (size_t)o * sizeof *rn);
    memcpy(rs, w.msim, (size_t)o * sizeof *rs);
    cnt[i] = o;
  }
}

void dm_kmer_topk(const dm_kmer_emb_t *fwd, const dm_kmer_index_t *ifwd, const dm_kmer_index_t *irc, int a,
                  int b, int k, void *work, int32_t *nbr, double *sim) {
  DM_ASSERT(ifwd->n == fwd->n && k <= fwd->n && a >= 0 && b >= a && b <= fwd->n);
  dm_kmer_emb_t rows = {b - a, fwd->stride, fwd->key + (size_t)a * fwd->stride,
                        fwd->val + (size_t)a * fwd->stride, fwd->nnz + a};
  dm_kmer_query_t *q = dm_kmer_query_init(&rows);
  int32_t *cnt = dm_calloc("top-k counts", (size_t)(b - a) + 1, sizeof *cnt);
  dm_kmer_topk_merge(q, ifwd, irc, 0, k, work, nbr, sim, cnt);
  free(cnt);
  dm_kmer_query_destroy(q);
}
