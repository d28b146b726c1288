/* badinput_fixtures: writes the small inputs of tests/badinput.sh into the
 * directory given as argument (made at test time, so no binary fixtures are
 * committed). All models are Conv1D(c1, 2 filters, width 3) - ReLU - Flatten -
 * Dense(d, 2 tasks) on sequences of 20 bp:
 *   ok.h5       full model, finite weights;
 *   arch.json   the same architecture as a JSON (for Model:weights);
 *   nan.h5      a NaN in layer c1's kernel;
 *   bn_var.h5   a BatchNormalization (bn) with moving_variance -1;
 *   overflow.h5 finite weights (3e38) whose outputs overflow to Inf;
 *   oh.npy, hyp.npy  lite inputs (3, 4, 20) with a 2 in the one-hot of row 1;
 *   nan_attr.h5 an attr.h5 marked complete (as older versions wrote them) whose
 *               /tasks/0/hyp holds a NaN in row 2. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm_npy.h"
#include "nn_fixture.h"

#define LEN 20
#define ARCH(extra)                                                                                        \
  "{\"class_name\": \"Sequential\", \"config\": [{\"class_name\": \"Conv1D\", \"config\": {\"name\": "     \
  "\"c1\", "                                                                                               \
  "\"filters\": 2, \"kernel_size\": [3], \"activation\": \"relu\", \"batch_input_shape\": [null, 20, "     \
  "4]}}, " extra                                                                                           \
  "{\"class_name\": \"Flatten\", \"config\": {\"name\": \"f\"}}, {\"class_name\": \"Dense\", \"config\": " \
  "{\"name\": \"d\", \"units\": 2, \"activation\": \"sigmoid\"}}]}"
#define BN "{\"class_name\": \"BatchNormalization\", \"config\": {\"name\": \"bn\", \"epsilon\": 0.001}}, "

static int write_model(const char *dir, const char *name, const char *json, float scale, int nan, int bn) {
  static float k[3 * 4 * 2], b[2], kd[18 * 2 * 2], bd[2], g[2] = {1, 1}, be[2], mu[2], va[2] = {1, -1};
  for (int i = 0; i < 24; i++) k[i] = scale * (float)sin(1.3 * i + 0.2);
  for (int i = 0; i < 72; i++) kd[i] = scale * (float)cos(0.7 * i);
  if (nan) k[5] = NAN;
  nnfx_weight_t w[] = {{"c1", "kernel:0", 3, {3, 4, 2}, k}, {"c1", "bias:0", 1, {2}, b},
                       {"bn", "gamma:0", 1, {2}, g},        {"bn", "beta:0", 1, {2}, be},
                       {"bn", "moving_mean:0", 1, {2}, mu}, {"bn", "moving_variance:0", 1, {2}, va},
                       {"d", "kernel:0", 2, {36, 2}, kd},   {"d", "bias:0", 1, {2}, bd}};
  nnfx_weight_t plain[] = {w[0], w[1], w[6], w[7]};
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return bn ? nnfx_write(path, json, w, 8) : nnfx_write(path, json, plain, 4);
}

/* A minimal complete attr.h5: /onehot, /tasks/0/hyp (3, LEN, 4), a NaN at row 2. */
static int write_nan_attr(const char *dir) {
  static uint8_t oh[3 * LEN * 4];
  static float hyp[3 * LEN * 4];
  for (int i = 0; i < 3 * LEN; i++) oh[i * 4 + i % 4] = 1;
  hyp[2 * LEN * 4 + 9] = NAN;
  char path[4096];
  snprintf(path, sizeof path, "%s/nan_attr.h5", dir);
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) return -1;
  nnfx_str_attr(f, "status", "complete");
  nnfx_str_attr(f, "tasks", "0");
  hsize_t dims[3] = {3, LEN, 4};
  hid_t sp = H5Screate_simple(3, dims, NULL), lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hid_t d1 = H5Dcreate2(f, "/onehot", H5T_STD_U8LE, sp, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  hid_t d2 = H5Dcreate2(f, "/tasks/0/hyp", H5T_IEEE_F32LE, sp, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  int rc = H5Dwrite(d1, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, oh) < 0 ||
                   H5Dwrite(d2, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, hyp) < 0
               ? -1
               : 0;
  H5Dclose(d1), H5Dclose(d2), H5Pclose(lcpl), H5Sclose(sp);
  return H5Fclose(f) < 0 ? -1 : rc;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: badinput_fixtures <dir>\n");
    return 2;
  }
  const char *dir = argv[1];
  int rc = write_model(dir, "ok.h5", ARCH(""), 0.5f, 0, 0) |
           write_model(dir, "nan.h5", ARCH(""), 0.5f, 1, 0) |
           write_model(dir, "bn_var.h5", ARCH(BN), 0.5f, 0, 1) |
           write_model(dir, "overflow.h5", ARCH(""), 3e38f, 0, 0);
  rc |= write_nan_attr(dir);
  char path[4096];
  snprintf(path, sizeof path, "%s/arch.json", dir);
  FILE *fp = fopen(path, "w");
  if (!fp || fputs(ARCH(""), fp) < 0 || fclose(fp) != 0) rc = -1;
  dm_npy_array_t oh = {0}, hyp = {0};
  const int64_t shape[3] = {3, 4, LEN};
  if (dm_npy_alloc(&oh, DM_NPY_F4, 3, shape) < 0 || dm_npy_alloc(&hyp, DM_NPY_F4, 3, shape) < 0) return 1;
  float *o = oh.data, *h = hyp.data;
  for (int i = 0; i < 3; i++)
    for (int l = 0; l < LEN; l++)
      for (int c = 0; c < 4; c++) {
        o[(i * 4 + c) * LEN + l] = (float)(c == (i + l) % 4);
        h[(i * 4 + c) * LEN + l] = (float)sin(i + 0.3 * l + c);
      }
  o[(1 * 4 + 2) * LEN + 7] = 2.0f; /* row 1, position 7 */
  snprintf(path, sizeof path, "%s/oh.npy", dir);
  if (dm_npy_write(path, &oh) < 0) rc = -1;
  snprintf(path, sizeof path, "%s/hyp.npy", dir);
  if (dm_npy_write(path, &hyp) < 0) rc = -1;
  dm_npy_free(&oh);
  dm_npy_free(&hyp);
  return rc ? 1 : 0;
}
