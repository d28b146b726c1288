/* dm_mpi: rank/size context, block decomposition, checked collectives and
 * the end-of-run summary (version, argv, wall/CPU time, peak RSS).
 */
#ifndef DM_MPI_H
#define DM_MPI_H

#include <stdint.h>

#include <mpi.h>

/** This process's place in the job. */
typedef struct {
  MPI_Comm comm; /* communicator of the job (MPI_COMM_WORLD for drivers) */
  int rank;      /* 0 .. size-1; rank 0 is the master/reader */
  int size;      /* number of ranks */
  double t0;     /* wall time at dm_mpi_init, for the summary */
} dm_mpi_t;

/** Abort all ranks with the MPI error string if an MPI call fails. */
#define DM_MPI_CHECK(call)                                                                         \
  do {                                                                                             \
    int dm_mpi_rc_ = (call);                                                                       \
    if (dm_mpi_rc_ != MPI_SUCCESS) {                                                               \
      char dm_mpi_msg_[MPI_MAX_ERROR_STRING];                                                      \
      int dm_mpi_len_ = 0;                                                                         \
      MPI_Error_string(dm_mpi_rc_, dm_mpi_msg_, &dm_mpi_len_);                                     \
      dm_fatal("%s failed: %s", #call, dm_mpi_msg_);                                               \
    }                                                                                              \
  } while (0)

/**
 * @brief Fill the context for communicator comm (MPI must be initialised).
 * @param ctx  context to fill
 * @param comm communicator (not duplicated; must outlive ctx)
 */
void dm_mpi_init(dm_mpi_t *ctx, MPI_Comm comm);

/**
 * @brief Split n rows into nparts contiguous blocks, the first n % nparts
 *        blocks one row longer. Pure; the same on every rank.
 * @param n      number of rows
 * @param nparts number of blocks (> 0)
 * @param part   block wanted, 0 .. nparts-1
 * @param start  first row of the block (out)
 * @param count  rows in the block (out; may be 0)
 */
void dm_mpi_block_range(int64_t n, int nparts, int part, int64_t *start, int64_t *count);

/**
 * @brief Global offset of this rank's rows when every rank holds n_local
 *        rows in rank order (MPI_Exscan), and the global total (Allreduce).
 *        Collective.
 * @param ctx     context
 * @param n_local rows on this rank (may be 0)
 * @param offset  global index of this rank's first row (out)
 * @param total   rows on all ranks (out; may be NULL)
 */
void dm_mpi_offset(const dm_mpi_t *ctx, int64_t n_local, int64_t *offset, int64_t *total);

/**
 * @brief Rank 0's bytes to every rank: len then data. Collective.
 * @param ctx  context
 * @param buf  in/out buffer; on ranks != 0 it is replaced by a new malloc'd
 *             copy (free with free()); may be NULL with len 0
 * @param len  in/out length in bytes
 */
void dm_mpi_bcast_bytes(const dm_mpi_t *ctx, char **buf, int64_t *len);

/**
 * @brief Print the end-of-run summary on rank 0: version, command line,
 *        wall time, CPU time summed over ranks and the largest peak RSS of
 *        any rank (and the sum). Collective.
 */
void dm_mpi_summary(const dm_mpi_t *ctx, int argc, char **argv);

#endif
