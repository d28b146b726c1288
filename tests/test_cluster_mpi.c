/* test_cluster_mpi: seeds spread over ranks give every rank the result of
 * all seeds run on one rank (best modularity, ties to the lowest run). */
#include <stdlib.h>
#include <string.h>

#include "dm_cluster.h"
#include "dm_test_mpi.h"

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  dm_mpi_t ctx;
  dm_mpi_init(&ctx, MPI_COMM_WORLD);
  dm_log_init(ctx.rank, DM_LOG_WARN);
  /* random sparse symmetric graph (same on every rank: fixed seed) */
  const int n = 400, deg = 4;
  srand(17);
  float *a = calloc((size_t)n * n, sizeof(float));
  for (int i = 0; i < n; i++)
    for (int e = 0; e < deg; e++) {
      int j = rand() % n;
      if (j != i) a[(size_t)i * n + j] = a[(size_t)j * n + i] = (float)(rand() / (double)RAND_MAX);
    }
  int64_t nnz = 0;
  for (int i = 0; i < n * n; i++) nnz += a[i] != 0;
  dm_sparse_t *p = dm_sparse_init(n, nnz);
  for (int i = 0, out = 0; i < n; i++) {
    for (int j = 0; j < n; j++)
      if (a[(size_t)i * n + j] != 0) {
        p->col[out] = j;
        p->val[out++] = a[(size_t)i * n + j];
      }
    p->rowptr[i + 1] = out;
  }
  dm_cluster_graph_t *g = dm_cluster_graph_init(p);
  for (int method = 0; method < 2; method++) {
    for (long n_seeds = 1; n_seeds <= 7; n_seeds += 6) { /* 1: fewer seeds than ranks */
      dm_cluster_opt_t o;
      dm_cluster_opt_init(&o);
      o.method = method ? DM_CLUSTER_LOUVAIN : DM_CLUSTER_LEIDEN;
      o.n_seeds = n_seeds;
      int32_t *serial = malloc(n * sizeof(int32_t)), *dist = malloc(n * sizeof(int32_t));
      dm_cluster_result_t rs = {.labels = serial}, rd = {.labels = dist};
      CHECK(dm_cluster_run(g, &o, 0, o.n_seeds, &rs) == 0, "serial run failed");
      CHECK(dm_cluster_run_mpi(&ctx, dm_cluster_runs_here(&ctx, &o) ? g : NULL, n, &o, &rd) == 0,
            "mpi run failed");
      CHECK(rd.run == rs.run && rd.modularity == rs.modularity && rd.n_clusters == rs.n_clusters &&
                memcmp(serial, dist, n * sizeof(int32_t)) == 0,
            "rank %d, method %d, %ld seeds: run %ld (%.17g), serial run %ld (%.17g)", ctx.rank, method,
            n_seeds, rd.run, rd.modularity, rs.run, rs.modularity);
      if (ctx.rank == 0)
        printf("method %d, %ld seeds: best run %ld, modularity %.6f, %ld clusters\n", method, n_seeds, rs.run,
               rs.modularity, (long)rs.n_clusters);
      free(serial);
      free(dist);
    }
  }
  dm_cluster_graph_destroy(g);
  dm_sparse_destroy(p);
  free(a);
  return dm_test_finish_mpi("test_cluster_mpi");
}
