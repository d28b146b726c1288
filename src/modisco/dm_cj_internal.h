/* dm_cj_internal: the scan kernel behind dm_cj, exposed for tests only. */
#ifndef DM_CJ_INTERNAL_H
#define DM_CJ_INTERNAL_H

#include <stddef.h>

/**
 * @brief Parts of CJ(x, window q) for n_off windows of a prepared track.
 * @param x      (n,) sliding array
 * @param n      elements of x
 * @param ya     |y|: window q is ya[q * stride .. q * stride + n)
 * @param ys     sign bits of y (y with its magnitude cleared), same layout
 * @param stride floats between consecutive windows
 * @param n_off  number of windows
 * @param num    (n_off,) sum of min(|x|,|y|) sign(x y)
 * @param mins   (n_off,) sum of min(|x|,|y|)
 * @param simd   0: portable code only; 1: AVX when the CPU has it
 */
void dm_cj_scan(const float *x, size_t n, const float *ya, const float *ys, size_t stride,
                int n_off, float *num, float *mins, int simd);

/** dm_cj_score_packed, with the AVX code (simd = 1, if the CPU has it) or the portable code only. */
void dm_cj_score_packed_impl(const float *x, const float *packed, size_t n, int m, float *out, int simd);

/** @return 1 if dm_cj_scan(..., simd = 1) runs the AVX code on this machine, else 0 */
int dm_cj_simd_available(void);

/* --- the score bound behind dm_cj_align_prepared (dm_cj_bound.c). C is a
 * multiple of 4; lyp is the padded length of the fixed track. */

/** Floats of the prepared bound rows of a fixed track (dm_cj_bound_prepare). */
size_t dm_cj_bound_prep_size(int lyp, int c);

/**
 * @brief Rows of the bound for a fixed track: per group of 4 channels, its
 *        mass (sum of |y|) where it may share channel k with x (k = 0..3:
 *        y's single nonzero channel is k, or y has several), then the mass.
 * @param ya   (lyp, C) |y| of the zero-padded fixed track
 * @param lyp  positions
 * @param c    channels
 * @param ysel (dm_cj_bound_prep_size(lyp, c),) output
 */
void dm_cj_bound_prepare(const float *ya, int lyp, int c, float *ysel);

/**
 * @brief Writes dm_cj_summarize's summary of x: sx, the folded mass (the
 *        small masses added to the bound as they are), the number E of
 *        entries kept, then their masses (E; an entry is one position and
 *        group, with a nonzero mass) and codes (E; position << 8 | the row
 *        of the prepared bound it meets, as floats).
 * @param x   (lx, C) sliding track
 * @param lx  positions
 * @param c   channels
 * @param sx  sum |x|, as dm_cj_align_prepared sums it
 * @param sum (dm_cj_summary_size(lx, c),) output
 */
void dm_cj_bound_summary(const float *x, int lx, int c, float sx, float *sum);

/**
 * @brief Upper bound of the score of x at each of the lyp - lx + 1 windows
 *        of a prepared track: M / (sx + sy - M), M a bound of the window's
 *        sum of minima, +inf where that is undefined (NaN, no mass).
 * @param sum      dm_cj_summarize of x (it holds sx = sum |x|)
 * @param lx       positions of x
 * @param ysel     dm_cj_bound_prepare of the fixed track
 * @param pre      (lyp + 8,) prefix sums of |y| by position (the tail repeats
 *                 the last), sy = pre[q + lx] - pre[q]
 * @param lyp      padded length of the fixed track
 * @param out      (lyp - lx + 1 rounded up to 8,) bounds; the tail is scratch
 * @param simd     0: portable code only; 1: AVX when the CPU has it
 */
void dm_cj_bound(const float *sum, int lx, const float *ysel, const float *pre, int lyp, float *out,
                 int simd);

#endif
