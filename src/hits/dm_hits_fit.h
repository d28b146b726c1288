/* dm_hits_fit: Fi-NeMo's hit calling on one region, as a pure kernel.
 *
 * The projected contribution track x (L,) of a region (dm_hits_bank.h) is
 * first divided by its global scale gs = sqrt(sum x^2 / L). Then it is
 * modelled as a non-negative sparse combination of the bank's entries
 * placed at every position p with p + W <= L:
 *
 *   minimise over c >= 0:  1/2 || x/gs - sum_{k,p} c[k,p] s[k,p] a[k,p] ||^2 + lambda sum c
 *
 * where a[k,p] is entry k's trimmed CWM at p, read at the observed bases,
 * and s[k,p] = min(scale_max, (sum of (x/gs)^2 over the window + eps)^-1/2)
 * weighs each placement by the local contribution (Fi-NeMo's importance
 * scale). The solver is proximal gradient descent with Nesterov momentum
 * i/(i+3) (FISTA), starting at step size step_max; a diverging run (the
 * fit getting 4x worse than c = 0, or non-finite) restarts from zero with
 * the step size times step_adjust, and fails below step_min. Momentum is
 * reset when it points against the last step (O'Donoghue-Candes gradient
 * restart). It stops when the duality gap divided by L is at most tol, or
 * after max_steps steps.
 *
 * Each non-zero coefficient is a hit; with post_filter, only those whose
 * similarity (sum x*cwm over the window / sqrt(sum x^2 over the window),
 * on x/gs) is at least lambda are kept (Fi-NeMo's default). A hit's score
 * is c * gs^2 (Fi-NeMo's hit_coefficient_global), its importance the sum
 * of |x| over the window.
 */
#ifndef DM_HITS_FIT_H
#define DM_HITS_FIT_H

#include "dm_hits_bank.h"

/** Solver settings; defaults are Fi-NeMo's (see dm_hits_fit_opt_init). */
typedef struct {
  double lambda;      /* L1 weight, also the post-filter similarity threshold */
  double step_max;    /* first step size */
  double step_min;    /* give up below this step size */
  double step_adjust; /* step size factor after a divergence */
  double tol;         /* duality gap / L at convergence */
  long max_steps;     /* steps per region at most */
  double eps;         /* added to the window sum of squares in the importance scale */
  double scale_max;   /* importance scale clamp */
  int post_filter;    /* 1: keep hits with similarity >= lambda only */
} dm_hits_fit_opt_t;

/** How the fit of one region ended. */
typedef enum {
  DM_FIT_CONVERGED = 0,
  DM_FIT_MAX_STEPS = 1,
  DM_FIT_FAILED = 2,
  DM_FIT_EMPTY = 3
} dm_fit_status_t;

/** Per-region diagnostics. */
typedef struct {
  double global_scale; /* gs */
  double gap;          /* duality gap / L at the end */
  double nll;          /* 1/2 ||residual||^2 / L at the end */
  double step;         /* step size used */
  long steps;          /* steps taken */
  int status;          /* dm_fit_status_t */
} dm_hits_qc_t;

typedef struct dm_hits_fit_ws_s dm_hits_fit_ws_t;

/** @brief Fi-NeMo's defaults: lambda 0.7, steps 3.0 / 0.08 / x0.7, tol 5e-4, 10000 steps, eps 1, clamp 10. */
void dm_hits_fit_opt_init(dm_hits_fit_opt_t *o);

/**
 * @brief Workspace for regions of length L (all buffers allocated here).
 * @return the workspace; free with dm_hits_fit_ws_destroy()
 */
dm_hits_fit_ws_t *dm_hits_fit_ws_init(const dm_hits_bank_t *bank, int L);

/** @brief Free a workspace (NULL is fine). */
void dm_hits_fit_ws_destroy(dm_hits_fit_ws_t *ws);

/**
 * @brief Fit one region.
 * @param ws   workspace for the bank and L
 * @param opt  settings
 * @param x    (L,) projected contributions
 * @param b    (L,) bases, -1 for N
 * @param region row index stored in the hits
 * @param hits set to the hits (owned by ws, valid until the next call), by entry then position
 * @param qc   diagnostics (out)
 * @return number of hits
 */
int dm_hits_fit_region(dm_hits_fit_ws_t *ws, const dm_hits_fit_opt_t *opt, const double *x, const int8_t *b,
                       int64_t region, dm_hit_t **hits, dm_hits_qc_t *qc);

/**
 * @brief The problem of the last fit, for independent checks (tests):
 *        coefficients c, importance scales s (both over all placements, by
 *        entry then position) and the normalised track x/gs.
 * @param n_place number of placements (out)
 */
void dm_hits_fit_last(const dm_hits_fit_ws_t *ws, const double **c, const double **s, const double **xn,
                      int *n_place);

#endif
