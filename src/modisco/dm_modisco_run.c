/* dm_modisco_run: stage 2 driver (see dm_modisco_run.h). */
#include "dm_modisco_run.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "dm_affinity.h"
#include "dm_cj.h"
#include "dm_digest.h"
#include "dm_keyed.h"
#include "dm_mem.h"
#include "dm_modisco_h5.h"
#include "dm_modisco_input.h"
#include "dm_shm.h"
#include "dm_sparse.h"
#include "dm_version.h"

// --- options

int dm_modisco_job_from_params(dm_modisco_job_t *job, const dm_params_t *p) {
  memset(job, 0, sizeof *job);
  job->attr = dm_params_get_optional(p, "Input:attr");
  job->onehot = dm_params_get_optional(p, "Input:onehot");
  job->hyp = dm_params_get_optional(p, "Input:hyp");
  job->task = dm_params_get_int(p, "Input:task");
  job->center_hyp = dm_params_get_bool(p, "Input:center_hyp");
  job->block_rows = dm_params_get_int(p, "Input:block_rows");
  job->output = dm_params_get_string(p, "Output:file");
  job->overwrite = dm_params_get_bool(p, "Output:overwrite");
  job->nearest_neighbors = (int)dm_params_get_int(p, "Affinity:nearest_neighbors");
  job->corr_threshold = dm_params_get_float(p, "Affinity:correlation_threshold");
  job->kmer.topn = (int)dm_params_get_int(p, "Affinity:kmer_topn");
  job->kmer.min_k = (int)dm_params_get_int(p, "Affinity:kmer_min_k");
  job->kmer.max_k = (int)dm_params_get_int(p, "Affinity:kmer_max_k");
  job->kmer.max_gap = (int)dm_params_get_int(p, "Affinity:kmer_max_gap");
  job->kmer.max_len = (int)dm_params_get_int(p, "Affinity:kmer_max_len");
  job->kmer.max_entries = (int)dm_params_get_int(p, "Affinity:kmer_max_entries");
  job->block_columns = (int)dm_params_get_int(p, "Affinity:block_columns");
  job->progress_seconds = dm_params_get_float(p, "Log:progress_seconds");
  job->sub_perplexity = dm_params_get_float(p, "Subpatterns:perplexity");
  job->sub_min_seqlets = (int)dm_params_get_int(p, "Subpatterns:min_seqlets");
  if (dm_seqlet_opt_from_params(&job->seqlet, p) < 0 || dm_density_opt_from_params(&job->density, p) < 0 ||
      dm_cluster_opt_from_params(&job->cluster, p) < 0 || dm_pattern_opt_from_params(&job->pattern, p) < 0 ||
      dm_merge_opt_from_params(&job->merge, p) < 0 || dm_kmer_opt_check(&job->kmer) < 0)
    return -1;
  if (!job->attr && (!job->onehot || !job->hyp)) {
    dm_log_error("give Input:attr, or both Input:onehot and Input:hyp");
    return -1;
  }
  if (job->attr && (job->onehot || job->hyp)) {
    dm_log_error("give Input:attr or Input:onehot + Input:hyp, not both");
    return -1;
  }
  if (job->block_rows < 1 || job->nearest_neighbors < 1 || job->block_columns < 1 ||
      !(job->sub_perplexity > 1) || job->sub_min_seqlets < 1 || job->task < 0) {
    dm_log_error(
        "Input:block_rows, Affinity:nearest_neighbors, Affinity:block_columns and "
        "Subpatterns:min_seqlets must be >= 1, "
        "Subpatterns:perplexity > 1, Input:task >= 0");
    return -1;
  }
  return 0;
}

// --- step log

/* "step <name>: <s> s, peak RSS <MiB> MiB (node-shared arrays at most <MiB>
 * MiB of it), cpu <s> s (least busy rank <s> s)" on rank 0: wall seconds
 * since *t0; the largest peak RSS of any rank during the step (it counts
 * the node-shared pages the rank touched, held once per node: the second
 * figure is the most of those held at once); the largest and the smallest
 * CPU seconds of any rank during the step (their ratio shows the
 * imbalance). *t0 and the CPU mark are reset to now and the peak RSS
 * window restarted. Collective. */
static void step_done(const dm_mpi_t *ctx, double *t0, const char *fmt, ...) {
  static double c0 = 0.0; /* CPU seconds at the end of the last step */
  char name[128];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(name, sizeof name, fmt, ap);
  va_end(ap);
  double cpu = dm_cpu_time() - c0;
  const double mib = 1024.0 * 1024.0;
  double mine[4] = {(double)dm_window_peak_rss() / mib, cpu, -cpu, (double)dm_shm_window_peak() / mib},
         most[4];
  DM_MPI_CHECK(MPI_Allreduce(mine, most, 4, MPI_DOUBLE, MPI_MAX, ctx->comm));
  double now = dm_wall_time();
  dm_log_info(
      "step %s: %.3f s, peak RSS %.1f MiB (node-shared arrays at most %.1f MiB of it), "
      "cpu %.3f s (least busy rank %.3f s)",
      name, now - *t0, most[0], most[3], most[1], -most[2]);
  (void)dm_peak_rss_reset(); /* if it cannot, every step shows the peak so far */
  dm_shm_peak_reset();
  c0 = dm_cpu_time();
  *t0 = now;
}

// --- step 1: seqlets

// --- steps 2-3: affinity rows

/* The windows of one round's seqlets: (n, L, 4) one-hot, contributions and
 * hypothetical contributions, node-shared. */
typedef struct {
  float *oh, *co, *hy;
  dm_shm_t *shm[3];
} windows_t;

/* The windows of seqlets s[0..n), dropping (compacting away) seqlets whose
 * window holds no base or leaves its example; each rank fetches its block
 * of the rest. Returns L, or -1 if the seqlets differ in length (logged;
 * nothing allocated). */
static int fetch_windows(const dm_mpi_t *ctx, const dm_tracks_t *t, dm_seqlet_t *s, int *n, windows_t *w) {
  int len = *n > 0 ? s[0].end - s[0].start : 0, m = 0;
  memset(w, 0, sizeof *w);
  for (int i = 0; i < *n; i++)
    if (s[i].end - s[i].start != len) {
      dm_log_error("seqlets of one round differ in length (%d and %d)", len, s[i].end - s[i].start);
      return -1;
    }
  for (int i = 0; i < *n; i++)
    if (dm_pattern_fetch(t, &s[i], NULL, NULL, NULL) == 0) s[m++] = s[i];
  *n = m;
  size_t row = (size_t)len * 4;
  float *oh, *co, *hy;
  oh = dm_shm_alloc(ctx, "seqlet onehot", (size_t)m * row * sizeof *oh, &w->shm[0]);
  co = dm_shm_alloc(ctx, "seqlet contrib", (size_t)m * row * sizeof *co, &w->shm[1]);
  hy = dm_shm_alloc(ctx, "seqlet hyp", (size_t)m * row * sizeof *hy, &w->shm[2]);
  int64_t a, c;
  dm_mpi_block_range(m, ctx->size, ctx->rank, &a, &c);
  for (int64_t i = a; i < a + c; i++)
    (void)dm_pattern_fetch(t, &s[i], oh + i * row, co + i * row, hy + i * row);
  for (int k = 0; k < 3; k++) dm_shm_gather_blocks(w->shm[k], m, row * sizeof *oh);
  w->oh = oh, w->co = co, w->hy = hy;
  return len;
}

/* Free the windows not freed yet. Collective. */
static void free_windows(windows_t *w) {
  for (int k = 0; k < 3; k++) dm_shm_free(w->shm[k]), w->shm[k] = NULL;
}

/* Coarse top-k (gapped k-mer similarity) of rows [a, a + nb) of n seqlets
 * (the rank's block of dm_mpi_block_range), the columns streamed in
 * blocks: each rank embeds its rows (forward strand) and indexes them in
 * tiles of dm_kmer_tile_rows(block) rows; the columns come in blocks of
 * `block` seqlets, their forward strands taken back from the ranks' tiles
 * and their reverse strands embedded by all ranks together (every rank
 * reads every seqlet's window, node-shared: each embeds a share of the
 * block's rows), then allgathered, indexed,
 * and met by every tile, merged into every rank's running lists (the ranks
 * go block by block together: rank 0 logs their progress every
 * progress_seconds). Memory: the rank's rows (tiles, nbr, sim) plus one
 * block. nbr (nb, k), sim (nb, k). */
static void coarse_rows(const dm_mpi_t *ctx, const dm_kmer_opt_t *ko, const float *oh, const float *co, int n,
                        int len, int sign, int k, int block, double progress_seconds, int a, int nb,
                        int32_t *nbr, double *sim) {
  int stride = ko->max_entries;
  void *ework = dm_malloc("k-mer work", dm_kmer_embed_work_size(ko, len) + 8);
  int tile = dm_kmer_tile_rows(block), cap = block > tile ? block : tile;
  dm_kmer_emb_t e[2]; /* one block or one query tile: forward, reverse complement */
  for (int rc = 0; rc < 2; rc++)
    e[rc] = (dm_kmer_emb_t){cap, stride, dm_malloc("k-mer keys", (size_t)cap * stride * sizeof(int64_t) + 8),
                            dm_malloc("k-mer values", (size_t)cap * stride * sizeof(double) + 8),
                            dm_malloc("k-mer counts", (size_t)cap * sizeof(int32_t) + 8)};
  /* the rank's rows as tiles of query rows (tile t: rows a + t * tile ..) */
  int nt = (nb + tile - 1) / tile;
  dm_kmer_index_t **q = dm_malloc("k-mer query tiles", ((size_t)nt + 1) * sizeof *q);
  for (int t = 0; t < nt; t++) {
    e[0].n = nb - t * tile < tile ? nb - t * tile : tile;
    dm_kmer_embed_rows(oh, co, len, (float)sign, 0, a + t * tile, a + t * tile + e[0].n, ko, ework, &e[0]);
    q[t] = dm_kmer_index_init(&e[0], 1);
  }
  int32_t *cnt = dm_calloc("top-k counts", (size_t)nb + 1, sizeof *cnt);
  void *twork = dm_malloc("top-k work", dm_kmer_topk_work_size(tile, block) + 8);
  dm_progress_t pr;
  dm_progress_start(&pr, "coarse column blocks", (n + block - 1) / block, progress_seconds);
  dm_kmer_index_t *idx = NULL; /* the column block's, rebuilt in place */
  for (int c0 = 0; c0 < n; c0 += block) {
    int c = n - c0 < block ? n - c0 : block;
    int64_t pa, pn; /* this rank's share of the block's rows */
    dm_mpi_block_range(c, ctx->size, ctx->rank, &pa, &pn);
    /* forward: this rank's query rows in the block, back from their tiles */
    for (int r = c0 > a ? c0 : a, end = c0 + c < a + nb ? c0 + c : a + nb; r < end;) {
      int t = (r - a) / tile, t0 = a + t * tile, t1 = t0 + tile < end ? t0 + tile : end;
      size_t o = (size_t)(r - c0) * stride;
      dm_kmer_emb_t part = {t1 - r, stride, e[0].key + o, e[0].val + o, e[0].nnz + (r - c0)};
      dm_kmer_index_rows(q[t], r - t0, t1 - t0, &part);
      r = t1;
    }
    /* reverse: embedded in shares of the block */
    size_t o = (size_t)pa * stride;
    dm_kmer_emb_t part = {(int)pn, stride, e[1].key + o, e[1].val + o, e[1].nnz + pa};
    dm_kmer_embed_rows(oh, co, len, (float)sign, 1, c0 + (int)pa, c0 + (int)(pa + pn), ko, ework, &part);
    for (int rc = 0; rc < 2; rc++) {
      int64_t total = rc ? c : n,
              p0 = rc ? 0 : c0; /* forward: rows of the query blocks; reverse: of the shares */
      dm_modisco_gather_part(ctx, e[rc].key, total, p0, c, stride, MPI_INT64_T);
      dm_modisco_gather_part(ctx, e[rc].val, total, p0, c, stride, MPI_DOUBLE);
      dm_modisco_gather_part(ctx, e[rc].nnz, total, p0, c, 1, MPI_INT32_T);
      e[rc].n = c;
    }
    idx = dm_kmer_index_rebuild(idx, e, 2);
    for (int t = 0; t < nt; t++) {
      size_t o = (size_t)t * tile;
      dm_kmer_topk_merge(q[t], idx, c0, k, twork, nbr + o * k, sim + o * k, cnt + o);
    }
    if (ctx->rank == 0) dm_progress_add(&pr, 1);
  }
  dm_kmer_topk_finish(nb, k, cnt, nbr, sim);
  dm_kmer_index_destroy(idx);
  free(twork);
  free(cnt);
  for (int t = 0; t < nt; t++) dm_kmer_index_destroy(q[t]);
  free(q);
  for (int rc = 0; rc < 2; rc++) free(e[rc].key), free(e[rc].val), free(e[rc].nnz);
  free(ework);
}

/* Fine similarity (continuous Jaccard, best offset and strand) of rows
 * [a, a + nb) with their coarse neighbours; the tracks of all seqlets are
 * made (node-shared, each rank its block), the windows freed, then the
 * tracks' summaries made the same way. fine (nb, k). */
static void fine_rows(const dm_mpi_t *ctx, windows_t *w, int n, int len, double min_overlap, int k, int a,
                      int nb, const int32_t *nbr, float *fine) {
  size_t row = (size_t)len * 8, srow = 2 * dm_cj_summary_size(len, 8);
  dm_shm_t *shm[3];
  float *fwd = dm_shm_alloc(ctx, "fine tracks", (size_t)n * row * sizeof *fwd, &shm[0]);
  float *rev = dm_shm_alloc(ctx, "fine tracks rc", (size_t)n * row * sizeof *rev, &shm[1]);
  int64_t r0, c;
  dm_mpi_block_range(n, ctx->size, ctx->rank, &r0, &c);
  for (int64_t i = r0; i < r0 + c; i++) {
    dm_cj_track(w->hy + (size_t)i * len * 4, w->co + (size_t)i * len * 4, len, fwd + i * row);
    dm_cj_revcomp(fwd + i * row, len, 8, rev + i * row);
  }
  for (int t = 0; t < 2; t++) dm_shm_gather_blocks(shm[t], n, row * sizeof *fwd);
  free_windows(w);
  float *sums = dm_shm_alloc(ctx, "fine track summaries", (size_t)n * srow * sizeof *sums, &shm[2]);
  dm_affinity_summaries(fwd, rev, len, 8, (int)r0, (int)(r0 + c), sums);
  dm_shm_gather_blocks(shm[2], n, srow * sizeof *sums);
  int pad = dm_cj_pad(len, min_overlap, 0);
  float *work = dm_malloc("fine work", dm_affinity_fine_work_size(len, 8, pad) * sizeof *work + 1);
  dm_affinity_fine(fwd, rev, sums, len, 8, pad, a, a + nb, k, nbr, work, fine);
  free(work);
  for (int t = 0; t < 3; t++) dm_shm_free(shm[t]);
}

/* The affinity rows of this rank's kept rows (new_index >= 0) with their
 * kept neighbours, renumbered, as an m x m matrix whose other rows are
 * empty: each rank filters its rows [a, a + nb) (nbr, fine (nb, k),
 * overwritten); its kept rows are [*r0, *r0 + *nr) of the m kept rows.
 * Only kept entries are held, and no rank holds the others' rows. */
static dm_sparse_t *kept_rows(const dm_mpi_t *ctx, int m, int k, int a, int nb, const int32_t *new_index,
                              int32_t *nbr, float *fine, int64_t *r0, int64_t *nr) {
  int64_t *ptr = dm_malloc("kept rows", ((size_t)nb + 1) * sizeof *ptr);
  int64_t e = dm_affinity_filter_rows(a, a + nb, k, nbr, fine, new_index, ptr, nbr, fine), kept = 0;
  for (int i = a; i < a + nb; i++) kept += new_index[i] >= 0;
  dm_mpi_offset(ctx, kept, r0, NULL); /* kept rows are numbered in row order, ranks in order */
  *nr = kept;
  dm_sparse_t *aff = dm_sparse_init(m, e);
  memcpy(aff->col, nbr, (size_t)e * sizeof *nbr);
  memcpy(aff->val, fine, (size_t)e * sizeof *fine);
  for (int64_t r = 0; r < kept; r++) aff->rowptr[*r0 + r + 1] = ptr[r + 1];
  for (int64_t i = *r0 + kept; i < m; i++) aff->rowptr[i + 1] = e;
  free(ptr);
  return aff;
}

// --- steps 4-5: density adaptation and clustering

/* Labels (n,) of the clusters of affinity rows aff (freed here, as soon as
 * it is used, as is the density-adapted matrix: the graph's peak memory is
 * the clustering's, on the ranks that run a seed), density-adapted as the
 * clustering rounds do (tsne = 0: aff holds this rank's rows [r0, r0 +
 * nr), the whole adapted graph is gathered only where a Leiden seed runs)
 * or as subclustering does (tsne = 1: aff whole, on every rank); returns
 * the number of clusters, -1 on failure (logged). */
static int64_t cluster_rows(const dm_mpi_t *ctx, dm_sparse_t *aff, int64_t r0, int64_t nr,
                            const dm_density_opt_t *dopt, int tsne, const dm_cluster_opt_t *copt,
                            int32_t *labels, const char *what, double *t0) {
  int runs = dm_cluster_runs_here(ctx, copt), rc = 0;
  int64_t n = aff->n, entries = 0;
  dm_sparse_t *p = NULL;
  if (tsne) {
    p = dm_density_tsne(aff, dopt); /* the same on every rank */
    rc = p ? 0 : -1;
    entries = p ? p->rowptr[n] : 0;
  } else {
    rc = dm_density_run_mpi(ctx, aff, r0, nr, dopt, runs, &p, &entries);
  }
  dm_sparse_destroy(aff);
  if (rc < 0) return -1;
  step_done(ctx, t0, "%s density", what);
  /* only the ranks that run a Leiden seed build the igraph copy */
  dm_cluster_graph_t *g = runs ? dm_cluster_graph_init(p) : NULL;
  dm_sparse_destroy(p);
  dm_cluster_result_t res = {.labels = labels};
  rc = dm_cluster_run_mpi(ctx, g, n, copt, &res);
  dm_log_info("%s: density-adapted graph %ld entries; %ld clusters, modularity %.6f (run %ld of %ld)", what,
              (long)entries, (long)res.n_clusters, res.modularity, res.run, copt->n_seeds);
  dm_cluster_graph_destroy(g);
  step_done(ctx, t0, "%s cluster", what);
  return rc < 0 ? -1 : res.n_clusters;
}

// --- steps 2-6: one clustering round

/* One round on seqlets s[0..*n) (compacted to the usable ones): affinity,
 * filter (round 0), density, clustering, one pattern per cluster. Returns
 * the patterns (malloc'd array, *n_pat of them; NULL if none) or sets *err. */
static dm_pattern_t **run_round(const dm_mpi_t *ctx, const dm_modisco_job_t *job, const dm_tracks_t *t,
                                dm_seqlet_t *s, int *n, int sign, int round, const double bg[4],
                                const char *mc, int *n_pat, int *err, double *t0) {
  char what[64];
  snprintf(what, sizeof what, "%s round %d", mc, round + 1);
  windows_t w;
  int len = fetch_windows(ctx, t, s, n, &w), nn = *n;
  dm_pattern_t **pat = NULL;
  *n_pat = 0;
  if (len < 0) *err = 1;
  /* Merging only joins patterns of this metacluster: with fewer seqlets than
   * the final filters' minimum, no pattern can pass them. */
  if (len < 0 || nn < 2 || nn < job->pattern.min_seqlets) {
    if (len >= 0)
      dm_log_info(
          "%s: %d seqlets, fewer than Patterns:final_min_cluster_size (%d): no pattern can pass the "
          "final filters, not clustered",
          what, nn, job->pattern.min_seqlets);
    free_windows(&w);
    return NULL;
  }
  int k = job->nearest_neighbors + 1 < nn ? job->nearest_neighbors + 1 : nn;
  int64_t a64, nb64;
  dm_mpi_block_range(nn, ctx->size, ctx->rank, &a64, &nb64);
  int a = (int)a64, nb = (int)nb64;
  double *sim = dm_malloc("coarse affinity", ((size_t)nb * k + 1) * sizeof *sim);
  int32_t *nbr = dm_malloc("coarse neighbours", ((size_t)nb * k + 1) * sizeof *nbr);
  coarse_rows(ctx, &job->kmer, w.oh, w.co, nn, len, sign, k, job->block_columns, job->progress_seconds, a, nb,
              nbr, sim);
  dm_shm_free(w.shm[0]), w.shm[0] = NULL; /* the one-hot: only the coarse step reads it */
  step_done(ctx, t0, "%s coarse", what);
  float *fine = dm_malloc("fine affinity", ((size_t)nb * k + 1) * sizeof *fine);
  fine_rows(ctx, &w, nn, len, job->pattern.min_overlap, k, a, nb, nbr, fine);
  /* round 1 keeps the rows passing the correlation filter, round 2 all */
  int32_t *new_index = dm_malloc("filter index", (size_t)nn * sizeof *new_index);
  int m = 0;
  if (round == 0) {
    double *corr = dm_malloc("correlations", (size_t)nn * sizeof *corr);
    double *work = dm_malloc("spearman work", 6 * (size_t)k * sizeof *work);
    dm_affinity_spearman_rows(fine, sim, a, a + nb, k, work, corr + a);
    free(work);
    dm_modisco_gather_blocks(ctx, corr, nn, 1, MPI_DOUBLE);
    for (int i = 0; i < nn; i++) new_index[i] = corr[i] > job->corr_threshold ? m++ : -1;
    free(corr);
  } else {
    for (; m < nn; m++) new_index[m] = m;
  }
  free(sim);
  int64_t r0, nr, entries;
  dm_sparse_t *aff = kept_rows(ctx, m, k, a, nb, new_index, nbr, fine, &r0, &nr);
  DM_MPI_CHECK(MPI_Allreduce(&aff->rowptr[m], &entries, 1, MPI_INT64_T, MPI_SUM, ctx->comm));
  free(nbr);
  free(fine);
  for (int i = 0; i < nn; i++)
    if (new_index[i] >= 0) s[new_index[i]] = s[i];
  free(new_index);
  if (round == 0)
    dm_log_info("%s: correlation filter (Spearman > %g) kept %d of %d seqlets", what, job->corr_threshold, m,
                nn);
  dm_log_info("%s: %d seqlets of %d bp, %d neighbours each; affinity %ld entries (%.3g%% of %d^2)", what, m,
              len, k, (long)entries, 100.0 * (double)entries / ((double)m * m + 1e-300), m);
  step_done(ctx, t0, "%s fine", what);
  int32_t *labels = dm_malloc("cluster labels", ((size_t)m + 1) * sizeof *labels);
  int64_t nc = 0;
  if (m > 1 && m >= job->pattern.min_seqlets)
    nc = cluster_rows(ctx, aff, r0, nr, &job->density, 0, &job->cluster, labels, what, t0);
  else
    dm_sparse_destroy(aff);
  if (nc < 0) *err = 1;
  *n = m;
  if (nc > 0) {
    pat = dm_malloc("patterns", (size_t)nc * sizeof *pat);
    dm_seqlet_t *members = dm_malloc("cluster members", (size_t)m * sizeof *members);
    for (int64_t c = 0; c < nc; c++) {
      int cnt = 0;
      for (int i = 0; i < m; i++)
        if (labels[i] == c) members[cnt++] = s[i];
      dm_pattern_t *p = dm_pattern_from_cluster(t, members, cnt, &job->pattern, bg, sign);
      if (p) pat[(*n_pat)++] = p;
    }
    free(members);
    dm_log_info(
        "%s: %ld clusters -> %d patterns (%ld dropped: polishing found no %d-bp window, or the CWM "
        "sum has the other sign)",
        what, (long)nc, *n_pat, (long)nc - *n_pat, job->pattern.window_size);
  }
  free(labels);
  step_done(ctx, t0, "%s patterns", what);
  return pat;
}

// --- subpatterns and merging

/* dm_merge_split_t's sum over the ranks of ctx (a const dm_mpi_t *). */
static void sum_over_ranks(void *ctx, double *v, size_t n) {
  const dm_mpi_t *c = ctx;
  DM_ASSERT(n <= INT32_MAX);
  DM_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, v, (int)n, MPI_DOUBLE, MPI_SUM, c->comm));
}

/* dm_merge_patterns with its pair statistics shared out over the ranks. */
static int merge_patterns(const dm_mpi_t *ctx, dm_pattern_t *const *in, int n, const dm_tracks_t *t,
                          const dm_modisco_job_t *job, const double bg[4], dm_pattern_t ***out) {
  dm_merge_split_t split = {ctx->rank, ctx->size, sum_over_ranks, (void *)ctx};
  return dm_merge_patterns(in, n, t, &job->pattern, &job->merge, bg, &split, out);
}

/* Insert (v, j) into the top-k list val/idx (value desc; j larger than
 * every index present, so ties keep the earlier index first). */
static void topk_insert(float v, int32_t j, int k, int *cnt, float *val, int32_t *idx) {
  if (*cnt == k && !(v > val[k - 1])) return;
  int pos = *cnt < k ? (*cnt)++ : k - 1;
  for (; pos > 0 && v > val[pos - 1]; pos--) val[pos] = val[pos - 1], idx[pos] = idx[pos - 1];
  val[pos] = v;
  idx[pos] = j;
}

/* Subpatterns of p (tfmodisco-lite compute_subpatterns): each member's k =
 * min(3 perplexity + 2, n) nearest members by continuous Jaccard of their
 * [hyp | contrib] tracks (no sliding), lite's t-SNE conditional density
 * adaptation at the subclustering perplexity (dm_density_tsne), clustering. Rows of the search are split over
 * ranks. Returns -1 on failure (logged). */
static int subcluster(const dm_mpi_t *ctx, const dm_modisco_job_t *job, const dm_tracks_t *t, dm_pattern_t *p,
                      const char *what, double *t0) {
  int n = p->n_seqlets, w = p->len * 8, k = (int)(3 * job->sub_perplexity + 2);
  k = k < n ? k : n;
  float *rows = dm_malloc("subcluster rows", (size_t)n * w * sizeof *rows);
  if (dm_pattern_seqlet_rows(t, p->seqlets, n, p->len, rows) != n) {
    dm_log_warn("%s: members of unequal length, no subpatterns", what);
    free(rows);
    return 0;
  }
  int64_t a, nb;
  dm_mpi_block_range(n, ctx->size, ctx->rank, &a, &nb);
  dm_sparse_t *aff = dm_sparse_init(n, (int64_t)n * k);
  int32_t *nbr = aff->col;
  float *val = aff->val;
  for (int i = 0; i <= n; i++) aff->rowptr[i] = (int64_t)i * k;
  float *packed = dm_malloc("subcluster rows", dm_cj_packed_size((size_t)w, n) * sizeof *packed);
  float *score = dm_malloc("subcluster scores", (size_t)n * sizeof *score);
  dm_cj_pack(rows, (size_t)w, n, packed);
  for (int64_t i = a; i < a + nb; i++) {
    int cnt = 0;
    dm_cj_score_packed(rows + i * w, packed, (size_t)w, n, score);
    for (int j = 0; j < n; j++) topk_insert(score[j], j, k, &cnt, val + i * k, nbr + i * k);
  }
  free(score);
  free(packed);
  free(rows);
  dm_modisco_gather_blocks(ctx, nbr, n, k, MPI_INT32_T);
  dm_modisco_gather_blocks(ctx, val, n, k, MPI_FLOAT);
  step_done(ctx, t0, "%s affinity", what);
  dm_density_opt_t dopt = job->density;
  dopt.perplexity = job->sub_perplexity;
  int32_t *labels = dm_malloc("subcluster labels", (size_t)n * sizeof *labels);
  int64_t nc = cluster_rows(ctx, aff, 0, n, &dopt, 1, &job->cluster, labels, what, t0);
  if (nc > 0) {
    int *lab = dm_malloc("subcluster labels", (size_t)n * sizeof *lab);
    for (int i = 0; i < n; i++) lab[i] = labels[i];
    dm_pattern_set_subpatterns(p, t, lab);
    free(lab);
  }
  free(labels);
  return nc < 0 ? -1 : 0;
}

/* lite's check for spurious merging (_detect_spurious_merging): each pattern
 * of more than max(Patterns:final_min_cluster_size, Subpatterns:perplexity)
 * seqlets is subclustered, and its subpatterns that do not merge back
 * (dm_merge_patterns over that pattern's subpatterns alone) replace it; the
 * caller then merges the pool. This keeps apart, as lite does, a composite
 * or dimer that round 2 clustered with the motif it contains. *pat (np
 * patterns, owned) is replaced by the pool; returns its size. */
static int split_spurious(const dm_mpi_t *ctx, const dm_modisco_job_t *job, const dm_tracks_t *t,
                          dm_pattern_t ***pat, int np, const double bg[4], const char *mc, int *err,
                          double *t0) {
  int min_split =
      job->pattern.min_seqlets > job->sub_perplexity ? job->pattern.min_seqlets : (int)job->sub_perplexity;
  dm_pattern_t **in = *pat, **pool = NULL;
  int n_pool = 0, cap = 0;
  char what[64];
  for (int i = 0; i < np; i++) {
    dm_pattern_t **refined = NULL;
    int nr = 0;
    if (!*err && in[i]->n_seqlets > min_split) {
      snprintf(what, sizeof what, "%s spurious-merge check %d", mc, i);
      if (subcluster(ctx, job, t, in[i], what, t0) < 0) *err = 1;
      if (!*err && in[i]->n_sub > 1) {
        nr = merge_patterns(ctx, in[i]->sub, in[i]->n_sub, t, job, bg, &refined);
        if (nr < 0) *err = 1, nr = 0;
        char sizes[256] = "";
        for (int k = 0, at = 0; k < nr && at < (int)sizeof sizes - 12; k++)
          at += snprintf(sizes + at, sizeof sizes - (size_t)at, " %d", refined[k]->n_seqlets);
        dm_log_info("%s: pattern %d (%d seqlets): %d subpatterns, %d after merging them (seqlets:%s)", mc, i,
                    in[i]->n_seqlets, in[i]->n_sub, nr, sizes);
      }
    }
    if (n_pool + (nr ? nr : 1) > cap) {
      cap = 2 * cap + nr + 8;
      pool = dm_realloc("pattern pool", pool, (size_t)cap * sizeof *pool);
    }
    if (nr) {
      for (int k = 0; k < nr; k++) pool[n_pool++] = refined[k];
      dm_pattern_destroy(in[i]);
    } else {
      pool[n_pool++] = in[i];
    }
    free(refined);
  }
  free(in);
  *pat = pool;
  return n_pool;
}

// --- one metacluster

/* Distinct seqlets in patterns p[0..n). */
static int count_seqlets(dm_pattern_t *const *p, int n) {
  dm_seqlet_t *u = NULL;
  int c = n > 0 ? dm_pattern_unique_seqlets(p, n, &u) : 0;
  free(u);
  return c;
}

/* Sort seqlets by -sum |contrib| over their window, stably (lite's order). */
static void sort_by_contrib(const dm_tracks_t *t, dm_seqlet_t *s, int n) {
  dm_keyed_t *o = dm_malloc("seqlet order", ((size_t)n + 1) * sizeof *o); /* (-sum |contrib|, i) */
  dm_seqlet_t *copy = dm_malloc("seqlet order", ((size_t)n + 1) * sizeof *copy);
  for (int i = 0; i < n; i++) {
    size_t at = ((size_t)s[i].example * t->len + s[i].start) * 4;
    double sum = 0;
    for (int j = 0; j < (s[i].end - s[i].start) * 4; j++)
      sum += fabs(dm_tracks_contrib_at(t, at + (size_t)j));
    o[i] = (dm_keyed_t){-sum, i};
    copy[i] = s[i];
  }
  dm_keyed_sort(o, (size_t)n);
  for (int i = 0; i < n; i++) s[i] = copy[o[i].idx];
  free(o);
  free(copy);
}

/* Patterns of the metacluster of the given sign; *ran = 0 if it has too few
 * seqlets. Returns the final patterns (NULL if none), *n_out of them. */
static dm_pattern_t **run_metacluster(const dm_mpi_t *ctx, const dm_modisco_job_t *job, const dm_tracks_t *t,
                                      const dm_seqlet_t *all, int n_all, int sign, int *ran, int *n_out,
                                      int *err, double *t0) {
  const char *mc = sign > 0 ? "pos" : "neg";
  int n = 0;
  for (int i = 0; i < n_all; i++) n += all[i].metacluster == sign;
  *n_out = 0;
  *ran = n > job->seqlet.min_metacluster_size;
  if (!*ran) {
    dm_log_info(
        "%s: %d seqlets, not more than Seqlets:min_metacluster_size (%ld): too few seqlets, no patterns", mc,
        n, job->seqlet.min_metacluster_size);
    return NULL;
  }
  dm_seqlet_t *s = dm_malloc("metacluster seqlets", (size_t)n * sizeof *s);
  n = 0;
  for (int i = 0; i < n_all; i++)
    if (all[i].metacluster == sign) s[n++] = all[i];
  sort_by_contrib(t, s, n);
  double bg[4];
  dm_pattern_background(t, s, n, bg);
  dm_log_info("%s: %d seqlets, background A %.4f C %.4f G %.4f T %.4f", mc, n, bg[0], bg[1], bg[2], bg[3]);
  dm_pattern_t **pat = NULL;
  int np = 0, y[6] = {n, 0, 0, 0, 0, 0}; /* yield: seqlets left after each step */
  for (int round = 0; round < 2 && !*err; round++) {
    pat = run_round(ctx, job, t, s, &n, sign, round, bg, mc, &np, err, t0);
    if (round == 0) y[1] = n;
    y[2 + round] = count_seqlets(pat, np);
    if (round == 0) {
      free(s);
      n = dm_pattern_unique_seqlets(pat, np, &s);
      for (int i = 0; i < np; i++) dm_pattern_destroy(pat[i]);
      free(pat);
      pat = NULL;
      np = 0;
      dm_log_info("%s round 2: %d unique seqlets of the round-1 patterns", mc, n);
    }
  }
  free(s);
  dm_pattern_t **merged = NULL;
  int nm = 0;
  if (np > 0 && !*err) {
    int n_pool = split_spurious(ctx, job, t, &pat, np, bg, mc, err, t0);
    if (!*err) {
      nm = merge_patterns(ctx, pat, n_pool, t, job, bg, &merged);
      if (nm < 0) *err = 1, nm = 0;
      dm_log_info("%s: merging similar patterns: %d -> %d", mc, n_pool, nm);
    }
    np = n_pool;
  }
  for (int i = 0; i < np; i++) dm_pattern_destroy(pat[i]);
  free(pat);
  y[4] = count_seqlets(merged, nm);
  step_done(ctx, t0, "%s merge", mc);
  int kept = nm > 0 ? dm_pattern_filter_final(merged, nm, t, &job->pattern, bg) : 0;
  dm_log_info("%s: %d of %d patterns pass the final filters (>= %d seqlets, >= %g bits in a %d-bp window)",
              mc, kept, nm, job->pattern.min_seqlets, job->pattern.min_ic, job->pattern.ic_window);
  y[5] = count_seqlets(merged, kept);
  dm_log_info(
      "%s yield: %d seqlets -> %d pass the correlation filter -> %d in round-1 patterns -> %d in "
      "round-2 patterns -> %d after merging -> %d in the %d final patterns",
      mc, y[0], y[1], y[2], y[3], y[4], y[5], kept);
  char what[64];
  for (int i = 0; i < kept && !*err; i++) {
    snprintf(what, sizeof what, "%s pattern_%d subpatterns", mc, i);
    if (merged[i]->n_seqlets > job->sub_min_seqlets && subcluster(ctx, job, t, merged[i], what, t0) < 0)
      *err = 1;
    dm_log_info("%s pattern_%d: %d seqlets, %d bp, %d subpatterns", mc, i, merged[i]->n_seqlets,
                merged[i]->len, merged[i]->n_sub);
  }
  step_done(ctx, t0, "%s subpatterns", mc);
  *n_out = kept;
  return merged;
}

// --- driver

/* Provenance attributes of modisco.h5 (rank 0): input files and their
 * SHA-256. @return 0 or -1 (logged) */
static int provenance(const dm_modisco_job_t *job, char *files, size_t n_files, char *digests,
                      size_t n_digests) {
  const char *in[3] = {job->attr, job->onehot, job->hyp};
  files[0] = digests[0] = 0;
  for (int i = 0; i < 3; i++) {
    if (!in[i]) continue;
    char hex[65];
    if (dm_digest_sha256_file(in[i], hex) < 0) return -1;
    size_t a = strlen(files), b = strlen(digests);
    snprintf(files + a, n_files - a, "%s%s", a ? "; " : "", in[i]);
    snprintf(digests + b, n_digests - b, "%s%s", b ? "; " : "", hex);
  }
  return 0;
}

/* Rank 0: write modisco.h5 with its provenance. @return 0 or -1 (logged) */
static int write_output(const dm_modisco_job_t *job, const dm_tracks_t *t,
                        const dm_modisco_metacluster_t *pos, const dm_modisco_metacluster_t *neg,
                        const dm_modisco_regions_t *reg) {
  char files[8400], digests[256], task[32];
  snprintf(task, sizeof task, "%ld", job->task);
  if (provenance(job, files, sizeof files, digests, sizeof digests) < 0) return -1;
  const char *const attrs[][2] = {{"tool", "dmotif modisco"},
                                  {"version", DM_VERSION},
                                  {"input_files", files},
                                  {"input_sha256", digests},
                                  {"task", job->attr ? task : "none"},
                                  {"parameters", job->params_yaml ? job->params_yaml : ""},
                                  {NULL, NULL}};
  return dm_modisco_h5_write(job->output, t, pos, neg, reg, attrs);
}

int dm_modisco_run_job(const dm_mpi_t *ctx, const dm_modisco_job_t *job) {
  double t0 = dm_wall_time();
  dm_output_path_t inputs[] = {
      {"Input:attr", job->attr}, {"Input:onehot", job->onehot}, {"Input:hyp", job->hyp}, {NULL, NULL}};
  dm_output_path_t outputs[] = {{"Output:file", job->output}, {NULL, NULL}};
  dm_output_policy_t pol = {.overwrite = job->overwrite};
  if (dm_output_check(ctx, &pol, inputs, outputs) < 0) return 2;
  char task[32];
  snprintf(task, sizeof task, "%ld", job->task);
  dm_modisco_input_opt_t iopt = {job->attr, task, job->onehot, job->hyp, job->center_hyp, job->block_rows};
  dm_modisco_input_t in;
  if (dm_modisco_input_load(ctx, &iopt, &in) < 0) return 2;
  dm_log_info("input: %ld examples of %d bp from %s%s%s%s", (long)in.n, in.len,
              job->attr ? job->attr : job->hyp, job->attr ? " task " : "", job->attr ? task : "",
              job->center_hyp ? ", hyp centred" : "");
  step_done(ctx, &t0, "load");
  dm_tracks_t t = {in.onehot, in.hyp, in.n, in.len};
  int n_all;
  dm_seqlet_t *all = NULL;
  int64_t r0, nb;
  dm_mpi_block_range(in.n, ctx->size, ctx->rank, &r0, &nb);
  float *contrib = dm_malloc("contrib", (size_t)nb * (size_t)in.len * 4 * sizeof *contrib + 1);
  dm_tracks_contrib(&t, r0, nb, contrib);
  int rc_seqlets = dm_seqlet_call_mpi(ctx, &job->seqlet, contrib, in.n, in.len, &all, &n_all);
  free(contrib);
  if (rc_seqlets < 0) {
    dm_modisco_input_free(&in);
    return 1;
  }
  step_done(ctx, &t0, "seqlets");
  dm_pattern_t **pat[2] = {NULL, NULL};
  int ran[2], np[2], err = 0;
  for (int m = 0; m < 2; m++)
    pat[m] = run_metacluster(ctx, job, &t, all, n_all, m == 0 ? 1 : -1, &ran[m], &np[m], &err, &t0);
  free(all);
  int rc = err ? -1 : 0;
  if (!err && ctx->rank == 0) {
    dm_modisco_metacluster_t pos = {ran[0], np[0], pat[0]}, neg = {ran[1], np[1], pat[1]};
    dm_modisco_regions_t reg = {(const char *const *)in.chrom, in.start};
    rc = write_output(job, &t, &pos, &neg, in.chrom ? &reg : NULL);
    if (rc == 0)
      dm_log_info("wrote %s: %d positive, %d negative patterns%s", job->output, np[0], np[1],
                  in.chrom ? ", seqlets with genomic coordinates" : "");
  }
  DM_MPI_CHECK(MPI_Bcast(&rc, 1, MPI_INT, 0, ctx->comm));
  step_done(ctx, &t0, "write");
  for (int m = 0; m < 2; m++) {
    for (int i = 0; i < np[m]; i++) dm_pattern_destroy(pat[m][i]);
    free(pat[m]);
  }
  dm_modisco_input_free(&in);
  return rc < 0 ? 1 : 0;
}
