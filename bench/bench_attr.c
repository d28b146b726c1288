/* bench_attr: stage-1 attribution throughput on the deeplift example model.
 *
 * Runs DeepLIFT (genomics default) on batches of sequences x shuffled
 * references and reports (sequence, reference) pairs per second and the
 * achieved GFLOP/s, compared with plain cblas_sgemm calls of the same GEMM
 * shapes (the conv/dense layers' forward and backward) timed in the same run.
 *
 *   bench_attr [n_seqs_per_batch=10] [n_refs=10] [n_batches=20]
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm_mem.h"
#include "bench_gemm.h"
#include "dm_methods.h"
#include "nn_example.h"

int main(int argc, char **argv) {
  dm_log_init(0, DM_LOG_WARN);
  int n = argc > 1 ? atoi(argv[1]) : 10, R = argc > 2 ? atoi(argv[2]) : 10,
      nb = argc > 3 ? atoi(argv[3]) : 20;
  dm_model_t *m = dm_model_load(NNEX_JSON, NNEX_WEIGHTS);
  float *x = NULL, *labels = NULL;
  int total = nnex_read(0, &x, &labels);
  if (!m || total < n * nb || n < 1 || R < 1) {
    fprintf(stderr, "bench_attr: cannot load the example model/data or bad arguments\n");
    return 1;
  }
  size_t row = (size_t)m->in_len * m->in_ch;
  int T = m->n_tasks;
  /* references: position shuffles (the generator is dm_ref's; this is only a workload) */
  float *refs = dm_malloc("refs", sizeof(float) * (size_t)n * nb * R * row);
  srand(1);
  for (size_t p = 0; p < (size_t)n * nb * R; p++)
    for (int l = 0; l < m->in_len; l++)
      memcpy(refs + p * row + l * 4, x + (p / R) * row + (size_t)(rand() % m->in_len) * 4, sizeof(float) * 4);
  dm_methods_opt_t o;
  dm_methods_opt_init(&o);
  dm_methods_t *a = dm_methods_init(m, &o, NULL, 0, n, R);
  float *hyp = dm_malloc("hyp", sizeof(float) * T * n * row),
        *pred = dm_malloc("pred", sizeof(float) * n * T);
  if (!a || dm_methods_run(a, n, m->in_len, x, refs, hyp, pred)) return 1; /* warm-up */
  gemm_bufs_t g = gemm_alloc(m, T * n * R);
  double flops, t = 0.0, ts = sgemm_time(m, &g, n + n * R, T * n * R, &flops); /* warm-up */
  ts = 0.0;
  for (int b = 0; b < nb; b++) { /* interleaved, so both see the same machine load */
    double t0 = dm_wall_time();
    if (dm_methods_run(a, n, m->in_len, x + (size_t)b * n * row, refs + (size_t)b * n * R * row, hyp, pred))
      return 1;
    t += dm_wall_time() - t0;
    ts += sgemm_time(m, &g, n + n * R, T * n * R, &flops);
  }
  double pairs = (double)n * R * nb;
  printf("bench_attr: deeplift genomics_default, %d tasks, batch %d seqs x %d refs, %d batches\n", T, n, R,
         nb);
  printf("  %.0f (sequence, reference) pairs/s, %.1f sequences/s, %.3f s\n", pairs / t, n * nb / t, t);
  printf(
      "  GEMM work %.2f GFLOP per batch: %.2f GFLOP/s achieved, plain cblas_sgemm %.2f GFLOP/s, ratio "
      "%.0f%%\n",
      flops * 1e-9, flops * nb / t * 1e-9, flops * nb / ts * 1e-9, 100.0 * ts / t);
  dm_methods_destroy(a);
  dm_model_destroy(m);
  free(x);
  free(labels);
  free(refs);
  free(hyp);
  free(pred);
  free(g.A);
  free(g.C);
  free(g.W);
  return 0;
}
