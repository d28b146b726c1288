/* dm_model: a Keras 2 Sequential CNN read from HDF5 (+ JSON) into a layer list.
 *
 * Two file layouts are read:
 *   - full model (model.save()): HDF5 root attribute "model_config" (JSON)
 *     and weights under the group "model_weights";
 *   - architecture JSON (model.to_json()) + weights-only HDF5
 *     (model.save_weights()): one group per layer at the root.
 * Weights of layer X are the datasets X/<name> listed in X's "weight_names"
 * attribute (kernel:0, bias:0, gamma:0, beta:0, moving_mean:0,
 * moving_variance:0). Supported: Conv1D, Dense, Activation and activation=
 * (relu, sigmoid, linear; softmax or sigmoid as the last one), MaxPooling1D,
 * AveragePooling1D, Flatten, Dropout, BatchNormalization, InputLayer.
 *
 * The final sigmoid/softmax is not part of the layer list: the network
 * computes the pre-activation logits (the DeepLIFT target), and
 * dm_model_activate() applies the output activation for predictions.
 */
#ifndef DM_MODEL_H
#define DM_MODEL_H

#include "dm_log.h"
#include "dm_ops.h"

/** Activation of the model's output, applied by dm_model_activate(). */
typedef enum { DM_OUT_LINEAR, DM_OUT_SIGMOID, DM_OUT_SOFTMAX } dm_out_act_t;

/** A loaded model. */
typedef struct {
  int n_layers;
  dm_layer_t *layers;   /* (n_layers) */
  int in_len, in_ch;    /* input per sequence: (in_len, in_ch), in_ch = 4 for one-hot DNA */
  int n_tasks;          /* outputs (logits) of the last layer */
  dm_out_act_t out_act; /* output activation removed from the layer list */
  char *source;         /* file name(s), for messages */
} dm_model_t;

/**
 * @brief Load a Keras 2 Sequential model.
 * @param model_path   full-model HDF5, or the architecture JSON if weights_path is given
 * @param weights_path weights-only HDF5 for a JSON architecture, or NULL
 * @return the model (free with dm_model_destroy), or NULL after logging the reason
 *         (file, layer and what is wrong)
 */
DM_RESULT_USED dm_model_t *dm_model_load(const char *model_path, const char *weights_path);

/** @brief Free a model from dm_model_load (NULL is fine). */
void dm_model_destroy(dm_model_t *m);

/**
 * @brief Apply the output activation to logits.
 * @param m      the model
 * @param n      rows
 * @param logits (n, n_tasks)
 * @param pred   (n, n_tasks) output, may equal logits
 */
void dm_model_activate(const dm_model_t *m, int n, const float *logits, float *pred);

/** @return the largest per-row activation size (floats) over the input and all layers. */
size_t dm_model_max_size(const dm_model_t *m);

/** @return the largest scratch (floats) any layer needs. */
size_t dm_model_max_scratch(const dm_model_t *m);

#endif
