/* dm_onnx_fold: evaluate an ONNX node whose inputs are all constants
 * (constant folding). torch.onnx.export leaves such subgraphs in the file,
 * e.g. the pads of F.pad (ConstantOfShape, Concat, Reshape, Slice with a
 * negative step, Transpose, Cast) or shape arithmetic (Gather, Unsqueeze,
 * Concat, Add, Div, Equal on the output of Shape), or what depends only on
 * a model's extra inputs (control tracks, taken as zeros).
 *
 * Folded ops: Identity, Cast, ConstantOfShape, Concat, Reshape, Flatten,
 * Squeeze, Unsqueeze, Transpose, Slice (any step), Gather, Add, Sub, Mul,
 * Div (numpy broadcasting; integer division truncates), Equal, ReduceSum,
 * ReduceMean, ReduceMax (axes as attribute or input; none: all), Log, Exp. Tensors are float (FLOAT, DOUBLE)
 * or int64 (integer and bool types), as dm_onnx.h stores them.
 */
#ifndef DM_ONNX_FOLD_H
#define DM_ONNX_FOLD_H

#include <stddef.h>

#include "dm_onnx.h"

/**
 * @brief Evaluate node nd on constant inputs.
 * @param nd  the node
 * @param in  (nd->n_in) its inputs; NULL for an omitted optional input
 * @param out output 0, filled with new arrays (free its name, f and i)
 * @param err message on failure
 * @param n_err size of err
 * @return 0, 1 if the op is not one that folds (out untouched), or -1 on bad
 *         inputs (err says what)
 */
DM_RESULT_USED int dm_onnx_fold(const dm_onnx_node_t *nd, const dm_onnx_tensor_t *const *in,
                                dm_onnx_tensor_t *out, char *err, size_t n_err);

#endif
