/* The CBLAS that GSL and dmotif call is OpenBLAS's, not libgslcblas. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cblas.h>

#include "dm_test.h"

int main(void) {
  Dl_info info;
  CHECK(dladdr((void *)cblas_sgemm, &info) && info.dli_fname, "dladdr(cblas_sgemm)");
  CHECK(strstr(info.dli_fname, "openblas") || strstr(info.dli_fname, "blas.so"), "cblas_sgemm from %s",
        info.dli_fname);
  CHECK(!strstr(info.dli_fname, "gslcblas"), "cblas_sgemm from %s", info.dli_fname);
  /* and GSL's own BLAS wrappers compute through it: a hand-worked 2x2 */
  double a[] = {1, 2, 3, 4}, b[] = {5, 6, 7, 8}, c[4] = {0};
  gsl_matrix_view A = gsl_matrix_view_array(a, 2, 2), B = gsl_matrix_view_array(b, 2, 2),
                  C = gsl_matrix_view_array(c, 2, 2);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &A.matrix, &B.matrix, 0.0, &C.matrix);
  CHECK(c[0] == 19 && c[1] == 22 && c[2] == 43 && c[3] == 50, "dgemm %g %g %g %g", c[0], c[1], c[2], c[3]);
  printf("cblas_sgemm from %s\n", info.dli_fname);
  return dm_test_summary("test_blas");
}
