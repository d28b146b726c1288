/* dm_modisco_run: stage 2 driver, attributions -> modisco.h5 on any number
 * of ranks (the TF-MoDISco algorithm as tfmodisco-lite runs it).
 *
 * Input: attr.h5 from `dmotif attr` (one task) or tfmodisco-lite style
 * onehot / hypothetical arrays (.npy or .npz arr_0, (N, 4, L)). Each rank
 * reads its block of rows, checks the scores are finite, centres hyp to
 * zero mean over the 4 bases per position (optional), and the blocks are
 * gathered: every rank reads the (N, L, 4) onehot and hyp (contrib = hyp *
 * onehot made where read) the later steps read seqlets from, held once per
 * node in shared memory (dm_shm), as are each round's seqlet windows and
 * fine tracks (each rank makes its block).
 *
 * Steps (dm_seqlet, dm_kmer, dm_affinity, dm_density, dm_cluster,
 * dm_pattern, dm_merge, dm_modisco_h5):
 *   0. the output policy (dm_output.h) before anything is read: Output:file
 *      is not an input, its directory is usable, and it does not exist
 *      unless Output:overwrite;
 *   1. seqlets on row blocks (the recipe of dm_seqlet.h), gathered in row order;
 *   per metacluster (positive, then negative), seqlets sorted by -sum|contrib|:
 *   2-6, two rounds: coarse (gapped k-mer) top-k on row blocks, the
 *      columns streamed past every rank in blocks of Affinity:block_columns
 *      seqlets (each embedded by the rank holding it, broadcast, indexed,
 *      merged into running top-k lists); fine (continuous Jaccard) affinity
 *      of the rank's rows; in round 1 the Spearman filter, applied by each
 *      rank to its rows, which it keeps (renumbered, in row order); density
 *      adaptation and clustering through their _mpi functions (the adapted
 *      graph gathered, and igraph's graph built, only on the ranks that run
 *      a seed); one pattern
 *      per cluster, built redundantly on every rank; round 2 takes the
 *      unique members of the round-1 patterns (re-centred by polishing);
 *   7. merge similar patterns, final filters, sort by size, subpatterns of
 *      patterns with more than Subpatterns:min_seqlets members (CJ top-k
 *      neighbours of the members' tracks, density, clustering);
 *   8. rank 0 writes modisco.h5 (<file>.tmp, then renamed), with genomic
 *      coordinates of the seqlets when the input has /regions, and the
 *      provenance (tool, version, parameters, input files and their SHA-256).
 * Every step logs "step <name>: <s> s, peak RSS <MiB> MiB (node-shared
 * arrays at most <MiB> MiB of it), cpu <s> s ..." on rank 0 (largest peak
 * RSS and CPU seconds of any rank during the step),
 * and each metacluster a "yield" line (seqlets left after the correlation
 * filter, round 1, round 2, merging, the final filters). Results do not
 * depend on the number of ranks nor on Affinity:block_columns.
 */
#ifndef DM_MODISCO_RUN_H
#define DM_MODISCO_RUN_H

#include "dm_cluster.h"
#include "dm_density.h"
#include "dm_kmer.h"
#include "dm_merge.h"
#include "dm_mpi.h"
#include "dm_output.h"
#include "dm_params.h"
#include "dm_pattern.h"
#include "dm_progress.h"
#include "dm_seqlet.h"

/** Everything a stage-2 run needs; strings are borrowed. */
typedef struct {
  const char *attr;          /* attr.h5, or NULL (then onehot + hyp) */
  long task;                 /* task of attr.h5 (/tasks/<task>/hyp) */
  const char *onehot;        /* .npy / .npz (N, 4, L), or NULL */
  const char *hyp;           /* .npy / .npz (N, 4, L), or NULL */
  int center_hyp;            /* 1: hyp -= its mean over the 4 bases per position */
  const char *output;        /* modisco.h5 */
  int64_t block_rows;        /* rows per read of the input (bounds the read buffer) */
  int overwrite;             /* Output:overwrite */
  const char *params_yaml;   /* all parameters, stored in the output (may be NULL) */
  dm_seqlet_opt_t seqlet;    /* step 1 */
  dm_kmer_opt_t kmer;        /* step 2 embeddings */
  int nearest_neighbors;     /* coarse neighbours per seqlet besides itself (500) */
  int block_columns;         /* seqlets per streamed column block of the coarse search (512) */
  double progress_seconds;   /* Log:progress_seconds: interval of the coarse search's progress lines */
  double corr_threshold;     /* round-1 Spearman filter (0.15) */
  dm_density_opt_t density;  /* step 4 */
  dm_cluster_opt_t cluster;  /* step 5 and subclustering */
  dm_pattern_opt_t pattern;  /* step 6, final filters */
  dm_merge_opt_t merge;      /* step 7 */
  double sub_perplexity;     /* subclustering perplexity (50) */
  int sub_min_seqlets;       /* patterns with more members are subclustered (50) */
} dm_modisco_job_t;

/** The "Input:", "Output:", "Affinity:" and "Subpatterns:" parameters of the driver. */
// clang-format off
#define DM_MODISCO_PARAMS \
  {"Input:attr", DM_PARAM_PATH, "none", NULL, "attr.h5 from dmotif attr (status must be complete); none: use Input:onehot + Input:hyp"}, \
  {"Input:task", DM_PARAM_INT, "0", NULL, "task of attr.h5 to analyse (/tasks/<task>/hyp)"}, \
  {"Input:onehot", DM_PARAM_PATH, "none", NULL, "tfmodisco-lite input: one-hot sequences .npy or .npz (arr_0), (N, 4, L)"}, \
  {"Input:hyp", DM_PARAM_PATH, "none", NULL, "tfmodisco-lite input: hypothetical contributions .npy or .npz (arr_0), (N, 4, L)"}, \
  {"Input:center_hyp", DM_PARAM_BOOL, "true", NULL, "centre hyp to zero mean over the 4 bases at each position before use"}, \
  {"Input:block_rows", DM_PARAM_INT, "4096", NULL, "rows of attr.h5 read at a time"}, \
  {"Output:file", DM_PARAM_PATH, NULL, NULL, "modisco.h5 to write (tfmodisco-lite schema plus seqlet genomic coordinates)"}, \
  DM_OUTPUT_OVERWRITE_PARAM, \
  DM_PROGRESS_PARAM, \
  {"Affinity:nearest_neighbors", DM_PARAM_INT, "500", NULL, "coarse neighbours kept per seqlet (besides itself)"}, \
  {"Affinity:correlation_threshold", DM_PARAM_FLOAT, "0.15", NULL, "round 1 keeps seqlets whose Spearman(fine, coarse) exceeds this"}, \
  {"Affinity:kmer_topn", DM_PARAM_INT, "20", NULL, "positions of largest importance in a seqlet's gapped k-mers"}, \
  {"Affinity:kmer_min_k", DM_PARAM_INT, "4", NULL, "fewest letters of a gapped k-mer"}, \
  {"Affinity:kmer_max_k", DM_PARAM_INT, "6", NULL, "most letters of a gapped k-mer"}, \
  {"Affinity:kmer_max_gap", DM_PARAM_INT, "15", NULL, "largest step between consecutive letters"}, \
  {"Affinity:kmer_max_len", DM_PARAM_INT, "15", NULL, "a gapped k-mer spans fewer positions than this"}, \
  {"Affinity:kmer_max_entries", DM_PARAM_INT, "500", NULL, "gapped k-mers kept per seqlet strand"}, \
  {"Affinity:block_columns", DM_PARAM_INT, "512", NULL, "seqlets per column block streamed through the coarse neighbour search (memory per rank vs. messages; results do not depend on it)"}, \
  {"Subpatterns:perplexity", DM_PARAM_FLOAT, "50", NULL, "perplexity of the density adaptation when subclustering a pattern"}, \
  {"Subpatterns:min_seqlets", DM_PARAM_INT, "50", NULL, "patterns with more seqlets than this get subpatterns"}
// clang-format on

/**
 * @brief Fill a job from a parameter set holding DM_MODISCO_PARAMS and the
 *        step tables (DM_SEQLET_PARAM_SPECS, DM_DENSITY_PARAMS,
 *        DM_CLUSTER_PARAMS, DM_PATTERN_PARAMS, DM_MERGE_PARAMS), then check it.
 * @param job filled; its strings point into p
 * @param p   loaded parameters
 * @return 0, or -1 after logging the offending key
 */
DM_RESULT_USED int dm_modisco_job_from_params(dm_modisco_job_t *job, const dm_params_t *p);

/**
 * @brief Run stage 2. Collective over ctx.
 * @param ctx ranks
 * @param job the job
 * @return 0 on every rank on success (also when too few seqlets were found:
 *         then the output has no pattern); nonzero on every rank after
 *         logging (bad input, write failure)
 */
int dm_modisco_run_job(const dm_mpi_t *ctx, const dm_modisco_job_t *job);

#endif
