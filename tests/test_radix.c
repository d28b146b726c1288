/* test_radix: the radix sorts against qsort: keys with an index (stable,
 * one pass or several, small and large n), keys alone, and floats with
 * negatives, both zeros, repeats, infinities and subnormals; the radix
 * selection against the sorted keys at every rank, and on the bits of
 * non-negative doubles. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dm_radix.h"
#include "dm_test.h"

static uint64_t rng = 88172645463325252ull;
static uint64_t next(void) { /* xorshift64 */
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

typedef struct {
  int64_t key;
  int32_t idx;
} pair_t;

static int cmp_pair(const void *a, const void *b) {
  const pair_t *x = a, *y = b;
  if (x->key != y->key) return x->key < y->key ? -1 : 1;
  return (x->idx > y->idx) - (x->idx < y->idx);
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

static void test_keys(size_t n, int64_t kmax, int with_idx) {
  int64_t *key = malloc((n + 1) * sizeof *key), *tkey = malloc((n + 1) * sizeof *tkey);
  int32_t *idx = malloc((n + 1) * sizeof *idx), *tidx = malloc((n + 1) * sizeof *tidx);
  pair_t *ref = malloc((n + 1) * sizeof *ref);
  for (size_t i = 0; i < n; i++) {
    key[i] = (int64_t)(next() % ((uint64_t)kmax + 1));
    if (i % 3 == 1) key[i] = key[i - 1]; /* repeats: the order must hold */
    idx[i] = (int32_t)i;
    ref[i] = (pair_t){key[i], (int32_t)i};
  }
  qsort(ref, n, sizeof *ref, cmp_pair);
  dm_radix_sort(key, with_idx ? idx : NULL, tkey, with_idx ? tidx : NULL, n, kmax);
  size_t bad = 0;
  for (size_t i = 0; i < n; i++) bad += key[i] != ref[i].key || (with_idx && idx[i] != ref[i].idx);
  CHECK(bad == 0, "n %zu kmax %lld idx %d: %zu places differ from a stable sort", n, (long long)kmax,
        with_idx, bad);
  free(key), free(tkey), free(idx), free(tidx), free(ref);
}

static void test_floats(size_t n) {
  float *v = malloc((n + 1) * sizeof *v);
  uint32_t *bits_in = malloc((n + 1) * sizeof *bits_in), *bits_out = malloc((n + 1) * sizeof *bits_out);
  int64_t *work = malloc((2 * n + 1) * sizeof *work);
  const float special[] = {0.0f,    -0.0f,    INFINITY, -INFINITY, FLT_MAX, -FLT_MAX,
                           FLT_MIN, -FLT_MIN, 1e-40f,   -1e-40f,   1.0f,    -1.0f};
  for (size_t i = 0; i < n; i++) {
    uint64_t r = next();
    v[i] = i % 5 == 0 ? special[r % 12] : (float)((double)(r % 2000001) / 1000.0 - 1000.0);
    memcpy(&bits_in[i], &v[i], sizeof *bits_in);
  }
  dm_radix_sort_floats(v, n, work);
  size_t bad = 0;
  for (size_t i = 1; i < n; i++) bad += !(v[i - 1] <= v[i]);
  for (size_t i = 1; i < n; i++) bad += v[i - 1] == 0 && v[i] == 0 && !signbit(v[i - 1]) && signbit(v[i]);
  CHECK(bad == 0, "n %zu: %zu places out of order", n, bad);
  for (size_t i = 0; i < n; i++) memcpy(&bits_out[i], &v[i], sizeof *bits_out);
  qsort(bits_in, n, sizeof *bits_in, cmp_u32);
  qsort(bits_out, n, sizeof *bits_out, cmp_u32);
  CHECK(!memcmp(bits_in, bits_out, n * sizeof *bits_in), "n %zu: the values changed", n);
  free(v), free(bits_in), free(bits_out), free(work);
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* ranks across 0..n-1 (about 200) of n keys (spread over all 64 bits, or few distinct, or
 * differing only in the low bits), and of n non-negative doubles' bits */
static void test_select(size_t n, int kind) {
  uint64_t *v = malloc(n * sizeof *v), *sorted = malloc(n * sizeof *v), *key = malloc(n * sizeof *v),
           *tkey = malloc(n * sizeof *v);
  for (size_t i = 0; i < n; i++) {
    uint64_t r = next();
    if (kind == 0)
      v[i] = r;
    else if (kind == 1)
      v[i] = r % 5 * 0x0101010101010101ull; /* many repeats */
    else if (kind == 2)
      v[i] = 0xabcdef0000000000ull | (r & 0xfff); /* the top bits equal */
    else { /* |x| of doubles of mixed magnitude, with zeros and repeats */
      double x = i % 7 == 0 ? 0.0 : fabs(((double)(r % 2000001) - 1e6) * pow(10.0, (double)(r % 9) - 4.0));
      if (i % 11 == 1) x = 0.125;
      memcpy(&v[i], &x, sizeof x);
    }
  }
  memcpy(sorted, v, n * sizeof *v);
  qsort(sorted, n, sizeof *sorted, cmp_u64);
  size_t bad = 0, checked = 0;
  for (size_t k = 0; k < n; k += 1 + n / 200, checked++) {
    memcpy(key, v, n * sizeof *v);
    bad += dm_radix_select(key, tkey, n, k) != sorted[k];
  }
  CHECK(checked > 0 && bad == 0, "select, n %zu kind %d: %zu of %zu ranks differ from the sort", n, kind, bad,
        checked);
  if (kind == 3 && n > 1) { /* as doubles, the order of < */
    size_t k = n / 2;
    memcpy(key, v, n * sizeof *v);
    uint64_t b = dm_radix_select(key, tkey, n, k);
    double t, x;
    memcpy(&t, &b, sizeof t);
    size_t below = 0, at = 0;
    for (size_t i = 0; i < n; i++) {
      memcpy(&x, &v[i], sizeof x);
      below += x < t;
      at += x == t;
    }
    CHECK(below <= k && k < below + at, "select, n %zu: the median double %g has %zu below, %zu equal", n, t,
          below, at);
  }
  free(v), free(sorted), free(key), free(tkey);
}

int main(void) {
  for (int kind = 0; kind < 4; kind++) {
    test_select(1, kind);
    test_select(2, kind);
    test_select(37, kind);
    test_select(6000, kind);
  }
  const size_t sizes[] = {0, 1, 7, 4095, 4096, 50000};
  const int64_t kmax[] = {1, 255, 2047, 70000, (int64_t)1 << 40};
  for (int s = 0; s < 6; s++) {
    for (int k = 0; k < 5; k++) {
      test_keys(sizes[s], kmax[k], 1);
      test_keys(sizes[s], kmax[k], 0);
    }
    test_floats(sizes[s]);
  }
  return dm_test_summary("test_radix");
}
