/* dm_hits_bank: the motifs hits are called with, and the hits themselves.
 *
 * Each pattern's CWM (Lp, 4) becomes two entries, forward (2j) and reverse
 * complement (2j + 1), prepared as Fi-NeMo prepares them: divided by the L2
 * norm of the whole CWM, then trimmed to the positions whose sum of |CWM|
 * over the bases is at least trim_frac times the largest such sum (the
 * first to the last such position, no padding). Only the trimmed window
 * (W, 4) is kept; `offset` is where it starts in the strand-oriented full
 * CWM, so an untrimmed hit starts `offset` bases before the trimmed one.
 *
 * Contributions are handled projected: per position one value x[p] (the
 * contribution of the observed base) and the base b[p] (0..3 = A C G T,
 * -1 for N). A motif entry placed at position p of a track then reads
 * cwm[w][b[p + w]] for w < W (0 where b is -1).
 */
#ifndef DM_HITS_BANK_H
#define DM_HITS_BANK_H

#include <stdint.h>

#include "dm_log.h"

/** The prepared motifs. */
typedef struct {
  int n_patterns; /* patterns; entries K = 2 * n_patterns */
  int n;          /* K */
  int *width;     /* (K,) W of the trimmed window */
  int *offset;    /* (K,) start of the trimmed window in the oriented full CWM */
  int *full_len;  /* (K,) Lp */
  double **cwm;   /* (K,) each (W, 4), normalised by the full CWM's L2 norm, oriented */
  double *norm;   /* (K,) L2 norm of the whole raw CWM (Fi-NeMo's motif scale) */
  int max_width;  /* largest W */
} dm_hits_bank_t;

/** One hit: a motif entry placed at a position of one region. */
typedef struct {
  int64_t region;    /* row of the input */
  int32_t motif;     /* bank entry k: pattern k / 2, strand '-' if k is odd */
  int32_t pos;       /* first base of the trimmed window in the region */
  double score;      /* fit: coefficient x global scale^2; scan: sum of x * cwm over the window */
  double similarity; /* cosine-like similarity of CWM and contributions over the window */
  double importance; /* sum of |contribution| over the window (raw units) */
} dm_hit_t;

/**
 * @brief Prepare the bank.
 * @param cwms      (n_patterns,) CWMs, each (lens[j], 4), A C G T
 * @param lens      (n_patterns,) positions, > 0
 * @param n_patterns patterns, > 0
 * @param trim_frac trimming threshold as a fraction of the largest position sum (Fi-NeMo: 0.3)
 * @return the bank; free with dm_hits_bank_destroy()
 */
dm_hits_bank_t *dm_hits_bank_init(const double *const *cwms, const int *lens, int n_patterns,
                                  double trim_frac);

/** @brief Free a bank (NULL is fine). */
void dm_hits_bank_destroy(dm_hits_bank_t *b);

/**
 * @brief Projected track of a region: b[p] = the base set in onehot (-1 if
 *        none), x[p] = hyp[p][b[p]] (0 for N), with hyp first centred to
 *        zero mean over the 4 bases at p if center is set.
 * @param hyp    (L, 4) hypothetical contributions
 * @param onehot (L, 4) 0/1
 * @param L      positions
 * @param center 1: centre hyp per position first
 * @param x      (L,) out
 * @param b      (L,) out
 */
void dm_hits_project(const float *hyp, const uint8_t *onehot, int L, int center, double *x, int8_t *b);

/**
 * @brief Window statistics of entry k at position p (p + W <= L): the dot
 *        product sum_w x[p+w] cwm[w][b[p+w]], the sum of x^2 and the sum of |x|.
 */
void dm_hits_window(const dm_hits_bank_t *bank, int k, const double *x, const int8_t *b, int p, double *dot,
                    double *sq, double *abs_sum);

#endif
