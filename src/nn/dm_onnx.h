/* dm_onnx: read an ONNX model file (protobuf ModelProto) into plain structs.
 *
 * The fields read (numbers from onnx/onnx.proto):
 *   ModelProto     ir_version 1, opset_import 8 (OperatorSetIdProto: domain 1, version 2), graph 7
 *   GraphProto     node 1, name 2, initializer 5, input 11, output 12, value_info 13
 *   NodeProto      input 1, output 2, name 3, op_type 4, attribute 5, domain 7
 *   AttributeProto name 1, f 2, i 3, s 4, t 5, g 6 (a subgraph, e.g. of If), floats 7, ints 8, type 20
 *   TensorProto    dims 1, data_type 2, float_data 4, int32_data 5, int64_data 7, name 8,
 *                  raw_data 9, double_data 10, data_location 14 (external data is refused)
 *   ValueInfoProto name 1, type 2 -> TypeProto tensor_type 1 -> elem_type 1,
 *                  shape 2 -> dim 1 -> dim_value 1 / dim_param 2
 * Other fields are skipped. Tensors of float types (FLOAT, DOUBLE, FLOAT16 is
 * refused) are converted to float, integer and bool types to int64.
 * A truncated, foreign or inconsistent file is an error naming the file and
 * the message path (e.g. "graph.node[3].attribute[1]") of what failed.
 */
#ifndef DM_ONNX_H
#define DM_ONNX_H

#include <stdint.h>

#include "dm_log.h"

#define DM_ONNX_MAX_DIMS 8

/** ONNX TensorProto.DataType values used here. */
enum {
  DM_ONNX_FLOAT = 1,
  DM_ONNX_UINT8 = 2,
  DM_ONNX_INT8 = 3,
  DM_ONNX_INT32 = 6,
  DM_ONNX_INT64 = 7,
  DM_ONNX_BOOL = 9,
  DM_ONNX_DOUBLE = 11
};

/** ONNX AttributeProto.AttributeType values used here. */
enum {
  DM_ONNX_ATTR_FLOAT = 1,
  DM_ONNX_ATTR_INT = 2,
  DM_ONNX_ATTR_STRING = 3,
  DM_ONNX_ATTR_TENSOR = 4,
  DM_ONNX_ATTR_GRAPH = 5,
  DM_ONNX_ATTR_FLOATS = 6,
  DM_ONNX_ATTR_INTS = 7
};

/** A tensor: dims and data, converted to float (f) or int64 (i). */
typedef struct {
  char *name;
  int ndim;
  int64_t dims[DM_ONNX_MAX_DIMS];
  int dtype;  /* ONNX data type as stored */
  int64_t n;  /* elements: product of dims */
  float *f;   /* (n) for FLOAT, DOUBLE; else NULL */
  int64_t *i; /* (n) for integer and bool types; else NULL */
} dm_onnx_tensor_t;

struct dm_onnx_model;

/** A node attribute. */
typedef struct {
  char *name;
  int type;                /* DM_ONNX_ATTR_* (inferred from the value when the file omits it) */
  float f;                 /* FLOAT */
  int64_t i;               /* INT */
  char *s;                 /* STRING (NUL-terminated) or NULL */
  dm_onnx_tensor_t *t;     /* TENSOR or NULL */
  struct dm_onnx_model *g; /* GRAPH: the subgraph (its nodes, initializers, outputs), or NULL */
  int n_floats, n_ints;
  float *floats; /* (n_floats) */
  int64_t *ints; /* (n_ints) */
} dm_onnx_attr_t;

/** A node of the graph. */
typedef struct {
  char *name, *op_type, *domain; /* name and domain may be "" */
  int n_in, n_out, n_attr;
  char **in, **out; /* value names; an input "" is an omitted optional input */
  dm_onnx_attr_t *attr;
} dm_onnx_node_t;

/** A graph input/output/value_info: name, element type, shape (-1 for a symbolic dim). */
typedef struct {
  char *name;
  int elem_type, ndim;
  int64_t dims[DM_ONNX_MAX_DIMS];
} dm_onnx_value_t;

/** A model file (also a subgraph of an attribute: then only the graph fields are set). */
typedef struct dm_onnx_model {
  int64_t ir_version;
  int64_t opset; /* version of the default ("" or "ai.onnx") domain, 0 if absent */
  char *graph_name;
  int n_nodes, n_inits, n_inputs, n_outputs, n_infos;
  dm_onnx_node_t *nodes;
  dm_onnx_tensor_t *inits;
  dm_onnx_value_t *inputs, *outputs, *infos;
  char *source; /* file name */
} dm_onnx_model_t;

/**
 * @brief Read an ONNX file.
 * @param path the .onnx file
 * @return the model (free with dm_onnx_destroy), or NULL after logging the
 *         file and what failed
 */
DM_RESULT_USED dm_onnx_model_t *dm_onnx_read(const char *path);

/** @brief Free a model from dm_onnx_read (NULL is fine). */
void dm_onnx_destroy(dm_onnx_model_t *m);

/** @return 1 if the file starts like an ONNX ModelProto (field 1 ir_version varint), else 0. */
int dm_onnx_sniff(const char *path);

/** @return the attribute of a node with that name, or NULL. */
const dm_onnx_attr_t *dm_onnx_attr(const dm_onnx_node_t *n, const char *name);

/** @return the initializer with that name, or NULL. */
const dm_onnx_tensor_t *dm_onnx_init(const dm_onnx_model_t *m, const char *name);

#endif
