/* dm_seqsrc_open_all: the rows rank 0 parses and broadcasts are the rows each
 * rank would read itself; a bad input fails on every rank alike. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm_log.h"
#include "dm_mem.h"
#include "dm_mpi.h"
#include "dm_seq.h"
#include "dm_test_mpi.h"

/* Open the source both ways and compare every row. */
static void compare(const dm_mpi_t *ctx, const dm_seqsrc_opt_t *opt, const char *what) {
  dm_seqsrc_t *all = dm_seqsrc_open_all(ctx, opt);
  dm_seqsrc_opt_t quiet = *opt;
  quiet.quiet = 1;
  dm_seqsrc_t *own = dm_seqsrc_open(&quiet);
  CHECK(all && own, "%s: open failed", what);
  if (all && own) {
    int64_t n = dm_seqsrc_rows(own), L = dm_seqsrc_length(own);
    CHECK(dm_seqsrc_rows(all) == n && dm_seqsrc_length(all) == L, "%s: shape", what);
    char *s1 = dm_malloc("seq", (size_t)(n * L)), *s2 = dm_malloc("seq", (size_t)(n * L));
    dm_region_t *r1 = dm_calloc("reg", (size_t)n, sizeof *r1), *r2 = dm_calloc("reg", (size_t)n, sizeof *r2);
    CHECK(dm_seqsrc_fetch(all, 0, n, s1, r1) == 0 && dm_seqsrc_fetch(own, 0, n, s2, r2) == 0, "%s: fetch",
          what);
    CHECK(memcmp(s1, s2, (size_t)(n * L)) == 0, "%s: bases differ on rank %d", what, ctx->rank);
    CHECK(memcmp(r1, r2, (size_t)n * sizeof *r1) == 0, "%s: regions differ on rank %d", what, ctx->rank);
    free(s1), free(s2), free(r1), free(r2);
  }
  dm_seqsrc_close(all);
  dm_seqsrc_close(own);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  dm_mpi_t ctx;
  dm_mpi_init(&ctx, MPI_COMM_WORLD);
  dm_log_init(ctx.rank, DM_LOG_ERROR);

  dm_seqsrc_opt_t tsv = {.sequences = DM_TEST_DATA "/deeplift_example/sequences.simdata.gz",
                         .format = "auto",
                         .column = "sequence",
                         .name_column = "seqName"};
  compare(&ctx, &tsv, "example TSV");

  /* BED: rank 0 copies the genome without index; open_all builds it once */
  char genome[64];
  snprintf(genome, sizeof genome, "seq_mpi_np%d_genome.fa", ctx.size);
  if (ctx.rank == 0) {
    char cmd[300];
    snprintf(cmd, sizeof cmd, "cp %s/io/genome.fa %s && rm -f %s.fai", DM_TEST_DATA, genome, genome);
    CHECK(system(cmd) == 0, "copy genome");
  }
  MPI_Barrier(ctx.comm);
  dm_seqsrc_opt_t bed = {.bed = DM_TEST_DATA "/io/regions.bed", .genome = genome, .length = 6};
  compare(&ctx, &bed, "regions.bed");

  dm_seqsrc_opt_t bad = bed;
  bad.bed = DM_TEST_DATA "/io/bad.bed";
  dm_log_init(ctx.rank, DM_LOG_ERROR - 1); /* the expected error is not news */
  dm_seqsrc_t *s = dm_seqsrc_open_all(&ctx, &bad);
  CHECK(s == NULL, "bad.bed opened on rank %d", ctx.rank);
  dm_seqsrc_close(s);
  MPI_Barrier(ctx.comm);
  if (ctx.rank == 0) {
    char fai[80];
    snprintf(fai, sizeof fai, "%s.fai", genome);
    remove(genome), remove(fai);
  }

  return dm_test_finish_mpi("test_seq_mpi");
}
