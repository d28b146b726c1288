/* dm_seqlet_internal: a piece of dm_seqlet_thr.c exposed for its tests only. */
#ifndef DM_SEQLET_INTERNAL_H
#define DM_SEQLET_INTERNAL_H

#include <stddef.h>

/** Work buffers of dm_seqlet_iso_threshold, each of n1 + n2 entries. */
typedef struct {
  double *ux, *uy, *uw, *fit, *bw; /* (n1 + n2,) each */
  size_t *bstart;                  /* (n1 + n2,) */
} dm_seqlet_iso_work_t;

/**
 * @brief Isotonic threshold of one sign, on magnitudes (lite's _isotonic_thresholds).
 *        P(observed | x) is fitted by PAVA to observed (y 1, weight 1) and null
 *        (y 0, weight n1 / n2) points, ties in x pooled; with f the null fraction
 *        implied by the fit r at the smallest x (-1 / (1 - 1/r), kept in
 *        [0.95, 1]), an observed value's precision is 1 + f (1 - 1/r(x)) in [0, 1].
 * @param v   (n1,) observed magnitudes, ascending
 * @param n1  number of observed values
 * @param z   (n2,) null magnitudes, ascending
 * @param n2  number of null values
 * @param fdr target false discovery rate
 * @param wk  work buffers
 * @param rc  set to -1 if the fit failed (left alone otherwise)
 * @return the smallest v with precision >= 1 - fdr (the largest v always
 *         qualifies), +inf if n1 == 0
 */
double dm_seqlet_iso_threshold(const double *v, size_t n1, const double *z, size_t n2, double fdr,
                               const dm_seqlet_iso_work_t *wk, int *rc);

#endif
