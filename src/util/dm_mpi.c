/* This object's header. */
#include "dm_mpi.h"

/* Standard headers. */
#include <stdio.h>
#include <string.h>

/* Local headers. */
#include "dm_log.h"
#include "dm_mem.h"
#include "dm_version.h"

void dm_mpi_init(dm_mpi_t *ctx, MPI_Comm comm) {
  ctx->comm = comm;
  DM_MPI_CHECK(MPI_Comm_rank(comm, &ctx->rank));
  DM_MPI_CHECK(MPI_Comm_size(comm, &ctx->size));
  ctx->t0 = dm_wall_time();
}

void dm_mpi_block_range(int64_t n, int nparts, int part, int64_t *start, int64_t *count) {
  DM_ASSERT(nparts > 0 && part >= 0 && part < nparts && n >= 0);
  int64_t base = n / nparts, rem = n % nparts;
  *start = part * base + (part < rem ? part : rem);
  *count = base + (part < rem ? 1 : 0);
}

void dm_mpi_offset(const dm_mpi_t *ctx, int64_t n_local, int64_t *offset, int64_t *total) {
  int64_t off = 0, tot = 0;
  DM_MPI_CHECK(MPI_Exscan(&n_local, &off, 1, MPI_INT64_T, MPI_SUM, ctx->comm));
  if (ctx->rank == 0) off = 0; /* MPI_Exscan leaves rank 0's result undefined */
  DM_MPI_CHECK(MPI_Allreduce(&n_local, &tot, 1, MPI_INT64_T, MPI_SUM, ctx->comm));
  *offset = off;
  if (total) *total = tot;
}

void dm_mpi_bcast_bytes(const dm_mpi_t *ctx, char **buf, int64_t *len) {
  DM_MPI_CHECK(MPI_Bcast(len, 1, MPI_INT64_T, 0, ctx->comm));
  if (ctx->rank != 0) *buf = dm_malloc("bcast buffer", (size_t)*len + 1);
  for (int64_t done = 0; done < *len;) { /* MPI counts are int: send in pieces */
    int64_t n = *len - done < (1 << 30) ? *len - done : (1 << 30);
    DM_MPI_CHECK(MPI_Bcast(*buf + done, (int)n, MPI_CHAR, 0, ctx->comm));
    done += n;
  }
  if (ctx->rank != 0) (*buf)[*len] = '\0';
}

void dm_mpi_summary(const dm_mpi_t *ctx, int argc, char **argv) {
  double cpu = dm_cpu_time(), cpu_sum = 0;
  double rss = (double)dm_peak_rss(), rss_max = 0, rss_sum = 0;
  DM_MPI_CHECK(MPI_Reduce(&cpu, &cpu_sum, 1, MPI_DOUBLE, MPI_SUM, 0, ctx->comm));
  DM_MPI_CHECK(MPI_Reduce(&rss, &rss_max, 1, MPI_DOUBLE, MPI_MAX, 0, ctx->comm));
  DM_MPI_CHECK(MPI_Reduce(&rss, &rss_sum, 1, MPI_DOUBLE, MPI_SUM, 0, ctx->comm));
  if (ctx->rank != 0) return;
  char cmd[1024] = "";
  for (int i = 0; i < argc; i++) {
    size_t used = strlen(cmd);
    snprintf(cmd + used, sizeof cmd - used, "%s%s", i ? " " : "", argv[i]);
  }
  dm_log_info("version: %s", DM_VERSION);
  dm_log_info("command: %s", cmd);
  dm_log_info("ranks: %d; wall time: %.3f s; CPU time: %.3f s (all ranks)", ctx->size,
              dm_wall_time() - ctx->t0, cpu_sum);
  dm_log_info("peak RSS: %.1f MiB (largest rank), %.1f MiB (all ranks)", rss_max / (1 << 20),
              rss_sum / (1 << 20));
}
