/* dm_merge: merge similar patterns (tfmodisco-lite SimilarPatternsCollapser).
 *
 * For every ordered pair (i, j) of patterns:
 *   sim[i][j]  best cosine of the CWMs (centred, L2-normalised; j slid over
 *              i padded by ceil(Lj (1 - min_overlap)), both strands);
 *   auroc[i][j] j's members (at most max_seqlets_subsample: the first of numpy
 *              RandomState(seed).permutation, lite's subsample) are put
 *              on i's frame with that alignment; the continuous Jaccard of
 *              their [hyp | contrib] (each L1-normalised) against i's members
 *              ("between") is compared with i's members against each other
 *              ("within", self pairs included): AUROC of within vs between.
 * Then sim = (sim + sim^T) / 2 and cross-contamination
 * cc[i][j] = 2 (1 - max(auroc[i][j], 0.5)). Pairs i < j are visited by
 * decreasing sim; a pair merges if for some merge rule (c, s)
 * min(cc[i][j], cc[j][i]) >= c and sim >= s, unless, over all patterns
 * already set to merge with either, some pair (m1, m2) meets a dealbreaker
 * rule (c, s): (cc[m1][m2] + cc[m2][m1]) / 2 <= c and sim <= s. Each merge
 * adds the smaller pattern's members into the larger one (aligned by the
 * cosine above, see dm_pattern_merge_in) and polishes the result. This
 * repeats until no pair merges; the patterns come out sorted by size.
 */
#ifndef DM_MERGE_H
#define DM_MERGE_H

#include "dm_params.h"
#include "dm_pattern.h"

#define DM_MERGE_MAX_RULES 8

/** Merge options (tfmodisco-lite TFMoDISco() defaults). */
typedef struct {
  double merge[DM_MERGE_MAX_RULES][2]; /* (cross-contamination, similarity) */
  int n_merge;                         /* (0.8,0.8) (0.5,0.85) (0.2,0.9) */
  double dealbreak[DM_MERGE_MAX_RULES][2];
  int n_dealbreak;           /* (0.4,0.75) (0.2,0.8) (0.1,0.85) (0.0,0.9) */
  int max_seqlets_subsample; /* 1000: what lite's merging uses (its merging_max_seqlets_subsample, 300, is not passed on) */
  unsigned long seed;        /* subsample seed: 1234 */
} dm_merge_opt_t;

/** Parameter table entries of dm_merge_opt_t (section "Merge:"). */
// clang-format off
#define DM_MERGE_PARAMS \
  {"Merge:merge_thresholds", DM_PARAM_STRING, "(0.8,0.8) (0.5,0.85) (0.2,0.9)", NULL, "merge two patterns if cross-contamination >= c and similarity >= s for some (c,s)"}, \
  {"Merge:dealbreaker_thresholds", DM_PARAM_STRING, "(0.4,0.75) (0.2,0.8) (0.1,0.85) (0.0,0.9)", NULL, "never merge a group holding a pair with cross-contamination <= c and similarity <= s"}, \
  {"Merge:max_seqlets_subsample", DM_PARAM_INT, "1000", NULL, "seqlets per pattern used for cross-contamination (lite's merging uses 1000 whatever its merging_max_seqlets_subsample)"}, \
  {"Merge:seed", DM_PARAM_INT, "1234", NULL, "seed of that subsample (numpy RandomState(seed).permutation, as lite draws it)"}
// clang-format on

/** @brief Set the tfmodisco-lite defaults. @param o options to fill */
void dm_merge_opt_init(dm_merge_opt_t *o);

/**
 * @brief Validate options.
 * @param o options
 * @return 0, or -1 after logging the offending Merge: key
 */
DM_RESULT_USED int dm_merge_opt_check(const dm_merge_opt_t *o);

/**
 * @brief Parse "(c,s) (c,s) ..." into rules.
 * @param rules (DM_MERGE_MAX_RULES, 2) output
 * @return the number of rules, or -1 if the text is malformed (not logged)
 */
int dm_merge_parse_rules(const char *text, double rules[][2]);

/**
 * @brief Fill options from the "Merge:" keys of a parameter set whose spec
 *        contains DM_MERGE_PARAMS, then check them.
 * @return 0, or -1 (logged)
 */
DM_RESULT_USED int dm_merge_opt_from_params(dm_merge_opt_t *o, const dm_params_t *p);

/**
 * @brief AUROC of scores pos (label 1) against neg (label 0), ties counting
 *        one half (Mann-Whitney). Sorts both arrays in place. Pure.
 * @return the AUROC, 0.5 if either side is empty
 */
double dm_merge_auroc(float *neg, long n_neg, float *pos, long n_pos);

/**
 * @brief sim[i][j] and auroc[i][j] of the file comment for one ordered pair
 *        (a = i, b = j). Patterns must have equal lengths (as polishing
 *        makes them).
 * @return 0, or -1 if the lengths differ (logged)
 */
int dm_merge_compare(const dm_pattern_t *a, const dm_pattern_t *b, const dm_tracks_t *t,
                     const dm_pattern_opt_t *po, const dm_merge_opt_t *mo, double *sim, double *auroc);

/**
 * How the pair statistics of a merge are shared out (over MPI ranks, say):
 * the rows i of the unknown pairs (i, j) are dealt out to the parts by
 * their cost (each row to the least loaded part, the costliest first); a
 * part computes its rows' pairs and zeros for the others, then sum(ctx, v, n)
 * must add up every part's v[0..n) element-wise, in place, on every part.
 * Each value comes from one part only, so the sum is exact and the result
 * does not depend on n_parts.
 */
typedef struct {
  int part, n_parts;
  void (*sum)(void *ctx, double *v, size_t n);
  void *ctx;
} dm_merge_split_t;

/**
 * @brief Merge similar patterns until none merges (file comment).
 * @param in   (n,) patterns; not modified, still owned by the caller
 * @param split how to share out the pair statistics, NULL to compute all here
 * @param out  new array of new patterns, sorted by decreasing size; free
 *             each with dm_pattern_destroy() and the array with free()
 * @return the number of patterns in *out, or -1 (logged)
 */
int dm_merge_patterns(dm_pattern_t *const *in, int n, const dm_tracks_t *t, const dm_pattern_opt_t *po,
                      const dm_merge_opt_t *mo, const double bg[4], const dm_merge_split_t *split,
                      dm_pattern_t ***out);

#endif
