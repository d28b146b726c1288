/* dm_radix: stable LSD radix sort of non-negative 64-bit keys (8 or 11 bits
 * a pass, as many passes as the largest key needs), optionally carrying an
 * int32 index, an ascending sort of floats built on it, and MSD radix
 * selection of the k-th smallest key. */
#ifndef DM_RADIX_H
#define DM_RADIX_H

#include <stddef.h>
#include <stdint.h>

/**
 * @brief Sort n keys in 0..kmax ascending, stably, carrying idx.
 * @param key  (n,) keys; the result
 * @param idx  (n,) indices that move with their keys, or NULL
 * @param tkey (n,) scratch
 * @param tidx (n,) scratch, or NULL when idx is
 * @param n    keys
 * @param kmax largest key
 */
void dm_radix_sort(int64_t *key, int32_t *idx, int64_t *tkey, int32_t *tidx, size_t n, int64_t kmax);

/**
 * @brief The k-th smallest (0-based) of n keys, by radix selection: 11 bits
 *        at a time from the top, keeping only the bucket that holds it, in
 *        O(n) per pass. Non-negative doubles' bit patterns order as their
 *        values, so the k-th smallest of such doubles is found from their bits.
 * @param key  (n,) keys, overwritten
 * @param tkey (n,) scratch
 * @param n    keys, >= 1
 * @param k    rank, < n
 * @return the key of rank k
 */
uint64_t dm_radix_select(uint64_t *key, uint64_t *tkey, size_t n, size_t k);

/**
 * @brief A float's key for dm_radix_sort: keys in 0..2^32-1 in the order of
 *        the floats (-0 just below +0; NaN not ordered).
 * @param f value
 * @return its key
 */
int64_t dm_radix_float_key(float f);

/**
 * @brief Sort floats ascending (the order of <; -0 before +0; no NaN).
 * @param v    (n,) values, sorted in place
 * @param n    values
 * @param work scratch of 2 n int64
 */
void dm_radix_sort_floats(float *v, size_t n, int64_t *work);

#endif
