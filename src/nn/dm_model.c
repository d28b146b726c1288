/* dm_model: Keras 2 HDF5/JSON loader (see dm_model.h). */
#include "dm_model.h"

#include <hdf5.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm_h5.h"
#include "dm_mem.h"

/* Loader state: where we read from and the layers built so far. */
typedef struct {
  const char *src; /* file name for messages */
  hid_t wroot;     /* group holding one subgroup per layer */
  dm_layer_t *layers;
  int n, cap;
  int len, ch;    /* current activation shape (len, ch) */
  int flat;       /* 1 after Flatten/Dense-on-vector: (1, ch) */
  int softmax_at; /* layer count when a softmax was requested, -1 if none */
  char softmax_name[80];
  dm_out_act_t out_act;
  int failed; /* a weight that exists could not be used (logged) */
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

// --- building layers

static dm_layer_t *push_layer(loader_t *L, dm_op_t op, const char *name) {
  if (L->n == L->cap) {
    L->cap = L->cap ? 2 * L->cap : 16;
    L->layers = dm_realloc("layers", L->layers, sizeof *L->layers * L->cap);
  }
  dm_layer_t *ly = &L->layers[L->n++];
  memset(ly, 0, sizeof *ly);
  ly->op = op;
  snprintf(ly->name, sizeof ly->name, "%s", name);
  ly->in_len = ly->out_len = L->len;
  ly->in_ch = ly->out_ch = L->ch;
  ly->kernel = ly->stride = ly->dilation = 1;
  return ly;
}

/* Output length and leading padding of a window op (Keras/TensorFlow rules). */
static int window_shape(loader_t *L, dm_layer_t *ly, const char *cls, const char *padding) {
  int span = (ly->kernel - 1) * ly->dilation + 1;
  if (ly->kernel < 1 || ly->stride < 1 || ly->dilation < 1) {
    dm_log_error("%s: layer '%s' (%s): bad kernel/stride/dilation %d/%d/%d", L->src, ly->name, cls,
                 ly->kernel, ly->stride, ly->dilation);
    return -1;
  }
  if (!strcmp(padding, "valid")) {
    ly->out_len = ly->in_len >= span ? (ly->in_len - span) / ly->stride + 1 : 0;
  } else if (!strcmp(padding, "same")) {
    ly->out_len = (ly->in_len + ly->stride - 1) / ly->stride;
    int total = (ly->out_len - 1) * ly->stride + span - ly->in_len;
    ly->pad_left = total > 0 ? total / 2 : 0;
  } else {
    dm_log_error("%s: layer '%s' (%s): unsupported padding '%s'", L->src, ly->name, cls, padding);
    return -1;
  }
  if (ly->out_len < 1) {
    dm_log_error("%s: layer '%s' (%s): input length %d is shorter than the window %d", L->src, ly->name, cls,
                 ly->in_len, span);
    return -1;
  }
  L->len = ly->out_len;
  return 0;
}

/* Appends the layer for an activation name ("linear" adds nothing). A final
 * sigmoid or softmax becomes the output activation (see finish()). */
static int add_activation(loader_t *L, const char *act, const char *name) {
  if (!strcmp(act, "linear")) return 0;
  if (!strcmp(act, "relu")) {
    push_layer(L, DM_OP_RELU, name);
  } else if (!strcmp(act, "sigmoid")) {
    push_layer(L, DM_OP_SIGMOID, name);
  } else if (!strcmp(act, "softmax")) {
    if (L->softmax_at >= 0) {
      dm_log_error("%s: layer '%s': softmax is supported only as the output activation", L->src, name);
      return -1;
    }
    L->softmax_at = L->n; /* valid only if no layer follows (checked in finish) */
    snprintf(L->softmax_name, sizeof L->softmax_name, "%s", name);
  } else {
    dm_log_error("%s: layer '%s': unsupported activation '%s'", L->src, name, act);
    return -1;
  }
  return 0;
}

/* Kernel (of the given dims), bias unless use_bias is false, then the
 * activation= of a Conv1D or Dense layer. */
static int add_weights(loader_t *L, dm_layer_t *ly, json_t *cfg, const char *cls, int rank,
                       const hsize_t *kd) {
  hsize_t bd[1] = {ly->out_ch};
  if (!(ly->w = read_weight(L, ly->name, cls, "kernel:0", rank, kd, 0))) return -1;
  if (json_is_false(json_object_get(cfg, "use_bias"))) {
    ly->b = dm_calloc("bias", ly->out_ch, sizeof(float));
  } else if (!(ly->b = read_weight(L, ly->name, cls, "bias:0", 1, bd, 0))) {
    return -1;
  }
  L->ch = ly->out_ch;
  char an[80];
  snprintf(an, sizeof an, "%s/activation", ly->name);
  return add_activation(L, cfg_str(cfg, "activation", "linear"), an);
}

static int add_conv(loader_t *L, json_t *cfg, const char *name) {
  if (L->flat) {
    dm_log_error("%s: layer '%s' (Conv1D): input is not a sequence", L->src, name);
    return -1;
  }
  if (strcmp(cfg_str(cfg, "data_format", "channels_last"), "channels_last")) {
    dm_log_error("%s: layer '%s' (Conv1D): only data_format channels_last is supported", L->src, name);
    return -1;
  }
  dm_layer_t *ly = push_layer(L, DM_OP_CONV1D, name);
  ly->kernel = cfg_int(cfg, "kernel_size", 0);
  ly->stride = cfg_int(cfg, "strides", 1);
  ly->dilation = cfg_int(cfg, "dilation_rate", 1);
  ly->out_ch = cfg_int(cfg, "filters", 0);
  if (ly->out_ch < 1 || window_shape(L, ly, "Conv1D", cfg_str(cfg, "padding", "valid"))) return -1;
  hsize_t kd[3] = {ly->kernel, ly->in_ch, ly->out_ch};
  return add_weights(L, ly, cfg, "Conv1D", 3, kd);
}

static int add_dense(loader_t *L, json_t *cfg, const char *name) {
  dm_layer_t *ly = push_layer(L, DM_OP_DENSE, name);
  ly->out_ch = cfg_int(cfg, "units", 0);
  if (ly->out_ch < 1) {
    dm_log_error("%s: layer '%s' (Dense): bad units", L->src, name);
    return -1;
  }
  hsize_t kd[2] = {ly->in_ch, ly->out_ch};
  return add_weights(L, ly, cfg, "Dense", 2, kd);
}

static int add_pool(loader_t *L, json_t *cfg, const char *name, dm_op_t op, const char *cls) {
  if (L->flat) {
    dm_log_error("%s: layer '%s' (%s): input is not a sequence", L->src, name, cls);
    return -1;
  }
  dm_layer_t *ly = push_layer(L, op, name);
  ly->kernel = cfg_int(cfg, "pool_size", 2);
  ly->stride = cfg_int(cfg, "strides", ly->kernel);
  return window_shape(L, ly, cls, cfg_str(cfg, "padding", "valid"));
}

static int add_batchnorm(loader_t *L, json_t *cfg, const char *name) {
  int axis = cfg_int(cfg, "axis", -1);
  if (axis != -1 && axis != (L->flat ? 1 : 2)) {
    dm_log_error("%s: layer '%s' (BatchNormalization): only the channel axis is supported (axis %d)", L->src,
                 name, axis);
    return -1;
  }
  json_t *e = json_object_get(cfg, "epsilon");
  double eps = json_is_number(e) ? json_number_value(e) : 1e-3;
  dm_layer_t *ly = push_layer(L, DM_OP_BATCHNORM, name);
  hsize_t d[1] = {ly->in_ch};
  float *gamma = read_weight(L, name, "BatchNormalization", "gamma:0", 1, d, 1);
  float *beta = read_weight(L, name, "BatchNormalization", "beta:0", 1, d, 1);
  float *mean = read_weight(L, name, "BatchNormalization", "moving_mean:0", 1, d, 0);
  float *var = mean ? read_weight(L, name, "BatchNormalization", "moving_variance:0", 1, d, 0) : NULL;
  int rc = -1;
  for (int c = 0; mean && var && c < ly->in_ch && !L->failed; c++)
    if (!(var[c] + eps > 0.0)) {
      dm_log_error("%s: layer '%s' (BatchNormalization): moving_variance + epsilon is %g at channel %d",
                   L->src, name, var[c] + eps, c);
      L->failed = 1;
    }
  if (mean && var && !L->failed) {
    ly->scale = dm_malloc("bn", sizeof(float) * ly->in_ch);
    ly->shift = dm_malloc("bn", sizeof(float) * ly->in_ch);
    for (int c = 0; c < ly->in_ch; c++) {
      double s = (gamma ? gamma[c] : 1.0) / sqrt((double)var[c] + eps);
      ly->scale[c] = (float)s;
      ly->shift[c] = (float)((beta ? beta[c] : 0.0) - mean[c] * s);
    }
    rc = 0;
  }
  free(gamma);
  free(beta);
  free(mean);
  free(var);
  return rc;
}

static int add_layer(loader_t *L, json_t *layer) {
  const char *cls = json_string_value(json_object_get(layer, "class_name"));
  json_t *cfg = json_object_get(layer, "config");
  const char *name = cfg_str(cfg, "name", "?");
  if (!cls || !json_is_object(cfg)) {
    dm_log_error("%s: malformed layer entry '%s'", L->src, name);
    return -1;
  }
  if (!strcmp(cls, "InputLayer")) return 0;
  if (!strcmp(cls, "Conv1D") || !strcmp(cls, "Convolution1D")) return add_conv(L, cfg, name);
  if (!strcmp(cls, "Dense")) return add_dense(L, cfg, name);
  if (!strcmp(cls, "Activation")) return add_activation(L, cfg_str(cfg, "activation", "?"), name);
  if (!strcmp(cls, "MaxPooling1D") || !strcmp(cls, "MaxPool1D"))
    return add_pool(L, cfg, name, DM_OP_MAXPOOL1D, cls);
  if (!strcmp(cls, "AveragePooling1D") || !strcmp(cls, "AvgPool1D"))
    return add_pool(L, cfg, name, DM_OP_AVGPOOL1D, cls);
  if (!strcmp(cls, "BatchNormalization")) return add_batchnorm(L, cfg, name);
  if (!strcmp(cls, "Dropout")) {
    push_layer(L, DM_OP_IDENTITY, name);
    return 0;
  }
  if (!strcmp(cls, "Flatten")) {
    dm_layer_t *ly = push_layer(L, DM_OP_IDENTITY, name);
    ly->out_len = 1;
    ly->out_ch = L->len * L->ch;
    L->len = 1;
    L->ch = ly->out_ch;
    L->flat = 1;
    return 0;
  }
  dm_log_error("%s: layer '%s': unsupported layer type %s", L->src, name, cls);
  return -1;
}

/* Input shape from the first entry's batch_input_shape: [null, len, ch]. */
static int input_shape(loader_t *L, json_t *layers) {
  json_t *first = json_array_get(layers, 0);
  json_t *shape = json_object_get(json_object_get(first, "config"), "batch_input_shape");
  if (json_array_size(shape) != 3 || !json_is_integer(json_array_get(shape, 1)) ||
      !json_is_integer(json_array_get(shape, 2))) {
    dm_log_error("%s: the first layer needs batch_input_shape [null, length, channels]", L->src);
    return -1;
  }
  L->len = (int)json_integer_value(json_array_get(shape, 1));
  L->ch = (int)json_integer_value(json_array_get(shape, 2));
  return L->len > 0 && L->ch > 0 ? 0 : -1;
}

/* Strips the output activation; checks the model ends in a vector of logits. */
static int finish(loader_t *L) {
  if (L->softmax_at >= 0 && L->softmax_at != L->n) {
    dm_log_error("%s: layer '%s': softmax is supported only as the output activation", L->src,
                 L->softmax_name);
    return -1;
  }
  if (L->softmax_at >= 0) {
    L->out_act = DM_OUT_SOFTMAX;
  } else if (L->n > 0 && L->layers[L->n - 1].op == DM_OP_SIGMOID) {
    L->out_act = DM_OUT_SIGMOID;
    L->n--;
  }
  if (L->n == 0 || L->len != 1) {
    dm_log_error("%s: the model output must be a vector of logits (got length %d)", L->src, L->len);
    return -1;
  }
  return 0;
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

static void free_layers(dm_layer_t *ls, int n) {
  for (int i = 0; i < n; i++) {
    free(ls[i].w);
    free(ls[i].wpos);
    free(ls[i].wneg);
    free(ls[i].b);
    free(ls[i].scale);
    free(ls[i].shift);
  }
  free(ls);
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
  loader_t L = {.src = weights_path ? weights_path : model_path, .wroot = -1, .softmax_at = -1};
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
  json_t *layers = json_object_get(root, "config");
  if (json_is_object(layers)) layers = json_object_get(layers, "layers");
  if (!cls || strcmp(cls, "Sequential") || !json_is_array(layers) || json_array_size(layers) == 0) {
    dm_log_error("%s: only Keras Sequential models are supported (class_name %s)", model_path,
                 cls ? cls : "missing");
    goto fail;
  }
  if (input_shape(&L, layers)) goto fail;
  int in_len = L.len, in_ch = L.ch;
  size_t i;
  json_t *ly;
  json_array_foreach(layers, i, ly) if (add_layer(&L, ly) || L.failed) goto fail;
  if (finish(&L)) goto fail;
  for (int k = 0; k < L.n; k++) {
    dm_layer_t *l = &L.layers[k];
    if (!l->w) continue;
    size_t nw = (size_t)(l->op == DM_OP_CONV1D ? l->kernel : 1) * l->in_ch * l->out_ch;
    l->wpos = dm_malloc("w+", sizeof(float) * nw);
    l->wneg = dm_malloc("w-", sizeof(float) * nw);
    for (size_t j = 0; j < nw; j++) {
      l->wpos[j] = l->w[j] > 0.0f ? l->w[j] : 0.0f;
      l->wneg[j] = l->w[j] < 0.0f ? l->w[j] : 0.0f;
    }
  }
  m = dm_calloc("model", 1, sizeof *m);
  m->n_layers = L.n;
  m->layers = L.layers;
  m->in_len = in_len;
  m->in_ch = in_ch;
  m->n_tasks = L.ch;
  m->out_act = L.out_act;
  m->source = dm_strdup("model source", L.src);
  L.layers = NULL;
fail:
  if (L.layers) free_layers(L.layers, L.n);
  json_decref(root);
  free(text);
  if (L.wroot >= 0) H5Gclose(L.wroot);
  if (f >= 0) H5Fclose(f);
  H5Eset_auto2(H5E_DEFAULT, efunc, edata);
  return m;
}

void dm_model_destroy(dm_model_t *m) {
  if (!m) return;
  free_layers(m->layers, m->n_layers);
  free(m->source);
  free(m);
}

void dm_model_activate(const dm_model_t *m, int n, const float *logits, float *pred) {
  int T = m->n_tasks;
  for (int b = 0; b < n; b++) {
    const float *z = logits + (size_t)b * T;
    float *p = pred + (size_t)b * T;
    if (m->out_act == DM_OUT_SIGMOID) {
      for (int t = 0; t < T; t++) p[t] = 1.0f / (1.0f + expf(-z[t]));
    } else if (m->out_act == DM_OUT_SOFTMAX) {
      float mx = z[0], s = 0.0f;
      for (int t = 1; t < T; t++) mx = fmaxf(mx, z[t]);
      for (int t = 0; t < T; t++) s += (p[t] = expf(z[t] - mx));
      for (int t = 0; t < T; t++) p[t] /= s;
    } else if (p != z) {
      memcpy(p, z, sizeof(float) * T);
    }
  }
}

size_t dm_model_max_size(const dm_model_t *m) {
  size_t mx = (size_t)m->in_len * m->in_ch;
  for (int i = 0; i < m->n_layers; i++)
    if (dm_ops_out_size(&m->layers[i]) > mx) mx = dm_ops_out_size(&m->layers[i]);
  return mx;
}

size_t dm_model_max_scratch(const dm_model_t *m) {
  size_t mx = 0;
  for (int i = 0; i < m->n_layers; i++)
    if (dm_ops_scratch_floats(&m->layers[i]) > mx) mx = dm_ops_scratch_floats(&m->layers[i]);
  return mx;
}
