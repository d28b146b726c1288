/* test_kmer: gapped k-mer embeddings against a brute-force subset
 * enumeration, and coarse top-k against a dense brute force; results must
 * not depend on how rows are split into blocks. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "affinity_ref.h"
#include "dm_kmer.h"
#include "dm_test.h"

// --- brute-force embedding

typedef struct {
  int64_t key;
  double val;
} kv_t;

static int cmp_key(const void *a, const void *b) {
  int64_t x = ((const kv_t *)a)->key, y = ((const kv_t *)b)->key;
  return (x > y) - (x < y);
}

static int cmp_absval(const void *a, const void *b) {
  double x = fabs(((const kv_t *)a)->val), y = fabs(((const kv_t *)b)->val);
  return (x < y) - (x > y);
}

/* imp/base of the forward strand of an explicit sequence; every subset of the
 * top positions checked against the k-mer rules. */
static int brute_embed(const float *onehot, const float *contrib, int l, float sign, const dm_kmer_opt_t *o,
                       kv_t *out) {
  float imp[64];
  int base[64], idx[64];
  for (int t = 0; t < l; t++) {
    imp[t] = 0;
    base[t] = 0;
    float best = -1;
    for (int c = 0; c < 4; c++) {
      imp[t] += contrib[t * 4 + c] * sign;
      if (onehot[t * 4 + c] > best) best = onehot[t * 4 + c], base[t] = c;
    }
    idx[t] = t;
  }
  for (int i = 0; i < l; i++) /* selection sort: imp desc, position asc */
    for (int j = i + 1; j < l; j++)
      if (imp[idx[j]] > imp[idx[i]] || (imp[idx[j]] == imp[idx[i]] && idx[j] < idx[i])) {
        int t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
      }
  int n = o->topn < l ? o->topn : l, pos[64];
  for (int i = 0; i < n; i++) pos[i] = idx[i];
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++)
      if (pos[j] < pos[i]) {
        int t = pos[i];
        pos[i] = pos[j];
        pos[j] = t;
      }
  int m = 0;
  for (uint32_t mask = 1; mask < (1u << n); mask++) {
    int k = __builtin_popcount(mask);
    if (k < o->min_k || k > o->max_k) continue;
    int first = -1, prev = -1, ok = 1;
    int64_t key = 0;
    double sum = 0;
    for (int i = 0; i < n && ok; i++) {
      if (!(mask >> i & 1)) continue;
      if (first < 0) first = pos[i];
      if (prev >= 0 && pos[i] - prev > o->max_gap) ok = 0;
      if (pos[i] - first >= o->max_len) ok = 0;
      int64_t p5 = 1;
      for (int e = 0; e < pos[i] - first; e++) p5 *= 5;
      key += (base[pos[i]] + 1) * p5;
      sum += imp[pos[i]];
      prev = pos[i];
    }
    if (!ok) continue;
    int f = 0;
    while (f < m && out[f].key != key) f++;
    if (f == m) out[m++] = (kv_t){key, 0.0};
    out[f].val += sum / k;
  }
  qsort(out, m, sizeof(kv_t), cmp_absval);
  if (m > o->max_entries) m = o->max_entries;
  qsort(out, m, sizeof(kv_t), cmp_key);
  double ss = 0;
  for (int i = 0; i < m; i++) ss += out[i].val * out[i].val;
  for (int i = 0; i < m && ss > 0; i++) out[i].val /= sqrt(ss);
  return m;
}

static void emb_alloc(dm_kmer_emb_t *e, int n, int stride) {
  e->n = n;
  e->stride = stride;
  e->key = calloc((size_t)n * stride, sizeof(int64_t));
  e->val = calloc((size_t)n * stride, sizeof(double));
  e->nnz = calloc((size_t)n, sizeof(int32_t));
}

static void emb_free(dm_kmer_emb_t *e) {
  free(e->key);
  free(e->val);
  free(e->nnz);
}

static void test_embed_brute_force(void) {
  enum { N = 12, L = 14 };
  float onehot[N * L * 4], contrib[N * L * 4], roh[L * 4], rco[L * 4];
  make_seqlets(N, L, onehot, contrib, 5);
  dm_kmer_opt_t o;
  dm_kmer_opt_init(&o);
  o.topn = 10;
  o.min_k = 3;
  o.max_k = 5;
  o.max_gap = 3;
  o.max_len = 8;
  for (int variant = 0; variant < 2; variant++) {
    o.max_entries = variant ? 25 : 5000; /* all k-mers, or truncated by |value| */
    CHECK(dm_kmer_opt_check(&o) == 0, "options");
    void *work = malloc(dm_kmer_embed_work_size(&o, L));
    dm_kmer_emb_t f, r;
    emb_alloc(&f, N, o.max_entries);
    emb_alloc(&r, N, o.max_entries);
    dm_kmer_embed_rows(onehot, contrib, L, -1.0f, 0, 0, N, &o, work, &f);
    dm_kmer_embed_rows(onehot, contrib, L, -1.0f, 1, 0, N, &o, work, &r);
    kv_t *ref = malloc(5000 * sizeof(kv_t));
    for (int s = 0; s < N; s++) {
      const float *oh = onehot + (size_t)s * L * 4, *co = contrib + (size_t)s * L * 4;
      for (int strand = 0; strand < 2; strand++) {
        if (strand) /* explicit reverse complement of the seqlet */
          for (int t = 0; t < L; t++)
            for (int c = 0; c < 4; c++) {
              roh[t * 4 + c] = oh[(L - 1 - t) * 4 + 3 - c];
              rco[t * 4 + c] = co[(L - 1 - t) * 4 + 3 - c];
            }
        int m = brute_embed(strand ? roh : oh, strand ? rco : co, L, -1.0f, &o, ref);
        const dm_kmer_emb_t *e = strand ? &r : &f;
        CHECK(e->nnz[s] == m, "seqlet %d strand %d: %d k-mers, brute force %d", s, strand, e->nnz[s], m);
        /* the zero seqlet ties everywhere: truncation order is lite's
         * enumeration order, which the brute force does not model */
        int same = e->nnz[s] == m, ties = s == 5 && variant == 1;
        for (int i = 0; i < m && same && !ties; i++) {
          same = e->key[(size_t)s * e->stride + i] == ref[i].key &&
                 fabs(e->val[(size_t)s * e->stride + i] - ref[i].val) < 1e-12;
        }
        CHECK(same, "seqlet %d strand %d (max_entries %d): k-mers differ", s, strand, o.max_entries);
      }
    }
    /* a row's k-mer values are L2-normalised (the zero row stays zero) */
    double ss = 0;
    for (int i = 0; i < f.nnz[0]; i++) ss += f.val[i] * f.val[i];
    CLOSE(ss, 1.0, 1e-12);
    free(ref);
    free(work);
    emb_free(&f);
    emb_free(&r);
  }
}

/* Ties at the cut: a seqlet of zero importance has all its k-mers at 0, and
 * the max_entries kept are the first enumerated, in lite's order (first
 * letter, then last letter, then the letters between, each ascending). */
static void test_embed_ties(void) {
  enum { N = 6, L = 14, ZERO = 4, KEEP = 25 };
  float onehot[N * L * 4], contrib[N * L * 4];
  make_seqlets(N, L, onehot, contrib, ZERO);
  dm_kmer_opt_t o;
  dm_kmer_opt_init(&o);
  o.topn = 10; /* positions 0..9: equal importance, smaller position first */
  o.min_k = o.max_k = 3;
  o.max_gap = 3;
  o.max_len = 8;
  o.max_entries = KEEP;
  CHECK(dm_kmer_opt_check(&o) == 0, "options");
  void *work = malloc(dm_kmer_embed_work_size(&o, L));
  dm_kmer_emb_t f;
  emb_alloc(&f, N, o.max_entries);
  dm_kmer_embed_rows(onehot, contrib, L, 1.0f, 0, 0, N, &o, work, &f);
  int base[L];
  for (int t = 0; t < L; t++)
    for (int c = 0; c < 4; c++)
      if (onehot[((size_t)ZERO * L + t) * 4 + c] > 0.5f) base[t] = c;
  int64_t first[KEEP];
  int m = 0, total = 0;
  for (int j = 0; j < o.topn; j++)
    for (int i = j + 2; i < o.topn && i - j < o.max_len; i++)
      for (int h = j + 1; h < i; h++) {
        if (h - j > o.max_gap || i - h > o.max_gap) continue;
        int64_t key = base[j] + 1, p5 = 1;
        for (int e = 0; e < i - j; e++) {
          p5 *= 5;
          if (e + 1 == h - j) key += (base[h] + 1) * p5;
          if (e + 1 == i - j) key += (base[i] + 1) * p5;
        }
        int seen = 0;
        for (int q = 0; q < m; q++) seen |= first[q] == key;
        total++;
        if (!seen && m < KEEP) first[m++] = key;
      }
  CHECK(total > KEEP && m == KEEP, "the zero seqlet has more k-mers (%d) than room (%d)", total, KEEP);
  int same = f.nnz[ZERO] == KEEP;
  for (int q = 0; q < KEEP && same; q++) {
    int found = 0;
    for (int i = 0; i < KEEP; i++) found |= f.key[(size_t)ZERO * f.stride + i] == first[q];
    same = found && f.val[(size_t)ZERO * f.stride + q] == 0.0;
  }
  CHECK(same, "zero seqlet: the kept k-mers are not the %d enumerated first", KEEP);
  free(work);
  emb_free(&f);
}

/* The dense step: AVX and portable C give each sum as d + x * v, a
 * product then a sum, for every length and alignment of the tail. */
static void test_add_dense(void) {
  enum { W = 37 };
  double v[W], d0[W], d[W];
  int bad = 0, checks = 0;
  for (int w = 0; w <= W; w++)
    for (int simd = 0; simd < 2; simd++) {
      double x = 2.0 * urand() - 1.0;
      for (int c = 0; c < W; c++) {
        v[c] = urand() < 0.3 ? 0.0 : 2.0 * urand() - 1.0;
        d0[c] = d[c] = 2.0 * urand() - 1.0;
      }
      dm_kmer_add_dense(d, v, (size_t)w, x, simd);
      for (int c = 0; c < W; c++, checks++) {
        volatile double p = x * v[c]; /* a rounded product, whatever the compiler's contraction */
        double want = c < w ? d0[c] + p : d0[c];
        bad += memcmp(&d[c], &want, sizeof want) != 0;
      }
    }
  CHECK(checks == 2 * (W + 1) * W && bad == 0, "dense step: %d of %d sums differ from d + x * v", bad,
        checks);
}

// --- top-k against a dense brute force

static double sparse_dot(const dm_kmer_emb_t *x, int i, const dm_kmer_emb_t *y, int j) {
  const int64_t *a = x->key + (size_t)i * x->stride, *b = y->key + (size_t)j * y->stride;
  const double *va = x->val + (size_t)i * x->stride, *vb = y->val + (size_t)j * y->stride;
  int p = 0, q = 0;
  double d = 0.0;
  while (p < x->nnz[i] && q < y->nnz[j]) {
    if (a[p] == b[q])
      d += va[p++] * vb[q++];
    else if (a[p] < b[q])
      p++;
    else
      q++;
  }
  return d;
}

static void test_topk(void) {
  enum { N = 90, L = 41, K = 25 };
  float *onehot = malloc(sizeof(float) * N * L * 4), *contrib = malloc(sizeof(float) * N * L * 4);
  make_seqlets(N, L, onehot, contrib, 7);
  dm_kmer_opt_t o;
  dm_kmer_opt_init(&o);
  void *work = malloc(dm_kmer_embed_work_size(&o, L));
  dm_kmer_emb_t f, r;
  emb_alloc(&f, N, o.max_entries);
  emb_alloc(&r, N, o.max_entries);
  dm_kmer_embed_rows(onehot, contrib, L, 1.0f, 0, 0, N, &o, work, &f);
  dm_kmer_embed_rows(onehot, contrib, L, 1.0f, 1, 0, N, &o, work, &r);

  /* embedding rows do not depend on the block split */
  dm_kmer_emb_t f2;
  emb_alloc(&f2, N, o.max_entries);
  for (int a = 0; a < N; a += 31) {
    int b = a + 31 < N ? a + 31 : N;
    dm_kmer_emb_t v = {b - a, f2.stride, f2.key + (size_t)a * f2.stride, f2.val + (size_t)a * f2.stride,
                       f2.nnz + a};
    dm_kmer_embed_rows(onehot, contrib, L, 1.0f, 0, a, b, &o, work, &v);
  }
  CHECK(!memcmp(f.nnz, f2.nnz, N * sizeof(int32_t)) &&
            !memcmp(f.key, f2.key, (size_t)N * f.stride * sizeof(int64_t)) &&
            !memcmp(f.val, f2.val, (size_t)N * f.stride * sizeof(double)),
        "embedding differs with blocks");

  /* rows back from a one-strand index of rows 13..76 are the embedding's */
  dm_kmer_emb_t tile = {64, f.stride, f.key + 13 * (size_t)f.stride, f.val + 13 * (size_t)f.stride,
                        f.nnz + 13};
  dm_kmer_index_t *ti = dm_kmer_index_init(&tile, 1);
  int rows_same = 0;
  for (int r0 = 0; r0 < 64; r0 += 21) {
    int r1 = r0 + 21 < 64 ? r0 + 21 : 64;
    memset(f2.nnz, 0xff, N * sizeof(int32_t));
    dm_kmer_index_rows(ti, r0, r1, &f2);
    for (int i = r0; i < r1; i++) {
      size_t o = (size_t)(13 + i) * f.stride, o2 = (size_t)(i - r0) * f2.stride;
      rows_same += f2.nnz[i - r0] == f.nnz[13 + i] && f.nnz[13 + i] > 0 &&
                   !memcmp(f2.key + o2, f.key + o, (size_t)f.nnz[13 + i] * sizeof(int64_t)) &&
                   !memcmp(f2.val + o2, f.val + o, (size_t)f.nnz[13 + i] * sizeof(double));
    }
  }
  CHECK(rows_same == 64, "%d of 64 rows back from the index as embedded", rows_same);
  dm_kmer_index_destroy(ti);

  dm_kmer_emb_t fr[2] = {f, r};
  dm_kmer_index_t *cols = dm_kmer_index_init(fr, 2);
  int32_t nbr[N * K], nbr2[N * K], ref_nbr[K];
  double sim[N * K], sim2[N * K], dense[N];
  dm_kmer_topk(&f, cols, 0, N, K, nbr, sim);
  int n_pos = 0;
  for (int i = 0; i < N; i++) {
    for (int j = 0; j < N; j++) {
      double x = sparse_dot(&f, i, &f, j), y = sparse_dot(&f, i, &r, j);
      dense[j] = x > y ? x : y;
    }
    for (int s = 0; s < K; s++) { /* selection of the K best: value desc, index asc */
      int best = -1;
      for (int j = 0; j < N; j++) {
        int used = 0;
        for (int t = 0; t < s; t++) used |= ref_nbr[t] == j;
        if (!used && (best < 0 || dense[j] > dense[best])) best = j;
      }
      ref_nbr[s] = best;
    }
    int same = 1;
    for (int s = 0; s < K; s++) same &= nbr[i * K + s] == ref_nbr[s] && sim[i * K + s] == dense[ref_nbr[s]];
    CHECK(same, "row %d: top-k differs from the dense brute force", i);
    n_pos += sim[i * K + K - 1] > 0;
  }
  CHECK(nbr[0] == 0 && fabs(sim[0] - 1.0) < 1e-12, "a seqlet is its own best neighbour");
  CHECK(n_pos > 0 && n_pos < N, "test data should have rows both with and without zero sims (%d)", n_pos);
  /* zero row (7): all similarities 0, neighbours 0, 1, 2, ... */
  CHECK(sim[7 * K] == 0.0 && nbr[7 * K] == 0 && nbr[7 * K + 1] == 1, "zero row");

  /* block-split invariance: 2 and 3 blocks */
  for (int nb = 2; nb <= 3; nb++) {
    memset(nbr2, 0xff, sizeof nbr2);
    for (int blk = 0; blk < nb; blk++) {
      int a = N * blk / nb, b = N * (blk + 1) / nb;
      dm_kmer_topk(&f, cols, a, b, K, nbr2 + (size_t)a * K, sim2 + (size_t)a * K);
    }
    CHECK(!memcmp(nbr, nbr2, sizeof nbr) && !memcmp(sim, sim2, sizeof sim), "top-k differs with %d blocks",
          nb);
  }
  /* column blocks merged into running lists (2, 3 and 7 blocks, uneven),
   * the rows in tiles of 1, 7 and N rows, give the single search's lists */
  dm_kmer_index_t *bc = NULL; /* rebuilt in place: blocks grow, then the next search starts small */
  for (int tile = 1; tile <= N; tile = tile == 1 ? 7 : tile == 7 ? N : N + 1) {
    for (int nc = 2; nc <= 7; nc += nc == 3 ? 4 : 1) {
      int32_t cnt[N];
      memset(cnt, 0, sizeof cnt);
      memset(nbr2, 0xff, sizeof nbr2);
      for (int blk = 0; blk < nc; blk++) {
        int c0 = N * blk / nc * blk / nc, c1 = N * (blk + 1) / nc * (blk + 1) / nc; /* uneven blocks */
        dm_kmer_emb_t v[2];
        for (int s = 0; s < 2; s++)
          v[s] = (dm_kmer_emb_t){c1 - c0, fr[s].stride, fr[s].key + (size_t)c0 * fr[s].stride,
                                 fr[s].val + (size_t)c0 * fr[s].stride, fr[s].nnz + c0};
        bc = dm_kmer_index_rebuild(bc, v, 2);
        void *bw = malloc(dm_kmer_topk_work_size(tile, c1 - c0));
        for (int r0 = 0; r0 < N; r0 += tile) {
          int r1 = r0 + tile < N ? r0 + tile : N;
          dm_kmer_emb_t rows = {r1 - r0, f.stride, f.key + (size_t)r0 * f.stride, f.val + (size_t)r0 * f.stride,
                                f.nnz + r0};
          dm_kmer_index_t *q = dm_kmer_index_init(&rows, 1);
          dm_kmer_topk_merge(q, bc, c0, K, bw, nbr2 + (size_t)r0 * K, sim2 + (size_t)r0 * K, cnt + r0);
          dm_kmer_index_destroy(q);
        }
        free(bw);
      }
      dm_kmer_topk_finish(N, K, cnt, nbr2, sim2);
      int full = 1;
      for (int i = 0; i < N; i++) full &= cnt[i] == K;
      CHECK(full && !memcmp(nbr, nbr2, sizeof nbr) && !memcmp(sim, sim2, sizeof sim),
            "top-k merged over %d column blocks, tiles of %d rows, differs from one search", nc, tile);
    }
  }
  dm_kmer_index_destroy(bc);
  /* k = N keeps everyone */
  int32_t *all = malloc(sizeof(int32_t) * N);
  double *alls = malloc(sizeof(double) * N);
  dm_kmer_topk(&f, cols, 3, 4, N, all, alls);
  long sum = 0;
  for (int j = 0; j < N; j++) sum += all[j];
  CHECK(sum == (long)N * (N - 1) / 2, "k = N: a permutation");
  free(all);
  free(alls);
  dm_kmer_index_destroy(cols);
  emb_free(&f);
  emb_free(&f2);
  emb_free(&r);
  free(work);
  free(onehot);
  free(contrib);
}

int main(void) {
  dm_kmer_opt_t o;
  dm_kmer_opt_init(&o);
  CHECK(dm_kmer_opt_check(&o) == 0, "defaults valid");
  o.max_len = 27;
  CHECK(dm_kmer_opt_check(&o) == -1, "max_len 27 rejected");
  test_embed_brute_force();
  test_embed_ties();
  test_add_dense();
  test_topk();
  return dm_test_summary("test_kmer");
}
