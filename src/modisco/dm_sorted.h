/* dm_sorted: order statistics on arrays sorted ascending (binary searches
 * and numpy's "linear" quantile), for the seqlet null and thresholds. */
#ifndef DM_SORTED_H
#define DM_SORTED_H

#include <stddef.h>

/**
 * @brief Count the values below x (numpy searchsorted side="left").
 * @param v (n,) ascending
 * @param n number of values
 * @param x the bound
 * @return number of v[i] < x
 */
size_t dm_sorted_count_below(const double *v, size_t n, double x);

/**
 * @brief Count the values up to x (numpy searchsorted side="right").
 * @param v (n,) ascending
 * @param n number of values
 * @param x the bound
 * @return number of v[i] <= x
 */
size_t dm_sorted_count_at_most(const double *v, size_t n, double x);

/**
 * @brief Quantile q in [0, 1] by numpy's default "linear" method: the
 *        interpolation between v[floor(h)] and the next, h = q (n - 1).
 * @param v (n,) ascending
 * @param n number of values, > 0
 * @param q the quantile, in [0, 1]
 * @return the interpolated value
 */
double dm_sorted_quantile(const double *v, size_t n, double q);

#endif
