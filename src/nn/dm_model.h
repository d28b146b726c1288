/* dm_model: Keras 2 models (Sequential and functional) read from HDF5
 * (+ JSON) into a graph (dm_graph.h).
 *
 * Two file layouts are read:
 *   - full model (model.save()): HDF5 root attribute "model_config" (JSON)
 *     and weights under the group "model_weights";
 *   - architecture JSON (model.to_json()) + weights-only HDF5
 *     (model.save_weights()): one group per layer at the root.
 * Weights of layer X are the datasets X/<name> listed in X's "weight_names"
 * attribute (kernel:0, bias:0, gamma:0, beta:0, moving_mean:0,
 * moving_variance:0). Supported: Conv1D, Dense, Activation and activation=
 * (relu, sigmoid, linear; softmax or sigmoid only on an output), MaxPooling1D,
 * AveragePooling1D, GlobalMaxPooling1D, GlobalAveragePooling1D, Flatten,
 * Reshape, Dropout, BatchNormalization, Add, Subtract, Concatenate,
 * Cropping1D, InputLayer.
 *
 * The sigmoid/softmax of an output is not part of the graph: the network
 * computes the pre-activation logits (the attribution target), and
 * dm_model_activate() applies the output activation for predictions.
 */
#ifndef DM_MODEL_H
#define DM_MODEL_H

#include "dm_graph.h"

/**
 * @brief Load a Keras 2 Sequential or functional model, or an ONNX model
 *        (a .onnx file or one that starts like an ONNX ModelProto: dm_onnx_load).
 * @param model_path   full-model HDF5, ONNX, or the architecture JSON if weights_path is given
 * @param weights_path weights-only HDF5 for a JSON architecture, or NULL
 * @return the model (free with dm_model_destroy), or NULL after logging the reason
 *         (file, layer and what is wrong)
 */
DM_RESULT_USED dm_model_t *dm_model_load(const char *model_path, const char *weights_path);

/** @brief Free a model (NULL is fine); same as dm_graph_destroy. */
void dm_model_destroy(dm_model_t *m);

/**
 * @brief Apply the activation of output o to its logits.
 * @param m      the model
 * @param o      output index
 * @param n      rows
 * @param logits (n, size of output o)
 * @param pred   (n, size of output o), may equal logits
 */
void dm_model_activate_output(const dm_model_t *m, int o, int n, const float *logits, float *pred);

/** @brief dm_model_activate_output of output 0 ((n, n_tasks) logits). */
void dm_model_activate(const dm_model_t *m, int n, const float *logits, float *pred);

/** @return the largest per-row tensor size (floats). */
size_t dm_model_max_size(const dm_model_t *m);

/** @return the largest scratch (floats) any node needs. */
size_t dm_model_max_scratch(const dm_model_t *m);

#endif
