/* test_affinity: fine similarity over coarse neighbours against a brute
 * force, Spearman on a hand-worked case with ties, the round-1 filter, and
 * block-split invariance of every row kernel. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "affinity_ref.h"
#include "dm_affinity.h"
#include "dm_cj.h"
#include "dm_kmer.h"
#include "dm_test.h"

enum { N = 45, L = 41, C = 8, K = 15 };

static void test_fine(void) {
  float *onehot = malloc(sizeof(float) * N * L * 4), *contrib = malloc(sizeof(float) * N * L * 4);
  float *hyp = malloc(sizeof(float) * N * L * 4);
  float *fwd = malloc(sizeof(float) * N * L * C), *rc = malloc(sizeof(float) * N * L * C);
  make_seqlets(N, L, onehot, contrib, -1);
  fill(hyp, (size_t)N * L * 4, 0.0);
  for (size_t e = 0; e < (size_t)N * L * 4; e++)
    if (onehot[e] > 0) hyp[e] = contrib[e]; /* hyp agrees with contrib on the observed base */
  for (int i = 0; i < N; i++) {
    dm_cj_track(hyp + (size_t)i * L * 4, contrib + (size_t)i * L * 4, L, fwd + (size_t)i * L * C);
    dm_cj_revcomp(fwd + (size_t)i * L * C, L, C, rc + (size_t)i * L * C);
  }
  /* coarse neighbours */
  dm_kmer_opt_t o;
  dm_kmer_opt_init(&o);
  dm_kmer_emb_t e[2];
  void *ew = malloc(dm_kmer_embed_work_size(&o, L));
  for (int s = 0; s < 2; s++) {
    e[s] = (dm_kmer_emb_t){N, o.max_entries, malloc(sizeof(int64_t) * N * o.max_entries),
                           malloc(sizeof(double) * N * o.max_entries), malloc(sizeof(int32_t) * N)};
    dm_kmer_embed_rows(onehot, contrib, L, 1.0f, s, 0, N, &o, ew, &e[s]);
  }
  dm_kmer_index_t *cols = dm_kmer_index_init(e, 2);
  int32_t nbr[N * K];
  double coarse[N * K];
  dm_kmer_topk(&e[0], cols, 0, N, K, nbr, coarse);

  int pad = dm_cj_pad(L, 0.7, 0);
  CHECK(pad == 12, "pad %d", pad);
  float *work = malloc(sizeof(float) * dm_affinity_fine_work_size(L, C, pad));
  float fine[N * K], fine2[N * K];
  dm_affinity_fine(fwd, rc, NULL, L, C, pad, 0, N, K, nbr, work, fine);
  int n_rc = 0;
  for (int i = 0; i < N; i++)
    for (int t = 0; t < K; t++) {
      int j = nbr[i * K + t];
      dm_cj_align_t r =
          ref_align(fwd + (size_t)j * L * C, rc + (size_t)j * L * C, L, fwd + (size_t)i * L * C, L, C, pad);
      CLOSE(fine[i * K + t], r.score, 1e-5);
      n_rc += r.rc;
      if (j == i) CLOSE(fine[i * K + t], 1.0, 1e-6);
    }
  CHECK(n_rc > 0, "some neighbours should match on the reverse strand");

  /* block-split invariance of fine and Spearman rows; the tracks' summaries
   * made once, in blocks, give the same bits as made per pair */
  size_t ns = 2 * dm_cj_summary_size(L, C);
  float *sums = malloc(sizeof(float) * N * ns);
  double corr[N], corr2[N], sw[6 * K];
  dm_affinity_spearman_rows(fine, coarse, 0, N, K, sw, corr);
  for (int nb = 2; nb <= 3; nb++) {
    memset(fine2, 0, sizeof fine2);
    memset(sums, 0, sizeof(float) * N * ns); /* a missing summary would bound its scores by 0 */
    for (int blk = 0; blk < nb; blk++) /* as the ranks do, before the fine step */
      dm_affinity_summaries(fwd, rc, L, C, N * blk / nb, N * (blk + 1) / nb, sums);
    for (int blk = 0; blk < nb; blk++) {
      int a = N * blk / nb, b = N * (blk + 1) / nb;
      dm_affinity_fine(fwd, rc, sums, L, C, pad, a, b, K, nbr + (size_t)a * K, work, fine2 + (size_t)a * K);
      dm_affinity_spearman_rows(fine2 + (size_t)a * K, coarse + (size_t)a * K, a, b, K, sw, corr2 + a);
    }
    CHECK(!memcmp(fine, fine2, sizeof fine), "fine differs with %d blocks", nb);
    CHECK(!memcmp(corr, corr2, sizeof corr), "Spearman differs with %d blocks", nb);
  }

  free(sums);
  dm_kmer_index_destroy(cols);
  for (int s = 0; s < 2; s++) {
    free(e[s].key);
    free(e[s].val);
    free(e[s].nnz);
  }
  free(ew);
  free(work);
  free(onehot);
  free(contrib);
  free(hyp);
  free(fwd);
  free(rc);
}

static void test_spearman(void) {
  double w[6 * 6];
  /* entry 4 has fine value 0 and is left out; ties get average ranks:
   * x ranks (4, 2.5, 2.5, 5, 1), y ranks (5, 2, 3.5, 3.5, 1): rho = 7.25 / 9.5 */
  const float x[6] = {0.5f, 0.2f, 0.2f, 0.9f, 0.0f, 0.1f};
  const double y[6] = {3, 1, 2, 2, 5, 0};
  CLOSE(dm_affinity_spearman(x, y, 6, w), 7.25 / 9.5, 1e-12);
  const double yr[6] = {-3, -1, -2, -2, -5, 0}; /* reversed order */
  CLOSE(dm_affinity_spearman(x, yr, 6, w), -7.25 / 9.5, 1e-12);
  const float xc[4] = {0.3f, 0.3f, 0.3f, 0.0f}; /* constant: undefined */
  CHECK(isnan(dm_affinity_spearman(xc, y, 4, w)), "constant row must give NAN");
  const float x1[3] = {0.0f, 0.4f, 0.0f}; /* one point: undefined */
  CHECK(isnan(dm_affinity_spearman(x1, y, 3, w)), "single point must give NAN");
  /* y best first (as coarse lists come: ranked without sorting), ties, entry
   * 2 left out: rx (1, 4, 2.5, 2.5, 5), ry (5, 4, 2.5, 2.5, 1): rho = -6.5 / 9.5 */
  const float xd[6] = {0.1f, 0.5f, 0.0f, 0.3f, 0.3f, 0.9f};
  const double yd[6] = {5, 4, 4, 3, 3, 1};
  CLOSE(dm_affinity_spearman(xd, yd, 6, w), -6.5 / 9.5, 1e-12);
  const float xm[4] = {1, 2, 3, 4};
  const double ym[4] = {10, 200, 3000, 40000}; /* monotone, nonlinear */
  CLOSE(dm_affinity_spearman(xm, ym, 4, w), 1.0, 1e-12);
}

static void test_filter(void) {
  const int32_t nbr[4 * 3] = {0, 1, 3, 1, 0, 2, 2, 3, 1, 3, 2, 0};
  const float fine[4 * 3] = {1.0f, 0.5f, 0.4f, 1, 1, 1, 1, 1, 1, 0.9f, 0.3f, 0.2f};
  const int32_t new_index[4] = {0, -1, -1, 1}; /* rows 0 and 3 kept */
  int32_t col[12];
  int64_t ptr[5];
  float val[12];
  int64_t e = dm_affinity_filter_rows(0, 4, 3, nbr, fine, new_index, ptr, col, val);
  CHECK(e == 4, "kept %ld entries", (long)e);
  CHECK(ptr[0] == 0 && ptr[1] == 2 && ptr[2] == 4, "ptr %ld %ld %ld", (long)ptr[0], (long)ptr[1],
        (long)ptr[2]);
  CHECK(col[0] == 0 && col[1] == 1 && col[2] == 1 && col[3] == 0, "cols");
  CHECK(val[0] == 1.0f && val[1] == 0.4f && val[2] == 0.9f && val[3] == 0.2f, "values");
  /* rows 2..3 alone (as a rank holding them filters them): row 3 only */
  int32_t col2[6];
  int64_t ptr2[3];
  float val2[6];
  e = dm_affinity_filter_rows(2, 4, 3, nbr + 6, fine + 6, new_index, ptr2, col2, val2);
  CHECK(e == 2 && ptr2[0] == 0 && ptr2[1] == 2 && col2[0] == 1 && col2[1] == 0 && val2[0] == 0.9f &&
            val2[1] == 0.2f,
        "filter of rows 2..3: %ld entries", (long)e);
  /* in place, as the driver runs it */
  int32_t nbr3[12];
  float fine3[12];
  memcpy(nbr3, nbr, sizeof nbr3);
  memcpy(fine3, fine, sizeof fine3);
  e = dm_affinity_filter_rows(0, 4, 3, nbr3, fine3, new_index, ptr, nbr3, fine3);
  CHECK(e == 4 && !memcmp(nbr3, col, 4 * sizeof *col) && !memcmp(fine3, val, 4 * sizeof *val), "in place");
}

int main(void) {
  test_fine();
  test_spearman();
  test_filter();
  return dm_test_summary("test_affinity");
}
