/* dm_keyed: (key, index) pairs sorted by key, ties by index (see dm_keyed.h). */
#include "dm_keyed.h"

#include <stdlib.h>

static int cmp_keyed(const void *a, const void *b) {
  const dm_keyed_t *x = a, *y = b;
  if (x->key != y->key) return x->key < y->key ? -1 : 1;
  return (x->idx > y->idx) - (x->idx < y->idx);
}

void dm_keyed_sort(dm_keyed_t *k, size_t n) { qsort(k, n, sizeof *k, cmp_keyed); }
