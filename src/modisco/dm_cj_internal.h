/* dm_cj_internal: the scan kernel behind dm_cj, exposed for tests only. */
#ifndef DM_CJ_INTERNAL_H
#define DM_CJ_INTERNAL_H

#include <stddef.h>

/**
 * @brief Numerator and denominator of CJ(x, window q) for n_off windows of yp.
 * @param x      (n,) sliding array
 * @param n      elements of x
 * @param yp     windows: window q is yp[q * stride .. q * stride + n)
 * @param stride floats between consecutive windows
 * @param n_off  number of windows
 * @param num    (n_off,) sum of min(|x|,|y|) sign(x y)
 * @param den    (n_off,) sum of max(|x|,|y|)
 * @param simd   0: portable code only; 1: AVX when the CPU has it
 */
void dm_cj_scan(const float *x, size_t n, const float *yp, size_t stride, int n_off, float *num,
                float *den, int simd);

#endif
