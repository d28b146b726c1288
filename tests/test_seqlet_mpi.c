/* The seqlet step distributed as DESIGN.md §2 asks (the recipe of
 * dm_seqlet.h): rows in rank blocks, samples merged with Allgatherv,
 * thresholds on every rank, metacluster caps by an exclusive scan. Rank 0
 * compares the gathered seqlets with the same step on all rows at once:
 * identical on 1, 2 and 4 ranks. */
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "dm_log.h"
#include "dm_mpi.h"
#include "dm_seqlet.h"
#include "dm_test_mpi.h"

enum { NE = 60, LE = 150 };

/* Every rank makes the same examples: noise plus one 8-bp motif of sign
 * +, - or none per example. */
static void make_examples(float *c) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 7);
  memset(c, 0, NE * LE * 4 * sizeof *c);
  for (int i = 0; i < NE; i++) {
    int pos = 25 + (int)gsl_rng_uniform_int(r, 90), sgn = i % 3 - 1;
    for (int l = 0; l < LE; l++) {
      float x = (float)gsl_ran_gaussian(r, 0.03) + (l >= pos && l < pos + 8 ? 0.4f * (float)sgn : 0.0f);
      c[(i * LE + l) * 4 + gsl_rng_uniform_int(r, 4)] = x;
    }
  }
  gsl_rng_free(r);
}

/* The step on rows [r0, r0 + n) of c; with ctx, the other ranks hold the
 * other rows. Returns the seqlets (malloc'd) and their number. */
static dm_seqlet_t *run(const dm_mpi_t *ctx, const dm_seqlet_opt_t *o, const float *c, int64_t r0, int64_t n,
                        size_t *n_out, dm_seqlet_thr_t *thr) {
  size_t nw = dm_seqlet_n_windows(o, LE);
  double *S = malloc(((size_t)n * nw + 1) * sizeof *S), *work = malloc(nw * sizeof *work);
  CHECK(dm_seqlet_window_sums(o, c + r0 * LE * 4, (size_t)n, LE, S) == 0, "sums");
  double prob = dm_seqlet_sample_prob(o, NE * nw);
  int k = (int)dm_seqlet_sample(o, S, (size_t)n, nw, r0, prob, NULL), size = ctx ? ctx->size : 1;
  int *counts = malloc((size_t)size * sizeof *counts), *displs = malloc((size_t)size * sizeof *displs);
  counts[0] = k;
  if (ctx) MPI_Allgather(&k, 1, MPI_INT, counts, 1, MPI_INT, ctx->comm);
  int total = 0;
  for (int i = 0; i < size; i++) displs[i] = total, total += counts[i];
  double *sample = malloc(((size_t)total + 1) * sizeof *sample);
  int me = ctx ? ctx->rank : 0;
  dm_seqlet_sample(o, S, (size_t)n, nw, r0, prob, sample + displs[me]);
  if (ctx) MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, sample, counts, displs, MPI_DOUBLE, ctx->comm);
  CHECK(dm_seqlet_thresholds(o, sample, (size_t)total, thr) == 0, "thresholds");
  size_t ns = dm_seqlet_extract(o, thr, S, (size_t)n, nw, r0, work, NULL);
  dm_seqlet_t *s = malloc((ns + 1) * sizeof *s);
  dm_seqlet_extract(o, thr, S, (size_t)n, nw, r0, work, s);
  size_t cnt[2], kept[2];
  dm_seqlet_assign(thr, s, ns, cnt);
  unsigned long mine[2] = {cnt[0], cnt[1]}, before[2] = {0, 0};
  if (ctx) MPI_Exscan(mine, before, 2, MPI_UNSIGNED_LONG, MPI_SUM, ctx->comm);
  if (me == 0) before[0] = before[1] = 0; /* Exscan leaves rank 0's undefined */
  size_t b[2] = {before[0], before[1]};
  dm_seqlet_cap(o, s, ns, b, kept);
  free(S);
  free(work);
  free(sample);
  free(counts);
  free(displs);
  *n_out = ns;
  return s;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  dm_mpi_t ctx;
  dm_mpi_init(&ctx, MPI_COMM_WORLD);
  dm_log_init(ctx.rank, DM_LOG_WARN);
  float *c = malloc(NE * LE * 4 * sizeof *c);
  make_examples(c);
  dm_seqlet_opt_t o;
  dm_seqlet_opt_init(&o);
  o.sample_cap = 3000; /* of 60 * 130 windows: the sample matters */
  o.max_seqlets = 10;  /* and so does the cap */

  int64_t r0, n;
  dm_mpi_block_range(NE, ctx.size, ctx.rank, &r0, &n);
  size_t ns;
  dm_seqlet_thr_t thr;
  dm_seqlet_t *s = run(&ctx, &o, c, r0, n, &ns, &thr);

  int bytes = (int)(ns * sizeof *s), *counts = malloc((size_t)ctx.size * sizeof *counts);
  int *displs = malloc((size_t)ctx.size * sizeof *displs), total = 0;
  MPI_Gather(&bytes, 1, MPI_INT, counts, 1, MPI_INT, 0, ctx.comm);
  for (int i = 0; ctx.rank == 0 && i < ctx.size; i++) displs[i] = total, total += counts[i];
  dm_seqlet_t *all = malloc((size_t)total + sizeof *all);
  MPI_Gatherv(s, bytes, MPI_BYTE, all, counts, displs, MPI_BYTE, 0, ctx.comm);

  if (ctx.rank == 0) {
    size_t ref_n;
    dm_seqlet_thr_t ref_thr;
    dm_seqlet_t *ref = run(NULL, &o, c, 0, NE, &ref_n, &ref_thr);
    size_t got = (size_t)total / sizeof *all;
    CHECK(got == ref_n && ref_n > 0, "%zu seqlets on %d ranks, %zu on one", got, ctx.size, ref_n);
    CHECK(thr.pos == ref_thr.pos && thr.neg == ref_thr.neg && thr.sign_threshold == ref_thr.sign_threshold,
          "thresholds differ");
    int diff = 0, in_mc[2] = {0, 0};
    for (size_t i = 0; i < got && i < ref_n; i++) {
      diff += all[i].example != ref[i].example || all[i].start != ref[i].start || all[i].end != ref[i].end ||
              all[i].metacluster != ref[i].metacluster ||
              memcmp(&all[i].score, &ref[i].score, sizeof(double));
      if (all[i].metacluster) in_mc[all[i].metacluster > 0 ? 0 : 1]++;
    }
    CHECK(diff == 0, "%d seqlets differ from the 1-block run", diff);
    CHECK(in_mc[0] == 10 && in_mc[1] == 10, "kept %d + %d, cap 10", in_mc[0], in_mc[1]);
    free(ref);
  }
  free(all);
  free(counts);
  free(displs);
  free(s);
  free(c);
  return dm_test_finish_mpi("test_seqlet_mpi");
}
