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

#endif
