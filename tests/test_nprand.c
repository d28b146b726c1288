/* test_nprand: numpy's legacy RandomState streams. The values are numpy
 * 1.24's own (printed by RandomState(seed).random_sample(3) and
 * RandomState(seed).permutation(n)); the permutations are also checked to
 * hold every index once. */
#include <math.h>
#include <stdlib.h>

#include "dm_nprand.h"
#include "dm_test.h"

static gsl_rng *seeded(unsigned long seed) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, seed);
  return r;
}

/* idx[0..n) holds each of 0..n-1 once? */
static int is_permutation(const int *idx, int n) {
  char *seen = calloc((size_t)n + 1, 1);
  int ok = 1;
  for (int i = 0; i < n; i++) {
    if (idx[i] < 0 || idx[i] >= n || seen[idx[i]]) ok = 0;
    if (ok) seen[idx[i]] = 1;
  }
  free(seen);
  return ok;
}

static void test_double(void) {
  const double want[3] = {0.19151945037889229, 0.62210877103983186, 0.43772773900711448};
  gsl_rng *r = seeded(1234);
  for (int i = 0; i < 3; i++) CHECK(dm_nprand_double(r) == want[i], "random_sample()[%d]", i);
  gsl_rng_free(r);
}

static void test_permutation(void) {
  const int p10[10] = {7, 2, 9, 1, 0, 8, 4, 5, 6, 3}, p7[7] = {2, 5, 4, 0, 6, 3, 1};
  const int head[12] = {1011, 356, 418, 980, 566, 308, 950, 2098, 1288, 1078, 624, 2208};
  int idx[2345];
  gsl_rng *r = seeded(1234);
  dm_nprand_permutation(r, idx, 10);
  for (int i = 0; i < 10; i++)
    CHECK(idx[i] == p10[i], "RandomState(1234).permutation(10)[%d] = %d", i, idx[i]);
  gsl_rng_free(r);
  r = seeded(99);
  dm_nprand_permutation(r, idx, 7);
  for (int i = 0; i < 7; i++) CHECK(idx[i] == p7[i], "RandomState(99).permutation(7)[%d] = %d", i, idx[i]);
  gsl_rng_free(r);
  /* lite's subsample of a 2345-member pattern: the first 1000 of this one */
  r = seeded(1234);
  dm_nprand_permutation(r, idx, 2345);
  long sum = 0;
  for (int i = 0; i < 12; i++) CHECK(idx[i] == head[i], "permutation(2345)[%d] = %d", i, idx[i]);
  for (int i = 0; i < 1000; i++) sum += idx[i];
  CHECK(idx[999] == 111 && idx[2344] == 723, "permutation(2345)[999] = %d, [-1] = %d", idx[999], idx[2344]);
  CHECK(sum == 1174647, "sum of the first 1000: %ld", sum);
  CHECK(is_permutation(idx, 2345), "every index once");
  gsl_rng_free(r);
  r = seeded(5);
  dm_nprand_permutation(r, idx, 1);
  CHECK(idx[0] == 0, "permutation(1)");
  gsl_rng_free(r);
}

int main(void) {
  test_double();
  test_permutation();
  return dm_test_summary("test_nprand");
}
