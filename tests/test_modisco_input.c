/* dm_modisco_input at 1, 2 and 4 ranks: tfmodisco-lite arrays (.npy and
 * .npz, (N, 4, L)) and attr.h5 give the same tracks, hyp centred by hand;
 * bad input is refused on every rank: shape mismatch, NaN (wherever the
 * bad row lies), an incomplete attr.h5, a missing task. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm_h5.h"
#include "dm_log.h"
#include "dm_modisco_input.h"
#include "dm_mpi.h"
#include "dm_npy.h"
#include "dm_test.h"

enum { N = 7, L = 30 };

/* hyp (i, l, c) and the base of (i, l), as (N, L, 4) arrays. */
static float hyp_at(int i, int l, int c) { return (float)((i * 31 + l * 7 + c * 3) % 11) - 4.5f + 0.1f * c; }
static int base_at(int i, int l) { return (i + l * l) % 4; }

/* The (N, 4, L) arrays a tfmodisco-lite user would save. */
static void make_lite(float *oh, float *hy) {
  for (int i = 0; i < N; i++)
    for (int c = 0; c < 4; c++)
      for (int l = 0; l < L; l++) {
        oh[(i * 4 + c) * L + l] = base_at(i, l) == c;
        hy[(i * 4 + c) * L + l] = hyp_at(i, l, c);
      }
}

static int write_npy(const char *path, const float *x, int n, int npz) {
  dm_npy_array_t a = {.dtype = DM_NPY_F4, .ndim = 3, .shape = {n, 4, L}, .data = (void *)x};
  const char *name = "arr_0";
  return npz ? dm_npz_write(path, 1, &name, &a, 1) : dm_npy_write(path, &a);
}

/* attr.h5 with /onehot and /tasks/t/hyp, status as given. */
static int write_attr(const dm_mpi_t *ctx, const char *path, const char *status, const float *hy_nl4) {
  dm_h5_field_t f[2] = {{.name = "/onehot", .type = DM_H5_U8, .ndims = 2, .dims = {L, 4}},
                        {.name = "/tasks/t/hyp", .type = DM_H5_F32, .ndims = 2, .dims = {L, 4}}};
  dm_h5_t *h = dm_h5_create(ctx, path, f, 2, N, 3);
  if (!h) return -1;
  uint8_t *oh = malloc(N * L * 4);
  for (int i = 0; i < N * L * 4; i++) oh[i] = base_at(i / (L * 4), i / 4 % L) == i % 4;
  int rc = 0;
  if (ctx->rank == 0) {
    rc |= dm_h5_write_rows(h, &f[0], 0, N, oh, DM_H5_INDEPENDENT);
    rc |= dm_h5_write_rows(h, &f[1], 0, N, hy_nl4, DM_H5_INDEPENDENT);
  }
  rc |= dm_h5_attr_set_string(h, "/", "status", status);
  rc |= dm_h5_attr_set_string(h, "/", "tasks", "t");
  free(oh);
  return dm_h5_close(h) | rc;
}

/* Centred hyp and onehot match the definition on every rank. */
static void check_tracks(const dm_modisco_input_t *in, const char *what) {
  CHECK(in->n == N && in->len == L, "%s: shape (%ld, %d)", what, (long)in->n, in->len);
  int bad = 0;
  for (int i = 0; i < N; i++)
    for (int l = 0; l < L; l++) {
      double mean = 0;
      for (int c = 0; c < 4; c++) mean += hyp_at(i, l, c) / 4.0;
      for (int c = 0; c < 4; c++) {
        size_t k = ((size_t)i * L + l) * 4 + c;
        double h = hyp_at(i, l, c) - mean, o = base_at(i, l) == c;
        bad += fabs(in->hyp[k] - h) > 1e-5 || in->onehot[k] != o;
      }
    }
  CHECK(bad == 0, "%s: %d values differ from the centred definition", what, bad);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  dm_mpi_t ctx;
  dm_mpi_init(&ctx, MPI_COMM_WORLD);
  dm_log_init(ctx.rank, DM_LOG_ERROR + (getenv("VERBOSE") != NULL) * 2);
  const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
  char oh_npy[512], hy_npz[512], short_npy[512], nan_npy[512], attr[512], attr_inc[512];
  snprintf(oh_npy, sizeof oh_npy, "%s/tmi_%d_oh.npy", dir, ctx.size);
  snprintf(hy_npz, sizeof hy_npz, "%s/tmi_%d_hy.npz", dir, ctx.size);
  snprintf(short_npy, sizeof short_npy, "%s/tmi_%d_short.npy", dir, ctx.size);
  snprintf(nan_npy, sizeof nan_npy, "%s/tmi_%d_nan.npy", dir, ctx.size);
  snprintf(attr, sizeof attr, "%s/tmi_%d_attr.h5", dir, ctx.size);
  snprintf(attr_inc, sizeof attr_inc, "%s/tmi_%d_inc.h5", dir, ctx.size);
  float *oh = malloc(N * 4 * L * sizeof *oh), *hy = malloc(N * 4 * L * sizeof *hy);
  float *hy_nl4 = malloc(N * 4 * L * sizeof *hy);
  make_lite(oh, hy);
  dm_npy_swap_last2(hy, hy_nl4, sizeof *hy, N, 4, L);
  if (ctx.rank == 0) {
    CHECK(write_npy(oh_npy, oh, N, 0) == 0 && write_npy(hy_npz, hy, N, 1) == 0 &&
              write_npy(short_npy, hy, N - 1, 0) == 0,
          "fixtures");
    hy[(5 * 4 + 2) * L + 17] = NAN; /* row 5 */
    hy[(6 * 4 + 0) * L + 3] = INFINITY;
    CHECK(write_npy(nan_npy, hy, N, 0) == 0, "NaN fixture");
  }
  MPI_Barrier(ctx.comm);
  CHECK(write_attr(&ctx, attr, "complete", hy_nl4) == 0 &&
            write_attr(&ctx, attr_inc, "incomplete", hy_nl4) == 0,
        "attr fixtures");

  dm_modisco_input_t in;
  dm_modisco_input_opt_t lite = {.onehot = oh_npy, .hyp = hy_npz, .center_hyp = 1, .block_rows = 2};
  CHECK(dm_modisco_input_load(&ctx, &lite, &in) == 0, "lite input refused");
  check_tracks(&in, "npy/npz");
  CHECK(in.chrom == NULL, "lite input has no regions");
  dm_modisco_input_free(&in);

  dm_modisco_input_opt_t h5 = {.attr = attr, .task = "t", .center_hyp = 1, .block_rows = 2};
  CHECK(dm_modisco_input_load(&ctx, &h5, &in) == 0, "attr.h5 refused");
  check_tracks(&in, "attr.h5");
  dm_modisco_input_free(&in);

  dm_modisco_input_opt_t raw = h5;
  raw.center_hyp = 0;
  CHECK(dm_modisco_input_load(&ctx, &raw, &in) == 0 && in.hyp[(3 * L + 4) * 4 + 1] == hyp_at(3, 4, 1),
        "uncentred hyp changed");
  dm_modisco_input_free(&in);

  /* refusals: the same on every rank (a rank that disagreed would hang the collectives) */
  dm_modisco_input_opt_t bad = lite;
  bad.hyp = short_npy;
  CHECK(dm_modisco_input_load(&ctx, &bad, &in) < 0, "shape mismatch accepted");
  bad.hyp = nan_npy;
  CHECK(dm_modisco_input_load(&ctx, &bad, &in) < 0, "NaN accepted");
  bad = h5;
  bad.attr = attr_inc;
  CHECK(dm_modisco_input_load(&ctx, &bad, &in) < 0, "incomplete attr.h5 accepted");
  bad = h5;
  bad.task = "nope";
  CHECK(dm_modisco_input_load(&ctx, &bad, &in) < 0, "missing task accepted");
  bad.task = "t";
  bad.attr = "/nonexistent/attr.h5";
  CHECK(dm_modisco_input_load(&ctx, &bad, &in) < 0, "missing file accepted");

  MPI_Barrier(ctx.comm);
  if (ctx.rank == 0) {
    const char *files[] = {oh_npy, hy_npz, short_npy, nan_npy, attr, attr_inc};
    for (int i = 0; i < 6; i++) remove(files[i]);
  }
  free(oh);
  free(hy);
  free(hy_nl4);
  int fails = dm_test_fails, sum = 0;
  MPI_Allreduce(&fails, &sum, 1, MPI_INT, MPI_SUM, ctx.comm);
  dm_test_fails = sum;
  int rc = ctx.rank == 0 ? dm_test_summary("test_modisco_input") : (sum != 0);
  MPI_Finalize();
  return rc;
}
