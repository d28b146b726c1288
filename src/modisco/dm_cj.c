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
#define DM_CJ_CHUNK 64 /* offsets scored per call of the scan kernel */

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

size_t dm_cj_work_size(int ly, int c, int pad) { return (size_t)(ly + 2 * pad) * (size_t)c; }

void dm_cj_pad_track(const float *y, int ly, int c, int pad, float *work) {
  size_t side = (size_t)pad * c;
  memset(work, 0, side * sizeof(float));
  memcpy(work + side, y, (size_t)ly * c * sizeof(float));
  memset(work + side + (size_t)ly * c, 0, side * sizeof(float));
}

// --- scan kernels: numerator and denominator of CJ at n_off windows

/* Fixed reduction tree over the 8 lanes, shared by both kernels. */
static inline float lane_sum(const float v[DM_CJ_LANES]) {
  float t0 = v[0] + v[4], t1 = v[1] + v[5], t2 = v[2] + v[6], t3 = v[3] + v[7];
  return (t0 + t2) + (t1 + t3);
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

/* min(|x|,|y|) with the sign of x*y goes to *num, max(|x|,|y|) to *den. */
static inline void cj_term(float x, float y, float *num, float *den) {
  float ax = fabsf(x), ay = fabsf(y);
  float mn = ax < ay ? ax : ay, mx = ax > ay ? ax : ay;
  *num += u2f(f2u(mn) | ((f2u(x) ^ f2u(y)) & 0x80000000u));
  *den += mx;
}

static void scan_portable(const float *x, size_t n, const float *yp, size_t stride, int n_off,
                          float *num, float *den) {
  for (int q = 0; q < n_off; q++) {
    const float *y = yp + (size_t)q * stride;
    float an[DM_CJ_LANES] = {0}, ad[DM_CJ_LANES] = {0};
    size_t e = 0;
    for (; e + DM_CJ_LANES <= n; e += DM_CJ_LANES)
      for (int k = 0; k < DM_CJ_LANES; k++) cj_term(x[e + k], y[e + k], &an[k], &ad[k]);
    if (e < n) /* tail: missing elements are (0, 0), as in the masked SIMD load */
      for (int k = 0; k < DM_CJ_LANES; k++) {
        int in = e + k < n;
        cj_term(in ? x[e + k] : 0.0f, in ? y[e + k] : 0.0f, &an[k], &ad[k]);
      }
    num[q] = lane_sum(an);
    den[q] = lane_sum(ad);
  }
}

#ifdef DM_CJ_HAVE_AVX
#define CJ_STEP(xv, ax, yv, an, ad)                                                                \
  do {                                                                                             \
    __m256 ay_ = _mm256_and_ps(yv, absm);                                                          \
    __m256 sg_ = _mm256_and_ps(_mm256_xor_ps(xv, yv), sgnm);                                       \
    an = _mm256_add_ps(an, _mm256_or_ps(_mm256_min_ps(ax, ay_), sg_));                             \
    ad = _mm256_add_ps(ad, _mm256_max_ps(ax, ay_));                                                \
  } while (0)

__attribute__((target("avx"))) static void store_sums(__m256 an, __m256 ad, float *num,
                                                      float *den) {
  float v[DM_CJ_LANES];
  _mm256_storeu_ps(v, an);
  *num = lane_sum(v);
  _mm256_storeu_ps(v, ad);
  *den = lane_sum(v);
}

/* Four windows per pass share the loads of x; the same lane order as
 * scan_portable, so the sums are bit-identical. */
__attribute__((target("avx"))) static void scan_avx(const float *x, size_t n, const float *yp,
                                                    size_t stride, int n_off, float *num,
                                                    float *den) {
  const __m256 absm = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  const __m256 sgnm = _mm256_castsi256_ps(_mm256_set1_epi32((int)0x80000000u));
  size_t nfull = n & ~(size_t)(DM_CJ_LANES - 1);
  int rem = (int)(n - nfull);
  __m256i tmask = _mm256_setr_epi32(0 < rem ? -1 : 0, 1 < rem ? -1 : 0, 2 < rem ? -1 : 0,
                                    3 < rem ? -1 : 0, 4 < rem ? -1 : 0, 5 < rem ? -1 : 0,
                                    6 < rem ? -1 : 0, 7 < rem ? -1 : 0);
  int q = 0;
  for (; q + 4 <= n_off; q += 4) {
    const float *y0 = yp + (size_t)q * stride, *y1 = y0 + stride, *y2 = y1 + stride,
                *y3 = y2 + stride;
    __m256 n0 = _mm256_setzero_ps(), n1 = n0, n2 = n0, n3 = n0;
    __m256 d0 = n0, d1 = n0, d2 = n0, d3 = n0;
    for (size_t e = 0; e < nfull; e += DM_CJ_LANES) {
      __m256 xv = _mm256_loadu_ps(x + e), ax = _mm256_and_ps(xv, absm);
      __m256 v0 = _mm256_loadu_ps(y0 + e), v1 = _mm256_loadu_ps(y1 + e);
      __m256 v2 = _mm256_loadu_ps(y2 + e), v3 = _mm256_loadu_ps(y3 + e);
      CJ_STEP(xv, ax, v0, n0, d0);
      CJ_STEP(xv, ax, v1, n1, d1);
      CJ_STEP(xv, ax, v2, n2, d2);
      CJ_STEP(xv, ax, v3, n3, d3);
    }
    if (rem) {
      __m256 xv = _mm256_maskload_ps(x + nfull, tmask), ax = _mm256_and_ps(xv, absm);
      __m256 v0 = _mm256_maskload_ps(y0 + nfull, tmask), v1 = _mm256_maskload_ps(y1 + nfull, tmask);
      __m256 v2 = _mm256_maskload_ps(y2 + nfull, tmask), v3 = _mm256_maskload_ps(y3 + nfull, tmask);
      CJ_STEP(xv, ax, v0, n0, d0);
      CJ_STEP(xv, ax, v1, n1, d1);
      CJ_STEP(xv, ax, v2, n2, d2);
      CJ_STEP(xv, ax, v3, n3, d3);
    }
    store_sums(n0, d0, num + q, den + q);
    store_sums(n1, d1, num + q + 1, den + q + 1);
    store_sums(n2, d2, num + q + 2, den + q + 2);
    store_sums(n3, d3, num + q + 3, den + q + 3);
  }
  for (; q < n_off; q++) {
    const float *y0 = yp + (size_t)q * stride;
    __m256 n0 = _mm256_setzero_ps(), d0 = n0;
    for (size_t e = 0; e < nfull; e += DM_CJ_LANES) {
      __m256 xv = _mm256_loadu_ps(x + e), ax = _mm256_and_ps(xv, absm);
      __m256 v0 = _mm256_loadu_ps(y0 + e);
      CJ_STEP(xv, ax, v0, n0, d0);
    }
    if (rem) {
      __m256 xv = _mm256_maskload_ps(x + nfull, tmask), ax = _mm256_and_ps(xv, absm);
      __m256 v0 = _mm256_maskload_ps(y0 + nfull, tmask);
      CJ_STEP(xv, ax, v0, n0, d0);
    }
    store_sums(n0, d0, num + q, den + q);
  }
}
#undef CJ_STEP
#endif

void dm_cj_scan(const float *x, size_t n, const float *yp, size_t stride, int n_off, float *num,
                float *den, int simd) {
#ifdef DM_CJ_HAVE_AVX
  if (simd && __builtin_cpu_supports("avx")) {
    scan_avx(x, n, yp, stride, n_off, num, den);
    return;
  }
#else
  (void)simd;
#endif
  scan_portable(x, n, yp, stride, n_off, num, den);
}

// --- scores and alignment

static inline float cj_ratio(float num, float den) { return den > 0.0f ? num / den : 0.0f; }

float dm_cj_score(const float *x, const float *y, size_t n) {
  float num, den;
  dm_cj_scan(x, n, y, 0, 1, &num, &den, 1);
  return cj_ratio(num, den);
}

dm_cj_align_t dm_cj_align_padded(const float *x, const float *x_rc, int lx, const float *yp, int lyp,
                                 int c, int pad) {
  DM_ASSERT(lx >= 1 && lx <= lyp && c >= 1);
  dm_cj_align_t best = {-INFINITY, -pad, 0};
  int n_off = lyp - lx + 1;
  size_t n = (size_t)lx * c;
  float num[DM_CJ_CHUNK], den[DM_CJ_CHUNK];
  for (int strand = 0; strand < 2; strand++) {
    const float *xs = strand ? x_rc : x;
    if (!xs) break;
    for (int q0 = 0; q0 < n_off; q0 += DM_CJ_CHUNK) {
      int m = n_off - q0 < DM_CJ_CHUNK ? n_off - q0 : DM_CJ_CHUNK;
      dm_cj_scan(xs, n, yp + (size_t)q0 * c, (size_t)c, m, num, den, 1);
      for (int q = 0; q < m; q++) {
        float s = cj_ratio(num[q], den[q]);
        if (s > best.score) {
          best.score = s;
          best.offset = q0 + q - pad;
          best.rc = strand;
        }
      }
    }
  }
  return best;
}

dm_cj_align_t dm_cj_align(const float *x, const float *x_rc, int lx, const float *y, int ly, int c,
                          int pad, float *work) {
  DM_ASSERT(pad >= 0 && ly >= 1);
  dm_cj_pad_track(y, ly, c, pad, work);
  return dm_cj_align_padded(x, x_rc, lx, work, ly + 2 * pad, c, pad);
}
