/* test_density_mpi: density adaptation with rows split over ranks (uneven
 * blocks, P gathered on two of them) is bit-identical to the one-process
 * run; an invalid affinity in one rank's rows fails on every rank. */
#include <math.h>
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
    /* each rank gives its rows, uneven blocks (rank r: r + 1 shares); ranks 0 and the last want P */
    int64_t r0 = 0, nr;
    for (int r = 0; r < ctx.rank; r++) r0 += (int64_t)n * (2 * (r + 1)) / (ctx.size * (ctx.size + 1));
    nr = ctx.rank == ctx.size - 1 ? n - r0 : (int64_t)n * (2 * (ctx.rank + 1)) / (ctx.size * (ctx.size + 1));
    dm_sparse_t *mine = dm_sparse_init(n, aff->rowptr[n]);
    memcpy(mine->col, aff->col, (size_t)aff->rowptr[n] * sizeof(int32_t));
    memcpy(mine->val, aff->val, (size_t)aff->rowptr[n] * sizeof(float));
    for (int64_t i = 0; i < n; i++) {
      int64_t c = i < r0 ? 0 : i < r0 + nr ? i + 1 : r0 + nr;
      mine->rowptr[i + 1] = aff->rowptr[c]; /* rows outside [r0, r0 + nr) empty */
    }
    for (int64_t i = 0; i <= r0; i++) mine->rowptr[i] = aff->rowptr[r0];
    int want = ctx.rank == 0 || ctx.rank == ctx.size - 1;
    dm_sparse_t *ps = dm_density_run(aff, &o), *pd = NULL;
    int64_t entries = -1;
    CHECK(dm_density_run_mpi(&ctx, mine, r0, nr, &o, want, &pd, &entries) == 0 && ps, "run failed");
    CHECK(ps && entries == ps->rowptr[n], "rank %d: %ld entries, serial %ld", ctx.rank, (long)entries,
          ps ? (long)ps->rowptr[n] : -1L);
    CHECK((pd != NULL) == want, "rank %d: P %s", ctx.rank, want ? "missing" : "given unasked");
    if (pd && ps)
      CHECK(pd->rowptr[n] == ps->rowptr[n] &&
                memcmp(pd->rowptr, ps->rowptr, (size_t)(n + 1) * sizeof(int64_t)) == 0 &&
                memcmp(pd->col, ps->col, (size_t)ps->rowptr[n] * sizeof(int32_t)) == 0 &&
                memcmp(pd->val, ps->val, (size_t)ps->rowptr[n] * sizeof(float)) == 0,
            "rank %d of %d, lite %d: distributed P differs from the serial one", ctx.rank, ctx.size, lite);
    dm_sparse_destroy(ps);
    dm_sparse_destroy(pd);
    dm_sparse_destroy(mine);
  }
  /* a non-finite affinity in one rank's rows: -1 on every rank */
  dm_density_opt_t o;
  dm_density_opt_init(&o);
  int64_t r0, nr;
  dm_mpi_block_range(n, ctx.size, ctx.rank, &r0, &nr);
  dm_sparse_t *bad = dm_sparse_init(n, 1), *pb = NULL;
  for (int64_t i = 0; i < n; i++) bad->rowptr[i + 1] = i >= n - 1 ? 1 : 0; /* row n-1: the last rank's */
  bad->col[0] = 0;
  bad->val[0] = ctx.rank == ctx.size - 1 ? NAN : 0.5f;
  if (ctx.rank != ctx.size - 1) bad->rowptr[n] = 0;
  int64_t entries;
  CHECK(dm_density_run_mpi(&ctx, bad, r0, nr, &o, 1, &pb, &entries) == -1 && pb == NULL,
        "rank %d: a NaN affinity accepted", ctx.rank);
  dm_sparse_destroy(bad);
  free(used);
  dm_sparse_destroy(aff);
  return dm_test_finish_mpi("test_density_mpi");
}
