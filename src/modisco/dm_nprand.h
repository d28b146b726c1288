/* dm_nprand: numpy's legacy RandomState streams, from GSL's mt19937.
 *
 * tfmodisco-lite draws its random numbers from numpy.random.RandomState(seed)
 * (the Laplace null of the seqlet caller, the subsample of each pattern's
 * members in the merging step). GSL's mt19937 seeds as RandomState(int) does
 * (Matsumoto-Nishimura init_genrand), so its 32-bit outputs are numpy's
 * stream; these functions turn them into numpy's values the way numpy does:
 *   - a double in [0, 1): 27 + 26 bits of two outputs (random_sample);
 *   - permutation(n): Fisher-Yates from the last element down, element i
 *     swapped with j drawn in [0, i] by masked rejection (the smallest
 *     all-ones mask >= i over each 32-bit output, redrawn while > i);
 *     choice(n, k, replace=False) is its first k entries.
 * GSL maps seed 0 to 4357: only seeds >= 1 give numpy's stream.
 */
#ifndef DM_NPRAND_H
#define DM_NPRAND_H

#include <gsl/gsl_rng.h>

/**
 * @brief numpy RandomState.random_sample(): a double in [0, 1).
 * @param rng a gsl_rng_mt19937 generator
 */
double dm_nprand_double(gsl_rng *rng);

/**
 * @brief numpy RandomState.permutation(n) into idx[0..n).
 * @param rng a gsl_rng_mt19937 generator (RandomState(seed): gsl_rng_set(rng, seed))
 * @param idx (n,) output: a permutation of 0..n-1
 */
void dm_nprand_permutation(gsl_rng *rng, int *idx, int n);

#endif
