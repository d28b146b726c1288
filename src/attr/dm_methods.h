/* dm_methods: per-target attribution of a batch of one-hot sequences.
 *
 * Every method writes, for each target (dm_target.h: a logit, or the
 * weighted mean-normalised logits of a profile head; pre-sigmoid /
 * pre-softmax), an array hyp (n, L, 4):
 *   grad          d target / dx at x (no references);
 *   grad_x_input  d target / dx * x (already the contributions);
 *   ism           target(x with base c at l) - target(x); 0 for the base present;
 *   ig            integrated gradients: mean gradient over n steps at the
 *                 Riemann midpoints x0 + (k+½)/steps (x - x0), then as deeplift;
 *   deeplift      multipliers m (dm_deeplift.h), then the hypothetical
 *                 contributions hyp[l,i] = mean over references of
 *                 Σ_c m[l,c] (e_i[c] - x0[l,c]).
 * For ig and deeplift, contributions = hyp * onehot sum over l to
 * target(x) - mean target(x0) (for sequences without N).
 * Predictions: for a unit target, the model output after its activation
 * (sigmoid, softmax or linear), not the logit; for a profile target, its value.
 * Model inputs other than input 0 are zeros.
 */
#ifndef DM_METHODS_H
#define DM_METHODS_H

#include "dm_deeplift.h"
#include "dm_params.h"
#include "dm_target.h"

/** Attribution methods. */
typedef enum {
  DM_METHOD_GRAD,
  DM_METHOD_GRAD_X_INPUT,
  DM_METHOD_ISM,
  DM_METHOD_IG,
  DM_METHOD_DEEPLIFT,
  DM_METHOD_COUNT
} dm_method_t;

/** Options of a method. */
typedef struct {
  dm_method_t method; /* default deeplift */
  dm_rules_t rules;   /* deeplift rule set, default genomics_default */
  int ig_steps;       /* integrated-gradients steps, default 50 */
} dm_methods_opt_t;

/** @brief Set the defaults (deeplift, genomics_default, 50 steps). */
void dm_methods_opt_init(dm_methods_opt_t *o);

/** @return 0 if the options are valid, else -1 (logged). */
DM_RESULT_USED int dm_methods_opt_check(const dm_methods_opt_t *o);

/**
 * @brief Options from the parameters Attr:method, Attr:rules and Attr:ig_steps
 *        (the same keys in every command that attributes), checked.
 * @return 0, or -1 after logging the key that is wrong
 */
DM_RESULT_USED int dm_methods_opt_from_params(const dm_params_t *p, dm_methods_opt_t *o);

/** @return the parameter name of a method: "grad", "grad_x_input", "ism", "ig", "deeplift". */
const char *dm_methods_name(dm_method_t m);

/** @brief Parse a method name. @return 0, or -1 if unknown (logged). */
DM_RESULT_USED int dm_methods_parse(const char *name, dm_method_t *out);

/** @return 1 if the method uses references (ig, deeplift), else 0. */
int dm_methods_uses_refs(dm_method_t m);

typedef struct dm_methods dm_methods_t;

/**
 * @brief Buffers for batches of up to max_seqs sequences with n_refs references each.
 * @param m         the model (must outlive the object)
 * @param o         checked options
 * @param targets   (n_targets) targets (copied), or NULL for every unit of output 0
 * @param n_targets count of targets
 * @param max_seqs  largest batch
 * @param n_refs    references per sequence (ignored by methods without references)
 * @return the object (free with dm_methods_destroy), or NULL (logged)
 */
DM_RESULT_USED dm_methods_t *dm_methods_init(const dm_model_t *m, const dm_methods_opt_t *o,
                                             const dm_target_t *targets, int n_targets, int max_seqs,
                                             int n_refs);

/** @return the number of targets of a (T below). */
int dm_methods_n_targets(const dm_methods_t *a);

/** @brief Free (NULL is fine). */
void dm_methods_destroy(dm_methods_t *a);

/**
 * @brief Attribute a batch.
 * @param a    from dm_methods_init
 * @param n    sequences, <= max_seqs
 * @param len  sequence length; must equal the model's input length
 * @param x    (n, len, 4) one-hot inputs
 * @param refs (n, n_refs, len, 4) references, or NULL for methods without references
 * @param hyp  (T, n, len, 4) output, see above
 * @param pred (n, T) output predictions, or NULL
 * @return 0, or -1 on a shape mismatch (logged)
 */
DM_RESULT_USED int dm_methods_run(dm_methods_t *a, int n, int len, const float *x, const float *refs,
                                  float *hyp, float *pred);

#endif
