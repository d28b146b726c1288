/* test_cj: continuous Jaccard score and alignment against hand-worked values
 * and a double-precision brute force over zero-padded offsets. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "affinity_ref.h"
#include "dm_cj.h"
#include "dm_cj_internal.h"
#include "dm_test.h"

static void test_hand_worked(void) {
  const float x[7] = {-1, -1, -2, 4, -1, -1, -1};
  const float y1[7] = {0, 0, 0, 4, 0, 0, 0};
  const float y2[7] = {-1, -1, -2, 0, -1, -1, -1};
  CLOSE(dm_cj_score(x, y1, 7), 4.0 / 11.0, 1e-7);
  CLOSE(dm_cj_score(x, y2, 7), 7.0 / 11.0, 1e-7);
  const float z[7] = {1, 1, 2, -4, 1, 1, 1}; /* opposite signs everywhere: -1 */
  CLOSE(dm_cj_score(x, z, 7), -1.0, 1e-7);
  const float zero[7] = {0};
  CHECK(dm_cj_score(zero, zero, 7) == 0.0f, "0/0 must score 0");
}

static void test_random_vs_reference(void) {
  float x[203], y[203];
  for (int rep = 0; rep < 40; rep++) {
    size_t n = 1 + (size_t)(urand() * 202);
    fill(x, n, 0.2);
    fill(y, n, 0.2);
    CLOSE(dm_cj_score(x, y, n), ref_cj(x, y, n), 1e-5);
  }
}

/* The AVX scan gives the same bits as the portable one. Without AVX both
 * calls would run the portable code and prove nothing: skipped, and the
 * test reports it (exit DM_TEST_SKIP_CODE) rather than passing. */
static void test_simd_bit_identical(void) {
  enum { N = 333, OFF = 11 };
  if (!dm_cj_simd_available()) {
    dm_test_skip("no AVX on this machine (or build): SIMD/portable identity not tested");
    return;
  }
  float x[N], ya[N + OFF * 8], ys[N + OFF * 8], na[OFF], ma[OFF], np_[OFF], mp[OFF];
  for (int rep = 0; rep < 20; rep++) {
    size_t n = 1 + (size_t)(urand() * (N - 1));
    fill(x, n, 0.3);
    fill(ya, n + OFF * 8, 0.3);
    for (size_t i = 0; i < n + OFF * 8; i++) {
      ys[i] = ya[i] < 0 ? -0.0f : 0.0f;
      ya[i] = fabsf(ya[i]);
    }
    int n_off = 1 + rep % OFF;
    dm_cj_scan(x, n, ya, ys, 8, n_off, na, ma, 1);
    dm_cj_scan(x, n, ya, ys, 8, n_off, np_, mp, 0);
    CHECK(!memcmp(na, np_, n_off * sizeof(float)) && !memcmp(ma, mp, n_off * sizeof(float)),
          "SIMD and portable sums differ (n %zu, n_off %d)", n, n_off);
  }
}

/* Packed rows score bit for bit as dm_cj_score, row by row, in the portable
 * and (where the CPU has it) the AVX code; rows with zeros, ties (equal
 * magnitudes) and opposite signs, m not a multiple of 8 or of 32. */
static void test_packed_rows(void) {
  enum { M = 45, NMAX = 61 };
  float x[NMAX], y[M * NMAX], *packed = malloc(dm_cj_packed_size(NMAX, M) * sizeof *packed);
  float got[M], want[M];
  int checked = 0;
  for (int rep = 0; rep < 12; rep++) {
    size_t n = 1 + (size_t)(urand() * (NMAX - 1));
    int m = 1 + rep * 4 % M;
    fill(x, n, 0.3);
    fill(y, (size_t)m * n, 0.3);
    for (size_t i = 0; i < (size_t)m * n; i += 5) y[i] = i % 2 ? 0.0f : -x[i % n]; /* zeros, ties */
    for (int j = 0; j < m; j++) want[j] = dm_cj_score(x, y + (size_t)j * n, n);
    dm_cj_pack(y, n, m, packed);
    for (int simd = 0; simd < 2; simd++) {
      dm_cj_score_packed_impl(x, packed, n, m, got, simd);
      CHECK(!memcmp(got, want, (size_t)m * sizeof *got), "packed scores differ (n %zu, m %d, simd %d)", n, m,
            simd);
      checked++;
    }
  }
  CHECK(checked == 24, "%d comparisons", checked);
  free(packed);
}

static void test_revcomp_symmetry(void) {
  enum { L = 23, C = 8 };
  float x[L * C], y[L * C], xr[L * C], yr[L * C], back[L * C];
  fill(x, L * C, 0.1);
  fill(y, L * C, 0.1);
  dm_cj_revcomp(x, L, C, xr);
  dm_cj_revcomp(y, L, C, yr);
  CHECK(xr[0] == x[(L - 1) * C + 3] && xr[5] == x[(L - 1) * C + 6], "revcomp layout");
  dm_cj_revcomp(xr, L, C, back);
  CHECK(!memcmp(back, x, sizeof x), "revcomp is not an involution");
  CLOSE(dm_cj_score(x, y, L * C), dm_cj_score(xr, yr, L * C), 1e-6);

  /* a track against its own reverse complement: the rc strand matches exactly */
  float work[2 * (L + 2 * 6) * C + L + 2 * 6 + 1]; /* dm_cj_work_size(L, C, 6) */
  CHECK(dm_cj_work_size(L, C, 6) == sizeof work / sizeof(float), "work size");
  dm_cj_align_t a = dm_cj_align(x, xr, L, xr, L, C, 6, work);
  CHECK(a.rc == 1 && a.offset == 0, "self-rc alignment: rc %d offset %d", a.rc, a.offset);
  CLOSE(a.score, 1.0, 1e-6);
}

static void test_planted_offset(void) {
  enum { LY = 30, LX = 20, C = 8, PAD = 6 };
  float y[LY * C], x[LX * C], xr[LX * C], work[2 * (LY + 2 * PAD) * C + LY + 2 * PAD + 1];
  fill(y, LY * C, 0.0);
  /* x = y[7 .. 27): offset 7, forward */
  memcpy(x, y + 7 * C, sizeof x);
  dm_cj_revcomp(x, LX, C, xr);
  dm_cj_align_t a = dm_cj_align(x, xr, LX, y, LY, C, PAD, work);
  CHECK(a.offset == 7 && a.rc == 0, "planted +7: offset %d rc %d", a.offset, a.rc);
  CLOSE(a.score, 1.0, 1e-6);
  /* x hangs 4 positions over y's left end: x[t] = y[t - 4] for t >= 4 */
  for (int i = 0; i < 4 * C; i++) x[i] = 1e-3f * (float)(i % 3 - 1);
  memcpy(x + 4 * C, y, (LX - 4) * C * sizeof(float));
  dm_cj_revcomp(x, LX, C, xr);
  /* present the planted match on the rc strand: align rc(x) with x as its rc */
  a = dm_cj_align(xr, x, LX, y, LY, C, PAD, work);
  CHECK(a.offset == -4 && a.rc == 1, "planted -4 on rc: offset %d rc %d", a.offset, a.rc);
  CHECK(a.score > 0.99f && a.score < 1.0f, "overhang mass counts: %g", a.score);
}

static void test_align_vs_brute_force(void) {
  enum { C = 8, LMAX = 45 };
  float x[LMAX * C], xr[LMAX * C], y[LMAX * C], work[2 * (LMAX + 40) * C + LMAX + 41];
  for (int rep = 0; rep < 30; rep++) {
    int lx = 5 + (int)(urand() * 35), ly = 5 + (int)(urand() * 40);
    int pad = dm_cj_pad(lx, 0.7, rep & 1);
    if (lx > ly + 2 * pad) continue;
    fill(x, (size_t)lx * C, 0.2);
    fill(y, (size_t)ly * C, 0.2);
    dm_cj_revcomp(x, lx, C, xr);
    dm_cj_align_t a = dm_cj_align(x, xr, lx, y, ly, C, pad, work);
    dm_cj_align_t r = ref_align(x, xr, lx, y, ly, C, pad);
    CLOSE(a.score, r.score, 1e-5);
    CHECK(a.offset == r.offset && a.rc == r.rc, "lx %d ly %d pad %d: (%d,%d) vs (%d,%d)", lx, ly, pad,
          a.offset, a.rc, r.offset, r.rc);
    dm_cj_align_t f = dm_cj_align(x, NULL, lx, y, ly, C, pad, work);
    CHECK(f.rc == 0, "forward only");
  }
  /* more offsets than one scan chunk */
  int lx = 8, ly = LMAX, pad = 20;
  fill(x, (size_t)lx * C, 0.0);
  fill(y, (size_t)ly * C, 0.0);
  memcpy(y + 30 * C, x, (size_t)lx * C * sizeof(float));
  dm_cj_align_t a = dm_cj_align(x, NULL, lx, y, ly, C, pad, work);
  CHECK(a.offset == 30, "long scan: offset %d", a.offset);
}

static void test_track_and_pad(void) {
  enum { L = 9 };
  float hyp[L * 4], con[L * 4], tr[L * 8];
  fill(hyp, L * 4, 0.0);
  fill(con, L * 4, 0.5);
  dm_cj_track(hyp, con, L, tr);
  double sh = 0, sc = 0;
  for (int t = 0; t < L; t++)
    for (int j = 0; j < 4; j++) {
      sh += fabs(tr[t * 8 + j]);
      sc += fabs(tr[t * 8 + 4 + j]);
    }
  CLOSE(sh, 1.0, 1e-6);
  CLOSE(sc, 1.0, 1e-6);
  CHECK((tr[8 + 1] > 0) == (hyp[4 + 1] > 0), "sign kept");
  CHECK(dm_cj_pad(41, 0.7, 0) == 12 && dm_cj_pad(41, 0.7, 1) == 13, "pad for 41");
  /* lite computes 20 * (1 - 0.7) = 6.000000000000001, whose ceiling is 7 */
  CHECK(dm_cj_pad(20, 0.7, 1) == 7 && dm_cj_pad(20, 0.7, 0) == 6, "pad for 20");
}

int main(void) {
  test_hand_worked();
  test_random_vs_reference();
  test_simd_bit_identical();
  test_packed_rows();
  test_revcomp_symmetry();
  test_planted_offset();
  test_align_vs_brute_force();
  test_track_and_pad();
  return dm_test_summary("test_cj");
}
