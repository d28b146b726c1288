/* Checker for tests/export.sh: the arrays written by `dmotif export` equal the
 * attr.h5 datasets they came from, transposed (N, L, 4) -> (N, 4, L), with hyp
 * centred per position when asked (recomputed here in double precision) and
 * contrib = hyp * onehot.
 *
 * usage: test_export_check <attr.h5> <task> <center 0|1> <onehot .npy/.npz> <hyp> [<contrib>]
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dm_h5.h"
#include "dm_npy.h"
#include "dm_test.h"

/* Read a .npy, or member arr_0 of a .npz, as float32. */
static int load(const char *path, dm_npy_array_t *a) {
  size_t n = strlen(path);
  if (n > 4 && strcmp(path + n - 4, ".npz") == 0) return dm_npz_read(path, "arr_0", DM_NPY_F4, a);
  return dm_npy_read(path, DM_NPY_F4, a);
}

/* Expected hyp at (row i, position l, base c) of hyp (N, L, 4). */
static double expected_hyp(const float *hyp, int64_t L, int64_t i, int64_t l, int c, int center) {
  const float *h = hyp + (i * L + l) * 4;
  return h[c] - (center ? ((double)h[0] + h[1] + h[2] + h[3]) / 4.0 : 0.0);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  dm_log_init(0, DM_LOG_WARN);
  if (argc < 6) {
    fprintf(stderr, "usage: %s attr.h5 task center onehot hyp [contrib]\n", argv[0]);
    MPI_Finalize();
    return 2;
  }
  dm_mpi_t self;
  dm_mpi_init(&self, MPI_COMM_SELF);
  int center = atoi(argv[3]);
  char hyp_name[64];
  snprintf(hyp_name, sizeof hyp_name, "/tasks/%s/hyp", argv[2]);
  dm_h5_t *h = dm_h5_open(&self, argv[1], 0);
  CHECK(h != NULL, "cannot open %s", argv[1]);
  dm_h5_field_t oh_f, hyp_f;
  int64_t n = 0;
  CHECK(h && dm_h5_field_info(h, "/onehot", &oh_f, &n, NULL) == 0 &&
            dm_h5_field_info(h, hyp_name, &hyp_f, NULL, NULL) == 0,
        "no /onehot or %s", hyp_name);
  if (dm_test_fails) {
    MPI_Finalize();
    return dm_test_summary("test_export_check");
  }
  int64_t L = oh_f.dims[0];
  oh_f.type = DM_H5_U8;
  hyp_f.type = DM_H5_F32;
  uint8_t *oh = malloc((size_t)(n * L * 4));              /* (N, L, 4) */
  float *hyp = malloc((size_t)(n * L * 4) * sizeof *hyp); /* (N, L, 4) */
  CHECK(dm_h5_read_rows(h, &oh_f, 0, n, oh, DM_H5_INDEPENDENT) == 0 &&
            dm_h5_read_rows(h, &hyp_f, 0, n, hyp, DM_H5_INDEPENDENT) == 0,
        "cannot read %s", argv[1]);
  CHECK(dm_h5_close(h) == 0, "close");

  int n_out = argc - 4;
  for (int k = 0; k < n_out; k++) {
    dm_npy_array_t a;
    int ok = load(argv[4 + k], &a) == 0;
    int64_t want[3] = {n, 4, L};
    CHECK(ok && dm_npy_check_shape(&a, 3, want, argv[4 + k]) == 0, "%s: not (N, 4, L)", argv[4 + k]);
    if (!ok || dm_test_fails) continue;
    const float *x = a.data; /* (N, 4, L) */
    int64_t bad = 0, first = -1;
    double sum_abs = 0;
    for (int64_t i = 0; i < n; i++)
      for (int c = 0; c < 4; c++)
        for (int64_t l = 0; l < L; l++) {
          double got = x[(i * 4 + c) * L + l], o = oh[(i * L + l) * 4 + c];
          double e = k == 0 ? o : expected_hyp(hyp, L, i, l, c, center) * (k == 2 ? o : 1.0);
          sum_abs += fabs(got);
          if (fabs(got - e) > 1e-6 * (1.0 + fabs(e))) {
            if (first < 0) first = (i * 4 + c) * L + l;
            bad++;
          }
        }
    CHECK(bad == 0, "%s: %ld of %ld values differ, first at flat index %ld", argv[4 + k], (long)bad,
          (long)(n * 4 * L), (long)first);
    CHECK(sum_abs > 0, "%s: all zeros", argv[4 + k]);
    dm_npy_free(&a);
  }
  free(oh);
  free(hyp);
  MPI_Finalize();
  return dm_test_summary("test_export_check");
}
