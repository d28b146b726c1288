/* dm_ops: layer kernels and the op registry (see dm_ops.h). */
#include "dm_ops.h"

#include <assert.h>
#include <cblas.h>
#include <float.h>
#include <math.h>
#include <string.h>

/* Output rows of a convolution lowered to GEMM per im2col chunk. */
#define DM_CONV_CHUNK 512

// --- elementwise functions

double dm_ops_eval(dm_op_t op, double x) {
  switch (op) {
    case DM_OP_RELU:
      return x > 0.0 ? x : 0.0;
    case DM_OP_SIGMOID:
      return 1.0 / (1.0 + exp(-x));
    default:
      assert(0 && "not an elementwise op");
      return x;
  }
}

float dm_ops_deriv(dm_op_t op, float x) {
  switch (op) {
    case DM_OP_RELU:
      return x > 0.0f ? 1.0f : 0.0f;
    case DM_OP_SIGMOID: {
      float s = 1.0f / (1.0f + expf(-x));
      return s * (1.0f - s);
    }
    default:
      assert(0 && "not an elementwise op");
      return 1.0f;
  }
}

size_t dm_ops_in_size(const dm_layer_t *ly) { return (size_t)ly->in_len * ly->in_ch; }

size_t dm_ops_out_size(const dm_layer_t *ly) { return (size_t)ly->out_len * ly->out_ch; }

// --- convolution as GEMM (im2col in chunks of output rows)

/* Column of output row g (global over n rows): the kernel taps of the input,
 * zero where the window runs over the padding. col: (kernel * in_ch). */
static void conv_im2col_row(const dm_layer_t *ly, const float *x, int g, float *col) {
  int b = g / ly->out_len, p = g % ly->out_len, cin = ly->in_ch;
  const float *xb = x + (size_t)b * ly->in_len * cin;
  int start = p * ly->stride - ly->pad_left;
  if (ly->dilation == 1 && start >= 0 && start + ly->kernel <= ly->in_len) {
    memcpy(col, xb + (size_t)start * cin, sizeof(float) * ly->kernel * cin);
    return;
  }
  for (int k = 0; k < ly->kernel; k++) {
    int l = start + k * ly->dilation;
    if (l >= 0 && l < ly->in_len)
      memcpy(col + (size_t)k * cin, xb + (size_t)l * cin, sizeof(float) * cin);
    else
      memset(col + (size_t)k * cin, 0, sizeof(float) * cin);
  }
}

/* Adds a column back onto the input positions it came from (col2im). */
static void conv_col2im_row(const dm_layer_t *ly, const float *col, int g, float *dx) {
  int b = g / ly->out_len, p = g % ly->out_len, cin = ly->in_ch;
  float *db = dx + (size_t)b * ly->in_len * cin;
  int start = p * ly->stride - ly->pad_left;
  for (int k = 0; k < ly->kernel; k++) {
    int l = start + k * ly->dilation;
    if (l < 0 || l >= ly->in_len) continue;
    float *d = db + (size_t)l * cin;
    const float *c = col + (size_t)k * cin;
    for (int i = 0; i < cin; i++) d[i] += c[i];
  }
}

static void conv_apply(const dm_layer_t *ly, const float *w, int n, const float *x, float *y, int acc,
                       float *col) {
  int kc = ly->kernel * ly->in_ch, rows = n * ly->out_len;
  for (int g0 = 0; g0 < rows; g0 += DM_CONV_CHUNK) {
    int m = rows - g0 < DM_CONV_CHUNK ? rows - g0 : DM_CONV_CHUNK;
    for (int i = 0; i < m; i++) conv_im2col_row(ly, x, g0 + i, col + (size_t)i * kc);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, ly->out_ch, kc, 1.0f, col, kc, w, ly->out_ch,
                acc ? 1.0f : 0.0f, y + (size_t)g0 * ly->out_ch, ly->out_ch);
  }
}

static void conv_transpose(const dm_layer_t *ly, const float *w, int n, const float *dy, float *dx, int acc,
                           float *col) {
  int kc = ly->kernel * ly->in_ch, rows = n * ly->out_len;
  if (!acc) memset(dx, 0, sizeof(float) * n * dm_ops_in_size(ly));
  for (int g0 = 0; g0 < rows; g0 += DM_CONV_CHUNK) {
    int m = rows - g0 < DM_CONV_CHUNK ? rows - g0 : DM_CONV_CHUNK;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, kc, ly->out_ch, 1.0f,
                dy + (size_t)g0 * ly->out_ch, ly->out_ch, w, ly->out_ch, 0.0f, col, kc);
    for (int i = 0; i < m; i++) conv_col2im_row(ly, col + (size_t)i * kc, g0 + i, dx);
  }
}

// --- dense (last axis)

static void dense_apply(const dm_layer_t *ly, const float *w, int n, const float *x, float *y, int acc) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n * ly->in_len, ly->out_ch, ly->in_ch, 1.0f, x,
              ly->in_ch, w, ly->out_ch, acc ? 1.0f : 0.0f, y, ly->out_ch);
}

static void dense_transpose(const dm_layer_t *ly, const float *w, int n, const float *dy, float *dx,
                            int acc) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n * ly->in_len, ly->in_ch, ly->out_ch, 1.0f, dy,
              ly->out_ch, w, ly->out_ch, acc ? 1.0f : 0.0f, dx, ly->in_ch);
}

void dm_ops_linear_apply(const dm_layer_t *ly, const float *w, int n, const float *x, float *y,
                         int accumulate, float *scratch) {
  DM_ASSERT(ly->op == DM_OP_CONV1D || ly->op == DM_OP_DENSE);
  if (ly->op == DM_OP_CONV1D)
    conv_apply(ly, w, n, x, y, accumulate, scratch);
  else
    dense_apply(ly, w, n, x, y, accumulate);
}

void dm_ops_linear_transpose(const dm_layer_t *ly, const float *w, int n, const float *dy, float *dx,
                             int accumulate, float *scratch) {
  DM_ASSERT(ly->op == DM_OP_CONV1D || ly->op == DM_OP_DENSE);
  if (ly->op == DM_OP_CONV1D)
    conv_transpose(ly, w, n, dy, dx, accumulate, scratch);
  else
    dense_transpose(ly, w, n, dy, dx, accumulate);
}

static void add_bias(const dm_layer_t *ly, int n, float *y) {
  size_t rows = (size_t)n * ly->out_len;
  for (size_t r = 0; r < rows; r++) {
    float *yr = y + r * ly->out_ch;
    for (int c = 0; c < ly->out_ch; c++) yr[c] += ly->b[c];
  }
}

// --- forward kernels

static void fwd_conv(const dm_layer_t *ly, int n, const float *x, float *y, float *s) {
  conv_apply(ly, ly->w, n, x, y, 0, s);
  add_bias(ly, n, y);
}

static void fwd_dense(const dm_layer_t *ly, int n, const float *x, float *y, float *s) {
  (void)s;
  dense_apply(ly, ly->w, n, x, y, 0);
  add_bias(ly, n, y);
}

static void fwd_batchnorm(const dm_layer_t *ly, int n, const float *x, float *y, float *s) {
  (void)s;
  size_t rows = (size_t)n * ly->in_len;
  for (size_t r = 0; r < rows; r++)
    for (int c = 0; c < ly->in_ch; c++) {
      size_t i = r * ly->in_ch + c;
      y[i] = x[i] * ly->scale[c] + ly->shift[c];
    }
}

static void fwd_elementwise(const dm_layer_t *ly, int n, const float *x, float *y, float *s) {
  (void)s;
  size_t total = (size_t)n * dm_ops_in_size(ly);
  if (ly->op == DM_OP_RELU) {
    for (size_t i = 0; i < total; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
  } else {
    for (size_t i = 0; i < total; i++) y[i] = (float)dm_ops_eval(ly->op, x[i]);
  }
}

/* First and one-past-last input position of pooling window p. */
static void pool_window(const dm_layer_t *ly, int p, int *lo, int *hi) {
  int start = p * ly->stride - ly->pad_left;
  *lo = start < 0 ? 0 : start;
  *hi = start + ly->kernel > ly->in_len ? ly->in_len : start + ly->kernel;
}

/* Max or mean over each window; the mean counts only positions inside the input. */
static void fwd_pool(const dm_layer_t *ly, int n, const float *x, float *y, float *s) {
  (void)s;
  int ch = ly->in_ch, is_max = ly->op == DM_OP_MAXPOOL1D;
  for (int b = 0; b < n; b++)
    for (int p = 0; p < ly->out_len; p++) {
      int lo, hi;
      pool_window(ly, p, &lo, &hi);
      const float *xb = x + (size_t)b * dm_ops_in_size(ly);
      float *yr = y + ((size_t)b * ly->out_len + p) * ch;
      for (int c = 0; c < ch; c++) {
        float acc = is_max ? -FLT_MAX : 0.0f;
        for (int l = lo; l < hi; l++) {
          float v = xb[(size_t)l * ch + c];
          acc = is_max ? fmaxf(acc, v) : acc + v;
        }
        yr[c] = is_max ? acc : acc / (float)(hi - lo);
      }
    }
}

static void fwd_identity(const dm_layer_t *ly, int n, const float *x, float *y, float *s) {
  (void)s;
  if (x != y) memcpy(y, x, sizeof(float) * n * dm_ops_in_size(ly));
}

// --- backward kernels

static void bwd_linear_w(const dm_layer_t *ly, const dm_bwd_ctx_t *c, const float *dy, float *dx) {
  dm_ops_linear_transpose(ly, ly->w, c->rep * c->n, dy, dx, 0, c->scratch);
}

static void bwd_batchnorm(const dm_layer_t *ly, const dm_bwd_ctx_t *c, const float *dy, float *dx) {
  size_t rows = (size_t)c->rep * c->n * ly->in_len;
  for (size_t r = 0; r < rows; r++)
    for (int ch = 0; ch < ly->in_ch; ch++) dx[r * ly->in_ch + ch] = dy[r * ly->in_ch + ch] * ly->scale[ch];
}

static void bwd_elementwise(const dm_layer_t *ly, const dm_bwd_ctx_t *c, const float *dy, float *dx) {
  size_t sz = dm_ops_in_size(ly);
  for (int t = 0; t < c->rep; t++)
    for (int r = 0; r < c->n; r++) {
      size_t o = ((size_t)t * c->n + r) * sz;
      if (c->slope) {
        const float *sl = c->slope + (size_t)r * sz;
        for (size_t i = 0; i < sz; i++) dx[o + i] = dy[o + i] * sl[i];
      } else {
        const float *x = c->x + (size_t)(r / c->xdiv) * sz;
        for (size_t i = 0; i < sz; i++) dx[o + i] = dy[o + i] * dm_ops_deriv(ly->op, x[i]);
      }
    }
}

static void bwd_maxpool(const dm_layer_t *ly, const dm_bwd_ctx_t *c, const float *dy, float *dx) {
  int ch = ly->in_ch;
  memset(dx, 0, sizeof(float) * c->rep * c->n * dm_ops_in_size(ly));
  for (int t = 0; t < c->rep; t++)
    for (int r = 0; r < c->n; r++) {
      const float *xb = c->x + (size_t)(r / c->xdiv) * dm_ops_in_size(ly);
      size_t row = (size_t)t * c->n + r;
      float *db = dx + row * dm_ops_in_size(ly);
      for (int p = 0; p < ly->out_len; p++) {
        int lo, hi;
        pool_window(ly, p, &lo, &hi);
        const float *dyr = dy + (row * ly->out_len + p) * ch;
        for (int k = 0; k < ch; k++) {
          int best = lo; /* first maximum, as TensorFlow's max_pool_grad */
          for (int l = lo + 1; l < hi; l++)
            if (xb[(size_t)l * ch + k] > xb[(size_t)best * ch + k]) best = l;
          db[(size_t)best * ch + k] += dyr[k];
        }
      }
    }
}

static void bwd_avgpool(const dm_layer_t *ly, const dm_bwd_ctx_t *c, const float *dy, float *dx) {
  int ch = ly->in_ch;
  size_t rows = (size_t)c->rep * c->n;
  memset(dx, 0, sizeof(float) * rows * dm_ops_in_size(ly));
  for (size_t row = 0; row < rows; row++) {
    float *db = dx + row * dm_ops_in_size(ly);
    for (int p = 0; p < ly->out_len; p++) {
      int lo, hi;
      pool_window(ly, p, &lo, &hi);
      const float *dyr = dy + (row * ly->out_len + p) * ch;
      float inv = 1.0f / (float)(hi - lo);
      for (int l = lo; l < hi; l++)
        for (int k = 0; k < ch; k++) db[(size_t)l * ch + k] += dyr[k] * inv;
    }
  }
}

static void bwd_identity(const dm_layer_t *ly, const dm_bwd_ctx_t *c, const float *dy, float *dx) {
  if (dx != dy) memcpy(dx, dy, sizeof(float) * c->rep * c->n * dm_ops_in_size(ly));
}

// --- the op registry

typedef void (*dm_fwd_fn)(const dm_layer_t *, int, const float *, float *, float *);
typedef void (*dm_bwd_fn)(const dm_layer_t *, const dm_bwd_ctx_t *, const float *, float *);

static const char *const OP_NAME[] = {
    [DM_OP_CONV1D] = "conv1d",       [DM_OP_DENSE] = "dense",       [DM_OP_BATCHNORM] = "batchnorm",
    [DM_OP_RELU] = "relu",           [DM_OP_SIGMOID] = "sigmoid",   [DM_OP_MAXPOOL1D] = "maxpool1d",
    [DM_OP_AVGPOOL1D] = "avgpool1d", [DM_OP_IDENTITY] = "identity",
};
static const dm_fwd_fn OP_FORWARD[] = {
    [DM_OP_CONV1D] = fwd_conv,      [DM_OP_DENSE] = fwd_dense,         [DM_OP_BATCHNORM] = fwd_batchnorm,
    [DM_OP_RELU] = fwd_elementwise, [DM_OP_SIGMOID] = fwd_elementwise, [DM_OP_MAXPOOL1D] = fwd_pool,
    [DM_OP_AVGPOOL1D] = fwd_pool,   [DM_OP_IDENTITY] = fwd_identity,
};
static const dm_bwd_fn OP_BACKWARD[] = {
    [DM_OP_CONV1D] = bwd_linear_w,   [DM_OP_DENSE] = bwd_linear_w,      [DM_OP_BATCHNORM] = bwd_batchnorm,
    [DM_OP_RELU] = bwd_elementwise,  [DM_OP_SIGMOID] = bwd_elementwise, [DM_OP_MAXPOOL1D] = bwd_maxpool,
    [DM_OP_AVGPOOL1D] = bwd_avgpool, [DM_OP_IDENTITY] = bwd_identity,
};
static const dm_rule_kind_t OP_RULE[] = {
    [DM_OP_CONV1D] = DM_RULE_LINEAR_W,   [DM_OP_DENSE] = DM_RULE_LINEAR_W,
    [DM_OP_BATCHNORM] = DM_RULE_LINEAR,  [DM_OP_RELU] = DM_RULE_NONLINEAR,
    [DM_OP_SIGMOID] = DM_RULE_NONLINEAR, [DM_OP_MAXPOOL1D] = DM_RULE_MAXPOOL,
    [DM_OP_AVGPOOL1D] = DM_RULE_LINEAR,  [DM_OP_IDENTITY] = DM_RULE_LINEAR,
};
_Static_assert(DM_OP_COUNT == 8, "a new op needs a name, forward, backward and DeepLIFT rule");
_Static_assert(sizeof OP_NAME / sizeof *OP_NAME == DM_OP_COUNT, "OP_NAME incomplete");
_Static_assert(sizeof OP_FORWARD / sizeof *OP_FORWARD == DM_OP_COUNT, "OP_FORWARD incomplete");
_Static_assert(sizeof OP_BACKWARD / sizeof *OP_BACKWARD == DM_OP_COUNT, "OP_BACKWARD incomplete");
_Static_assert(sizeof OP_RULE / sizeof *OP_RULE == DM_OP_COUNT, "OP_RULE incomplete");

const char *dm_ops_name(dm_op_t op) { return op < DM_OP_COUNT ? OP_NAME[op] : "?"; }

dm_rule_kind_t dm_ops_rule(dm_op_t op) {
  DM_ASSERT(op < DM_OP_COUNT);
  return OP_RULE[op];
}

size_t dm_ops_scratch_floats(const dm_layer_t *ly) {
  return ly->op == DM_OP_CONV1D ? (size_t)DM_CONV_CHUNK * ly->kernel * ly->in_ch : 0;
}

double dm_ops_macs(const dm_layer_t *ly) {
  if (ly->op == DM_OP_CONV1D) return (double)ly->out_len * ly->out_ch * ly->kernel * ly->in_ch;
  if (ly->op == DM_OP_DENSE) return (double)ly->in_len * ly->in_ch * ly->out_ch;
  return 0.0;
}

void dm_ops_forward(const dm_layer_t *ly, int n, const float *x, float *y, float *scratch) {
  DM_ASSERT(ly->op < DM_OP_COUNT && n >= 0);
  OP_FORWARD[ly->op](ly, n, x, y, scratch);
}

void dm_ops_backward(const dm_layer_t *ly, const dm_bwd_ctx_t *c, const float *dy, float *dx) {
  DM_ASSERT(ly->op < DM_OP_COUNT && c->n >= 0 && c->rep >= 1 && c->xdiv >= 1);
  OP_BACKWARD[ly->op](ly, c, dy, dx);
}
