/* test_nn_ops: every op's forward against a naive double-precision version,
 * and its backward against central finite differences of that version
 * (inputs kept away from ReLU/max-pool kinks, which are checked by hand). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dm_ops.h"
#include "dm_test.h"
#include "nn_naive.h"

static double urand(void) { return 2.0 * rand() / (double)RAND_MAX - 1.0; }

static float *rand_array(size_t n, double away_from_zero) {
  float *a = malloc(sizeof(float) * (n ? n : 1));
  for (size_t i = 0; i < n; i++) {
    double v = urand();
    if (fabs(v) < away_from_zero) v = v < 0 ? v - away_from_zero : v + away_from_zero;
    a[i] = (float)v;
  }
  return a;
}

/* TensorFlow 'same' output length and leading pad. */
static void same_pad(dm_node_t *ly) {
  int span = (ly->kernel - 1) * ly->dilation + 1;
  ly->out_len = (ly->in_len + ly->stride - 1) / ly->stride;
  int total = (ly->out_len - 1) * ly->stride + span - ly->in_len;
  ly->pad_left = total > 0 ? total / 2 : 0;
}

static void valid_len(dm_node_t *ly) {
  int span = (ly->kernel - 1) * ly->dilation + 1;
  ly->out_len = (ly->in_len - span) / ly->stride + 1;
}

static dm_node_t make(dm_op_t op, int len, int ch, int out_ch, int kernel, int stride, int dil, int same) {
  dm_node_t ly = {.op = op,
                  .n_in = 1,
                  .in_len = len,
                  .in_ch = ch,
                  .out_len = len,
                  .out_ch = out_ch,
                  .kernel = kernel,
                  .stride = stride,
                  .dilation = dil};
  snprintf(ly.name, sizeof ly.name, "%s", dm_ops_name(op));
  if (op == DM_OP_CONV1D || op == DM_OP_MAXPOOL1D || op == DM_OP_AVGPOOL1D) {
    if (same)
      same_pad(&ly);
    else
      valid_len(&ly);
  }
  size_t nw = (size_t)(op == DM_OP_CONV1D ? kernel : 1) * ch * out_ch;
  if (op == DM_OP_CONV1D || op == DM_OP_DENSE) {
    ly.w = rand_array(nw, 0.0);
    ly.b = rand_array(out_ch, 0.0);
    ly.wpos = malloc(sizeof(float) * nw);
    ly.wneg = malloc(sizeof(float) * nw);
    for (size_t i = 0; i < nw; i++) {
      ly.wpos[i] = fmaxf(ly.w[i], 0.0f);
      ly.wneg[i] = fminf(ly.w[i], 0.0f);
    }
  }
  if (op == DM_OP_BATCHNORM) {
    ly.scale = rand_array(ch, 0.1);
    ly.shift = rand_array(ch, 0.0);
  }
  return ly;
}

static void unmake(dm_node_t *ly) {
  free(ly->w);
  free(ly->b);
  free(ly->wpos);
  free(ly->wneg);
  free(ly->scale);
  free(ly->shift);
}

/* Forward vs naive for n rows; backward (rep 2) vs finite differences, for every input. */
static void check_layer(dm_node_t *ly, int n) {
  int ni = ly->n_in ? ly->n_in : 1;
  size_t out = dm_ops_out_size(ly), in[DM_NODE_MAX_IN];
  int kink = ly->op == DM_OP_RELU;
  float *x[DM_NODE_MAX_IN], *dx[DM_NODE_MAX_IN];
  double *xd[DM_NODE_MAX_IN];
  for (int k = 0; k < ni; k++) {
    in[k] = dm_ops_in_size_k(ly, k);
    x[k] = rand_array(n * in[k], kink ? 0.05 : 0.0);
    xd[k] = malloc(sizeof(double) * in[k]);
  }
  float *y = malloc(sizeof(float) * n * out),
        *scratch = malloc(sizeof(float) * (dm_ops_scratch_floats(ly) + 1));
  double *yp = malloc(sizeof(double) * out), *ym = malloc(sizeof(double) * out);
  const float *xs[DM_NODE_MAX_IN];
  const double *xds[DM_NODE_MAX_IN];
  for (int k = 0; k < ni; k++) xs[k] = x[k], xds[k] = xd[k];
  dm_ops_forward(ly, n, xs, y, scratch);
  double maxerr = 0.0;
  for (int b = 0; b < n; b++) {
    for (int k = 0; k < ni; k++)
      for (size_t e = 0; e < in[k]; e++) xd[k][e] = x[k][b * in[k] + e];
    naive_node(ly, xds, yp);
    for (size_t o = 0; o < out; o++) maxerr = fmax(maxerr, fabs(yp[o] - y[b * out + o]));
  }
  CHECK(maxerr < 1e-5, "%s forward (n=%d): max error %g", ly->name, n, maxerr);

  int rep = 2, nb = n < 3 ? n : 3; /* finite differences on the first rows */
  float *dy = rand_array((size_t)rep * nb * out, 0.0);
  for (int k = 0; k < ni; k++) dx[k] = malloc(sizeof(float) * rep * nb * in[k]);
  dm_bwd_ctx_t c = {.n = nb, .rep = rep, .x = xs, .xdiv = 1, .scratch = scratch};
  dm_ops_backward(ly, &c, dy, dx);
  const double h = 1e-3;
  maxerr = 0.0;
  long checked = 0;
  for (int t = 0; t < rep; t++)
    for (int b = 0; b < nb; b++)
      for (int k = 0; k < ni; k++)
        for (size_t e = 0; e<in[k]; e += in[k]> 1000 ? 97 : 1) { /* a sample of large inputs */
          for (int j = 0; j < ni; j++)
            for (size_t q = 0; q < in[j]; q++) xd[j][q] = x[j][b * in[j] + q];
          xd[k][e] += h;
          naive_node(ly, xds, yp);
          xd[k][e] -= 2 * h;
          naive_node(ly, xds, ym);
          double fd = 0.0;
          for (size_t o = 0; o < out; o++)
            fd += dy[((size_t)t * nb + b) * out + o] * (yp[o] - ym[o]) / (2 * h);
          maxerr = fmax(maxerr, fabs(fd - dx[k][((size_t)t * nb + b) * in[k] + e]) / (1.0 + fabs(fd)));
          checked++;
        }
  CHECK(maxerr < 1e-4 && checked > 0, "%s backward vs finite differences: max error %g over %ld", ly->name,
        maxerr, checked);

  if (ly->op == DM_OP_CONV1D || ly->op == DM_OP_DENSE) {
    /* W+ and W- applied separately add up to W; the transpose is the backward */
    float *y2 = malloc(sizeof(float) * n * out), *dx2 = malloc(sizeof(float) * rep * nb * in[0]);
    dm_ops_linear_apply(ly, ly->wpos, n, x[0], y2, 0, scratch);
    dm_ops_linear_apply(ly, ly->wneg, n, x[0], y2, 1, scratch);
    maxerr = 0.0;
    for (int b = 0; b < n; b++)
      for (size_t o = 0; o < out; o++)
        maxerr = fmax(maxerr, fabs(y2[b * out + o] + ly->b[o % ly->out_ch] - y[b * out + o]));
    CHECK(maxerr < 1e-5, "%s W+ + W- = W: max error %g", ly->name, maxerr);
    dm_ops_linear_transpose(ly, ly->wneg, rep * nb, dy, dx2, 0, scratch);
    dm_ops_linear_transpose(ly, ly->wpos, rep * nb, dy, dx2, 1, scratch);
    maxerr = 0.0;
    for (size_t e = 0; e < (size_t)rep * nb * in[0]; e++) maxerr = fmax(maxerr, fabs(dx2[e] - dx[0][e]));
    CHECK(maxerr < 1e-5, "%s transpose with W- then W+: max error %g", ly->name, maxerr);
    free(y2);
    free(dx2);
  }
  for (int k = 0; k < ni; k++) {
    free(x[k]);
    free(xd[k]);
    free(dx[k]);
  }
  free(y);
  free(scratch);
  free(yp);
  free(ym);
  free(dy);
}

/* Multi-input and data-movement ops, with their shapes set by hand. */
static dm_node_t make_move(dm_op_t op, int n_in, int len, int ch, dm_axis_t axis, const int *parts, int start,
                           int out_len, int out_ch) {
  dm_node_t ly = {.op = op,
                  .n_in = n_in,
                  .in_len = len,
                  .in_ch = ch,
                  .out_len = out_len,
                  .out_ch = out_ch,
                  .axis = axis,
                  .start = start,
                  .kernel = 1,
                  .stride = 1,
                  .dilation = 1};
  snprintf(ly.name, sizeof ly.name, "%s", dm_ops_name(op));
  for (int k = 0; parts && k < n_in; k++) ly.part[k] = parts[k];
  return ly;
}

static void check_moves(void) {
  int p3[] = {2, 3, 1}, p2[] = {2, 4};
  dm_node_t moves[] = {
      make_move(DM_OP_ADD, 2, 5, 3, 0, NULL, 0, 5, 3),
      make_move(DM_OP_ADD, 3, 4, 2, 0, NULL, 0, 4, 2),
      make_move(DM_OP_SUB, 2, 5, 3, 0, NULL, 0, 5, 3),
      make_move(DM_OP_CONCAT, 3, 4, 2, DM_AXIS_CH, p3, 0, 4, 6),
      make_move(DM_OP_CONCAT, 2, 2, 3, DM_AXIS_LEN, p2, 0, 6, 3),
      make_move(DM_OP_SLICE, 1, 9, 2, DM_AXIS_LEN, NULL, 2, 5, 2),
      make_move(DM_OP_SLICE, 1, 4, 5, DM_AXIS_CH, NULL, 1, 4, 3),
      make_move(DM_OP_RESHAPE, 1, 4, 3, 0, NULL, 0, 1, 12),
      make_move(DM_OP_TRANSPOSE, 1, 4, 3, 0, NULL, 0, 3, 4),
  };
  moves[4].in_ch = 3; /* concat along length: input 0 is (2, 3) */
  for (size_t i = 0; i < sizeof moves / sizeof *moves; i++) check_layer(&moves[i], 3);
  /* global pooling: kernel = stride = length */
  dm_node_t gap = make(DM_OP_AVGPOOL1D, 6, 3, 3, 6, 6, 1, 0),
            gmp = make(DM_OP_MAXPOOL1D, 5, 2, 2, 5, 5, 1, 0);
  CHECK(gap.out_len == 1 && gmp.out_len == 1, "global pooling to length 1");
  check_layer(&gap, 3);
  check_layer(&gmp, 3);
}

/* Kinks and the slope / xdiv paths, worked by hand. */
static void check_by_hand(void) {
  /* relu at exactly 0 has derivative 0 (deeplift, TensorFlow) */
  dm_node_t relu = make(DM_OP_RELU, 1, 3, 3, 1, 1, 1, 0);
  float x[3] = {0.0f, 2.0f, -1.0f}, dy[3] = {5.0f, 5.0f, 5.0f}, dx[3];
  const float *xs[1] = {x};
  float *dxp = dx, *dx2p, *dxmp;
  dm_bwd_ctx_t c = {.n = 1, .rep = 1, .x = xs, .xdiv = 1};
  dm_ops_backward(&relu, &c, dy, &dxp);
  CHECK(dx[0] == 0.0f && dx[1] == 5.0f && dx[2] == 0.0f, "relu kink: %g %g %g", dx[0], dx[1], dx[2]);
  /* slope replaces f'(x); xdiv maps 2 pairs onto 1 forward row */
  float slope[6] = {0.5f, 0.25f, 2.0f, 1.0f, 1.0f, 1.0f}, dy2[6] = {1, 1, 1, 3, 3, 3}, dx2[6];
  dm_bwd_ctx_t c2 = {.n = 2, .rep = 1, .x = xs, .xdiv = 2, .slope = slope};
  dx2p = dx2;
  dm_ops_backward(&relu, &c2, dy2, &dx2p);
  CHECK(dx2[0] == 0.5f && dx2[2] == 2.0f && dx2[3] == 3.0f, "slope path: %g %g %g", dx2[0], dx2[2], dx2[3]);
  c2.slope = NULL;
  dm_ops_backward(&relu, &c2, dy2, &dx2p);
  CHECK(dx2[3] == 0.0f && dx2[4] == 3.0f, "xdiv path: %g %g", dx2[3], dx2[4]);
  /* max-pool tie: the first maximum gets the multiplier */
  dm_node_t mp = make(DM_OP_MAXPOOL1D, 4, 1, 1, 2, 2, 1, 0);
  float xm[4] = {1.0f, 1.0f, 0.0f, 3.0f}, dym[2] = {7.0f, 9.0f}, dxm[4];
  const float *xms[1] = {xm};
  dm_bwd_ctx_t cm = {.n = 1, .rep = 1, .x = xms, .xdiv = 1};
  dxmp = dxm;
  dm_ops_backward(&mp, &cm, dym, &dxmp);
  CHECK(dxm[0] == 7.0f && dxm[1] == 0.0f && dxm[2] == 0.0f && dxm[3] == 9.0f, "maxpool tie: %g %g %g %g",
        dxm[0], dxm[1], dxm[2], dxm[3]);
  CHECK(dm_ops_rule(DM_OP_CONV1D) == DM_RULE_LINEAR_W && dm_ops_rule(DM_OP_RELU) == DM_RULE_NONLINEAR &&
            dm_ops_rule(DM_OP_MAXPOOL1D) == DM_RULE_MAXPOOL && dm_ops_rule(DM_OP_AVGPOOL1D) == DM_RULE_LINEAR,
        "rule kinds");
}

/* The GEMM layers give each sequence the same bits alone as in a batch of
 * 7, forward and transposed (OpenBLAS sums a row in another order by its
 * place in a call on some cores, so results would depend on the batch). */
static void check_batch_invariance(dm_node_t *ly) {
  enum { N = 7 };
  size_t in = dm_ops_in_size(ly), out = dm_ops_out_size(ly);
  float *x = rand_array(N * in, 0.0), *dy = rand_array(N * out, 0.0);
  float *y = malloc(sizeof(float) * N * out), *dx = malloc(sizeof(float) * N * in);
  float *y1 = malloc(sizeof(float) * out), *dx1 = malloc(sizeof(float) * in);
  float *scratch = malloc(sizeof(float) * (dm_ops_scratch_floats(ly) + 1));
  dm_ops_linear_apply(ly, ly->w, N, x, y, 0, scratch);
  dm_ops_linear_transpose(ly, ly->w, N, dy, dx, 0, scratch);
  int same = 1;
  for (int b = 0; b < N; b++) {
    dm_ops_linear_apply(ly, ly->w, 1, x + b * in, y1, 0, scratch);
    dm_ops_linear_transpose(ly, ly->w, 1, dy + b * out, dx1, 0, scratch);
    same &= !memcmp(y1, y + b * out, sizeof(float) * out) && !memcmp(dx1, dx + b * in, sizeof(float) * in);
  }
  CHECK(same, "%s %d x %d -> %d: a sequence alone differs from the same sequence in a batch of %d",
        ly->op == DM_OP_DENSE ? "dense" : "conv1d", ly->in_len, ly->in_ch, ly->out_ch, N);
  free(x), free(dy), free(y), free(dx), free(y1), free(dx1), free(scratch);
}

int main(void) {
  srand(12345);
  /* shapes of the example and ChromBPNet-like models: im2col, padded transpose, dense on a vector */
  dm_node_t gemm[] = {
      make(DM_OP_CONV1D, 200, 4, 64, 19, 1, 1, 0),  make(DM_OP_CONV1D, 182, 64, 64, 5, 1, 1, 0),
      make(DM_OP_CONV1D, 600, 64, 64, 3, 1, 4, 1),  make(DM_OP_DENSE, 1, 64, 1, 1, 1, 1, 0),
      make(DM_OP_DENSE, 1, 64, 17, 1, 1, 1, 0),     make(DM_OP_DENSE, 30, 64, 40, 1, 1, 1, 0),
  };
  for (size_t i = 0; i < sizeof gemm / sizeof *gemm; i++) {
    check_batch_invariance(&gemm[i]);
    unmake(&gemm[i]);
  }
  dm_node_t layers[] = {
      make(DM_OP_CONV1D, 7, 2, 3, 3, 1, 1, 0),  /* valid */
      make(DM_OP_CONV1D, 9, 2, 3, 4, 2, 1, 1),  /* same, stride 2 */
      make(DM_OP_CONV1D, 10, 3, 2, 3, 1, 2, 0), /* valid, dilation 2 */
      make(DM_OP_CONV1D, 8, 2, 2, 3, 1, 2, 1),  /* same, dilation 2 */
      make(DM_OP_CONV1D, 11, 4, 3, 3, 3, 1, 0), /* valid, stride 3 with overhang */
      make(DM_OP_DENSE, 3, 4, 5, 1, 1, 1, 0),   /* on a sequence (last axis) */
      make(DM_OP_DENSE, 1, 6, 2, 1, 1, 1, 0),   /* on a vector */
      make(DM_OP_BATCHNORM, 4, 3, 3, 1, 1, 1, 0),
      make(DM_OP_RELU, 5, 3, 3, 1, 1, 1, 0),
      make(DM_OP_SIGMOID, 5, 3, 3, 1, 1, 1, 0),
      make(DM_OP_MAXPOOL1D, 7, 2, 2, 2, 2, 1, 0), /* valid with overhang */
      make(DM_OP_MAXPOOL1D, 8, 2, 2, 3, 2, 1, 1), /* same */
      make(DM_OP_AVGPOOL1D, 6, 2, 2, 3, 1, 1, 1), /* same: padding excluded from the mean */
      make(DM_OP_AVGPOOL1D, 9, 2, 2, 3, 3, 1, 0),
      make(DM_OP_IDENTITY, 4, 3, 3, 1, 1, 1, 0),
  };
  int nl = sizeof layers / sizeof *layers;
  for (int i = 0; i < nl; i++) check_layer(&layers[i], 3);
  /* 32+ input channels, 512+ outputs: one GEMM per tap on shifted rows */
  dm_node_t wide[] = {
      make(DM_OP_CONV1D, 530, 32, 3, 3, 1, 2, 0),  /* valid, dilation 2 */
      make(DM_OP_CONV1D, 1030, 33, 2, 4, 2, 1, 1), /* same, stride 2 */
      make(DM_OP_CONV1D, 1600, 32, 2, 3, 3, 1, 0), /* valid, stride 3 with overhang */
      make(DM_OP_CONV1D, 520, 32, 2, 3, 1, 3, 1),  /* same, dilation 3 (taps off both ends) */
  };
  for (size_t i = 0; i < sizeof wide / sizeof *wide; i++) {
    check_layer(&wide[i], 2);
    unmake(&wide[i]);
  }
  /* 'valid', stride 1, 32+ input channels, fewer than 512 outputs: the transpose
   * as one GEMM per tap over groups of rows laid out with in_len positions */
  dm_node_t padded[] = {
      make(DM_OP_CONV1D, 200, 32, 3, 5, 1, 1, 0), /* groups of 3 rows: 2 groups of the 6 checked */
      make(DM_OP_CONV1D, 120, 33, 4, 3, 1, 2, 0), /* dilation 2, one group of 6 rows (5 + the remainder) */
  };
  for (size_t i = 0; i < sizeof padded / sizeof *padded; i++) {
    check_layer(&padded[i], 3);
    unmake(&padded[i]);
  }
  /* more output rows than one im2col chunk */
  dm_node_t big = make(DM_OP_CONV1D, 12, 4, 5, 3, 1, 1, 0);
  check_layer(&big, 80);
  unmake(&big);
  for (int i = 0; i < nl; i++) unmake(&layers[i]);
  check_by_hand();
  check_moves();
  return dm_test_summary("test_nn_ops");
}
