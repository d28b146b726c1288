/* bench_gemm: plain cblas_sgemm calls with the GEMM shapes of a model's
 * convolution and dense nodes (forward over some rows, input multipliers
 * over others), the yardstick of the GFLOP/s the benchmarks report.
 * Header-only; include in one benchmark each. */
#ifndef BENCH_GEMM_H
#define BENCH_GEMM_H

#include <cblas.h>
#include <string.h>

#include "dm_forward.h"
#include "dm_mem.h"

/* Buffers for plain sgemm calls with the shapes of the model's GEMMs. */
typedef struct {
  float *A, *C, *W;
} gemm_bufs_t;

static gemm_bufs_t gemm_alloc(const dm_model_t *m, int bwd_rows) {
  size_t max = 0, wmax = 0;
  for (int i = 0; i < m->n_nodes; i++) {
    const dm_node_t *ly = &m->nodes[i];
    if (!dm_ops_macs(ly)) continue;
    size_t k = (size_t)(ly->op == DM_OP_CONV1D ? ly->kernel : 1) * ly->in_ch;
    size_t a = (size_t)bwd_rows * ly->out_len * (k > (size_t)ly->out_ch ? k : (size_t)ly->out_ch);
    if (a > max) max = a;
    if (k * ly->out_ch > wmax) wmax = k * ly->out_ch;
  }
  /* calloc + first touch here, so page faults are not timed */
  gemm_bufs_t g = {dm_calloc("bench", max, sizeof(float)), dm_calloc("bench", max, sizeof(float)),
                   dm_calloc("bench", wmax, sizeof(float))};
  memset(g.A, 0, sizeof(float) * max);
  memset(g.C, 0, sizeof(float) * max);
  return g;
}

/* Time of the GEMMs of one batch (conv/dense forward over fwd_rows, input
 * multipliers over bwd_rows) as single plain cblas_sgemm calls, on the clock
 * given (dm_wall_time, dm_cpu_time); *flops gets their work. */
static double sgemm_time(const dm_model_t *m, const gemm_bufs_t *g, int fwd_rows, int bwd_rows, double *flops,
                         double (*clock)(void)) {
  double t0 = clock();
  *flops = 0.0;
  for (int i = 0; i < m->n_nodes; i++) {
    const dm_node_t *ly = &m->nodes[i];
    if (!dm_ops_macs(ly)) continue;
    int k = (ly->op == DM_OP_CONV1D ? ly->kernel : 1) * ly->in_ch, n = ly->out_ch;
    int mf = fwd_rows * ly->out_len, mb = bwd_rows * ly->out_len;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, mf, n, k, 1.0f, g->A, k, g->W, n, 0.0f, g->C, n);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, mb, k, n, 1.0f, g->A, n, g->W, n, 0.0f, g->C, k);
    *flops += 2.0 * ((double)mf + mb) * n * k;
  }
  return clock() - t0;
}

#endif
