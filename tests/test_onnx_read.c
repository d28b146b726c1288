/* test_onnx_read: the protobuf wire reader on hand-made messages, the ONNX
 * reader on the committed PyTorch exports (structure, attributes, weights
 * against the Keras twin's HDF5 written independently by h5py), clear errors
 * on truncated, corrupt and foreign files, and random corruptions that are
 * refused or loaded but never crash (run under ASan). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dm_onnx.h"
#include "dm_onnx_graph.h"
#include "dm_pb.h"
#include "dm_test.h"
#include "models_ref.h"

// --- wire format

static void check_pb(void) {
  /* field 1 varint 300; field 2 LEN "ab"; field 3 fixed32 1.5f; field 4 fixed64 -2.0; field 5 varint -1
   * (int64) */
  static const uint8_t msg[] = {0x08, 0xac, 0x02, 0x12, 0x02, 'a',  'b',  0x1d, 0x00, 0x00, 0xc0,
                                0x3f, 0x21, 0,    0,    0,    0,    0,    0,    0,    0xc0, 0x28,
                                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
  dm_pb_t m = dm_pb_view(msg, sizeof msg);
  dm_pb_field_t f;
  CHECK(dm_pb_next(&m, &f) == 1 && f.num == 1 && f.wire == DM_PB_VARINT && f.v == 300, "varint %llu",
        (unsigned long long)f.v);
  CHECK(
      dm_pb_next(&m, &f) == 1 && f.num == 2 && f.wire == DM_PB_LEN && f.len == 2 && !memcmp(f.data, "ab", 2),
      "len field");
  CHECK(dm_pb_next(&m, &f) == 1 && f.num == 3 && dm_pb_float(f.v) == 1.5f, "fixed32");
  CHECK(dm_pb_next(&m, &f) == 1 && f.num == 4 && dm_pb_double(f.v) == -2.0, "fixed64");
  CHECK(dm_pb_next(&m, &f) == 1 && f.num == 5 && (int64_t)f.v == -1, "negative varint");
  CHECK(dm_pb_next(&m, &f) == 0, "end");
  /* every strict prefix that cuts a field fails with a message, never reads past the end */
  static const size_t cuts[] = {2, 4, 6, 8, 15, 22, 31};
  for (size_t k = 0; k < sizeof cuts / sizeof *cuts; k++) {
    uint8_t *p = malloc(cuts[k]); /* exact-size copy: ASan catches any overread */
    memcpy(p, msg, cuts[k]);
    dm_pb_t t = dm_pb_view(p, cuts[k]);
    int rc;
    while ((rc = dm_pb_next(&t, &f)) > 0) {
    }
    CHECK(rc == -1 && strstr(t.err, "at byte"), "cut at %zu: rc %d err '%s'", cuts[k], rc, t.err);
    free(p);
  }
  static const uint8_t group[] = {0x0b}, zero[] = {0x00, 0x01},
                       huge_len[] = {0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f},
                       long_varint[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff,
                                        0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
  const struct {
    const uint8_t *b;
    size_t n;
    const char *want;
  } badmsg[] = {{group, sizeof group, "wire type"},
                {zero, sizeof zero, "field number"},
                {huge_len, sizeof huge_len, "past the end"},
                {long_varint, sizeof long_varint, "varint"}};
  for (int k = 0; k < 4; k++) {
    dm_pb_t t = dm_pb_view(badmsg[k].b, badmsg[k].n);
    CHECK(dm_pb_next(&t, &f) == -1 && strstr(t.err, badmsg[k].want), "bad message %d: '%s'", k, t.err);
  }
  static const uint8_t packed[] = {0x01, 0xac, 0x02, 0x7f};
  int64_t v[3];
  CHECK(dm_pb_packed_varints(packed, 4, v) == 3 && v[0] == 1 && v[1] == 300 && v[2] == 127, "packed varints");
  CHECK(dm_pb_packed_varints(packed, 2, NULL) == -1, "truncated packed varint");
  CHECK(dm_pb_packed_floats(packed, 3, NULL) == -1, "packed floats of 3 bytes");
}

// --- the committed models

static int count_op(const dm_onnx_model_t *m, const char *op) {
  int n = 0;
  for (int k = 0; k < m->n_nodes; k++) n += !strcmp(m->nodes[k].op_type, op);
  return n;
}

static void check_bpnet(void) {
  dm_onnx_model_t *m = dm_onnx_read(MODELS "bpnet.onnx");
  CHECK(m != NULL, "bpnet.onnx reads");
  if (!m) return;
  CHECK(m->opset == 14 && m->ir_version == 7, "opset %lld ir %lld", (long long)m->opset,
        (long long)m->ir_version);
  CHECK(m->n_inputs == 1 && !strcmp(m->inputs[0].name, "sequence") && m->inputs[0].ndim == 3 &&
            m->inputs[0].dims[1] == 4 && m->inputs[0].dims[2] == 200 &&
            m->inputs[0].elem_type == DM_ONNX_FLOAT,
        "input");
  CHECK(m->n_outputs == 2 && !strcmp(m->outputs[0].name, "profile") && !strcmp(m->outputs[1].name, "counts"),
        "outputs");
  CHECK(count_op(m, "Conv") == 6 && count_op(m, "Relu") == 5 && count_op(m, "Slice") == 5 &&
            count_op(m, "Add") == 4 && count_op(m, "Gemm") == 1 && count_op(m, "GlobalAveragePool") == 1 &&
            count_op(m, "Squeeze") == 2,
        "op counts");
  CHECK(m->n_inits == 14, "initializers %d", m->n_inits);
  /* node attributes: the second conv is dilated 2, valid */
  const dm_onnx_node_t *c1 = NULL;
  for (int k = 0, seen = 0; k < m->n_nodes && !c1; k++)
    if (!strcmp(m->nodes[k].op_type, "Conv") && seen++ == 1) c1 = &m->nodes[k];
  const dm_onnx_attr_t *dil = c1 ? dm_onnx_attr(c1, "dilations") : NULL,
                       *pads = c1 ? dm_onnx_attr(c1, "pads") : NULL;
  CHECK(dil && dil->type == DM_ONNX_ATTR_INTS && dil->n_ints == 1 && dil->ints[0] == 2, "dilations");
  CHECK(pads && pads->n_ints == 2 && pads->ints[0] == 0 && pads->ints[1] == 0, "pads");
  CHECK(c1 && c1->n_in == 3 && !strcmp(c1->in[1], "rconvs.0.weight"), "conv inputs");
  /* Constant nodes carry int64 tensors (Slice bounds) */
  int consts = 0;
  for (int k = 0; k < m->n_nodes; k++) {
    const dm_onnx_node_t *nd = &m->nodes[k];
    if (strcmp(nd->op_type, "Constant")) continue;
    const dm_onnx_attr_t *v = dm_onnx_attr(nd, "value");
    consts += v && v->type == DM_ONNX_ATTR_TENSOR && v->t->i && v->t->n == 1;
  }
  CHECK(consts == count_op(m, "Constant"), "constants %d", consts);
  /* weights equal the Keras twin's (h5py wrote them from the same torch tensors): conv (out,in,k) vs
   * (k,in,out) */
  const dm_onnx_tensor_t *w = dm_onnx_init(m, "rconvs.2.weight");
  float *kw = mref_read(MODELS "bpnet_keras.h5", "model_weights/rconv2/rconv2/kernel:0", 3 * 32 * 32);
  CHECK(w && kw && w->ndim == 3 && w->dims[0] == 32 && w->dims[1] == 32 && w->dims[2] == 3,
        "rconvs.2.weight");
  int diff = 0;
  for (int o = 0; w && kw && o < 32; o++)
    for (int i = 0; i < 32; i++)
      for (int k = 0; k < 3; k++) diff += w->f[(o * 32 + i) * 3 + k] != kw[(k * 32 + i) * 32 + o];
  CHECK(diff == 0, "%d weights differ from the Keras twin", diff);
  free(kw);
  const dm_onnx_tensor_t *lb = dm_onnx_init(m, "linear.bias");
  float *kb = mref_read(MODELS "bpnet_keras.h5", "model_weights/counts/counts/bias:0", 1);
  CHECK(lb && kb && lb->n == 1 && lb->f[0] == kb[0], "linear.bias");
  free(kb);
  dm_onnx_destroy(m);
}

static void check_zoo(void) {
  const struct {
    const char *file;
    int64_t opset;
    const char *ops;
  } zoo[] = {
      {"zoo_basset.onnx", 13, "BatchNormalization Conv Flatten Gemm MaxPool Relu Sigmoid"},
      {"zoo_chrombpnet_lite.onnx", 17,
       "Add Concat Constant Conv Gather Gemm LogSoftmax ReduceMean Relu Slice Transpose"},
      {"zoo_matmul_head.onnx", 14,
       "Add AveragePool Constant Conv Gemm MatMul Mul Pad Relu Reshape Softmax Squeeze Sub Transpose "
       "Unsqueeze"},
  };
  for (int z = 0; z < 3; z++) {
    char path[512];
    snprintf(path, sizeof path, MODELS "%s", zoo[z].file);
    dm_onnx_model_t *m = dm_onnx_read(path);
    CHECK(m && m->opset == zoo[z].opset, "%s reads", zoo[z].file);
    if (!m) continue;
    char ops[512];
    snprintf(ops, sizeof ops, "%s", zoo[z].ops);
    int n_listed = 0;
    for (char *tok = strtok(ops, " "); tok; tok = strtok(NULL, " ")) {
      n_listed += count_op(m, tok);
      CHECK(count_op(m, tok) > 0, "%s: no %s", zoo[z].file, tok);
    }
    CHECK(n_listed == m->n_nodes, "%s: %d of %d nodes of the listed ops", zoo[z].file, n_listed, m->n_nodes);
    dm_onnx_destroy(m);
  }
}

// --- bad files

static int write_file(const char *path, const uint8_t *b, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t w = fwrite(b, 1, n, f);
  return fclose(f) || w != n ? -1 : 0;
}

static uint8_t *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  *n = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *b = malloc(*n);
  size_t r = fread(b, 1, *n, f);
  fclose(f);
  if (r != *n) {
    free(b);
    return NULL;
  }
  return b;
}

static void check_bad(void) {
  char tmp[] = "/tmp/dm_onnx_XXXXXX";
  int fd = mkstemp(tmp);
  CHECK(fd >= 0, "temp file");
  if (fd < 0) return;
  close(fd);
  size_t n = 0;
  uint8_t *b = slurp(MODELS "zoo_chrombpnet_lite.onnx", &n);
  CHECK(b != NULL, "read zoo_chrombpnet_lite.onnx");
  if (!b) return;
  /* truncations: the first 256 lengths, then every 61st, then the last 64 */
  int tried = 0, failed = 0;
  for (size_t len = 0; len < n; len += len < 256 || len + 64 >= n ? 1 : 61) {
    if (write_file(tmp, b, len)) break;
    dm_onnx_model_t *m = dm_onnx_read(tmp);
    tried++;
    failed += m == NULL;
    dm_onnx_destroy(m);
  }
  CHECK(tried > 300 && failed == tried, "%d of %d truncated files refused", failed, tried);
  /* corruptions at known places: the ModelProto's graph length, a raw_data length, a wire type */
  uint8_t *c = malloc(n);
  size_t gpos = 0; /* offset of the key of ModelProto field 7 (graph) */
  dm_pb_t top = dm_pb_view(b, n);
  dm_pb_field_t f;
  for (const uint8_t *at = top.p; dm_pb_next(&top, &f) > 0 && !gpos; at = top.p)
    if (f.num == 7) gpos = (size_t)(at - b);
  CHECK(gpos > 0 && b[gpos] == 0x3a, "graph field at %zu", gpos);
  memcpy(c, b, n);
  c[gpos + 1] = 0xff, c[gpos + 2] = 0xff, c[gpos + 3] = 0x7f; /* graph length beyond the file */
  CHECK(!write_file(tmp, c, n), "write");
  dm_onnx_model_t *m = dm_onnx_read(tmp);
  CHECK(m == NULL, "graph length beyond the end refused");
  dm_onnx_destroy(m);
  memcpy(c, b, n);
  c[0] = 0x0b; /* field 1 as a group */
  CHECK(!write_file(tmp, c, n), "write");
  m = dm_onnx_read(tmp);
  CHECK(m == NULL, "group wire type refused");
  dm_onnx_destroy(m);
  free(c);
  /* random byte corruptions (seeded): the reader and the graph mapping refuse
   * or accept, never read out of bounds (this test runs under ASan) */
  uint8_t *r = malloc(n);
  unsigned seed = 12345;
  int refused = 0, trials = 300;
  dm_log_init(0, -1); /* quiet: hundreds of expected errors */
  for (int k = 0; k < trials; k++) {
    memcpy(r, b, n);
    for (int j = 0; j < 1 + k % 4; j++) {
      seed = seed * 1103515245u + 12345u;
      size_t at = (seed >> 8) % n;
      seed = seed * 1103515245u + 12345u;
      r[at] = (uint8_t)(seed >> 16);
    }
    if (write_file(tmp, r, n)) break;
    dm_model_t *g = dm_onnx_load(tmp);
    refused += g == NULL;
    dm_graph_destroy(g);
  }
  dm_log_init(0, DM_LOG_ERROR);
  printf("random corruptions: %d of %d refused, the rest loaded\n", refused, trials);
  CHECK(refused > 0, "no corruption refused");
  free(r);

  /* foreign files */
  const char *foreign[] = {MODELS "bpnet_keras.h5", MODELS "bpnet_keras.json", MODELS "PROVENANCE.txt",
                           MODELS "does_not_exist.onnx"};
  for (int k = 0; k < 4; k++) {
    m = dm_onnx_read(foreign[k]);
    CHECK(m == NULL, "%s refused", foreign[k]);
    dm_onnx_destroy(m);
    CHECK(!dm_onnx_sniff(foreign[k]), "%s is not ONNX", foreign[k]);
  }
  free(b);
  CHECK(dm_onnx_sniff(MODELS "bpnet.onnx") && dm_onnx_sniff(MODELS "zoo_basset.onnx"), "sniff ONNX");
  unlink(tmp);
}

int main(void) {
  dm_log_init(0, DM_LOG_ERROR);
  check_pb();
  check_bpnet();
  check_zoo();
  check_bad();
  return dm_test_summary("test_onnx_read");
}
