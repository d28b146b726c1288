/* test_onnx_graph: ONNX models mapped onto the graph IR against PyTorch
 * (tests/data/models, tools/gen_model_fixtures.py):
 *   - bpnet.onnx: predictions of both heads, gradients of the counts, profile
 *     unit and weighted mean-normalised profile targets, and integrated
 *     gradients (zero and shuffled references), all against PyTorch autograd
 *     in float64, to float precision;
 *   - its Keras functional twin (full HDF5, JSON + weights) gives bit-identical
 *     predictions and gradients;
 *   - dmotif's grad and ig (dm_methods with the three targets) equal PyTorch
 *     autograd; DeepLIFT summation-to-delta on both heads for every rule set;
 *   - the other exports (Basset-like, ChromBPNet-lite, MatMul head, misc ops,
 *     and dynamic-batch exports with shape arithmetic and If) against
 *     PyTorch's predictions;
 *   - an unsupported op and a softmax inside the network are errors naming
 *     the node. */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dm_methods.h"
#include "dm_onnx_graph.h"
#include "dm_test.h"
#include "models_ref.h"

#define S 3   /* sequences of the fixture */
#define L 200 /* input length */
#define P 80  /* profile length */
#define STEPS 16
#define UNIT 40
#define N_TARGETS 3
static const char *TARGETS[N_TARGETS] = {"counts", "profile_unit40", "profile_wmn"};

/* max |a - b| / max |b| over n values. */
static double rel_err(const float *a, const float *b, long n) {
  double d = 0.0, m = 0.0;
  for (long i = 0; i < n; i++) {
    d = fmax(d, fabs((double)a[i] - b[i]));
    m = fmax(m, fabs((double)b[i]));
  }
  return m > 0 ? d / m : d;
}

/* Output seeds of target k for rows of one sequence s: dy[0] (rows, P) profile, dy[1] (rows, 1) counts. */
static void seeds(int k, int rows, const float *wmn_s, float *dp, float *dc) {
  memset(dp, 0, sizeof(float) * rows * P);
  memset(dc, 0, sizeof(float) * rows);
  for (int r = 0; r < rows; r++) {
    if (k == 0) dc[r] = 1.0f;
    if (k == 1) dp[r * P + UNIT] = 1.0f;
    if (k == 2) { /* d/dz_i sum_j w_j (z_j - mean z) = w_i - mean w */
      double mw = 0.0;
      for (int i = 0; i < P; i++) mw += wmn_s[i];
      for (int i = 0; i < P; i++) dp[r * P + i] = wmn_s[i] - (float)(mw / P);
    }
  }
}

/* Predictions and gradients of the 3 targets of the S fixture rows: out (S*P + S + N_TARGETS*S*L*4). */
static float *run_model(dm_model_t *m, const float *x, const float *wmn) {
  size_t np = S * P, nc = S, ng = (size_t)S * L * 4;
  float *out = calloc(np + nc + N_TARGETS * ng, sizeof(float));
  dm_run_t *r = dm_forward_init(m, S, 1);
  memcpy(r->in, x, sizeof(float) * ng);
  dm_forward_run(r, S);
  memcpy(out, dm_forward_output(r, 0), sizeof(float) * np);
  memcpy(out + np, dm_forward_output(r, 1), sizeof(float) * nc);
  float dp[S * P], dc[S];
  for (int k = 0; k < N_TARGETS; k++) {
    for (int s = 0; s < S; s++) seeds(k, 1, wmn + s * P, dp + s * P, dc + s);
    const float *dy[2] = {dp, dc};
    dm_forward_backward_graph(r, S, 1, dy, out + np + nc + k * ng, NULL, NULL);
  }
  dm_forward_destroy(r);
  return out;
}

static void check_bpnet(void) {
  dm_model_t *m = dm_onnx_load(MODELS "bpnet.onnx");
  CHECK(m != NULL, "bpnet.onnx loads");
  if (!m) return;
  CHECK(m->n_outputs == 2 && !strcmp(m->outputs[0].name, "profile") &&
            !strcmp(m->outputs[1].name, "counts") && dm_graph_size(m, m->outputs[0].tensor) == P &&
            dm_graph_size(m, m->outputs[1].tensor) == 1 && m->in_len == L && m->in_ch == 4,
        "outputs and input");
  float *x = mref_read(MREF_BPNET, "x", S * L * 4), *wmn = mref_read(MREF_BPNET, "wmn_weights", S * P);
  float *prof = mref_read(MREF_BPNET, "profile", S * P), *cnt = mref_read(MREF_BPNET, "counts", S);
  CHECK(x && wmn && prof && cnt, "reference file");
  if (!x || !wmn || !prof || !cnt) return;
  float *got = run_model(m, x, wmn);
  double e = rel_err(got, prof, S * P), ec = rel_err(got + S * P, cnt, S);
  printf("profile logits: max rel err %.3g; counts %.3g\n", e, ec);
  CHECK(e < 1e-5 && ec < 1e-5, "predictions differ from PyTorch: %g, %g", e, ec);
  for (int k = 0; k < N_TARGETS; k++) {
    char name[64];
    snprintf(name, sizeof name, "grad/%s", TARGETS[k]);
    float *g = mref_read(MREF_BPNET, name, S * L * 4);
    CHECK(g != NULL, "%s", name);
    if (!g) continue;
    e = rel_err(got + S * P + S + (size_t)k * S * L * 4, g, S * L * 4);
    printf("%s: max err / max |grad| %.3g\n", name, e);
    CHECK(e < 1e-5, "%s differs from PyTorch autograd: %g", name, e);
    free(g);
  }
  /* the Keras functional twin: bit-identical */
  const char *keras[2][2] = {{MODELS "bpnet_keras.h5", NULL},
                             {MODELS "bpnet_keras.json", MODELS "bpnet_keras_weights.h5"}};
  for (int f = 0; f < 2; f++) {
    dm_model_t *k = dm_model_load(keras[f][0], keras[f][1]);
    CHECK(k != NULL, "%s loads", keras[f][0]);
    if (!k) continue;
    float *kg = run_model(k, x, wmn);
    size_t n = S * P + S + N_TARGETS * (size_t)S * L * 4;
    CHECK(!memcmp(kg, got, sizeof(float) * n), "%s: predictions and gradients differ from the ONNX model's",
          keras[f][0]);
    free(kg);
    dm_model_destroy(k);
  }
  free(got);
  free(prof);
  free(cnt);

  free(x);
  free(wmn);
  dm_model_destroy(m);
}

/* dmotif's methods with the three targets (dm_target specs): grad and ig hyp
 * equal PyTorch autograd's; deeplift contributions add up to the target
 * differences on both heads, for every rule set. */
static void check_methods(void) {
  dm_model_t *m = dm_onnx_load(MODELS "bpnet.onnx");
  float *x = mref_read(MREF_BPNET, "x", S * L * 4);
  CHECK(m && x, "model and inputs");
  if (!m || !x) return;
  const char *specs = "counts=counts,profile_unit40=profile:40,profile_wmn=profile:profile";
  dm_target_t *tg = NULL;
  int T = dm_target_parse_list(m, specs, &tg);
  CHECK(T == N_TARGETS, "targets: %d", T);
  if (T != N_TARGETS) return;
  float *hyp = malloc(sizeof(float) * T * S * L * 4);
  const char *refs[2] = {"zeros", "shuffled"};
  const int nref[2] = {1, 2};
  for (int q = -1; q < 2; q++) { /* -1: grad */
    char name[64];
    float *x0 = NULL;
    if (q >= 0) {
      snprintf(name, sizeof name, "refs/%s", refs[q]);
      x0 = mref_read(MREF_BPNET, name, (long)S * nref[q] * L * 4);
      CHECK(x0 != NULL, "%s", name);
      if (!x0) continue;
    }
    dm_methods_opt_t o;
    dm_methods_opt_init(&o);
    o.method = q < 0 ? DM_METHOD_GRAD : DM_METHOD_IG;
    o.ig_steps = STEPS;
    dm_methods_t *a = dm_methods_init(m, &o, tg, T, S, q < 0 ? 1 : nref[q]);
    CHECK(a && !dm_methods_run(a, S, L, x, x0, hyp, NULL), "methods run");
    for (int k = 0; a && k < T; k++) {
      if (q < 0)
        snprintf(name, sizeof name, "grad/%s", TARGETS[k]);
      else
        snprintf(name, sizeof name, "ig/%s/%s", refs[q], TARGETS[k]);
      float *want = mref_read(MREF_BPNET, name, S * L * 4);
      CHECK(want != NULL, "%s", name);
      if (!want) continue;
      double e = rel_err(hyp + (size_t)k * S * L * 4, want, S * L * 4);
      printf("dmotif %s: max err / max |ref| %.3g\n", name, e);
      CHECK(e < 1e-5, "%s differs from PyTorch autograd: %g", name, e);
      free(want);
    }
    dm_methods_destroy(a);
    free(x0);
  }

  /* deeplift: sum of hyp * x = w.(z(x) - mean z(x0)), w held at x */
  const int R = 2;
  float *x0 = mref_read(MREF_BPNET, "refs/shuffled", S * R * L * 4);
  dm_run_t *r = dm_forward_init(m, S + S * R, 1);
  memcpy(r->in, x, sizeof(float) * S * L * 4);
  memcpy(r->in + S * L * 4, x0, sizeof(float) * S * R * L * 4);
  dm_forward_run(r, S + S * R);
  for (int rules = 0; x0 && rules < DM_RULES_COUNT; rules++) {
    dm_methods_opt_t o;
    dm_methods_opt_init(&o);
    o.rules = (dm_rules_t)rules;
    dm_methods_t *a = dm_methods_init(m, &o, tg, T, S, R);
    CHECK(a && !dm_methods_run(a, S, L, x, x0, hyp, NULL), "deeplift run");
    double worst = 0.0, scale = 0.0;
    for (int k = 0; a && k < T; k++) {
      int out = tg[k].output, U = (int)dm_graph_size(m, m->outputs[out].tensor);
      const float *z = dm_forward_output(r, out);
      float w[S * P];
      dm_target_weights(m, &tg[k], S, z, w);
      for (int i = 0; i < S; i++) {
        double sum = 0.0, delta = 0.0;
        for (int j = 0; j < L * 4; j++)
          sum += hyp[((size_t)k * S + i) * L * 4 + j] * x[(size_t)i * L * 4 + j];
        for (int u = 0; u < U; u++) {
          double z0 = 0.0;
          for (int p = 0; p < R; p++) z0 += z[(S + i * R + p) * U + u] / R;
          delta += w[i * U + u] * (z[i * U + u] - z0);
        }
        worst = fmax(worst, fabs(sum - delta));
        scale = fmax(scale, fabs(delta));
      }
    }
    printf(
        "deeplift %s: summation-to-delta max err %.3g (max |delta| %.3g) on counts, profile unit, profile "
        "wmn\n",
        dm_deeplift_rules_name((dm_rules_t)rules), worst, scale);
    CHECK(worst <= 1e-4 * (1.0 + scale), "summation-to-delta %s: %g",
          dm_deeplift_rules_name((dm_rules_t)rules), worst);
    dm_methods_destroy(a);
  }
  dm_forward_destroy(r);
  free(x0);
  free(hyp);
  free(tg);
  free(x);
  dm_model_destroy(m);
}

static void check_zoo(void) {
  /* file prefix, name in zoo_ref.h5: dyn_ files are the same modules exported with a dynamic batch */
  const char *zoo[][2] = {{"zoo", "basset"},      {"zoo", "chrombpnet_lite"}, {"zoo", "matmul_head"},
                          {"zoo", "misc"},        {"zoo", "crop_squeeze"},    {"zoo", "bpnet_lite_ctl"},
                          {"zoo", "grouped"},     {"dyn", "chrombpnet_lite"}, {"dyn", "matmul_head"},
                          {"dyn", "crop_squeeze"}};
  for (size_t zi = 0; zi < sizeof zoo / sizeof *zoo; zi++) {
    char path[512], name[64];
    snprintf(path, sizeof path, MODELS "%s_%s.onnx", zoo[zi][0], zoo[zi][1]);
    dm_model_t *m = dm_onnx_load(path);
    CHECK(m != NULL, "%s loads", path);
    if (!m) continue;
    snprintf(name, sizeof name, "%s/x", zoo[zi][1]);
    float *x = mref_read(MREF_ZOO, name, 2L * m->in_len * 4);
    CHECK(x != NULL, "%s", name);
    if (!x) continue;
    dm_run_t *r = dm_forward_init(m, 2, 1);
    memcpy(r->in, x, sizeof(float) * 2 * m->in_len * 4);
    dm_forward_run(r, 2);
    for (int o = 0; o < m->n_outputs; o++) {
      long n = 2L * (long)dm_graph_size(m, m->outputs[o].tensor);
      float *pred = malloc(sizeof(float) * n);
      dm_model_activate_output(m, o, 2, dm_forward_output(r, o), pred);
      snprintf(name, sizeof name, "%s/out%d", zoo[zi][1], o);
      float *want = mref_read(MREF_ZOO, name, n);
      CHECK(want != NULL, "%s of %ld values", name, n);
      if (want) {
        double e = rel_err(pred, want, n);
        printf("%s %s: max rel err %.3g\n", zoo[zi][0], name, e);
        CHECK(e < 1e-5, "%s differs from PyTorch: %g", name, e);
      }
      free(want);
      free(pred);
    }
    free(x);
    dm_forward_destroy(r);
    dm_model_destroy(m);
  }
}

/* Loading fails with an error containing needle. */
static void expect_fail(const char *path, const char *needle) {
  char log[] = "/tmp/dm_onnx_graph_log_XXXXXX";
  int fd = mkstemp(log);
  if (fd < 0) return;
  fflush(stderr);
  int saved = dup(2);
  dup2(fd, 2);
  dm_model_t *m = dm_onnx_load(path);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  char buf[4096] = {0};
  lseek(fd, 0, SEEK_SET);
  ssize_t n = read(fd, buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = 0;
  close(fd);
  unlink(log);
  CHECK(m == NULL && strstr(buf, needle), "%s: expected an error naming '%s', got: %s", path, needle, buf);
  dm_model_destroy(m);
}

/* dm_model_load dispatches on the content: an ONNX file without the .onnx name loads as ONNX. */
static void check_dispatch(void) {
  char tmp[] = "/tmp/dm_onnx_model_XXXXXX";
  int fd = mkstemp(tmp);
  FILE *in = fopen(MODELS "zoo_crop_squeeze.onnx", "rb");
  CHECK(fd >= 0 && in, "temp file");
  if (fd < 0 || !in) return;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0) CHECK(write(fd, buf, n) == (ssize_t)n, "write");
  fclose(in);
  close(fd);
  dm_model_t *m = dm_model_load(tmp, NULL);
  CHECK(m && m->n_outputs == 1 && m->in_len == 32, "ONNX content under another name loads as ONNX");
  dm_model_destroy(m);
  unlink(tmp);
}

int main(void) {
  dm_log_init(0, DM_LOG_ERROR);
  check_bpnet();
  check_methods();
  check_zoo();
  check_dispatch();
  expect_fail(MODELS "bad_elu.onnx", "node '/Elu' (Elu): unsupported op type Elu");
  expect_fail(MODELS "bad_softmax.onnx",
              "node '/Softmax' (Softmax): Softmax is supported only as the activation");
  expect_fail(MODELS "bpnet_keras.h5", "not a valid ONNX model");
  return dm_test_summary("test_onnx_graph");
}
