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
void dm_affinity_fine(const float *fwd, const float *rc, int l, int c, int pad, int a, int b, int k,
                      const int32_t *nbr, float *work, float *fine);

/**
 * @brief Spearman rank correlation (average ranks for ties) of x and y over
 *        the entries where x is nonzero.
 * @param x    (n,) fine values
 * @param y    (n,) coarse values
 * @param n    entries
 * @param work scratch of 4 n doubles
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
 * @param work   scratch of 4 k doubles
 * @param corr   (b-a,) output
 */
void dm_affinity_spearman_rows(const float *fine, const double *coarse, int a, int b, int k,
                               double *work, double *corr);

/**
 * @brief Keep rows with corr > threshold and their kept neighbours. The
 *        output may overwrite the input (col == nbr, val == fine): entry e
 *        is written only after entries up to e were read.
 * @param n         rows N
 * @param k         neighbours per row
 * @param nbr       (N, k) neighbour indices
 * @param fine      (N, k) fine values
 * @param corr      (N,) correlations (NAN drops the row)
 * @param threshold correlation a row must exceed (0.15)
 * @param new_index (N,) output: the row's index among kept rows, or -1
 * @param ptr       (N + 1,) output CSR row pointers (first M + 1 used)
 * @param col       (N k,) output neighbour indices, renumbered
 * @param val       (N k,) output fine values
 * @return M, the number of kept rows
 */
int dm_affinity_filter(int n, int k, const int32_t *nbr, const float *fine, const double *corr,
                       double threshold, int32_t *new_index, int64_t *ptr, int32_t *col, float *val);

#endif
