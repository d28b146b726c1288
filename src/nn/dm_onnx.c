/* dm_onnx: ONNX ModelProto reader (see dm_onnx.h). */
#include "dm_onnx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm_mem.h"
#include "dm_pb.h"

/* Parse context: file name and the path of the message being read. */
typedef struct {
  const char *src;
  char path[160];
} ctx_t;

static int parse_error(const ctx_t *c, const char *what) {
  dm_log_error("%s: not a valid ONNX model: %s: %s", c->src, c->path[0] ? c->path : "ModelProto", what);
  return -1;
}

/* Appends "." name or "[i]" to the path; returns the old length to restore. */
static size_t enter(ctx_t *c, const char *name, int index) {
  size_t at = strlen(c->path);
  if (index >= 0)
    snprintf(c->path + at, sizeof c->path - at, "%s%s[%d]", at ? "." : "", name, index);
  else
    snprintf(c->path + at, sizeof c->path - at, "%s%s", at ? "." : "", name);
  return at;
}

static void leave(ctx_t *c, size_t at) { c->path[at] = 0; }

static char *str_of(const dm_pb_field_t *f) {
  char *s = dm_malloc("onnx string", f->len + 1);
  memcpy(s, f->data, f->len);
  s[f->len] = 0;
  return s;
}

/* Grows *arr (of *n elements of size sz) by one zeroed element; returns it. */
static void *push(void **arr, int *n, size_t sz) {
  if ((*n & (*n - 1)) == 0) *arr = dm_realloc("onnx list", *arr, sz * (size_t)(*n ? 2 * *n : 1));
  char *e = (char *)*arr + sz * (size_t)*n;
  memset(e, 0, sz);
  (*n)++;
  return e;
}

/* Walks the fields of a message; on a malformed field logs and returns -1. */
#define FOR_FIELDS(m, f, rc) for (; ((rc) = dm_pb_next(&(m), &(f))) > 0;)
#define END_FIELDS(c, m, rc) \
  if ((rc) < 0) return parse_error((c), (m).err)

static int want(const ctx_t *c, const dm_pb_field_t *f, int wire, const char *field) {
  if (f->wire == wire) return 0;
  char msg[96];
  snprintf(msg, sizeof msg, "field %s (%u) has wire type %d, expected %d", field, f->num, f->wire, wire);
  return parse_error(c, msg);
}

/* A string field into *dst (replacing an earlier value). */
static int set_str(ctx_t *c, const dm_pb_field_t *f, char **dst, const char *field) {
  if (want(c, f, DM_PB_LEN, field)) return -1;
  free(*dst);
  *dst = str_of(f);
  return 0;
}

/* Reads the length-delimited field f as a sub-message with read into dst;
 * messages name it (index i of a repeated field, or -1). */
typedef int (*read_fn)(ctx_t *c, const uint8_t *buf, size_t len, void *dst);
static int sub(ctx_t *c, const dm_pb_field_t *f, const char *name, int i, read_fn read, void *dst) {
  if (want(c, f, DM_PB_LEN, name)) return -1;
  size_t at = enter(c, name, i);
  int e = read(c, f->data, f->len, dst);
  leave(c, at);
  return e;
}

// --- TensorProto

/* Appends a repeated numeric field (packed or not) to a growing array of int64 or float. */
static int add_varints(ctx_t *c, const dm_pb_field_t *f, int64_t **arr, int64_t *n, const char *field) {
  if (f->wire == DM_PB_VARINT) {
    *arr = dm_realloc("onnx ints", *arr, sizeof **arr * (size_t)(*n + 1));
    (*arr)[(*n)++] = (int64_t)f->v;
    return 0;
  }
  if (want(c, f, DM_PB_LEN, field)) return -1;
  long k = dm_pb_packed_varints(f->data, f->len, NULL);
  if (k < 0) return parse_error(c, "malformed packed integers");
  *arr = dm_realloc("onnx ints", *arr, sizeof **arr * (size_t)(*n + k + 1));
  if (dm_pb_packed_varints(f->data, f->len, *arr + *n) != k)
    return parse_error(c, "malformed packed integers");
  *n += k;
  return 0;
}

static int add_floats(ctx_t *c, const dm_pb_field_t *f, float **arr, int64_t *n, const char *field, int dbl) {
  int wire1 = dbl ? DM_PB_I64 : DM_PB_I32;
  if (f->wire == wire1) {
    *arr = dm_realloc("onnx floats", *arr, sizeof **arr * (size_t)(*n + 1));
    (*arr)[(*n)++] = dbl ? (float)dm_pb_double(f->v) : dm_pb_float(f->v);
    return 0;
  }
  if (want(c, f, DM_PB_LEN, field)) return -1;
  size_t w = dbl ? 8 : 4;
  if (f->len % w)
    return parse_error(c, "packed floats of a length that is not a multiple of the element size");
  int64_t k = (int64_t)(f->len / w);
  *arr = dm_realloc("onnx floats", *arr, sizeof **arr * (size_t)(*n + k + 1));
  for (int64_t j = 0; j < k; j++) {
    uint64_t bits = 0;
    for (int b = (int)w - 1; b >= 0; b--) bits = bits << 8 | f->data[j * w + b];
    (*arr)[*n + j] = dbl ? (float)dm_pb_double(bits) : dm_pb_float(bits);
  }
  *n += k;
  return 0;
}

static int is_int_type(int t) {
  return t == 2 || t == 3 || t == 4 || t == 5 || t == 6 || t == 7 || t == 9 || t == 12 || t == 13;
}

/* Element size of raw_data for a type, 0 if unsupported. */
static int raw_size(int t) {
  switch (t) {
    case DM_ONNX_FLOAT:
    case 6:
    case 12:
      return 4;
    case DM_ONNX_DOUBLE:
    case 7:
    case 13:
      return 8;
    case 2:
    case 3:
    case 9:
      return 1;
    case 4:
    case 5:
      return 2;
    default:
      return 0;
  }
}

static void free_tensor(dm_onnx_tensor_t *t) {
  if (!t) return;
  free(t->name);
  free(t->f);
  free(t->i);
}

static int read_tensor(ctx_t *c, const uint8_t *buf, size_t len, void *dst) {
  dm_onnx_tensor_t *t = dst;
  dm_pb_t m = dm_pb_view(buf, len);
  dm_pb_field_t f;
  int rc;
  const uint8_t *raw = NULL;
  size_t raw_len = 0;
  int64_t *dims = NULL, nd = 0, nf = 0, ni = 0;
  int external = 0;
  t->dtype = 0;
  FOR_FIELDS(m, f, rc) {
    int e = 0;
    switch (f.num) {
      case 1:
        e = add_varints(c, &f, &dims, &nd, "dims");
        break;
      case 2:
        e = want(c, &f, DM_PB_VARINT, "data_type");
        t->dtype = (int)f.v;
        break;
      case 4:
        e = add_floats(c, &f, &t->f, &nf, "float_data", 0);
        break;
      case 10:
        e = add_floats(c, &f, &t->f, &nf, "double_data", 1);
        break;
      case 5:
      case 7:
        e = add_varints(c, &f, &t->i, &ni, f.num == 5 ? "int32_data" : "int64_data");
        break;
      case 8:
        e = set_str(c, &f, &t->name, "name");
        break;
      case 9:
        e = want(c, &f, DM_PB_LEN, "raw_data");
        raw = f.data;
        raw_len = f.len;
        break;
      case 14:
        e = want(c, &f, DM_PB_VARINT, "data_location");
        external = f.v == 1;
        break;
      default:
        break;
    }
    if (e) goto fail;
  }
  if (rc < 0) {
    parse_error(c, m.err);
    goto fail;
  }
  if (!t->name) t->name = dm_strdup("onnx name", "");
  if (nd > DM_ONNX_MAX_DIMS) {
    parse_error(c, "tensor has more than 8 dimensions");
    goto fail;
  }
  t->ndim = (int)nd;
  t->n = 1;
  for (int k = 0; k < nd; k++) {
    if (dims[k] < 0 || (dims[k] > 0 && t->n > INT64_MAX / dims[k] / 8)) {
      parse_error(c, "tensor has a negative or huge dimension");
      goto fail;
    }
    t->dims[k] = dims[k];
    t->n *= dims[k];
  }
  free(dims);
  dims = NULL;
  if (external) {
    char msg[160];
    snprintf(msg, sizeof msg, "tensor '%s' keeps its data in an external file (not supported)", t->name);
    parse_error(c, msg);
    goto fail;
  }
  int fl = t->dtype == DM_ONNX_FLOAT || t->dtype == DM_ONNX_DOUBLE;
  if (!fl && !is_int_type(t->dtype)) {
    char msg[96];
    snprintf(msg, sizeof msg, "tensor '%s' has unsupported data type %d", t->name, t->dtype);
    parse_error(c, msg);
    goto fail;
  }
  if (raw) {
    int w = raw_size(t->dtype);
    if ((int64_t)raw_len != t->n * w) {
      char msg[160];
      snprintf(msg, sizeof msg, "tensor '%s': raw_data has %zu bytes, dims and type need %lld", t->name,
               raw_len, (long long)(t->n * w));
      parse_error(c, msg);
      goto fail;
    }
    free(t->f);
    free(t->i);
    t->f = NULL;
    t->i = NULL;
    if (fl)
      t->f = dm_malloc("onnx tensor", sizeof(float) * (size_t)(t->n + 1));
    else
      t->i = dm_malloc("onnx tensor", sizeof(int64_t) * (size_t)(t->n + 1));
    for (int64_t j = 0; j < t->n; j++) {
      uint64_t bits = 0;
      for (int b = w - 1; b >= 0; b--) bits = bits << 8 | raw[j * w + b];
      if (t->dtype == DM_ONNX_FLOAT)
        t->f[j] = dm_pb_float(bits);
      else if (t->dtype == DM_ONNX_DOUBLE)
        t->f[j] = (float)dm_pb_double(bits);
      else if (t->dtype == 3)
        t->i[j] = (int8_t)bits; /* INT8 */
      else if (t->dtype == 5)
        t->i[j] = (int16_t)bits; /* INT16 */
      else if (t->dtype == 6)
        t->i[j] = (int32_t)bits; /* INT32 */
      else
        t->i[j] = (int64_t)bits;
    }
  } else {
    int64_t have = fl ? nf : ni;
    if (have != t->n || (fl ? ni : nf) != 0) {
      char msg[160];
      snprintf(msg, sizeof msg, "tensor '%s': %lld values stored, dims need %lld", t->name, (long long)have,
               (long long)t->n);
      parse_error(c, msg);
      goto fail;
    }
    if (fl && !t->f) t->f = dm_malloc("onnx tensor", sizeof(float));
    if (!fl && !t->i) t->i = dm_malloc("onnx tensor", sizeof(int64_t));
    if (t->dtype == 6)
      for (int64_t j = 0; j < t->n; j++) t->i[j] = (int32_t)t->i[j];
  }
  return 0;
fail:
  free(dims);
  return -1;
}

// --- AttributeProto, NodeProto

static int read_graph(ctx_t *c, const uint8_t *buf, size_t len, void *dst);

static int read_attr(ctx_t *c, const uint8_t *buf, size_t len, void *dst) {
  dm_onnx_attr_t *a = dst;
  dm_pb_t m = dm_pb_view(buf, len);
  dm_pb_field_t f;
  int rc, e;
  int64_t nf = 0, ni = 0;
  int seen = 0;
  FOR_FIELDS(m, f, rc) {
    e = 0;
    switch (f.num) {
      case 1:
        e = set_str(c, &f, &a->name, "name");
        break;
      case 20:
        e = want(c, &f, DM_PB_VARINT, "type");
        a->type = (int)f.v;
        break;
      case 2:
        e = want(c, &f, DM_PB_I32, "f");
        a->f = dm_pb_float(f.v);
        seen = DM_ONNX_ATTR_FLOAT;
        break;
      case 3:
        e = want(c, &f, DM_PB_VARINT, "i");
        a->i = (int64_t)f.v;
        seen = DM_ONNX_ATTR_INT;
        break;
      case 4:
        e = set_str(c, &f, &a->s, "s");
        seen = DM_ONNX_ATTR_STRING;
        break;
      case 5:
        if (!a->t) a->t = dm_calloc("onnx tensor", 1, sizeof *a->t);
        e = sub(c, &f, "t", -1, read_tensor, a->t);
        seen = DM_ONNX_ATTR_TENSOR;
        break;
      case 6:
        if (!a->g) a->g = dm_calloc("onnx subgraph", 1, sizeof *a->g);
        e = sub(c, &f, "g", -1, read_graph, a->g);
        seen = DM_ONNX_ATTR_GRAPH;
        break;
      case 7:
        e = add_floats(c, &f, &a->floats, &nf, "floats", 0);
        seen = DM_ONNX_ATTR_FLOATS;
        break;
      case 8:
        e = add_varints(c, &f, &a->ints, &ni, "ints");
        seen = DM_ONNX_ATTR_INTS;
        break;
      default:
        break;
    }
    if (e) return -1;
  }
  END_FIELDS(c, m, rc);
  if (!a->name) return parse_error(c, "attribute without a name");
  if (!a->type) a->type = seen;
  a->n_floats = (int)nf;
  a->n_ints = (int)ni;
  return 0;
}

static int add_name(ctx_t *c, const dm_pb_field_t *f, char ***arr, int *n, const char *field) {
  if (want(c, f, DM_PB_LEN, field)) return -1;
  char **slot = push((void **)arr, n, sizeof **arr);
  *slot = str_of(f);
  return 0;
}

static int read_node(ctx_t *c, const uint8_t *buf, size_t len, void *dst) {
  dm_onnx_node_t *nd = dst;
  dm_pb_t m = dm_pb_view(buf, len);
  dm_pb_field_t f;
  int rc, e, i;
  FOR_FIELDS(m, f, rc) {
    e = 0;
    switch (f.num) {
      case 1:
        e = add_name(c, &f, &nd->in, &nd->n_in, "input");
        break;
      case 2:
        e = add_name(c, &f, &nd->out, &nd->n_out, "output");
        break;
      case 3:
        e = set_str(c, &f, &nd->name, "name");
        break;
      case 4:
        e = set_str(c, &f, &nd->op_type, "op_type");
        break;
      case 7:
        e = set_str(c, &f, &nd->domain, "domain");
        break;
      case 5:
        i = nd->n_attr;
        e = sub(c, &f, "attribute", i, read_attr, push((void **)&nd->attr, &nd->n_attr, sizeof *nd->attr));
        break;
      default:
        break;
    }
    if (e) return -1;
  }
  END_FIELDS(c, m, rc);
  if (!nd->op_type) return parse_error(c, "node without op_type");
  if (!nd->name) nd->name = dm_strdup("onnx name", "");
  if (!nd->domain) nd->domain = dm_strdup("onnx name", "");
  return 0;
}

// --- ValueInfoProto

static int read_shape(ctx_t *c, const uint8_t *buf, size_t len, dm_onnx_value_t *v) {
  dm_pb_t m = dm_pb_view(buf, len);
  dm_pb_field_t f;
  int rc;
  FOR_FIELDS(m, f, rc) {
    if (f.num != 1) continue;
    if (want(c, &f, DM_PB_LEN, "dim")) return -1;
    if (v->ndim == DM_ONNX_MAX_DIMS) return parse_error(c, "more than 8 dimensions");
    int64_t d = -1;
    dm_pb_t dm = dm_pb_view(f.data, f.len);
    dm_pb_field_t g;
    int rc2;
    FOR_FIELDS(dm, g, rc2) if (g.num == 1 && g.wire == DM_PB_VARINT) d = (int64_t)g.v;
    END_FIELDS(c, dm, rc2);
    v->dims[v->ndim++] = d;
  }
  END_FIELDS(c, m, rc);
  return 0;
}

static int read_value(ctx_t *c, const uint8_t *buf, size_t len, void *dst) {
  dm_onnx_value_t *v = dst;
  dm_pb_t m = dm_pb_view(buf, len);
  dm_pb_field_t f;
  int rc;
  v->ndim = -1; /* unknown until a shape is read */
  FOR_FIELDS(m, f, rc) {
    if (f.num == 1) {
      if (set_str(c, &f, &v->name, "name")) return -1;
    } else if (f.num == 2) { /* TypeProto */
      if (want(c, &f, DM_PB_LEN, "type")) return -1;
      dm_pb_t tm = dm_pb_view(f.data, f.len);
      dm_pb_field_t g;
      int rc2;
      FOR_FIELDS(tm, g, rc2) {
        if (g.num != 1) continue; /* tensor_type */
        if (want(c, &g, DM_PB_LEN, "tensor_type")) return -1;
        dm_pb_t ttm = dm_pb_view(g.data, g.len);
        dm_pb_field_t h;
        int rc3;
        FOR_FIELDS(ttm, h, rc3) {
          if (h.num == 1 && h.wire == DM_PB_VARINT) v->elem_type = (int)h.v;
          if (h.num == 2) {
            if (want(c, &h, DM_PB_LEN, "shape")) return -1;
            v->ndim = 0;
            if (read_shape(c, h.data, h.len, v)) return -1;
          }
        }
        END_FIELDS(c, ttm, rc3);
      }
      END_FIELDS(c, tm, rc2);
    }
  }
  END_FIELDS(c, m, rc);
  if (!v->name) v->name = dm_strdup("onnx name", "");
  return 0;
}

// --- GraphProto, ModelProto

static int read_graph(ctx_t *c, const uint8_t *buf, size_t len, void *dst) {
  dm_onnx_model_t *o = dst;
  dm_pb_t m = dm_pb_view(buf, len);
  dm_pb_field_t f;
  int rc, e, i;
  FOR_FIELDS(m, f, rc) {
    e = 0;
    switch (f.num) {
      case 1:
        i = o->n_nodes;
        e = sub(c, &f, "node", i, read_node, push((void **)&o->nodes, &o->n_nodes, sizeof *o->nodes));
        break;
      case 2:
        e = set_str(c, &f, &o->graph_name, "name");
        break;
      case 5:
        i = o->n_inits;
        e = sub(c, &f, "initializer", i, read_tensor,
                push((void **)&o->inits, &o->n_inits, sizeof *o->inits));
        break;
      case 11:
      case 12:
      case 13: {
        dm_onnx_value_t **arr = f.num == 11 ? &o->inputs : f.num == 12 ? &o->outputs : &o->infos;
        int *n = f.num == 11 ? &o->n_inputs : f.num == 12 ? &o->n_outputs : &o->n_infos;
        i = *n;
        e = sub(c, &f,
                f.num == 11   ? "input"
                : f.num == 12 ? "output"
                              : "value_info",
                i, read_value, push((void **)arr, n, sizeof **arr));
        break;
      }
      default:
        break;
    }
    if (e) return -1;
  }
  END_FIELDS(c, m, rc);
  return 0;
}

static int read_opset(ctx_t *c, const uint8_t *buf, size_t len, void *dst) {
  dm_onnx_model_t *o = dst;
  dm_pb_t m = dm_pb_view(buf, len);
  dm_pb_field_t f;
  int rc, dflt = 1;
  int64_t version = 0;
  FOR_FIELDS(m, f, rc) {
    if (f.num == 1 && f.wire == DM_PB_LEN) dflt = f.len == 0 || (f.len == 7 && !memcmp(f.data, "ai.onnx", 7));
    if (f.num == 2 && f.wire == DM_PB_VARINT) version = (int64_t)f.v;
  }
  END_FIELDS(c, m, rc);
  if (dflt) o->opset = version;
  return 0;
}

static int read_model(ctx_t *c, const uint8_t *buf, size_t len, dm_onnx_model_t *o) {
  dm_pb_t m = dm_pb_view(buf, len);
  dm_pb_field_t f;
  int rc, e, graphs = 0;
  FOR_FIELDS(m, f, rc) {
    e = 0;
    switch (f.num) {
      case 1:
        e = want(c, &f, DM_PB_VARINT, "ir_version");
        o->ir_version = (int64_t)f.v;
        break;
      case 8:
        e = sub(c, &f, "opset_import", -1, read_opset, o);
        break;
      case 7:
        e = sub(c, &f, "graph", -1, read_graph, o);
        graphs++;
        break;
      default:
        break;
    }
    if (e) return -1;
  }
  END_FIELDS(c, m, rc);
  if (o->ir_version < 1 || o->ir_version > 100) return parse_error(c, "no plausible ir_version");
  if (graphs != 1) return parse_error(c, "no graph");
  if (o->opset < 1) return parse_error(c, "no opset_import of the default domain (truncated file?)");
  if (o->n_nodes == 0 || o->n_inputs == 0 || o->n_outputs == 0)
    return parse_error(c, "the graph has no nodes, inputs or outputs");
  return 0;
}

// --- public API

static uint8_t *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, n = 0, k;
  uint8_t *buf = dm_malloc("onnx file", cap);
  while ((k = fread(buf + n, 1, cap - n, f)) > 0) {
    n += k;
    if (n == cap) buf = dm_realloc("onnx file", buf, cap *= 2);
  }
  int err = ferror(f);
  fclose(f);
  if (err) {
    free(buf);
    return NULL;
  }
  *len = n;
  return buf;
}

dm_onnx_model_t *dm_onnx_read(const char *path) {
  size_t len = 0;
  uint8_t *buf = slurp(path, &len);
  if (!buf) {
    dm_log_error("%s: cannot read the file", path);
    return NULL;
  }
  ctx_t c = {.src = path};
  dm_onnx_model_t *o = dm_calloc("onnx model", 1, sizeof *o);
  o->source = dm_strdup("onnx source", path);
  if (read_model(&c, buf, len, o)) {
    dm_onnx_destroy(o);
    o = NULL;
  }
  free(buf);
  return o;
}

int dm_onnx_sniff(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  uint8_t b[2] = {0, 0};
  size_t n = fread(b, 1, 2, f);
  fclose(f);
  /* ModelProto as written by onnx/torch starts with ir_version: key 0x08, varint < 128 */
  return n == 2 && b[0] == 0x08 && b[1] >= 1 && b[1] < 0x80;
}

void dm_onnx_destroy(dm_onnx_model_t *o) {
  if (!o) return;
  for (int k = 0; k < o->n_nodes; k++) {
    dm_onnx_node_t *nd = &o->nodes[k];
    for (int j = 0; j < nd->n_in; j++) free(nd->in[j]);
    for (int j = 0; j < nd->n_out; j++) free(nd->out[j]);
    for (int j = 0; j < nd->n_attr; j++) {
      dm_onnx_attr_t *a = &nd->attr[j];
      free(a->name);
      free(a->s);
      free_tensor(a->t);
      free(a->t);
      dm_onnx_destroy(a->g);
      free(a->floats);
      free(a->ints);
    }
    free(nd->in);
    free(nd->out);
    free(nd->attr);
    free(nd->name);
    free(nd->op_type);
    free(nd->domain);
  }
  for (int k = 0; k < o->n_inits; k++) free_tensor(&o->inits[k]);
  dm_onnx_value_t *lists[3] = {o->inputs, o->outputs, o->infos};
  int ns[3] = {o->n_inputs, o->n_outputs, o->n_infos};
  for (int l = 0; l < 3; l++) {
    for (int k = 0; k < ns[l]; k++) free(lists[l][k].name);
    free(lists[l]);
  }
  free(o->nodes);
  free(o->inits);
  free(o->graph_name);
  free(o->source);
  free(o);
}

const dm_onnx_attr_t *dm_onnx_attr(const dm_onnx_node_t *n, const char *name) {
  for (int k = 0; k < n->n_attr; k++)
    if (!strcmp(n->attr[k].name, name)) return &n->attr[k];
  return NULL;
}

const dm_onnx_tensor_t *dm_onnx_init(const dm_onnx_model_t *m, const char *name) {
  for (int k = 0; k < m->n_inits; k++)
    if (!strcmp(m->inits[k].name, name)) return &m->inits[k];
  return NULL;
}
