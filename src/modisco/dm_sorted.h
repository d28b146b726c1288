/* dm_sorted: order statistics on arrays sorted ascending (binary searches
 * and numpy's "linear" quantile), for the seqlet null and thresholds. */
#ifndef DM_SORTED_H
#define DM_SORTED_H

#include <stddef.h>

/**
 * @brief Number of v[i] < x (numpy searchsorted side="left").
 * @param v (n,) ascending
 */
size_t dm_sorted_count_below(const double *v, size_t n, double x);

/**
 * @brief Number of v[i] <= x (numpy searchsorted side="right").
 * @param v (n,) ascending
 */
size_t dm_sorted_count_at_most(const double *v, size_t n, double x);

/**
 * @brief Quantile q in [0, 1] by numpy's default "linear" method: the
 *        interpolation between v[floor(h)] and the next, h = q (n - 1).
 * @param v (n,) ascending, n > 0
 */
double dm_sorted_quantile(const double *v, size_t n, double q);

#endif
