/* test_sparse: sorting and symmetrisation against a dense brute force. */
#include <stdlib.h>
#include <string.h>

#include "dm_sparse.h"
#include "dm_test.h"

/* random n x n matrix, each row up to k distinct random columns, unsorted */
static dm_sparse_t *random_matrix(int n, int k, unsigned seed, float *dense /* (n, n) or NULL */) {
  srand(seed);
  dm_sparse_t *m = dm_sparse_init(n, (int64_t)n * k);
  char *used = calloc((size_t)n, 1);
  int64_t out = 0;
  for (int i = 0; i < n; i++) {
    int len = rand() % (k + 1);
    memset(used, 0, (size_t)n);
    for (int e = 0; e < len; e++) {
      int c = rand() % n;
      if (used[c]) continue;
      used[c] = 1;
      m->col[out] = c;
      m->val[out] = (float)(rand() % 1000 + 1) / 1000.0f;
      if (dense) dense[(size_t)i * n + c] = m->val[out];
      out++;
    }
    m->rowptr[i + 1] = out;
  }
  free(used);
  return m;
}

int main(void) {
  const int n = 60, k = 8;
  float *dense = calloc((size_t)n * n, sizeof(float));
  dm_sparse_t *m = random_matrix(n, k, 7, dense);
  CHECK(dm_sparse_sort_rows(m) == 0, "sort failed");
  for (int i = 0; i < n; i++)
    for (int64_t p = m->rowptr[i]; p < m->rowptr[i + 1]; p++) {
      if (p > m->rowptr[i]) CHECK(m->col[p] > m->col[p - 1], "row %d not ascending", i);
      CHECK(dense[(size_t)i * n + m->col[p]] == m->val[p], "value moved away from its column");
    }
  dm_sparse_t *s = dm_sparse_symmetrise(m);
  CHECK(s != NULL, "symmetrise failed");
  /* brute force: mean of the stored entries of (i,j) and (j,i) */
  int64_t expect_nnz = 0;
  float *sd = calloc((size_t)n * n, sizeof(float));
  for (int i = 0; i < n; i++)
    for (int64_t p = s->rowptr[i]; p < s->rowptr[i + 1]; p++) sd[(size_t)i * n + s->col[p]] = s->val[p];
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      float a = dense[(size_t)i * n + j], b = dense[(size_t)j * n + i];
      float want = (a > 0 && b > 0) ? 0.5f * (a + b) : (a > 0 ? a : b);
      expect_nnz += want > 0;
      CLOSE(sd[(size_t)i * n + j], want, 1e-7);
      CHECK(sd[(size_t)i * n + j] == sd[(size_t)j * n + i], "not symmetric at (%d,%d)", i, j);
    }
  CHECK(s->rowptr[n] == expect_nnz, "nnz %ld, expected %ld", (long)s->rowptr[n], (long)expect_nnz);
  CHECK(dm_sparse_sort_rows(s) == 0, "symmetrised rows not sorted and unique");

  /* a repeated column is an error */
  dm_sparse_t *bad = dm_sparse_init(2, 2);
  bad->col[0] = bad->col[1] = 1;
  bad->val[0] = bad->val[1] = 1;
  bad->rowptr[1] = bad->rowptr[2] = 2;
  CHECK(dm_sparse_sort_rows(bad) == -1, "repeated column accepted");
  CHECK(dm_sparse_symmetrise(bad) == NULL, "repeated column accepted");
  bad->col[1] = 5;
  CHECK(dm_sparse_sort_rows(bad) == -1, "column out of range accepted");

  dm_sparse_destroy(bad);
  dm_sparse_destroy(s);
  dm_sparse_destroy(m);
  dm_sparse_destroy(NULL);
  free(dense);
  free(sd);
  return dm_test_summary("test_sparse");
}
