/* dm_graph: the network as a DAG of nodes in topological order, and the
 * builder every model loader uses (Keras in dm_model.c, ONNX in dm_onnx.c).
 *
 * Tensors are per row (one sequence): shape (len, ch), channels last,
 * row-major. Tensor ids are indices into m->tensors; a tensor is a graph
 * input or the output of exactly one node. Node i may only read tensors
 * defined before it (inputs, or outputs of nodes < i), so m->nodes is a
 * topological order and the forward pass runs the nodes in order.
 *
 * How a loader builds a graph:
 *
 *   dm_model_t *g = dm_graph_new("model.onnx");
 *   int x = dm_graph_add_input(g, "input", 2114, 4);          // input 0: one-hot DNA
 *   dm_node_spec_t s = {.op = DM_OP_CONV1D, .name = "conv1", .n_in = 1, .in = {x},
 *                       .units = 64, .kernel = 21, .w = w, .b = b};  // w, b malloc'ed
 *   int h = dm_graph_add_node(g, &s);                          // -1: logged, naming "conv1"
 *   ...
 *   dm_graph_add_output(g, h2, "profile", DM_OUT_LINEAR, DM_AXIS_CH);
 *   if (dm_graph_finalize(g)) { dm_graph_destroy(g); ... }     // checks, W+/W-, consumers
 *
 * - dm_graph_add_node infers the output shape from the op, the input shapes
 *   and the spec, checks that they fit (a message names the source, node,
 *   op and what is wrong) and returns the output tensor id, or -1. The graph
 *   takes ownership of the spec's weight arrays in every case (also on error).
 * - Weights are channels-last: conv w (kernel, in_ch, out_ch), dense w
 *   (in_ch, out_ch), b (out_ch), batchnorm scale/shift (in_ch). A loader of
 *   channels-first weights (ONNX) transposes them first.
 * - Padding is explicit (pad_left, pad_right); dm_graph_same_pad gives
 *   Keras/TensorFlow 'same'. Pooling with kernel 0 is global (window = input
 *   length), GlobalAveragePooling1D/GlobalMaxPooling1D: (len, ch) -> (1, ch).
 * - Input 0 is the one-hot sequence (L, 4); further inputs (e.g. bias tracks)
 *   are fed zeros by the attribution methods.
 * - Every output has an activation applied for predictions only (sigmoid,
 *   softmax or log-softmax along an axis): the network computes the logits,
 *   which are the attribution targets.
 * - dm_graph_finalize fails (logged) if there is no input or output, a node
 *   output is neither used nor an output (a dead branch), or a weight is not
 *   finite.
 */
#ifndef DM_GRAPH_H
#define DM_GRAPH_H

#include "dm_log.h"
#include "dm_ops.h"

/** Activation of a model output, applied by dm_model_activate(). */
typedef enum { DM_OUT_LINEAR, DM_OUT_SIGMOID, DM_OUT_SOFTMAX, DM_OUT_LOGSOFTMAX } dm_out_act_t;

/** A tensor of the graph (one row). */
typedef struct {
  char name[96];
  int len, ch;   /* shape per row */
  int producer;  /* node index, or -1 for a graph input */
  int consumers; /* nodes reading it (set by dm_graph_finalize) */
} dm_tensor_t;

/** A model output. */
typedef struct {
  char name[96];    /* output name (Keras output layer, ONNX graph output) */
  int tensor;       /* tensor id */
  dm_out_act_t act; /* prediction activation */
  dm_axis_t axis;   /* axis of softmax / log-softmax */
} dm_output_t;

/** A loaded model: a DAG of nodes in topological order. */
typedef struct dm_model {
  int n_nodes, cap_nodes;
  dm_node_t *nodes; /* (n_nodes) topological order */
  int n_tensors, cap_tensors;
  dm_tensor_t *tensors; /* (n_tensors) */
  int n_inputs;
  int inputs[8]; /* tensor ids of the inputs; inputs[0] is the sequence */
  int n_outputs;
  dm_output_t *outputs; /* (n_outputs) */
  int in_len, in_ch;    /* shape of input 0: (in_len, in_ch), in_ch = 4 for one-hot DNA */
  int n_tasks;          /* units (len * ch) of output 0 */
  dm_out_act_t out_act; /* activation of output 0 */
  char *source;         /* file name(s), for messages */
  int final;            /* 1 after dm_graph_finalize */
} dm_model_t;

/** What a loader gives for one node (see dm_graph_add_node). */
typedef struct {
  dm_op_t op;
  const char *name;             /* node name, for messages */
  const char *out_name;         /* name of the output tensor, or NULL for the node name */
  int n_in;                     /* inputs */
  int in[DM_NODE_MAX_IN];       /* input tensor ids */
  int units;                    /* conv filters, dense units */
  int kernel, stride, dilation; /* conv, pooling (0 = defaults 1 / 1 / 1; pooling: kernel 0 = global,
                                   stride 0 = kernel) */
  int pad_left, pad_right;      /* explicit zero padding of conv and pooling */
  dm_axis_t axis;               /* concat, slice */
  int start, stop;              /* slice [start, stop) along axis; stop <= 0 counts from the end */
  int len, ch;                  /* reshape: new shape per row */
  float *w, *b;                 /* conv, dense weights (b may be NULL: zeros) */
  float *scale, *shift;         /* batchnorm: per-channel factor and term (shift may be NULL) */
} dm_node_spec_t;

/** @brief A new empty graph; source names the file(s) in messages. */
dm_model_t *dm_graph_new(const char *source);

/** @brief Free a graph or model (NULL is fine). */
void dm_graph_destroy(dm_model_t *g);

/**
 * @brief Add a graph input of shape (len, ch) per row.
 * @return its tensor id, or -1 (logged)
 */
DM_RESULT_USED int dm_graph_add_input(dm_model_t *g, const char *name, int len, int ch);

/**
 * @brief Add a node reading tensors already in the graph.
 * @return the output tensor id, or -1 (logged, naming the node); the spec's
 *         weights belong to the graph in either case
 */
DM_RESULT_USED int dm_graph_add_node(dm_model_t *g, const dm_node_spec_t *s);

/**
 * @brief Mark a tensor as a model output.
 * @return 0, or -1 (logged)
 */
DM_RESULT_USED int dm_graph_add_output(dm_model_t *g, int tensor, const char *name, dm_out_act_t act,
                                       dm_axis_t axis);

/** @return the id of the tensor called name, or -1. */
int dm_graph_find(const dm_model_t *g, const char *name);

/** @return the index of the output called name, or -1. */
int dm_graph_find_output(const dm_model_t *g, const char *name);

/**
 * @brief Check the whole graph and prepare it for execution (W+/W-, consumers).
 * @return 0, or -1 (logged)
 */
DM_RESULT_USED int dm_graph_finalize(dm_model_t *g);

/**
 * @brief Keras/TensorFlow 'same' padding of a window.
 * @param len      input length
 * @param kernel   window, dilation, stride as for the op
 * @param pad_left, pad_right outputs
 */
void dm_graph_same_pad(int len, int kernel, int stride, int dilation, int *pad_left, int *pad_right);

/** @return floats per row of tensor t. */
size_t dm_graph_size(const dm_model_t *g, int t);

#endif
