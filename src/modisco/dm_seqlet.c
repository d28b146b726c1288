/* This object's header. */
#include "dm_seqlet.h"

/* Standard headers. */
#include <limits.h>
#include <math.h>

// --- options

void dm_seqlet_opt_init(dm_seqlet_opt_t *o) {
  o->window = 20;
  o->flank = 5;
  o->target_fdr = 0.05;
  o->min_passing_frac = 0.03;
  o->max_passing_frac = 0.2;
  o->weak_threshold = 0.8;
  o->max_seqlets = 20000;
  o->min_metacluster_size = 100;
  o->n_null = 10000;
  o->sample_cap = 1000000;
  o->hist_bins = 1000;
  o->seed = 1234;
}

int dm_seqlet_opt_check(const dm_seqlet_opt_t *o) {
  int rc = 0;
#define REQUIRE(cond, key, fmt, val)                                                 \
  if (!(cond)) {                                                                     \
    dm_log_error("parameter 'Seqlets:" key "' = " fmt ": must satisfy " #cond, val); \
    rc = -1;                                                                         \
  }
  REQUIRE(o->window >= 1, "window", "%d", o->window);
  REQUIRE(o->flank >= 0, "flank", "%d", o->flank);
  REQUIRE(o->target_fdr > 0 && o->target_fdr < 1, "target_fdr", "%g", o->target_fdr);
  REQUIRE(o->min_passing_frac >= 0 && o->min_passing_frac <= o->max_passing_frac, "min_passing_frac", "%g",
          o->min_passing_frac);
  REQUIRE(o->max_passing_frac > 0 && o->max_passing_frac <= 1, "max_passing_frac", "%g", o->max_passing_frac);
  REQUIRE(o->weak_threshold >= 0 && o->weak_threshold <= 1, "weak_threshold", "%g", o->weak_threshold);
  REQUIRE(o->max_seqlets >= 1, "max_seqlets", "%ld", o->max_seqlets);
  REQUIRE(o->min_metacluster_size >= 0, "min_metacluster_size", "%ld", o->min_metacluster_size);
  REQUIRE(o->n_null >= 1, "n_null", "%ld", o->n_null);
  REQUIRE(o->sample_cap >= 1, "sample_cap", "%ld", o->sample_cap);
  REQUIRE(o->hist_bins >= 1, "hist_bins", "%d", o->hist_bins);
#undef REQUIRE
  return rc;
}

/* An int parameter that must fit an int; -1 after logging if not. */
static int get_int(const dm_params_t *p, const char *key, int *out) {
  long v = dm_params_get_int(p, key);
  if (v < INT_MIN || v > INT_MAX) {
    dm_log_error("parameter '%s' = %ld is out of range", key, v);
    return -1;
  }
  *out = (int)v;
  return 0;
}

int dm_seqlet_opt_from_params(dm_seqlet_opt_t *o, const dm_params_t *p) {
  int rc = 0;
  rc |= get_int(p, "Seqlets:window", &o->window);
  rc |= get_int(p, "Seqlets:flank", &o->flank);
  rc |= get_int(p, "Seqlets:hist_bins", &o->hist_bins);
  o->target_fdr = dm_params_get_float(p, "Seqlets:target_fdr");
  o->min_passing_frac = dm_params_get_float(p, "Seqlets:min_passing_frac");
  o->max_passing_frac = dm_params_get_float(p, "Seqlets:max_passing_frac");
  o->weak_threshold = dm_params_get_float(p, "Seqlets:weak_threshold");
  o->max_seqlets = dm_params_get_int(p, "Seqlets:max_seqlets");
  o->min_metacluster_size = dm_params_get_int(p, "Seqlets:min_metacluster_size");
  o->n_null = dm_params_get_int(p, "Seqlets:n_null");
  o->sample_cap = dm_params_get_int(p, "Seqlets:sample_cap");
  long seed = dm_params_get_int(p, "Seqlets:seed");
  if (seed < 0) {
    dm_log_error("parameter 'Seqlets:seed' = %ld: must be >= 0", seed);
    rc = -1;
  }
  o->seed = (unsigned long)seed;
  if (rc) return -1;
  return dm_seqlet_opt_check(o);
}

// --- window sums and the sample

size_t dm_seqlet_n_windows(const dm_seqlet_opt_t *o, int length) {
  return length >= o->window ? (size_t)(length - o->window + 1) : 0;
}

/* Score of one position: the sum of its 4 contributions, in double. */
static inline double position_score(const float *c) {
  return (double)c[0] + (double)c[1] + (double)c[2] + (double)c[3];
}

int dm_seqlet_window_sums(const dm_seqlet_opt_t *o, const float *contrib, size_t n, int length, double *S) {
  if (length < o->window) {
    dm_log_error("seqlets: examples of length %d are shorter than Seqlets:window = %d", length, o->window);
    return -1;
  }
  size_t w = (size_t)o->window, L = (size_t)length, n_win = L - w + 1;
  for (size_t i = 0; i < n; i++) {
    const float *c = contrib + i * L * 4;
    double *out = S + i * n_win;
    /* lead = prefix sum up to t + w, lag = prefix sum up to t; both add the
     * same terms in the same order, so lead - lag is exactly cumsum[t + w] - cumsum[t]. */
    double lead = 0.0, lag = 0.0;
    for (size_t l = 0; l < w; l++) lead += position_score(c + 4 * l);
    out[0] = lead;
    for (size_t t = 1; t < n_win; t++) {
      lead += position_score(c + 4 * (t + w - 1));
      lag += position_score(c + 4 * (t - 1));
      out[t] = lead - lag;
    }
  }
  return 0;
}

double dm_seqlet_sample_prob(const dm_seqlet_opt_t *o, size_t n_windows_total) {
  if ((double)n_windows_total <= (double)o->sample_cap) return 1.0;
  return (double)o->sample_cap / (double)n_windows_total;
}

/* splitmix64 finaliser. */
static inline uint64_t mix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

size_t dm_seqlet_sample(const dm_seqlet_opt_t *o, const double *S, size_t n, size_t n_win, int64_t row0,
                        double prob, double *out) {
  uint64_t key = mix64((uint64_t)o->seed);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    uint64_t g0 = (uint64_t)(row0 + (int64_t)i) * (uint64_t)n_win;
    for (size_t t = 0; t < n_win; t++) {
      double u = (double)(mix64(key ^ (g0 + t)) >> 11) * 0x1.0p-53; /* [0, 1) */
      if (u < prob) {
        if (out) out[k] = S[i * n_win + t] + 0.0; /* -0 -> +0 */
        k++;
      }
    }
  }
  return k;
}

// --- extraction and metaclusters

size_t dm_seqlet_extract(const dm_seqlet_opt_t *o, const dm_seqlet_thr_t *thr, const double *S, size_t n,
                         size_t n_win, int64_t row0, double *work, dm_seqlet_t *out) {
  size_t flank = (size_t)o->flank, w = (size_t)o->window;
  size_t suppress = w / 2 + flank;                           /* lite: int(0.5 * w) + flank */
  size_t lo = flank, hi = n_win > flank ? n_win - flank : 0; /* windows clear of the edges */
  size_t k = 0;
  for (size_t i = 0; i < n && n_win > 0; i++) {
    const double *row = S + i * n_win;
    for (size_t t = 0; t < n_win; t++) {
      int pass = t >= lo && t < hi && (row[t] >= thr->pos || row[t] <= thr->neg);
      work[t] = pass ? fabs(row[t]) : -INFINITY;
    }
    for (;;) {
      size_t best = 0;
      for (size_t t = 1; t < n_win; t++)
        if (work[t] > work[best]) best = t;
      if (work[best] == -INFINITY) break;
      if (out) {
        dm_seqlet_t *s = out + k;
        s->example = row0 + (int64_t)i;
        s->start = (int32_t)(best - flank);
        s->end = (int32_t)(best + w + flank);
        s->is_revcomp = 0;
        s->metacluster = 0;
        s->score = row[best];
      }
      k++;
      size_t a = best >= suppress ? best - suppress : 0;
      size_t b = best + suppress + 1 < n_win ? best + suppress + 1 : n_win;
      for (size_t t = a; t < b; t++) work[t] = -INFINITY;
    }
  }
  return k;
}

void dm_seqlet_assign(const dm_seqlet_thr_t *thr, dm_seqlet_t *s, size_t n, size_t count[2]) {
  count[0] = count[1] = 0;
  for (size_t i = 0; i < n; i++) {
    double st = thr->sign_threshold;
    s[i].metacluster = s[i].score > st ? 1 : s[i].score < -st ? -1 : 0;
    if (s[i].metacluster) count[s[i].metacluster > 0 ? 0 : 1]++;
  }
}

void dm_seqlet_cap(const dm_seqlet_opt_t *o, dm_seqlet_t *s, size_t n, const size_t before[2],
                   size_t kept[2]) {
  size_t seen[2] = {before[0], before[1]};
  kept[0] = kept[1] = 0;
  for (size_t i = 0; i < n; i++) {
    if (!s[i].metacluster) continue;
    int m = s[i].metacluster > 0 ? 0 : 1;
    if (seen[m] >= (size_t)o->max_seqlets) {
      s[i].metacluster = 0;
      continue;
    }
    seen[m]++;
    kept[m]++;
  }
}
