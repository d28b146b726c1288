/* test_nn_model: Keras model loading (architecture JSON + weights pair, and a
 * full-model HDF5 fixture written here), forward pass against a naive
 * computation, clear errors on bad models, and the example model's AUROC on
 * its 800 test sequences. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dm_forward.h"
#include "dm_test.h"
#include "nn_example.h"
#include "nn_fixture.h"

// --- AUROC (Mann-Whitney U with average ranks for ties)

static const float *auc_score;
static int auc_cmp(const void *a, const void *b) {
  float x = auc_score[*(const int *)a], y = auc_score[*(const int *)b];
  return (x > y) - (x < y);
}

static double auroc(int n, const float *score, const float *label, int stride) {
  int *idx = malloc(sizeof(int) * n);
  float *s = malloc(sizeof(float) * n);
  for (int i = 0; i < n; i++) idx[i] = i, s[i] = score[i * stride];
  auc_score = s;
  qsort(idx, n, sizeof(int), auc_cmp);
  double rank_sum = 0.0;
  long npos = 0;
  for (int i = 0; i < n;) {
    int j = i;
    while (j < n && s[idx[j]] == s[idx[i]]) j++;
    double r = 0.5 * (i + 1 + j); /* average 1-based rank of the tie block */
    for (int k = i; k < j; k++)
      if (label[idx[k] * stride] > 0.5f) rank_sum += r, npos++;
    i = j;
  }
  free(idx);
  free(s);
  long nneg = n - npos;
  return npos && nneg ? (rank_sum - 0.5 * npos * (npos + 1)) / ((double)npos * nneg) : NAN;
}

static void check_example(void) {
  dm_model_t *m = dm_model_load(NNEX_JSON, NNEX_WEIGHTS);
  CHECK(m != NULL, "example model loads");
  if (!m) return;
  static const dm_op_t ops[] = {DM_OP_CONV1D,  DM_OP_RELU,  DM_OP_CONV1D, DM_OP_RELU,     DM_OP_AVGPOOL1D,
                                DM_OP_RESHAPE, DM_OP_DENSE, DM_OP_RELU,   DM_OP_IDENTITY, DM_OP_DENSE};
  CHECK(m->n_nodes == 10, "layers %d", m->n_nodes);
  for (int i = 0; i < m->n_nodes && i < 10; i++)
    CHECK(m->nodes[i].op == ops[i], "layer %d (%s) is %s", i, m->nodes[i].name, dm_ops_name(m->nodes[i].op));
  CHECK(m->in_len == 200 && m->in_ch == 4 && m->n_tasks == 3 && m->out_act == DM_OUT_SIGMOID,
        "shape %d x %d -> %d, out %d", m->in_len, m->in_ch, m->n_tasks, m->out_act);
  CHECK(m->nodes[4].out_len == 1 && m->nodes[4].out_ch == 50, "avgpool out %d x %d", m->nodes[4].out_len,
        m->nodes[4].out_ch);

  float *x = NULL, *y = NULL;
  int n = nnex_read(1, &x, &y);
  CHECK(n == 800, "test split has %d sequences", n);
  if (n > 0) {
    const int B = 100;
    dm_run_t *r = dm_forward_init(m, B, 1);
    float *logit = malloc(sizeof(float) * n * 3);
    for (int b0 = 0; b0 < n; b0 += B) {
      int nb = n - b0 < B ? n - b0 : B;
      memcpy(r->in, x + (size_t)b0 * 800, sizeof(float) * nb * 800);
      dm_forward_run(r, nb);
      memcpy(logit + b0 * 3, dm_forward_logits(r), sizeof(float) * nb * 3);
    }
    /* the figures the README reports, to their 3 decimals */
    const double readme[3] = {0.989, 0.988, 0.997};
    for (int t = 0; t < 3; t++) {
      double auc = auroc(n, logit + t, y + t, 3);
      printf("example model, test split (%d sequences): task %d AUROC %.4f\n", n, t, auc);
      CHECK(fabs(auc - readme[t]) <= 5e-4, "task %d AUROC %.4f, README says %.3f", t, auc, readme[t]);
    }
    free(logit);
    dm_forward_destroy(r);
  }
  free(x);
  free(y);
  dm_model_destroy(m);
}

// --- full-model fixture: Conv1D(same, relu) - BN - MaxPool - Flatten - Dense(softmax)

static const char *FIXTURE_JSON =
    "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"tiny\", \"layers\": ["
    "{\"class_name\": \"Conv1D\", \"config\": {\"name\": \"c1\", \"filters\": 3, \"kernel_size\": [3],"
    " \"strides\": [1], \"padding\": \"same\", \"dilation_rate\": [1], \"activation\": \"relu\","
    " \"use_bias\": true, \"batch_input_shape\": [null, 6, 4]}},"
    "{\"class_name\": \"BatchNormalization\", \"config\": {\"name\": \"bn1\", \"axis\": -1, \"epsilon\": "
    "0.001}},"
    "{\"class_name\": \"MaxPooling1D\", \"config\": {\"name\": \"mp1\", \"pool_size\": [2], \"strides\": [2],"
    " \"padding\": \"valid\"}},"
    "{\"class_name\": \"Flatten\", \"config\": {\"name\": \"f1\"}},"
    "{\"class_name\": \"Dense\", \"config\": {\"name\": \"d1\", \"units\": 2, \"activation\": \"softmax\","
    " \"use_bias\": true}}]}}";

static float c1k[36], c1b[3], g[3] = {1.5f, -0.5f, 2.0f}, be[3] = {0.1f, 0.2f, -0.3f},
                              mu[3] = {0.3f, 0.1f, 0.2f}, va[3] = {0.5f, 2.0f, 1.0f}, d1k[18], d1b[2];

static int write_fixture(const char *path, const char *json, int bad_shape) {
  for (int i = 0; i < 36; i++) c1k[i] = (float)sin(1.0 + i);
  for (int i = 0; i < 18; i++) d1k[i] = (float)cos(0.5 * i);
  c1b[0] = 0.1f, c1b[1] = -0.2f, c1b[2] = 0.05f, d1b[0] = 0.3f, d1b[1] = -0.1f;
  nnfx_weight_t w[] = {
      {"c1", "kernel:0", 3, {3, 4, 3}, c1k},
      {"c1", "bias:0", 1, {3}, c1b},
      {"bn1", "gamma:0", 1, {3}, g},
      {"bn1", "beta:0", 1, {3}, be},
      {"bn1", "moving_mean:0", 1, {3}, mu},
      {"bn1", "moving_variance:0", 1, {3}, va},
      {"d1", "kernel:0", 2, {bad_shape ? 8 : 9, 2}, d1k},
      {"d1", "bias:0", 1, {2}, d1b},
  };
  return nnfx_write(path, json, w, 8);
}

/* The fixture net computed by hand, in double. x: (6, 4) -> p: (2) softmax */
static void fixture_naive(const float *x, double *logit) {
  double h[6][3], pool[3][3];
  for (int p = 0; p < 6; p++)
    for (int o = 0; o < 3; o++) {
      double v = c1b[o];
      for (int k = 0; k < 3; k++) {
        int l = p + k - 1; /* 'same' with kernel 3: one zero on each side */
        if (l < 0 || l >= 6) continue;
        for (int c = 0; c < 4; c++) v += x[l * 4 + c] * c1k[(k * 4 + c) * 3 + o];
      }
      v = v > 0 ? v : 0;
      h[p][o] = g[o] * (v - mu[o]) / sqrt(va[o] + 0.001) + be[o];
    }
  for (int p = 0; p < 3; p++)
    for (int o = 0; o < 3; o++) pool[p][o] = fmax(h[2 * p][o], h[2 * p + 1][o]);
  for (int u = 0; u < 2; u++) {
    logit[u] = d1b[u];
    for (int i = 0; i < 9; i++) logit[u] += pool[i / 3][i % 3] * d1k[i * 2 + u];
  }
}

static void check_fixture(const char *path) {
  CHECK(write_fixture(path, FIXTURE_JSON, 0) == 0, "write fixture %s", path);
  dm_model_t *m = dm_model_load(path, NULL);
  CHECK(m != NULL, "fixture loads");
  if (!m) return;
  CHECK(m->n_nodes == 6 && m->out_act == DM_OUT_SOFTMAX && m->n_tasks == 2, "fixture: %d layers, out %d",
        m->n_nodes, m->out_act);
  CHECK(m->nodes[1].op == DM_OP_RELU && !strcmp(m->nodes[1].name, "c1/activation"), "activation= layer %s",
        m->nodes[1].name);
  dm_run_t *r = dm_forward_init(m, 4, 1);
  for (int i = 0; i < 4 * 24; i++) r->in[i] = (float)sin(3.0 * i);
  dm_forward_run(r, 4);
  float pred[8];
  dm_model_activate(m, 4, dm_forward_logits(r), pred);
  for (int b = 0; b < 4; b++) {
    double lg[2];
    fixture_naive(r->in + b * 24, lg);
    CLOSE(dm_forward_logits(r)[b * 2], lg[0], 1e-5);
    CLOSE(dm_forward_logits(r)[b * 2 + 1], lg[1], 1e-5);
    CLOSE(pred[b * 2], 1.0 / (1.0 + exp(lg[1] - lg[0])), 1e-5);
  }
  dm_forward_destroy(r);
  dm_model_destroy(m);
}

/* Replaces the first occurrence of `from` in the fixture JSON. */
static char *json_with(const char *from, const char *to) {
  static char buf[4096];
  const char *p = strstr(FIXTURE_JSON, from);
  snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - FIXTURE_JSON), FIXTURE_JSON, to, p + strlen(from));
  return buf;
}

static void check_errors(const char *path) {
  CHECK(dm_model_load(DM_TEST_DATA "/no/such.h5", NULL) == NULL, "missing file");
  CHECK(dm_model_load(NNEX_WEIGHTS, NULL) == NULL, "weights-only file without architecture");
  write_fixture(path, FIXTURE_JSON, 1);
  CHECK(dm_model_load(path, NULL) == NULL, "wrong Dense kernel shape");
  static const char *const bad[][3] = {
      {"\"MaxPooling1D\"", "\"LSTM\"", "unsupported layer"},
      {"\"activation\": \"relu\"", "\"activation\": \"softmax\"", "softmax before the output"},
      {"\"activation\": \"relu\"", "\"activation\": \"selu\"", "unsupported activation"},
      {"\"Sequential\"", "\"Model\"", "functional model"},
      {"[null, 6, 4]", "[null, 1, 4]", "input shorter than the pooling window"},
      {"\"layers\": [", "\"layers\": [{]", "malformed JSON"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    write_fixture(path, json_with(bad[i][0], bad[i][1]), 0);
    CHECK(dm_model_load(path, NULL) == NULL, "%s refused", bad[i][2]);
  }
}

int main(void) {
  dm_log_init(0, DM_LOG_WARN);
  char path[] = "/tmp/test_nn_model_XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0, "temp file");
  close(fd);
  check_example();
  check_fixture(path);
  check_errors(path);
  unlink(path);
  return dm_test_summary("test_nn_model");
}
