/* test_nn_graph: models as DAGs.
 *  - a BPNet-like graph (dilated residual convolutions with Cropping and Add,
 *    a cropped profile head, global average/max pooling, Concatenate, Dense,
 *    Subtract, Transpose and Reshape; tensors read by several nodes; three
 *    outputs) built with the dm_graph API: forward against a naive double
 *    evaluator, backward from any subset of outputs against central finite
 *    differences of it;
 *  - the same network written as a Keras functional full-model HDF5 (and as
 *    JSON + weights): loads with its outputs and activations, and computes
 *    bit for bit what the API-built graph computes;
 *  - DeepLIFT (every rule set) and integrated gradients on the graph:
 *    summation-to-delta for unit, counts and profile targets on every output;
 *  - a ChromBPNet-like functional model of 1000 bp with a cropped, flattened
 *    profile head (tests/data/long_model, tools/gen_long_model.py): its
 *    outputs equal the generator's numpy forward pass;
 *  - Keras 3 style inbound nodes; two inputs (the second fed zeros);
 *  - the builder and the loader refuse bad graphs, naming the node. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dm_methods.h"
#include "dm_test.h"
#include "nn_fixture.h"
#include "nn_naive.h"

#define LEN 24

static char h5_path[] = "/tmp/test_nn_graph_XXXXXX";

// --- weights shared by the API graph and the Keras file

typedef struct {
  const char *layer;
  int rank;
  hsize_t kd[3]; /* kernel dims (Keras layout) */
  int units;
  float *k, *b;
} wspec_t;

static wspec_t W[] = {
    {"c1", 3, {5, 4, 6}, 6, 0, 0},  {"c2", 3, {3, 6, 6}, 6, 0, 0},  {"c3", 3, {3, 6, 6}, 6, 0, 0},
    {"cp", 3, {5, 6, 2}, 2, 0, 0},  {"d1", 2, {12, 4, 0}, 4, 0, 0}, {"counts", 2, {4, 1, 0}, 1, 0, 0},
    {"x1", 2, {12, 3, 0}, 3, 0, 0}, {"x2", 2, {12, 3, 0}, 3, 0, 0}, {"tr", 2, {96, 2, 0}, 2, 0, 0},
};
#define NW ((int)(sizeof W / sizeof *W))

static void make_weights(void) {
  for (int i = 0; i < NW; i++) {
    size_t n = W[i].kd[0] * W[i].kd[1] * (W[i].rank == 3 ? W[i].kd[2] : 1);
    W[i].k = malloc(sizeof(float) * n);
    W[i].b = malloc(sizeof(float) * W[i].units);
    for (size_t e = 0; e < n; e++) W[i].k[e] = (float)(0.6 * sin(1.3 * e + 7.1 * i));
    for (int e = 0; e < W[i].units; e++) W[i].b[e] = (float)(0.1 * cos(2.0 * e + i));
  }
}

static wspec_t *wget(const char *layer) {
  for (int i = 0; i < NW; i++)
    if (!strcmp(W[i].layer, layer)) return &W[i];
  return NULL;
}

static float *fdup(const float *a, size_t n) {
  float *c = malloc(sizeof(float) * n);
  memcpy(c, a, sizeof(float) * n);
  return c;
}

// --- the graph through the API

static int conv(dm_model_t *g, const char *name, int in, int kernel, int dil, int pad, int relu) {
  wspec_t *w = wget(name);
  dm_node_spec_t s = {.op = DM_OP_CONV1D,
                      .name = name,
                      .n_in = 1,
                      .in = {in},
                      .units = w->units,
                      .kernel = kernel,
                      .dilation = dil,
                      .pad_left = pad,
                      .pad_right = pad,
                      .w = fdup(w->k, w->kd[0] * w->kd[1] * w->kd[2]),
                      .b = fdup(w->b, w->units)};
  int t = dm_graph_add_node(g, &s);
  if (!relu || t < 0) return t;
  char an[80];
  snprintf(an, sizeof an, "%s/activation", name);
  dm_node_spec_t r = {.op = DM_OP_RELU, .name = an, .n_in = 1, .in = {t}};
  return dm_graph_add_node(g, &r);
}

static int dense(dm_model_t *g, const char *name, int in) {
  wspec_t *w = wget(name);
  dm_node_spec_t s = {.op = DM_OP_DENSE,
                      .name = name,
                      .n_in = 1,
                      .in = {in},
                      .units = w->units,
                      .w = fdup(w->k, w->kd[0] * w->kd[1]),
                      .b = fdup(w->b, w->units)};
  return dm_graph_add_node(g, &s);
}

static int node(dm_model_t *g, dm_op_t op, const char *name, int n_in, int a, int b, int start, int stop) {
  dm_node_spec_t s = {.op = op, .name = name, .n_in = n_in, .in = {a, b}, .start = start, .stop = stop};
  return dm_graph_add_node(g, &s);
}

/* extra: also a Transpose -> Reshape -> Dense output "tr" (not expressible in Keras);
 * nomax: global average pooling in place of global max pooling (DeepLIFT passes
 * max-pool multipliers to the argmax, which keeps no summation-to-delta). */
static dm_model_t *build_graph(int extra, int nomax) {
  dm_model_t *g = dm_graph_new("api-graph");
  int x = dm_graph_add_input(g, "seq", LEN, 4);
  int c1 = conv(g, "c1", x, 5, 1, 0, 1);  /* (20, 6) */
  int c2 = conv(g, "c2", c1, 3, 2, 0, 1); /* (16, 6) */
  int s1 = node(g, DM_OP_SLICE, "s1", 1, c1, 0, 2, -2);
  int a1 = node(g, DM_OP_ADD, "a1", 2, c2, s1, 0, 0);
  int c3 = conv(g, "c3", a1, 3, 4, 4, 1); /* 'same' */
  int a2 = node(g, DM_OP_ADD, "a2", 2, c3, a1, 0, 0);
  int cp = conv(g, "cp", a2, 5, 1, 0, 0); /* (12, 2) */
  int pr = node(g, DM_OP_SLICE, "profile", 1, cp, 0, 1, -1);
  dm_node_spec_t gp = {.op = DM_OP_AVGPOOL1D, .name = "gap", .n_in = 1, .in = {a2}};
  dm_node_spec_t mp = {.op = nomax ? DM_OP_AVGPOOL1D : DM_OP_MAXPOOL1D, .name = "gmp", .n_in = 1, .in = {a2}};
  int ga = dm_graph_add_node(g, &gp), gm = dm_graph_add_node(g, &mp);
  dm_node_spec_t cs = {.op = DM_OP_CONCAT, .name = "cc", .n_in = 2, .in = {ga, gm}, .axis = DM_AXIS_CH};
  int cc = dm_graph_add_node(g, &cs);
  int d1 = dense(g, "d1", cc);
  dm_node_spec_t rs = {.op = DM_OP_RELU, .name = "d1/activation", .n_in = 1, .in = {d1}};
  int r1 = dm_graph_add_node(g, &rs);
  int co = dense(g, "counts", r1);
  int x1 = dense(g, "x1", cc), x2 = dense(g, "x2", cc);
  int sb = node(g, DM_OP_SUB, "sub", 2, x1, x2, 0, 0);
  int rc = dm_graph_add_output(g, pr, "profile", DM_OUT_LINEAR, DM_AXIS_CH) |
           dm_graph_add_output(g, co, "counts", DM_OUT_LINEAR, DM_AXIS_CH) |
           dm_graph_add_output(g, sb, "aux", DM_OUT_SIGMOID, DM_AXIS_CH);
  if (extra) {
    int tp = node(g, DM_OP_TRANSPOSE, "tp", 1, a2, 0, 0, 0); /* (6, 16) */
    dm_node_spec_t re = {.op = DM_OP_RESHAPE, .name = "flat", .n_in = 1, .in = {tp}, .len = 1, .ch = 96};
    int fl = dm_graph_add_node(g, &re);
    rc |= dm_graph_add_output(g, dense(g, "tr", fl), "tr", DM_OUT_LINEAR, DM_AXIS_CH);
  }
  CHECK(rc == 0 && dm_graph_finalize(g) == 0, "API graph builds");
  return g;
}

// --- the same network as a Keras functional model

#define INB(...) "\"inbound_nodes\": [[" __VA_ARGS__ "]]"
#define IN1(a) "[\"" a "\", 0, 0, {}]"
static const char *KERAS_JSON =
    "{\"class_name\": \"Functional\", \"config\": {\"name\": \"bpnetish\", \"layers\": ["
    "{\"class_name\": \"InputLayer\", \"name\": \"seq\", \"config\": {\"name\": \"seq\", \"batch_input_shape\": "
    "[null, 24, 4]}, \"inbound_nodes\": []},"
    "{\"class_name\": \"Conv1D\", \"name\": \"c1\", \"config\": {\"name\": \"c1\", \"filters\": 6, \"kernel_size\": "
    "[5], \"padding\": \"valid\", \"activation\": \"relu\"}, " INB(IN1("seq")) "},"
    "{\"class_name\": \"Conv1D\", \"name\": \"c2\", \"config\": {\"name\": \"c2\", \"filters\": 6, \"kernel_size\": "
    "[3], \"dilation_rate\": [2], \"activation\": \"relu\"}, " INB(IN1("c1")) "},"
    "{\"class_name\": \"Cropping1D\", \"name\": \"s1\", \"config\": {\"name\": \"s1\", \"cropping\": [2, 2]}, " INB(
        IN1("c1")) "},"
    "{\"class_name\": \"Add\", \"name\": \"a1\", \"config\": {\"name\": \"a1\"}, " INB(IN1("c2") "," IN1("s1")) "},"
    "{\"class_name\": \"Conv1D\", \"name\": \"c3\", \"config\": {\"name\": \"c3\", \"filters\": 6, \"kernel_size\": "
    "3, \"dilation_rate\": 4, \"padding\": \"same\", \"activation\": \"relu\"}, " INB(IN1("a1")) "},"
    "{\"class_name\": \"Add\", \"name\": \"a2\", \"config\": {\"name\": \"a2\"}, " INB(IN1("c3") "," IN1("a1")) "},"
    "{\"class_name\": \"Conv1D\", \"name\": \"cp\", \"config\": {\"name\": \"cp\", \"filters\": 2, \"kernel_size\": "
    "[5]}, " INB(IN1("a2")) "},"
    "{\"class_name\": \"Cropping1D\", \"name\": \"profile\", \"config\": {\"name\": \"profile\", \"cropping\": 1}, " INB(
        IN1("cp")) "},"
    "{\"class_name\": \"GlobalAveragePooling1D\", \"name\": \"gap\", \"config\": {\"name\": \"gap\"}, " INB(
        IN1("a2")) "},"
    "{\"class_name\": \"GlobalMaxPooling1D\", \"name\": \"gmp\", \"config\": {\"name\": \"gmp\"}, " INB(
        IN1("a2")) "},"
    "{\"class_name\": \"Concatenate\", \"name\": \"cc\", \"config\": {\"name\": \"cc\", \"axis\": -1}, " INB(
        IN1("gap") "," IN1("gmp")) "},"
    "{\"class_name\": \"Dense\", \"name\": \"d1\", \"config\": {\"name\": \"d1\", \"units\": 4, \"activation\": "
    "\"relu\"}, " INB(IN1("cc")) "},"
    "{\"class_name\": \"Dense\", \"name\": \"counts\", \"config\": {\"name\": \"counts\", \"units\": 1}, " INB(
        IN1("d1")) "},"
    "{\"class_name\": \"Dense\", \"name\": \"x1\", \"config\": {\"name\": \"x1\", \"units\": 3}, " INB(IN1("cc")) "},"
    "{\"class_name\": \"Dense\", \"name\": \"x2\", \"config\": {\"name\": \"x2\", \"units\": 3}, " INB(IN1("cc")) "},"
    "{\"class_name\": \"Subtract\", \"name\": \"sub\", \"config\": {\"name\": \"sub\"}, " INB(
        IN1("x1") "," IN1("x2")) "},"
    "{\"class_name\": \"Activation\", \"name\": \"aux\", \"config\": {\"name\": \"aux\", \"activation\": "
    "\"sigmoid\"}, " INB(IN1("sub")) "}"
    "], \"input_layers\": [[\"seq\", 0, 0]], \"output_layers\": [[\"profile\", 0, 0], [\"counts\", 0, 0], "
    "[\"aux\", 0, 0]]}}";

static int write_keras(const char *path, const char *json) {
  nnfx_weight_t w[2 * NW];
  for (int i = 0; i < NW; i++) {
    w[2 * i] =
        (nnfx_weight_t){W[i].layer, "kernel:0", W[i].rank, {W[i].kd[0], W[i].kd[1], W[i].kd[2]}, W[i].k};
    w[2 * i + 1] = (nnfx_weight_t){W[i].layer, "bias:0", 1, {(hsize_t)W[i].units}, W[i].b};
  }
  return nnfx_write(path, json, w, 2 * (NW - 1)); /* "tr" is API-only */
}

// --- checks

static float *rand_rows(int n, int onehot) {
  float *x = calloc((size_t)n * LEN * 4, sizeof(float));
  for (int i = 0; i < n * LEN; i++) {
    if (onehot)
      x[i * 4 + rand() % 4] = 1.0f;
    else
      for (int c = 0; c < 4; c++) x[i * 4 + c] = (float)(rand() / (double)RAND_MAX);
  }
  return x;
}

/* Forward vs naive; backward from the outputs in mask vs finite differences of Σ dy·out. */
static void check_grad(const dm_model_t *m, unsigned mask) {
  int n = 2, rep = 2, NO = m->n_outputs;
  float *x = rand_rows(n, 0);
  dm_run_t *r = dm_forward_init(m, n, rep);
  memcpy(r->in, x, sizeof(float) * n * LEN * 4);
  dm_forward_run(r, n);
  double err = 0.0;
  double xd[LEN * 4];
  for (int b = 0; b < n; b++) {
    for (int e = 0; e < LEN * 4; e++) xd[e] = x[b * LEN * 4 + e];
    double **v = naive_graph(m, xd);
    for (int o = 0; o < NO; o++) {
      size_t sz = dm_graph_size(m, m->outputs[o].tensor);
      for (size_t e = 0; e < sz; e++)
        err = fmax(err, fabs(v[m->outputs[o].tensor][e] - dm_forward_output(r, o)[b * sz + e]));
    }
    naive_free(m, v);
  }
  CHECK(err < 1e-5, "%s forward vs naive: %g", m->source, err);
  float *dy[8] = {0};
  for (int o = 0; o < NO; o++)
    if (mask >> o & 1) {
      size_t sz = dm_graph_size(m, m->outputs[o].tensor);
      dy[o] = malloc(sizeof(float) * rep * n * sz);
      for (size_t e = 0; e < rep * n * sz; e++) dy[o][e] = (float)(2.0 * rand() / RAND_MAX - 1.0);
    }
  float *dx = malloc(sizeof(float) * rep * n * LEN * 4);
  dm_forward_backward_graph(r, n, rep, (const float *const *)dy, dx, NULL, NULL);
  const double h = 1e-4;
  err = 0.0;
  double scale = 0.0;
  for (int t = 0; t < rep; t++)
    for (int b = 0; b < n; b++)
      for (int e = 0; e < LEN * 4; e++) {
        double f[2];
        for (int sgn = 0; sgn < 2; sgn++) {
          for (int q = 0; q < LEN * 4; q++) xd[q] = x[b * LEN * 4 + q];
          xd[e] += sgn ? -h : h;
          double **v = naive_graph(m, xd);
          f[sgn] = 0.0;
          for (int o = 0; o < NO; o++) {
            if (!dy[o]) continue;
            size_t sz = dm_graph_size(m, m->outputs[o].tensor);
            for (size_t k = 0; k < sz; k++)
              f[sgn] += dy[o][((size_t)t * n + b) * sz + k] * v[m->outputs[o].tensor][k];
          }
          naive_free(m, v);
        }
        double fd = (f[0] - f[1]) / (2 * h), g = dx[((size_t)t * n + b) * LEN * 4 + e];
        err = fmax(err, fabs(fd - g) / (1.0 + fabs(fd)));
        scale = fmax(scale, fabs(fd));
      }
  CHECK(err < 1e-3 && scale > 1e-3, "%s gradient (outputs mask %u) vs finite differences: %g (max |g| %g)",
        m->source, mask, err, scale);
  for (int o = 0; o < NO; o++) free(dy[o]);
  free(dx);
  free(x);
  dm_forward_destroy(r);
}

/* Target value w(x)·z for one row by the naive evaluator (w from the same row). */
static double naive_target(const dm_model_t *m, const dm_target_t *t, const float *xrow, const float *wrow) {
  double xd[LEN * 4];
  for (int e = 0; e < LEN * 4; e++) xd[e] = xrow[e];
  double **v = naive_graph(m, xd);
  int ot = m->outputs[t->output].tensor;
  size_t sz = dm_graph_size(m, ot);
  double s = 0.0;
  for (size_t k = 0; k < sz; k++) s += wrow[k] * v[ot][k];
  naive_free(m, v);
  return s;
}

/* Summation-to-delta of deeplift (all rule sets) and ig on one-hot rows, for every target. */
static void check_delta(const dm_model_t *m, const char *specs) {
  dm_target_t *tg = NULL;
  int T = dm_target_parse_list(m, specs, &tg);
  CHECK(T > 0, "targets '%s' parse", specs);
  if (T <= 0) return;
  int n = 3, R = 2;
  float *x = rand_rows(n, 1), *refs = rand_rows(n * R, 1);
  float *hyp = malloc(sizeof(float) * T * n * LEN * 4), *pred = malloc(sizeof(float) * n * T);
  for (int method = 0; method < DM_RULES_COUNT + 1; method++) {
    dm_methods_opt_t o;
    dm_methods_opt_init(&o);
    if (method < DM_RULES_COUNT)
      o.rules = (dm_rules_t)method;
    else
      o.method = DM_METHOD_IG, o.ig_steps = 2000;
    dm_methods_t *a = dm_methods_init(m, &o, tg, T, n, R);
    CHECK(a && dm_methods_run(a, n, LEN, x, refs, hyp, pred) == 0, "methods run");
    dm_methods_destroy(a);
    double err = 0.0, md = 0.0;
    for (int t = 0; t < T; t++) {
      size_t sz = dm_graph_size(m, m->outputs[tg[t].output].tensor);
      float *w = malloc(sizeof(float) * sz), *z = malloc(sizeof(float) * sz);
      for (int i = 0; i < n; i++) {
        /* weights at the input: target weights of the naive output */
        double xd[LEN * 4];
        for (int e = 0; e < LEN * 4; e++) xd[e] = x[i * LEN * 4 + e];
        double **v = naive_graph(m, xd);
        for (size_t k = 0; k < sz; k++) z[k] = (float)v[m->outputs[tg[t].output].tensor][k];
        naive_free(m, v);
        dm_target_weights(m, &tg[t], 1, z, w);
        double delta = naive_target(m, &tg[t], x + i * LEN * 4, w), s = 0.0;
        for (int k = 0; k < R; k++) delta -= naive_target(m, &tg[t], refs + (i * R + k) * LEN * 4, w) / R;
        for (int e = 0; e < LEN * 4; e++) s += hyp[((size_t)t * n + i) * LEN * 4 + e] * x[i * LEN * 4 + e];
        err = fmax(err, fabs(s - delta) / (1.0 + fabs(delta)));
        md += fabs(delta) / (n * T);
      }
      free(w);
      free(z);
    }
    double tol = method < DM_RULES_COUNT ? 1e-4 : 2e-3;
    CHECK(err < tol && md > 1e-3, "%s %s summation-to-delta [%s]: error %g, mean |delta| %g", m->source,
          method < DM_RULES_COUNT ? dm_deeplift_rules_name(method) : "ig", specs, err, md);
  }
  free(x);
  free(refs);
  free(hyp);
  free(pred);
  free(tg);
}

/* Replaces the first occurrence of from in KERAS_JSON. */
static const char *keras_with(const char *from, const char *to) {
  static char buf[8192];
  const char *p = strstr(KERAS_JSON, from);
  if (!p) return KERAS_JSON;
  snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - KERAS_JSON), KERAS_JSON, to, p + strlen(from));
  return buf;
}

static void check_keras(void) {
  dm_model_t *api = build_graph(0, 0);
  CHECK(write_keras(h5_path, KERAS_JSON) == 0, "write %s", h5_path);
  dm_model_t *k = dm_model_load(h5_path, NULL);
  CHECK(k != NULL, "Keras functional model loads");
  if (!k) {
    dm_graph_destroy(api);
    return;
  }
  CHECK(k->n_outputs == 3 && !strcmp(k->outputs[0].name, "profile") && !strcmp(k->outputs[2].name, "aux") &&
            k->outputs[2].act == DM_OUT_SIGMOID && k->outputs[0].act == DM_OUT_LINEAR,
        "outputs: %d, %s, %s", k->n_outputs, k->outputs[0].name, k->outputs[k->n_outputs - 1].name);
  CHECK(k->n_nodes == api->n_nodes, "nodes %d vs %d", k->n_nodes, api->n_nodes);
  const dm_tensor_t *pt = &k->tensors[k->outputs[0].tensor];
  CHECK(pt->len == 10 && pt->ch == 2, "profile (%d, %d)", pt->len, pt->ch);
  int n = 4;
  float *x = rand_rows(n, 0);
  dm_run_t *ra = dm_forward_init(api, n, 1), *rk = dm_forward_init(k, n, 1);
  memcpy(ra->in, x, sizeof(float) * n * LEN * 4);
  memcpy(rk->in, x, sizeof(float) * n * LEN * 4);
  dm_forward_run(ra, n);
  dm_forward_run(rk, n);
  int same = 1;
  for (int o = 0; o < 3; o++)
    same &= !memcmp(dm_forward_output(ra, o), dm_forward_output(rk, o),
                    sizeof(float) * n * dm_graph_size(k, k->outputs[o].tensor));
  CHECK(same, "Keras functional model = API graph, bit for bit");
  float pred[4 * 3];
  dm_model_activate_output(k, 2, n, dm_forward_output(rk, 2), pred);
  CLOSE(pred[1], 1.0 / (1.0 + exp(-dm_forward_output(rk, 2)[1])), 1e-6);
  dm_forward_destroy(ra);
  dm_forward_destroy(rk);
  free(x);
  check_grad(k, 1u);
  check_grad(k, 2u);
  check_grad(k, 7u);
  CHECK(write_keras(h5_path, keras_with("GlobalMaxPooling1D", "GlobalAveragePooling1D")) == 0, "write");
  dm_model_t *k2 = dm_model_load(h5_path, NULL);
  CHECK(k2 != NULL, "Keras model without max-pooling loads");
  if (k2) check_delta(k2, "counts,profile:profile,p1=profile:3,aux:1");
  dm_model_destroy(k2);
  write_keras(h5_path, KERAS_JSON);
  /* JSON + weights-only: the same graph */
  char jpath[64];
  snprintf(jpath, sizeof jpath, "%s.json", h5_path);
  FILE *f = fopen(jpath, "w");
  fputs(KERAS_JSON, f);
  fclose(f);
  dm_model_t *kj = dm_model_load(jpath, h5_path);
  CHECK(kj && kj->n_nodes == k->n_nodes && kj->n_outputs == 3, "JSON + weights loads the same graph");
  dm_graph_destroy(kj);
  unlink(jpath);
  dm_model_destroy(k);
  dm_graph_destroy(api);
}

/* Keras 3 writes inbound nodes as {"args": [keras tensors with keras_history]} and a single
 * input/output without the outer list. */
static const char *KERAS3_JSON =
    "{\"class_name\": \"Functional\", \"config\": {\"name\": \"k3\", \"layers\": ["
    "{\"class_name\": \"InputLayer\", \"name\": \"seq\", \"config\": {\"name\": \"seq\", \"batch_shape\": "
    "[null, 24, 4]}, \"inbound_nodes\": []},"
    "{\"class_name\": \"Conv1D\", \"name\": \"c1\", \"config\": {\"name\": \"c1\", \"filters\": 6, "
    "\"kernel_size\": [5], \"activation\": \"relu\"}, \"inbound_nodes\": [{\"args\": [{\"class_name\": "
    "\"__keras_tensor__\", \"config\": {\"shape\": [null, 24, 4], \"keras_history\": [\"seq\", 0, 0]}}], "
    "\"kwargs\": {}}]},"
    "{\"class_name\": \"Cropping1D\", \"name\": \"s1\", \"config\": {\"name\": \"s1\", \"cropping\": [2, "
    "2]}, "
    "\"inbound_nodes\": [{\"args\": [{\"class_name\": \"__keras_tensor__\", \"config\": {\"keras_history\": "
    "[\"c1\", 0, 0]}}], \"kwargs\": {}}]}"
    "], \"input_layers\": [\"seq\", 0, 0], \"output_layers\": [\"s1\", 0, 0]}}";

/* Two inputs, the second (listed first among the layers) added to the first's
 * convolution; attribution feeds it zeros. */
static const char *TWO_INPUTS_JSON =
    "{\"class_name\": \"Model\", \"config\": {\"name\": \"two\", \"layers\": ["
    "{\"class_name\": \"InputLayer\", \"name\": \"ctl\", \"config\": {\"name\": \"ctl\", \"batch_input_shape\": "
    "[null, 20, 6]}, \"inbound_nodes\": []},"
    "{\"class_name\": \"InputLayer\", \"name\": \"seq\", \"config\": {\"name\": \"seq\", \"batch_input_shape\": "
    "[null, 24, 4]}, \"inbound_nodes\": []},"
    "{\"class_name\": \"Conv1D\", \"name\": \"c1\", \"config\": {\"name\": \"c1\", \"filters\": 6, "
    "\"kernel_size\": [5], \"activation\": \"relu\"}, " INB(IN1("seq")) "},"
    "{\"class_name\": \"Add\", \"name\": \"sum\", \"config\": {\"name\": \"sum\"}, " INB(IN1("c1") "," IN1("ctl")) "}"
    "], \"input_layers\": [[\"seq\", 0, 0], [\"ctl\", 0, 0]], \"output_layers\": [[\"sum\", 0, 0]]}}";

static void check_two_inputs(void) {
  CHECK(write_keras(h5_path, TWO_INPUTS_JSON) == 0, "write %s", h5_path);
  dm_model_t *m = dm_model_load(h5_path, NULL);
  CHECK(m && m->n_inputs == 2 && m->in_len == 24 && !strcmp(m->tensors[m->inputs[0]].name, "seq"),
        "two inputs, the sequence first");
  if (!m) return;
  dm_model_t *g = dm_graph_new("c1 alone");
  int x = dm_graph_add_input(g, "seq", LEN, 4);
  CHECK(dm_graph_add_output(g, conv(g, "c1", x, 5, 1, 0, 1), "c1", DM_OUT_LINEAR, DM_AXIS_CH) == 0 &&
            dm_graph_finalize(g) == 0,
        "c1 graph");
  float *in = rand_rows(2, 0);
  dm_run_t *r1 = dm_forward_init(m, 2, 1), *r2 = dm_forward_init(g, 2, 1);
  memcpy(r1->in, in, sizeof(float) * 2 * LEN * 4);
  memcpy(r2->in, in, sizeof(float) * 2 * LEN * 4);
  dm_forward_run(r1, 2);
  dm_forward_run(r2, 2);
  CHECK(!memcmp(dm_forward_output(r1, 0), dm_forward_output(r2, 0), sizeof(float) * 2 * 20 * 6),
        "the second input is zeros");
  dm_forward_destroy(r1);
  dm_forward_destroy(r2);
  free(in);
  dm_graph_destroy(g);
  dm_model_destroy(m);
}

static void check_keras3(void) {
  CHECK(write_keras(h5_path, KERAS3_JSON) == 0, "write %s", h5_path);
  dm_model_t *m = dm_model_load(h5_path, NULL);
  CHECK(m && m->n_nodes == 3 && m->n_outputs == 1 && !strcmp(m->outputs[0].name, "s1") &&
            dm_graph_size(m, m->outputs[0].tensor) == 16 * 6,
        "Keras 3 style inbound nodes");
  dm_model_destroy(m);
}

static void check_errors(void) {
  static const char *const bad[][3] = {
      {"\"cropping\": [2, 2]", "\"cropping\": [12, 12]", "cropping everything"},
      {INB(IN1("c2") "," IN1("s1")), INB(IN1("c2") "," IN1("c1")), "Add of different lengths"},
      {"\"Subtract\"", "\"Multiply\"", "unsupported layer"},
      {INB(IN1("a2")) "},{\"class_name\": \"GlobalMaxPooling1D\"",
       INB(IN1("nowhere")) "},{\"class_name\": "
                           "\"GlobalMaxPooling1D\"",
       "unknown inbound layer"},
      {"[\"x2\", 0, 0, {}]", "[\"x2\", 1, 0, {}]", "second call of a shared layer"},
      {"[\"aux\", 0, 0]]", "[\"nope\", 0, 0]]", "unknown output layer"},
      {"\"activation\": \"relu\"}, " INB(IN1("cc")), "\"activation\": \"softmax\"}, " INB(IN1("cc")),
       "softmax inside the graph"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    const char *json = keras_with(bad[i][0], bad[i][1]);
    CHECK(json != KERAS_JSON, "error case '%s' applies", bad[i][2]);
    write_keras(h5_path, json);
    dm_model_t *m = dm_model_load(h5_path, NULL);
    CHECK(m == NULL, "%s refused", bad[i][2]);
    dm_model_destroy(m);
  }
  /* the builder */
  dm_model_t *g = dm_graph_new("builder");
  int x = dm_graph_add_input(g, "x", 10, 4);
  CHECK(dm_graph_add_input(g, "x", 10, 4) < 0, "duplicate tensor name refused");
  dm_node_spec_t s = {.op = DM_OP_SLICE, .name = "sl", .n_in = 1, .in = {x}, .start = 4, .stop = 2};
  CHECK(dm_graph_add_node(g, &s) < 0, "empty slice refused");
  s = (dm_node_spec_t){.op = DM_OP_RESHAPE, .name = "rs", .n_in = 1, .in = {x}, .len = 3, .ch = 13};
  CHECK(dm_graph_add_node(g, &s) < 0, "reshape to another size refused");
  s = (dm_node_spec_t){.op = DM_OP_CONV1D, .name = "cv", .n_in = 1, .in = {x}, .units = 2, .kernel = 3};
  CHECK(dm_graph_add_node(g, &s) < 0, "conv without weights refused");
  s = (dm_node_spec_t){.op = DM_OP_ADD, .name = "ad", .n_in = 2, .in = {x, 7}};
  CHECK(dm_graph_add_node(g, &s) < 0, "undefined input refused");
  s = (dm_node_spec_t){.op = DM_OP_CONV1D,
                       .name = "big",
                       .n_in = 1,
                       .in = {x},
                       .units = 1,
                       .kernel = 11,
                       .w = calloc(44, sizeof(float))};
  CHECK(dm_graph_add_node(g, &s) < 0, "window longer than the input refused");
  s = (dm_node_spec_t){
      .op = DM_OP_DENSE, .name = "nan", .n_in = 1, .in = {x}, .units = 1, .w = calloc(4, sizeof(float))};
  s.w[2] = NAN;
  int d = dm_graph_add_node(g, &s);
  dm_node_spec_t s2 = {.op = DM_OP_RELU, .name = "dead", .n_in = 1, .in = {x}};
  CHECK(d >= 0 && dm_graph_add_node(g, &s2) >= 0 && dm_graph_add_output(g, d, "out", DM_OUT_LINEAR, 0) == 0,
        "builder accepts the rest");
  CHECK(dm_graph_finalize(g) < 0, "dead node refused at finalize");
  dm_graph_destroy(g);
  g = dm_graph_new("builder2");
  x = dm_graph_add_input(g, "x", 10, 4);
  s = (dm_node_spec_t){
      .op = DM_OP_DENSE, .name = "nan", .n_in = 1, .in = {x}, .units = 1, .w = calloc(4, sizeof(float))};
  s.w[2] = NAN;
  d = dm_graph_add_node(g, &s);
  CHECK(dm_graph_add_output(g, d, "out", DM_OUT_LINEAR, 0) == 0 && dm_graph_finalize(g) < 0,
        "non-finite weight refused at finalize");
  dm_graph_destroy(g);
}

/* Reads a float dataset of a small HDF5 file into a new array (NULL on error). */
static float *read_f32(const char *path, const char *name, size_t n) {
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return NULL;
  hid_t d = H5Dopen(f, name, H5P_DEFAULT), sp = H5Dget_space(d);
  float *a = NULL;
  if (d >= 0 && (size_t)H5Sget_simple_extent_npoints(sp) == n) {
    a = malloc(sizeof(float) * n);
    if (H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, a) < 0) free(a), a = NULL;
  }
  H5Sclose(sp);
  H5Dclose(d);
  H5Fclose(f);
  return a;
}

static void check_long_model(void) {
  const char *dir = DM_TEST_DATA "/long_model/";
  char mp[512], rp[512];
  snprintf(mp, sizeof mp, "%schrombpnet_like.h5", dir);
  snprintf(rp, sizeof rp, "%sreference.h5", dir);
  dm_model_t *m = dm_model_load(mp, NULL);
  float *x = read_f32(rp, "x", 3 * 1000 * 4), *prof = read_f32(rp, "profile", 3 * 500),
        *cnt = read_f32(rp, "counts", 3);
  CHECK(m && x && prof && cnt, "long model and its reference load");
  if (m && x && prof && cnt) {
    CHECK(m->in_len == 1000 && m->n_outputs == 2 && dm_graph_size(m, m->outputs[0].tensor) == 500 &&
              !strcmp(m->outputs[1].name, "logcount_predictions"),
          "long model: input %d, %d outputs", m->in_len, m->n_outputs);
    dm_run_t *r = dm_forward_init(m, 3, 1);
    memcpy(r->in, x, sizeof(float) * 3 * 1000 * 4);
    dm_forward_run(r, 3);
    double err = 0.0;
    for (int e = 0; e < 3 * 500; e++)
      err = fmax(err, fabs(dm_forward_output(r, 0)[e] - prof[e]) / (1 + fabs(prof[e])));
    for (int e = 0; e < 3; e++)
      err = fmax(err, fabs(dm_forward_output(r, 1)[e] - cnt[e]) / (1 + fabs(cnt[e])));
    CHECK(err < 1e-5, "long model outputs = numpy reference: max rel error %g", err);
    dm_forward_destroy(r);
  }
  dm_model_destroy(m);
  free(x);
  free(prof);
  free(cnt);
}

int main(void) {
  dm_log_init(0, DM_LOG_WARN);
  srand(4321);
  int fd = mkstemp(h5_path);
  CHECK(fd >= 0, "temp file");
  close(fd);
  make_weights();
  dm_model_t *g = build_graph(1, 0);
  check_grad(g, 15u);
  check_grad(g, 8u);
  dm_graph_destroy(g);
  g = build_graph(1, 1);
  check_delta(g, "counts,profile:profile,aux:0,tr:1");
  dm_graph_destroy(g);
  check_keras();
  check_keras3();
  check_two_inputs();
  check_errors();
  check_long_model();
  unlink(h5_path);
  for (int i = 0; i < NW; i++) free(W[i].k), free(W[i].b);
  return dm_test_summary("test_nn_graph");
}
