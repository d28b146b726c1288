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
 * matrix, and can run block by block over the columns, merging each block
 * into running top-k lists (dm_kmer_topk_merge): the result is the same for
 * any blocking.
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
 * @brief Inverted index (key -> rows and values) of a set of embeddings.
 * @param emb all N embeddings (rows in global order)
 * @return the index; free with dm_kmer_index_destroy()
 */
dm_kmer_index_t *dm_kmer_index_init(const dm_kmer_emb_t *emb);

/** @brief Free an index (NULL is fine). @param idx index */
void dm_kmer_index_destroy(dm_kmer_index_t *idx);

/**
 * @brief Bytes of scratch dm_kmer_topk / dm_kmer_topk_merge need.
 * @param ncol columns searched at once (rows of the index)
 * @param k    neighbours per row
 * @return size in bytes
 */
size_t dm_kmer_topk_work_size(int ncol, int k);

/** Query rows of a top-k search in compact form (opaque). */
typedef struct dm_kmer_query_s dm_kmer_query_t;

/**
 * @brief Query rows from embeddings: each row's entries in key order, keys
 *        replaced by their position among the distinct keys of all rows.
 * @param emb the query rows (copied; emb may be freed afterwards)
 * @return the queries; free with dm_kmer_query_destroy()
 */
dm_kmer_query_t *dm_kmer_query_init(const dm_kmer_emb_t *emb);

/** @brief Free queries (NULL is fine). @param q queries */
void dm_kmer_query_destroy(dm_kmer_query_t *q);

/**
 * @brief Merge one block of columns into running top-k lists: every query
 *        row against the C seqlets indexed by ifwd / irc, which are seqlets
 *        col0 .. col0+C-1. Blocks must come in increasing column order; the
 *        lists then equal those of a single search over all columns,
 *        whatever the blocking (value desc, ties by index). The query keys
 *        are matched to the block's keys by one merge of the two sorted key
 *        lists per block, not by a lookup per row.
 * @param q      query rows (holds the key maps of the current block)
 * @param ifwd   index of the block's forward embeddings
 * @param irc    index of the block's reverse embeddings
 * @param col0   global index of the block's first seqlet
 * @param k      list length, >= 1
 * @param work   scratch of dm_kmer_topk_work_size(C, k) bytes, 8-byte aligned
 * @param nbr    (rows, k) neighbour indices so far, updated
 * @param sim    (rows, k) their similarities, updated
 * @param cnt    (rows,) entries of each list so far (0 before the first block), updated
 */
void dm_kmer_topk_merge(dm_kmer_query_t *q, const dm_kmer_index_t *ifwd, const dm_kmer_index_t *irc,
                        int64_t col0, int k, void *work, int32_t *nbr, double *sim, int32_t *cnt);

/**
 * @brief Coarse similarity top-k of rows a..b-1 against all N seqlets (one
 *        block: dm_kmer_topk_merge with col0 = 0 on empty lists).
 * @param fwd    all N forward embeddings (the queries are rows a..b-1)
 * @param ifwd   index of fwd
 * @param irc    index of the N reverse embeddings
 * @param a      first row
 * @param b      one past the last row
 * @param k      neighbours per row, 1 <= k <= N (lite: min(500 + 1, N))
 * @param work   scratch of dm_kmer_topk_work_size(N, k) bytes, 8-byte aligned
 * @param nbr    (b-a, k) neighbour indices, by similarity desc, ties by index
 * @param sim    (b-a, k) their similarities
 */
void dm_kmer_topk(const dm_kmer_emb_t *fwd, const dm_kmer_index_t *ifwd, const dm_kmer_index_t *irc, int a,
                  int b, int k, void *work, int32_t *nbr, double *sim);

#endif
