/* One-hot kernels against a hand-written table. */
#include <stdint.h>
#include <string.h>

#include "dm_onehot.h"
#include "dm_test.h"

int main(void) {
  /* 2 rows of 6 letters: upper, lower, N, IUPAC, gap */
  const char *seq = "ACGTacgtNnR-";
  static const int want[12] = {0, 1, 2, 3, 0, 1, 2, 3, -1, -1, -1, -1}; /* channel or none */
  uint8_t u8[12 * 4];
  float f32[12 * 4];
  memset(u8, 7, sizeof u8); /* the kernels must overwrite everything */
  for (int i = 0; i < 48; i++) f32[i] = 7.0f;
  dm_onehot_u8(seq, 2, 6, u8);
  dm_onehot_f32(seq, 2, 6, f32);
  for (int i = 0; i < 12; i++) {
    CHECK(dm_onehot_channel(seq[i]) == want[i], "channel of '%c'", seq[i]);
    for (int c = 0; c < 4; c++) {
      int expect = want[i] == c;
      CHECK(u8[4 * i + c] == expect, "u8 '%c' channel %d = %d", seq[i], c, u8[4 * i + c]);
      CHECK(f32[4 * i + c] == (float)expect, "f32 '%c' channel %d = %g", seq[i], c, f32[4 * i + c]);
    }
  }
  /* zero rows touch nothing */
  u8[0] = 9;
  dm_onehot_u8(seq, 0, 6, u8);
  CHECK(u8[0] == 9, "n = 0 wrote");
  return dm_test_summary("test_onehot");
}
