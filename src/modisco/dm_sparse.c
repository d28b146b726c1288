/* dm_sparse: square CSR matrix; sorting and symmetrisation. */
#include "dm_sparse.h"

#include <stdlib.h>

#include "dm_mem.h"

dm_sparse_t *dm_sparse_init(int64_t n, int64_t nnz) {
  DM_ASSERT(n >= 0 && nnz >= 0 && n <= INT32_MAX);
  dm_sparse_t *m = dm_calloc("sparse", 1, sizeof(*m));
  m->n = n;
  m->nnz = nnz;
  m->rowptr = dm_calloc("sparse rowptr", (size_t)n + 1, sizeof(*m->rowptr));
  m->col = dm_malloc("sparse col", (size_t)nnz * sizeof(*m->col));
  m->val = dm_malloc("sparse val", (size_t)nnz * sizeof(*m->val));
  return m;
}

void dm_sparse_destroy(dm_sparse_t *m) {
  if (!m) return;
  free(m->rowptr);
  free(m->col);
  free(m->val);
  free(m);
}

// --- sorting

typedef struct {
  int32_t col;
  float val;
} entry_t;

static int entry_cmp(const void *a, const void *b) {
  int32_t x = ((const entry_t *)a)->col, y = ((const entry_t *)b)->col;
  return (x > y) - (x < y);
}

/* 0 if every row of m has columns in range, ascending and unique. */
static int check_sorted(const dm_sparse_t *m) {
  for (int64_t i = 0; i < m->n; i++) {
    for (int64_t k = m->rowptr[i]; k < m->rowptr[i + 1]; k++) {
      if (m->col[k] < 0 || m->col[k] >= m->n) {
        dm_log_error("sparse row %ld: column %d out of range [0, %ld)", (long)i, m->col[k], (long)m->n);
        return -1;
      }
      if (k > m->rowptr[i] && m->col[k] <= m->col[k - 1]) {
        dm_log_error("sparse row %ld: column %d %s", (long)i, m->col[k],
                     m->col[k] == m->col[k - 1] ? "repeated" : "out of order");
        return -1;
      }
    }
  }
  return 0;
}

int dm_sparse_sort_rows(dm_sparse_t *m) {
  int64_t maxlen = 0;
  for (int64_t i = 0; i < m->n; i++)
    if (m->rowptr[i + 1] - m->rowptr[i] > maxlen) maxlen = m->rowptr[i + 1] - m->rowptr[i];
  entry_t *buf = dm_malloc("sparse sort", (size_t)maxlen * sizeof(*buf));
  for (int64_t i = 0; i < m->n; i++) {
    int64_t b = m->rowptr[i], len = m->rowptr[i + 1] - b;
    for (int64_t k = 0; k < len; k++) buf[k] = (entry_t){m->col[b + k], m->val[b + k]};
    qsort(buf, (size_t)len, sizeof(*buf), entry_cmp);
    for (int64_t k = 0; k < len; k++) {
      m->col[b + k] = buf[k].col;
      m->val[b + k] = buf[k].val;
    }
  }
  free(buf);
  return check_sorted(m);
}

// --- symmetrisation

dm_sparse_t *dm_sparse_merge_mean(const dm_sparse_t *a, const dm_sparse_t *t) {
  DM_ASSERT(a->n == t->n);
  const int64_t n = a->n;
  /* two passes over the merged rows: count, then fill */
  dm_sparse_t *s = NULL;
  for (int pass = 0; pass < 2; pass++) {
    int64_t out = 0;
    for (int64_t i = 0; i < n; i++) {
      int64_t p = a->rowptr[i], pe = a->rowptr[i + 1];
      int64_t q = t->rowptr[i], qe = t->rowptr[i + 1];
      while (p < pe || q < qe) {
        int32_t c;
        float v;
        if (q == qe || (p < pe && a->col[p] < t->col[q])) {
          c = a->col[p];
          v = a->val[p++];
        } else if (p == pe || t->col[q] < a->col[p]) {
          c = t->col[q];
          v = t->val[q++];
        } else {
          c = a->col[p];
          v = (float)(0.5 * ((double)a->val[p++] + (double)t->val[q++]));
        }
        if (pass == 1) {
          s->col[out] = c;
          s->val[out] = v;
        }
        out++;
      }
      if (pass == 1) s->rowptr[i + 1] = out;
    }
    if (pass == 0) s = dm_sparse_init(n, out);
  }
  return s;
}

dm_sparse_t *dm_sparse_symmetrise(const dm_sparse_t *a) {
  if (check_sorted(a)) return NULL;
  const int64_t n = a->n, nnz = a->rowptr[n];
  /* a^T in CSR: column j of a becomes row j, its rows come out ascending */
  dm_sparse_t *t = dm_sparse_init(n, nnz);
  for (int64_t k = 0; k < nnz; k++) t->rowptr[a->col[k] + 1]++;
  for (int64_t i = 0; i < n; i++) t->rowptr[i + 1] += t->rowptr[i];
  int64_t *fill = dm_malloc("sparse transpose", (size_t)n * sizeof(*fill));
  for (int64_t i = 0; i < n; i++) fill[i] = t->rowptr[i];
  for (int64_t i = 0; i < n; i++) {
    for (int64_t k = a->rowptr[i]; k < a->rowptr[i + 1]; k++) {
      int64_t p = fill[a->col[k]]++;
      t->col[p] = (int32_t)i;
      t->val[p] = a->val[k];
    }
  }
  free(fill);
  dm_sparse_t *s = dm_sparse_merge_mean(a, t);
  dm_sparse_destroy(t);
  return s;
}
