/* dm_radix: radix sorts and radix selection (see dm_radix.h). */
#include "dm_radix.h"

#include <string.h>

#include "dm_log.h"

void dm_radix_sort(int64_t *key, int32_t *idx, int64_t *tkey, int32_t *tidx, size_t n, int64_t kmax) {
  enum { MAX_BITS = 11 };
  int bits = n < 4096 ? 8 : MAX_BITS, radix = 1 << bits, odd = 0;
  size_t count[1 << MAX_BITS];
  for (int shift = 0; shift < 64 && (kmax >> shift) > 0; shift += bits, odd ^= 1) {
    memset(count, 0, (size_t)radix * sizeof *count);
    for (size_t i = 0; i < n; i++) count[(key[i] >> shift) & (radix - 1)]++;
    size_t sum = 0;
    for (int d = 0; d < radix; d++) {
      size_t c = count[d];
      count[d] = sum;
      sum += c;
    }
    if (idx)
      for (size_t i = 0; i < n; i++) {
        size_t p = count[(key[i] >> shift) & (radix - 1)]++;
        tkey[p] = key[i];
        tidx[p] = idx[i];
      }
    else
      for (size_t i = 0; i < n; i++) tkey[count[(key[i] >> shift) & (radix - 1)]++] = key[i];
    int64_t *k = key;
    key = tkey;
    tkey = k;
    int32_t *x = idx;
    idx = tidx;
    tidx = x;
  }
  if (odd) { /* the result is in the scratch: copy it back */
    memcpy(tkey, key, n * sizeof *key);
    if (idx) memcpy(tidx, idx, n * sizeof *idx);
  }
}

uint64_t dm_radix_select(uint64_t *key, uint64_t *tkey, size_t n, size_t k) {
  enum { BITS = 11, RADIX = 1 << BITS };
  DM_ASSERT(k < n);
  size_t count[RADIX];
  /* digits from the top: bits 53..63, 42..52, ..., then 0..8 (its upper bits already equal) */
  for (int shift = 64 - BITS; n > 1; shift = shift > BITS ? shift - BITS : 0) {
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++) count[(key[i] >> shift) & (RADIX - 1)]++;
    size_t d = 0;
    while (k >= count[d]) k -= count[d++];
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
      if (((key[i] >> shift) & (RADIX - 1)) == d) tkey[m++] = key[i];
    uint64_t *t = key;
    key = tkey;
    tkey = t;
    n = m;
    if (shift == 0) break; /* all bits equal */
  }
  return key[0];
}

/* The sign bit flipped for positives, all bits for negatives (so more
 * negative is smaller). */
int64_t dm_radix_float_key(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return (int64_t)(u & 0x80000000u ? ~u : u | 0x80000000u);
}

static float key_float(int64_t k) {
  uint32_t u = (uint32_t)k;
  u = u & 0x80000000u ? u ^ 0x80000000u : ~u;
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

void dm_radix_sort_floats(float *v, size_t n, int64_t *work) {
  int64_t *key = work, *tkey = work + n;
  for (size_t i = 0; i < n; i++) key[i] = dm_radix_float_key(v[i]);
  dm_radix_sort(key, NULL, tkey, NULL, n, 0xffffffff);
  for (size_t i = 0; i < n; i++) v[i] = key_float(key[i]);
}
