/* dm_shm: arrays held once per node, in MPI shared memory.
 *
 * The ranks of a job that share a node (MPI_Comm_split_type
 * MPI_COMM_TYPE_SHARED) map one MPI shared-memory window: the node's first
 * rank allocates it and every rank of the node addresses the same bytes, so
 * an array every rank reads costs its size once per node, not once per rank.
 *
 * The usual array is n rows split over all ranks by dm_mpi_block_range:
 * each rank writes its block, then dm_shm_gather_blocks makes every row
 * visible on every rank (the node's ranks synchronise; the first rank of
 * each node, its leader, exchanges its node's blocks with the other
 * leaders; the node's ranks synchronise again). On one node nothing is
 * copied at all.
 *
 * With DMOTIF_NODE_RANKS=r in the environment, ranks are grouped r by r
 * (rank / r) into "nodes" instead, so that one machine runs the exchange
 * between nodes (the tests do; r < 1 is ignored). DMOTIF_NODE_RANKS=1
 * makes every rank a node of its own, holding its own copy: the way out
 * where a node's shared memory (e.g. /dev/shm) is too small.
 *
 * Every rank's peak RSS counts the shared pages it touched; the bytes held
 * in node-shared arrays are tracked (dm_shm_window_peak) so that the step
 * logs can say how much of a peak is held once per node.
 */
#ifndef DM_SHM_H
#define DM_SHM_H

#include <stddef.h>
#include <stdint.h>

#include "dm_mpi.h"

typedef struct dm_shm_s dm_shm_t;

/**
 * @brief Allocate bytes of node-shared memory. Collective over ctx->comm.
 *        Contents are undefined until written; running out is fatal (the
 *        message names the label).
 * @param ctx   ranks
 * @param label what the memory is for
 * @param bytes size (the same on every rank; 0 is allowed)
 * @param h     handle (out), for dm_shm_free and the synchronisations
 * @return the array, the same bytes on every rank of a node
 */
void *dm_shm_alloc(const dm_mpi_t *ctx, const char *label, size_t bytes, dm_shm_t **h);

/**
 * @brief Free an array of dm_shm_alloc. Collective over the ranks that
 *        allocated it.
 * @param h handle, or NULL (nothing, on every rank)
 */
void dm_shm_free(dm_shm_t *h);

/** @return 1 on the node's first rank (its leader, which allocates the array and exchanges blocks with the
 * other nodes), else 0. */
int dm_shm_leader(const dm_shm_t *h);

/**
 * @brief Make the writes of every rank of the node visible to all of them
 *        (memory synchronisation and a barrier of the node). Collective
 *        over the node's ranks.
 * @param h handle
 */
void dm_shm_sync(dm_shm_t *h);

/**
 * @brief Every row of an array of n rows of row_bytes each, split over the
 *        ranks by dm_mpi_block_range(n, size, rank), visible on every rank,
 *        once each rank has written its block. Collective.
 * @param h         handle of the array
 * @param n         rows
 * @param row_bytes bytes per row
 */
void dm_shm_gather_blocks(dm_shm_t *h, int64_t n, size_t row_bytes);

/** @return the most bytes this process's node held in node-shared arrays
 *  at once since the last dm_shm_peak_reset (as this rank allocated them). */
size_t dm_shm_window_peak(void);

/** @brief Start a new window for dm_shm_window_peak at the bytes held now. */
void dm_shm_peak_reset(void);

#endif
