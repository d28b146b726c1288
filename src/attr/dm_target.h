/* dm_target: what an attribution explains, as the ChromBPNet / BPNet scripts choose it.
 *
 * A target is a linear function of the logits z of one model output, with
 * weights w that may depend on the input row x but are held constant
 * (detached), so that every method attributes target(z) = w·z:
 *   unit     one logit: w = e_unit (flat index position * ch + channel);
 *   profile  the weighted mean-normalised logits of a profile head,
 *            Σ_i softmax(z(x))_i (z_i - mean z): w = softmax(z(x)) - 1/N.
 *            The softmax runs along the length axis per channel (over all
 *            N = len * ch units for an output of length 1 or one channel),
 *            and the channels are summed.
 * Since w is held at the input x, summation-to-delta holds exactly:
 * Σ contributions = w·(z(x) - mean z(reference)).
 *
 * Target specs (Attr:targets), comma-separated: [name=]output[:unit|:profile].
 * Without ":unit" the output must have a single unit (e.g. a counts head).
 * The name (default: the spec) names the task group in attr.h5.
 */
#ifndef DM_TARGET_H
#define DM_TARGET_H

#include "dm_model.h"

/** Kinds of targets. */
typedef enum { DM_TARGET_UNIT, DM_TARGET_PROFILE } dm_target_kind_t;

/** One target. */
typedef struct {
  char name[96];         /* task name in attr.h5 */
  int output;            /* model output index */
  dm_target_kind_t kind; /* unit or profile */
  long unit;             /* DM_TARGET_UNIT: flat index into the output (position * ch + channel) */
} dm_target_t;

/**
 * @brief Parse one target spec "[name=]output[:unit|:profile]".
 * @return 0, or -1 (logged: the spec and what is wrong, e.g. an unknown output)
 */
DM_RESULT_USED int dm_target_parse(const dm_model_t *m, const char *spec, dm_target_t *t);

/**
 * @brief Parse a comma-separated list of specs.
 * @param m     the model
 * @param specs "a,b,c"
 * @param out   new array of the targets (free with free())
 * @return the count (>= 1), or -1 (logged)
 */
DM_RESULT_USED int dm_target_parse_list(const dm_model_t *m, const char *specs, dm_target_t **out);

/**
 * @brief Default targets: the given units of output 0 (named "0", "1", ...); without
 *        units, every unit of a single-output model, and for a model with several
 *        outputs one target per output named as the output (its unit if it has one,
 *        else its profile target: both heads of a BPNet / ChromBPNet model).
 * @return the count, or -1 (logged: a unit that does not exist)
 */
DM_RESULT_USED int dm_target_units(const dm_model_t *m, const long *units, int n_units, dm_target_t **out);

/**
 * @brief Weights w of the target for n input rows.
 * @param m the model
 * @param t the target
 * @param n rows
 * @param z (n, size of output t->output) logits of the input rows
 * @param w (n, size of the output) output: w per row
 */
void dm_target_weights(const dm_model_t *m, const dm_target_t *t, int n, const float *z, float *w);

#endif
