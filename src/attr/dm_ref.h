/* dm_ref: reference inputs for attribution (DeepLIFT, integrated gradients).
 *
 * Kinds of reference for a one-hot sequence x (L, 4):
 *   dinuc_shuffle  Altschul-Erickson dinucleotide-preserving shuffle: a
 *                  uniformly random sequence with exactly the dinucleotide
 *                  counts of x (hence also its base counts and its first and
 *                  last base). The alphabet has five letters A,C,G,T,N; an N
 *                  row (all zeros) is the letter N, shuffled like the others,
 *                  and written back as an all-zero row (as DeepLIFT's
 *                  dinuc_shuffle does with its "all zeros" token).
 *                  Algorithm: dinucleotide multigraph on the five letters; a
 *                  random spanning arborescence of "last exit" edges towards
 *                  the last letter (Wilson's loop-erased random walks, walk
 *                  steps weighted by edge multiplicity, so every Eulerian path
 *                  is equally likely); every other out-edge list in uniformly
 *                  random order (Fisher-Yates); then the Eulerian walk from
 *                  the first letter.
 *   zeros          all-zero rows.
 *   uniform        0.25 in every channel of every row.
 *   gc_matched     a random sequence with the G+C count of x: N rows stay N
 *                  in place; among the other positions exactly as many as x
 *                  has G or C are drawn uniformly (selection sampling) to be
 *                  G or C (each with probability 1/2), the rest A or T (1/2).
 *
 * Randomness: GSL's gsl_rng_mt19937, re-seeded for every reference with
 * dm_ref_seed(seed, global sequence index, reference index) (a splitmix64
 * chain), so reference r of sequence i is the same whatever the rank count,
 * batch composition or call order. (mt19937 takes the low 32 bits of the
 * mixed 64-bit value; a clash between two references only matters within one
 * sequence, with probability 2^-32 per pair.)
 *
 * Usage: ws = dm_ref_ws_init(L_max); for each sequence dm_ref_load_f32(ws,
 * x, L) (or _u8), then dm_ref_make(ws, &opt, seq_index, r0, n, out) for any
 * range of reference indices; dm_ref_ws_destroy(ws). The workspace is the
 * only allocation; dm_ref_make allocates nothing.
 */
#ifndef DM_REF_H
#define DM_REF_H

#include <stdint.h>

#include "dm_log.h"
#include "dm_params.h"

typedef enum {
  DM_REF_DINUC_SHUFFLE,
  DM_REF_ZEROS,
  DM_REF_UNIFORM,
  DM_REF_GC_MATCHED,
  DM_REF_KIND_COUNT
} dm_ref_kind_t;

/** Names of the kinds in enum order, for parameter tables ("choices"). */
#define DM_REF_KIND_CHOICES "dinuc_shuffle|zeros|uniform|gc_matched"

/** Largest References:n. */
#define DM_REF_MAX_N 100000

/** Options of the reference generator (parameters References:*). */
typedef struct {
  dm_ref_kind_t kind; /* default dinuc_shuffle */
  int n_refs;         /* references per sequence for random kinds, 1..DM_REF_MAX_N; default 10 */
  uint64_t seed;      /* global seed; default 0 */
} dm_ref_opt_t;

/** @brief Set the defaults (dinuc_shuffle, 10 references, seed 0). @param opt options */
void dm_ref_opt_init(dm_ref_opt_t *opt);

/**
 * @brief Set opt->n_refs from the value of References:n, range-checked before the cast to int.
 * @return 0, or -1 after logging (value outside 1..DM_REF_MAX_N)
 */
DM_RESULT_USED int dm_ref_opt_set_n(dm_ref_opt_t *opt, long n);

/**
 * @brief Options from the parameters References:kind, References:n and
 *        References:seed (the same keys in every command that uses references), checked.
 * @return 0, or -1 after logging the key that is wrong
 */
DM_RESULT_USED int dm_ref_opt_from_params(const dm_params_t *p, dm_ref_opt_t *opt);

/**
 * @brief Validate options.
 * @param opt options
 * @return 0, or -1 after logging the bad field
 */
DM_RESULT_USED int dm_ref_opt_check(const dm_ref_opt_t *opt);

/**
 * @brief Parse a kind name ("dinuc_shuffle", "zeros", "uniform", "gc_matched").
 * @param name text
 * @param kind set on success
 * @return 0, or -1 after logging the unknown name
 */
DM_RESULT_USED int dm_ref_kind_parse(const char *name, dm_ref_kind_t *kind);

/** @return the name of a kind (as in DM_REF_KIND_CHOICES). @param kind the kind */
const char *dm_ref_kind_name(dm_ref_kind_t kind);

/**
 * @brief References generated per sequence: opt->n_refs for the random kinds
 *        (dinuc_shuffle, gc_matched), 1 for the deterministic ones.
 * @param opt checked options
 * @return the count
 */
int dm_ref_count(const dm_ref_opt_t *opt);

/**
 * @brief The per-reference RNG seed: splitmix64(splitmix64(splitmix64(seed)
 *        ^ seq_index) ^ ref_index).
 * @param seed      global seed
 * @param seq_index global index of the sequence (row in the whole input)
 * @param ref_index index of the reference for that sequence
 * @return the 64-bit seed
 */
uint64_t dm_ref_seed(uint64_t seed, uint64_t seq_index, uint64_t ref_index);

typedef struct dm_ref_ws_s dm_ref_ws_t;

/**
 * @brief Workspace for sequences of length up to max_len (tokens, edge lists,
 *        one GSL generator).
 * @param max_len longest sequence to be loaded (>= 1)
 * @return the workspace, or NULL after logging (no generator); free with dm_ref_ws_destroy()
 */
DM_RESULT_USED dm_ref_ws_t *dm_ref_ws_init(int max_len);

/** @brief Free a workspace (NULL is fine). @param ws workspace */
void dm_ref_ws_destroy(dm_ref_ws_t *ws);

/**
 * @brief Load one float one-hot sequence: each row is all zeros (N) or has a
 *        single 1 and zeros elsewhere.
 * @param ws workspace
 * @param x  (L, 4) one-hot, channels A,C,G,T
 * @param L  length, 1..max_len
 * @return 0, or -1 after logging the first row that is not one-hot
 */
DM_RESULT_USED int dm_ref_load_f32(dm_ref_ws_t *ws, const float *x, int L);

/**
 * @brief As dm_ref_load_f32, for a uint8 one-hot sequence.
 * @param ws workspace
 * @param x  (L, 4) uint8 one-hot, channels A,C,G,T
 * @param L  length, 1..max_len
 * @return 0, or -1 after logging the first row that is not one-hot
 */
DM_RESULT_USED int dm_ref_load_u8(dm_ref_ws_t *ws, const uint8_t *x, int L);

/**
 * @brief References ref_begin .. ref_begin+n-1 of the loaded sequence.
 * @param ws        workspace with a sequence loaded
 * @param opt       checked options (kind, seed)
 * @param seq_index global index of the loaded sequence
 * @param ref_begin first reference index (>= 0)
 * @param n         number of references to write (>= 0)
 * @param out       (n, L, 4) float, written completely
 * @return 0, or -1 (logged) if no sequence is loaded
 */
DM_RESULT_USED int dm_ref_make(dm_ref_ws_t *ws, const dm_ref_opt_t *opt, uint64_t seq_index, int ref_begin,
                               int n, float *out);

#endif
