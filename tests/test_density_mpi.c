/* test_density_mpi: density adaptation with rows split over ranks is
 * bit-identical to the one-process run. */
#include <stdlib.h>
#include <string.h>

#include "dm_density.h"
#include "dm_test_mpi.h"

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  dm_mpi_t ctx;
  dm_mpi_init(&ctx, MPI_COMM_WORLD);
  dm_log_init(ctx.rank, DM_LOG_WARN);
  const int n = 301, k = 40; /* n not a multiple of the rank count */
  srand(23);
  dm_sparse_t *aff = dm_sparse_init(n, (int64_t)n * k);
  char *used = calloc(n, 1);
  int64_t out = 0;
  for (int i = 0; i < n; i++) {
    memset(used, 0, n);
    for (int e = 0; e < k; e++) {
      int j = rand() % n;
      if (used[j]) continue;
      used[j] = 1;
      aff->col[out] = j;
      aff->val[out++] = (float)(rand() / (double)RAND_MAX);
    }
    aff->rowptr[i + 1] = out;
  }
  for (int lite = 0; lite < 2; lite++) {
    dm_density_opt_t o;
    dm_density_opt_init(&o);
    o.lite_beta = lite;
    dm_sparse_t *ps = dm_density_run(aff, &o), *pd = dm_density_run_mpi(&ctx, aff, &o);
    CHECK(ps && pd, "run failed");
    CHECK(pd->rowptr[n] == ps->rowptr[n] &&
              memcmp(pd->col, ps->col, (size_t)ps->rowptr[n] * sizeof(int32_t)) == 0 &&
              memcmp(pd->val, ps->val, (size_t)ps->rowptr[n] * sizeof(float)) == 0,
          "rank %d of %d, lite %d: distributed P differs from the serial one", ctx.rank, ctx.size, lite);
    dm_sparse_destroy(ps);
    dm_sparse_destroy(pd);
  }
  free(used);
  dm_sparse_destroy(aff);
  return dm_test_finish_mpi("test_density_mpi");
}
