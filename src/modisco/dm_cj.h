/* dm_cj: continuous Jaccard similarity of attribution tracks and the best
 * alignment of one track against another over offsets and both strands
 * (TF-MoDISco's fine similarity, also used to align seqlets to patterns).
 *
 * A track is (L, C) floats, channels last. For seqlets it is
 * [hyp / sum|hyp| | contrib / sum|contrib|], C = 8 (dm_cj_track). The reverse
 * complement reverses positions and, inside every group of 4 channels, the
 * channel order (A,C,G,T -> T,G,C,A), as tfmodisco-lite does per track.
 *
 *   CJ(x, y) = sum min(|x|,|y|) sign(x) sign(y) / sum max(|x|,|y|)
 *
 * (0 when the denominator is 0). Alignment slides x over y padded with
 * `pad` zeros on each side: offset o in [-pad, ly + pad - lx] puts x[t]
 * against y[o + t]; the sums run over all of x (y is 0 outside [0, ly)),
 * so x's mass that hangs over y's ends counts in the denominator. The best
 * score wins; ties go to the smaller offset and to the forward strand
 * (rc must be strictly better), as in lite.
 *
 * Only offsets that can win are scored: an upper bound of every offset's
 * score (per group of 4 channels and position, min of the two masses, 0
 * where each has one nonzero channel and they differ) orders them, and
 * scoring stops when the next bound, with a slack for rounding, is below
 * the best score. The result is that of scoring all offsets, bit for bit.
 * Channels C must be a multiple of 4.
 *
 * The denominator is computed as sum|x| + sum|y| - sum min(|x|,|y|). Sums
 * are in float over 8 lanes (element e of the flattened window goes to lane
 * e % 8, lanes added in a fixed tree), identically in the AVX and the
 * portable code, so results do not depend on the machine's SIMD support.
 */
#ifndef DM_CJ_H
#define DM_CJ_H

#include <stddef.h>

/** Best alignment of a track against another. */
typedef struct {
  float score; /* CJ at the best offset/strand */
  int offset;  /* x[t] faces y[offset + t]; may be negative */
  int rc;      /* 1 if the reverse complement of x was the better match */
} dm_cj_align_t;

/**
 * @brief Seqlet track for the fine similarity: hyp and contrib, each divided
 *        by its own sum of absolute values (left as is when that sum is 0).
 * @param hyp     (L, 4) hypothetical contributions
 * @param contrib (L, 4) actual contributions
 * @param l       length L
 * @param out     (L, 8) [hyp_l1 | contrib_l1]
 */
void dm_cj_track(const float *hyp, const float *contrib, int l, float *out);

/**
 * @brief Reverse complement of a track: positions reversed, and the channel
 *        order reversed inside each group of 4 channels.
 * @param x   (L, C) input; C must be a multiple of 4
 * @param l   length L
 * @param c   channels C
 * @param out (L, C) output (must not alias x)
 */
void dm_cj_revcomp(const float *x, int l, int c, float *out);

/**
 * @brief Continuous Jaccard similarity of two equal-size arrays.
 * @param x (n,) first array
 * @param y (n,) second array
 * @param n number of elements
 * @return CJ(x, y) in [-1, 1]; 0 if both are all zeros
 */
float dm_cj_score(const float *x, const float *y, size_t n);

/**
 * @brief Floats dm_cj_pack needs for m rows of n elements: the rows in
 *        blocks of 8, interleaved by element (zero rows pad the last block),
 *        then each row's sum of |y|.
 */
size_t dm_cj_packed_size(size_t n, int m);

/**
 * @brief Pack m rows for dm_cj_score_packed.
 * @param y      (m, n) rows
 * @param n      elements per row
 * @param m      rows
 * @param packed (dm_cj_packed_size(n, m),) output
 */
void dm_cj_pack(const float *y, size_t n, int m, float *packed);

/**
 * @brief dm_cj_score(x, row j) for every packed row j, bit for bit (each
 *        row's sums run in dm_cj_score's order; 8 rows share a SIMD pass).
 * @param x      (n,) array
 * @param packed from dm_cj_pack of m rows of n elements
 * @param n      elements
 * @param m      rows
 * @param out    (m,) scores
 */
void dm_cj_score_packed(const float *x, const float *packed, size_t n, int m, float *out);

/**
 * @brief Zero padding used when sliding a track of length lx, computed as
 *        lite does: lx * (1 - min_overlap), truncated (fine affinity) or
 *        rounded up (pattern aggregation).
 * @param lx          length of the sliding track
 * @param min_overlap minimum overlap fraction (0.7)
 * @param round_up    0: truncate, 1: ceiling
 * @return the padding, >= 0
 */
int dm_cj_pad(int lx, double min_overlap, int round_up);

/**
 * @brief Floats of scratch space dm_cj_align needs.
 * @param ly  length of the fixed track
 * @param c   channels
 * @param pad zero padding on each side
 * @return number of floats
 */
size_t dm_cj_work_size(int ly, int c, int pad);

/**
 * @brief Best continuous-Jaccard alignment of x (both strands) against y.
 * @param x    (lx, C) sliding track, forward strand
 * @param x_rc (lx, C) its reverse complement, or NULL for the forward strand only
 * @param lx   length of x; must satisfy lx <= ly + 2 pad
 * @param y    (ly, C) fixed track
 * @param ly   length of y
 * @param c    channels C
 * @param pad  zeros added to each side of y (see dm_cj_pad)
 * @param work scratch of dm_cj_work_size(ly, c, pad) floats
 * @return best score, its offset and strand
 */
dm_cj_align_t dm_cj_align(const float *x, const float *x_rc, int lx, const float *y, int ly, int c,
                          int pad, float *work);

/**
 * @brief Prepare a fixed track for many alignments: |y|, sign bits and
 *        prefix sums of |y| of y padded with pad zero positions on each side.
 * @param y    (ly, C) track
 * @param ly   length
 * @param c    channels
 * @param pad  zero positions added on each side
 * @param work output of dm_cj_work_size(ly, c, pad) floats
 */
void dm_cj_prepare(const float *y, int ly, int c, int pad, float *work);

/**
 * @brief Floats of a sliding track's summary (dm_cj_summarize).
 * @param lx length
 * @param c  channels (a multiple of 4)
 * @return number of floats
 */
size_t dm_cj_summary_size(int lx, int c);

/**
 * @brief The summary of a sliding track that bounds its scores: its sum
 *        of |x|, and per position and group of 4 channels, the group's sum
 *        of |x| and which of its channels holds its single nonzero value (if
 *        one does); the smallest of these sums are folded into one. Made
 *        once per track, it spares dm_cj_align_prepared that work and the
 *        read of the whole track.
 * @param x   (lx, C) track
 * @param lx  length
 * @param c   channels (a multiple of 4)
 * @param sum (dm_cj_summary_size(lx, c),) output
 */
void dm_cj_summarize(const float *x, int lx, int c, float *sum);

/**
 * @brief dm_cj_align against a track prepared by dm_cj_prepare.
 * @param x    (lx, C) sliding track
 * @param x_rc (lx, C) its reverse complement, or NULL
 * @param x_sum    dm_cj_summarize(x), or NULL to make it here
 * @param x_rc_sum dm_cj_summarize(x_rc), or NULL to make it here
 * @param lx   length of x; lx <= ly + 2 pad
 * @param prep output of dm_cj_prepare(y, ly, c, pad, prep); its scratch part
 *             (not the prepared track) is overwritten
 * @param ly   length of y
 * @param c    channels
 * @param pad  padding used to prepare
 * @return best score, offset and strand
 */
dm_cj_align_t dm_cj_align_prepared(const float *x, const float *x_rc, const float *x_sum, const float *x_rc_sum,
                                   int lx, float *prep, int ly, int c, int pad);

#endif
