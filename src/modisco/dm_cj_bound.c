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
#include <string.h>

#include "dm_cj_internal.h"
#include "dm_log.h"

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define DM_CJB_HAVE_AVX 1
#endif

#define GROUP 4 /* channels per group */
#define SELS 5  /* per group: y's mass where it may share channel 0..3, and its whole mass */
#define VEC 8   /* offsets per vector */

/* Folding: an entry of x's summary (one position and group) whose mass is
 * at most DM_CJ_FOLD_ENTRY times the mean entry's is added to the bound as
 * its mass (min(m, y) <= m), not compared with y at every offset, while
 * the masses folded so far (in position order) total at most
 * DM_CJ_FOLD_TOTAL of sum |x|. The bound stays a bound, a little looser,
 * and costs fewer vector steps (at 20k seqlets the fine step takes 0.53
 * of its unfolded time; bench/README.md). */
#define DM_CJ_FOLD_ENTRY 2.0f
#define DM_CJ_FOLD_TOTAL 0.2f

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

/* Summary layout: sx, the folded mass, the number E of entries kept, then
 * E masses and E codes (position << 8 | row of the prepared bound); the
 * rest is unused. */
enum { SUM_HEAD = 3, CODE_SHIFT = 8 };

size_t dm_cj_summary_size(int lx, int c) { return SUM_HEAD + 2 * (size_t)lx * groups(c); }

void dm_cj_bound_summary(const float *x, int lx, int c, float sx, float *sum) {
  int ng = groups(c), e = 0;
  DM_ASSERT(ng * SELS <= 1 << CODE_SHIFT && lx < 1 << (24 - CODE_SHIFT)); /* codes exact as floats */
  float *mass = sum + SUM_HEAD, *code = mass + (size_t)lx * ng;
  float small = DM_CJ_FOLD_ENTRY * sx / (float)(lx * ng), budget = DM_CJ_FOLD_TOTAL * sx, folded = 0.0f;
  for (int t = 0; t < lx; t++)
    for (int g = 0; g < ng; g++) {
      int sel;
      float m = group_mass(x + (size_t)t * c + g * GROUP, &sel);
      if (m == 0.0f) continue;
      if (m <= small && folded + m <= budget) { /* false for NaN: kept */
        folded += m;
        continue;
      }
      mass[e] = m;
      code[e++] = (float)(t << CODE_SHIFT | (g * SELS + sel));
    }
  memmove(mass + e, code, (size_t)e * sizeof *code); /* the codes follow the kept masses */
  sum[0] = sx;
  sum[1] = folded;
  sum[2] = (float)e;
}

/* The row of y's sums that kept entry e of x's summary meets, at the
 * entry's position: its group's masses where they may share the channel
 * of x's single nonzero value, or the whole masses. */
static inline const float *sel_row(const float *ysel, size_t st, const float *code, int e) {
  int v = (int)code[e];
  return ysel + (size_t)(v & ((1 << CODE_SHIFT) - 1)) * st + (v >> CODE_SHIFT);
}

/* The score bound from the bound m of the sum of minima. */
static inline float score_bound(float m, float sx, float sy) {
  float den = (sx + sy) - m, u = m / den;
  return den > 0.0f && u == u ? u : INFINITY;
}

static void bound_portable(const float *sum, const float *ysel, size_t st, const float *pre, int lx,
                           int n_off, float *out) {
  int ne = (int)sum[2];
  const float *mass = sum + SUM_HEAD, *code = mass + ne;
  for (int q = 0; q < n_off; q++) out[q] = sum[1];
  for (int e = 0; e < ne; e++) {
    float m = mass[e];
    const float *y = sel_row(ysel, st, code, e);
    for (int q = 0; q < n_off; q++) out[q] += y[q] < m ? y[q] : m; /* NaN m gives NaN */
  }
  for (int q = 0; q < n_off; q++) out[q] = score_bound(out[q], sum[0], pre[q + lx] - pre[q]);
}

#ifdef DM_CJB_HAVE_AVX
/* w (1..4) vectors of 8 offsets from q0 in one pass over x's entries. */
__attribute__((target("avx"), always_inline)) static inline void bound_group(const float *sum,
                                                                             const float *ysel, size_t st,
                                                                             const float *pre, int lx, int q0,
                                                                             int w, float *out) {
  int ne = (int)sum[2];
  const float *mass = sum + SUM_HEAD, *code = mass + ne;
  __m256 acc[4];
#pragma GCC unroll 4
  for (int r = 0; r < w; r++) acc[r] = _mm256_set1_ps(sum[1]);
  for (int e = 0; e < ne; e++) {
    const float *y = sel_row(ysel, st, code, e) + q0;
    __m256 mv = _mm256_set1_ps(mass[e]);
#pragma GCC unroll 4
    for (int r = 0; r < w; r++) /* min_ps returns its second operand when one is NaN */
      acc[r] = _mm256_add_ps(acc[r], _mm256_min_ps(_mm256_loadu_ps(y + r * VEC), mv));
  }
  const __m256 sxv = _mm256_set1_ps(sum[0]), zero = _mm256_setzero_ps(), inf = _mm256_set1_ps(INFINITY);
#pragma GCC unroll 4
  for (int r = 0; r < w; r++) { /* score_bound's steps */
    const float *p = pre + q0 + r * VEC;
    __m256 sy = _mm256_sub_ps(_mm256_loadu_ps(p + lx), _mm256_loadu_ps(p));
    __m256 den = _mm256_sub_ps(_mm256_add_ps(sxv, sy), acc[r]), u = _mm256_div_ps(acc[r], den);
    __m256 ok = _mm256_and_ps(_mm256_cmp_ps(den, zero, _CMP_GT_OQ), _mm256_cmp_ps(u, u, _CMP_ORD_Q));
    _mm256_storeu_ps(out + q0 + r * VEC, _mm256_blendv_ps(inf, u, ok));
  }
}

__attribute__((target("avx"))) static void bound_avx(const float *sum, const float *ysel, size_t st,
                                                     const float *pre, int lx, int n_off, float *out) {
  int nv = (n_off + VEC - 1) / VEC, v = 0;
  for (; v + 4 <= nv; v += 4) bound_group(sum, ysel, st, pre, lx, v * VEC, 4, out);
  for (; v < nv; v++) bound_group(sum, ysel, st, pre, lx, v * VEC, 1, out);
}
#endif

void dm_cj_bound(const float *sum, int lx, const float *ysel, const float *pre, int lyp, float *out,
                 int simd) {
  int n_off = lyp - lx + 1;
  DM_ASSERT(lx >= 1 && n_off >= 1);
#ifdef DM_CJB_HAVE_AVX
  if (simd && dm_cj_simd_available()) {
    bound_avx(sum, ysel, sel_stride(lyp), pre, lx, n_off, out);
    return;
  }
#else
  (void)simd;
#endif
  bound_portable(sum, ysel, sel_stride(lyp), pre, lx, n_off, out);
}
