/* dm_tomtom: motif-to-database matching with TOMTOM's statistics.
 *
 * A query motif (w_q columns of A C G T probabilities) is aligned with every
 * target of a database on both strands (the target, then its reverse
 * complement) at every offset whose overlap is at least
 * min(min_overlap, w_q, w_t) columns. Column score: the Pearson correlation
 * of the two 4-vectors (0 when either column is flat), quantised to the grid
 * k = round((s + 1) * bins), k in [0, 2 bins]. The score of an alignment is
 * the sum of k over its overlapping columns.
 *
 * Null model (TOMTOM, Gupta et al. 2007): the score of query column i
 * against a random column is distributed as its scores against every column
 * of the database (both strands). The null distribution of an alignment
 * covering query columns [a, b] is the convolution of those per-column
 * distributions, computed for every [a, b] once per query; the p-value of an
 * alignment is P(S >= observed) under it, exact for the quantised scores.
 * Each target keeps its alignment with the smallest p-value (ties: larger
 * overlap, then first found), corrected for the n alignments tried as
 * 1 - (1 - p)^n. E-value = p * (number of targets); q-values are the
 * Benjamini-Hochberg adjustment of the targets' p-values.
 *
 * No I/O: callers read motifs with dm_meme or dm_modisco_read.
 *
 *   dm_tomtom_db_t *db = dm_tomtom_db_new(mats, lens, n);
 *   dm_tomtom_hit_t *hits = malloc(n * sizeof *hits);
 *   dm_tomtom_query(db, q, wq, &opt, hits);   // hits[t] for target t
 *   dm_tomtom_db_free(db);
 */
#ifndef DM_TOMTOM_H
#define DM_TOMTOM_H

#include "dm_log.h"

typedef struct {
  int min_overlap; /* columns, >= 1 (TOMTOM's -min-overlap; 5 in the lite report) */
  int bins;        /* grid steps per unit of Pearson correlation, >= 1 */
} dm_tomtom_opt_t;

/** Defaults: min_overlap 5, bins 50. */
dm_tomtom_opt_t dm_tomtom_opt_default(void);

/** Best alignment of a query with one target. */
typedef struct {
  int target;     /* index in the database */
  int strand;     /* 0: target as given, 1: its reverse complement */
  int offset;     /* query column aligned with the (strand's) target column 0; may be < 0 */
  int overlap;    /* aligned columns */
  double sim;     /* mean Pearson correlation over the aligned columns */
  double p_align; /* p-value of this alignment */
  double p;       /* p-value corrected for the alignments tried */
  double e;       /* p * number of targets */
  double q;       /* Benjamini-Hochberg q-value over the targets */
} dm_tomtom_hit_t;

typedef struct dm_tomtom_db dm_tomtom_db_t;

/**
 * @brief Prepare a database: every column of every target on both strands.
 * @param m   (n,) matrices, m[t] of (len[t], 4), rows A C G T
 * @param len (n,) widths, > 0
 * @param n   targets, > 0
 * @return the database (free with dm_tomtom_db_free); the matrices are copied
 */
dm_tomtom_db_t *dm_tomtom_db_new(const double *const *m, const int *len, int n);

/** @brief Free a database (NULL is fine). */
void dm_tomtom_db_free(dm_tomtom_db_t *db);

/** @return targets in the database. */
int dm_tomtom_db_size(const dm_tomtom_db_t *db);

/**
 * @brief Match one query against every target.
 * @param q    (wq, 4) query matrix
 * @param wq   query width, > 0
 * @param hits (targets,) output: hits[t] is the best alignment with target t
 *             (p = 1, overlap 0 when no alignment is long enough)
 */
void dm_tomtom_query(const dm_tomtom_db_t *db, const double *q, int wq, const dm_tomtom_opt_t *opt,
                     dm_tomtom_hit_t *hits);

/**
 * @brief Pearson correlation of two 4-vectors (0 when either is constant).
 */
double dm_tomtom_pearson(const double *x, const double *y);

/**
 * @brief Reverse complement of a (len, 4) A C G T matrix into out (len, 4).
 */
void dm_motif_revcomp(const double *m, int len, double *out);

/**
 * @brief A (len, 4) matrix on the given strand into out (len, 4): a copy
 *        (strand 0) or its reverse complement (strand 1).
 */
void dm_motif_strand(const double *m, int len, int strand, double *out);

/**
 * @brief Sort hits by p (then target index) and keep the first k in place.
 * @return min(k, n)
 */
int dm_tomtom_top(dm_tomtom_hit_t *hits, int n, int k);

#endif
