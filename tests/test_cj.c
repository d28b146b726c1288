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
  float *work = malloc(dm_cj_work_size(L, C, 6) * sizeof *work);
  dm_cj_align_t a = dm_cj_align(x, xr, L, xr, L, C, 6, work);
  CHECK(a.rc == 1 && a.offset == 0, "self-rc alignment: rc %d offset %d", a.rc, a.offset);
  CLOSE(a.score, 1.0, 1e-6);
  free(work);
}

static void test_planted_offset(void) {
  enum { LY = 30, LX = 20, C = 8, PAD = 6 };
  float y[LY * C], x[LX * C], xr[LX * C], *work = malloc(dm_cj_work_size(LY, C, PAD) * sizeof *work);
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
  free(work);
}

static void test_align_vs_brute_force(void) {
  enum { C = 8, LMAX = 45 };
  float x[LMAX * C], xr[LMAX * C], y[LMAX * C], *work = malloc(dm_cj_work_size(LMAX, C, 20) * sizeof *work);
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
  free(work);
}

/* Seqlet-like track: hyp in channels 0-3, contrib (hyp at one base) in 4-7;
 * some positions zero, some contrib with two or no nonzero channels. */
static void seqlet_track(float *x, int l) {
  fill(x, (size_t)l * 8, 0.2);
  for (int t = 0; t < l; t++) {
    float *r = x + (size_t)t * 8;
    int base = (int)(urand() * 4);
    for (int k = 0; k < 4; k++) r[4 + k] = k == base ? r[k] : 0.0f;
    if (t % 7 == 3) r[4 + (base + 1) % 4] = 0.5f * r[(base + 1) % 4]; /* two nonzero */
    if (t % 11 == 5)
      for (int k = 0; k < 8; k++) r[k] = 0.0f; /* all zero */
  }
}

/* Every window scored, one scan each, with dm_cj's documented sums (|y|
 * prefix sums by position, sum|x| over 8 lanes): the best, ties to the
 * smaller offset and the forward strand. Also checks that the summary
 * holds that sum|x| bit for bit, and that the score bound (portable and AVX
 * code) is never below a window's score; counts the strands whose summary
 * folded some masses in *folded. */
static dm_cj_align_t exhaustive(const float *x, const float *xr, int lx, const float *y, int ly, int pad,
                                int *bound_ok, int *folded) {
  enum { C = 8 };
  int lyp = ly + 2 * pad, n_off = lyp - lx + 1;
  size_t np = (size_t)lyp * C, n = (size_t)lx * C;
  float *ya = calloc(np, sizeof *ya), *ys = calloc(np, sizeof *ys), *pre = malloc((lyp + 8) * sizeof *pre);
  float *ysel = malloc(dm_cj_bound_prep_size(lyp, C) * sizeof *ysel), *bnd = malloc((n_off + 8) * sizeof *bnd);
  float *sum = malloc(dm_cj_summary_size(lx, C) * sizeof *sum);
  pre[0] = 0.0f;
  for (int p = 0; p < lyp; p++) {
    float rowsum = 0.0f;
    for (int k = 0; k < C; k++) {
      float v = p >= pad && p < pad + ly ? y[(size_t)(p - pad) * C + k] : 0.0f;
      ya[(size_t)p * C + k] = fabsf(v);
      ys[(size_t)p * C + k] = signbit(v) ? -0.0f : 0.0f;
      rowsum += fabsf(v);
    }
    pre[p + 1] = pre[p] + rowsum;
  }
  for (int p = lyp + 1; p < lyp + 8; p++) pre[p] = pre[lyp];
  dm_cj_bound_prepare(ya, lyp, C, ysel);
  dm_cj_align_t best = {-INFINITY, -pad, 0};
  *bound_ok = 1;
  for (int s = 0; s < 2; s++) {
    const float *xs = s ? xr : x;
    float acc[8] = {0};
    for (size_t e = 0; e < n; e++) acc[e % 8] += fabsf(xs[e]);
    float sx = ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
    dm_cj_summarize(xs, lx, C, sum);
    if (memcmp(&sum[0], &sx, sizeof sx)) *bound_ok = 0;
    *folded += sum[1] > 0.0f; /* some masses folded: the bound is looser */
    for (int simd = 0; simd < 2; simd++) {
      dm_cj_bound(sum, lx, ysel, pre, lyp, bnd, simd);
      for (int q = 0; q < n_off; q++) {
        float num, mins;
        dm_cj_scan(xs, n, ya + (size_t)q * C, ys + (size_t)q * C, C, 1, &num, &mins, simd);
        float den = (sx + (pre[q + lx] - pre[q])) - mins, sc = den > 0.0f ? num / den : 0.0f;
        if (!(bnd[q] >= sc - 1e-5f * fabsf(sc))) *bound_ok = 0;
        if (simd == 0 && sc > best.score) best = (dm_cj_align_t){sc, q - pad, s};
      }
    }
  }
  free(ya), free(ys), free(pre), free(ysel), free(bnd), free(sum);
  return best;
}

static void test_pruned_align(void) {
  enum { C = 8, LMAX = 60 };
  float x[LMAX * C], xr[LMAX * C], y[LMAX * C];
  float *work = malloc(dm_cj_work_size(LMAX, C, 30) * sizeof *work);
  int checked = 0, n_folded = 0;
  for (int rep = 0; rep < 200; rep++) {
    int lx = 4 + (int)(urand() * 40), ly = 4 + (int)(urand() * 50);
    int pad = dm_cj_pad(lx, 0.7, rep & 1);
    if (lx > ly + 2 * pad) continue;
    seqlet_track(x, lx);
    dm_cj_revcomp(x, lx, C, xr);
    int tight = rep % 4 == 3;
    if (tight) { /* nonnegative, x one small channel in 3 groups, none folded: the bound equals the score */
      for (int t = 0; t < lx; t++)
        for (int k = 0; k < C; k++) x[t * C + k] = 0.0f;
      for (int e = 0; e < 3; e++)
        x[e * lx / 3 * C + e % 2 * 4 + (int)(urand() * 4)] = 0.08f + 0.02f * (float)urand();
      for (int t = 0; t < ly; t++) {
        int several = urand() < 0.5, ch = (int)(urand() * 4);
        for (int k = 0; k < C; k++) y[t * C + k] = several || k % 4 == ch ? 0.2f + 0.1f * (float)urand() : 0.0f;
      }
      dm_cj_revcomp(x, lx, C, xr);
    } else if (rep % 3 == 0) { /* y holds a copy of x (or its rc): a clear winner */
      seqlet_track(y, ly);
      int o = (int)(urand() * (ly - lx + 1 > 0 ? ly - lx + 1 : 1));
      if (lx <= ly) memcpy(y + (size_t)o * C, rep % 2 ? xr : x, (size_t)lx * C * sizeof *x);
    } else if (rep % 3 == 1) { /* periodic tracks: many exact ties */
      for (int t = 0; t < ly; t++)
        for (int k = 0; k < C; k++) y[t * C + k] = (float)((t % 2) * 2 - 1) * (k == 4 + t % 4 ? 1.0f : 0.25f);
      for (int t = 0; t < lx; t++)
        for (int k = 0; k < C; k++) x[t * C + k] = (float)((t % 2) * 2 - 1) * (k == 4 + t % 4 ? 1.0f : 0.25f);
      dm_cj_revcomp(x, lx, C, xr);
    } else {
      seqlet_track(y, ly);
    }
    int bound_ok, folded = 0;
    dm_cj_align_t want = exhaustive(x, xr, lx, y, ly, pad, &bound_ok, &folded);
    CHECK(bound_ok, "score bound below the score (lx %d ly %d pad %d)", lx, ly, pad);
    CHECK(!tight || !folded, "rep %d: the tight case folded masses", rep);
    n_folded += folded;
    dm_cj_align_t got = dm_cj_align(x, xr, lx, y, ly, C, pad, work);
    CHECK(!memcmp(&got.score, &want.score, sizeof got.score) && got.offset == want.offset && got.rc == want.rc,
          "rep %d lx %d ly %d pad %d: (%.9g, %d, %d) against all offsets (%.9g, %d, %d)", rep, lx, ly, pad,
          got.score, got.offset, got.rc, want.score, want.offset, want.rc);
    checked++;
  }
  CHECK(checked >= 100, "only %d alignments checked", checked);
  CHECK(n_folded >= 50, "only %d strands folded masses", n_folded);

  /* Hand-made: window 0 has the larger bound (0.775) and scores 0.725,
   * window 3 scores 0.7625 with a tight bound: it must still be scored. */
  float hx[2 * C] = {1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0}, hxr[2 * C];
  float hy[5 * C] = {0};
  const float rows[5][2] = {{1, -0.1f}, {1, 1}, {0, 0}, {1, 1}, {1, 0.05f}};
  for (int t = 0; t < 5; t++) hy[t * C] = rows[t][0], hy[t * C + 1] = rows[t][1];
  dm_cj_revcomp(hx, 2, C, hxr);
  dm_cj_align_t a = dm_cj_align(hx, hxr, 2, hy, 5, C, 0, work);
  CHECK(a.offset == 3 && a.rc == 0, "loose bound first: offset %d rc %d", a.offset, a.rc);
  CLOSE(a.score, 0.7625, 1e-6);
  /* Every window scores 0 (x's two channels against +1 and -1, or zeros),
   * the larger bounds are scored first: the tie goes to offset -pad. */
  float zy[6 * C] = {0};
  zy[2 * C] = 1, zy[2 * C + 1] = -1, zy[4 * C] = -1, zy[4 * C + 1] = 1;
  a = dm_cj_align(hx, hxr, 1, zy, 6, C, 2, work);
  CHECK(a.score == 0.0f && a.offset == -2 && a.rc == 0, "ties at 0: (%g, %d, %d)", a.score, a.offset, a.rc);
  free(work);
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
  test_pruned_align();
  test_track_and_pad();
  return dm_test_summary("test_cj");
}
