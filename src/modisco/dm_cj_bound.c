/* dm_cj_bound: an upper bound of the continuous Jaccard score at every
 * offset, so that the alignment (dm_cj_align_prepared) scores exactly only
 * the offsets that can win (see dm_cj_internal.h).
 *
 * Channels come in groups of 4 (a track's A,C,G,T columns). Within a
 * group at one position, sum_ch min(|x_ch|, |y_ch|) is at most
 * min(mass x, mass y) (mass: the group's sum of |.|), and it is 0 when x
 * and y each have a single nonzero channel and these differ (a seqlet's
 * contrib columns hold only the actual base). Summed over the positions
 * of a window, that bounds the sum of minima M; the score num / (sx + sy
 * - M) is at most M / (sx + sy - M), which grows with M (num <= M, and
 * M <= min(sx, sy)). Where that ratio is undefined, the bound is +inf. */
#include <math.h>

#include "dm_cj_internal.h"
#include "dm_log.h"

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define DM_CJB_HAVE_AVX 1
#endif

#define GROUP 4 /* channels per group */
#define SELS 5  /* per group: y's mass where it may share channel 0..3, and its whole mass */
#define VEC 8   /* offsets per vector */

static int groups(int c) {
  DM_ASSERT(c >= GROUP && c % GROUP == 0);
  return c / GROUP;
}

static size_t sel_stride(int lyp) { return (size_t)lyp + VEC; }

size_t dm_cj_bound_prep_size(int lyp, int c) { return (size_t)groups(c) * SELS * sel_stride(lyp); }

/* The channel of a group's single nonzero value by the mask of its
 * nonzero channels; GROUP for none or several. */
static const int single_channel[16] = {GROUP, 0,     1,     GROUP, 2,     GROUP, GROUP, GROUP,
                                       3,     GROUP, GROUP, GROUP, GROUP, GROUP, GROUP, GROUP};

/* Mass of one group of 4 values and the channel of its single nonzero
 * value, without branches (NaN counts as nonzero: its mass is NaN, so the
 * bound turns NaN and the offset is scored). */
static inline float group_mass(const float *v, int *sel) {
  float a0 = fabsf(v[0]), a1 = fabsf(v[1]), a2 = fabsf(v[2]), a3 = fabsf(v[3]);
  int nz = (a0 != 0.0f) | (a1 != 0.0f) << 1 | (a2 != 0.0f) << 2 | (a3 != 0.0f) << 3;
  *sel = single_channel[nz];
  return (a0 + a1) + (a2 + a3);
}

void dm_cj_bound_prepare(const float *ya, int lyp, int c, float *ysel) {
  int ng = groups(c);
  size_t st = sel_stride(lyp);
  for (int g = 0; g < ng; g++)
    for (size_t p = 0; p < st; p++) {
      float *out = ysel + (size_t)g * SELS * st + p;
      int sel = GROUP;
      float m = p < (size_t)lyp ? group_mass(ya + p * c + g * GROUP, &sel) : 0.0f;
      for (int k = 0; k < GROUP; k++) out[k * st] = sel == GROUP || sel == k ? m : 0.0f;
      out[GROUP * st] = m;
    }
}

size_t dm_cj_summary_size(int lx, int c) { return 1 + 2 * (size_t)lx * groups(c); }

void dm_cj_bound_summary(const float *x, int lx, int c, float sx, float *sum) {
  int ng = groups(c);
  float *mass = sum + 1, *row = mass + (size_t)lx * ng;
  sum[0] = sx;
  for (int t = 0; t < lx; t++)
    for (int g = 0; g < ng; g++) {
      int sel;
      mass[t * ng + g] = group_mass(x + (size_t)t * c + g * GROUP, &sel);
      row[t * ng + g] = (float)(g * SELS + sel);
    }
}

/* The row of y's sums that entry e (position t, group g) of x's summary
 * meets: its group's masses where they may share the channel of x's single
 * nonzero value, or the whole masses. */
static inline const float *sel_row(const float *ysel, size_t st, const float *row, int e) {
  return ysel + (size_t)row[e] * st;
}

/* The score bound from the bound m of the sum of minima. */
static inline float score_bound(float m, float sx, float sy) {
  float den = (sx + sy) - m, u = m / den;
  return den > 0.0f && u == u ? u : INFINITY;
}

static void bound_portable(const float *mass, int lx, int ng, const float *ysel, size_t st, const float *pre,
                           float sx, int n_off, float *out) {
  const float *row = mass + (size_t)lx * ng;
  for (int q = 0; q < n_off; q++) out[q] = 0.0f;
  for (int t = 0; t < lx; t++)
    for (int g = 0; g < ng; g++) {
      float m = mass[t * ng + g];
      if (m == 0.0f) continue;
      const float *y = sel_row(ysel, st, row, t * ng + g) + t;
      for (int q = 0; q < n_off; q++) out[q] += y[q] < m ? y[q] : m; /* NaN m gives NaN */
    }
  for (int q = 0; q < n_off; q++) out[q] = score_bound(out[q], sx, pre[q + lx] - pre[q]);
}

#ifdef DM_CJB_HAVE_AVX
/* w (1..4) vectors of 8 offsets from q0 in one pass over x. */
__attribute__((target("avx"), always_inline)) static inline void bound_group(const float *mass, int lx,
                                                                             int ng, const float *ysel,
                                                                             size_t st, const float *pre,
                                                                             float sx, int q0, int w,
                                                                             float *out) {
  const float *row = mass + (size_t)lx * ng;
  __m256 acc[4];
#pragma GCC unroll 4
  for (int r = 0; r < w; r++) acc[r] = _mm256_setzero_ps();
  for (int t = 0; t < lx; t++)
    for (int g = 0; g < ng; g++) {
      float m = mass[t * ng + g];
      if (m == 0.0f) continue;
      const float *y = sel_row(ysel, st, row, t * ng + g) + t + q0;
      __m256 mv = _mm256_set1_ps(m);
#pragma GCC unroll 4
      for (int r = 0; r < w; r++) /* min_ps returns its second operand when one is NaN */
        acc[r] = _mm256_add_ps(acc[r], _mm256_min_ps(_mm256_loadu_ps(y + r * VEC), mv));
    }
  const __m256 sxv = _mm256_set1_ps(sx), zero = _mm256_setzero_ps(), inf = _mm256_set1_ps(INFINITY);
#pragma GCC unroll 4
  for (int r = 0; r < w; r++) { /* score_bound's steps */
    const float *p = pre + q0 + r * VEC;
    __m256 sy = _mm256_sub_ps(_mm256_loadu_ps(p + lx), _mm256_loadu_ps(p));
    __m256 den = _mm256_sub_ps(_mm256_add_ps(sxv, sy), acc[r]), u = _mm256_div_ps(acc[r], den);
    __m256 ok = _mm256_and_ps(_mm256_cmp_ps(den, zero, _CMP_GT_OQ), _mm256_cmp_ps(u, u, _CMP_ORD_Q));
    _mm256_storeu_ps(out + q0 + r * VEC, _mm256_blendv_ps(inf, u, ok));
  }
}

__attribute__((target("avx"))) static void bound_avx(const float *mass, int lx, int ng, const float *ysel,
                                                     size_t st, const float *pre, float sx, int n_off,
                                                     float *out) {
  int nv = (n_off + VEC - 1) / VEC, v = 0;
  for (; v + 4 <= nv; v += 4) bound_group(mass, lx, ng, ysel, st, pre, sx, v * VEC, 4, out);
  for (; v < nv; v++) bound_group(mass, lx, ng, ysel, st, pre, sx, v * VEC, 1, out);
}
#endif

void dm_cj_bound(const float *sum, int lx, int c, const float *ysel, const float *pre, int lyp, float *out,
                 int simd) {
  int ng = groups(c), n_off = lyp - lx + 1;
  float sx = sum[0];
  DM_ASSERT(lx >= 1 && n_off >= 1);
#ifdef DM_CJB_HAVE_AVX
  if (simd && dm_cj_simd_available()) {
    bound_avx(sum + 1, lx, ng, ysel, sel_stride(lyp), pre, sx, n_off, out);
    return;
  }
#else
  (void)simd;
#endif
  bound_portable(sum + 1, lx, ng, ysel, sel_stride(lyp), pre, sx, n_off, out);
}
