/* Seqlet calling: parameters, window sums against a naive loop, greedy
 * extraction on hand-made and random tracks (positions, suppression,
 * maximality), thresholds (clamp engaged both ways, not engaged, sign
 * threshold), planted motifs found end to end, and the same seqlets when
 * the examples are split into 1, 2 or 4 blocks whose samples are merged. */
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "dm_seqlet.h"
#include "dm_test.h"

static const dm_param_spec_t spec[] = {DM_SEQLET_PARAM_SPECS};
#define N_SPEC ((int)(sizeof spec / sizeof spec[0]))

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

// --- parameters

/* The defaults of lite's library TFMoDISco() (config/modisco_lite_library.yml),
 * which the hand-worked and end-to-end cases below were written for. */
static void library_opt(dm_seqlet_opt_t *o) {
  dm_seqlet_opt_init(o);
  o->window = 21;
  o->flank = 10;
  o->target_fdr = 0.2;
}

static void test_params(void) {
  dm_seqlet_opt_t def, o;
  dm_seqlet_opt_init(&def);
  CHECK(dm_seqlet_opt_check(&def) == 0, "defaults valid");
  CHECK(def.window == 20 && def.flank == 5 && def.target_fdr == 0.05 && def.max_seqlets == 20000,
        "lite CLI defaults");
  dm_params_t *p = dm_params_init(spec, N_SPEC);
  CHECK(dm_seqlet_opt_from_params(&o, p) == 0, "from default params");
  CHECK(o.window == def.window && o.flank == def.flank && o.target_fdr == def.target_fdr &&
            o.min_passing_frac == def.min_passing_frac && o.max_passing_frac == def.max_passing_frac &&
            o.weak_threshold == def.weak_threshold && o.max_seqlets == def.max_seqlets &&
            o.min_metacluster_size == def.min_metacluster_size && o.n_null == def.n_null &&
            o.sample_cap == def.sample_cap && o.hist_bins == def.hist_bins && o.seed == def.seed,
        "parameter defaults equal dm_seqlet_opt_init");
  CHECK(dm_params_set(p, "Seqlets:window=15") == 0 && dm_params_set(p, "Seqlets:target_fdr=0.1") == 0 &&
            dm_params_set(p, "Seqlets:seed=99") == 0,
        "set");
  CHECK(dm_seqlet_opt_from_params(&o, p) == 0, "from params");
  CHECK(o.window == 15 && o.target_fdr == 0.1 && o.seed == 99 && o.flank == 5, "values taken");
  CHECK(dm_params_set(p, "Seqlets:target_fdr=1.5") == 0, "set bad fdr");
  CHECK(dm_seqlet_opt_from_params(&o, p) == -1, "fdr 1.5 refused");
  dm_params_destroy(p);
  p = dm_params_init(spec, N_SPEC);
  CHECK(dm_params_set(p, "Seqlets:min_passing_frac=0.5") == 0, "set min frac");
  CHECK(dm_seqlet_opt_from_params(&o, p) == -1, "min frac above max refused");
  dm_params_destroy(p);
  p = dm_params_init(spec, N_SPEC);
  CHECK(dm_params_set(p, "Seqlets:seed=-3") == 0, "set seed");
  CHECK(dm_seqlet_opt_from_params(&o, p) == -1, "negative seed refused");
  dm_params_destroy(p);
}

// --- window sums

static void test_window_sums(gsl_rng *r) {
  enum { N = 4, L = 60 };
  float c[N * L * 4];
  for (int i = 0; i < N * L * 4; i++) c[i] = (float)gsl_ran_flat(r, -1, 1);
  dm_seqlet_opt_t o;
  dm_seqlet_opt_init(&o);
  for (int w = 1; w <= 60; w += 19) {
    o.window = w;
    size_t nw = dm_seqlet_n_windows(&o, L);
    CHECK(nw == (size_t)(L - w + 1), "n_windows");
    double S[N * L];
    CHECK(dm_seqlet_window_sums(&o, c, N, L, S) == 0, "sums w=%d", w);
    for (int i = 0; i < N; i++)
      for (size_t t = 0; t < nw; t++) {
        double s = 0;
        for (size_t l = t; l < t + (size_t)w; l++)
          for (int k = 0; k < 4; k++) s += c[(i * L + l) * 4 + k];
        CLOSE(S[i * nw + t], s, 1e-12);
      }
  }
  o.window = 61;
  double S[1];
  CHECK(dm_seqlet_n_windows(&o, L) == 0, "no windows when L < w");
  CHECK(dm_seqlet_window_sums(&o, c, N, L, S) == -1, "L < w refused");
}

// --- extraction

static void test_extract_hand(void) {
  dm_seqlet_opt_t o;
  library_opt(&o); /* w 21, flank 10: suppression 20 */
  enum { NW = 199 };      /* L = 219 */
  double S[3 * NW] = {0}, work[NW];
  double *a = S, *ties = S + 2 * NW;
  a[5] = 20;               /* too near the start: no room for the flank */
  a[50] = 10;              /* picked second */
  a[60] = 8;               /* suppressed by 50 */
  a[71] = 7;               /* 21 away from 50: picked */
  a[100] = -12;            /* picked first, negative */
  a[130] = 4.9;            /* below the threshold */
  a[140] = -5;             /* exactly at the negative threshold: passes */
  a[185] = 9;              /* last usable window is NW - 1 - flank = 188 */
  a[189] = 30;             /* too near the end */
  ties[30] = ties[40] = 6; /* ties: the first wins, the other is suppressed */
  dm_seqlet_thr_t thr = {.pos = 5, .neg = -5, .sign_threshold = 6};
  dm_seqlet_t s[16];
  size_t n = dm_seqlet_extract(&o, &thr, S, 3, NW, 1000, work, s);
  CHECK(n == dm_seqlet_extract(&o, &thr, S, 3, NW, 1000, work, NULL), "count-only mode agrees");
  const int want_t[] = {100, 50, 185, 71, 140, 30};
  const int64_t want_ex[] = {1000, 1000, 1000, 1000, 1000, 1002};
  CHECK(n == 6, "%zu seqlets", n);
  for (size_t i = 0; i < n && i < 6; i++) {
    CHECK(s[i].example == want_ex[i] && s[i].start == want_t[i] - 10 && s[i].end == want_t[i] + 31,
          "seqlet %zu: example %ld [%d, %d), want t %d", i, (long)s[i].example, s[i].start, s[i].end,
          want_t[i]);
    CHECK(s[i].score == (i < 5 ? a : ties)[want_t[i]] && !s[i].is_revcomp, "seqlet %zu score", i);
  }
  size_t count[2], kept[2], before[2] = {0, 0};
  dm_seqlet_assign(&thr, s, n, count);
  const int want_mc[] = {-1, 1, 1, 1, 0, 0}; /* |score| > 6 only */
  for (size_t i = 0; i < n && i < 6; i++) CHECK(s[i].metacluster == want_mc[i], "metacluster %zu", i);
  CHECK(count[0] == 3 && count[1] == 1, "counts %zu %zu", count[0], count[1]);
  o.max_seqlets = 2;
  dm_seqlet_cap(&o, s, n, before, kept);
  CHECK(kept[0] == 2 && kept[1] == 1 && s[3].metacluster == 0 && s[1].metacluster == 1, "cap at 2");
  before[0] = 2;
  dm_seqlet_assign(&thr, s, n, count);
  dm_seqlet_cap(&o, s, n, before, kept);
  CHECK(kept[0] == 0 && kept[1] == 1, "cap with 2 positives on earlier blocks");
}

static void test_extract_random(gsl_rng *r) {
  enum { N = 20, NW = 300 };
  static double S[N * NW], work[NW];
  static dm_seqlet_t s[N * NW];
  for (int i = 0; i < N * NW; i++) S[i] = gsl_ran_laplace(r, 1.0);
  dm_seqlet_opt_t o;
  library_opt(&o);
  dm_seqlet_thr_t thr = {.pos = 1.5, .neg = -2.0};
  size_t n = dm_seqlet_extract(&o, &thr, S, N, NW, 0, work, s);
  CHECK(n > (size_t)N, "%zu seqlets", n);
  const int sup = 20, fl = 10;
  int bad = 0;
  for (size_t i = 0; i < n; i++) {
    int t = s[i].start + fl;
    double v = S[s[i].example * NW + t];
    bad += !(v >= thr.pos || v <= thr.neg) || t < fl || t >= NW - fl || v != s[i].score;
    bad += s[i].end - s[i].start != 41;
    for (size_t j = 0; j < i; j++)
      if (s[j].example == s[i].example) {
        bad += abs(s[j].start - s[i].start) <= sup; /* suppression respected */
        bad += fabs(s[j].score) < fabs(s[i].score); /* strongest first */
      }
  }
  CHECK(bad == 0, "%d violations of threshold / edges / suppression / order", bad);
  /* maximality: every passing usable window left out lies within the
   * suppression range of a chosen window at least as strong */
  int missed = 0;
  for (int e = 0; e < N; e++)
    for (int t = fl; t < NW - fl; t++) {
      double v = S[e * NW + t];
      if (!(v >= thr.pos || v <= thr.neg)) continue;
      int covered = 0;
      for (size_t i = 0; i < n; i++)
        covered |= s[i].example == e && abs(s[i].start + fl - t) <= sup && fabs(s[i].score) >= fabs(v);
      missed += !covered;
    }
  CHECK(missed == 0, "%d passing windows neither chosen nor suppressed", missed);
}

// --- thresholds

/* sample: (1 - frac) standard Laplace, frac at +-20 (half each sign). */
static void mixture(gsl_rng *r, double *v, size_t n, double frac) {
  for (size_t i = 0; i < n; i++)
    v[i] = gsl_rng_uniform(r) < frac ? (gsl_rng_uniform(r) < 0.5 ? -1 : 1) * gsl_ran_gaussian(r, 1.0) + 20
                                     : gsl_ran_laplace(r, 1.0);
  for (size_t i = 0; i < n; i++)
    if (v[i] > 10 && gsl_rng_uniform(r) < 0.5) v[i] = -v[i]; /* half the signal negative */
}

/* Fraction of |v| >= x. */
static double frac_at_least(const double *v, size_t n, double x) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) k += fabs(v[i]) >= x;
  return (double)k / (double)n;
}

static void check_sign_threshold(const double *v, size_t n, const dm_seqlet_thr_t *thr, double weak) {
  double *m = malloc(n * sizeof *m);
  for (size_t i = 0; i < n; i++) m[i] = fabs(v[i]);
  qsort(m, n, sizeof *m, cmp);
  size_t below_pos = 0, below_neg = 0;
  for (size_t i = 0; i < n; i++) below_pos += m[i] < fabs(thr->pos), below_neg += m[i] < fabs(thr->neg);
  double q = fmin(fmin((double)below_pos, (double)below_neg) / (double)n - 1e-4, weak);
  long k = (long)(q * (double)n);
  CHECK(thr->sign_threshold == m[k < 0 ? 0 : k], "sign threshold %g vs %g", thr->sign_threshold, m[k]);
  free(m);
}

static void test_thresholds(gsl_rng *r) {
  enum { N = 50000 };
  double *v = malloc(N * sizeof *v), *c = malloc(N * sizeof *c);
  dm_seqlet_opt_t o;
  dm_seqlet_opt_init(&o);
  dm_seqlet_thr_t thr;

  /* pure noise: (almost) nothing passes, the clamp raises it to 3% */
  mixture(r, v, N, 0.0);
  memcpy(c, v, N * sizeof *v);
  CHECK(dm_seqlet_thresholds(&o, c, N, &thr) == 0, "noise");
  CHECK(thr.frac_passing < 0.03 && thr.clamped == 1 && thr.pos == -thr.neg, "noise: frac %g clamp %d",
        thr.frac_passing, thr.clamped);
  CLOSE(frac_at_least(v, N, thr.pos), 0.03, 1e-3);
  check_sign_threshold(v, N, &thr, o.weak_threshold);

  /* strong signal in 40%: too many pass, the clamp lowers it to 20% */
  mixture(r, v, N, 0.4);
  memcpy(c, v, N * sizeof *v);
  CHECK(dm_seqlet_thresholds(&o, c, N, &thr) == 0, "signal");
  CHECK(thr.frac_passing > 0.2 && thr.clamped == -1, "signal: frac %g clamp %d", thr.frac_passing,
        thr.clamped);
  CLOSE(frac_at_least(v, N, thr.pos), 0.2, 1e-3);
  check_sign_threshold(v, N, &thr, o.weak_threshold);

  /* 8% signal: the isotonic thresholds separate it, no clamp */
  mixture(r, v, N, 0.08);
  memcpy(c, v, N * sizeof *v);
  CHECK(dm_seqlet_thresholds(&o, c, N, &thr) == 0, "some signal");
  CHECK(thr.clamped == 0 && thr.pos == thr.pos_iso && thr.neg == thr.neg_iso, "clamp %d", thr.clamped);
  CHECK(thr.pos > 3 && thr.pos < 16 && thr.neg < -3 && thr.neg > -16, "thresholds %g %g", thr.pos, thr.neg);
  CHECK(fabs(thr.frac_passing - 0.08) < 0.01, "passing %g", thr.frac_passing);
  CHECK(fabs(thr.null.mu) < 0.1 && fabs(thr.null.lambda_pos - 1) < 0.15, "null mu %g lambda+ %g", thr.null.mu,
        thr.null.lambda_pos);
  check_sign_threshold(v, N, &thr, o.weak_threshold);

  /* order of the sample does not matter */
  dm_seqlet_thr_t thr2;
  for (size_t i = 0; i < N; i++) c[i] = v[N - 1 - i];
  CHECK(dm_seqlet_thresholds(&o, c, N, &thr2) == 0, "reversed");
  CHECK(thr2.pos == thr.pos && thr2.neg == thr.neg && thr2.sign_threshold == thr.sign_threshold &&
            thr2.null.mu == thr.null.mu,
        "same thresholds from a permuted sample");

  /* bad samples */
  CHECK(dm_seqlet_thresholds(&o, c, 0, &thr) == -1, "empty sample refused");
  c[3] = NAN;
  CHECK(dm_seqlet_thresholds(&o, c, N, &thr) == -1, "NaN refused");
  free(v);
  free(c);
}

// --- end to end

enum { NE = 96, LE = 200, MOTIF = 8 };

/* Examples with noise; example i has a motif of MOTIF positions at pos[i]
 * with sign sgn[i] (+1, -1 or 0: none). */
static void make_examples(gsl_rng *r, float *c, int *pos, int *sgn) {
  for (int i = 0; i < NE * LE * 4; i++) c[i] = 0;
  for (int i = 0; i < NE; i++) {
    sgn[i] = i % 3 == 0 ? 1 : i % 3 == 1 ? -1 : 0;
    pos[i] = 30 + (int)gsl_rng_uniform_int(r, 130);
    for (int l = 0; l < LE; l++) {
      float x = (float)gsl_ran_gaussian(r, 0.03);
      if (l >= pos[i] && l < pos[i] + MOTIF) x += 0.4f * (float)sgn[i];
      c[(i * LE + l) * 4 + gsl_rng_uniform_int(r, 4)] = x;
    }
  }
}

/* The whole step on rows split at cuts[0] = 0 < ... < cuts[nb] = NE, each
 * block with its own buffers; samples merged in reverse block order. */
static size_t run_blocks(const dm_seqlet_opt_t *o, const float *c, const int *cuts, int nb,
                         dm_seqlet_thr_t *thr, dm_seqlet_t *out) {
  size_t nw = dm_seqlet_n_windows(o, LE);
  double *S = malloc(NE * nw * sizeof *S), *sample = malloc(NE * nw * sizeof *sample), work[LE];
  double prob = dm_seqlet_sample_prob(o, NE * nw);
  size_t ns = 0;
  for (int b = 0; b < nb; b++) {
    size_t r0 = (size_t)cuts[b], n = (size_t)(cuts[b + 1] - cuts[b]);
    CHECK(dm_seqlet_window_sums(o, c + r0 * LE * 4, n, LE, S + r0 * nw) == 0, "sums");
  }
  for (int b = nb - 1; b >= 0; b--) {
    size_t r0 = (size_t)cuts[b], n = (size_t)(cuts[b + 1] - cuts[b]);
    size_t k = dm_seqlet_sample(o, S + r0 * nw, n, nw, (int64_t)r0, prob, NULL);
    CHECK(dm_seqlet_sample(o, S + r0 * nw, n, nw, (int64_t)r0, prob, sample + ns) == k, "sample count");
    ns += k;
  }
  CHECK(dm_seqlet_thresholds(o, sample, ns, thr) == 0, "thresholds");
  size_t n_out = 0, before[2] = {0, 0};
  size_t *cnt = malloc(2 * (size_t)nb * sizeof *cnt), kept[2];
  for (int b = 0; b < nb; b++) {
    size_t r0 = (size_t)cuts[b], n = (size_t)(cuts[b + 1] - cuts[b]);
    size_t k = dm_seqlet_extract(o, thr, S + r0 * nw, n, nw, (int64_t)r0, work, out + n_out);
    dm_seqlet_assign(thr, out + n_out, k, cnt + 2 * b);
    n_out += k;
  }
  for (int b = 0, at = 0; b < nb; b++) { /* exclusive scan of the counts, then cap */
    size_t r0 = (size_t)cuts[b], n = (size_t)(cuts[b + 1] - cuts[b]);
    size_t k = dm_seqlet_extract(o, thr, S + r0 * nw, n, nw, (int64_t)r0, work, NULL);
    dm_seqlet_cap(o, out + at, k, before, kept);
    before[0] += cnt[2 * b], before[1] += cnt[2 * b + 1];
    at += (int)k;
  }
  free(cnt);
  free(S);
  free(sample);
  return n_out;
}

static void test_end_to_end(gsl_rng *r) {
  float *c = malloc(NE * LE * 4 * sizeof *c);
  int pos[NE], sgn[NE];
  make_examples(r, c, pos, sgn);
  dm_seqlet_opt_t o;
  library_opt(&o);
  o.sample_cap = 1 << 30; /* every window */
  static dm_seqlet_t s[NE * LE], s2[NE * LE];
  const int one[] = {0, NE};
  dm_seqlet_thr_t thr, thr2;
  size_t n = run_blocks(&o, c, one, 1, &thr, s);
  CHECK(thr.n_sample == NE * dm_seqlet_n_windows(&o, LE), "sample of every window");
  /* each motif is covered by the core of a seqlet of its sign */
  int found = 0, planted = 0, spurious = 0;
  for (int i = 0; i < NE; i++) {
    int hit = 0;
    for (size_t k = 0; k < n; k++) {
      if (s[k].example != i || !s[k].metacluster) continue;
      int core = s[k].start + o.flank;
      if (sgn[i] && s[k].metacluster == sgn[i] && core <= pos[i] && core + o.window >= pos[i] + MOTIF)
        hit = 1;
      else
        spurious++;
    }
    planted += sgn[i] != 0;
    found += hit;
  }
  CHECK(found == planted, "%d of %d motifs found", found, planted);
  CHECK(spurious <= NE / 20, "%d spurious seqlets in metaclusters", spurious);

  /* split into 2 and 4 uneven blocks, sample of ~1/3 of the windows, cap 15 */
  o.sample_cap = 6000;
  o.max_seqlets = 15;
  n = run_blocks(&o, c, one, 1, &thr, s);
  CHECK(thr.n_sample > 4000 && thr.n_sample < 8000, "sample of %zu", thr.n_sample);
  size_t in_mc[2] = {0, 0};
  for (size_t k = 0; k < n; k++)
    if (s[k].metacluster) in_mc[s[k].metacluster > 0 ? 0 : 1]++;
  CHECK(in_mc[0] == 15 && in_mc[1] == 15, "cap: %zu %zu kept", in_mc[0], in_mc[1]);
  const int two[] = {0, 23, NE}, four[] = {0, 5, 30, 31, NE};
  for (int split = 0; split < 2; split++) {
    size_t n2 = split ? run_blocks(&o, c, four, 4, &thr2, s2) : run_blocks(&o, c, two, 2, &thr2, s2);
    CHECK(n2 == n, "%zu seqlets vs %zu", n2, n);
    CHECK(thr2.n_sample == thr.n_sample && thr2.pos == thr.pos && thr2.neg == thr.neg &&
              thr2.sign_threshold == thr.sign_threshold && thr2.null.mu == thr.null.mu &&
              thr2.null.lambda_pos == thr.null.lambda_pos && thr2.null.lambda_neg == thr.null.lambda_neg,
          "same thresholds on %d blocks", split ? 4 : 2);
    int diff = 0;
    for (size_t k = 0; k < n && k < n2; k++)
      diff += s[k].example != s2[k].example || s[k].start != s2[k].start || s[k].end != s2[k].end ||
              s[k].metacluster != s2[k].metacluster || memcmp(&s[k].score, &s2[k].score, sizeof(double));
    CHECK(diff == 0, "%d seqlets differ on %d blocks", diff, split ? 4 : 2);
  }
  free(c);
}

int main(void) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 2024);
  test_params();
  test_window_sums(r);
  test_extract_hand();
  test_extract_random(r);
  test_thresholds(r);
  test_end_to_end(r);
  gsl_rng_free(r);
  return dm_test_summary("test_seqlet");
}
