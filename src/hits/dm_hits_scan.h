/* dm_hits_scan: the classic CWM scan (TF-MoDISco's hit scoring), as a pure
 * kernel.
 *
 * Every bank entry k (dm_hits_bank.h) slides over the projected track x of
 * a region; at each position p (p + W <= L) the window gives
 *   score      = sum_w x[p+w] cwm[w][b[p+w]]          (raw units)
 *   similarity = score / (||cwm|| ||x window||)       (cosine, in [-1, 1])
 *   importance = sum_w |x[p+w]|                       (contribution magnitude)
 * A position is a candidate when similarity >= sim_min and importance >=
 * imp_min of its pattern. The thresholds come from the pattern's own
 * seqlets (dm_hits_scan_thresholds): each is a chosen quantile of the
 * seqlets' values, so that a hit scores at least as well as that fraction
 * of the seqlets. Overlapping candidates are resolved greedily, the most
 * similar first (ties: higher score, smaller position, lower bank entry):
 * a candidate is kept unless it overlaps a kept one of the same pattern
 * (either strand) or, with `compete`, of any pattern.
 */
#ifndef DM_HITS_SCAN_H
#define DM_HITS_SCAN_H

#include "dm_hits_bank.h"

/** Per-pattern thresholds. */
typedef struct {
  double *sim_min; /* (n_patterns,) */
  double *imp_min; /* (n_patterns,) */
  int compete;     /* 1: overlapping hits of different patterns exclude each other too */
} dm_hits_thr_t;

typedef struct dm_hits_scan_ws_s dm_hits_scan_ws_t;

/**
 * @brief Thresholds of pattern j from its seqlets.
 * @param bank     the bank (forward entry 2j is used: seqlets are in pattern orientation)
 * @param j        pattern
 * @param contrib  (n, len, 4) the seqlets' contributions (projected), len = the pattern's full length
 * @param n        seqlets, > 0
 * @param q        quantile in [0, 1] (e.g. 0.1: 90% of the seqlets pass both)
 * @param sim_min  out: q-quantile of the seqlets' similarities
 * @param imp_min  out: q-quantile of the seqlets' importances
 * @param work     (2n,) scratch
 */
void dm_hits_scan_thresholds(const dm_hits_bank_t *bank, int j, const double *contrib, int n, double q,
                             double *sim_min, double *imp_min, double *work);

/**
 * @brief Quantile q of v (n > 0; sorted in place), linear interpolation
 *        between order statistics (numpy's default).
 */
double dm_hits_quantile(double *v, int n, double q);

/** @return a workspace for regions of length L; free with dm_hits_scan_ws_destroy() */
dm_hits_scan_ws_t *dm_hits_scan_ws_init(const dm_hits_bank_t *bank, int L);

/** @brief Free a workspace (NULL is fine). */
void dm_hits_scan_ws_destroy(dm_hits_scan_ws_t *ws);

/**
 * @brief Scan one region.
 * @param ws     workspace
 * @param thr    thresholds per pattern
 * @param x      (L,) projected contributions
 * @param b      (L,) bases, -1 for N
 * @param region row index stored in the hits
 * @param hits   set to the hits (owned by ws, valid until the next call), by entry then position
 * @return number of hits
 */
int dm_hits_scan_region(dm_hits_scan_ws_t *ws, const dm_hits_thr_t *thr, const double *x, const int8_t *b,
                        int64_t region, dm_hit_t **hits);

#endif
