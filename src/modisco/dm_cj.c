/* dm_cj: continuous Jaccard kernels (see dm_cj.h). */
#include "dm_cj.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "dm_cj_internal.h"
#include "dm_log.h"

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define DM_CJ_HAVE_AVX 1
#endif

#define DM_CJ_LANES 8

// --- tracks

void dm_cj_track(const float *hyp, const float *contrib, int l, float *out) {
  const float *src[2] = {hyp, contrib};
  for (int part = 0; part < 2; part++) {
    double s = 0.0;
    for (int i = 0; i < 4 * l; i++) s += fabs((double)src[part][i]);
    float norm = s > 0.0 ? (float)s : 1.0f;
    for (int t = 0; t < l; t++)
      for (int j = 0; j < 4; j++) out[t * 8 + part * 4 + j] = src[part][t * 4 + j] / norm;
  }
}

void dm_cj_revcomp(const float *x, int l, int c, float *out) {
  DM_ASSERT(c % 4 == 0);
  for (int t = 0; t < l; t++) {
    const float *row = x + (size_t)(l - 1 - t) * c;
    float *o = out + (size_t)t * c;
    for (int g = 0; g < c; g += 4)
      for (int j = 0; j < 4; j++) o[g + j] = row[g + 3 - j];
  }
}

int dm_cj_pad(int lx, double min_overlap, int round_up) {
  double p = (double)lx * (1.0 - min_overlap);
  int n = (int)(round_up ? ceil(p) : p);
  return n > 0 ? n : 0;
}

static inline uint32_t f2u(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}

static inline float u2f(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

/* The work of an alignment against a fixed track: the prepared track (|y|
 * and sign bits of the zero-padded track, (lyp, C) each; the prefix sums of
 * |y| over positions, (lyp + 1), then 7 copies of the last for the bound's
 * vector loads; the bound's rows) and the scratch of one alignment (a
 * sliding track's summary, the bound of one strand, (lyp + 8); the score
 * bounds of both strands, (2 lyp)). */
typedef struct {
  float *ya, *ys, *pre, *ysel; /* prepared */
  float *sum, *bnd, *ub;       /* scratch */
} cj_work_t;

/* Offsets of cj_work_t's arrays in the work, in order, then its size. */
static void cj_layout(int lyp, int c, size_t off[8]) {
  size_t np = (size_t)lyp * c;
  const size_t len[7] = {np, np, (size_t)lyp + 8, dm_cj_bound_prep_size(lyp, c), dm_cj_summary_size(lyp, c),
                         (size_t)lyp + 8, 2 * (size_t)lyp};
  off[0] = 0;
  for (int a = 0; a < 7; a++) off[a + 1] = off[a] + len[a];
}

static cj_work_t cj_carve(float *work, int lyp, int c) {
  size_t off[8];
  cj_layout(lyp, c, off);
  return (cj_work_t){work + off[0], work + off[1], work + off[2], work + off[3],
                     work + off[4], work + off[5], work + off[6]};
}

size_t dm_cj_work_size(int ly, int c, int pad) {
  size_t off[8];
  cj_layout(ly + 2 * pad, c, off);
  return off[7];
}

void dm_cj_prepare(const float *y, int ly, int c, int pad, float *work) {
  int lyp = ly + 2 * pad;
  cj_work_t w = cj_carve(work, lyp, c);
  w.pre[0] = 0.0f;
  for (size_t p = 0; p < (size_t)lyp; p++) {
    long t = (long)p - pad;
    float rowsum = 0.0f;
    for (int ch = 0; ch < c; ch++) {
      float v = t >= 0 && t < ly ? y[(size_t)t * c + ch] : 0.0f;
      w.ya[p * c + ch] = fabsf(v);
      w.ys[p * c + ch] = u2f(f2u(v) & 0x80000000u);
      rowsum += fabsf(v);
    }
    w.pre[p + 1] = w.pre[p] + rowsum;
  }
  for (int p = lyp + 1; p < lyp + 8; p++) w.pre[p] = w.pre[lyp];
  dm_cj_bound_prepare(w.ya, lyp, c, w.ysel);
}

// --- scan kernels: numerator and sum of minima of CJ at n_off windows

/* Fixed reduction tree over the 8 lanes, shared by both kernels. */
static inline float lane_sum(const float v[DM_CJ_LANES]) {
  float t0 = v[0] + v[4], t1 = v[1] + v[5], t2 = v[2] + v[6], t3 = v[3] + v[7];
  return (t0 + t2) + (t1 + t3);
}

/* min(|x|,|y|) with the sign of x*y goes to *num, min(|x|,|y|) to *mins. */
static inline void cj_term(float x, float ay, float ys, float *num, float *mins) {
  float ax = fabsf(x), mn = ax < ay ? ax : ay;
  *num += u2f(f2u(mn) | ((f2u(x) ^ f2u(ys)) & 0x80000000u));
  *mins += mn;
}

static void scan_portable(const float *x, size_t n, const float *ya, const float *ys,
                          size_t stride, int n_off, float *num, float *mins) {
  for (int q = 0; q < n_off; q++) {
    const float *a = ya + (size_t)q * stride, *s = ys + (size_t)q * stride;
    float an[DM_CJ_LANES] = {0}, am[DM_CJ_LANES] = {0};
    size_t e = 0;
    for (; e + DM_CJ_LANES <= n; e += DM_CJ_LANES)
      for (int k = 0; k < DM_CJ_LANES; k++) cj_term(x[e + k], a[e + k], s[e + k], &an[k], &am[k]);
    if (e < n) /* tail: missing elements are zeros, as in the masked SIMD load */
      for (int k = 0; k < DM_CJ_LANES; k++) {
        int in = e + k < n;
        cj_term(in ? x[e + k] : 0.0f, in ? a[e + k] : 0.0f, in ? s[e + k] : 0.0f, &an[k], &am[k]);
      }
    num[q] = lane_sum(an);
    mins[q] = lane_sum(am);
  }
}

#ifdef DM_CJ_HAVE_AVX
#define CJ_STEP(ax, xs, ay, ys, an, am)                                                            \
  do {                                                                                             \
    __m256 mn_ = _mm256_min_ps(ax, ay);                                                            \
    an = _mm256_add_ps(an, _mm256_or_ps(mn_, _mm256_xor_ps(xs, ys)));                              \
    am = _mm256_add_ps(am, mn_);                                                                   \
  } while (0)

/* lane_sum's tree in registers: (v0+v4, v1+v5, v2+v6, v3+v7), then
 * (t0+t2) + (t1+t3). */
__attribute__((target("avx"))) static inline float hsum(__m256 v) {
  __m128 t = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  __m128 u = _mm_add_ps(t, _mm_movehl_ps(t, t));
  return _mm_cvtss_f32(_mm_add_ss(u, _mm_shuffle_ps(u, u, 1)));
}

__attribute__((target("avx"))) static inline void store_sums(__m256 an, __m256 am, float *num,
                                                             float *mins) {
  *num = hsum(an);
  *mins = hsum(am);
}

/* w (1..4) windows in one pass: they share the loads of x. Inlined with a
 * constant w, the accumulators live in registers. */
__attribute__((target("avx"), always_inline)) static inline void
scan_group(const float *x, size_t nfull, __m256i tmask, int rem, const float *ya, const float *ys,
           size_t stride, int w, float *num, float *mins) {
  const __m256 absm = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  const __m256 sgnm = _mm256_castsi256_ps(_mm256_set1_epi32((int)0x80000000u));
  __m256 an[4], am[4];
#pragma GCC unroll 4
  for (int r = 0; r < w; r++) an[r] = am[r] = _mm256_setzero_ps();
  for (size_t e = 0; e < nfull; e += DM_CJ_LANES) {
    __m256 xv = _mm256_loadu_ps(x + e);
    __m256 ax = _mm256_and_ps(xv, absm), xs = _mm256_and_ps(xv, sgnm);
#pragma GCC unroll 4
    for (int r = 0; r < w; r++)
      CJ_STEP(ax, xs, _mm256_loadu_ps(ya + r * stride + e), _mm256_loadu_ps(ys + r * stride + e),
              an[r], am[r]);
  }
  if (rem) { /* the masked last chunk: missing elements read as 0 */
    __m256 xv = _mm256_maskload_ps(x + nfull, tmask);
    __m256 ax = _mm256_and_ps(xv, absm), xs = _mm256_and_ps(xv, sgnm);
#pragma GCC unroll 4
    for (int r = 0; r < w; r++)
      CJ_STEP(ax, xs, _mm256_maskload_ps(ya + r * stride + nfull, tmask),
              _mm256_maskload_ps(ys + r * stride + nfull, tmask), an[r], am[r]);
  }
#pragma GCC unroll 4
  for (int r = 0; r < w; r++) store_sums(an[r], am[r], num + r, mins + r);
}

/* Same lane order as scan_portable, so the sums are bit-identical. */
__attribute__((target("avx"))) static void scan_avx(const float *x, size_t n, const float *ya,
                                                    const float *ys, size_t stride, int n_off,
                                                    float *num, float *mins) {
  size_t nfull = n & ~(size_t)(DM_CJ_LANES - 1);
  int rem = (int)(n - nfull);
  __m256i tmask = _mm256_setr_epi32(0 < rem ? -1 : 0, 1 < rem ? -1 : 0, 2 < rem ? -1 : 0,
                                    3 < rem ? -1 : 0, 4 < rem ? -1 : 0, 5 < rem ? -1 : 0,
                                    6 < rem ? -1 : 0, 7 < rem ? -1 : 0);
  int q = 0;
  for (; q + 4 <= n_off; q += 4)
    scan_group(x, nfull, tmask, rem, ya + q * stride, ys + q * stride, stride, 4, num + q, mins + q);
  for (; q < n_off; q++)
    scan_group(x, nfull, tmask, rem, ya + q * stride, ys + q * stride, stride, 1, num + q, mins + q);
}
#undef CJ_STEP
#endif

int dm_cj_simd_available(void) {
#ifdef DM_CJ_HAVE_AVX
  return __builtin_cpu_supports("avx") != 0;
#else
  return 0;
#endif
}

void dm_cj_scan(const float *x, size_t n, const float *ya, const float *ys, size_t stride,
                int n_off, float *num, float *mins, int simd) {
#ifdef DM_CJ_HAVE_AVX
  if (simd && dm_cj_simd_available()) {
    scan_avx(x, n, ya, ys, stride, n_off, num, mins);
    return;
  }
#else
  (void)simd;
#endif
  scan_portable(x, n, ya, ys, stride, n_off, num, mins);
}

// --- scores and alignment

/* sum |x| over 8 lanes (independent chains), lanes added by lane_sum */
static float abs_sum(const float *x, size_t n) {
  float acc[DM_CJ_LANES] = {0};
  size_t e = 0;
  for (; e + DM_CJ_LANES <= n; e += DM_CJ_LANES)
    for (int k = 0; k < DM_CJ_LANES; k++) acc[k] += fabsf(x[e + k]);
  for (; e < n; e++) acc[e % DM_CJ_LANES] += fabsf(x[e]);
  return lane_sum(acc);
}

void dm_cj_summarize(const float *x, int lx, int c, float *sum) {
  dm_cj_bound_summary(x, lx, c, abs_sum(x, (size_t)lx * c), sum);
}

/* CJ from its parts: sum max(|x|,|y|) = sum|x| + sum|y| - sum min(|x|,|y|). */
static inline float cj_ratio(float num, float sx, float sy, float mins) {
  float den = (sx + sy) - mins;
  return den > 0.0f ? num / den : 0.0f;
}

float dm_cj_score(const float *x, const float *y, size_t n) {
  float num = 0.0f, mins = 0.0f, sx = 0.0f, sy = 0.0f;
  for (size_t i = 0; i < n; i++) {
    float ay = fabsf(y[i]), ys = u2f(f2u(y[i]) & 0x80000000u);
    cj_term(x[i], ay, ys, &num, &mins);
    sx += fabsf(x[i]);
    sy += ay;
  }
  return cj_ratio(num, sx, sy, mins);
}

// --- many rows at once: 8 rows per SIMD pass, each row summed in dm_cj_score's order

size_t dm_cj_packed_size(size_t n, int m) {
  size_t rows = ((size_t)m + DM_CJ_LANES - 1) / DM_CJ_LANES * DM_CJ_LANES;
  return rows * n + rows;
}

void dm_cj_pack(const float *y, size_t n, int m, float *packed) {
  size_t rows = ((size_t)m + DM_CJ_LANES - 1) / DM_CJ_LANES * DM_CJ_LANES;
  float *sy = packed + rows * n;
  for (size_t j = 0; j < rows; j++) {
    float *blk = packed + (j / DM_CJ_LANES) * n * DM_CJ_LANES + j % DM_CJ_LANES;
    float s = 0.0f;
    for (size_t e = 0; e < n; e++) {
      float v = j < (size_t)m ? y[j * n + e] : 0.0f;
      blk[e * DM_CJ_LANES] = v;
      s += fabsf(v);
    }
    sy[j] = s;
  }
}

/* Sums of one block of 8 packed rows against x, portable. */
static void packed_block_portable(const float *x, const float *blk, size_t n, float *num, float *mins) {
  for (int k = 0; k < DM_CJ_LANES; k++) num[k] = mins[k] = 0.0f;
  for (size_t e = 0; e < n; e++)
    for (int k = 0; k < DM_CJ_LANES; k++) {
      float v = blk[e * DM_CJ_LANES + k];
      cj_term(x[e], fabsf(v), u2f(f2u(v) & 0x80000000u), &num[k], &mins[k]);
    }
}

#ifdef DM_CJ_HAVE_AVX
/* w (1..4) blocks of 8 packed rows against x, one lane per row. */
__attribute__((target("avx"), always_inline)) static inline void
packed_group(const float *x, const float *blk, size_t n, int w, float *num, float *mins) {
  const __m256 absm = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  const __m256 sgnm = _mm256_castsi256_ps(_mm256_set1_epi32((int)0x80000000u));
  __m256 an[4], am[4];
#pragma GCC unroll 4
  for (int r = 0; r < w; r++) an[r] = am[r] = _mm256_setzero_ps();
  for (size_t e = 0; e < n; e++) {
    __m256 xv = _mm256_set1_ps(x[e]);
    __m256 ax = _mm256_and_ps(xv, absm), xs = _mm256_and_ps(xv, sgnm);
#pragma GCC unroll 4
    for (int r = 0; r < w; r++) {
      __m256 yv = _mm256_loadu_ps(blk + ((size_t)r * n + e) * DM_CJ_LANES);
      __m256 mn = _mm256_min_ps(ax, _mm256_and_ps(yv, absm));
      an[r] = _mm256_add_ps(an[r], _mm256_or_ps(mn, _mm256_xor_ps(xs, _mm256_and_ps(yv, sgnm))));
      am[r] = _mm256_add_ps(am[r], mn);
    }
  }
#pragma GCC unroll 4
  for (int r = 0; r < w; r++) {
    _mm256_storeu_ps(num + r * DM_CJ_LANES, an[r]);
    _mm256_storeu_ps(mins + r * DM_CJ_LANES, am[r]);
  }
}

__attribute__((target("avx"))) static void packed_avx(const float *x, const float *packed, size_t n,
                                                      int blocks, float *num, float *mins) {
  int b = 0;
  for (; b + 4 <= blocks; b += 4)
    packed_group(x, packed + (size_t)b * n * DM_CJ_LANES, n, 4, num + b * DM_CJ_LANES,
                 mins + b * DM_CJ_LANES);
  for (; b < blocks; b++)
    packed_group(x, packed + (size_t)b * n * DM_CJ_LANES, n, 1, num + b * DM_CJ_LANES,
                 mins + b * DM_CJ_LANES);
}
#endif

void dm_cj_score_packed_impl(const float *x, const float *packed, size_t n, int m, float *out, int simd) {
  int blocks = (m + DM_CJ_LANES - 1) / DM_CJ_LANES;
  const float *sy = packed + (size_t)blocks * DM_CJ_LANES * n;
  float sx = 0.0f; /* dm_cj_score's order */
  for (size_t e = 0; e < n; e++) sx += fabsf(x[e]);
  for (int b0 = 0; b0 < blocks; b0 += 4) { /* 32 rows' sums at a time */
    float num[4 * DM_CJ_LANES], mins[4 * DM_CJ_LANES];
    int nb = blocks - b0 < 4 ? blocks - b0 : 4;
    const float *blk = packed + (size_t)b0 * n * DM_CJ_LANES;
#ifdef DM_CJ_HAVE_AVX
    if (simd && dm_cj_simd_available())
      packed_avx(x, blk, n, nb, num, mins);
    else
#endif
      for (int b = 0; b < nb; b++)
        packed_block_portable(x, blk + (size_t)b * n * DM_CJ_LANES, n, num + b * DM_CJ_LANES,
                              mins + b * DM_CJ_LANES);
    for (int k = 0; k < nb * DM_CJ_LANES && b0 * DM_CJ_LANES + k < m; k++) {
      int j = b0 * DM_CJ_LANES + k;
      out[j] = cj_ratio(num[k], sx, sy[j], mins[k]);
    }
  }
#ifndef DM_CJ_HAVE_AVX
  (void)simd;
#endif
}

void dm_cj_score_packed(const float *x, const float *packed, size_t n, int m, float *out) {
  dm_cj_score_packed_impl(x, packed, n, m, out, 1);
}

/* Slack on the score bound: it covers the rounding of the bound's and the
 * kernel's float sums (relative errors below 1e-4 for tracks of fewer than
 * 10^4 positions), so an offset is skipped only if it scores strictly less
 * than the best, and the result is that of scoring every offset. */
#define DM_CJ_BOUND_SLACK 1.001f

static inline int better(float s, int strand, int offset, const dm_cj_align_t *best) {
  if (s != best->score) return s > best->score;
  return strand < best->rc || (strand == best->rc && offset < best->offset);
}

dm_cj_align_t dm_cj_align_prepared(const float *x, const float *x_rc, const float *x_sum, const float *x_rc_sum,
                                   int lx, float *work, int ly, int c, int pad) {
  int lyp = ly + 2 * pad;
  DM_ASSERT(lx >= 1 && lx <= lyp && c >= 4 && c % 4 == 0);
  cj_work_t w = cj_carve(work, lyp, c);
  size_t n = (size_t)lx * c;
  int n_off = lyp - lx + 1, ns = x_rc ? 2 : 1;
  const float *xs[2] = {x, x_rc}, *sums[2] = {x_sum, x_rc_sum};
  float sx[2];
  for (int s = 0; s < ns; s++) { /* bound the score of every offset */
    const float *sum = sums[s];
    if (!sum) {
      dm_cj_summarize(xs[s], lx, c, w.sum);
      sum = w.sum;
    }
    sx[s] = sum[0];
    dm_cj_bound(sum, lx, w.ysel, w.pre, lyp, w.bnd, 1);
    memcpy(w.ub + (size_t)s * n_off, w.bnd, (size_t)n_off * sizeof *w.ub);
  }
  /* score offsets by decreasing bound until the bound falls below the best */
  dm_cj_align_t best = {-INFINITY, -pad, 0};
  for (;;) {
    int top = -1;
    float tu = -1.0f;
    for (int i = 0; i < ns * n_off; i++)
      if (w.ub[i] > tu) {
        tu = w.ub[i];
        top = i;
      }
    if (top < 0 || tu * DM_CJ_BOUND_SLACK < best.score) break;
    w.ub[top] = -1.0f; /* scored */
    int s = top / n_off, q = top % n_off;
    float num, mins;
    dm_cj_scan(xs[s], n, w.ya + (size_t)q * c, w.ys + (size_t)q * c, (size_t)c, 1, &num, &mins, 1);
    float sc = cj_ratio(num, sx[s], w.pre[q + lx] - w.pre[q], mins);
    if (better(sc, s, q - pad, &best)) best = (dm_cj_align_t){sc, q - pad, s};
  }
  return best;
}

dm_cj_align_t dm_cj_align(const float *x, const float *x_rc, int lx, const float *y, int ly, int c,
                          int pad, float *work) {
  DM_ASSERT(pad >= 0 && ly >= 1);
  dm_cj_prepare(y, ly, c, pad, work);
  return dm_cj_align_prepared(x, x_rc, NULL, NULL, lx, work, ly, c, pad);
}
