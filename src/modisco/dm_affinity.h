/* dm_affinity: fine similarity over the coarse neighbour lists and the
 * round-1 correlation filter (TF-MoDISco step 3, as in tfmodisco-lite).
 *
 * Fine similarity of row i with neighbour j: the best continuous Jaccard
 * (dm_cj) of j's track, forward or reverse complement, slid over i's
 * forward track padded by pad = dm_cj_pad(L, min_overlap 0.7, truncate)
 * zeros on each side. Values stay aligned with the coarse neighbour lists
 * (same order, the row itself included), as lite keeps them.
 *
 * Round 1 keeps row i when the Spearman correlation between its fine and
 * coarse values, over the neighbours whose fine value is nonzero, is
 * greater than the threshold (0.15); an undefined correlation (fewer than
 * two points or a constant row) drops the row. Kept rows keep only kept
 * neighbours, renumbered among the kept rows.
 *
 * Every row kernel takes a row range [a, b) and writes rows 0..b-a-1 of its
 * outputs for rows a..b-1; a row's result does not depend on the split.
 */
#ifndef DM_AFFINITY_H
#define DM_AFFINITY_H

#include <stddef.h>
#include <stdint.h>

/**
 * @brief Floats of scratch dm_affinity_fine needs.
 * @param l   track length L
 * @param c   channels C
 * @param pad padding (dm_cj_pad)
 * @return number of floats
 */
size_t dm_affinity_fine_work_size(int l, int c, int pad);

/**
 * @brief Fine similarities of rows a..b-1 with their coarse neighbours.
 * @param fwd  (N, L, C) forward tracks of all seqlets (dm_cj_track)
 * @param rc   (N, L, C) their reverse complements (dm_cj_revcomp)
 * @param sums (N, 2, dm_cj_summary_size(L, C)) their summaries, forward then
 *             reverse (dm_affinity_summaries), or NULL to make them per pair
 * @param l    track length L
 * @param c    channels C
 * @param pad  zeros added on each side of the row's track
 * @param a    first row
 * @param b    one past the last row
 * @param k    neighbours per row
 * @param nbr  (b-a, k) neighbour indices (from dm_kmer_topk)
 * @param work scratch of dm_affinity_fine_work_size(l, c, pad) floats
 * @param fine (b-a, k) output, aligned with nbr
 */
void dm_affinity_fine(const float *fwd, const float *rc, const float *sums, int l, int c, int pad, int a, int b,
                      int k, const int32_t *nbr, float *work, float *fine);

/**
 * @brief Summaries (dm_cj_summarize) of the tracks of rows a..b-1, made once
 *        for the fine similarity instead of once per pair.
 * @param fwd  (N, L, C) forward tracks
 * @param rc   (N, L, C) reverse complements
 * @param l    track length L
 * @param c    channels C
 * @param a    first row
 * @param b    one past the last row
 * @param sums (N, 2, dm_cj_summary_size(L, C)); rows a..b-1 are written
 */
void dm_affinity_summaries(const float *fwd, const float *rc, int l, int c, int a, int b, float *sums);

/**
 * @brief Spearman rank correlation (average ranks for ties) of x and y over
 *        the entries where x is nonzero.
 * @param x    (n,) fine values
 * @param y    (n,) coarse values
 * @param n    entries
 * @param work scratch of 6 n doubles
 * @return the correlation, or NAN if it is undefined
 */
double dm_affinity_spearman(const float *x, const double *y, int n, double *work);

/**
 * @brief Spearman(fine, coarse) of rows a..b-1 (see dm_affinity_spearman).
 * @param fine   (b-a, k) fine values
 * @param coarse (b-a, k) coarse values
 * @param a      first row
 * @param b      one past the last row
 * @param k      neighbours per row
 * @param work   scratch of 6 k doubles
 * @param corr   (b-a,) output
 */
void dm_affinity_spearman_rows(const float *fine, const double *coarse, int a, int b, int k, double *work,
                               double *corr);

/**
 * @brief The round-1 filter on rows a..b-1, given the kept-row numbering
 *        of all rows (new_index: a row's index among the kept rows, -1 if
 *        dropped): kept rows of the range and their kept neighbours,
 *        renumbered. The output may overwrite the input (col == nbr,
 *        val == fine): entry e is written only after entries up to e were
 *        read.
 * @param a         first row
 * @param b         one past the last row
 * @param k         neighbours per row
 * @param nbr       (b-a, k) neighbour indices (all rows' numbering)
 * @param fine      (b-a, k) fine values
 * @param new_index (N,) index of each row among all kept rows, or -1
 * @param ptr       (kept rows of the range + 1,) output row pointers from 0
 * @param col       (entries,) output neighbour indices, renumbered
 * @param val       (entries,) output fine values
 * @return the entries written
 */
int64_t dm_affinity_filter_rows(int a, int b, int k, const int32_t *nbr, const float *fine,
                                const int32_t *new_index, int64_t *ptr, int32_t *col, float *val);

#endif
