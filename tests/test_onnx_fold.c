/* test_onnx_fold: constant folding of ONNX nodes on hand-worked cases
 * (numpy semantics worked out by hand): the shape arithmetic torch leaves in
 * exports, F.pad's pads computation, broadcasting, integer division. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm_onnx_fold.h"
#include "dm_test.h"

static char *OUT[] = {"y"};

static dm_onnx_tensor_t ints_t(int ndim, const int64_t *dims, const int64_t *v) {
  dm_onnx_tensor_t t = {.ndim = ndim, .dtype = DM_ONNX_INT64, .n = 1};
  for (int k = 0; k < ndim; k++) t.dims[k] = dims[k], t.n *= dims[k];
  t.i = (int64_t *)v;
  return t;
}

static dm_onnx_tensor_t floats_t(int ndim, const int64_t *dims, const float *v) {
  dm_onnx_tensor_t t = {.ndim = ndim, .dtype = DM_ONNX_FLOAT, .n = 1};
  for (int k = 0; k < ndim; k++) t.dims[k] = dims[k], t.n *= dims[k];
  t.f = (float *)v;
  return t;
}

/* Folds op on inputs; checks dims and values (ints or floats) of the result. */
static void expect(const char *op, dm_onnx_attr_t *attr, int n_attr, int n_in,
                   const dm_onnx_tensor_t *const *in, int ndim, const int64_t *dims, const int64_t *iv,
                   const float *fv) {
  dm_onnx_node_t nd = {.name = "n",
                       .op_type = (char *)op,
                       .domain = "",
                       .n_in = n_in,
                       .n_out = 1,
                       .out = OUT,
                       .n_attr = n_attr,
                       .attr = attr};
  dm_onnx_tensor_t y;
  char err[128] = "";
  int rc = dm_onnx_fold(&nd, in, &y, err, sizeof err);
  CHECK(rc == 0, "%s: rc %d (%s)", op, rc, err);
  if (rc) return;
  int ok = y.ndim == ndim;
  for (int k = 0; ok && k < ndim; k++) ok = y.dims[k] == dims[k];
  CHECK(ok, "%s: dims", op);
  for (int64_t j = 0; ok && j < y.n; j++) {
    if (iv)
      CHECK(y.i && y.i[j] == iv[j], "%s: value %lld is %lld, want %lld", op, (long long)j,
            y.i ? (long long)y.i[j] : -999LL, (long long)iv[j]);
    if (fv)
      CHECK(y.f && y.f[j] == fv[j], "%s: value %lld is %g, want %g", op, (long long)j, y.f ? y.f[j] : -999.0,
            fv[j]);
  }
  free(y.name);
  free(y.i);
  free(y.f);
}

int main(void) {
  /* F.pad(x, (1, 2)) on (N, C, L): torch computes pads [0,0,1,0,0,2] like this */
  int64_t four[] = {4}, one12[] = {1, 2}, d1[] = {1}, d2[] = {2};
  dm_onnx_tensor_t t4 = ints_t(1, d1, four), t12 = ints_t(1, d2, one12);
  dm_onnx_tensor_t zero = ints_t(0, NULL, (int64_t[]){0});
  dm_onnx_attr_t cval = {.name = "value", .type = DM_ONNX_ATTR_TENSOR, .t = &zero};
  const dm_onnx_tensor_t *in1[] = {&t4};
  expect("ConstantOfShape", &cval, 1, 1, in1, 1, (int64_t[]){4}, (int64_t[]){0, 0, 0, 0}, NULL);
  int64_t cat_v[] = {1, 2, 0, 0, 0, 0}, d6[] = {6};
  dm_onnx_tensor_t zeros4 = ints_t(1, four, (int64_t[]){0, 0, 0, 0});
  dm_onnx_attr_t ax0 = {.name = "axis", .type = DM_ONNX_ATTR_INT, .i = 0};
  expect("Concat", &ax0, 1, 2, (const dm_onnx_tensor_t *[]){&t12, &zeros4}, 1, d6, cat_v, NULL);
  dm_onnx_tensor_t cat = ints_t(1, d6, cat_v), shp = ints_t(1, d2, (int64_t[]){-1, 2});
  int64_t d32[] = {3, 2};
  expect("Reshape", NULL, 0, 2, (const dm_onnx_tensor_t *[]){&cat, &shp}, 2, d32, cat_v, NULL);
  /* Slice rows backwards: starts -1, ends -inf, axes 0, steps -1 */
  dm_onnx_tensor_t r32 = ints_t(2, d32, cat_v), st = ints_t(1, d1, (int64_t[]){-1}),
                   en = ints_t(1, d1, (int64_t[]){INT64_MIN + 1}), ax = ints_t(1, d1, (int64_t[]){0}),
                   sp = ints_t(1, d1, (int64_t[]){-1});
  int64_t rev[] = {0, 0, 0, 0, 1, 2};
  expect("Slice", NULL, 0, 5, (const dm_onnx_tensor_t *[]){&r32, &st, &en, &ax, &sp}, 2, d32, rev, NULL);
  dm_onnx_tensor_t rv = ints_t(2, d32, rev);
  int64_t perm_v[] = {1, 0}, d23[] = {2, 3};
  dm_onnx_attr_t perm = {.name = "perm", .type = DM_ONNX_ATTR_INTS, .ints = perm_v, .n_ints = 2};
  expect("Transpose", &perm, 1, 1, (const dm_onnx_tensor_t *[]){&rv}, 2, d23, (int64_t[]){0, 0, 1, 0, 0, 2},
         NULL);
  /* a forward slice clamped at the end, step 2 */
  dm_onnx_tensor_t big = ints_t(1, d6, cat_v), s1 = ints_t(1, d1, (int64_t[]){1}),
                   e1 = ints_t(1, d1, (int64_t[]){100}), p2 = ints_t(1, d1, (int64_t[]){2});
  expect("Slice", NULL, 0, 5, (const dm_onnx_tensor_t *[]){&big, &s1, &e1, &ax, &p2}, 1, (int64_t[]){3},
         (int64_t[]){2, 0, 0}, NULL);

  /* shape arithmetic: Gather(shape, 2), (L - 20) / 2 with integer division, Unsqueeze, Cast, Equal */
  dm_onnx_tensor_t shape = ints_t(1, (int64_t[]){3}, (int64_t[]){2, 1, 33}),
                   idx = ints_t(0, NULL, (int64_t[]){2});
  expect("Gather", &ax0, 1, 2, (const dm_onnx_tensor_t *[]){&shape, &idx}, 0, NULL, (int64_t[]){33}, NULL);
  dm_onnx_tensor_t l33 = ints_t(0, NULL, (int64_t[]){13}), two = ints_t(0, NULL, (int64_t[]){2}),
                   neg = ints_t(0, NULL, (int64_t[]){-7});
  expect("Div", NULL, 0, 2, (const dm_onnx_tensor_t *[]){&l33, &two}, 0, NULL, (int64_t[]){6}, NULL);
  expect("Div", NULL, 0, 2, (const dm_onnx_tensor_t *[]){&neg, &two}, 0, NULL, (int64_t[]){-3}, NULL);
  dm_onnx_tensor_t ax_t = ints_t(1, d1, (int64_t[]){0});
  expect("Unsqueeze", NULL, 0, 2, (const dm_onnx_tensor_t *[]){&l33, &ax_t}, 1, d1, (int64_t[]){13}, NULL);
  dm_onnx_attr_t ax_attr = {.name = "axes", .type = DM_ONNX_ATTR_INTS, .ints = (int64_t[]){0}, .n_ints = 1};
  expect("Squeeze", &ax_attr, 1, 1, (const dm_onnx_tensor_t *[]){&t4}, 0, NULL, (int64_t[]){4}, NULL);
  dm_onnx_attr_t to_f = {.name = "to", .type = DM_ONNX_ATTR_INT, .i = DM_ONNX_FLOAT};
  expect("Cast", &to_f, 1, 1, (const dm_onnx_tensor_t *[]){&neg}, 0, NULL, NULL, (float[]){-7.0f});
  dm_onnx_tensor_t fx = floats_t(1, d2, (float[]){2.5f, -2.5f});
  dm_onnx_attr_t to_i = {.name = "to", .type = DM_ONNX_ATTR_INT, .i = DM_ONNX_INT64};
  expect("Cast", &to_i, 1, 1, (const dm_onnx_tensor_t *[]){&fx}, 1, d2, (int64_t[]){2, -2}, NULL);
  expect("Equal", NULL, 0, 2, (const dm_onnx_tensor_t *[]){&t12, &s1}, 1, d2, (int64_t[]){1, 0}, NULL);

  /* float broadcasting: (2, 1) + (3) -> (2, 3); Mul, Sub by a scalar; Flatten of (2, 3) at axis 0 */
  dm_onnx_tensor_t col = floats_t(2, (int64_t[]){2, 1}, (float[]){1.0f, 10.0f}),
                   row = floats_t(1, (int64_t[]){3}, (float[]){0.5f, 1.5f, 2.5f}),
                   sc = floats_t(0, NULL, (float[]){2.0f});
  float sum[] = {1.5f, 2.5f, 3.5f, 10.5f, 11.5f, 12.5f};
  expect("Add", NULL, 0, 2, (const dm_onnx_tensor_t *[]){&col, &row}, 2, d23, NULL, sum);
  expect("Mul", NULL, 0, 2, (const dm_onnx_tensor_t *[]){&row, &sc}, 1, (int64_t[]){3}, NULL,
         (float[]){1.0f, 3.0f, 5.0f});
  expect("Sub", NULL, 0, 2, (const dm_onnx_tensor_t *[]){&sc, &row}, 1, (int64_t[]){3}, NULL,
         (float[]){1.5f, 0.5f, -0.5f});
  dm_onnx_tensor_t m23 = floats_t(2, d23, sum);
  expect("Flatten", &ax0, 1, 1, (const dm_onnx_tensor_t *[]){&m23}, 2, (int64_t[]){1, 6}, NULL, sum);
  expect("Identity", NULL, 0, 1, (const dm_onnx_tensor_t *[]){&m23}, 2, d23, NULL, sum);

  /* reductions of sum (2, 3) = [[1.5 2.5 3.5] [10.5 11.5 12.5]]; Log, Exp */
  dm_onnx_attr_t keep0 = {.name = "keepdims", .type = DM_ONNX_ATTR_INT, .i = 0};
  dm_onnx_tensor_t axes01 = ints_t(1, d2, (int64_t[]){0, 1}), axes1 = ints_t(1, d1, (int64_t[]){-1});
  expect("ReduceSum", &keep0, 1, 2, (const dm_onnx_tensor_t *[]){&m23, &axes01}, 0, NULL, NULL,
         (float[]){42.0f});
  expect("ReduceSum", NULL, 0, 2, (const dm_onnx_tensor_t *[]){&m23, &axes1}, 2, (int64_t[]){2, 1}, NULL,
         (float[]){7.5f, 34.5f});
  dm_onnx_attr_t ax0s = {.name = "axes", .type = DM_ONNX_ATTR_INTS, .ints = (int64_t[]){0}, .n_ints = 1};
  dm_onnx_attr_t mean_attrs[2] = {ax0s, keep0};
  expect("ReduceMean", mean_attrs, 2, 1, (const dm_onnx_tensor_t *[]){&m23}, 1, (int64_t[]){3}, NULL,
         (float[]){6.0f, 7.0f, 8.0f});
  expect("ReduceMax", &keep0, 1, 1, (const dm_onnx_tensor_t *[]){&m23}, 0, NULL, NULL, (float[]){12.5f});
  dm_onnx_tensor_t ones = floats_t(1, d2, (float[]){1.0f, 0.0f});
  expect("Log", NULL, 0, 1, (const dm_onnx_tensor_t *[]){&ones}, 1, d2, NULL, (float[]){0.0f, -INFINITY});
  expect("Exp", NULL, 0, 1, (const dm_onnx_tensor_t *[]){&ones}, 1, d2, NULL, (float[]){expf(1.0f), 1.0f});

  /* not folded, and errors */
  dm_onnx_node_t conv = {.name = "c", .op_type = "Conv", .domain = "", .n_in = 1, .n_out = 1, .out = OUT};
  dm_onnx_tensor_t y;
  char err[128];
  CHECK(dm_onnx_fold(&conv, (const dm_onnx_tensor_t *[]){&m23}, &y, err, sizeof err) == 1,
        "Conv is not folded");
  dm_onnx_node_t div = {.name = "d", .op_type = "Div", .domain = "", .n_in = 2, .n_out = 1, .out = OUT};
  dm_onnx_tensor_t z0 = ints_t(0, NULL, (int64_t[]){0});
  CHECK(dm_onnx_fold(&div, (const dm_onnx_tensor_t *[]){&l33, &z0}, &y, err, sizeof err) == -1 &&
            strstr(err, "division by zero"),
        "integer division by zero: %s", err);
  dm_onnx_node_t add = {.name = "a", .op_type = "Add", .domain = "", .n_in = 2, .n_out = 1, .out = OUT};
  CHECK(dm_onnx_fold(&add, (const dm_onnx_tensor_t *[]){&row, &t12}, &y, err, sizeof err) == -1 &&
            strstr(err, "broadcast"),
        "(3) + (2) does not broadcast: %s", err);
  return dm_test_summary("test_onnx_fold");
}
