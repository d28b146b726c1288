/* dm_modisco_input: the inputs of stage 2 on every rank.
 *
 * From attr.h5 (root attribute status "complete"; /onehot (N, L, 4) u8,
 * /tasks/<task>/hyp (N, L, 4) f32, optional /regions) each rank reads its
 * block of rows (collective reads of at most block_rows rows); from
 * tfmodisco-lite arrays (.npy, or arr_0 of a .npz, (N, 4, L)) every rank
 * reads the files. Then each rank, on its block: checks that hyp is finite
 * and the one-hot 0/1, and centres hyp (hyp -= mean over the 4 bases, if
 * asked); the blocks are gathered so that every rank reads all rows, held
 * once per node in node-shared memory (dm_shm): 20 bytes per base (the
 * one-hot as bytes; the contributions hyp * onehot are not stored but made
 * where read, dm_pattern_fetch). A non-finite score is an error naming the file and the
 * first bad row (the same on any number of ranks).
 */
#ifndef DM_MODISCO_INPUT_H
#define DM_MODISCO_INPUT_H

#include <stdint.h>

#include "dm_h5.h"
#include "dm_log.h"
#include "dm_mpi.h"
#include "dm_shm.h"

/** Where the input comes from; strings are borrowed. */
typedef struct {
  const char *attr;   /* attr.h5, or NULL */
  const char *task;   /* task of attr.h5 */
  const char *onehot; /* .npy / .npz when attr is NULL */
  const char *hyp;    /* .npy / .npz when attr is NULL */
  int center_hyp;     /* 1: centre hyp over the 4 bases per position */
  int64_t block_rows; /* rows per read of attr.h5 (> 0) */
} dm_modisco_input_opt_t;

/** The loaded input (all rows on every rank; onehot and hyp node-shared, read-only). */
typedef struct {
  int64_t n;        /* rows N */
  int len;          /* L */
  uint8_t *onehot;  /* (N, L, 4) 0 / 1 */
  float *hyp;       /* (N, L, 4), centred if asked */
  char **chrom;     /* (N,) rank 0 only, NULL without /regions */
  int64_t *start;   /* (N,) rank 0 only, NULL without /regions */
  dm_shm_t *shm[2]; /* node-shared onehot and hyp */
} dm_modisco_input_t;

/**
 * @brief Load, check, centre and gather the input. Collective.
 * @param ctx ranks
 * @param opt where from
 * @param in  filled; free with dm_modisco_input_free()
 * @return 0 on every rank, or -1 on every rank after logging (missing or
 *         incomplete file, missing task, shape mismatch, non-finite score)
 */
DM_RESULT_USED int dm_modisco_input_load(const dm_mpi_t *ctx, const dm_modisco_input_opt_t *opt,
                                         dm_modisco_input_t *in);

/**
 * @brief Check an attr.h5 for use as input: status "complete", task
 *        /tasks/<task>/hyp present, /onehot and hyp both (N, L, 4).
 *        Collective reads of the header only; same answer on every rank.
 * @param h    attr.h5 opened with dm_h5_open
 * @param attr its file name (for messages)
 * @param task the task (Input:task)
 * @param n    N (out)
 * @param len  L (out)
 * @return 0, or -1 after logging what is wrong, naming the file
 */
DM_RESULT_USED int dm_modisco_attr_check(dm_h5_t *h, const char *attr, const char *task, int64_t *n, int *len);

/**
 * @brief Allgather, in place, an array of n rows split in the blocks of
 *        dm_mpi_block_range over the ranks (each rank has filled its block).
 *        Collective.
 * @param ctx   ranks
 * @param x     (n, width) elements of type
 * @param n     rows
 * @param width elements per row
 * @param type  MPI type of an element
 */
void dm_modisco_gather_blocks(const dm_mpi_t *ctx, void *x, int64_t n, int width, MPI_Datatype type);

/**
 * @brief Allgather, in place, rows c0..c0+c-1 of an array of n rows split
 *        in the blocks of dm_mpi_block_range over the ranks: each rank has
 *        filled the rows of its block among them. Collective.
 * @param ctx   ranks
 * @param x     (c, width) elements of type: rows c0..c0+c-1
 * @param n     rows of the whole array
 * @param c0    first row held
 * @param c     rows held
 * @param width elements per row
 * @param type  MPI type of an element
 */
void dm_modisco_gather_part(const dm_mpi_t *ctx, void *x, int64_t n, int64_t c0, int64_t c, int width,
                            MPI_Datatype type);

/**
 * @brief Free what dm_modisco_input_load allocated (a zeroed struct is
 *        fine). Collective (the node-shared arrays).
 * @param in the input
 */
void dm_modisco_input_free(dm_modisco_input_t *in);

#endif
