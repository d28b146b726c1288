/* test_deeplift: attribution methods.
 *  - hand-worked nets: y = 1 - ReLU(1 - i1 - i2) at (1,1) and y = i1 - ReLU(i1 - i2)
 *    at (10,6), zero reference (Shrikumar et al. 2017, figs. 2-3), and a net whose
 *    input i2 = 0 has Δ = 0 (RevealCancel's ½(m+ + m-)·Wᵀ rule);
 *  - against an independent double-precision DeepLIFT (deeplift_ref.h) on the
 *    example model, every rule set, zero and shuffled references, bases present and
 *    absent apart (summation-to-delta cannot see the absent ones), and on the
 *    BatchNorm net;
 *  - summation-to-delta of Rescale, RevealCancel and genomics default on the
 *    example model, zero / shuffled / random references, and on a net with a
 *    BatchNorm (negative gammas) between Dense and ReLU;
 *  - integrated gradients converge to summation-to-delta as steps grow;
 *  - ism against single forward passes; grad against finite differences;
 *    Rescale with reference = input against the gradient;
 *  - batch composition does not change results; bad inputs are refused. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dm_methods.h"
#include "deeplift_ref.h"
#include "dm_test.h"
#include "nn_example.h"
#include "nn_fixture.h"

static char fixture_path[] = "/tmp/test_deeplift_XXXXXX";

static dm_methods_opt_t opts(dm_method_t method, dm_rules_t rules, int steps) {
  dm_methods_opt_t o;
  dm_methods_opt_init(&o);
  o.method = method;
  o.rules = rules;
  if (steps) o.ig_steps = steps;
  return o;
}

/* hyp (T, n, len, ch) of one call; caller frees. */
static float *attribute(const dm_model_t *m, dm_methods_opt_t o, int n, int R, const float *x,
                        const float *refs) {
  float *hyp = malloc(sizeof(float) * m->n_tasks * n * m->in_len * m->in_ch);
  dm_methods_t *a = dm_methods_init(m, &o, NULL, 0, n, R);
  CHECK(a != NULL, "attr init %s", dm_methods_name(o.method));
  if (!a) return hyp;
  int rc = dm_methods_run(a, n, m->in_len, x, refs, hyp, NULL);
  CHECK(rc == 0, "attr run");
  dm_methods_destroy(a);
  return hyp;
}

// --- hand-worked cases

static dm_model_t *dense_net(const char *json, nnfx_weight_t *w, int nw) {
  CHECK(nnfx_write(fixture_path, json, w, nw) == 0, "write %s", fixture_path);
  dm_model_t *m = dm_model_load(fixture_path, NULL);
  CHECK(m != NULL, "tiny net loads");
  return m;
}

#define DENSE_JSON(in, units1, units2)                                                                       \
  "{\"class_name\": \"Sequential\", \"config\": [{\"class_name\": \"Dense\", \"config\": {\"name\": \"d1\"," \
  " \"units\": " #units1 ", \"batch_input_shape\": [null, 1, " #in                                           \
  "]}}, {\"class_name\": \"Activation\","                                                                    \
  " \"config\": {\"name\": \"a1\", \"activation\": \"relu\"}}, {\"class_name\": \"Dense\", \"config\":"      \
  " {\"name\": \"d2\", \"units\": " #units2 "}}]}"

static void check_hand_worked(void) {
  /* y = 1 - ReLU(1 - i1 - i2) at i1 = i2 = 1: gradient 0, DeepLIFT 0.5 each */
  float w1[] = {-1, -1}, b1[] = {1}, w2[] = {-1}, b2[] = {1};
  nnfx_weight_t wa[] = {{"d1", "kernel:0", 2, {2, 1}, w1},
                        {"d1", "bias:0", 1, {1}, b1},
                        {"d2", "kernel:0", 2, {1, 1}, w2},
                        {"d2", "bias:0", 1, {1}, b2}};
  dm_model_t *m = dense_net(DENSE_JSON(2, 1, 1), wa, 4);
  if (m) {
    float x[2] = {1, 1}, ref[2] = {0, 0};
    float *h = attribute(m, opts(DM_METHOD_GRAD, 0, 0), 1, 1, x, NULL);
    CHECK(h[0] == 0.0f && h[1] == 0.0f, "gradient %g %g", h[0], h[1]);
    free(h);
    for (int rules = 0; rules < DM_RULES_COUNT; rules++) {
      h = attribute(m, opts(DM_METHOD_DEEPLIFT, rules, 0), 1, 1, x, ref);
      CLOSE(h[0] * x[0], 0.5, 1e-6);
      CLOSE(h[1] * x[1], 0.5, 1e-6);
      free(h);
    }
    dm_model_destroy(m);
  }
  /* y = i1 - ReLU(i1 - i2) = ReLU(i1) - ReLU(-i1) - ReLU(i1 - i2) at (10, 6):
   * Rescale gives 0 and 6, RevealCancel (and genomics default, ReLU after Dense) 3 and 3 */
  float v1[] = {1, -1, 1, 0, 0, -1}, c1[] = {0, 0, 0}, v2[] = {1, -1, -1}, c2[] = {0};
  nnfx_weight_t wb[] = {{"d1", "kernel:0", 2, {2, 3}, v1},
                        {"d1", "bias:0", 1, {3}, c1},
                        {"d2", "kernel:0", 2, {3, 1}, v2},
                        {"d2", "bias:0", 1, {1}, c2}};
  m = dense_net(DENSE_JSON(2, 3, 1), wb, 4);
  if (m) {
    float x[2] = {10, 6}, ref[2] = {0, 0};
    static const double want[DM_RULES_COUNT][2] = {{0, 6}, {3, 3}, {3, 3}};
    for (int rules = 0; rules < DM_RULES_COUNT; rules++) {
      float *h = attribute(m, opts(DM_METHOD_DEEPLIFT, rules, 0), 1, 1, x, ref);
      printf("y = i1 - ReLU(i1 - i2), %s: %.6f %.6f\n", dm_deeplift_rules_name(rules), h[0] * x[0],
             h[1] * x[1]);
      CHECK(fabs(h[0] * x[0] - want[rules][0]) < 1e-5 && fabs(h[1] * x[1] - want[rules][1]) < 1e-5,
            "%s: %g %g", dm_deeplift_rules_name(rules), h[0] * x[0], h[1] * x[1]);
      free(h);
    }
    dm_model_destroy(m);
  }
  /* Δ = 0 at i2: x = (10, 0), zero reference, d1 kernel rows i1 {1, -1, 1}, i2 {0, 2, -1}, d2 {1, -1, -1}.
   * RevealCancel (by hand): unit 1 and 3 have Δz+ = 10, Δz- = 0 so m+ = m- = 1; unit 2 has Δz+ = 0,
   * Δz- = -10 so m+ = ½ (pseudocount 1e-7 over the kink at 0) and m- = 5e-9. Through d2: m+ = (1, -½, -1),
   * m- = (1, -5e-9, -1); i2 gets ½(m+ + m-)·W = ½(2·(-½ - 5e-9) + (-1)·(-2)) = ½ - 5e-9 (the rule for
   * Δ > 0 would give 0, for Δ < 0 1); i1 (Δ > 0) gets m+·W+ + m-·W- = 1 - 1 + 5e-9. Rescale: slopes
   * (1, 0, 1), i1 gets 0, i2 gets 1. */
  float u1[] = {1, -1, 1, 0, 2, -1};
  nnfx_weight_t wc[] = {{"d1", "kernel:0", 2, {2, 3}, u1},
                        {"d1", "bias:0", 1, {3}, c1},
                        {"d2", "kernel:0", 2, {3, 1}, v2},
                        {"d2", "bias:0", 1, {1}, c2}};
  m = dense_net(DENSE_JSON(2, 3, 1), wc, 4);
  if (m) {
    float x[2] = {10, 0}, ref[2] = {0, 0};
    static const double want[DM_RULES_COUNT][2] = {{0, 1}, {5e-9, 0.5 - 5e-9}, {5e-9, 0.5 - 5e-9}};
    for (int rules = 0; rules < DM_RULES_COUNT; rules++) {
      float *h = attribute(m, opts(DM_METHOD_DEEPLIFT, rules, 0), 1, 1, x, ref);
      double dl[2];
      dlref_hyp(m, rules, 1, 1, x, ref, dl);
      printf("zero-delta input, %s: multipliers %.9f %.9f (reference %.9f %.9f)\n",
             dm_deeplift_rules_name(rules), h[0], h[1], dl[0], dl[1]);
      for (int c = 0; c < 2; c++) {
        CHECK(fabs(h[c] - want[rules][c]) < 1e-6, "%s: input %d: multiplier %.9g, by hand %.9g",
              dm_deeplift_rules_name(rules), c + 1, h[c], want[rules][c]);
        CHECK(fabs(dl[c] - want[rules][c]) < 1e-7, "%s: input %d: reference %.12g, by hand %.12g",
              dm_deeplift_rules_name(rules), c + 1, dl[c], want[rules][c]);
      }
      free(h);
    }
    dm_model_destroy(m);
  }
}

// --- summation-to-delta

static double urand(void) { return rand() / (double)RAND_MAX; }

/* Logits of n rows (n, T) by a plain forward pass. */
static float *logits(const dm_model_t *m, int n, const float *x) {
  dm_run_t *r = dm_forward_init(m, n, 1);
  memcpy(r->in, x, sizeof(float) * n * m->in_len * m->in_ch);
  dm_forward_run(r, n);
  float *z = malloc(sizeof(float) * n * m->n_tasks);
  memcpy(z, dm_forward_logits(r), sizeof(float) * n * m->n_tasks);
  dm_forward_destroy(r);
  return z;
}

/* max over tasks and sequences of |Σ hyp·x - (logit(x) - mean logit(ref))| / (1 + |Δ|);
 * *mean_delta gets the mean |Δ| (so a vacuous test shows). */
static double delta_error(const dm_model_t *m, int n, int R, const float *x, const float *refs,
                          const float *hyp, double *mean_delta) {
  int T = m->n_tasks;
  size_t row = (size_t)m->in_len * m->in_ch;
  float *zx = logits(m, n, x), *zr = logits(m, n * R, refs);
  double err = 0.0, md = 0.0;
  for (int t = 0; t < T; t++)
    for (int i = 0; i < n; i++) {
      double s = 0.0, delta = zx[i * T + t];
      for (size_t e = 0; e < row; e++) s += hyp[((size_t)t * n + i) * row + e] * x[i * row + e];
      for (int k = 0; k < R; k++) delta -= zr[(i * R + k) * T + t] / R;
      err = fmax(err, fabs(s - delta) / (1.0 + fabs(delta)));
      md += fabs(delta) / (T * n);
    }
  free(zx);
  free(zr);
  if (mean_delta) *mean_delta = md;
  return err;
}

/* References: 0 zeros, 1 position shuffles of the input, 2 random one-hot. */
static float *make_refs(int kind, int n, int R, int len, const float *x) {
  float *refs = calloc((size_t)n * R * len * 4, sizeof(float));
  int *perm = malloc(sizeof(int) * len);
  for (int i = 0; i < n; i++)
    for (int k = 0; k < R; k++) {
      float *r = refs + ((size_t)i * R + k) * len * 4;
      for (int l = 0; l < len; l++) perm[l] = l;
      for (int l = len - 1; l > 0; l--) {
        int j = (int)(urand() * (l + 1)) % (l + 1), t = perm[l];
        perm[l] = perm[j], perm[j] = t;
      }
      for (int l = 0; l < len; l++) {
        if (kind == 1) memcpy(r + l * 4, x + ((size_t)i * len + perm[l]) * 4, sizeof(float) * 4);
        if (kind == 2) r[l * 4 + (int)(urand() * 4) % 4] = 1.0f;
      }
    }
  free(perm);
  return refs;
}

static void check_summation(const dm_model_t *m, int n, const float *x) {
  static const char *kind_name[] = {"zero", "shuffled", "random"};
  for (int kind = 0; kind < 3; kind++) {
    int R = kind == 0 ? 1 : 4;
    float *refs = make_refs(kind, n, R, m->in_len, x);
    for (int rules = 0; rules < DM_RULES_COUNT; rules++) {
      float *h = attribute(m, opts(DM_METHOD_DEEPLIFT, rules, 0), n, R, x, refs);
      double md, err = delta_error(m, n, R, x, refs, h, &md);
      printf("summation-to-delta, %s refs, %s: max rel error %.2e (mean |delta| %.3f)\n", kind_name[kind],
             dm_deeplift_rules_name(rules), err, md);
      CHECK(err < 1e-5 && md > 0.1, "%s refs, %s: error %g, mean delta %g", kind_name[kind],
            dm_deeplift_rules_name(rules), err, md);
      free(h);
    }
    free(refs);
  }
}

// --- against the independent double-precision DeepLIFT (deeplift_ref.h)

/* max |hyp - reference| over elements where x is (present) or is not (absent) 1, over max |reference|. */
static void ref_error(const dm_model_t *m, int n, const float *x, const float *h, const double *dl,
                      double *present, double *absent) {
  size_t row = (size_t)m->in_len * m->in_ch;
  double scale = 0.0;
  *present = *absent = 0.0;
  for (size_t e = 0; e < (size_t)m->n_tasks * n * row; e++) scale = fmax(scale, fabs(dl[e]));
  for (size_t e = 0; e < (size_t)m->n_tasks * n * row; e++) {
    double err = fabs(h[e] - dl[e]) / scale;
    double *acc = x[e % ((size_t)n * row)] == 1.0f ? present : absent;
    *acc = fmax(*acc, err);
  }
}

static void check_reference(const dm_model_t *m, int n, const float *x) {
  static const char *kind_name[] = {"zero", "shuffled"};
  size_t row = (size_t)m->in_len * m->in_ch;
  double *dl = malloc(sizeof(double) * m->n_tasks * n * 2 * row);
  for (int kind = 0; kind < 2; kind++) {
    int R = kind == 0 ? 1 : 2, rows = kind == 0 ? n : n / 2;
    float *refs = make_refs(kind, rows, R, m->in_len, x);
    for (int rules = 0; rules < DM_RULES_COUNT; rules++) {
      float *h = attribute(m, opts(DM_METHOD_DEEPLIFT, rules, 0), rows, R, x, refs);
      dlref_hyp(m, rules, rows, R, x, refs, dl);
      double present, absent;
      ref_error(m, rows, x, h, dl, &present, &absent);
      printf("vs double-precision reference, %s refs, %s: max error / max |hyp|: present %.2e, absent %.2e\n",
             kind_name[kind], dm_deeplift_rules_name(rules), present, absent);
      CHECK(present < 1e-5 && absent < 1e-5, "%s refs, %s: present %g, absent %g", kind_name[kind],
            dm_deeplift_rules_name(rules), present, absent);
      free(h);
    }
    free(refs);
  }
  free(dl);
}

/* Integrated gradients converge to summation-to-delta as steps grow. */
static void check_ig(const dm_model_t *m, const float *x) {
  for (int kind = 0; kind < 2; kind++) {
    int n = 2, R = kind == 0 ? 1 : 2;
    float *refs = make_refs(kind, n, R, m->in_len, x);
    double prev = INFINITY;
    for (int steps = 4; steps <= 256; steps *= 8) {
      float *h = attribute(m, opts(DM_METHOD_IG, 0, steps), n, R, x, refs);
      double err = delta_error(m, n, R, x, refs, h, NULL);
      printf("integrated gradients, %s refs, %d steps: max rel error %.2e\n", kind ? "shuffled" : "zero",
             steps, err);
      CHECK(err < prev || err < 1e-4, "ig %d steps: error %g after %g", steps, err, prev);
      if (steps == 256) CHECK(err < 0.02, "ig 256 steps: error %g", err);
      prev = err;
      free(h);
    }
    free(refs);
  }
}

/* Dense - BatchNorm (negative gammas) - ReLU - Dense, RevealCancel split through the batchnorm. */
static void check_batchnorm_split(void) {
  const char *json =
      "{\"class_name\": \"Sequential\", \"config\": ["
      "{\"class_name\": \"Dense\", \"config\": {\"name\": \"d1\", \"units\": 4, \"batch_input_shape\": "
      "[null, 1, 3]}},"
      "{\"class_name\": \"BatchNormalization\", \"config\": {\"name\": \"bn\", \"epsilon\": 0.01}},"
      "{\"class_name\": \"Activation\", \"config\": {\"name\": \"a1\", \"activation\": \"relu\"}},"
      "{\"class_name\": \"Dense\", \"config\": {\"name\": \"d2\", \"units\": 2, \"activation\": "
      "\"sigmoid\"}}]}";
  float k1[12], b1[4], g[4] = {1.2f, -0.7f, 0.5f, -2.0f}, be[4] = {0.1f, -0.2f, 0.3f, 0.0f},
                       mu[4] = {0.2f, -0.1f, 0.0f, 0.4f}, va[4] = {1.0f, 0.5f, 2.0f, 0.3f}, k2[8],
                       b2[2] = {0.1f, -0.3f};
  for (int i = 0; i < 12; i++) k1[i] = (float)sin(2.0 * i + 0.3);
  for (int i = 0; i < 4; i++) b1[i] = (float)cos(1.0 * i);
  for (int i = 0; i < 8; i++) k2[i] = (float)cos(1.7 * i);
  nnfx_weight_t w[] = {{"d1", "kernel:0", 2, {3, 4}, k1},   {"d1", "bias:0", 1, {4}, b1},
                       {"bn", "gamma:0", 1, {4}, g},        {"bn", "beta:0", 1, {4}, be},
                       {"bn", "moving_mean:0", 1, {4}, mu}, {"bn", "moving_variance:0", 1, {4}, va},
                       {"d2", "kernel:0", 2, {4, 2}, k2},   {"d2", "bias:0", 1, {2}, b2}};
  dm_model_t *m = dense_net(json, w, 8);
  if (!m) return;
  enum { N = 16, R = 3 };
  float x[N * 3], refs[N * R * 3];
  for (int i = 0; i < N; i++) { /* rows sum to 1, as one-hot rows do: then Σ hyp·x = Σ m·(x - x0) */
    x[3 * i] = (float)(4 * urand() - 2);
    x[3 * i + 1] = (float)(4 * urand() - 2);
    x[3 * i + 2] = 1.0f - x[3 * i] - x[3 * i + 1];
  }
  for (int i = 0; i < N * R * 3; i++) refs[i] = (float)(4 * urand() - 2);
  for (int rules = 0; rules < DM_RULES_COUNT; rules++) {
    float *h = attribute(m, opts(DM_METHOD_DEEPLIFT, rules, 0), N, R, x, refs);
    double md, err = delta_error(m, N, R, x, refs, h, &md);
    CHECK(err < 1e-5 && md > 0.1, "batchnorm net, %s: error %g, mean delta %g", dm_deeplift_rules_name(rules),
          err, md);
    double dl[N * 2 * 3], diff = 0.0, scale = 0.0;
    dlref_hyp(m, rules, N, R, x, refs, dl);
    for (int e = 0; e < N * 2 * 3; e++)
      diff = fmax(diff, fabs(h[e] - dl[e])), scale = fmax(scale, fabs(dl[e]));
    CHECK(diff < 1e-5 * scale, "batchnorm net, %s: vs reference %g (max %g)", dm_deeplift_rules_name(rules),
          diff, scale);
    free(h);
  }
  dm_model_destroy(m);
}

// --- ism, grad, batches, bad input

static void check_ism(const dm_model_t *m, const float *x) {
  enum { N = 2 };
  int len = m->in_len, T = m->n_tasks;
  size_t row = (size_t)len * 4;
  float *xs = malloc(sizeof(float) * N * row);
  memcpy(xs, x, sizeof(float) * N * row);
  memset(xs + 5 * 4, 0, sizeof(float) * 4); /* an N at position 5 of sequence 0 */
  float *h = attribute(m, opts(DM_METHOD_ISM, 0, 0), N, 0, xs, NULL);
  float *base = logits(m, N, xs), *mut = malloc(sizeof(float) * row);
  double err = 0.0;
  int zeros_ok = 1;
  for (int i = 0; i < N; i++)
    for (int l = 0; l < len; l += 7)
      for (int c = 0; c < 4; c++) {
        const float *xi = xs + i * row;
        if (xi[l * 4 + c] == 1.0f) {
          for (int t = 0; t < T; t++) zeros_ok &= h[((size_t)t * N + i) * row + l * 4 + c] == 0.0f;
          continue;
        }
        memcpy(mut, xi, sizeof(float) * row);
        for (int k = 0; k < 4; k++) mut[l * 4 + k] = k == c;
        float *z = logits(m, 1, mut);
        for (int t = 0; t < T; t++)
          err = fmax(err, fabs(h[((size_t)t * N + i) * row + l * 4 + c] - (z[t] - base[i * T + t])));
        free(z);
      }
  CHECK(err < 1e-4, "ism vs brute force: max error %g", err);
  CHECK(zeros_ok, "ism is 0 at the base present");
  free(h);
  free(base);
  free(mut);
  free(xs);
}

static void check_grad(const dm_model_t *m, const float *x) {
  int T = m->n_tasks;
  size_t row = (size_t)m->in_len * 4;
  float *g = attribute(m, opts(DM_METHOD_GRAD, 0, 0), 1, 0, x, NULL);
  float *gx = attribute(m, opts(DM_METHOD_GRAD_X_INPUT, 0, 0), 1, 0, x, NULL);
  float *xp = malloc(sizeof(float) * row);
  double err = 0.0, err_gx = 0.0;
  int checked = 0, close = 0;
  static const float hs[] = {1e-2f, 3e-3f, 1e-3f}; /* best of three steps: one may cross a ReLU kink */
  for (size_t e = 0; e < row; e += 13)
    for (int t = 0; t < T; t++) {
      double best = INFINITY;
      for (int k = 0; k < 3; k++) {
        memcpy(xp, x, sizeof(float) * row);
        xp[e] += hs[k];
        float *zp = logits(m, 1, xp);
        xp[e] -= 2 * hs[k];
        float *zm = logits(m, 1, xp);
        double fd = (zp[t] - zm[t]) / (2 * hs[k]);
        best = fmin(best, fabs(fd - g[t * row + e]) / (1.0 + fabs(fd)));
        free(zp);
        free(zm);
      }
      err = fmax(err, best);
      checked++;
      close += best < 1e-3;
    }
  for (size_t e = 0; e < T * row; e++) err_gx = fmax(err_gx, fabs(gx[e] - g[e] * x[e % row]));
  /* a step can still cross a ReLU kink of a unit near 0: allow a few such entries */
  printf("grad vs finite differences: %d of %d within 1e-3, max error %.2e\n", close, checked, err);
  CHECK(close >= 0.95 * checked && err < 0.05, "grad vs finite differences: %d of %d close, max error %g",
        close, checked, err);
  CHECK(err_gx == 0.0, "grad_x_input = grad * x: max error %g", err_gx);
  free(g);
  free(gx);
  free(xp);
}

/* Reference = input: every Δ is 0, Rescale falls back to the gradient, so
 * hyp[l,c] = grad[l,c] - grad[l, base present]. */
static void check_rescale_limit(const dm_model_t *m, const float *x) {
  enum { N = 3 };
  size_t row = (size_t)m->in_len * 4;
  float *g = attribute(m, opts(DM_METHOD_GRAD, 0, 0), N, 0, x, NULL);
  float *h = attribute(m, opts(DM_METHOD_DEEPLIFT, DM_RULES_RESCALE, 0), N, 1, x, x);
  double err = 0.0;
  for (int t = 0; t < m->n_tasks; t++)
    for (int i = 0; i < N; i++)
      for (int l = 0; l < m->in_len; l++) {
        const float *gl = g + ((size_t)t * N + i) * row + l * 4, *xl = x + i * row + l * 4;
        double present = 0.0;
        for (int c = 0; c < 4; c++) present += gl[c] * xl[c];
        for (int c = 0; c < 4; c++)
          err = fmax(err, fabs(h[((size_t)t * N + i) * row + l * 4 + c] - (gl[c] - present)));
      }
  CHECK(err < 1e-6, "rescale with reference = input vs gradient: max error %g", err);
  free(g);
  free(h);
}

static void check_batches(const dm_model_t *m, const float *x) {
  enum { N = 5, R = 2 };
  size_t row = (size_t)m->in_len * 4;
  int T = m->n_tasks;
  float *refs = make_refs(1, N, R, m->in_len, x);
  float *all = attribute(m, opts(DM_METHOD_DEEPLIFT, DM_RULES_GENOMICS, 0), N, R, x, refs);
  float *one =
      attribute(m, opts(DM_METHOD_DEEPLIFT, DM_RULES_GENOMICS, 0), 1, R, x + 3 * row, refs + 3 * R * row);
  double err = 0.0;
  for (int t = 0; t < T; t++)
    for (size_t e = 0; e < row; e++)
      err = fmax(err, fabs(all[((size_t)t * N + 3) * row + e] - one[t * row + e]));
  CHECK(err < 1e-5, "sequence 3 alone vs in a batch of %d: max difference %g", N, err);
  free(refs);
  free(all);
  free(one);

  dm_methods_opt_t o = opts(DM_METHOD_DEEPLIFT, DM_RULES_GENOMICS, 0);
  dm_methods_t *a = dm_methods_init(m, &o, NULL, 0, 2, 1);
  float hyp[3 * 2 * 800];
  CHECK(dm_methods_run(a, 1, m->in_len - 1, x, x, hyp, NULL) == -1, "input length mismatch refused");
  CHECK(dm_methods_run(a, 3, m->in_len, x, x, hyp, NULL) == -1, "batch above max refused");
  CHECK(dm_methods_run(a, 1, m->in_len, x, NULL, hyp, NULL) == -1, "missing references refused");
  dm_methods_destroy(a);
  o.ig_steps = 0;
  CHECK(dm_methods_init(m, &o, NULL, 0, 2, 1) == NULL, "ig steps 0 refused");
}

/* genomics default / RevealCancel need a Conv1D or Dense before each nonlinearity */
static void check_rule_errors(void) {
  const char *json =
      "{\"class_name\": \"Sequential\", \"config\": ["
      "{\"class_name\": \"Conv1D\", \"config\": {\"name\": \"c1\", \"filters\": 2, \"kernel_size\": [3],"
      " \"batch_input_shape\": [null, 8, 4]}},"
      "{\"class_name\": \"MaxPooling1D\", \"config\": {\"name\": \"mp\", \"pool_size\": [2]}},"
      "{\"class_name\": \"Activation\", \"config\": {\"name\": \"a1\", \"activation\": \"relu\"}},"
      "{\"class_name\": \"Flatten\", \"config\": {\"name\": \"f\"}},"
      "{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 1}}]}";
  float k[24] = {0}, b[2] = {0}, kd[6] = {0}, bd[1] = {0};
  nnfx_weight_t w[] = {{"c1", "kernel:0", 3, {3, 4, 2}, k},
                       {"c1", "bias:0", 1, {2}, b},
                       {"d", "kernel:0", 2, {6, 1}, kd},
                       {"d", "bias:0", 1, {1}, bd}};
  dm_model_t *m = dense_net(json, w, 4);
  if (!m) return;
  CHECK(dm_deeplift_init(m, DM_RULES_GENOMICS, 4, 1) == NULL, "genomics default after max-pool refused");
  CHECK(dm_deeplift_init(m, DM_RULES_REVEALCANCEL, 4, 1) == NULL, "revealcancel after max-pool refused");
  dm_deeplift_t *d = dm_deeplift_init(m, DM_RULES_RESCALE, 4, 1);
  CHECK(d != NULL, "rescale after max-pool accepted");
  dm_deeplift_destroy(d);
  dm_model_destroy(m);
}

int main(void) {
  dm_log_init(0, DM_LOG_WARN);
  srand(7);
  int fd = mkstemp(fixture_path);
  CHECK(fd >= 0, "temp file");
  close(fd);
  check_hand_worked();
  check_batchnorm_split();
  check_rule_errors();
  dm_model_t *m = dm_model_load(NNEX_JSON, NNEX_WEIGHTS);
  float *x = NULL, *y = NULL;
  int n = nnex_read(1, &x, &y);
  CHECK(m && n >= 32, "example model and sequences");
  if (m && n >= 32) {
    check_summation(m, 32, x);
    check_reference(m, 4, x);
    check_ig(m, x);
    check_ism(m, x);
    check_grad(m, x + 10 * 800);
    check_rescale_limit(m, x);
    check_batches(m, x);
  }
  free(x);
  free(y);
  dm_model_destroy(m);
  unlink(fixture_path);
  return dm_test_summary("test_deeplift");
}
