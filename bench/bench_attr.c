/* bench_attr: stage-1 attribution throughput on the deeplift example model.
 *
 * Runs DeepLIFT (genomics default) on batches of sequences x shuffled
 * references and reports (sequence, reference) pairs per second and the
 * achieved GFLOP/s, compared with plain cblas_sgemm calls of the same GEMM
 * shapes (the conv/dense layers' forward and backward) timed in the same run
 * (CPU time of this process, less disturbed by other load than wall time),
 * the time those GEMMs alone would take for 8000 sequences (the floor of the
 * arithmetic), then each node's forward and transpose with its GEMM rate.
 *
 *   bench_attr [n_seqs_per_batch=32 (Attr:batch)] [n_refs=10] [n_batches=20]
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm_mem.h"
#include "bench_gemm.h"
#include "dm_methods.h"
#include "nn_example.h"

/* Seconds per call of each node's forward over fwd rows and, for conv / dense
 * nodes, of the multipliers' transpose over bwd rows (best of reps), with the
 * GEMM rate of each. */
static void node_times(const dm_model_t *m, const float *x, const float *refs, int n, int P, int T,
                       int reps) {
  dm_run_t *r = dm_forward_init(m, n + P, T);
  size_t row = (size_t)m->in_len * m->in_ch, big = (size_t)T * P * dm_model_max_size(m);
  memcpy(r->in, x, sizeof(float) * n * row);
  memcpy(r->in + (size_t)n * row, refs, sizeof(float) * (size_t)P * row);
  dm_forward_run(r, n + P);
  float *dy = dm_calloc("bench dy", big, sizeof(float)), *dx = dm_calloc("bench dx", big, sizeof(float));
  printf("  per node: forward over %d rows, transpose over %d rows (best of %d)\n", n + P, T * P, reps);
  for (int i = 0; i < m->n_nodes; i++) {
    const dm_node_t *nd = &m->nodes[i];
    const float *xs[DM_NODE_MAX_IN];
    for (int k = 0; k < nd->n_in; k++) xs[k] = r->act[nd->in[k]];
    double tf = 1e30, tb = 1e30;
    for (int k = 0; k < reps; k++) {
      double t0 = dm_cpu_time();
      dm_ops_forward(nd, n + P, xs, dx, r->scratch);
      double t1 = dm_cpu_time();
      if (dm_ops_macs(nd) > 0) dm_ops_linear_transpose(nd, nd->w, T * P, dy, dx, 0, r->scratch);
      double t2 = dm_cpu_time();
      if (t1 - t0 < tf) tf = t1 - t0;
      if (t2 - t1 < tb) tb = t2 - t1;
    }
    printf("    %-24s %-9s fwd %8.2f ms", nd->name, dm_ops_name(nd->op), 1e3 * tf);
    if (dm_ops_macs(nd) > 0)
      printf(" %6.1f GFLOP/s  transpose %8.2f ms %6.1f GFLOP/s", 2e-9 * dm_ops_macs(nd) * (n + P) / tf,
             1e3 * tb, 2e-9 * dm_ops_macs(nd) * T * P / tb);
    printf("\n");
  }
  free(dy);
  free(dx);
  dm_forward_destroy(r);
}

int main(int argc, char **argv) {
  dm_log_init(0, DM_LOG_WARN);
  int n = argc > 1 ? atoi(argv[1]) : 32, R = argc > 2 ? atoi(argv[2]) : 10,
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
  double flops, t = 0.0, ts = sgemm_time(m, &g, n + n * R, T * n * R, &flops, dm_cpu_time); /* warm-up */
  ts = 0.0;
  for (int b = 0; b < nb; b++) { /* interleaved, so both see the same machine load */
    double t0 = dm_cpu_time();
    if (dm_methods_run(a, n, m->in_len, x + (size_t)b * n * row, refs + (size_t)b * n * R * row, hyp, pred))
      return 1;
    t += dm_cpu_time() - t0;
    ts += sgemm_time(m, &g, n + n * R, T * n * R, &flops, dm_cpu_time);
  }
  double pairs = (double)n * R * nb;
  printf("bench_attr: deeplift genomics_default, %d tasks, batch %d seqs x %d refs, %d batches\n", T, n, R,
         nb);
  printf("  %.0f (sequence, reference) pairs/s, %.1f sequences/s, %.3f s\n", pairs / t, n * nb / t, t);
  printf(
      "  GEMM work %.2f GFLOP per batch: %.2f GFLOP/s achieved, plain cblas_sgemm %.2f GFLOP/s, ratio "
      "%.0f%%\n",
      flops * 1e-9, flops * nb / t * 1e-9, flops * nb / ts * 1e-9, 100.0 * ts / t);
  /* the arithmetic limit: the same GEMM work at the plain sgemm rate, no other work */
  printf("  GEMM floor: %.1f CPU s per 8000 sequences (this run: %.1f CPU s per 8000)\n", ts / nb / n * 8000,
         t / nb / n * 8000);
  node_times(m, x, refs, n, n * R, T, 5);
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
