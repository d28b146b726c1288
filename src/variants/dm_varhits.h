/* dm_varhits: the motif instances (hits.h5 of dmotif hits) that variants
 * fall in, and the change of an instance's CWM score.
 *
 * A variant falls in a hit when its REF bases [POS-1, POS-1+len(REF)) overlap
 * the hit's trimmed motif [start, end) on the same chromosome; of several,
 * the hit with the largest score is reported. The CWM of a hit's pattern is
 * read from the modisco.h5 named in hits.h5 (/patterns/source), restricted
 * to the trimmed positions hits used (/patterns/trim_start, trim_end) and
 * reverse-complemented for a hit on the - strand. The CWM score of a
 * sequence s placed at the hit is sum over w of cwm[w][s[w]] (0 for N).
 */
#ifndef DM_VARHITS_H
#define DM_VARHITS_H

#include <stdint.h>

#include "dm_log.h"
#include "dm_mpi.h"
#include "dm_seq.h"

/** One hit. */
typedef struct {
  char chrom[DM_SEQ_NAME_LEN];
  int64_t start, end; /* trimmed motif, 0-based half-open genome coordinates */
  int pattern;        /* index into dm_varhits_t names / cwm */
  char strand;        /* '+' or '-' */
  double score;
} dm_varhit_t;

/** The hits of one hits.h5, sorted by chromosome and start. */
typedef struct {
  int64_t n;
  dm_varhit_t *h;      /* (n,) */
  int64_t max_width;   /* longest hit */
  int n_patterns;
  char (*name)[128];   /* (n_patterns,) task/sign/pattern_<i> */
  double **cwm;        /* (n_patterns,) trimmed CWM (width, 4), forward strand */
  int *width;          /* (n_patterns,) */
} dm_varhits_t;

/**
 * @brief Read the hits and their patterns' CWMs. Collective over ctx (every
 *        rank gets everything).
 * @param ctx  ranks
 * @param path hits.h5 of dmotif hits
 * @return the hits (free with dm_varhits_free), or NULL on every rank after
 *         logging what is wrong (file, dataset or pattern)
 */
DM_RESULT_USED dm_varhits_t *dm_varhits_load(const dm_mpi_t *ctx, const char *path);

/** @brief Free hits from dm_varhits_load (NULL is fine). */
void dm_varhits_free(dm_varhits_t *v);

/**
 * @brief The hit of largest score overlapping [start, end) on chrom.
 * @return the hit, or NULL if none overlaps
 */
const dm_varhit_t *dm_varhits_find(const dm_varhits_t *v, const char *chrom, int64_t start, int64_t end);

/**
 * @brief CWM score of a sequence at a hit: sum over w < W of cwm'[w][base of
 *        seq[w]], where cwm' is cwm (W, 4) for strand '+' and its reverse
 *        complement for '-'; N and other letters add 0.
 * @param cwm    (W, 4) A C G T, forward strand
 * @param W      positions
 * @param strand '+' or '-'
 * @param seq    (W,) bases
 */
double dm_varhits_cwm_score(const double *cwm, int W, char strand, const char *seq);

#endif
