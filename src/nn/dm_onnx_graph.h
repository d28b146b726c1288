/* dm_onnx_graph: an ONNX model (as torch.onnx.export writes it) mapped onto
 * the graph IR (dm_graph.h).
 *
 * Layout. ONNX tensors carry the batch as axis 0: (N, C, L) channels first
 * as PyTorch computes, or (N, F) after flattening. The IR is per row and
 * channels last, (len, ch). The loader keeps, for every ONNX value, which of
 * its two non-batch axes is the IR's len axis: a (N, C, L) value is stored
 * as (L, C) ("swapped"), so convolutions and pooling run on it directly; an
 * ONNX Transpose of the two non-batch axes only flips that flag. IR
 * Transpose nodes are inserted only where an op needs the other orientation
 * (Flatten/Reshape of a (C, L) map, whose row-major order is ONNX's; a
 * MatMul on the last axis; a model output, whose unit order is ONNX's).
 * The model input is (N, 4, L) or (N, L, 4) in ONNX (the one with 4 in axis
 * 1 is taken as channels first); users always give one-hot (N, L, 4).
 * Further inputs (control tracks) are zeros: constants of batch 1, so what
 * depends on them alone folds, and a concatenated zero track becomes a
 * zero-weight Dense node.
 *
 * Ops: Conv (1-D, dilations, strides, pads or auto_pad; grouped and
 * depthwise as a full convolution with zero weights between groups), Gemm,
 * MatMul by a constant (+ Add), Relu, Sigmoid, Softmax / LogSoftmax /
 * Sigmoid as the output activation, MaxPool, AveragePool, GlobalAveragePool,
 * GlobalMaxPool, ReduceMean / ReduceMax over one non-batch axis of a 3-D
 * value, Flatten (axis 1), Reshape, Transpose, Squeeze, Unsqueeze, Slice
 * (step 1), Gather of one index (scalar), Concat, Add, Sub (two computed
 * tensors of one shape, or with a constant), Mul and Div by a constant
 * (scalar or per channel), BatchNormalization, Identity, Dropout, Pad by a
 * constant (a constant block concatenated), Cast to float, Constant. A constant that is
 * concatenated to a computed (N, F) value becomes a zero-weight Dense node
 * (its rows must be equal: torch bakes the export batch into such constants).
 * Nodes whose inputs are all constants are evaluated at load time
 * (dm_onnx_fold.h); Shape of a computed value is a constant (the batch as
 * exported, 1 if symbolic), and If with a constant condition maps the chosen
 * branch in place, so exports with a dynamic batch axis load too.
 * An unsupported op or attribute is an error naming the node and op type.
 */
#ifndef DM_ONNX_GRAPH_H
#define DM_ONNX_GRAPH_H

#include "dm_graph.h"

/**
 * @brief Load an ONNX model into a finalized graph.
 * @param path the .onnx file
 * @return the model (free with dm_graph_destroy), or NULL after logging the
 *         file, node and what is unsupported or wrong
 */
DM_RESULT_USED dm_model_t *dm_onnx_load(const char *path);

#endif
