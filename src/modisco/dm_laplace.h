/* dm_laplace: the Laplace null of TF-MoDISco's seqlet caller.
 *
 * The window sums S of an attribution track are modelled, under the null,
 * by an asymmetric Laplace distribution: mode mu, rate lambda_pos above mu
 * (taken with probability prob_pos) and lambda_neg below it. The fit
 * follows tfmodisco-lite (extract_seqlets._laplacian_null):
 *   - mu: centre of the fullest bin of a 1000-bin histogram of the values
 *     that lie strictly inside the fullest bin of a 1000-bin histogram of
 *     all values (numpy.histogram binning, empty or flat ranges as numpy);
 *   - lambda_pos = max over p in {5, 10, ..., 95}% of
 *     -ln(1 - p) / (Q_pos(p) - mu), Q_pos the percentile (numpy "linear")
 *     of the values >= mu; lambda_neg likewise with |Q_neg(1 - p) - mu| over
 *     the values <= mu (a side with no spread gets +inf: a point mass);
 *   - prob_pos = #(values >= mu) / (#(values >= mu) + #(values <= mu)).
 * Sampling draws, per value, a side with probability prob_pos and then an
 * exponential distance -ln(1 - u) / lambda from mu, with uniforms u exactly
 * as numpy's RandomState(seed).uniform() makes them (MT19937, 53-bit
 * doubles), so that the draws are lite's own: the seqlet thresholds rest on
 * the largest null draws, and another stream moves them by up to 40%.
 */
#ifndef DM_LAPLACE_H
#define DM_LAPLACE_H

#include <stddef.h>

#include "dm_log.h"

/** Asymmetric Laplace null. */
typedef struct {
  double mu;         /* mode */
  double lambda_pos; /* rate of the exponential above mu (+inf: none) */
  double lambda_neg; /* rate of the exponential below mu (+inf: none) */
  double prob_pos;   /* probability of a draw above mu */
} dm_laplace_t;

/**
 * @brief Fit the null to values sorted ascending (see the header comment).
 * @param sorted (n,) finite values, ascending
 * @param n      number of values, > 0
 * @param bins   histogram bins at each of the two levels (lite: 1000)
 * @param out    the fit
 * @return 0, or -1 after logging (n == 0, bins < 1)
 */
DM_RESULT_USED int dm_laplace_fit(const double *sorted, size_t n, int bins, dm_laplace_t *out);

/**
 * @brief Draw n values from the null as lite does (numpy RandomState(seed) stream).
 * @param lp   the null
 * @param n    number of draws
 * @param seed RNG seed; the draws depend on nothing else
 * @param out  (n,) the draws, in draw order
 * @return 0, or -1 after logging a failed RNG allocation
 */
DM_RESULT_USED int dm_laplace_sample(const dm_laplace_t *lp, size_t n, unsigned long seed, double *out);

#endif
