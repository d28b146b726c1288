/* Block decomposition and Exscan offsets, against a brute-force count;
 * byte broadcast; collective log sections print once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

  /* collective sections: an error every rank logs is printed by rank 0 only */
  char path[64], line[256] = "";
  snprintf(path, sizeof path, "dm_test_mpi_log_%d.txt", ctx.rank);
  fflush(stderr);
  int saved = dup(2);
  FILE *err = freopen(path, "w", stderr);
  int prev = dm_log_collective(1);
  dm_log_error("the same on every rank");
  dm_log_collective(prev);
  dm_log_error("rank %d alone", ctx.rank);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  (void)err;
  FILE *fp = fopen(path, "r");
  int n_same = 0, n_alone = 0;
  while (fp && fgets(line, sizeof line, fp)) {
    n_same += strstr(line, "the same on every rank") != NULL;
    n_alone += strstr(line, "alone") != NULL;
  }
  if (fp) fclose(fp);
  remove(path);
  CHECK(n_same == (ctx.rank == 0) && n_alone == 1, "rank %d printed %d collective, %d own errors", ctx.rank,
        n_same, n_alone);
  return dm_test_finish_mpi("test_mpi");
}
