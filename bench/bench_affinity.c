/* bench_affinity: seconds for the coarse (gapped k-mer top-k) and fine
 * (continuous Jaccard over the neighbours) affinity of N synthetic 41-bp
 * seqlets, one core (CPU seconds), lite defaults.   usage: bench_affinity [N] [k] */
#include <stdio.h>
#include <stdlib.h>

#include "affinity_ref.h"
#include "dm_affinity.h"
#include "dm_cj.h"
#include "dm_kmer.h"
#include "dm_mem.h"

enum { L = 41, C = 8 };

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 5000;
  int k = argc > 2 ? atoi(argv[2]) : 501;
  if (n < 2) return 1;
  if (k > n) k = n;
  float *onehot = malloc(sizeof(float) * n * L * 4), *contrib = malloc(sizeof(float) * n * L * 4);
  float *fwd = malloc(sizeof(float) * n * L * C), *rc = malloc(sizeof(float) * n * L * C);
  make_seqlets(n, L, onehot, contrib, -1);

  dm_kmer_opt_t o;
  dm_kmer_opt_init(&o);
  double t0 = dm_cpu_time();
  void *ew = malloc(dm_kmer_embed_work_size(&o, L));
  dm_kmer_emb_t e[2];
  for (int s = 0; s < 2; s++) {
    e[s] = (dm_kmer_emb_t){n, o.max_entries, malloc(sizeof(int64_t) * n * o.max_entries),
                           malloc(sizeof(double) * n * o.max_entries), malloc(sizeof(int32_t) * n)};
    dm_kmer_embed_rows(onehot, contrib, L, 1.0f, s, 0, n, &o, ew, &e[s]);
  }
  double t1 = dm_cpu_time();
  dm_kmer_index_t *cols = dm_kmer_index_init(e, 2);
  double t2 = dm_cpu_time();
  int32_t *nbr = malloc(sizeof(int32_t) * n * k);
  double *coarse = malloc(sizeof(double) * n * k);
  dm_kmer_topk(&e[0], cols, 0, n, k, nbr, coarse);
  double t3 = dm_cpu_time();

  for (int i = 0; i < n; i++) {
    dm_cj_track(contrib + (size_t)i * L * 4, contrib + (size_t)i * L * 4, L, fwd + (size_t)i * L * C);
    dm_cj_revcomp(fwd + (size_t)i * L * C, L, C, rc + (size_t)i * L * C);
  }
  int pad = dm_cj_pad(L, 0.7, 0);
  float *work = malloc(sizeof(float) * dm_affinity_fine_work_size(L, C, pad));
  float *fine = malloc(sizeof(float) * n * k);
  float *sums = malloc(sizeof(float) * n * 2 * dm_cj_summary_size(L, C));
  double t4 = dm_cpu_time();
  dm_affinity_summaries(fwd, rc, L, C, 0, n, sums);
  dm_affinity_fine(fwd, rc, sums, L, C, pad, 0, n, k, nbr, work, fine);
  double t5 = dm_cpu_time();
  double *sw = malloc(sizeof(double) * 6 * k), *corr = malloc(sizeof(double) * n);
  dm_affinity_spearman_rows(fine, coarse, 0, n, k, sw, corr);
  double t6 = dm_cpu_time();
  int kept = 0;
  for (int i = 0; i < n; i++) kept += corr[i] > 0.15;

  printf("N %d k %d: embed %.2f s, index %.2f s, coarse top-k %.2f s, fine %.2f s "
         "(%.2f us/pair), spearman %.2f s; %d rows pass the filter; peak RSS %.0f MB\n",
         n, k, t1 - t0, t2 - t1, t3 - t2, t5 - t4, 1e6 * (t5 - t4) / ((double)n * k), t6 - t5, kept,
         dm_peak_rss() / 1048576.0);
  return 0;
}
