/* This object's header. */
#include "dm_nprand.h"

/* Standard headers. */
#include <stdint.h>

double dm_nprand_double(gsl_rng *rng) {
  unsigned long a = gsl_rng_get(rng) >> 5, b = gsl_rng_get(rng) >> 6;
  return ((double)a * 67108864.0 + (double)b) / 9007199254740992.0;
}

/* Uniform integer in [0, max] by masked rejection (numpy's legacy
 * random_interval for max < 2^32). */
static uint32_t interval(gsl_rng *rng, uint32_t max) {
  if (max == 0) return 0;
  uint32_t mask = max, v;
  for (int s = 1; s < 32; s *= 2) mask |= mask >> s;
  while ((v = (uint32_t)gsl_rng_get(rng) & mask) > max) {
  }
  return v;
}

void dm_nprand_permutation(gsl_rng *rng, int *idx, int n) {
  for (int i = 0; i < n; i++) idx[i] = i;
  for (int i = n - 1; i > 0; i--) {
    int j = (int)interval(rng, (uint32_t)i), x = idx[i];
    idx[i] = idx[j];
    idx[j] = x;
  }
}
