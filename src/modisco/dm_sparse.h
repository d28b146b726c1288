/* dm_sparse: square sparse matrix in compressed-row form (CSR), shared by the
 * modisco steps: the affinity step produces one row of neighbours per seqlet,
 * density adaptation turns it into a symmetric matrix of probabilities and
 * clustering reads that as a weighted graph.
 *
 *   row i holds the entries k = rowptr[i] .. rowptr[i+1]-1:
 *   column col[k], value val[k]
 *
 * Columns need not be sorted unless a function says so; dm_sparse_sort_rows
 * sorts them. All arrays belong to the matrix.
 */
#ifndef DM_SPARSE_H
#define DM_SPARSE_H

#include <stdint.h>

#include "dm_log.h"

typedef struct {
  int64_t n;       /* rows (= columns) */
  int64_t nnz;     /* stored entries (capacity given to dm_sparse_init) */
  int64_t *rowptr; /* (n+1,) row starts; rowptr[0] = 0, rowptr[n] <= nnz */
  int32_t *col;    /* (nnz,) column of each entry, in 0..n-1 */
  float *val;      /* (nnz,) value of each entry */
} dm_sparse_t;

/**
 * @brief Matrix of n rows with room for nnz entries; rowptr is all zeros
 *        (every row empty), col and val are uninitialised.
 * @param n   rows (and columns), >= 0
 * @param nnz entries, >= 0
 * @return the matrix (never NULL); free with dm_sparse_destroy()
 */
dm_sparse_t *dm_sparse_init(int64_t n, int64_t nnz);

/**
 * @brief Free a matrix from dm_sparse_init.
 * @param m the matrix, or NULL
 */
void dm_sparse_destroy(dm_sparse_t *m);

/**
 * @brief Sort the entries of every row by column (values move with them).
 * @param m matrix, sorted in place
 * @return 0, or -1 if a column is out of range or repeated within a row
 *         (logged, naming the row)
 */
DM_RESULT_USED int dm_sparse_sort_rows(dm_sparse_t *m);

/**
 * @brief Symmetric version of a: the union of the patterns of a and a^T;
 *        where both (i,j) and (j,i) are stored the value is their mean,
 *        where only one is stored it is that value (tfmodisco-lite's
 *        (A + A^T) / (C + C^T), C the 0/1 pattern of A).
 * @param a matrix with sorted, unique columns per row (dm_sparse_sort_rows)
 * @return new matrix with sorted rows, free with dm_sparse_destroy(); NULL
 *         if a's rows are not sorted and unique (logged)
 */
dm_sparse_t *dm_sparse_symmetrise(const dm_sparse_t *a);

/**
 * @brief The union of the rows of a and t, row by row: where both store
 *        (i,j) the value is their mean (in double, rounded to float), else
 *        the one stored. With t = a^T this is dm_sparse_symmetrise; rows
 *        that are empty in both stay empty.
 * @param a matrix with sorted, unique columns per row
 * @param t matrix of the same n with sorted, unique columns per row
 * @return new matrix with sorted rows, free with dm_sparse_destroy()
 */
dm_sparse_t *dm_sparse_merge_mean(const dm_sparse_t *a, const dm_sparse_t *t);

#endif
