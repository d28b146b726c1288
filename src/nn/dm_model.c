/* dm_model: Keras 2 HDF5/JSON loader, Sequential and functional (see dm_model.h). */
#include "dm_model.h"

#include <hdf5.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm_h5.h"
#include "dm_mem.h"
#include "dm_onnx.h"
#include "dm_onnx_graph.h"

/* A Keras tensor: the graph tensor, and a sigmoid/softmax not yet applied
 * (it becomes the output activation if the tensor is a model output, a node
 * if another layer reads it). */
typedef struct {
  int t;
  dm_out_act_t act; /* pending activation, DM_OUT_LINEAR if none */
  char act_name[80];
  int flat; /* 1 for a Keras vector (batch, units), stored as (1, units) */
} kref_t;

/* Loader state: where we read from, the graph, and the layers built so far. */
typedef struct {
  const char *src; /* file name for messages */
  hid_t wroot;     /* group holding one subgroup per layer */
  dm_model_t *g;
  int n_built;
  char (*built)[64]; /* (n_layers) names of the layers built (functional) */
  kref_t *out;       /* (n_layers) their outputs */
  int failed;        /* a weight that exists could not be used (logged) */
} loader_t;

// --- HDF5 helpers

/* Reads a string attribute or a 1-D string array attribute (fixed or
 * variable length). Returns a NUL-separated list of n strings, or NULL. */
static char *read_str_attr(hid_t obj, const char *name, int *n_out) {
  if (H5Aexists(obj, name) <= 0) return NULL;
  hid_t a = H5Aopen(obj, name, H5P_DEFAULT), t = H5Aget_type(a), sp = H5Aget_space(a);
  char *out = NULL;
  hssize_t n = H5Sget_simple_extent_npoints(sp);
  if (H5Tget_class(t) != H5T_STRING || n < 0) goto done;
  if (H5Tis_variable_str(t) > 0) {
    char **v = dm_calloc("h5 strings", n ? n : 1, sizeof *v);
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, H5T_VARIABLE);
    H5Tset_cset(mt, H5Tget_cset(t)); /* h5py writes UTF-8 */
    if (H5Aread(a, mt, v) >= 0) {
      size_t tot = 1;
      for (hssize_t i = 0; i < n; i++) tot += (v[i] ? strlen(v[i]) : 0) + 1;
      out = dm_calloc("h5 strings", tot, 1);
      char *p = out;
      for (hssize_t i = 0; i < n; i++) {
        size_t l = v[i] ? strlen(v[i]) : 0;
        memcpy(p, v[i] ? v[i] : "", l);
        p += l + 1;
      }
      H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, v);
    }
    H5Tclose(mt);
    free(v);
  } else {
    size_t sz = H5Tget_size(t);
    char *raw = dm_calloc("h5 strings", (size_t)n * sz + 1, 1);
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, sz);
    H5Tset_cset(mt, H5Tget_cset(t));
    H5Tset_strpad(mt, H5T_STR_NULLPAD); /* a full-width string has no terminator */
    if (H5Aread(a, mt, raw) >= 0) {
      out = dm_calloc("h5 strings", (size_t)n * (sz + 1) + 1, 1);
      char *p = out;
      for (hssize_t i = 0; i < n; i++) {
        size_t l = strnlen(raw + i * sz, sz);
        memcpy(p, raw + i * sz, l);
        p += l + 1;
      }
    }
    H5Tclose(mt);
    free(raw);
  }
  *n_out = (int)n;
done:
  H5Sclose(sp);
  H5Tclose(t);
  H5Aclose(a);
  return out;
}

/* Returns the i-th string of a list of NUL-terminated strings packed back to back. */
static const char *str_at(const char *list, int i) {
  const char *p = list;
  while (i-- > 0) p += strlen(p) + 1;
  return p;
}

/* Reads weight `suffix` ("kernel:0", ...) of layer `lname` as float with the
 * expected dims. Returns a new array or NULL (logged). missing_ok: NULL
 * without a message when the layer has no such weight. */
static float *read_weight(loader_t *L, const char *lname, const char *cls, const char *suffix, int rank,
                          const hsize_t *dims, int missing_ok) {
  float *out = NULL;
  char *names = NULL;
  int nn = 0;
  hid_t g = -1, d = -1, sp = -1;
  if (H5Lexists(L->wroot, lname, H5P_DEFAULT) <= 0) {
    dm_log_error("%s: layer '%s' (%s): no weight group '%s'", L->src, lname, cls, lname);
    L->failed = 1;
    return NULL;
  }
  g = H5Gopen(L->wroot, lname, H5P_DEFAULT);
  names = read_str_attr(g, "weight_names", &nn);
  const char *found = NULL;
  for (int i = 0; names && i < nn; i++) {
    const char *s = str_at(names, i);
    const char *slash = strrchr(s, '/');
    if (!strcmp(slash ? slash + 1 : s, suffix)) found = s;
  }
  if (!found) {
    if (!missing_ok) dm_log_error("%s: layer '%s' (%s): weight '%s' not found", L->src, lname, cls, suffix);
    goto done;
  }
  d = H5Dopen(g, found, H5P_DEFAULT);
  if (d < 0) {
    dm_log_error("%s: layer '%s' (%s): cannot open dataset '%s/%s'", L->src, lname, cls, lname, found);
    goto done;
  }
  sp = H5Dget_space(d);
  hsize_t got[8] = {0};
  int r = H5Sget_simple_extent_ndims(sp);
  if (r != rank || r > 8) goto bad_shape;
  H5Sget_simple_extent_dims(sp, got, NULL);
  size_t total = 1;
  for (int i = 0; i < rank; i++) {
    if (got[i] != dims[i]) goto bad_shape;
    total *= dims[i];
  }
  out = dm_malloc("weights", sizeof(float) * total);
  if (H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0) {
    dm_log_error("%s: layer '%s' (%s): cannot read '%s'", L->src, lname, cls, found);
    free(out);
    out = NULL;
    goto done;
  }
  for (size_t i = 0; i < total; i++)
    if (!isfinite(out[i])) {
      dm_log_error("%s: layer '%s' (%s): weight '%s' has a non-finite value (%g at flat index %zu)", L->src,
                   lname, cls, found, (double)out[i], i);
      free(out);
      out = NULL;
      break;
    }
  goto done;
bad_shape : {
  char want[128] = "", have[128] = "";
  for (int i = 0; i < rank; i++)
    snprintf(want + strlen(want), sizeof want - strlen(want), "%s%llu", i ? "," : "",
             (unsigned long long)dims[i]);
  for (int i = 0; i < r && i < 8; i++)
    snprintf(have + strlen(have), sizeof have - strlen(have), "%s%llu", i ? "," : "",
             (unsigned long long)got[i]);
  dm_log_error("%s: layer '%s' (%s): weight '%s' has shape (%s), expected (%s)", L->src, lname, cls, suffix,
               have, want);
}
done:
  if (!out && (found || !missing_ok)) L->failed = 1;
  if (sp >= 0) H5Sclose(sp);
  if (d >= 0) H5Dclose(d);
  H5Gclose(g);
  free(names);
  return out;
}

// --- JSON helpers

/* Integer config value that Keras writes as n or [n]; def if absent/null. */
static int cfg_int(json_t *cfg, const char *key, int def) {
  json_t *v = json_object_get(cfg, key);
  if (json_is_array(v)) v = json_array_get(v, 0);
  return json_is_integer(v) ? (int)json_integer_value(v) : def;
}

static const char *cfg_str(json_t *cfg, const char *key, const char *def) {
  json_t *v = json_object_get(cfg, key);
  return json_is_string(v) ? json_string_value(v) : def;
}

// --- building nodes

/* Turns a pending sigmoid into a node (softmax is only allowed on outputs). */
static int materialize(loader_t *L, kref_t *r) {
  if (r->act == DM_OUT_LINEAR) return 0;
  if (r->act != DM_OUT_SIGMOID) {
    dm_log_error("%s: layer '%s': softmax is supported only as the output activation", L->src, r->act_name);
    return -1;
  }
  dm_node_spec_t s = {.op = DM_OP_SIGMOID, .name = r->act_name, .n_in = 1, .in = {r->t}};
  r->t = dm_graph_add_node(L->g, &s);
  r->act = DM_OUT_LINEAR;
  return r->t < 0 ? -1 : 0;
}

/* Applies an activation by name to r ("linear" does nothing; sigmoid and
 * softmax stay pending, see kref_t). */
static int apply_activation(loader_t *L, kref_t *r, const char *act, const char *name) {
  if (!strcmp(act, "linear")) return 0;
  int relu = !strcmp(act, "relu"), sig = !strcmp(act, "sigmoid"), smax = !strcmp(act, "softmax");
  if (!relu && !sig && !smax) {
    dm_log_error("%s: layer '%s': unsupported activation '%s'", L->src, name, act);
    return -1;
  }
  if (materialize(L, r)) return -1;
  if (relu) {
    dm_node_spec_t s = {.op = DM_OP_RELU, .name = name, .n_in = 1, .in = {r->t}};
    r->t = dm_graph_add_node(L->g, &s);
    return r->t < 0 ? -1 : 0;
  }
  r->act = sig ? DM_OUT_SIGMOID : DM_OUT_SOFTMAX;
  snprintf(r->act_name, sizeof r->act_name, "%s", name);
  return 0;
}

/* Adds a node reading the given refs; out gets its output (not flat unless set after). */
static int add_node(loader_t *L, dm_node_spec_t *s, const kref_t *in, int n_in, kref_t *out) {
  s->n_in = n_in;
  for (int k = 0; k < n_in; k++) s->in[k] = in[k].t;
  int t = dm_graph_add_node(L->g, s);
  if (t < 0) return -1;
  *out = (kref_t){.t = t, .flat = in[0].flat};
  return 0;
}

static const dm_tensor_t *tensor_of(const loader_t *L, const kref_t *r) { return &L->g->tensors[r->t]; }

/* Window padding of a Keras layer: valid, same or causal. */
static int keras_padding(loader_t *L, const char *name, const char *cls, const char *padding, int len,
                         dm_node_spec_t *s) {
  int dil = s->dilation ? s->dilation : 1, stride = s->stride ? s->stride : 1;
  if (!strcmp(padding, "valid")) return 0;
  if (!strcmp(padding, "same")) {
    dm_graph_same_pad(len, s->kernel, stride, dil, &s->pad_left, &s->pad_right);
    return 0;
  }
  if (!strcmp(padding, "causal") && !strcmp(cls, "Conv1D")) {
    s->pad_left = (s->kernel - 1) * dil;
    return 0;
  }
  dm_log_error("%s: layer '%s' (%s): unsupported padding '%s'", L->src, name, cls, padding);
  return -1;
}

static int need_sequence(loader_t *L, const kref_t *in, const char *name, const char *cls) {
  if (!in->flat) return 0;
  dm_log_error("%s: layer '%s' (%s): input is not a sequence", L->src, name, cls);
  return -1;
}

/* Conv1D / Dense: kernel, bias unless use_bias is false, then activation=. */
static int add_weighted(loader_t *L, json_t *cfg, const char *name, const char *cls, const kref_t *in,
                        kref_t *out) {
  int conv = strcmp(cls, "Dense") != 0, in_ch = tensor_of(L, in)->ch;
  dm_node_spec_t s = {.op = conv ? DM_OP_CONV1D : DM_OP_DENSE, .name = name};
  s.units = cfg_int(cfg, conv ? "filters" : "units", 0);
  if (conv) {
    if (need_sequence(L, in, name, cls)) return -1;
    if (strcmp(cfg_str(cfg, "data_format", "channels_last"), "channels_last")) {
      dm_log_error("%s: layer '%s' (Conv1D): only data_format channels_last is supported", L->src, name);
      return -1;
    }
    s.kernel = cfg_int(cfg, "kernel_size", 0);
    s.stride = cfg_int(cfg, "strides", 1);
    s.dilation = cfg_int(cfg, "dilation_rate", 1);
    if (s.kernel < 1 ||
        keras_padding(L, name, "Conv1D", cfg_str(cfg, "padding", "valid"), tensor_of(L, in)->len, &s))
      return s.kernel < 1 ? (dm_log_error("%s: layer '%s' (Conv1D): bad kernel_size", L->src, name), -1) : -1;
  }
  if (s.units < 1) {
    dm_log_error("%s: layer '%s' (%s): bad %s", L->src, name, cls, conv ? "filters" : "units");
    return -1;
  }
  hsize_t kd[3] = {(hsize_t)s.kernel, (hsize_t)in_ch, (hsize_t)s.units}, bd[1] = {(hsize_t)s.units};
  if (!conv) kd[0] = (hsize_t)in_ch, kd[1] = (hsize_t)s.units;
  if (!(s.w = read_weight(L, name, cls, "kernel:0", conv ? 3 : 2, kd, 0))) return -1;
  if (!json_is_false(json_object_get(cfg, "use_bias")) &&
      !(s.b = read_weight(L, name, cls, "bias:0", 1, bd, 0))) {
    free(s.w);
    return -1;
  }
  if (add_node(L, &s, in, 1, out)) return -1;
  char an[80];
  snprintf(an, sizeof an, "%s/activation", name);
  return apply_activation(L, out, cfg_str(cfg, "activation", "linear"), an);
}

static int add_pool(loader_t *L, json_t *cfg, const char *name, const char *cls, const kref_t *in,
                    kref_t *out) {
  int global = !strncmp(cls, "Global", 6);
  int is_max = strstr(cls, "Max") != NULL;
  if (need_sequence(L, in, name, cls)) return -1;
  dm_node_spec_t s = {.op = is_max ? DM_OP_MAXPOOL1D : DM_OP_AVGPOOL1D, .name = name};
  if (!global) {
    s.kernel = cfg_int(cfg, "pool_size", 2);
    s.stride = cfg_int(cfg, "strides", s.kernel);
    if (s.kernel < 1 ||
        keras_padding(L, name, cls, cfg_str(cfg, "padding", "valid"), tensor_of(L, in)->len, &s))
      return s.kernel < 1 ? (dm_log_error("%s: layer '%s' (%s): bad pool_size", L->src, name, cls), -1) : -1;
  }
  if (add_node(L, &s, in, 1, out)) return -1;
  out->flat = global && !json_is_true(json_object_get(cfg, "keepdims"));
  return 0;
}

static int add_batchnorm(loader_t *L, json_t *cfg, const char *name, const kref_t *in, kref_t *out) {
  int axis = cfg_int(cfg, "axis", -1), ch = tensor_of(L, in)->ch;
  if (axis != -1 && axis != (in->flat ? 1 : 2)) {
    dm_log_error("%s: layer '%s' (BatchNormalization): only the channel axis is supported (axis %d)", L->src,
                 name, axis);
    return -1;
  }
  json_t *e = json_object_get(cfg, "epsilon");
  double eps = json_is_number(e) ? json_number_value(e) : 1e-3;
  hsize_t d[1] = {(hsize_t)ch};
  float *gamma = read_weight(L, name, "BatchNormalization", "gamma:0", 1, d, 1);
  float *beta = read_weight(L, name, "BatchNormalization", "beta:0", 1, d, 1);
  float *mean = read_weight(L, name, "BatchNormalization", "moving_mean:0", 1, d, 0);
  float *var = mean ? read_weight(L, name, "BatchNormalization", "moving_variance:0", 1, d, 0) : NULL;
  int rc = -1;
  for (int c = 0; mean && var && c < ch && !L->failed; c++)
    if (!(var[c] + eps > 0.0)) {
      dm_log_error("%s: layer '%s' (BatchNormalization): moving_variance + epsilon is %g at channel %d",
                   L->src, name, var[c] + eps, c);
      L->failed = 1;
    }
  if (mean && var && !L->failed) {    dm_node_spec_t s = {.op = DM_OP_BATCHNORM, .name = name};
    s.scale = dm_malloc("bn", sizeof(float) * ch);
    s.shift = dm_malloc("bn", sizeof(float) * ch);
    for (int c = 0; c < ch; c++) {
      double sc = (gamma ? gamma[c] : 1.0) / sqrt((double)var[c] + eps);
      s.scale[c] = (float)sc;
      s.shift[c] = (float)((beta ? beta[c] : 0.0) - mean[c] * sc);
    }
    rc = add_node(L, &s, in, 1, out);
  }
  free(gamma);
  free(beta);
  free(mean);
  free(var);
  return rc;
}

/* Flatten and Reshape (target_shape of rank 1 or 2, one entry may be -1). */
static int add_reshape(loader_t *L, json_t *cfg, const char *name, const char *cls, const kref_t *in,
                       kref_t *out) {
  const dm_tensor_t *t = tensor_of(L, in);
  int total = t->len * t->ch, len = 1, ch = total, flat = 1;
  if (!strcmp(cls, "Reshape")) {
    json_t *ts = json_object_get(cfg, "target_shape");
    size_t r = json_array_size(ts);
    int d[2] = {0, 0}, unknown = -1, known = 1;
    for (size_t i = 0; i < r && i < 2; i++) {
      d[i] = json_is_integer(json_array_get(ts, i)) ? (int)json_integer_value(json_array_get(ts, i)) : 0;
      if (d[i] == -1)
        unknown = (int)i;
      else
        known *= d[i];
    }
    if ((r != 1 && r != 2) || known < 1 || (unknown >= 0 && total % known)) {
      dm_log_error("%s: layer '%s' (Reshape): unsupported target_shape (rank 1 or 2 only)", L->src, name);
      return -1;
    }
    if (unknown >= 0) d[unknown] = total / known;
    if (r == 2)
      len = d[0], ch = d[1], flat = 0;
    else
      ch = d[0];
  }
  dm_node_spec_t s = {.op = DM_OP_RESHAPE, .name = name, .len = len, .ch = ch};
  if (add_node(L, &s, in, 1, out)) return -1;
  out->flat = flat;
  return 0;
}

/* Concatenate along the channel (last) axis or the length axis. */
static int add_concat(loader_t *L, json_t *cfg, const char *name, const kref_t *in, int n_in, kref_t *out) {
  int axis = cfg_int(cfg, "axis", -1);
  int rank = in[0].flat ? 2 : 3;
  if (axis < 0) axis += rank;
  if (axis < 1 || axis >= rank) {
    dm_log_error("%s: layer '%s' (Concatenate): unsupported axis %d", L->src, name, cfg_int(cfg, "axis", -1));
    return -1;
  }
  dm_node_spec_t s = {.op = DM_OP_CONCAT, .name = name, .axis = axis == rank - 1 ? DM_AXIS_CH : DM_AXIS_LEN};
  return add_node(L, &s, in, n_in, out);
}

static int add_cropping(loader_t *L, json_t *cfg, const char *name, const kref_t *in, kref_t *out) {
  if (need_sequence(L, in, name, "Cropping1D")) return -1;
  json_t *c = json_object_get(cfg, "cropping");
  int a = json_is_integer(c) ? (int)json_integer_value(c) : cfg_int(cfg, "cropping", 1);
  int b = json_is_array(c) && json_is_integer(json_array_get(c, 1))
              ? (int)json_integer_value(json_array_get(c, 1))
              : a;
  dm_node_spec_t s = {.op = DM_OP_SLICE, .name = name, .axis = DM_AXIS_LEN, .start = a, .stop = -b};
  if (a < 0 || b < 0) {
    dm_log_error("%s: layer '%s' (Cropping1D): bad cropping", L->src, name);
    return -1;
  }
  return add_node(L, &s, in, 1, out);
}

/* Builds one Keras layer reading in[0..n_in) into out. */
static int add_layer(loader_t *L, json_t *layer, kref_t *const *in, int n_in, kref_t *out) {
  const char *cls = json_string_value(json_object_get(layer, "class_name"));
  json_t *cfg = json_object_get(layer, "config");
  const char *name = cfg_str(cfg, "name", "?");
  if (!cls || !json_is_object(cfg)) {
    dm_log_error("%s: malformed layer entry '%s'", L->src, name);
    return -1;
  }
  kref_t x[DM_NODE_MAX_IN];
  for (int k = 0; k < n_in; k++) {
    if (strcmp(cls, "Activation") && materialize(L, in[k])) return -1;
    x[k] = *in[k];
  }
  int multi = !strcmp(cls, "Add") || !strcmp(cls, "Subtract") || !strcmp(cls, "Concatenate");
  if (!multi && n_in != 1) {
    dm_log_error("%s: layer '%s' (%s): %d inputs, expected 1", L->src, name, cls, n_in);
    return -1;
  }
  if (!strcmp(cls, "Conv1D") || !strcmp(cls, "Convolution1D") || !strcmp(cls, "Dense"))
    return add_weighted(L, cfg, name, !strcmp(cls, "Dense") ? "Dense" : "Conv1D", x, out);
  if (!strcmp(cls, "Activation")) {
    *out = x[0];
    return apply_activation(L, out, cfg_str(cfg, "activation", "?"), name);
  }
  if (!strcmp(cls, "MaxPooling1D") || !strcmp(cls, "MaxPool1D") || !strcmp(cls, "AveragePooling1D") ||
      !strcmp(cls, "AvgPool1D") || !strcmp(cls, "GlobalMaxPooling1D") || !strcmp(cls, "GlobalMaxPool1D") ||
      !strcmp(cls, "GlobalAveragePooling1D") || !strcmp(cls, "GlobalAvgPool1D"))
    return add_pool(L, cfg, name, cls, x, out);
  if (!strcmp(cls, "BatchNormalization")) return add_batchnorm(L, cfg, name, x, out);
  if (!strcmp(cls, "Dropout") || !strcmp(cls, "SpatialDropout1D")) {
    dm_node_spec_t s = {.op = DM_OP_IDENTITY, .name = name};
    return add_node(L, &s, x, 1, out);
  }
  if (!strcmp(cls, "Flatten") || !strcmp(cls, "Reshape")) return add_reshape(L, cfg, name, cls, x, out);
  if (!strcmp(cls, "Add") || !strcmp(cls, "Subtract")) {
    dm_node_spec_t s = {.op = !strcmp(cls, "Add") ? DM_OP_ADD : DM_OP_SUB, .name = name};
    return add_node(L, &s, x, n_in, out);
  }
  if (!strcmp(cls, "Concatenate")) return add_concat(L, cfg, name, x, n_in, out);
  if (!strcmp(cls, "Cropping1D")) return add_cropping(L, cfg, name, x, out);
  dm_log_error("%s: layer '%s': unsupported layer type %s", L->src, name, cls);
  return -1;
}

/* Input shape [null, len, ch] of an InputLayer or first layer (batch_input_shape, or Keras 3 batch_shape). */
static int add_input(loader_t *L, json_t *layer, kref_t *out) {
  json_t *cfg = json_object_get(layer, "config");
  json_t *shape = json_object_get(cfg, "batch_input_shape");
  if (!shape) shape = json_object_get(cfg, "batch_shape");
  int is_input = !strcmp(cfg_str(layer, "class_name", ""), "InputLayer");
  const char *name = is_input ? cfg_str(cfg, "name", "input") : "input";
  if (json_array_size(shape) != 3 || !json_is_integer(json_array_get(shape, 1)) ||
      !json_is_integer(json_array_get(shape, 2))) {
    dm_log_error("%s: layer '%s': the input needs batch_input_shape [null, length, channels]", L->src, name);
    return -1;
  }
  int t = dm_graph_add_input(L->g, name, (int)json_integer_value(json_array_get(shape, 1)),
                             (int)json_integer_value(json_array_get(shape, 2)));
  *out = (kref_t){.t = t};
  return t < 0 ? -1 : 0;
}

static int add_model_output(loader_t *L, const kref_t *r, const char *name) {
  return dm_graph_add_output(L->g, r->t, name, r->act, DM_AXIS_CH);
}

static int load_sequential(loader_t *L, json_t *layers) {
  kref_t cur, *pc = &cur;
  if (add_input(L, json_array_get(layers, 0), &cur)) return -1;
  size_t i;
  json_t *ly;
  const char *last = "output";
  json_array_foreach(layers, i, ly) {
    if (!strcmp(cfg_str(ly, "class_name", ""), "InputLayer")) continue;
    if (add_layer(L, ly, &pc, 1, &cur)) return -1;
    last = cfg_str(json_object_get(ly, "config"), "name", last);
  }
  return add_model_output(L, &cur, last);
}

// --- functional models

/* Collects the (layer, node, tensor) references of an inbound node, Keras 2
 * ([["name", 0, 0, {}], ...]) or Keras 3 ({"args": [..{"keras_history": ["name", 0, 0]}..]}). */
static int collect_refs(json_t *v, const char **names, int *idx, int max, int n) {
  if (json_is_array(v) && json_is_string(json_array_get(v, 0)) && json_is_integer(json_array_get(v, 1))) {
    if (n < max) {
      names[n] = json_string_value(json_array_get(v, 0));
      idx[2 * n] = (int)json_integer_value(json_array_get(v, 1));
      idx[2 * n + 1] = (int)json_integer_value(json_array_get(v, 2));
    }
    return n + 1;
  }
  if (json_is_object(v)) {
    json_t *h = json_object_get(json_object_get(v, "config"), "keras_history");
    if (h) return collect_refs(h, names, idx, max, n);
    json_t *args = json_object_get(v, "args");
    return args ? collect_refs(args, names, idx, max, n) : n;
  }
  if (json_is_array(v)) {
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) n = collect_refs(e, names, idx, max, n);
  }
  return n;
}

static kref_t *find_built(loader_t *L, const char *name) {
  for (int i = 0; i < L->n_built; i++)
    if (!strcmp(L->built[i], name)) return &L->out[i];
  return NULL;
}

/* Resolves references to built layers; 1 if all are built, 0 if some are not yet, -1 on error. */
static int resolve(loader_t *L, const char *who, json_t *refs, kref_t **in, int *n_in) {
  const char *names[DM_NODE_MAX_IN + 1];
  int idx[2 * (DM_NODE_MAX_IN + 1)];
  int n = collect_refs(refs, names, idx, DM_NODE_MAX_IN + 1, 0);
  if (n > DM_NODE_MAX_IN) {
    dm_log_error("%s: layer '%s': more than %d inputs", L->src, who, DM_NODE_MAX_IN);
    return -1;
  }
  for (int k = 0; k < n; k++) {
    if (idx[2 * k] != 0 || idx[2 * k + 1] != 0) {
      dm_log_error(
          "%s: layer '%s': input '%s' is a shared layer's or multi-output layer's tensor (%d, %d), "
          "not supported",
          L->src, who, names[k], idx[2 * k], idx[2 * k + 1]);
      return -1;
    }
    if (!(in[k] = find_built(L, names[k]))) return 0;
  }
  *n_in = n;
  return 1;
}

static int load_functional(loader_t *L, json_t *cfg) {
  json_t *layers = json_object_get(cfg, "layers");
  size_t nl = json_array_size(layers), i;
  json_t *ly;
  L->built = dm_calloc("loader", nl + 1, sizeof *L->built);
  L->out = dm_calloc("loader", nl + 1, sizeof *L->out);
  char *done = dm_calloc("loader", nl + 1, 1);
  int rc = -1;
  /* inputs first, in input_layers order, so that input 0 is the first model input */
  json_t *ins = json_object_get(cfg, "input_layers");
  if (json_is_string(json_array_get(ins, 0))) { /* Keras 3, single input: ["name", 0, 0] */
    json_t *wrap = json_array();
    json_array_append(wrap, ins);
    ins = wrap;
  } else {
    json_incref(ins);
  }
  size_t j;
  json_t *ref;
  json_array_foreach(ins, j, ref) {
    const char *nm = json_string_value(json_array_get(ref, 0));
    json_array_foreach(layers, i, ly) {
      if (done[i] || !nm || strcmp(cfg_str(json_object_get(ly, "config"), "name", ""), nm)) continue;
      if (add_input(L, ly, &L->out[L->n_built])) goto out;
      snprintf(L->built[L->n_built++], 64, "%s", nm);
      done[i] = 1;
    }
  }
  if (L->g->n_inputs == 0) {
    dm_log_error("%s: functional model without input_layers", L->src);
    goto out;
  }
  for (int progress = 1; progress;) {
    progress = 0;
    json_array_foreach(layers, i, ly) {
      if (done[i]) continue;
      const char *name = cfg_str(json_object_get(ly, "config"), "name", "?");
      json_t *nodes = json_object_get(ly, "inbound_nodes");
      if (json_array_size(nodes) != 1) {
        dm_log_error("%s: layer '%s': %zu inbound nodes (a shared layer or an unused one), not supported",
                     L->src, name, json_array_size(nodes));
        goto out;
      }
      kref_t *in[DM_NODE_MAX_IN];
      int n_in = 0, r = resolve(L, name, json_array_get(nodes, 0), in, &n_in);
      if (r < 0) goto out;
      if (r == 0) continue;
      if (n_in == 0) {
        dm_log_error("%s: layer '%s': no inputs", L->src, name);
        goto out;
      }
      if (add_layer(L, ly, in, n_in, &L->out[L->n_built])) goto out;
      snprintf(L->built[L->n_built++], 64, "%s", name);
      done[i] = progress = 1;
    }
  }
  json_array_foreach(layers, i, ly) if (!done[i]) {
    dm_log_error("%s: layer '%s': its inputs are not layers of the model (or form a cycle)", L->src,
                 cfg_str(json_object_get(ly, "config"), "name", "?"));
    goto out;
  }
  json_t *outs = json_object_get(cfg, "output_layers");
  kref_t *o[DM_NODE_MAX_IN];
  int n_out = 0;
  if (resolve(L, "output_layers", outs, o, &n_out) != 1 || n_out == 0) {
    dm_log_error("%s: output_layers do not name built layers", L->src);
    goto out;
  }
  const char *onames[DM_NODE_MAX_IN];
  int oidx[2 * DM_NODE_MAX_IN];
  collect_refs(outs, onames, oidx, DM_NODE_MAX_IN, 0);
  for (int k = 0; k < n_out; k++)
    if (add_model_output(L, o[k], onames[k])) goto out;
  rc = 0;
out:
  json_decref(ins);
  free(done);
  return rc;
}

// --- public API

static char *read_text_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096, n = 0;
  char *s = dm_malloc("json", cap);
  size_t k;
  while ((k = fread(s + n, 1, cap - n - 1, f)) > 0) {
    n += k;
    if (n + 1 == cap) s = dm_realloc("json", s, cap *= 2);
  }
  fclose(f);
  s[n] = 0;
  return s;
}

/* ONNX: a .onnx name, or a file that starts like a ModelProto (HDF5 and JSON do not). */
static int is_onnx(const char *path) {
  size_t n = strlen(path);
  return (n > 5 && !strcmp(path + n - 5, ".onnx")) || dm_onnx_sniff(path);
}

/* Does the file start (after white space) with '{'? */
static int looks_like_json(const char *path) {
  FILE *fp = fopen(path, "rb");
  int c = ' ';
  while (fp && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) c = fgetc(fp);
  if (fp) fclose(fp);
  return c == '{';
}

dm_model_t *dm_model_load(const char *model_path, const char *weights_path) {
  if (is_onnx(model_path)) {
    if (!weights_path) return dm_onnx_load(model_path);
    dm_log_error("%s: an ONNX model holds its weights; no weights file (%s) is used with it", model_path,
                 weights_path);
    return NULL;
  }
  loader_t L = {.src = weights_path ? weights_path : model_path, .wroot = -1};
  dm_model_t *m = NULL;
  char *text = NULL;
  json_t *root = NULL;
  hid_t f = -1;
  H5E_auto2_t efunc;
  void *edata;
  H5Eget_auto2(H5E_DEFAULT, &efunc, &edata);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  f = H5Fopen(L.src, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) {
    char why[300];
    dm_h5_error_detail(why, sizeof why);
    if (!weights_path && looks_like_json(model_path))
      dm_log_error(
          "%s: this is an architecture JSON, not a full-model HDF5: give its weights-only HDF5 too "
          "(Model:weights)",
          model_path);
    else
      dm_log_error("%s: cannot open as HDF5 (HDF5: %s)", L.src, why);
    goto fail;
  }
  if (weights_path) {
    if (!(text = read_text_file(model_path))) {
      dm_log_error("%s: cannot read the architecture JSON", model_path);
      goto fail;
    }
  } else {
    int n = 0;
    text = read_str_attr(f, "model_config", &n);
    if (!text) {
      dm_log_error(
          "%s: no 'model_config' attribute: not a full Keras model (give the architecture JSON "
          "and weights file instead)",
          model_path);
      goto fail;
    }
  }
  L.wroot = H5Lexists(f, "model_weights", H5P_DEFAULT) > 0 ? H5Gopen(f, "model_weights", H5P_DEFAULT)
                                                           : H5Gopen(f, "/", H5P_DEFAULT);
  json_error_t jerr;
  root = json_loads(text, 0, &jerr);
  if (!root) {
    dm_log_error("%s: model JSON line %d: %s", model_path, jerr.line, jerr.text);
    goto fail;
  }
  const char *cls = json_string_value(json_object_get(root, "class_name"));
  json_t *cfg = json_object_get(root, "config");
  json_t *layers = json_is_object(cfg) ? json_object_get(cfg, "layers") : cfg;
  int seq = cls && !strcmp(cls, "Sequential");
  int fun = cls && (!strcmp(cls, "Functional") || !strcmp(cls, "Model")) && json_is_object(cfg) &&
            json_object_get(cfg, "input_layers");
  if ((!seq && !fun) || !json_is_array(layers) || json_array_size(layers) == 0) {
    dm_log_error("%s: not a Keras Sequential or functional model (class_name %s)", model_path,
                 cls ? cls : "missing");
    goto fail;
  }
  L.g = dm_graph_new(L.src);
  if ((seq ? load_sequential(&L, layers) : load_functional(&L, cfg)) || L.failed || dm_graph_finalize(L.g))
    goto fail;
  m = L.g;
  L.g = NULL;
fail:
  dm_graph_destroy(L.g);
  free(L.built);
  free(L.out);
  json_decref(root);
  free(text);
  if (L.wroot >= 0) H5Gclose(L.wroot);
  if (f >= 0) H5Fclose(f);
  H5Eset_auto2(H5E_DEFAULT, efunc, edata);
  return m;
}

void dm_model_destroy(dm_model_t *m) { dm_graph_destroy(m); }

void dm_model_activate_output(const dm_model_t *m, int o, int n, const float *logits, float *pred) {
  const dm_output_t *out = &m->outputs[o];
  const dm_tensor_t *t = &m->tensors[out->tensor];
  size_t sz = (size_t)t->len * t->ch;
  /* softmax groups: along channels, len groups of ch with stride 1; along length, ch groups of len with
   * stride ch */
  int groups = out->axis == DM_AXIS_CH ? t->len : t->ch, width = out->axis == DM_AXIS_CH ? t->ch : t->len;
  size_t gstep = out->axis == DM_AXIS_CH ? (size_t)t->ch : 1,
         estep = out->axis == DM_AXIS_CH ? 1 : (size_t)t->ch;
  for (int b = 0; b < n; b++) {
    const float *z = logits + (size_t)b * sz;
    float *p = pred + (size_t)b * sz;
    if (out->act == DM_OUT_SIGMOID) {
      for (size_t e = 0; e < sz; e++) p[e] = 1.0f / (1.0f + expf(-z[e]));
    } else if (out->act == DM_OUT_SOFTMAX || out->act == DM_OUT_LOGSOFTMAX) {
      for (int gi = 0; gi < groups; gi++) {
        const float *zg = z + gi * gstep;
        float *pg = p + gi * gstep;
        float mx = zg[0], s = 0.0f;
        for (int k = 1; k < width; k++) mx = fmaxf(mx, zg[k * estep]);
        for (int k = 0; k < width; k++) s += expf(zg[k * estep] - mx);
        for (int k = 0; k < width; k++)
          pg[k * estep] =
              out->act == DM_OUT_SOFTMAX ? expf(zg[k * estep] - mx) / s : zg[k * estep] - mx - logf(s);
      }
    } else if (p != z) {
      memcpy(p, z, sizeof(float) * sz);
    }
  }
}

void dm_model_activate(const dm_model_t *m, int n, const float *logits, float *pred) {
  dm_model_activate_output(m, 0, n, logits, pred);
}

size_t dm_model_max_size(const dm_model_t *m) {
  size_t mx = 0;
  for (int t = 0; t < m->n_tensors; t++)
    if (dm_graph_size(m, t) > mx) mx = dm_graph_size(m, t);
  return mx;
}

size_t dm_model_max_scratch(const dm_model_t *m) {
  size_t mx = 0;
  for (int i = 0; i < m->n_nodes; i++)
    if (dm_ops_scratch_floats(&m->nodes[i]) > mx) mx = dm_ops_scratch_floats(&m->nodes[i]);
  return mx;
}
