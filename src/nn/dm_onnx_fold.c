/* dm_onnx_fold: constant folding of ONNX nodes (see dm_onnx_fold.h). */
#include "dm_onnx_fold.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm_mem.h"

#define MAXD DM_ONNX_MAX_DIMS
#define MAX_ELEMS 10000000

/* A constant as doubles (exact for the integers of shapes and indices). */
typedef struct {
  int nd;
  int64_t d[MAXD];
  int64_t n;
  double *v;
  int is_int;
} arr_t;

typedef struct {
  char *err;
  size_t n_err;
} fctx_t;

static int ferr(fctx_t *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->err, c->n_err, fmt, ap);
  va_end(ap);
  return -1;
}

static void arr_free(arr_t *a) {
  free(a->v);
  a->v = NULL;
}

/* New array of the given dims (values zero); -1 if too large. */
static int arr_new(fctx_t *c, arr_t *a, int nd, const int64_t *d, int is_int) {
  memset(a, 0, sizeof *a);
  if (nd > MAXD) return ferr(c, "more than %d dimensions", MAXD);
  a->nd = nd;
  a->n = 1;
  a->is_int = is_int;
  for (int k = 0; k < nd; k++) {
    if (d[k] < 0 || (d[k] && a->n > MAX_ELEMS / d[k]))
      return ferr(c, "bad or huge dimension %lld", (long long)d[k]);
    a->d[k] = d[k];
    a->n *= d[k];
  }
  a->v = dm_calloc("fold", (size_t)(a->n ? a->n : 1), sizeof(double));
  return 0;
}

static void arr_of(const dm_onnx_tensor_t *t, arr_t *a) {
  memset(a, 0, sizeof *a);
  a->nd = t->ndim;
  memcpy(a->d, t->dims, sizeof a->d);
  a->n = t->n;
  a->is_int = t->i != NULL;
  a->v = dm_malloc("fold", sizeof(double) * (size_t)(t->n ? t->n : 1));
  for (int64_t j = 0; j < t->n; j++) a->v[j] = t->i ? (double)t->i[j] : t->f[j];
}

static int64_t to_i64(double v) {
  if (v >= 9.2e18) return INT64_MAX;
  if (v <= -9.2e18) return INT64_MIN;
  return (int64_t)v;
}

/* Moves a into tensor out (named name). */
static void arr_to(arr_t *a, dm_onnx_tensor_t *out, const char *name) {
  memset(out, 0, sizeof *out);
  out->name = dm_strdup("fold", name);
  out->ndim = a->nd;
  memcpy(out->dims, a->d, sizeof out->dims);
  out->n = a->n;
  out->dtype = a->is_int ? DM_ONNX_INT64 : DM_ONNX_FLOAT;
  if (a->is_int) {
    out->i = dm_malloc("fold", sizeof(int64_t) * (size_t)(a->n ? a->n : 1));
    for (int64_t j = 0; j < a->n; j++) out->i[j] = to_i64(a->v[j]);
  } else {
    out->f = dm_malloc("fold", sizeof(float) * (size_t)(a->n ? a->n : 1));
    for (int64_t j = 0; j < a->n; j++) out->f[j] = (float)a->v[j];
  }
  arr_free(a);
}

static void strides(const arr_t *a, int64_t *st) {
  int64_t s = 1;
  for (int k = a->nd - 1; k >= 0; k--) {
    st[k] = s;
    s *= a->d[k];
  }
}

/* Multi-index of flat index j of dims d (nd). */
static void unravel(int64_t j, int nd, const int64_t *d, int64_t *idx) {
  for (int k = nd - 1; k >= 0; k--) {
    idx[k] = d[k] ? j % d[k] : 0;
    j = d[k] ? j / d[k] : 0;
  }
}

static int norm_axis(fctx_t *c, int64_t a, int nd) {
  if (a < 0) a += nd;
  if (a < 0 || a >= (nd ? nd : 1)) return ferr(c, "axis out of range");
  return (int)a;
}

/* Ints of attribute name, or of input k; n = -1 if neither. */
static int ints(const dm_onnx_node_t *nd, const dm_onnx_tensor_t *const *in, const char *name, int k,
                int64_t *out, int *n) {
  const dm_onnx_attr_t *a = dm_onnx_attr(nd, name);
  *n = -1;
  if (a) {
    *n = a->n_ints < MAXD ? a->n_ints : MAXD;
    memcpy(out, a->ints, sizeof(int64_t) * (size_t)*n);
  } else if (k < nd->n_in && in[k]) {
    if (!in[k]->i) return -1;
    *n = in[k]->n < MAXD ? (int)in[k]->n : MAXD;
    memcpy(out, in[k]->i, sizeof(int64_t) * (size_t)*n);
  }
  return 0;
}

// --- broadcasting elementwise ops

static int bcast(fctx_t *c, int n_in, const arr_t *x, arr_t *out, int is_int) {
  int nd = 0;
  int64_t d[MAXD];
  for (int k = 0; k < n_in; k++) nd = x[k].nd > nd ? x[k].nd : nd;
  for (int j = 0; j < nd; j++) {
    d[j] = 1;
    for (int k = 0; k < n_in; k++) {
      int o = j - (nd - x[k].nd);
      int64_t dk = o >= 0 ? x[k].d[o] : 1;
      if (dk != 1 && d[j] != 1 && dk != d[j]) return ferr(c, "shapes do not broadcast");
      if (dk != 1) d[j] = dk;
    }
  }
  return arr_new(c, out, nd, d, is_int);
}

/* Flat index into x of output multi-index idx (broadcast). */
static int64_t bindex(const arr_t *x, int nd, const int64_t *idx) {
  int64_t off = 0, s = 1;
  for (int k = x->nd - 1; k >= 0; k--) {
    int64_t i = x->d[k] == 1 ? 0 : idx[k + nd - x->nd];
    off += i * s;
    s *= x->d[k];
  }
  return off;
}

static int elementwise(fctx_t *c, const char *op, const arr_t *x, arr_t *out) {
  int is_int = (x[0].is_int && x[1].is_int) || !strcmp(op, "Equal");
  if (bcast(c, 2, x, out, is_int)) return -1;
  int64_t idx[MAXD];
  for (int64_t j = 0; j < out->n; j++) {
    unravel(j, out->nd, out->d, idx);
    double a = x[0].v[bindex(&x[0], out->nd, idx)], b = x[1].v[bindex(&x[1], out->nd, idx)];
    double r;
    if (!strcmp(op, "Add"))
      r = a + b;
    else if (!strcmp(op, "Sub"))
      r = a - b;
    else if (!strcmp(op, "Mul"))
      r = a * b;
    else if (!strcmp(op, "Div")) {
      if (is_int && b == 0.0) return ferr(c, "integer division by zero");
      r = is_int ? trunc(a / b) : a / b;
    } else {
      r = a == b; /* Equal */
    }
    out->v[j] = r;
  }
  return 0;
}

// --- shape ops

static int reshape(fctx_t *c, const arr_t *x, int n, const int64_t *shape, arr_t *out) {
  int64_t d[MAXD], known = 1;
  int infer = -1;
  if (n > MAXD) return ferr(c, "target of rank %d", n);
  for (int k = 0; k < n; k++) {
    d[k] = shape[k] == 0 && k < x->nd ? x->d[k] : shape[k];
    if (d[k] == -1) {
      if (infer >= 0) return ferr(c, "two -1 in the target shape");
      infer = k;
    } else {
      known *= d[k];
    }
  }
  if (infer >= 0) d[infer] = known ? x->n / known : 0;
  if (arr_new(c, out, n, d, x->is_int)) return -1;
  if (out->n != x->n) return ferr(c, "cannot reshape %lld values", (long long)x->n);
  memcpy(out->v, x->v, sizeof(double) * (size_t)x->n);
  return 0;
}

static int concat(fctx_t *c, int n_in, const arr_t *x, int64_t axis, arr_t *out) {
  int a = norm_axis(c, axis, x[0].nd);
  if (a < 0) return -1;
  int64_t d[MAXD];
  memcpy(d, x[0].d, sizeof d);
  d[a] = 0;
  int is_int = 1;
  for (int k = 0; k < n_in; k++) {
    if (x[k].nd != x[0].nd) return ferr(c, "inputs of different ranks");
    d[a] += x[k].d[a];
    is_int &= x[k].is_int;
  }
  if (arr_new(c, out, x[0].nd, d, is_int)) return -1;
  int64_t outer = 1, inner = 1, pos = 0;
  for (int k = 0; k < a; k++) outer *= d[k];
  for (int k = a + 1; k < x[0].nd; k++) inner *= d[k];
  for (int64_t o = 0; o < outer; o++)
    for (int k = 0; k < n_in; k++) {
      int64_t m = x[k].d[a] * inner;
      memcpy(out->v + pos, x[k].v + o * m, sizeof(double) * (size_t)m);
      pos += m;
    }
  return 0;
}

static int transpose(fctx_t *c, const arr_t *x, int n, const int64_t *perm, arr_t *out) {
  int64_t p[MAXD], d[MAXD] = {0}, st[MAXD], idx[MAXD];
  if (n >= 0 && n != x->nd) return ferr(c, "perm has %d entries for rank %d", n, x->nd);
  for (int k = 0; k < x->nd; k++) p[k] = n < 0 ? x->nd - 1 - k : perm[k];
  for (int k = 0; k < x->nd; k++) {
    if (p[k] < 0 || p[k] >= x->nd) return ferr(c, "bad perm");
    d[k] = x->d[p[k]];
  }
  if (arr_new(c, out, x->nd, d, x->is_int)) return -1;
  strides(x, st);
  for (int64_t j = 0; j < out->n; j++) {
    unravel(j, out->nd, out->d, idx);
    int64_t off = 0;
    for (int k = 0; k < x->nd; k++) off += idx[k] * st[p[k]];
    out->v[j] = x->v[off];
  }
  return 0;
}

static int slice(fctx_t *c, const arr_t *x, int n, const int64_t *st, const int64_t *en, const int64_t *ax,
                 const int64_t *sp, arr_t *out) {
  int64_t start[MAXD], step[MAXD], d[MAXD], xst[MAXD], idx[MAXD];
  for (int k = 0; k < x->nd; k++) start[k] = 0, step[k] = 1, d[k] = x->d[k];
  for (int k = 0; k < n; k++) {
    int a = norm_axis(c, ax ? ax[k] : k, x->nd);
    if (a < 0) return -1;
    int64_t s = sp ? sp[k] : 1, dim = x->d[a], b = st[k], e = en[k];
    if (s == 0) return ferr(c, "slice step 0");
    if (b < 0) b += dim;
    if (e < 0 && e > INT64_MIN / 2) e += dim;
    if (s > 0) {
      b = b < 0 ? 0 : b > dim ? dim : b;
      e = e < 0 ? 0 : e > dim ? dim : e;
      d[a] = e > b ? (e - b + s - 1) / s : 0;
    } else {
      b = b < 0 ? 0 : b > dim - 1 ? dim - 1 : b;
      e = e < -1 ? -1 : e > dim - 1 ? dim - 1 : e;
      d[a] = b > e ? (b - e + (-s) - 1) / (-s) : 0;
    }
    start[a] = b;
    step[a] = s;
  }
  if (arr_new(c, out, x->nd, d, x->is_int)) return -1;
  strides(x, xst);
  for (int64_t j = 0; j < out->n; j++) {
    unravel(j, out->nd, out->d, idx);
    int64_t off = 0;
    for (int k = 0; k < x->nd; k++) off += (start[k] + idx[k] * step[k]) * xst[k];
    out->v[j] = x->v[off];
  }
  return 0;
}

static int gather(fctx_t *c, const arr_t *x, const arr_t *ind, int64_t axis, arr_t *out) {
  int a = norm_axis(c, axis, x->nd);
  if (a < 0) return -1;
  int64_t d[MAXD];
  int nd = 0;
  if (x->nd - 1 + ind->nd > MAXD) return ferr(c, "result of too high a rank");
  for (int k = 0; k < a; k++) d[nd++] = x->d[k];
  for (int k = 0; k < ind->nd; k++) d[nd++] = ind->d[k];
  for (int k = a + 1; k < x->nd; k++) d[nd++] = x->d[k];
  if (arr_new(c, out, nd, d, x->is_int)) return -1;
  int64_t outer = 1, inner = 1;
  for (int k = 0; k < a; k++) outer *= x->d[k];
  for (int k = a + 1; k < x->nd; k++) inner *= x->d[k];
  for (int64_t o = 0; o < outer; o++)
    for (int64_t q = 0; q < ind->n; q++) {
      int64_t i = (int64_t)ind->v[q];
      if (i < 0) i += x->d[a];
      if (i < 0 || i >= x->d[a]) return ferr(c, "index %lld out of range", (long long)ind->v[q]);
      memcpy(out->v + (o * ind->n + q) * inner, x->v + (o * x->d[a] + i) * inner,
             sizeof(double) * (size_t)inner);
    }
  return 0;
}

/* ReduceSum / ReduceMean / ReduceMax over axes (all if none), keepdims. */
static int reduce(fctx_t *c, const char *op, const arr_t *x, int n, const int64_t *axes, int keep,
                  arr_t *out) {
  int mark[MAXD] = {0}, nd = 0;
  int64_t d[MAXD], idx[MAXD], cnt = 1;
  for (int k = 0; k < (n > 0 ? n : x->nd); k++) {
    int a = n > 0 ? norm_axis(c, axes[k], x->nd) : k;
    if (a < 0) return -1;
    mark[a] = 1;
  }
  for (int k = 0; k < x->nd; k++) {
    if (mark[k]) cnt *= x->d[k];
    if (!mark[k] || keep) d[nd++] = mark[k] ? 1 : x->d[k];
  }
  if (cnt == 0) return ferr(c, "reduction over an empty axis");
  if (arr_new(c, out, nd, d, x->is_int && strcmp(op, "ReduceMean"))) return -1;
  int mx = !strcmp(op, "ReduceMax");
  for (int64_t j = 0; j < out->n; j++) out->v[j] = mx ? -INFINITY : 0.0;
  for (int64_t j = 0; j < x->n; j++) { /* output index: the input's with the reduced axes dropped or 0 */
    unravel(j, x->nd, x->d, idx);
    int64_t o = 0;
    for (int k = 0, m = 0; k < x->nd; k++) {
      if (mark[k] && !keep) continue;
      o = o * d[m++] + (mark[k] ? 0 : idx[k]);
    }
    out->v[o] = mx ? fmax(out->v[o], x->v[j]) : out->v[o] + x->v[j];
  }
  if (!strcmp(op, "ReduceMean"))
    for (int64_t j = 0; j < out->n; j++) out->v[j] /= (double)cnt;
  return 0;
}

// --- dispatch

int dm_onnx_fold(const dm_onnx_node_t *nd, const dm_onnx_tensor_t *const *in, dm_onnx_tensor_t *out,
                 char *err, size_t n_err) {
  static const char *const ops[] = {
      "Identity",  "Cast",      "ConstantOfShape", "Concat",     "Reshape",   "Flatten", "Squeeze",
      "Unsqueeze", "Transpose", "Slice",           "Gather",     "Add",       "Sub",     "Mul",
      "Div",       "Equal",     "ReduceSum",       "ReduceMean", "ReduceMax", "Log",     "Exp"};
  const char *op = nd->op_type;
  int known = 0;
  for (size_t k = 0; k < sizeof ops / sizeof *ops; k++) known |= !strcmp(op, ops[k]);
  if (!known) return 1;
  fctx_t c = {err, n_err};
  if (nd->n_in > 8) return snprintf(err, n_err, "more than 8 inputs"), -1;
  int n_in = nd->n_in, rc = -1;
  arr_t x[8], y;
  memset(x, 0, sizeof x);
  memset(&y, 0, sizeof y);
  for (int k = 0; k < n_in; k++)
    if (in[k]) arr_of(in[k], &x[k]);
  int64_t v[MAXD];
  int n = -1;
  if (n_in < 1 || !in[0]) {
    ferr(&c, "missing input");
    goto done;
  }
  if (!strcmp(op, "Identity")) {
    rc = reshape(&c, &x[0], x[0].nd, x[0].d, &y);
  } else if (!strcmp(op, "Cast")) {
    const dm_onnx_attr_t *to = dm_onnx_attr(nd, "to");
    int t = to ? (int)to->i : DM_ONNX_FLOAT;
    rc = reshape(&c, &x[0], x[0].nd, x[0].d, &y);
    y.is_int = !(t == DM_ONNX_FLOAT || t == DM_ONNX_DOUBLE || t == 10 || t == 16);
    for (int64_t j = 0; j < y.n && y.is_int; j++) y.v[j] = t == DM_ONNX_BOOL ? y.v[j] != 0.0 : trunc(y.v[j]);
  } else if (!strcmp(op, "ConstantOfShape")) {
    const dm_onnx_attr_t *val = dm_onnx_attr(nd, "value");
    if (x[0].nd != 1 || x[0].n > MAXD) {
      ferr(&c, "shape must be 1-D");
      goto done;
    }
    for (int k = 0; k < x[0].n; k++) v[k] = (int64_t)x[0].v[k];
    rc = arr_new(&c, &y, (int)x[0].n, v, val && val->t ? val->t->i != NULL : 0);
    double fill = val && val->t && val->t->n ? (val->t->i ? (double)val->t->i[0] : val->t->f[0]) : 0.0;
    for (int64_t j = 0; !rc && j < y.n; j++) y.v[j] = fill;
  } else if (!strcmp(op, "Concat")) {
    const dm_onnx_attr_t *a = dm_onnx_attr(nd, "axis");
    for (int k = 0; k < n_in; k++)
      if (!in[k]) {
        ferr(&c, "missing input");
        goto done;
      }
    rc = concat(&c, n_in, x, a ? a->i : 0, &y);
  } else if (!strcmp(op, "Reshape")) {
    if (n_in < 2 || !in[1] || !in[1]->i) {
      ferr(&c, "shape input missing or not integer");
      goto done;
    }
    rc = reshape(&c, &x[0], (int)in[1]->n, in[1]->i, &y);
  } else if (!strcmp(op, "Flatten")) {
    const dm_onnx_attr_t *a = dm_onnx_attr(nd, "axis");
    int ax = a ? (int)a->i : 1;
    if (ax < 0) ax += x[0].nd;
    int64_t d[2] = {1, 1};
    for (int k = 0; k < x[0].nd; k++) d[k >= ax] *= x[0].d[k];
    rc = reshape(&c, &x[0], 2, d, &y);
  } else if (!strcmp(op, "Squeeze") || !strcmp(op, "Unsqueeze")) {
    int un = op[0] == 'U', mark[MAXD] = {0}, out_nd = x[0].nd, src = 0;
    int64_t d[MAXD];
    if (ints(nd, in, "axes", 1, v, &n)) {
      ferr(&c, "axes not integer");
      goto done;
    }
    if (un) out_nd += n > 0 ? n : 0;
    if (out_nd > MAXD) {
      ferr(&c, "result of too high a rank");
      goto done;
    }
    for (int k = 0; k < n; k++) {
      int a = norm_axis(&c, v[k], out_nd);
      if (a < 0) goto done;
      mark[a] = 1;
    }
    int m = 0;
    for (int k = 0; k < (un ? out_nd : x[0].nd); k++) {
      if (un)
        d[m++] = mark[k] ? 1 : x[0].d[src++];
      else if (!(n < 0 ? x[0].d[k] == 1 : mark[k]))
        d[m++] = x[0].d[k];
    }
    rc = reshape(&c, &x[0], m, d, &y);
  } else if (!strcmp(op, "Transpose")) {
    const dm_onnx_attr_t *p = dm_onnx_attr(nd, "perm");
    rc = transpose(&c, &x[0], p ? p->n_ints : -1, p ? p->ints : NULL, &y);
  } else if (!strcmp(op, "Slice")) {
    int64_t st[MAXD], en[MAXD], ax[MAXD], sp[MAXD];
    int ns, ne, na, np;
    if (ints(nd, in, "starts", 1, st, &ns) || ints(nd, in, "ends", 2, en, &ne) ||
        ints(nd, in, "axes", 3, ax, &na) || ints(nd, in, "steps", 4, sp, &np) || ns < 0 || ne != ns ||
        (na >= 0 && na != ns) || (np >= 0 && np != ns)) {
      ferr(&c, "bad starts/ends/axes/steps");
      goto done;
    }
    rc = slice(&c, &x[0], ns, st, en, na >= 0 ? ax : NULL, np >= 0 ? sp : NULL, &y);
  } else if (!strcmp(op, "Gather")) {
    const dm_onnx_attr_t *a = dm_onnx_attr(nd, "axis");
    if (n_in < 2 || !in[1] || !in[1]->i) {
      ferr(&c, "indices missing or not integer");
      goto done;
    }
    rc = gather(&c, &x[0], &x[1], a ? a->i : 0, &y);
  } else if (!strncmp(op, "Reduce", 6)) {
    const dm_onnx_attr_t *k = dm_onnx_attr(nd, "keepdims");
    if (ints(nd, in, "axes", 1, v, &n)) {
      ferr(&c, "axes not integer");
      goto done;
    }
    rc = reduce(&c, op, &x[0], n, v, k ? k->i != 0 : 1, &y);
  } else if (!strcmp(op, "Log") || !strcmp(op, "Exp")) {
    rc = reshape(&c, &x[0], x[0].nd, x[0].d, &y);
    y.is_int = 0;
    for (int64_t j = 0; !rc && j < y.n; j++) y.v[j] = op[0] == 'L' ? log(y.v[j]) : exp(y.v[j]);
  } else {
    if (n_in != 2 || !in[1]) {
      ferr(&c, "%d inputs, expected 2", n_in);
      goto done;
    }
    rc = elementwise(&c, op, x, &y);
  }
  if (!rc) arr_to(&y, out, nd->n_out ? nd->out[0] : "");
done:
  if (rc) arr_free(&y);
  for (int k = 0; k < n_in; k++) arr_free(&x[k]);
  return rc ? -1 : 0;
}
