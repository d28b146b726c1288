/* dm_shm: node-shared arrays in MPI shared-memory windows (see dm_shm.h). */
#include "dm_shm.h"

#include <stdlib.h>

#include "dm_log.h"
#include "dm_mem.h"

struct dm_shm_s {
  dm_mpi_t ctx;     /* the job's ranks */
  MPI_Comm node;    /* the ranks of this node */
  MPI_Comm leaders; /* the first rank of every node (MPI_COMM_NULL elsewhere) */
  int n_nodes;      /* nodes of the job */
  int *node_of;     /* (size,) each rank's node: its leader's rank in leaders */
  MPI_Win win;
  char *base; /* the array */
  size_t bytes;
};

static size_t held, peak; /* node-shared bytes held by this rank's node, now and at most */

/* The ranks sharing this rank's node (or DMOTIF_NODE_RANKS's groups). */
static MPI_Comm node_comm(const dm_mpi_t *ctx) {
  MPI_Comm node;
  const char *env = getenv("DMOTIF_NODE_RANKS");
  int per = env ? atoi(env) : 0;
  if (per >= 1)
    DM_MPI_CHECK(MPI_Comm_split(ctx->comm, ctx->rank / per, ctx->rank, &node));
  else
    DM_MPI_CHECK(MPI_Comm_split_type(ctx->comm, MPI_COMM_TYPE_SHARED, ctx->rank, MPI_INFO_NULL, &node));
  return node;
}

void *dm_shm_alloc(const dm_mpi_t *ctx, const char *label, size_t bytes, dm_shm_t **h) {
  dm_shm_t *s = dm_calloc("node-shared array", 1, sizeof *s);
  s->ctx = *ctx;
  s->bytes = bytes;
  s->node = node_comm(ctx);
  int node_rank, leader_rank = -1;
  DM_MPI_CHECK(MPI_Comm_rank(s->node, &node_rank));
  DM_MPI_CHECK(MPI_Comm_split(ctx->comm, node_rank == 0 ? 0 : MPI_UNDEFINED, ctx->rank, &s->leaders));
  if (s->leaders != MPI_COMM_NULL) DM_MPI_CHECK(MPI_Comm_rank(s->leaders, &leader_rank));
  DM_MPI_CHECK(MPI_Bcast(&leader_rank, 1, MPI_INT, 0, s->node));
  s->node_of = dm_malloc("node of each rank", (size_t)ctx->size * sizeof *s->node_of);
  DM_MPI_CHECK(MPI_Allgather(&leader_rank, 1, MPI_INT, s->node_of, 1, MPI_INT, ctx->comm));
  for (int r = 0; r < ctx->size; r++)
    s->n_nodes = s->node_of[r] + 1 > s->n_nodes ? s->node_of[r] + 1 : s->n_nodes;
  void *base = NULL;
  MPI_Aint size = node_rank == 0 ? (MPI_Aint)(bytes ? bytes : 1) : 0;
  DM_MPI_CHECK(MPI_Comm_set_errhandler(s->node, MPI_ERRORS_RETURN));
  int rc = MPI_Win_allocate_shared(size, 1, MPI_INFO_NULL, s->node, &base, &s->win);
  if (rc != MPI_SUCCESS)
    dm_fatal(
        "out of node-shared memory: %zu bytes for '%s' (the node's shared memory, e.g. /dev/shm, may be "
        "too small: DMOTIF_NODE_RANKS=1 in the environment makes each rank hold its own copy instead)",
        bytes, label);
  MPI_Aint got;
  int unit;
  DM_MPI_CHECK(MPI_Win_shared_query(s->win, 0, &got, &unit, &base));
  DM_MPI_CHECK(MPI_Win_lock_all(MPI_MODE_NOCHECK, s->win));
  s->base = base;
  held += bytes; /* every rank of the node makes every allocation */
  peak = held > peak ? held : peak;
  if (bytes >= ((size_t)64 << 20)) dm_log_debug("%s: %.1f MiB node-shared", label, (double)bytes / (1 << 20));
  *h = s;
  return base;
}

void dm_shm_free(dm_shm_t *h) {
  if (!h) return;
  DM_MPI_CHECK(MPI_Win_unlock_all(h->win));
  DM_MPI_CHECK(MPI_Win_free(&h->win));
  held -= h->bytes;
  if (h->leaders != MPI_COMM_NULL) MPI_Comm_free(&h->leaders);
  MPI_Comm_free(&h->node);
  free(h->node_of);
  free(h);
}

int dm_shm_leader(const dm_shm_t *h) { return h->leaders != MPI_COMM_NULL; }

void dm_shm_sync(dm_shm_t *h) {
  DM_MPI_CHECK(MPI_Win_sync(h->win));
  DM_MPI_CHECK(MPI_Barrier(h->node));
  DM_MPI_CHECK(MPI_Win_sync(h->win));
}

void dm_shm_gather_blocks(dm_shm_t *h, int64_t n, size_t row_bytes) {
  dm_shm_sync(h);
  if (h->n_nodes > 1 && h->leaders != MPI_COMM_NULL) {
    MPI_Datatype row;
    DM_ASSERT(row_bytes <= INT32_MAX);
    DM_MPI_CHECK(MPI_Type_contiguous((int)row_bytes, MPI_BYTE, &row));
    DM_MPI_CHECK(MPI_Type_commit(&row));
    for (int r = 0; r < h->ctx.size; r++) { /* rank r's block, from its node's leader to the others */
      int64_t a, c;
      dm_mpi_block_range(n, h->ctx.size, r, &a, &c);
      DM_ASSERT(c <= INT32_MAX);
      if (c > 0)
        DM_MPI_CHECK(MPI_Bcast(h->base + (size_t)a * row_bytes, (int)c, row, h->node_of[r], h->leaders));
    }
    MPI_Type_free(&row);
  }
  dm_shm_sync(h);
}

size_t dm_shm_window_peak(void) { return peak; }

void dm_shm_peak_reset(void) { peak = held; }
