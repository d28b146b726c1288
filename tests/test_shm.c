/* Node-shared arrays (dm_shm): after dm_shm_gather_blocks every rank reads
 * every rank's block, whatever the rows, row size and grouping of ranks
 * into nodes (DMOTIF_NODE_RANKS, set by the test's registration); the
 * node count is the one the grouping gives; a leader's write is seen by
 * its node after dm_shm_sync; the bytes held are tracked. */
#include <stdio.h>
#include <stdlib.h>

#include "dm_log.h"
#include "dm_mpi.h"
#include "dm_shm.h"
#include "dm_test_mpi.h"

static unsigned char byte_of(int64_t row, size_t b) {
  return (unsigned char)((row * 31 + (int64_t)b * 7 + 1) & 0xff);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  dm_mpi_t ctx;
  dm_mpi_init(&ctx, MPI_COMM_WORLD);
  dm_log_init(ctx.rank, DM_LOG_INFO);
  const char *env = getenv("DMOTIF_NODE_RANKS");
  int per = env ? atoi(env) : 0;

  const int64_t rows[] = {0, 1, 5, 37};
  const size_t widths[] = {1, 12, 4096};
  for (int a = 0; a < 4; a++)
    for (int w = 0; w < 3; w++) {
      int64_t n = rows[a];
      size_t rb = widths[w];
      dm_shm_t *h;
      unsigned char *x = dm_shm_alloc(&ctx, "test rows", (size_t)n * rb, &h);
      CHECK(dm_shm_window_peak() >= (size_t)n * rb, "peak %zu below %zu bytes held", dm_shm_window_peak(),
            (size_t)n * rb);
      int64_t r0, c;
      dm_mpi_block_range(n, ctx.size, ctx.rank, &r0, &c);
      for (int64_t r = r0; r < r0 + c; r++)
        for (size_t b = 0; b < rb; b++) x[r * rb + b] = byte_of(r, b);
      dm_shm_gather_blocks(h, n, rb);
      int64_t bad = 0;
      for (int64_t r = 0; r < n; r++)
        for (size_t b = 0; b < rb; b++) bad += x[r * rb + b] != byte_of(r, b);
      CHECK(bad == 0, "rank %d: %ld bytes wrong of %ld rows x %zu", ctx.rank, (long)bad, (long)n, rb);
      /* leaders: one per node */
      int lead = dm_shm_leader(h), nodes = 0;
      MPI_Allreduce(&lead, &nodes, 1, MPI_INT, MPI_SUM, ctx.comm);
      if (per >= 1) CHECK(nodes == (ctx.size + per - 1) / per, "%d nodes for groups of %d", nodes, per);
      CHECK((ctx.rank == 0) <= lead, "rank 0 is not a leader");
      /* a leader's write, seen by its node after a sync */
      if (n > 0) {
        dm_shm_sync(h);
        if (lead) x[0] = 0;
        dm_shm_sync(h);
        CHECK(x[0] == 0, "rank %d does not see its leader's write", ctx.rank);
      }
      dm_shm_free(h);
    }
  dm_shm_peak_reset();
  CHECK(dm_shm_window_peak() == 0, "%zu bytes still counted after every free", dm_shm_window_peak());
  if (ctx.rank == 0) printf("groups of %d ranks (0: the machine's nodes), %d ranks\n", per, ctx.size);
  return dm_test_finish_mpi("test_shm");
}
