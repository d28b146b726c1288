/* dm_seqlet: TF-MoDISco step 1, seqlet calling (tfmodisco-lite
 * extract_seqlets + the metacluster split of TFMoDISco()).
 *
 * Per position, s[l] = sum_c contrib[l, c] (contrib = onehot * hyp). Window
 * sums S[t] = s[t] + ... + s[t + w - 1] for t in [0, L - w + 1). A Laplace
 * null is fitted to the window sums, isotonic regression of "observed vs
 * null" turns |S| into a precision, and the thresholds are the smallest |S|
 * reaching precision >= 1 - target_fdr on each sign (clamped so that the
 * passing fraction of windows lies in [min_passing_frac, max_passing_frac]).
 * Each example is then scanned greedily: the strongest passing window t
 * (first of ties, away from the edges by flank) gives the seqlet
 * [t - flank, t + w + flank), windows t - s .. t + s are suppressed
 * (s = int(0.5 w) + flank), repeat. A seqlet goes to the positive
 * (negative) metacluster if its score S[t] is above (below minus) the sign
 * threshold; at most max_seqlets per metacluster are kept, the first ones
 * in (example, extraction) order, as lite does.
 *
 * Distribution (the kernels do no MPI; dm_seqlet_call_mpi chains them):
 *   1. each rank: dm_seqlet_window_sums() on its block of rows;
 *   2. each rank: dm_seqlet_sample() keeps window t of global row r with a
 *      probability p = dm_seqlet_sample_prob(), decided by a hash of
 *      (seed, r * n_windows + t) alone; the driver gathers the samples of
 *      all ranks (any order: they are sorted before use);
 *   3. every rank (or rank 0 + broadcast): dm_seqlet_thresholds() on the
 *      merged sample;
 *   4. each rank: dm_seqlet_extract() on its rows, with global row numbers;
 *   5. dm_seqlet_assign() on its seqlets, an exclusive scan of the counts
 *      per metacluster over ranks, dm_seqlet_cap() with those offsets.
 * The sample is a function of the global indices only, the thresholds of
 * the sample's multiset only, extraction is per row: the same seqlets on 1
 * or N ranks, bit for bit. With n_windows_total <= sample_cap the sample
 * is every window (then the Laplace fit sees the same values as lite's).
 *
 * Differences from lite: lite fits the null and takes the |S| quantiles of
 * the sign threshold on all windows, and the isotonic thresholds and the
 * clamp on a random subsample of 1e6; here all four use the one hashed
 * sample (the same when there are <= sample_cap windows). The null's draws
 * are lite's own (numpy's RandomState stream, see dm_laplace.h): with
 * another stream the thresholds move by up to 40% and the seqlet count by
 * 15%; with lite's, counts agree to 0.3% on the bundled example even above
 * sample_cap. Lite with flank 0 finds no
 * seqlets (its slice [-0:] blanks every window); here flank 0 just means
 * no edge margin. A sign with no window sums gets threshold +-inf (lite
 * fails).
 */
#ifndef DM_SEQLET_H
#define DM_SEQLET_H

#include <stddef.h>
#include <stdint.h>

#include "dm_laplace.h"
#include "dm_log.h"
#include "dm_mpi.h"
#include "dm_params.h"

/** Options of the seqlet step (defaults: tfmodisco-lite's `modisco motifs` CLI;
 * the library TFMoDISco() differs in window 21, flank 10, target_fdr 0.2). */
typedef struct {
  int window;                /* w, sliding_window_size (20) */
  int flank;                 /* flank_size (5) */
  double target_fdr;         /* target_seqlet_fdr (0.05) */
  double min_passing_frac;   /* min_passing_windows_frac (0.03) */
  double max_passing_frac;   /* max_passing_windows_frac (0.2) */
  double weak_threshold;     /* weak_threshold_for_counting_sign (0.8) */
  long max_seqlets;          /* max_seqlets_per_metacluster (20000) */
  long min_metacluster_size; /* a metacluster needs more seqlets than this (100) */
  long n_null;               /* null samples (10000) */
  long sample_cap;           /* expected window sums in the sample (1000000) */
  int hist_bins;             /* bins of the mode histograms (1000) */
  unsigned long seed;        /* seed of the sample hash and the null RNG (1234) */
} dm_seqlet_opt_t;

/** The "Seqlets:" parameters, as dm_param_spec_t initialisers for a command's table. */
// clang-format off
#define DM_SEQLET_PARAM_SPECS \
  {"Seqlets:window", DM_PARAM_INT, "20", NULL, "sliding window size w of the window sums"}, \
  {"Seqlets:flank", DM_PARAM_INT, "5", NULL, "flank added on each side of a window: seqlets are w + 2 flank long"}, \
  {"Seqlets:target_fdr", DM_PARAM_FLOAT, "0.05", NULL, "false discovery rate of the window thresholds (isotonic fit vs Laplace null)"}, \
  {"Seqlets:min_passing_frac", DM_PARAM_FLOAT, "0.03", NULL, "if fewer windows pass, threshold at this top fraction of |window sums|"}, \
  {"Seqlets:max_passing_frac", DM_PARAM_FLOAT, "0.2", NULL, "if more windows pass, threshold at this top fraction of |window sums|"}, \
  {"Seqlets:weak_threshold", DM_PARAM_FLOAT, "0.8", NULL, "a seqlet counts for its sign above at most this quantile of |window sums|"}, \
  {"Seqlets:max_seqlets", DM_PARAM_INT, "20000", NULL, "seqlets kept per metacluster (the first ones in example order)"}, \
  {"Seqlets:min_metacluster_size", DM_PARAM_INT, "100", NULL, "a metacluster with no more seqlets than this is not clustered"}, \
  {"Seqlets:n_null", DM_PARAM_INT, "10000", NULL, "samples drawn from the Laplace null"}, \
  {"Seqlets:sample_cap", DM_PARAM_INT, "1000000", NULL, "window sums sampled (expected) for the null and thresholds; all if fewer"}, \
  {"Seqlets:hist_bins", DM_PARAM_INT, "1000", NULL, "bins of each level of the histogram that finds the null's mode"}, \
  {"Seqlets:seed", DM_PARAM_INT, "1234", NULL, "seed of the window sample and of the null draws"}
// clang-format on

/** One seqlet. */
typedef struct {
  int64_t example;    /* global example (row) index */
  int32_t start;      /* first position, in the example */
  int32_t end;        /* one past the last position */
  int8_t is_revcomp;  /* 0: seqlets are called on the forward strand */
  int8_t metacluster; /* +1 positive, -1 negative, 0 none (set by assign/cap) */
  double score;       /* window sum S[start + flank] (signed) */
} dm_seqlet_t;

/** Thresholds of the step, from dm_seqlet_thresholds(). */
typedef struct {
  dm_laplace_t null;     /* the fitted null */
  double pos_iso;        /* isotonic threshold on S >= 0 (+inf: no S >= 0 in the sample) */
  double neg_iso;        /* isotonic threshold on S < 0 (-inf: no S < 0 in the sample) */
  double frac_passing;   /* fraction of the sample passing pos_iso / neg_iso */
  int clamped;           /* +1 raised to min_passing_frac, -1 lowered to max, 0 none */
  double pos;            /* a window passes if S >= pos ... */
  double neg;            /* ... or S <= neg */
  double sign_threshold; /* a seqlet joins a metacluster if |score| > this */
  size_t n_sample;       /* window sums the thresholds come from */
} dm_seqlet_thr_t;

/**
 * @brief Set the defaults (tfmodisco-lite's).
 * @param o options to fill
 */
void dm_seqlet_opt_init(dm_seqlet_opt_t *o);

/**
 * @brief Validate options.
 * @param o options
 * @return 0, or -1 after logging the offending "Seqlets:" key
 */
DM_RESULT_USED int dm_seqlet_opt_check(const dm_seqlet_opt_t *o);

/**
 * @brief Fill options from a parameter set holding DM_SEQLET_PARAM_SPECS, then check.
 * @param o options to fill
 * @param p parameters (loaded and checked by the driver)
 * @return 0, or -1 after logging
 */
DM_RESULT_USED int dm_seqlet_opt_from_params(dm_seqlet_opt_t *o, const dm_params_t *p);

/**
 * @brief Windows per example.
 * @param o      options (window)
 * @param length L, the example length
 * @return L - w + 1, or 0 if L < w
 */
size_t dm_seqlet_n_windows(const dm_seqlet_opt_t *o, int length);

/**
 * @brief Window sums of a block of rows: S[i, t] = sum_{l=t}^{t+w-1} sum_c contrib[i, l, c],
 *        as the difference of two double prefix sums (as lite's cumsum).
 * @param o       options (window)
 * @param contrib (n, L, 4) actual contributions (onehot * hyp)
 * @param n       rows in the block
 * @param length  L, >= w
 * @param S       (n, L - w + 1) output
 * @return 0, or -1 after logging L < w
 */
DM_RESULT_USED int dm_seqlet_window_sums(const dm_seqlet_opt_t *o, const float *contrib, size_t n, int length,
                                         double *S);

/**
 * @brief Keep probability of the sample.
 * @param o               options (sample_cap)
 * @param n_windows_total windows over all examples of all ranks
 * @return min(1, sample_cap / n_windows_total)
 */
double dm_seqlet_sample_prob(const dm_seqlet_opt_t *o, size_t n_windows_total);

/**
 * @brief Deterministic sample of a block's window sums: window t of global row
 *        row0 + i is kept iff hash(seed, (row0 + i) * n_win + t) < prob.
 * @param o     options (seed)
 * @param S     (n, n_win) window sums of rows row0 .. row0 + n - 1
 * @param n     rows in the block
 * @param n_win windows per row
 * @param row0  global index of the block's first row
 * @param prob  from dm_seqlet_sample_prob()
 * @param out   (<= n * n_win) kept values (-0 written as +0), or NULL to count only
 * @return number of kept values
 */
size_t dm_seqlet_sample(const dm_seqlet_opt_t *o, const double *S, size_t n, size_t n_win, int64_t row0,
                        double prob, double *out);

/**
 * @brief Null fit, isotonic thresholds, clamp and sign threshold from the merged sample.
 *        Allocates its work space (O(n + n_null)) once and frees it.
 * @param o      options
 * @param sample (n,) window sums; sorted in place (its order on entry does not matter)
 * @param n      sample size, > 0
 * @param thr    the result
 * @return 0, or -1 after logging (empty sample, non-finite values)
 */
DM_RESULT_USED int dm_seqlet_thresholds(const dm_seqlet_opt_t *o, double *sample, size_t n,
                                        dm_seqlet_thr_t *thr);

/**
 * @brief Greedy extraction on a block of rows (metacluster left 0).
 * @param o     options (window, flank)
 * @param thr   thresholds (pos, neg)
 * @param S     (n, n_win) window sums of rows row0 .. row0 + n - 1
 * @param n     rows in the block
 * @param n_win windows per row
 * @param row0  global index of the block's first row
 * @param work  (n_win,) scratch
 * @param out   seqlets in (row, extraction) order, or NULL to count only
 * @return number of seqlets
 */
size_t dm_seqlet_extract(const dm_seqlet_opt_t *o, const dm_seqlet_thr_t *thr, const double *S, size_t n,
                         size_t n_win, int64_t row0, double *work, dm_seqlet_t *out);

/**
 * @brief Metacluster by sign: +1 if score > sign_threshold, -1 if < -sign_threshold, else 0.
 * @param thr   thresholds (sign_threshold)
 * @param s     (n,) seqlets; metacluster set
 * @param n     number of seqlets
 * @param count (2,) output: seqlets in the positive, negative metacluster
 */
void dm_seqlet_assign(const dm_seqlet_thr_t *thr, dm_seqlet_t *s, size_t n, size_t count[2]);

/**
 * @brief Keep the first max_seqlets of each metacluster in global order (others get 0).
 * @param o      options (max_seqlets)
 * @param s      (n,) seqlets of this block after dm_seqlet_assign(), in order
 * @param n      number of seqlets
 * @param before (2,) seqlets of the positive, negative metacluster on earlier blocks
 * @param kept   (2,) output: seqlets of this block still in each metacluster
 */
void dm_seqlet_cap(const dm_seqlet_opt_t *o, dm_seqlet_t *s, size_t n, const size_t before[2],
                   size_t kept[2]);

/**
 * @brief The whole step on any number of ranks (steps 1-5 above): each rank
 *        calls seqlets on its block of rows (dm_mpi_block_range), and every
 *        rank gets the seqlets of both metaclusters after the cap, in global
 *        (example, extraction) order: the same on any number of ranks.
 *        Logs the thresholds and counts (rank 0). Collective.
 * @param ctx        ranks
 * @param o          options
 * @param contrib    (nb, length, 4) contributions of this rank's block of
 *                   rows [r0, r0 + nb) of dm_mpi_block_range(n_examples)
 * @param n_examples rows N
 * @param length     L
 * @param out        malloc'd (*n_out,) seqlets with metacluster +1 or -1; free with free()
 * @param n_out      number of seqlets
 * @return 0, or -1 on every rank after logging (L < window, no usable window sums)
 */
DM_RESULT_USED int dm_seqlet_call_mpi(const dm_mpi_t *ctx, const dm_seqlet_opt_t *o, const float *contrib,
                                      int64_t n_examples, int length, dm_seqlet_t **out, int *n_out);

#endif
