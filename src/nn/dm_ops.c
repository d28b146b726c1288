/* dm_ops: node kernels and the op registry (see dm_ops.h). */
#include "dm_ops.h"

#include <assert.h>
#include <cblas.h>
#include <float.h>
#include <math.h>
#include <string.h>

/* Output rows of a convolution lowered to GEMM per im2col chunk. */
#define DM_CONV_CHUNK 512

/* Every GEMM covers rows of one sequence only, at the same positions
 * whatever the batch: OpenBLAS's result for a row depends on the row's
 * place in the call and on the call's row count (its edge kernels, and on
 * Haswell/Zen cores the lanes of the main kernel, sum in other orders), so
 * a GEMM over rows of several sequences would make results depend on the
 * batch, hence on the rank count. */

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

size_t dm_ops_in_size(const dm_node_t *ly) { return (size_t)ly->in_len * ly->in_ch; }

size_t dm_ops_in_size_k(const dm_node_t *ly, int k) {
  if (ly->op != DM_OP_CONCAT) return dm_ops_in_size(ly);
  return ly->axis == DM_AXIS_CH ? (size_t)ly->in_len * ly->part[k] : (size_t)ly->part[k] * ly->in_ch;
}

size_t dm_ops_out_size(const dm_node_t *ly) { return (size_t)ly->out_len * ly->out_ch; }

// --- convolution as GEMM (im2col in chunks of output rows)

/* Column of output row g (global over n rows): the kernel taps of the input,
 * zero where the window runs over the padding. col: (kernel * in_ch). */
static void conv_im2col_row(const dm_node_t *ly, const float *x, int g, float *col) {
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
static void conv_col2im_row(const dm_node_t *ly, const float *col, int g, float *dx) {
  int b = g / ly->out_len, p = g % ly->out_len, cin = ly->in_ch;
  float *db = dx + (size_t)b * ly->in_len * cin;
  int start = p * ly->stride - ly->pad_left;
  if (ly->dilation == 1 && start >= 0 && start + ly->kernel <= ly->in_len) { /* one contiguous window */
    float *d = db + (size_t)start * cin;
    for (int i = 0; i < ly->kernel * cin; i++) d[i] += col[i];
    return;
  }
  for (int k = 0; k < ly->kernel; k++) {
    int l = start + k * ly->dilation;
    if (l < 0 || l >= ly->in_len) continue;
    float *d = db + (size_t)l * cin;
    const float *c = col + (size_t)k * cin;
    for (int i = 0; i < cin; i++) d[i] += c[i];
  }
}

/* Long convolutions with many input channels run as one GEMM per kernel tap
 * and row on shifted (strided) views of the rows, with no copies; the others
 * through im2col, where a tap alone would be a GEMM of inner size < 32 or of
 * few rows. The choice depends on the shapes only. */
#define DM_CONV_SHIFT_MIN_CH 32
#define DM_CONV_SHIFT_MIN_LEN 512

static int conv_shifted(const dm_node_t *ly) {
  return ly->in_ch >= DM_CONV_SHIFT_MIN_CH && ly->out_len >= DM_CONV_SHIFT_MIN_LEN;
}

/* Output positions [*p0, *p1) whose tap k falls inside the input. */
static void tap_range(const dm_node_t *ly, int k, int *p0, int *p1) {
  int off = k * ly->dilation - ly->pad_left; /* input position of output 0's tap k */
  *p0 = off >= 0 ? 0 : (-off + ly->stride - 1) / ly->stride;
  int last = ly->in_len - 1 - off; /* p * stride <= last */
  *p1 = last < 0 ? 0 : last / ly->stride + 1;
  if (*p1 > ly->out_len) *p1 = ly->out_len;
  if (*p0 > *p1) *p0 = *p1;
}

/* Forward: y[b] (+)= Σ_k x[b] shifted by tap k · W_k; transpose: dx[b] (+)= Σ_k dy[b] · W_k^T
 * placed at tap k's input positions; per row b. src/dst: x/y or dy/dx. */
static void conv_taps(const dm_node_t *ly, const float *w, int n, const float *src, float *dst, int acc,
                      int transpose) {
  size_t ci = ly->in_ch, co = ly->out_ch, in = (size_t)ly->in_len * ci, out = (size_t)ly->out_len * co;
  if (!acc) memset(dst, 0, sizeof(float) * n * (transpose ? in : out));
  for (int k = 0; k < ly->kernel; k++) {
    int p0, p1;
    tap_range(ly, k, &p0, &p1);
    if (p1 <= p0) continue;
    size_t off = ((size_t)p0 * ly->stride + (size_t)k * ly->dilation - ly->pad_left) * ci; /* >= 0 */
    const float *wk = w + k * ci * co;
    for (int b = 0; b < n; b++) {
      const float *xs = src + b * (transpose ? out : in);
      float *yd = dst + b * (transpose ? in : out);
      if (transpose)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, p1 - p0, (int)ci, (int)co, 1.0f,
                    xs + (size_t)p0 * co, (int)co, wk, (int)co, 1.0f, yd + off, ly->stride * (int)ci);
      else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, p1 - p0, (int)co, (int)ci, 1.0f, xs + off,
                    ly->stride * (int)ci, wk, (int)co, 1.0f, yd + (size_t)p0 * co, (int)co);
    }
  }
}

static void conv_apply(const dm_node_t *ly, const float *w, int n, const float *x, float *y, int acc,
                       float *col) {
  if (conv_shifted(ly)) {
    conv_taps(ly, w, n, x, y, acc, 0);
    return;
  }
  int kc = ly->kernel * ly->in_ch, len = ly->out_len;
  for (int b = 0; b < n; b++)
    for (int p0 = 0; p0 < len; p0 += DM_CONV_CHUNK) {
      int m = len - p0 < DM_CONV_CHUNK ? len - p0 : DM_CONV_CHUNK, g0 = b * len + p0;
      for (int i = 0; i < m; i++) conv_im2col_row(ly, x, g0 + i, col + (size_t)i * kc);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, ly->out_ch, kc, 1.0f, col, kc, w, ly->out_ch,
                  acc ? 1.0f : 0.0f, y + (size_t)g0 * ly->out_ch, ly->out_ch);
    }
}

/* The transpose of a 'valid' stride-1 convolution with many input channels
 * runs as one GEMM per tap and sequence over its multipliers laid out with
 * in_len positions (zeros after out_len): tap k then maps every position r
 * to r + k * dilation, with no gather or col2im. Taps go from the last to
 * the first, each added onto dx, which sums every element in the order of
 * the col2im path (ascending output positions); the zero positions add +0. */
static int conv_padded(const dm_node_t *ly) {
  return ly->stride == 1 && ly->pad_left == 0 &&
         ly->in_len == ly->out_len + (ly->kernel - 1) * ly->dilation && ly->in_ch >= DM_CONV_SHIFT_MIN_CH;
}

static void conv_transpose_padded(const dm_node_t *ly, const float *w, int n, const float *dy, float *dx,
                                  float *pad) {
  size_t ci = ly->in_ch, co = ly->out_ch, L = ly->in_len, out = (size_t)ly->out_len * co;
  for (int b = 0; b < n; b++) {
    memcpy(pad, dy + b * out, sizeof(float) * out);
    memset(pad + out, 0, sizeof(float) * (L * co - out));
    float *dxb = dx + b * L * ci;
    for (int k = ly->kernel - 1; k >= 0; k--) {
      size_t shift = (size_t)k * ly->dilation;
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(L - shift), (int)ci, (int)co, 1.0f, pad,
                  (int)co, w + k * ci * co, (int)co, 1.0f, dxb + shift * ci, (int)ci);
    }
  }
}

static void conv_transpose(const dm_node_t *ly, const float *w, int n, const float *dy, float *dx, int acc,
                           float *col) {
  if (conv_shifted(ly)) {
    conv_taps(ly, w, n, dy, dx, acc, 1);
    return;
  }
  if (conv_padded(ly)) {
    if (!acc) memset(dx, 0, sizeof(float) * n * dm_ops_in_size(ly));
    conv_transpose_padded(ly, w, n, dy, dx, col);
    return;
  }
  int kc = ly->kernel * ly->in_ch, len = ly->out_len;
  if (!acc) memset(dx, 0, sizeof(float) * n * dm_ops_in_size(ly));
  for (int b = 0; b < n; b++)
    for (int p0 = 0; p0 < len; p0 += DM_CONV_CHUNK) {
      int m = len - p0 < DM_CONV_CHUNK ? len - p0 : DM_CONV_CHUNK, g0 = b * len + p0;
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, kc, ly->out_ch, 1.0f,
                  dy + (size_t)g0 * ly->out_ch, ly->out_ch, w, ly->out_ch, 0.0f, col, kc);
      for (int i = 0; i < m; i++) conv_col2im_row(ly, col + (size_t)i * kc, g0 + i, dx);
    }
}

// --- dense (last axis)

static void dense_apply(const dm_node_t *ly, const float *w, int n, const float *x, float *y, int acc) {
  size_t in = (size_t)ly->in_len * ly->in_ch, out = (size_t)ly->in_len * ly->out_ch;
  for (int b = 0; b < n; b++)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ly->in_len, ly->out_ch, ly->in_ch, 1.0f, x + b * in,
                ly->in_ch, w, ly->out_ch, acc ? 1.0f : 0.0f, y + b * out, ly->out_ch);
}

static void dense_transpose(const dm_node_t *ly, const float *w, int n, const float *dy, float *dx, int acc) {
  size_t in = (size_t)ly->in_len * ly->in_ch, out = (size_t)ly->in_len * ly->out_ch;
  for (int b = 0; b < n; b++)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, ly->in_len, ly->in_ch, ly->out_ch, 1.0f, dy + b * out,
                ly->out_ch, w, ly->out_ch, acc ? 1.0f : 0.0f, dx + b * in, ly->in_ch);
}

void dm_ops_linear_apply(const dm_node_t *ly, const float *w, int n, const float *x, float *y, int accumulate,
                         float *scratch) {
  DM_ASSERT(ly->op == DM_OP_CONV1D || ly->op == DM_OP_DENSE);
  if (ly->op == DM_OP_CONV1D)
    conv_apply(ly, w, n, x, y, accumulate, scratch);
  else
    dense_apply(ly, w, n, x, y, accumulate);
}

void dm_ops_linear_transpose(const dm_node_t *ly, const float *w, int n, const float *dy, float *dx,
                             int accumulate, float *scratch) {
  DM_ASSERT(ly->op == DM_OP_CONV1D || ly->op == DM_OP_DENSE);
  if (ly->op == DM_OP_CONV1D)
    conv_transpose(ly, w, n, dy, dx, accumulate, scratch);
  else
    dense_transpose(ly, w, n, dy, dx, accumulate);
}

static void add_bias(const dm_node_t *ly, int n, float *y) {
  size_t rows = (size_t)n * ly->out_len;
  for (size_t r = 0; r < rows; r++) {
    float *yr = y + r * ly->out_ch;
    for (int c = 0; c < ly->out_ch; c++) yr[c] += ly->b[c];
  }
}

// --- forward kernels

static void fwd_conv(const dm_node_t *ly, int n, const float *const *xs, float *y, float *s) {
  conv_apply(ly, ly->w, n, xs[0], y, 0, s);
  add_bias(ly, n, y);
}

static void fwd_dense(const dm_node_t *ly, int n, const float *const *xs, float *y, float *s) {
  (void)s;
  dense_apply(ly, ly->w, n, xs[0], y, 0);
  add_bias(ly, n, y);
}

static void fwd_batchnorm(const dm_node_t *ly, int n, const float *const *xs, float *y, float *s) {
  (void)s;
  const float *x = xs[0];
  size_t rows = (size_t)n * ly->in_len;
  for (size_t r = 0; r < rows; r++)
    for (int c = 0; c < ly->in_ch; c++) {
      size_t i = r * ly->in_ch + c;
      y[i] = x[i] * ly->scale[c] + ly->shift[c];
    }
}

static void fwd_elementwise(const dm_node_t *ly, int n, const float *const *xs, float *y, float *s) {
  (void)s;
  const float *x = xs[0];
  size_t total = (size_t)n * dm_ops_in_size(ly);
  if (ly->op == DM_OP_RELU) {
    for (size_t i = 0; i < total; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
  } else {
    for (size_t i = 0; i < total; i++) y[i] = (float)dm_ops_eval(ly->op, x[i]);
  }
}

/* First and one-past-last input position of pooling window p. */
static void pool_window(const dm_node_t *ly, int p, int *lo, int *hi) {
  int start = p * ly->stride - ly->pad_left;
  *lo = start < 0 ? 0 : start;
  *hi = start + ly->kernel > ly->in_len ? ly->in_len : start + ly->kernel;
}

/* Max or mean over each window; the mean counts only positions inside the input.
 * Positions outer, channels inner (contiguous); each channel is still summed
 * over the window's positions in order. */
static void fwd_pool(const dm_node_t *ly, int n, const float *const *xs, float *y, float *s) {
  (void)s;
  const float *x = xs[0];
  int ch = ly->in_ch, is_max = ly->op == DM_OP_MAXPOOL1D;
  for (int b = 0; b < n; b++)
    for (int p = 0; p < ly->out_len; p++) {
      int lo, hi;
      pool_window(ly, p, &lo, &hi);
      const float *xb = x + (size_t)b * dm_ops_in_size(ly);
      float *yr = y + ((size_t)b * ly->out_len + p) * ch;
      for (int c = 0; c < ch; c++) yr[c] = is_max ? -FLT_MAX : 0.0f;
      for (int l = lo; l < hi; l++) {
        const float *xl = xb + (size_t)l * ch;
        if (is_max)
          for (int c = 0; c < ch; c++) yr[c] = fmaxf(yr[c], xl[c]);
        else
          for (int c = 0; c < ch; c++) yr[c] += xl[c];
      }
      if (!is_max)
        for (int c = 0; c < ch; c++) yr[c] /= (float)(hi - lo);
    }
}

static void fwd_identity(const dm_node_t *ly, int n, const float *const *xs, float *y, float *s) {
  (void)s;
  const float *x = xs[0];
  if (x != y) memcpy(y, x, sizeof(float) * n * dm_ops_in_size(ly));
}

/* y = x0 + x1 + ... (in input order) or x0 - x1. */
static void fwd_addsub(const dm_node_t *ly, int n, const float *const *xs, float *y, float *s) {
  (void)s;
  size_t total = (size_t)n * dm_ops_out_size(ly);
  if (ly->op == DM_OP_SUB) {
    for (size_t i = 0; i < total; i++) y[i] = xs[0][i] - xs[1][i];
    return;
  }
  for (size_t i = 0; i < total; i++) y[i] = xs[0][i] + xs[1][i];
  for (int k = 2; k < ly->n_in; k++)
    for (size_t i = 0; i < total; i++) y[i] += xs[k][i];
}

/* Copies between a part of a row and the whole row it is cut from: per row,
 * `blocks` blocks of `width` floats at `offset` in blocks of `stride` floats.
 * to_whole: part -> whole, else whole -> part. */
static void copy_part(int rows, int blocks, int width, int offset, int stride, const float *src, float *dst,
                      int to_whole) {
  for (size_t b = 0; b < (size_t)rows * blocks; b++) {
    const float *a = to_whole ? src + b * width : src + b * stride + offset;
    float *d = to_whole ? dst + b * stride + offset : dst + b * width;
    memcpy(d, a, sizeof(float) * width);
  }
}

/* Geometry of input k of a concat, or of the kept part of a slice, as copy_part blocks. */
static void part_geometry(const dm_node_t *ly, int k, int *blocks, int *width, int *offset, int *stride) {
  int off = 0;
  if (ly->op == DM_OP_SLICE) {
    off = ly->start;
  } else {
    for (int j = 0; j < k; j++) off += ly->part[j];
  }
  int whole_len = ly->op == DM_OP_SLICE ? ly->in_len : ly->out_len;
  int whole_ch = ly->op == DM_OP_SLICE ? ly->in_ch : ly->out_ch;
  int part = ly->op == DM_OP_SLICE ? (ly->axis == DM_AXIS_CH ? ly->out_ch : ly->out_len) : ly->part[k];
  if (ly->axis == DM_AXIS_CH) {
    *blocks = whole_len, *width = part, *offset = off, *stride = whole_ch;
  } else {
    *blocks = 1, *width = part * whole_ch, *offset = off * whole_ch, *stride = whole_len * whole_ch;
  }
}

static void fwd_concat(const dm_node_t *ly, int n, const float *const *xs, float *y, float *s) {
  (void)s;
  for (int k = 0; k < ly->n_in; k++) {
    int bl, w, off, st;
    part_geometry(ly, k, &bl, &w, &off, &st);
    copy_part(n, bl, w, off, st, xs[k], y, 1);
  }
}

static void fwd_slice(const dm_node_t *ly, int n, const float *const *xs, float *y, float *s) {
  (void)s;
  int bl, w, off, st;
  part_geometry(ly, 0, &bl, &w, &off, &st);
  copy_part(n, bl, w, off, st, xs[0], y, 0);
}

/* Per row (len, ch) -> (ch, len); inverse: (ch, len) -> (len, ch) given the forward's (len, ch). */
static void transpose_rows(int rows, int len, int ch, const float *x, float *y, int inverse) {
  size_t sz = (size_t)len * ch;
  for (int r = 0; r < rows; r++) {
    const float *a = x + r * sz;
    float *b = y + r * sz;
    for (int l = 0; l < len; l++)
      for (int c = 0; c < ch; c++) {
        if (inverse)
          b[(size_t)l * ch + c] = a[(size_t)c * len + l];
        else
          b[(size_t)c * len + l] = a[(size_t)l * ch + c];
      }
  }
}

static void fwd_transpose(const dm_node_t *ly, int n, const float *const *xs, float *y, float *s) {
  (void)s;
  transpose_rows(n, ly->in_len, ly->in_ch, xs[0], y, 0);
}

// --- backward kernels

static void bwd_linear_w(const dm_node_t *ly, const dm_bwd_ctx_t *c, const float *dy, float *const *dxs) {
  float *dx = dxs[0];
  dm_ops_linear_transpose(ly, ly->w, c->rep * c->n, dy, dx, 0, c->scratch);
}

static void bwd_batchnorm(const dm_node_t *ly, const dm_bwd_ctx_t *c, const float *dy, float *const *dxs) {
  float *dx = dxs[0];
  size_t rows = (size_t)c->rep * c->n * ly->in_len;
  for (size_t r = 0; r < rows; r++)
    for (int ch = 0; ch < ly->in_ch; ch++) dx[r * ly->in_ch + ch] = dy[r * ly->in_ch + ch] * ly->scale[ch];
}

static void bwd_elementwise(const dm_node_t *ly, const dm_bwd_ctx_t *c, const float *dy, float *const *dxs) {
  float *dx = dxs[0];
  size_t sz = dm_ops_in_size(ly);
  for (int t = 0; t < c->rep; t++)
    for (int r = 0; r < c->n; r++) {
      size_t o = ((size_t)t * c->n + r) * sz;
      if (c->slope) {
        const float *sl = c->slope + (size_t)r * sz;
        for (size_t i = 0; i < sz; i++) dx[o + i] = dy[o + i] * sl[i];
      } else {
        const float *x = c->x[0] + (size_t)(r / c->xdiv) * sz;
        for (size_t i = 0; i < sz; i++) dx[o + i] = dy[o + i] * dm_ops_deriv(ly->op, x[i]);
      }
    }
}

static void bwd_maxpool(const dm_node_t *ly, const dm_bwd_ctx_t *c, const float *dy, float *const *dxs) {
  float *dx = dxs[0];
  int ch = ly->in_ch;
  memset(dx, 0, sizeof(float) * c->rep * c->n * dm_ops_in_size(ly));
  for (int t = 0; t < c->rep; t++)
    for (int r = 0; r < c->n; r++) {
      const float *xb = c->x[0] + (size_t)(r / c->xdiv) * dm_ops_in_size(ly);
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

static void bwd_avgpool(const dm_node_t *ly, const dm_bwd_ctx_t *c, const float *dy, float *const *dxs) {
  float *dx = dxs[0];
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

static void bwd_identity(const dm_node_t *ly, const dm_bwd_ctx_t *c, const float *dy, float *const *dxs) {
  float *dx = dxs[0];
  if (dx != dy) memcpy(dx, dy, sizeof(float) * c->rep * c->n * dm_ops_in_size(ly));
}

static void bwd_addsub(const dm_node_t *ly, const dm_bwd_ctx_t *c, const float *dy, float *const *dxs) {
  size_t total = (size_t)c->rep * c->n * dm_ops_out_size(ly);
  for (int k = 0; k < ly->n_in; k++) {
    if (ly->op == DM_OP_SUB && k == 1) {
      for (size_t i = 0; i < total; i++) dxs[1][i] = -dy[i];
    } else if (dxs[k] != dy) {
      memcpy(dxs[k], dy, sizeof(float) * total);
    }
  }
}

static void bwd_concat(const dm_node_t *ly, const dm_bwd_ctx_t *c, const float *dy, float *const *dxs) {
  for (int k = 0; k < ly->n_in; k++) {
    int bl, w, off, st;
    part_geometry(ly, k, &bl, &w, &off, &st);
    copy_part(c->rep * c->n, bl, w, off, st, dy, dxs[k], 0);
  }
}

static void bwd_slice(const dm_node_t *ly, const dm_bwd_ctx_t *c, const float *dy, float *const *dxs) {
  int bl, w, off, st, rows = c->rep * c->n;
  part_geometry(ly, 0, &bl, &w, &off, &st);
  memset(dxs[0], 0, sizeof(float) * rows * dm_ops_in_size(ly));
  copy_part(rows, bl, w, off, st, dy, dxs[0], 1);
}

static void bwd_transpose(const dm_node_t *ly, const dm_bwd_ctx_t *c, const float *dy, float *const *dxs) {
  transpose_rows(c->rep * c->n, ly->in_len, ly->in_ch, dy, dxs[0], 1);
}

// --- the op registry

typedef void (*dm_fwd_fn)(const dm_node_t *, int, const float *const *, float *, float *);
typedef void (*dm_bwd_fn)(const dm_node_t *, const dm_bwd_ctx_t *, const float *, float *const *);

static const char *const OP_NAME[] = {
    [DM_OP_CONV1D] = "conv1d",
    [DM_OP_DENSE] = "dense",
    [DM_OP_BATCHNORM] = "batchnorm",
    [DM_OP_RELU] = "relu",
    [DM_OP_SIGMOID] = "sigmoid",
    [DM_OP_MAXPOOL1D] = "maxpool1d",
    [DM_OP_AVGPOOL1D] = "avgpool1d",
    [DM_OP_IDENTITY] = "identity",
    [DM_OP_ADD] = "add",
    [DM_OP_SUB] = "sub",
    [DM_OP_CONCAT] = "concat",
    [DM_OP_SLICE] = "slice",
    [DM_OP_RESHAPE] = "reshape",
    [DM_OP_TRANSPOSE] = "transpose",
};
static const dm_fwd_fn OP_FORWARD[] = {
    [DM_OP_CONV1D] = fwd_conv,      [DM_OP_DENSE] = fwd_dense,         [DM_OP_BATCHNORM] = fwd_batchnorm,
    [DM_OP_RELU] = fwd_elementwise, [DM_OP_SIGMOID] = fwd_elementwise, [DM_OP_MAXPOOL1D] = fwd_pool,
    [DM_OP_AVGPOOL1D] = fwd_pool,   [DM_OP_IDENTITY] = fwd_identity,   [DM_OP_ADD] = fwd_addsub,
    [DM_OP_SUB] = fwd_addsub,       [DM_OP_CONCAT] = fwd_concat,       [DM_OP_SLICE] = fwd_slice,
    [DM_OP_RESHAPE] = fwd_identity, [DM_OP_TRANSPOSE] = fwd_transpose,
};
static const dm_bwd_fn OP_BACKWARD[] = {
    [DM_OP_CONV1D] = bwd_linear_w,   [DM_OP_DENSE] = bwd_linear_w,      [DM_OP_BATCHNORM] = bwd_batchnorm,
    [DM_OP_RELU] = bwd_elementwise,  [DM_OP_SIGMOID] = bwd_elementwise, [DM_OP_MAXPOOL1D] = bwd_maxpool,
    [DM_OP_AVGPOOL1D] = bwd_avgpool, [DM_OP_IDENTITY] = bwd_identity,   [DM_OP_ADD] = bwd_addsub,
    [DM_OP_SUB] = bwd_addsub,        [DM_OP_CONCAT] = bwd_concat,       [DM_OP_SLICE] = bwd_slice,
    [DM_OP_RESHAPE] = bwd_identity,  [DM_OP_TRANSPOSE] = bwd_transpose,
};
static const dm_rule_kind_t OP_RULE[] = {
    [DM_OP_CONV1D] = DM_RULE_LINEAR_W,   [DM_OP_DENSE] = DM_RULE_LINEAR_W,
    [DM_OP_BATCHNORM] = DM_RULE_LINEAR,  [DM_OP_RELU] = DM_RULE_NONLINEAR,
    [DM_OP_SIGMOID] = DM_RULE_NONLINEAR, [DM_OP_MAXPOOL1D] = DM_RULE_MAXPOOL,
    [DM_OP_AVGPOOL1D] = DM_RULE_LINEAR,  [DM_OP_IDENTITY] = DM_RULE_LINEAR,
    [DM_OP_ADD] = DM_RULE_LINEAR,        [DM_OP_SUB] = DM_RULE_LINEAR,
    [DM_OP_CONCAT] = DM_RULE_LINEAR,     [DM_OP_SLICE] = DM_RULE_LINEAR,
    [DM_OP_RESHAPE] = DM_RULE_LINEAR,    [DM_OP_TRANSPOSE] = DM_RULE_LINEAR,
};
_Static_assert(DM_OP_COUNT == 14, "a new op needs a name, forward, backward and DeepLIFT rule");
_Static_assert(sizeof OP_NAME / sizeof *OP_NAME == DM_OP_COUNT, "OP_NAME incomplete");
_Static_assert(sizeof OP_FORWARD / sizeof *OP_FORWARD == DM_OP_COUNT, "OP_FORWARD incomplete");
_Static_assert(sizeof OP_BACKWARD / sizeof *OP_BACKWARD == DM_OP_COUNT, "OP_BACKWARD incomplete");
_Static_assert(sizeof OP_RULE / sizeof *OP_RULE == DM_OP_COUNT, "OP_RULE incomplete");

const char *dm_ops_name(dm_op_t op) { return op < DM_OP_COUNT ? OP_NAME[op] : "?"; }

dm_rule_kind_t dm_ops_rule(dm_op_t op) {
  DM_ASSERT(op < DM_OP_COUNT);
  return OP_RULE[op];
}

size_t dm_ops_scratch_floats(const dm_node_t *ly) {
  if (ly->op != DM_OP_CONV1D || conv_shifted(ly)) return 0;
  size_t col = (size_t)DM_CONV_CHUNK * ly->kernel * ly->in_ch,
         pad = (size_t)ly->in_len * ly->out_ch;
  return col > pad ? col : pad;
}

double dm_ops_macs(const dm_node_t *ly) {
  if (ly->op == DM_OP_CONV1D) return (double)ly->out_len * ly->out_ch * ly->kernel * ly->in_ch;
  if (ly->op == DM_OP_DENSE) return (double)ly->in_len * ly->in_ch * ly->out_ch;
  return 0.0;
}

void dm_ops_forward(const dm_node_t *ly, int n, const float *const *x, float *y, float *scratch) {
  DM_ASSERT(ly->op < DM_OP_COUNT && n >= 0);
  OP_FORWARD[ly->op](ly, n, x, y, scratch);
}

void dm_ops_backward(const dm_node_t *ly, const dm_bwd_ctx_t *c, const float *dy, float *const *dx) {
  DM_ASSERT(ly->op < DM_OP_COUNT && c->n >= 0 && c->rep >= 1 && c->xdiv >= 1);
  OP_BACKWARD[ly->op](ly, c, dy, dx);
}
