/* The seqlet step distributed over ranks (dm_seqlet_call_mpi, dm_seqlet.h). */
#include "dm_seqlet.h"

/* Standard headers. */
#include <stdlib.h>

/* Local headers. */
#include "dm_mem.h"

/* The merged window-sum sample of all ranks ((total,) on every rank, in
 * rank order). S (n, nw) are this rank's window sums of rows r0 ... */
static double *gather_sample(const dm_mpi_t *ctx, const dm_seqlet_opt_t *o, const double *S, int64_t n,
                             size_t nw, int64_t r0, double prob, int *counts, int *displs, int *total) {
  int k = (int)dm_seqlet_sample(o, S, (size_t)n, nw, r0, prob, NULL);
  DM_MPI_CHECK(MPI_Allgather(&k, 1, MPI_INT, counts, 1, MPI_INT, ctx->comm));
  *total = 0;
  for (int i = 0; i < ctx->size; i++) displs[i] = *total, *total += counts[i];
  double *sample = dm_malloc("window sample", ((size_t)*total + 1) * sizeof *sample);
  dm_seqlet_sample(o, S, (size_t)n, nw, r0, prob, sample + displs[ctx->rank]);
  DM_MPI_CHECK(
      MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, sample, counts, displs, MPI_DOUBLE, ctx->comm));
  return sample;
}

/* Extract this rank's seqlets, assign and cap them (global offsets by an
 * exclusive scan); keeps those in a metacluster. found: (positive, negative,
 * all) over all ranks. @return the seqlets (malloc'd), *m of them */
static dm_seqlet_t *extract_mine(const dm_mpi_t *ctx, const dm_seqlet_opt_t *o, const dm_seqlet_thr_t *thr,
                                 const double *S, int64_t n, size_t nw, int64_t r0, int *m,
                                 unsigned long found[3]) {
  double *work = dm_malloc("extract work", (nw + 1) * sizeof *work);
  size_t ns = dm_seqlet_extract(o, thr, S, (size_t)n, nw, r0, work, NULL);
  dm_seqlet_t *s = dm_malloc("seqlets", (ns + 1) * sizeof *s);
  dm_seqlet_extract(o, thr, S, (size_t)n, nw, r0, work, s);
  free(work);
  size_t cnt[2], kept[2];
  dm_seqlet_assign(thr, s, ns, cnt);
  unsigned long mine[3] = {cnt[0], cnt[1], ns}, before[3] = {0, 0, 0};
  DM_MPI_CHECK(MPI_Exscan(mine, before, 2, MPI_UNSIGNED_LONG, MPI_SUM, ctx->comm));
  DM_MPI_CHECK(MPI_Allreduce(mine, found, 3, MPI_UNSIGNED_LONG, MPI_SUM, ctx->comm));
  if (ctx->rank == 0) before[0] = before[1] = 0; /* Exscan leaves rank 0's undefined */
  size_t b[2] = {before[0], before[1]};
  dm_seqlet_cap(o, s, ns, b, kept);
  *m = 0;
  for (size_t i = 0; i < ns; i++)
    if (s[i].metacluster) s[(*m)++] = s[i];
  return s;
}

int dm_seqlet_call_mpi(const dm_mpi_t *ctx, const dm_seqlet_opt_t *o, const float *contrib,
                       int64_t n_examples, int length, dm_seqlet_t **out, int *n_out) {
  *out = NULL;
  *n_out = 0;
  int64_t r0, n;
  dm_mpi_block_range(n_examples, ctx->size, ctx->rank, &r0, &n);
  size_t nw = dm_seqlet_n_windows(o, length);
  double *S = dm_malloc("window sums", ((size_t)n * nw + 1) * sizeof *S);
  /* the same verdicts on every rank (L, w and the merged sample are
   * shared): rank 0 alone reports them */
  int prev = dm_log_collective(1);
  if (dm_seqlet_window_sums(o, contrib, (size_t)n, length, S) < 0) {
    dm_log_collective(prev);
    free(S);
    return -1;
  }
  int *counts = dm_malloc("sample counts", (size_t)ctx->size * sizeof *counts);
  int *displs = dm_malloc("sample displs", (size_t)ctx->size * sizeof *displs), total;
  double prob = dm_seqlet_sample_prob(o, (size_t)n_examples * nw);
  double *sample = gather_sample(ctx, o, S, n, nw, r0, prob, counts, displs, &total);
  dm_seqlet_thr_t thr;
  int bad = total == 0 || dm_seqlet_thresholds(o, sample, (size_t)total, &thr) < 0;
  free(sample);
  if (bad) dm_log_error("no usable window sums for the seqlet thresholds (%d sampled)", total);
  dm_log_collective(prev);
  if (bad) {
    free(S), free(counts), free(displs);
    return -1;
  }
  int m;
  unsigned long found[3];
  dm_seqlet_t *s = extract_mine(ctx, o, &thr, S, n, nw, r0, &m, found);
  free(S);
  int bytes = m * (int)sizeof *s;
  DM_MPI_CHECK(MPI_Allgather(&bytes, 1, MPI_INT, counts, 1, MPI_INT, ctx->comm));
  total = 0;
  for (int i = 0; i < ctx->size; i++) displs[i] = total, total += counts[i];
  dm_seqlet_t *all = dm_malloc("all seqlets", (size_t)total + sizeof *all);
  DM_MPI_CHECK(MPI_Allgatherv(s, bytes, MPI_BYTE, all, counts, displs, MPI_BYTE, ctx->comm));
  free(s);
  free(counts);
  free(displs);
  dm_log_info(
      "seqlets: thresholds %.6g / %.6g (isotonic %.6g / %.6g, %s, %.4f of %zu sampled windows pass), "
      "sign threshold %.6g, Laplace null mu %.6g",
      thr.pos, thr.neg, thr.pos_iso, thr.neg_iso,
      thr.clamped > 0   ? "raised to min_passing_frac"
      : thr.clamped < 0 ? "lowered to max_passing_frac"
                        : "not clamped",
      thr.frac_passing, thr.n_sample, thr.sign_threshold, thr.null.mu);
  *out = all;
  *n_out = total / (int)sizeof *all;
  dm_log_info(
      "seqlets: %lu found, %lu positive, %lu negative, %lu of neither sign; %d kept (max_seqlets %ld "
      "per metacluster)",
      found[2], found[0], found[1], found[2] - found[0] - found[1], *n_out, o->max_seqlets);
  return 0;
}
