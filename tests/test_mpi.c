/* Block decomposition and Exscan offsets, against a brute-force count. */
#include <stdlib.h>

#include "dm_log.h"
#include "dm_mpi.h"
#include "dm_test_mpi.h"

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  dm_mpi_t ctx;
  dm_mpi_init(&ctx, MPI_COMM_WORLD);
  dm_log_init(ctx.rank, DM_LOG_INFO);

  /* blocks tile [0, n) in order, sizes differ by at most 1 */
  for (int64_t n = 0; n < 50; n++) {
    for (int parts = 1; parts <= 7; parts++) {
      int64_t next = 0, lo = n, hi = 0;
      for (int k = 0; k < parts; k++) {
        int64_t s, c;
        dm_mpi_block_range(n, parts, k, &s, &c);
        CHECK(s == next, "n=%ld parts=%d block %d starts at %ld", (long)n, parts, k, (long)s);
        next = s + c;
        lo = c < lo ? c : lo;
        hi = c > hi ? c : hi;
      }
      CHECK(next == n && hi - lo <= 1, "n=%ld parts=%d", (long)n, parts);
    }
  }

  /* Exscan offsets: rank r holds r rows (rank 0 holds none) */
  int64_t off, total;
  dm_mpi_offset(&ctx, ctx.rank, &off, &total);
  CHECK(off == (int64_t)ctx.rank * (ctx.rank - 1) / 2, "rank %d offset %ld", ctx.rank, (long)off);
  CHECK(total == (int64_t)ctx.size * (ctx.size - 1) / 2, "total %ld", (long)total);

  /* bytes broadcast */
  char *buf = ctx.rank == 0 ? "hello ranks" : NULL;
  int64_t len = ctx.rank == 0 ? 11 : 0;
  dm_mpi_bcast_bytes(&ctx, &buf, &len);
  CHECK(len == 11 && buf[4] == 'o' && buf[11] == '\0', "bcast on rank %d", ctx.rank);
  if (ctx.rank != 0) free(buf);

  return dm_test_finish_mpi("test_mpi");
}
