/* dm_deeplift: DeepLIFT multipliers of a network graph against references.
 *
 * Multipliers m = dC/dΔx are propagated from each target (a linear function
 * of the pre-sigmoid / pre-softmax logits, dm_target.h) down to the input
 * with the rule of each op kind (dm_ops.h), node by node in reverse
 * topological order (a tensor read by several nodes sums their multipliers):
 * linear ops (add, sub, concat, slice, reshape, transpose, pooling by
 * average, batchnorm) pass them linearly, max-pool to the argmax of the
 * input, and a nonlinearity y = f(z) uses
 *   Rescale:      m = Δy/Δz, or f'(z0) when |Δz| < 1e-7 (as kundajelab/deeplift);
 *   RevealCancel: Δz is split into Δz+ and Δz- by the linear layer feeding it
 *                 (W+ = max(W,0), W- = min(W,0), by the sign of each input's Δ),
 *                 Δy+ = ½(f(z0+Δz+) - f(z0)) + ½(f(z0+Δz-+Δz+) - f(z0+Δz-)), Δy- likewise,
 *                 m+ = Δy+/Δz+, m- = Δy-/Δz- (Δz± pseudocounted by 1e-7 near 0, these
 *                 differences taken in double);
 *                 that linear layer gives its input W+ᵀm+ + W-ᵀm- where the input's
 *                 Δ > 0, W-ᵀm+ + W+ᵀm- where Δ < 0, and the mean of both where Δ = 0;
 *   genomics default: RevealCancel on nonlinearities that follow a Dense layer,
 *                 Rescale on those that follow a Conv1D (BatchNorm, Dropout and
 *                 Flatten in between are skipped).
 * Summation-to-delta: Σ m·(x - x0) = target(x) - target(x0) for every linear
 * target of the logits, on every output.
 * BatchNormalization uses scale gamma/sqrt(var + eps) for multipliers (deeplift
 * omits eps there); a RevealCancel nonlinearity must follow a Conv1D or Dense
 * layer (through BatchNorm/Dropout/Flatten only), otherwise init fails.
 */
#ifndef DM_DEEPLIFT_H
#define DM_DEEPLIFT_H

#include "dm_forward.h"

/** Rule sets for nonlinearities. */
typedef enum { DM_RULES_RESCALE, DM_RULES_REVEALCANCEL, DM_RULES_GENOMICS, DM_RULES_COUNT } dm_rules_t;

typedef struct dm_deeplift dm_deeplift_t;

/** @return the rule set's parameter name: "rescale", "revealcancel", "genomics_default". */
const char *dm_deeplift_rules_name(dm_rules_t rules);

/**
 * @brief Parse a rule set name (see dm_deeplift_rules_name).
 * @return 0, or -1 if unknown (logged)
 */
DM_RESULT_USED int dm_deeplift_rules_parse(const char *name, dm_rules_t *out);

/**
 * @brief Resolve the rule of each node and allocate buffers for up to max_pairs pairs.
 * @param m         the model (must outlive the object)
 * @param rules     rule set
 * @param max_pairs largest number of (input, reference) pairs per call
 * @param max_rep   largest number of targets per call
 * @return the object (free with dm_deeplift_destroy), or NULL when the rules
 *         cannot be applied to this model (logged, naming the layer)
 */
DM_RESULT_USED dm_deeplift_t *dm_deeplift_init(const dm_model_t *m, dm_rules_t rules, int max_pairs,
                                               int max_rep);

/** @brief Free (NULL is fine). */
void dm_deeplift_destroy(dm_deeplift_t *d);

/**
 * @brief Mark the tensors the multipliers read after the forward pass besides
 *        those the run state keeps anyway (inputs of RevealCancel chains' linear nodes).
 * @param keep (n_tensors) flags to set (for dm_forward_init_keep)
 */
void dm_deeplift_keep(const dm_deeplift_t *d, char *keep);

/**
 * @brief Input multipliers of T linear targets for n inputs x R references each.
 *
 * Call after dm_forward_run(r, n + n*R) on r->in = [x rows (n); reference rows
 * (n*R)], where pair p = i*R + k is input i with its reference row n + p, with r
 * from dm_forward_init_keep and the tensors of dm_deeplift_keep.
 * @param d    from dm_deeplift_init with max_pairs >= n*R, max_rep >= T
 * @param r    run state with cap >= n + n*R and rep >= T
 * @param n    inputs
 * @param R    references per input (>= 1)
 * @param T    targets
 * @param dy   (n_outputs) per output (T, n*R, size of the output): d target / d logits
 *             of each pair (NULL for an output no target uses)
 * @param mult (T, n*R, in_len, in_ch) output multipliers
 */
void dm_deeplift_multipliers(dm_deeplift_t *d, dm_run_t *r, int n, int R, int T, const float *const *dy,
                             float *mult);

#endif
