/* dm_keyed: (key, index) pairs sorted by key, ties by index.
 *
 * The one deterministic order the project sorts by when it ranks items by
 * a value: ascending key, then ascending index (so equal keys keep the
 * items' order; negate the key for descending). qsort alone is not stable.
 */
#ifndef DM_KEYED_H
#define DM_KEYED_H

#include <stddef.h>

/** An item's sort key and its index. */
typedef struct {
  double key;
  int idx;
} dm_keyed_t;

/**
 * @brief Sort by key ascending, then index ascending.
 * @param k (n,) pairs, sorted in place
 * @param n number of pairs
 */
void dm_keyed_sort(dm_keyed_t *k, size_t n);

#endif
