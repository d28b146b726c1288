/* affinity_ref: shared helpers of the affinity tests: a deterministic RNG,
 * synthetic seqlets and an independent double-precision continuous Jaccard
 * reference (lite's definition: y explicitly zero-padded). */
#ifndef AFFINITY_REF_H
#define AFFINITY_REF_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dm_cj.h"

static uint64_t ref_rng_state = 12345;

/* xorshift64*, uniform in [0, 1) */
static inline double urand(void) {
  ref_rng_state ^= ref_rng_state >> 12;
  ref_rng_state ^= ref_rng_state << 25;
  ref_rng_state ^= ref_rng_state >> 27;
  return (double)((ref_rng_state * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

/* uniform in [-1, 1), a fraction zero_frac of exact zeros */
static inline void fill(float *x, size_t n, double zero_frac) {
  for (size_t i = 0; i < n; i++) x[i] = urand() < zero_frac ? 0.0f : (float)(2.0 * urand() - 1.0);
}

/* Random seqlets (N, L, 4); every third carries a shared 6-mer with high
 * contribution, some positions are N, row zero_row has no contribution. */
static inline void make_seqlets(int n, int l, float *onehot, float *contrib, int zero_row) {
  static const int motif[6] = {2, 0, 3, 0, 1, 2};
  for (int r = 0; r < n; r++) {
    int at = (int)(urand() * (l - 6));
    for (int t = 0; t < l; t++) {
      int b = (int)(urand() * 4);
      float imp = (float)(urand() - 0.3);
      if (r % 3 == 0 && t >= at && t < at + 6) {
        b = motif[t - at];
        imp = 2.0f + (float)urand();
      }
      if (r == zero_row) imp = 0.0f;
      if (t == l / 2 && r % 7 == 1) b = -1;
      for (int c = 0; c < 4; c++) {
        onehot[((size_t)r * l + t) * 4 + c] = c == b ? 1.0f : 0.0f;
        contrib[((size_t)r * l + t) * 4 + c] = c == b ? imp : 0.0f;
      }
    }
  }
}

static inline double ref_cj(const float *x, const float *y, size_t n) {
  double num = 0, den = 0;
  for (size_t i = 0; i < n; i++) {
    double a = fabs(x[i]), b = fabs(y[i]);
    double s = (x[i] > 0) - (x[i] < 0), t = (y[i] > 0) - (y[i] < 0);
    num += (a < b ? a : b) * s * t;
    den += a > b ? a : b;
  }
  return den > 0 ? num / den : 0.0;
}

/* Best alignment over every window of the padded y; a later window must
 * beat the best by 1e-6 to win (the float kernel's ties stay with the first). */
static inline dm_cj_align_t ref_align(const float *x, const float *xrc, int lx, const float *y, int ly, int c,
                                      int pad) {
  int lyp = ly + 2 * pad;
  float *yp = calloc((size_t)lyp * c, sizeof(float));
  memcpy(yp + (size_t)pad * c, y, (size_t)ly * c * sizeof(float));
  dm_cj_align_t best = {-2.0f, 0, 0};
  for (int s = 0; s < (xrc ? 2 : 1); s++)
    for (int q = 0; q + lx <= lyp; q++) {
      double v = ref_cj(s ? xrc : x, yp + (size_t)q * c, (size_t)lx * c);
      if (v > best.score + 1e-6) best = (dm_cj_align_t){(float)v, q - pad, s};
    }
  free(yp);
  return best;
}

#endif
