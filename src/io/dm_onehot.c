/* dm_onehot: DNA letters -> one-hot (N, L, 4). */
#include "dm_onehot.h"

#include <string.h>

int dm_onehot_channel(char c) {
  switch (c) {
    case 'A':
    case 'a':
      return 0;
    case 'C':
    case 'c':
      return 1;
    case 'G':
    case 'g':
      return 2;
    case 'T':
    case 't':
      return 3;
    default:
      return -1;
  }
}

void dm_onehot_u8(const char *seq, int64_t n, int64_t L, uint8_t *out) {
  int64_t total = n * L;
  memset(out, 0, (size_t)total * 4);
  for (int64_t i = 0; i < total; i++) {
    int c = dm_onehot_channel(seq[i]);
    if (c >= 0) out[4 * i + c] = 1;
  }
}

void dm_onehot_f32(const char *seq, int64_t n, int64_t L, float *out) {
  int64_t total = n * L;
  for (int64_t i = 0; i < total; i++) {
    int c = dm_onehot_channel(seq[i]);
    for (int k = 0; k < 4; k++) out[4 * i + k] = k == c ? 1.0f : 0.0f;
  }
}
