/* dm_kmer: gapped k-mer embeddings of seqlets and the coarse similarity
 * (TF-MoDISco step 2, following tfmodisco-lite's gapped_kmer/affinitymat).
 *
 * Embedding of one seqlet strand: the per-position importance is
 * sign * sum_c contrib[t][c] (sign = metacluster sign), the base is the
 * argmax of the one-hot row. The topn positions of largest importance
 * (ties: smaller position first) are taken in position order; every subset
 * of min_k..max_k of them whose span (last - first) is < max_len and whose
 * steps are <= max_gap is a gapped k-mer, keyed by its letters and relative
 * positions (key = sum (base+1) 5^(pos - first pos)) and valued by the mean
 * importance of its positions; values of equal keys add up. The max_entries
 * keys of largest |value| are kept (ties: first enumerated first, the order
 * lite's dict keeps), sorted by key and L2-normalised. The reverse strand
 * runs the same on the reverse-complemented seqlet.
 *
 * Coarse similarity of seqlets i, j = max(X_i . X_j, X_i . R_j) (X forward,
 * R reverse embeddings); each row keeps its k best (value desc, ties by
 * index), itself included. Dot products are summed in increasing key order,
 * as lite's sparse merge does, so each value is the same whatever the row
 * split. The search uses inverted indexes (key -> rows), never an N x N
 * matrix: tiles of query rows meet blocks of columns key by key, each
 * block merged into running top-k lists (dm_kmer_topk_merge); the result
 * is the same for any tiling and blocking.
 */
#ifndef DM_KMER_H
#define DM_KMER_H

#include <stddef.h>
#include <stdint.h>

#include "dm_log.h"

/** Gapped k-mer settings (lite defaults from dm_kmer_opt_init). */
typedef struct {
  int topn;        /* positions of largest importance used (20) */
  int min_k;       /* fewest letters in a k-mer (4) */
  int max_k;       /* most letters (6) */
  int max_gap;     /* largest step between consecutive letters (15) */
  int max_len;     /* span last - first must be < max_len (15) */
  int max_entries; /* k-mers kept per seqlet strand (500) */
} dm_kmer_opt_t;

/** Sparse embeddings of n seqlets: a view on caller buffers, fixed stride. */
typedef struct {
  int n;        /* rows */
  int stride;   /* slots per row (>= max_entries) */
  int64_t *key; /* (n, stride) keys of row r in key[r*stride ..], ascending */
  double *val;  /* (n, stride) L2-normalised values */
  int32_t *nnz; /* (n,) used slots per row */
} dm_kmer_emb_t;

/** Inverted index of one set of embeddings (opaque). */
typedef struct dm_kmer_index_s dm_kmer_index_t;

/**
 * @brief Set the lite defaults (topn 20, k 4..6, max_gap 15, max_len 15,
 *        max_entries 500).
 * @param opt options to fill
 */
void dm_kmer_opt_init(dm_kmer_opt_t *opt);

/**
 * @brief Validate options (1 <= min_k <= max_k <= topn, 1 <= max_gap,
 *        max_k <= max_len <= 26 so keys fit in 64 bits, max_entries >= 1).
 * @param opt options
 * @return 0, or -1 after logging the offending field
 */
DM_RESULT_USED int dm_kmer_opt_check(const dm_kmer_opt_t *opt);

/**
 * @brief Bytes of scratch dm_kmer_embed_rows needs.
 * @param opt options (checked)
 * @param l   seqlet length L
 * @return size in bytes
 */
size_t dm_kmer_embed_work_size(const dm_kmer_opt_t *opt, int l);

/**
 * @brief Embed seqlets a..b-1 on one strand.
 * @param onehot  (N, L, 4) one-hot sequences of all seqlets
 * @param contrib (N, L, 4) actual contributions (hyp * onehot)
 * @param l       seqlet length L
 * @param sign    +1 or -1, the metacluster's sign
 * @param rc      0: forward strand, 1: reverse complement
 * @param a       first row
 * @param b       one past the last row
 * @param opt     options (checked)
 * @param work    scratch of dm_kmer_embed_work_size(opt, l) bytes, 8-byte aligned
 * @param out     rows 0..b-a-1 receive seqlets a..b-1; stride >= max_entries
 */
void dm_kmer_embed_rows(const float *onehot, const float *contrib, int l, float sign, int rc, int a, int b,
                        const dm_kmer_opt_t *opt, void *work, dm_kmer_emb_t *out);

/**
 * @brief Inverted index (key -> entries and values) of one or two strands
 *        of the same rows: entry e of row r, strand s is r * n_strands + s,
 *        and a key's entries are in ascending order.
 * @param emb       n_strands embeddings of the same rows (forward, then reverse)
 * @param n_strands 1 (query rows) or 2 (columns: both strands)
 * @return the index; free with dm_kmer_index_destroy()
 */
dm_kmer_index_t *dm_kmer_index_init(const dm_kmer_emb_t *emb, int n_strands);

/**
 * @brief Rows r0..r1-1 of a one-strand index back as embeddings: the same
 *        keys (ascending), values and counts as dm_kmer_embed_rows made.
 * @param idx an index of one strand (dm_kmer_index_init(emb, 1))
 * @param r0  first row
 * @param r1  one past the last row
 * @param out its rows 0..r1-r0-1 are written (out->stride >= those rows' counts)
 */
void dm_kmer_index_rows(const dm_kmer_index_t *idx, int r0, int r1, dm_kmer_emb_t *out);

/**
 * @brief The index of new embeddings in place of idx's: the same index as
 *        dm_kmer_index_init's, in buffers kept from build to build (they
 *        grow, never shrink; its sort scratch, 36 B per entry, is kept too),
 *        for the column blocks of a search.
 * @param idx       an index made by this function, or NULL for a new one
 * @param emb       n_strands embeddings of the same rows
 * @param n_strands 1 or 2
 * @return the index (idx, or a new one); free with dm_kmer_index_destroy()
 */
dm_kmer_index_t *dm_kmer_index_rebuild(dm_kmer_index_t *idx, const dm_kmer_emb_t *emb, int n_strands);

/** @brief Free an index (NULL is fine). @param idx index */
void dm_kmer_index_destroy(dm_kmer_index_t *idx);

/**
 * @brief Query rows per tile for columns searched ncol at a time: the tile's
 *        dot products (rows x ncol x 2 doubles) stay within 4 MiB (8 to 512
 *        rows): larger tiles match each block's keys and read its entries
 *        for more rows at once (measured faster than tiles within L2).
 *        Results do not depend on it.
 * @param ncol columns per block
 * @return rows per tile
 */
int dm_kmer_tile_rows(int ncol);

/**
 * @brief Bytes of scratch dm_kmer_topk_merge needs: the (nrow, ncol, 2)
 *        tile and one dense row.
 * @param nrow query rows of a tile
 * @param ncol columns searched at once (rows of the column index)
 * @return size in bytes
 */
size_t dm_kmer_topk_work_size(int nrow, int ncol);

/**
 * @brief Merge one block of columns into running top-k lists: every query
 *        row of a tile against the C seqlets of the column index, which are
 *        seqlets col0 .. col0+C-1. The tile's keys are matched to the
 *        block's by one galloping pass over the two ascending key lists;
 *        for each shared key, every query entry of the tile meets the key's
 *        column entries (both strands), whose dot products are summed in a
 *        (rows, C, 2) tile: each pair's products come in increasing key
 *        order, as lite sums them. A key that at least a quarter of the
 *        block's 2C column strands have is added as a dense row
 *        (dm_kmer_add_dense), the same sums. Each row's running list is a
 *        heap of its best (at most k) columns so far, the worst at the root; a column
 *        enters a full list only with a strictly larger value. Blocks must
 *        come in increasing column order; after dm_kmer_topk_finish the
 *        lists equal those of a single search over all columns, whatever
 *        the tiling and blocking (value desc, ties by index).
 * @param q      index of the tile's query rows (forward strand, 1 strand)
 * @param cols   index of the block's columns (2 strands)
 * @param col0   global index of the block's first seqlet
 * @param k      list length, >= 1
 * @param work   scratch of dm_kmer_topk_work_size(rows, C) bytes, 8-byte aligned
 * @param nbr    (rows, k) running lists' neighbour indices, updated
 * @param sim    (rows, k) their similarities, updated
 * @param cnt    (rows,) entries of each list so far (0 before the first block), updated
 */
void dm_kmer_topk_merge(const dm_kmer_index_t *q, const dm_kmer_index_t *cols, int64_t col0, int k,
                        void *work, int32_t *nbr, double *sim, int32_t *cnt);

/**
 * @brief d[c] += x * v[c] for c < w, each a product then a sum (no fused
 *        multiply-add): the step of dm_kmer_topk_merge for a key that many
 *        columns of a block share, as a dense row.
 * @param d    (w,) sums, updated
 * @param v    (w,) the key's column values, 0 where a column lacks it
 * @param w    length
 * @param x    the query entry's value
 * @param simd 1: AVX where the CPU has it, 0: portable C; the same bits
 */
void dm_kmer_add_dense(double *d, const double *v, size_t w, double x, int simd);

/**
 * @brief Sort running lists after the last block: by similarity desc, ties by index.
 * @param rows rows
 * @param k    list stride
 * @param cnt  (rows,) entries of each list
 * @param nbr  (rows, k) neighbour indices, sorted in place
 * @param sim  (rows, k) similarities, sorted in place
 */
void dm_kmer_topk_finish(int rows, int k, const int32_t *cnt, int32_t *nbr, double *sim);

/**
 * @brief Coarse similarity top-k of rows a..b-1 against all N seqlets (one
 *        block of columns, the rows in tiles of dm_kmer_tile_rows(N)).
 * @param fwd    all N forward embeddings (the queries are rows a..b-1)
 * @param cols   index of all N seqlets, both strands
 * @param a      first row
 * @param b      one past the last row
 * @param k      neighbours per row, 1 <= k <= N (lite: min(500 + 1, N))
 * @param nbr    (b-a, k) neighbour indices, by similarity desc, ties by index
 * @param sim    (b-a, k) their similarities
 */
void dm_kmer_topk(const dm_kmer_emb_t *fwd, const dm_kmer_index_t *cols, int a, int b, int k, int32_t *nbr,
                  double *sim);

#endif
