/* dm_density: density adaptation of the affinity graph (TF-MoDISco step 4),
 * as tfmodisco-lite does it (tfmodisco.py:_density_adaptation,
 * util.py:binary_search_perplexity):
 *
 * 1. distance d = max(ln(2 / max(a, min_affinity) - 1), 0) for every stored
 *    affinity a; entries with d = 0 (a >= 1, e.g. a seqlet and itself) and
 *    self pairs are dropped;
 * 2. symmetrised over the union of the neighbour sets, the mean where both
 *    (i,j) and (j,i) are stored (dm_sparse_symmetrise);
 * 3. per row i, a search on beta_i (t-SNE style: doubling / halving, then
 *    bisection; start 1, at most max_steps steps) so that the distribution
 *        p_j|i = exp(-beta_i d_ij) / Z_i,  Z_i = 1 + sum_j exp(-beta_i d_ij)
 *    (the 1 is the row's own point at distance 0) has entropy ln(perplexity)
 *    nats within tol;
 * 4. P_ij = sqrt(p_j|i * p_i|j) on the symmetric pattern, plus the diagonal
 *    P_ii = 1 / Z_i.
 *
 * tfmodisco-lite searches beta with exp(-beta d) but then builds P with
 * exp(-d / beta). opt.lite_beta = 1 (the default) reproduces that, because it
 * is what TF-MoDISco users get: on planted-motif data it gives one cluster
 * per motif, where the searched kernel (lite_beta = 0, so that each row's
 * perplexity is the one asked for) splits motifs into many small clusters.
 *
 * Steps 3 and 4 are row-wise kernels over a row range [r0, r1), and step 2
 * needs of other rows only the entries of d^T, so a driver can split rows
 * over ranks (dm_density_run_mpi); results do not depend on the split.
 */
#ifndef DM_DENSITY_H
#define DM_DENSITY_H

#include <stdint.h>

#include "dm_mpi.h"
#include "dm_params.h"
#include "dm_sparse.h"

typedef struct {
  double perplexity;   /* target perplexity of each row (lite: tsne_perplexity 10) */
  double tol;          /* tolerance on |entropy - ln(perplexity)|, nats (1e-5) */
  int max_steps;       /* search steps per row (100) */
  double min_affinity; /* affinities are clipped below at this before ln (1e-7) */
  int lite_beta;       /* 1 (default): P from exp(-d / beta) as tfmodisco-lite; 0: exp(-beta d) */
} dm_density_opt_t;

/* Parameter table entries for the "Density:" section, to put in a command's
 * dm_param_spec_t table; read them with dm_density_opt_from_params. */
#define DM_DENSITY_PARAMS                                                                          \
  {"Density:perplexity", DM_PARAM_FLOAT, "10", NULL,                                               \
   "target perplexity of each seqlet's neighbour distribution (tfmodisco-lite tsne_perplexity)"},  \
  {"Density:tol", DM_PARAM_FLOAT, "1e-5", NULL, "tolerance of the per-row beta search on the entropy (nats)"}, \
  {"Density:max_steps", DM_PARAM_INT, "100", NULL, "steps of the per-row beta search"},            \
  {"Density:min_affinity", DM_PARAM_FLOAT, "1e-7", NULL,                                           \
   "affinities are clipped below at this before the distance ln(2/a - 1)"},                        \
  {"Density:lite_beta", DM_PARAM_BOOL, "true", NULL,                                               \
   "true: weights exp(-d/beta) as tfmodisco-lite computes them; false: exp(-beta*d), the kernel "  \
   "whose perplexity was searched (splits motifs into more clusters)"}

/**
 * @brief Fill o with the defaults above (tfmodisco-lite's).
 * @param o options to fill
 */
void dm_density_opt_init(dm_density_opt_t *o);

/**
 * @brief Validate options.
 * @param o options
 * @return 0 if o is valid, else -1 after logging the offending key
 */
DM_RESULT_USED int dm_density_opt_check(const dm_density_opt_t *o);

/**
 * @brief Read the "Density:" keys of DM_DENSITY_PARAMS into o, then check.
 * @param o options to fill
 * @param p parameters whose spec table holds DM_DENSITY_PARAMS
 * @return 0, or -1 (logged)
 */
DM_RESULT_USED int dm_density_opt_from_params(dm_density_opt_t *o, const dm_params_t *p);

/**
 * @brief Steps 1-2: symmetric distance matrix from affinity rows.
 * @param aff affinity rows (any column order; no column twice in a row)
 * @return new matrix with sorted rows and no diagonal; free with
 *         dm_sparse_destroy(). NULL if aff has a repeated or out-of-range
 *         column or a non-finite value (logged).
 */
dm_sparse_t *dm_density_distances(const dm_sparse_t *aff, const dm_density_opt_t *opt);

/**
 * @brief Step 3 for rows [r0, r1): beta and normaliser of each row. Pure.
 * @param dist  from dm_density_distances
 * @param beta  (r1-r0,) out: beta of row r0+i
 * @param norm  (r1-r0,) out: Z of row r0+i under the kernel P uses
 *              (exp(-beta d), or exp(-d/beta) with opt->lite_beta)
 * @return number of rows whose search did not reach tol in max_steps
 */
int64_t dm_density_betas(const dm_sparse_t *dist, int64_t r0, int64_t r1, const dm_density_opt_t *opt,
                         double *beta, double *norm);

/**
 * @brief Matrix with the pattern of P: dist's pattern plus the diagonal.
 * @param dist from dm_density_distances (no diagonal entries)
 * @return new matrix, values uninitialised; free with dm_sparse_destroy().
 *         NULL if dist has a diagonal entry or unsorted rows (logged).
 */
dm_sparse_t *dm_density_joint_init(const dm_sparse_t *dist);

/**
 * @brief Step 4 for rows [r0, r1): fill those rows of p. Pure.
 * @param dist from dm_density_distances
 * @param beta (n,) betas of all rows (dm_density_betas)
 * @param norm (n,) normalisers of all rows
 * @param p    from dm_density_joint_init(dist)
 */
void dm_density_joint(const dm_sparse_t *dist, const double *beta, const double *norm, int64_t r0,
                      int64_t r1, const dm_density_opt_t *opt, dm_sparse_t *p);

/**
 * @brief Steps 1-4 on one process.
 * @param aff affinity rows, as dm_density_distances
 * @param opt options
 * @return the symmetric density-adapted matrix P (free with
 *         dm_sparse_destroy()), or NULL as dm_density_distances
 */
dm_sparse_t *dm_density_run(const dm_sparse_t *aff, const dm_density_opt_t *opt);

/**
 * @brief Steps 1-4 with the rows split over the ranks of ctx, the graph
 *        never whole on a rank that does not ask for it: each rank gives
 *        its rows [r0, r0 + nr) of the affinity matrix (the ranks' rows
 *        contiguous and in rank order) and makes their distances; the
 *        entries of d^T go to the ranks owning their rows (an all-to-all),
 *        so each rank symmetrises, searches and weighs its own rows; the
 *        betas and normalisers are shared (2 doubles per row); the rows of P
 *        are gathered only on the ranks with want set. Collective; P is
 *        bit-identical to dm_density_run's.
 * @param ctx     ranks
 * @param mine    n x n affinity matrix holding only this rank's rows (the
 *                other rows empty), as dm_density_distances
 * @param r0      this rank's first row
 * @param nr      this rank's rows
 * @param opt     options
 * @param want    1 on the ranks that need the whole P, else 0
 * @param whole   out: P (free with dm_sparse_destroy()) where want, NULL
 *                elsewhere
 * @param entries out: P's entries (every rank)
 * @return 0 on every rank, or -1 on every rank if a rank's rows are
 *         invalid (logged; *whole NULL)
 */
DM_RESULT_USED int dm_density_run_mpi(const dm_mpi_t *ctx, const dm_sparse_t *mine, int64_t r0, int64_t nr,
                                      const dm_density_opt_t *opt, int want, dm_sparse_t **whole,
                                      int64_t *entries);

/**
 * @brief The density adaptation lite applies when subclustering a pattern
 *        (affinitymat.NNTsneConditionalProbs, unlike steps 1-4): per row i,
 *        over its stored entries j != i with distance d as step 1 (entries
 *        with d = 0 kept), the t-SNE conditional p_j|i = exp(-beta_i d_ij) /
 *        sum_j exp(-beta_i d_ij) (no self term), beta_i searched as sklearn's
 *        _binary_search_perplexity (start 1, doubling / halving then
 *        bisection, opt->max_steps steps, entropy ln(opt->perplexity) within
 *        opt->tol); then S = p + p^T. Pure, one process.
 * @param aff affinity rows (self entries ignored)
 * @param opt perplexity, tol, max_steps, min_affinity
 * @return S, symmetric, rows sorted by column (free with dm_sparse_destroy())
 */
dm_sparse_t *dm_density_tsne(const dm_sparse_t *aff, const dm_density_opt_t *opt);

#endif
