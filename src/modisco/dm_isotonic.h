/* dm_isotonic: weighted isotonic regression by the pool-adjacent-violators
 * algorithm (PAVA).
 *
 * Given y[0..n) with weights w > 0 in a fixed order, the fit f minimises
 * sum_i w_i (y_i - f_i)^2 subject to f_0 <= f_1 <= ... <= f_{n-1}. The
 * result is piecewise constant; each constant block holds the weighted
 * mean of its y. A non-increasing fit is the same call on the reversed
 * order. Ties in an x variable, if any, are the caller's business (the
 * seqlet thresholds pool them first, as scikit-learn does).
 *
 * Pure kernel: no allocation, buffers come from the caller.
 */
#ifndef DM_ISOTONIC_H
#define DM_ISOTONIC_H

#include <stddef.h>

#include "dm_log.h"

/**
 * @brief Non-decreasing weighted least-squares fit of y (PAVA, O(n)).
 * @param n      number of points (0 is fine)
 * @param y      (n,) values, finite
 * @param w      (n,) weights, finite and > 0
 * @param fit    (n,) output: the fitted values; may alias neither y nor w
 * @param bw     (n,) work: block weights
 * @param bstart (n,) work: block start indices
 * @return number of constant blocks (>= 1 if n > 0), or -1 after logging a
 *         non-finite value or a weight <= 0
 */
DM_RESULT_USED long dm_isotonic_fit(size_t n, const double *y, const double *w, double *fit, double *bw,
                                    size_t *bstart);

#endif
